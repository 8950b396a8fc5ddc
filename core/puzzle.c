/* puzzle.c - proof of work for identity creation (7.3.2.1, 8.1.5). */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "der.h"
#include "digest.h"
#include "puzzle.h"

#define NONCE_LEN 8

unsigned vx_puzzle_bits(unsigned base, int64_t lifetime)
{
	unsigned bits = base;

	for (int64_t span = 3600; span < lifetime && bits < VX_PUZZLE_MAX_BITS; span *= 2)
		bits++;
	return bits < VX_PUZZLE_MAX_BITS ? bits : VX_PUZZLE_MAX_BITS;
}

vx_status vx_puzzle_challenge(unsigned nbits, heim_bit_string *challenge)
{
	size_t n = (nbits + 7) / 8;

	memset(challenge, 0, sizeof *challenge);
	if (!nbits || nbits > VX_PUZZLE_MAX_BITS)
		return VX_EINVAL;
	if (!(challenge->data = calloc(1, n)))
		return VX_ENOMEM;
	if (RAND_bytes(challenge->data, (int)n) != 1) {
		free(challenge->data);
		challenge->data = NULL;
		return VX_ECRYPTO;
	}
	challenge->length = nbits;
	return VX_OK;
}

void vx_puzzle_challenge_free(heim_bit_string *challenge)
{
	free(challenge->data);
	challenge->data = NULL;
	challenge->length = 0;
}

/* Do the first nbits bits of a and b agree? (BIT STRING order: MSB first) */
static int prefix_equal(const uint8_t *a, const uint8_t *b, size_t nbits)
{
	size_t whole = nbits / 8, rest = nbits % 8;

	if (memcmp(a, b, whole))
		return 0;
	return !rest || !((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest)));
}

vx_status vx_puzzle_check(const uint8_t *header_der, size_t len, MacAlgorithm mac,
                          const heim_bit_string *challenge)
{
	uint8_t d[VX_DIGEST_MAX];
	size_t dlen;
	vx_status st;

	if ((st = vx_digest(mac, header_der, len, d, &dlen)) != VX_OK)
		return st;
	if (challenge->length > dlen * 8 || challenge->length > VX_PUZZLE_MAX_BITS)
		return VX_EBADPARAM;
	return prefix_equal(d, challenge->data, challenge->length) ? VX_OK : VX_EAUTH;
}

vx_status vx_puzzle_solve(HeaderBlock *hb, MacAlgorithm mac, const heim_bit_string *challenge,
                          uint64_t max_tries, uint64_t *tries)
{
	heim_octet_string *old = hb->proofOfWork;
	uint8_t nonce[NONCE_LEN];
	heim_octet_string pow = {sizeof nonce, nonce};
	vx_bytes der = {0};
	vx_status st = VX_ELIMIT;

	*tries = 0;
	if (!vx_digest_len(mac))
		return VX_EMACUNKNOWN;
	if (challenge->length > VX_PUZZLE_MAX_BITS)
		return VX_EBADPARAM;
	hb->proofOfWork = &pow;
	while (*tries < max_tries) {
		uint64_t t = (*tries)++;

		for (int i = 0; i < NONCE_LEN; i++)
			nonce[i] = (uint8_t)(t >> (8 * i));
		if ((st = vx_der_encode(VX_DER_HeaderBlock, hb, &der)) != VX_OK)
			break;
		st = vx_puzzle_check(der.data, der.len, mac, challenge);
		vx_bytes_free(&der);
		if (st != VX_EAUTH)
			break;
		st = VX_ELIMIT;
	}
	hb->proofOfWork = old;
	if (st != VX_OK)
		return st;
	/* keep the solution: the header owns its proofOfWork */
	if (!old && !(old = calloc(1, sizeof *old)))
		return VX_ENOMEM;
	free(old->data);
	if (!(old->data = malloc(sizeof nonce)))
		return VX_ENOMEM;
	memcpy(old->data, nonce, sizeof nonce);
	old->length = sizeof nonce;
	hb->proofOfWork = old;
	return VX_OK;
}
