/* routing.c - running RoutingCombos (sections 7.1.2, 7.5). */
#include <string.h>

#include "message.h"
#include "ops.h"
#include "routing.h"
#include "special.h"

static void id_add(vx_combo_out *s, long id)
{
	if (id >= 0 && id <= (long)VX_WS_MAX_ID)
		s->written[id / 64] |= UINT64_C(1) << (id % 64);
}

int vx_combo_wrote(const vx_combo_out *out, unsigned id)
{
	return id <= VX_WS_MAX_ID && (out->written[id / 64] >> (id % 64) & 1);
}

/* Record the IDs an operation writes. */
static void op_targets(const PayloadOperation *op, vx_combo_out *s)
{
	switch (op->element) {
	case choice_PayloadOperation_splitPayload:
		id_add(s, op->u.splitPayload.newFirstId);
		id_add(s, op->u.splitPayload.newSecondId);
		break;
	case choice_PayloadOperation_mergePayload:
		id_add(s, op->u.mergePayload.newId);
		break;
	case choice_PayloadOperation_encryptPayload:
		id_add(s, op->u.encryptPayload.newId);
		break;
	case choice_PayloadOperation_decryptPayload:
		id_add(s, op->u.decryptPayload.newId);
		break;
	case choice_PayloadOperation_addRedundancy: {
		const AddRedundancyOperation *a = &op->u.addRedundancy;
		unsigned n = (unsigned)(a->dataStripes + a->redundancy);

		for (unsigned j = 0; j < n; j++)
			id_add(s, (long)a->outputId + j);
		break;
	}
	case choice_PayloadOperation_removeRedundancy:
		id_add(s, op->u.removeRedundancy.outputId);
		break;
	case choice_PayloadOperation_map:
		id_add(s, op->u.map.newId);
		break;
	}
}

static vx_status assemble(const RoutingCombo *c, const vx_workspace *ws, const vx_combo_out *built,
                          vx_bytes *wire)
{
	vx_bytes chunks[VX_MAX_PAYLOAD_BLOCKS];
	vx_msg_parts p;
	size_t n = 0;

	if (!c->messageKey || !c->mPrefix || !c->cPrefix || !c->header || !c->routing)
		return VX_EMISSINGPARAM;
	for (unsigned id = 1; id <= VX_MAX_PAYLOAD_BLOCKS; id++) {
		const vx_bytes *b = vx_combo_wrote(built, id) ? vx_ws_get(ws, id, NULL) : NULL;

		/* borrowed views: the workspace owns the bytes */
		chunks[id - 1].data = b ? b->data : NULL;
		chunks[id - 1].len = b ? b->len : 0;
		if (b)
			n = id;
	}
	memset(&p, 0, sizeof p);
	p.mprefix = c->mPrefix->data;
	p.mprefix_len = c->mPrefix->length;
	p.peer_key = c->messageKey;
	p.cprefix = c->cPrefix->data;
	p.cprefix_len = c->cPrefix->length;
	p.header = c->header->data;
	p.header_len = c->header->length;
	p.routing = c->routing->data;
	p.routing_len = c->routing->length;
	p.payload = chunks;
	p.npayload = n;
	return vx_msg_assemble(&p, wire);
}

vx_status vx_combo_run(const RoutingCombo *c, vx_workspace *ws, vx_combo_out *out)
{
	memset(out, 0, sizeof *out);
	for (unsigned i = 0; i < c->assembly.len; i++) {
		if (vx_op_execute(ws, &c->assembly.val[i]) != VX_OK) {
			out->failed++;
			continue;
		}
		op_targets(&c->assembly.val[i], out);
	}
	out->to_user = vx_combo_wrote(out, 0);
	for (unsigned id = 1; id <= VX_MAX_PAYLOAD_BLOCKS; id++) {
		const vx_bytes *b = vx_combo_wrote(out, id) ? vx_ws_get(ws, id, NULL) : NULL;

		out->built += b != NULL;
		out->bytes += b ? b->len : 0;
	}
	if (!out->built)
		return VX_OK;
	return assemble(c, ws, out, &out->wire);
}

void vx_combo_out_free(vx_combo_out *out)
{
	vx_bytes_free(&out->wire);
	memset(out, 0, sizeof *out);
}

vx_status vx_routing_put_user(vx_workspace *ws, const uint8_t *msg, size_t len, int64_t expiry)
{
	vx_bytes esc = {0};
	vx_status st;

	if ((st = vx_special_escape(msg, len, &esc)) != VX_OK)
		return st;
	st = vx_ws_put_owned(ws, 0, &esc, expiry);
	vx_bytes_free(&esc);
	return st;
}
