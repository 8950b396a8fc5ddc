/*
 * puzzle.h - proof of work for identity creation (sections 7.3.2.1, 8.1.5).
 *
 * A node that wants work before it creates an ephemeral identity sends a
 * RequirementPuzzleRequired with a challenge: a bit string. The requester
 * answers with a HeaderBlock whose proofOfWork field is chosen so that the
 * MAC (digest) of the DER HeaderBlock begins with the challenge bits. The
 * cost doubles with every bit; the node asks for more bits the longer the
 * requested lifetime (8.1.5).
 */
#ifndef VX_PUZZLE_H
#define VX_PUZZLE_H

#include "asn1.h"
#include "bytes.h"

/* The most bits a node asks for: 2^28 digests is minutes of work. */
#define VX_PUZZLE_MAX_BITS 28

/*
 * Bits of work for an identity living lifetime seconds: base bits for up
 * to an hour, one more bit for every doubling beyond, at most
 * VX_PUZZLE_MAX_BITS.
 */
unsigned vx_puzzle_bits(unsigned base, int64_t lifetime);

/* A fresh random challenge of nbits bits. */
vx_status vx_puzzle_challenge(unsigned nbits, heim_bit_string *challenge);
void vx_puzzle_challenge_free(heim_bit_string *challenge);

/*
 * Does the digest (mac) of header_der begin with the challenge bits?
 * VX_OK if so, VX_EAUTH if not, VX_EMACUNKNOWN for an unsupported MAC.
 */
vx_status vx_puzzle_check(const uint8_t *header_der, size_t len, MacAlgorithm mac,
                          const heim_bit_string *challenge);

/*
 * Set hb->proofOfWork so that hb solves the challenge, trying at most
 * max_tries values (VX_ELIMIT beyond). *tries receives the number used.
 */
vx_status vx_puzzle_solve(HeaderBlock *hb, MacAlgorithm mac, const heim_bit_string *challenge,
                          uint64_t max_tries, uint64_t *tries);

#endif
