/* t-puzzle.c - proof of work for identity creation (7.3.2.1, 8.1.5). */
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "puzzle.h"
#include "tap.h"

int main(void)
{
	HeaderBlock hb;
	heim_bit_string ch;
	vx_bytes der = {0};
	uint64_t tries = 0;
	uint8_t key[] = "public key bytes";

	memset(&hb, 0, sizeof hb);
	hb.identityKey.keyType = ec;
	hb.identityKey.publicKey = (heim_octet_string){sizeof key, key};
	hb.serial = 1;
	hb.signAlgorithm.algorithm = sha256;

	ok(vx_puzzle_bits(8, 600) == 8 && vx_puzzle_bits(8, 7200) == 9 &&
	       vx_puzzle_bits(8, 86400) == 13 && vx_puzzle_bits(8, 1LL << 40) == VX_PUZZLE_MAX_BITS,
	   "the cost rises with the requested lifetime, bounded");
	ok(vx_puzzle_challenge(12, &ch) == VX_OK && ch.length == 12, "12-bit challenge");
	vx_status st = vx_puzzle_solve(&hb, sha256, &ch, 1u << 20, &tries);
	ok(st == VX_OK && hb.proofOfWork && tries > 0, "solved in %llu tries",
	   (unsigned long long)tries);
	vx_der_encode(VX_DER_HeaderBlock, &hb, &der);
	ok(vx_puzzle_check(der.data, der.len, sha256, &ch) == VX_OK,
	   "the header's digest begins with the challenge");
	/* the same header against another challenge almost never holds */
	((uint8_t *)ch.data)[0] ^= 0x80;
	is(vx_puzzle_check(der.data, der.len, sha256, &ch), VX_EAUTH,
	   "another challenge is not solved by it");
	((uint8_t *)ch.data)[0] ^= 0x80;
	der.data[der.len - 1] ^= 1;
	is(vx_puzzle_check(der.data, der.len, sha256, &ch), VX_EAUTH,
	   "a changed header no longer solves it");
	vx_bytes_free(&der);
	is(vx_puzzle_check((const uint8_t *)"x", 1, ripemd256, &ch), VX_EMACUNKNOWN,
	   "an unsupported MAC is refused");
	vx_puzzle_challenge_free(&ch);
	ok(vx_puzzle_challenge(28, &ch) == VX_OK, "28-bit challenge");
	is(vx_puzzle_solve(&hb, sha256, &ch, 100, &tries), VX_ELIMIT,
	   "a bounded search stops with VX_ELIMIT");
	is(tries, 100, "after exactly 100 tries");
	vx_puzzle_challenge_free(&ch);
	is(vx_puzzle_challenge(29, &ch), VX_EINVAL, "more than 28 bits refused");
	free(hb.proofOfWork->data);
	free(hb.proofOfWork);
	return tap_done();
}
