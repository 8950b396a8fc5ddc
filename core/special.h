/*
 * special.h - special blocks and the '\special' escape of section 7.3.
 *
 * A payload for ID 0 is either a special block ('\special' followed by the
 * DER of a SpecialBlock: replies between nodes, never shown to a user) or
 * user content. User content that starts with '\special' has every
 * backslash doubled, so the two can never be confused; a receiver undoes
 * the doubling only for content that starts with the escaped form.
 */
#ifndef VX_SPECIAL_H
#define VX_SPECIAL_H

#include "asn1.h"
#include "bytes.h"

#define VX_SPECIAL_MAGIC     "\\special"
#define VX_SPECIAL_MAGIC_LEN 8

/* Escape user content for ID 0 (a copy; unchanged unless it needs it). */
vx_status vx_special_escape(const uint8_t *in, size_t len, vx_bytes *out);

typedef enum vx_payload_kind {
	VX_PAYLOAD_USER,   /* user content (unescaped into out) */
	VX_PAYLOAD_SPECIAL /* a SpecialBlock (decoded into sb) */
} vx_payload_kind;

/*
 * Classify a payload that reached ID 0. For user content, out receives it
 * unescaped; for a special block, sb receives the decoded SpecialBlock
 * (free_SpecialBlock releases it). A malformed special block is an error.
 */
vx_status vx_special_classify(const uint8_t *in, size_t len, vx_payload_kind *kind, vx_bytes *out,
                              SpecialBlock *sb);

/* Encode a SpecialBlock as a payload: '\special' + DER. */
vx_status vx_special_encode(const SpecialBlock *sb, vx_bytes *out);

#endif
