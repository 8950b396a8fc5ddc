/*
 * compose.h - the outbound side of the blending layer (sections 6.1.1,
 * 7.1.3): a Vortex message becomes an ordinary mail to the address of a
 * BlendingSpec, with the message embedded PLAIN at one of the spec's
 * offsets in a credible carrier attachment.
 */
#ifndef VX_COMPOSE_H
#define VX_COMPOSE_H

#include "asn1.h"
#include "bytes.h"

/*
 * Compose the carrier mail for wire. spec->blendingType must be "plain";
 * the offset is the spec's first offset parameter (0 if none).
 */
vx_status vx_compose_mail(const uint8_t *wire, size_t len, const BlendingSpec *spec,
                          const char *from, vx_bytes *mail);

/* The note a carrier mail comes with: its subject and plain-text body. */
typedef struct vx_carrier_note {
	const char *subject, *body;
} vx_carrier_note;

/* The same, with a note chosen at random from notes (none: built-in ones). */
vx_status vx_compose_mail_notes(const uint8_t *wire, size_t len, const BlendingSpec *spec,
                                const char *from, const vx_carrier_note *notes, size_t nnotes,
                                vx_bytes *mail);

#endif
