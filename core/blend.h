/*
 * blend.h - PLAIN blending (section 6.1.1): where a Vortex message sits in
 * an attachment. The advertised form "plain:0,256" lists byte offsets; a
 * message starts at one of them and, being DER, says where it ends.
 */
#ifndef VX_BLEND_H
#define VX_BLEND_H

#include "bytes.h"

/* At most this many offsets in one blending specification. */
#define VX_BLEND_MAX_OFFSETS 16

/*
 * A plausible DER SEQUENCE (tag 0x30, minimal definite length of at most 4
 * length bytes, content within the part) at offset: *msg points into part.
 * VX_ENOTFOUND otherwise. A structural test only: no key is tried.
 */
vx_status vx_blend_extract(const uint8_t *part, size_t len, size_t offset, const uint8_t **msg,
                           size_t *msglen);

/*
 * Parse "plain:0,256", "(plain:0,256)" or "encoding=plain:0,256" into at
 * most max offsets. VX_EDECODE for anything else, VX_ELIMIT beyond max.
 */
vx_status vx_blend_parse_plain(const char *spec, unsigned *offsets, size_t max, size_t *n);

#endif
