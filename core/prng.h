/*
 * prng.h - the seeded generators of the schema's PRNGType (section 5,
 * 7.4.4.1): mrg32k3a and blumMicali. Owns their definitions as this node
 * runs them; revision 01 fixes neither the seed format nor the output
 * bytes, so docs/protocol-notes.md ("PRNGs") records the choices.
 *
 * A builder seeds a generator so that padding is reproducible; the same
 * type and seed give the same bytes on every node that reads the notes
 * the same way.
 */
#ifndef VX_PRNG_H
#define VX_PRNG_H

#include "asn1.h"
#include "bytes.h"

typedef struct vx_prng vx_prng;

/* Nonzero for the types this module implements. */
int vx_prng_supported(PRNGType type);

/*
 * A generator of type seeded with seed[0..len). VX_EPRNGUNKNOWN for another
 * type, VX_EBADPARAM for a seed the type cannot use (mrg32k3a: exactly 24
 * octets, six big-endian u32, the first three below m1, the last three
 * below m2, neither triple all zero; blumMicali: 1..256 octets, a
 * big-endian number that is not 0 modulo p).
 */
vx_status vx_prng_new(PRNGType type, const uint8_t *seed, size_t len, vx_prng **out);
/* The next len bytes of the stream. */
vx_status vx_prng_bytes(vx_prng *r, uint8_t *out, size_t len);
void vx_prng_free(vx_prng *r);

#endif
