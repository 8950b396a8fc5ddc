/*
 * gf.h - Galois-field arithmetic and the redundancy matrix of section
 * 7.4.4 (spec README points 2 and 3).
 *
 * GF(2^8) with polynomial 0x11D and GF(2^16) with 0x1002D. A vx_gf holds
 * the log and antilog tables of one field, built once per process on first
 * use and never written again (like constants, so the library keeps no
 * mutable state; building GF(2^16)'s 384 KiB per operation would cost more
 * than coding a megabyte); the generator matrix is the
 * n x k Vandermonde matrix V[j][i] = j^i reduced to systematic form,
 * G = V * inverse(top k rows of V), so any k of the n rows are invertible.
 * Bulk region arithmetic is delegated to ISA-L (GF(2^8)) and gf-complete
 * (GF(2^16)) in core/redundancy.c.
 */
#ifndef VX_GF_H
#define VX_GF_H

#include <stdint.h>

#include "vortex.h"

typedef struct vx_gf vx_gf;

/* The field of width w (8 or 16); NULL for any other width or no memory. */
const vx_gf *vx_gf_field(unsigned w);
unsigned vx_gf_width(const vx_gf *gf);
uint32_t vx_gf_mul(const vx_gf *gf, uint32_t a, uint32_t b);
/* a^e, with 0^0 = 1. */
uint32_t vx_gf_pow(const vx_gf *gf, uint32_t a, uint32_t e);
/* Multiplicative inverse; 0 for 0. */
uint32_t vx_gf_inv(const vx_gf *gf, uint32_t a);

/*
 * Invert the k x k matrix m (row-major) into inv. VX_EINVAL when singular.
 */
vx_status vx_gf_invert(const vx_gf *gf, const uint32_t *m, uint32_t *inv, unsigned k);

/*
 * The n x k systematic generator (row-major) into g: its top k rows are
 * the identity. n must not exceed the field size.
 */
vx_status vx_gf_generator(const vx_gf *gf, unsigned k, unsigned n, uint32_t *g);

#endif
