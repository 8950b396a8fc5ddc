/*
 * routing.h - running a RoutingCombo (sections 7.1.2, 7.5): execute its
 * assembly operations on a workspace in order, skipping failed ones, then
 * build the next hop's Vortex message from the chunks produced at IDs
 * 1..maxPayloadBlocks and the combo's sealed parts. The timing of combos
 * (min/maxProcessTime, slotted mixing) belongs to the node engine.
 */
#ifndef VX_ROUTING_H
#define VX_ROUTING_H

#include "asn1.h"
#include "bytes.h"
#include "workspace.h"

typedef struct vx_combo_out {
	vx_bytes wire;   /* the next hop's Vortex message; empty if nothing built */
	unsigned built;  /* payload chunks built (IDs 1..127) */
	size_t bytes;    /* their payload bytes, for the transfer quota (8.1.4) */
	unsigned failed; /* operations that failed and were skipped (7.1.2) */
	int to_user;     /* an operation wrote ID 0: content for the local user */
	/* the IDs that successful operations wrote (see vx_combo_wrote) */
	uint64_t written[(VX_WS_MAX_ID + 1) / 64];
} vx_combo_out;

/*
 * Run combo c on ws. Chunks that a successful operation of this combo
 * wrote to IDs 1..127 form the next message, chunk ID i at position i-1.
 * VX_EMISSINGPARAM when chunks were built but the combo lacks the parts
 * to assemble a message (messageKey, mPrefix, cPrefix, header, routing).
 */
vx_status vx_combo_run(const RoutingCombo *c, vx_workspace *ws, vx_combo_out *out);
void vx_combo_out_free(vx_combo_out *out);
/* Whether a successful operation of the combo wrote id. */
int vx_combo_wrote(const vx_combo_out *out, unsigned id);

/*
 * Place a local user's message at ID 0 for sending, escaped as 7.3 says,
 * so that no user content can pass for a special block.
 */
vx_status vx_routing_put_user(vx_workspace *ws, const uint8_t *msg, size_t len, int64_t expiry);

#endif
