/*
 * carrier.h - credible carrier files for PLAIN blending (section 6.1.1: "a
 * valid header structure ... a valid footer"). The Vortex message starts at
 * exactly the requested offset of a file that is, by its structure, a ZIP
 * archive or a JPEG image; a reader of the file sees the message as the
 * archive member's bytes or the image's entropy-coded data.
 */
#ifndef VX_CARRIER_H
#define VX_CARRIER_H

#include "bytes.h"

typedef enum vx_carrier_type {
	VX_CARRIER_ANY, /* any type that fits the offset, chosen at random */
	VX_CARRIER_ZIP,
	VX_CARRIER_JPEG
} vx_carrier_type;

/*
 * Build a carrier holding msg at offset. *mime_type is a static string;
 * filename receives a plausible attachment name. VX_EINVAL when the type
 * cannot place data at that offset (a JPEG needs its header first).
 */
vx_status vx_carrier_build(const uint8_t *msg, size_t len, size_t offset, vx_carrier_type type,
                           vx_bytes *file, const char **mime_type, char *filename, size_t fnsize);

/* Smallest offset at which a JPEG carrier can start its data. */
size_t vx_carrier_jpeg_min_offset(void);

#endif
