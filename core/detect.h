/*
 * detect.h - finding Vortex messages in mail (section 6.2): every MIME
 * part of a message, at every advertised PLAIN offset, is tried against
 * every local host key. A cheap structural test comes first, so parts
 * that hold no DER at an offset cost no private-key operation.
 */
#ifndef VX_DETECT_H
#define VX_DETECT_H

#include "bytes.h"
#include "message.h"
#include "pkey.h"

typedef struct vx_found {
	size_t host;         /* index of the host key that opened the prefix */
	unsigned part;       /* MIME leaf part, as vx_mime_scan numbers it */
	size_t offset;       /* PLAIN offset within the decoded part */
	const uint8_t *wire; /* the Vortex message (valid during the callback) */
	size_t len;
	/* opened, or NULL when it is broken past its prefix (valid during the callback) */
	const vx_msg *msg;
	vx_status why; /* VX_OK, or why msg is NULL (VX_EFWDSECRET: discard silently, 4.3) */
} vx_found;

typedef struct vx_detect_stats {
	unsigned parts;  /* MIME parts walked */
	unsigned trials; /* private-key operations spent */
	unsigned found;  /* messages found */
} vx_detect_stats;

/*
 * Scan mail; call fn for every Vortex message found (fn returns nonzero to
 * stop). max_part bounds the decoded size of one part. VX_OK when the walk
 * completed (found or not), VX_EMIME when the mail is not parseable.
 */
vx_status vx_detect(const uint8_t *mail, size_t len, const vx_pkey *const *hosts, size_t nhosts,
                    const unsigned *offsets, size_t noffsets, size_t max_part,
                    int (*fn)(const vx_found *f, void *arg), void *arg, vx_detect_stats *stats);

#endif
