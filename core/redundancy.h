/*
 * redundancy.h - addRedundancy and removeRedundancy (section 7.4.4, spec
 * README points 2 to 4): pad, split into k stripes, encode to n = k + m
 * blocks with the systematic Vandermonde code of core/gf.h, encrypt each
 * block with its own key; and back from any k blocks that decrypt.
 *
 * Region coding uses ISA-L for GF(2^8) and gf-complete for GF(2^16)
 * (docs/bench.md says why). A block that fails to decrypt counts as
 * missing, so an authenticated mode turns corruption into an erasure.
 */
#ifndef VX_REDUNDANCY_H
#define VX_REDUNDANCY_H

#include "asn1.h"
#include "bytes.h"

/* out: n = dataStripes + redundancy buffers, the encrypted blocks 0..n-1. */
vx_status vx_redundancy_add(const AddRedundancyOperation *op, const uint8_t *in, size_t len,
                            vx_bytes *out);
/*
 * in: n entries; a missing block has data == NULL. out: the original.
 * VX_ENOTFOUND (messageChunkMissing) with fewer than k usable blocks.
 */
vx_status vx_redundancy_remove(const RemoveRedundancyOperation *op, const vx_bytes *in,
                               vx_bytes *out);

#endif
