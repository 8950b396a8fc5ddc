/* reply.c - answers to header requests, sent over reply combos (7.2, 7.3). */
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "routing.h"
#include "special.h"
#include "workspace.h"

/* A reply is a special block and little else. */
#define REPLY_WS_BYTES (1u << 20)

vx_status vx_reply_status(int code, SpecialBlock *sb)
{
	memset(sb, 0, sizeof *sb);
	sb->element = choice_SpecialBlock_status;
	sb->u.status.code = (StatusCode)code;
	return VX_OK;
}

vx_status vx_reply_puzzle(const heim_bit_string *challenge, MacAlgorithm mac, int64_t until,
                          uint32_t identifier, SpecialBlock *sb)
{
	RequirementBlock *rb;
	RequirementPuzzleRequired *pz;

	memset(sb, 0, sizeof *sb);
	sb->element = choice_SpecialBlock_requirement;
	if (!(rb = calloc(1, sizeof *rb)))
		return VX_ENOMEM;
	sb->u.requirement.len = 1;
	sb->u.requirement.val = rb;
	rb->element = choice_RequirementBlock_puzzle;
	pz = &rb->u.puzzle;
	pz->mac.algorithm = mac;
	pz->identifier = identifier;
	if (!(pz->valid.notAfter = malloc(sizeof *pz->valid.notAfter)) ||
	    !(pz->challenge.data =
	          malloc((challenge->length + 7) / 8 ? (challenge->length + 7) / 8 : 1))) {
		free_SpecialBlock(sb);
		memset(sb, 0, sizeof *sb);
		return VX_ENOMEM;
	}
	*pz->valid.notAfter = (time_t)until;
	memcpy(pz->challenge.data, challenge->data, (challenge->length + 7) / 8);
	pz->challenge.length = challenge->length;
	return VX_OK;
}

vx_status vx_reply_build(const RoutingCombo *reply, const SpecialBlock *sb, vx_bytes *wire)
{
	vx_workspace *ws;
	vx_bytes payload = {0};
	vx_combo_out out;
	vx_status st;

	wire->data = NULL;
	wire->len = 0;
	if ((st = vx_special_encode(sb, &payload)) != VX_OK)
		return st;
	if ((st = vx_ws_new(REPLY_WS_BYTES, &ws)) != VX_OK) {
		vx_bytes_free(&payload);
		return st;
	}
	/* a special block goes to ID 0 as it is: only user content is escaped */
	if ((st = vx_ws_put_owned(ws, 0, &payload, 0)) == VX_OK &&
	    (st = vx_combo_run(reply, ws, &out)) == VX_OK) {
		if (out.wire.len)
			vx_bytes_move(wire, &out.wire);
		else
			st = VX_ENOTFOUND;
		vx_combo_out_free(&out);
	}
	vx_bytes_free(&payload);
	vx_ws_free(ws);
	return st;
}
