/*
 * prng.c - mrg32k3a (L'Ecuyer 1999) and Blum-Micali over the 2048-bit MODP
 * group of RFC 3526 (generator 11, its smallest primitive root), the two
 * PRNGType values (docs/protocol-notes.md, "PRNGs").
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "prng.h"

#define M1   4294967087u
#define M2   4294944443u
#define A12  1403580u
#define A13N 810728u
#define A21  527612u
#define A23N 1370589u

/* RFC 3526 section 3, the 2048-bit MODP group; a safe prime p = 2q + 1. */
static const char MODP2048[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E"
    "3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF"
    "5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D3"
    "9A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08"
    "CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183"
    "995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";
#define BM_GENERATOR 11

struct vx_prng {
	PRNGType type;
	uint64_t s1[3], s2[3]; /* mrg32k3a */
	BIGNUM *p, *q, *g, *x; /* blumMicali: x the state, q = (p - 1) / 2 */
	BN_CTX *ctx;
	uint8_t buf[4]; /* mrg32k3a: bytes of the last output not handed out yet */
	size_t have;
};

int vx_prng_supported(PRNGType type)
{
	return type == mrg32k3a || type == blumMicali;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static vx_status mrg_seed(vx_prng *r, const uint8_t *seed, size_t len)
{
	if (len != 24)
		return VX_EBADPARAM;
	for (int i = 0; i < 3; i++) {
		r->s1[i] = be32(seed + 4 * i);
		r->s2[i] = be32(seed + 12 + 4 * i);
		if (r->s1[i] >= M1 || r->s2[i] >= M2)
			return VX_EBADPARAM;
	}
	if (!(r->s1[0] | r->s1[1] | r->s1[2]) || !(r->s2[0] | r->s2[1] | r->s2[2]))
		return VX_EBADPARAM;
	return VX_OK;
}

/* One step; the output z in [1, m1], as in L'Ecuyer's reference code. */
static uint32_t mrg_next(vx_prng *r)
{
	/* + m * a keeps the difference non-negative; every term stays below 2^53 */
	uint64_t p1 = (A12 * r->s1[1] + (uint64_t)M1 * A13N - A13N * r->s1[0]) % M1;
	uint64_t p2 = (A21 * r->s2[2] + (uint64_t)M2 * A23N - A23N * r->s2[0]) % M2;

	r->s1[0] = r->s1[1], r->s1[1] = r->s1[2], r->s1[2] = p1;
	r->s2[0] = r->s2[1], r->s2[1] = r->s2[2], r->s2[2] = p2;
	return (uint32_t)(p1 > p2 ? p1 - p2 : p1 + M1 - p2);
}

static vx_status bm_seed(vx_prng *r, const uint8_t *seed, size_t len)
{
	if (!len || len > 256)
		return VX_EBADPARAM;
	if (!(r->ctx = BN_CTX_new()) || !(r->p = BN_new()) || !(r->q = BN_new()) ||
	    !(r->g = BN_new()) || !(r->x = BN_new()))
		return VX_ENOMEM;
	if (!BN_hex2bn(&r->p, MODP2048) || !BN_rshift1(r->q, r->p) ||
	    !BN_set_word(r->g, BM_GENERATOR) || !BN_bin2bn(seed, (int)len, r->x) ||
	    !BN_nnmod(r->x, r->x, r->p, r->ctx))
		return VX_ECRYPTO;
	return BN_is_zero(r->x) ? VX_EBADPARAM : VX_OK;
}

/* x <- g^x mod p; the bit is 1 when x < (p - 1) / 2 (Blum and Micali 1984). */
static vx_status bm_bit(vx_prng *r, int *bit)
{
	if (!BN_mod_exp(r->x, r->g, r->x, r->p, r->ctx))
		return VX_ECRYPTO;
	*bit = BN_cmp(r->x, r->q) < 0;
	return VX_OK;
}

vx_status vx_prng_new(PRNGType type, const uint8_t *seed, size_t len, vx_prng **out)
{
	vx_prng *r;
	vx_status st;

	*out = NULL;
	if (!vx_prng_supported(type))
		return VX_EPRNGUNKNOWN;
	if (!(r = calloc(1, sizeof *r)))
		return VX_ENOMEM;
	r->type = type;
	st = type == mrg32k3a ? mrg_seed(r, seed, len) : bm_seed(r, seed, len);
	if (st != VX_OK) {
		vx_prng_free(r);
		return st;
	}
	*out = r;
	return VX_OK;
}

vx_status vx_prng_bytes(vx_prng *r, uint8_t *out, size_t len)
{
	vx_status st;
	int bit;

	for (size_t i = 0; i < len; i++) {
		if (r->type == blumMicali) {
			/* eight bits a byte, the first one most significant */
			out[i] = 0;
			for (int b = 0; b < 8; b++) {
				if ((st = bm_bit(r, &bit)) != VX_OK)
					return st;
				out[i] = (uint8_t)(out[i] << 1 | bit);
			}
			continue;
		}
		if (!r->have) {
			uint32_t z = mrg_next(r);

			/* each output as four bytes, little-endian */
			for (int b = 0; b < 4; b++)
				r->buf[b] = (uint8_t)(z >> (8 * b));
			r->have = 4;
		}
		out[i] = r->buf[4 - r->have--];
	}
	return VX_OK;
}

void vx_prng_free(vx_prng *r)
{
	if (!r)
		return;
	BN_clear_free(r->x);
	BN_free(r->g);
	BN_free(r->q);
	BN_free(r->p);
	BN_CTX_free(r->ctx);
	OPENSSL_cleanse(r, sizeof *r);
	free(r);
}
