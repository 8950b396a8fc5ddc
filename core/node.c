/* node.c - receiving mail and running due combos on top of the store. */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "der.h"
#include "detect.h"
#include "node.h"
#include "puzzle.h"
#include "reply.h"
#include "routing.h"
#include "special.h"
#include "workspace.h"

#define MAX_MAIL  (64u << 20)
#define WS_BYTES  (16u << 20)
#define DUE_BATCH 64

/*
 * A kept combo with its inputs: host index (u8), combo DER length (u32 LE),
 * the DER RoutingCombo, chunk count (u8), then each chunk's length (u32 LE)
 * and bytes: chunk i is workspace ID i + 1 when the combo runs.
 */
static vx_status bundle(unsigned host, const RoutingCombo *combo, const vx_msg *m, vx_bytes *out)
{
	vx_bytes der = {0};
	size_t n = vx_msg_payload_count(m), total;
	uint8_t *p;
	vx_status st;

	if ((st = vx_der_encode(VX_DER_RoutingCombo, combo, &der)) != VX_OK)
		return st;
	total = 1 + 4 + der.len + 1;
	for (size_t i = 0; i < n; i++)
		total += 4 + vx_msg_payload(m, i)->length;
	if ((st = vx_bytes_alloc(out, total)) != VX_OK) {
		vx_bytes_free(&der);
		return st;
	}
	p = out->data;
	*p++ = (uint8_t)host;
	for (int i = 0; i < 4; i++)
		*p++ = (uint8_t)(der.len >> (8 * i));
	memcpy(p, der.data, der.len), p += der.len;
	*p++ = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		const heim_octet_string *c = vx_msg_payload(m, i);

		for (int b = 0; b < 4; b++)
			*p++ = (uint8_t)(c->length >> (8 * b));
		if (c->length)
			memcpy(p, c->data, c->length), p += c->length;
	}
	vx_bytes_free(&der);
	return VX_OK;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Decode a bundle into its combo and a workspace holding its chunks. */
static vx_status unbundle(const vx_bytes *b, unsigned *host, RoutingCombo *combo, vx_workspace *ws)
{
	const uint8_t *p = b->data, *end = b->data + b->len;
	uint32_t len;
	vx_status st;

	if (b->len < 6)
		return VX_EDECODE;
	*host = *p++;
	len = le32(p), p += 4;
	if (len > (size_t)(end - p) - 1)
		return VX_EDECODE;
	if ((st = vx_der_decode(VX_DER_RoutingCombo, p, len, combo)) != VX_OK)
		return st;
	p += len;
	for (unsigned i = 0, n = *p++; i < n && st == VX_OK; i++) {
		if ((size_t)(end - p) < 4 || le32(p) > (size_t)(end - p) - 4) {
			st = VX_EDECODE;
			break;
		}
		len = le32(p), p += 4;
		st = vx_ws_put(ws, i + 1, p, len, 0);
		p += len;
	}
	if (st != VX_OK)
		free_RoutingCombo(combo);
	return st;
}

static int address_of(const heim_ia5_string *a, char *buf, size_t size)
{
	if (a->length >= size || memchr(a->data, '\0', a->length))
		return -1;
	memcpy(buf, a->data, a->length);
	buf[a->length] = '\0';
	return 0;
}

/* Blend wire for the combo's recipient and queue it, or finish the combo. */
static vx_status send_wire(vx_store *s, const vx_node_config *c, unsigned host,
                           const RoutingCombo *combo, const vx_bytes *wire, const vx_combo_rec *rec,
                           int64_t now)
{
	char to[321];
	vx_bytes mail = {0};
	uint64_t id;
	vx_status st;

	if (!wire->len || !combo->recipient ||
	    address_of(&combo->recipient->target.recipientAddress, to, sizeof to))
		return rec ? vx_store_combo_finish(s, rec, NULL, NULL, 0, 0) : VX_OK;
	if ((st = vx_compose_mail(wire->data, wire->len, combo->recipient, c->addresses[host],
	                          &mail)) != VX_OK)
		return rec ? vx_store_combo_finish(s, rec, NULL, NULL, 0, 0) : st;
	st = rec ? vx_store_combo_finish(s, rec, to, mail.data, mail.len, now)
	         : vx_store_queue_put(s, to, mail.data, mail.len, now, &id);
	vx_bytes_free(&mail);
	return st;
}

struct receive {
	vx_store *s;
	const vx_node_config *c;
	int64_t now;
	vx_node_stats *stats;
	vx_status st; /* a store failure: the whole mail is not taken */
};

static vx_status answer_identity(struct receive *r, unsigned host, const vx_msg *m)
{
	const HeaderBlock *hb = vx_msg_header(m);
	heim_bit_string ch;
	SpecialBlock sb;
	vx_bytes wire = {0};
	vx_status st;

	if ((st = vx_account_create_identity(r->s, &r->c->policy, m, r->now, &ch)) != VX_OK)
		return st == VX_EINVAL || st == VX_EEXPIRED ? VX_OK : st;
	st = vx_reply_puzzle(&ch, hb->signAlgorithm.algorithm, r->now + r->c->policy.max_lifetime,
	                     0, &sb);
	vx_puzzle_challenge_free(&ch);
	if (st != VX_OK)
		return st;
	/* no usable reply path: the requester hears nothing (7.2.1) */
	if (vx_reply_build(&hb->requestReplyBlock, &sb, &wire) == VX_OK) {
		st = send_wire(r->s, r->c, host, &hb->requestReplyBlock, &wire, NULL, r->now);
		r->stats->replies += st == VX_OK;
	}
	free_SpecialBlock(&sb);
	vx_bytes_free(&wire);
	return st;
}

static vx_status keep_combos(struct receive *r, unsigned host, const vx_msg *m,
                             const vx_account_result *res)
{
	const RoutingBlock *rb = vx_msg_routing(m);
	vx_status st = VX_OK;

	for (unsigned i = 0; i < rb->routing.u.plain.len && st == VX_OK; i++) {
		const RoutingCombo *combo = &rb->routing.u.plain.val[i];
		vx_bytes b = {0};
		int64_t due;

		if ((st = bundle(host, combo, m, &b)) != VX_OK)
			break;
		st = vx_store_combo_add(r->s, res->fp, b.data, b.len, r->now,
		                        (unsigned)combo->minProcessTime,
		                        (unsigned)combo->maxProcessTime, r->c->slot, &due);
		vx_bytes_free(&b);
		r->stats->combos += st == VX_OK;
	}
	return st;
}

static int on_found(const vx_found *f, void *arg)
{
	struct receive *r = arg;
	vx_account_result res;
	vx_msg *m = NULL;
	vx_status st;

	r->stats->found++;
	/* forward secrets that differ, or anything broken: dropped silently (4.3) */
	if (vx_msg_open(f->wire, f->len, r->c->hosts[f->host], &m) != VX_OK) {
		r->stats->ignored++;
		return 0;
	}
	if ((st = vx_account_message(r->s, &r->c->policy, m, r->now, &res)) != VX_OK) {
		r->st = st;
	} else if (res.verdict == VX_VERDICT_CREATE_IDENTITY) {
		r->st = answer_identity(r, (unsigned)f->host, m);
	} else if (res.verdict == VX_VERDICT_PROCESS) {
		r->stats->processed++;
		r->st = keep_combos(r, (unsigned)f->host, m, &res);
	} else {
		r->stats->ignored++;
	}
	vx_msg_free(m);
	return r->st != VX_OK;
}

vx_status vx_node_receive(vx_store *s, const vx_node_config *c, const uint8_t *mail, size_t len,
                          int64_t now, vx_node_stats *stats)
{
	vx_node_stats local;
	struct receive r = {s, c, now, stats ? stats : &local, VX_OK};
	vx_status st;

	memset(r.stats, 0, sizeof *r.stats);
	st = vx_detect(mail, len, c->hosts, c->nhosts, c->offsets, c->noffsets, MAX_MAIL, on_found,
	               &r, NULL);
	return r.st != VX_OK ? r.st : st;
}

static vx_status run_one(vx_store *s, const vx_node_config *c, const vx_combo_rec *rec, int64_t now,
                         unsigned *sent)
{
	RoutingCombo combo;
	vx_workspace *ws;
	vx_combo_out out;
	unsigned host;
	vx_status st;

	if ((st = vx_ws_new(WS_BYTES, &ws)) != VX_OK)
		return st;
	/* a record that cannot be read is removed rather than retried forever */
	if (unbundle(&rec->der, &host, &combo, ws) != VX_OK || host >= c->nhosts) {
		vx_ws_free(ws);
		return vx_store_combo_finish(s, rec, NULL, NULL, 0, 0);
	}
	st = vx_combo_run(&combo, ws, &out);
	if (st != VX_OK && st != VX_ENOMEM) {
		/* a combo that cannot be assembled never will be: remove it */
		st = vx_store_combo_finish(s, rec, NULL, NULL, 0, 0);
	} else if (st == VX_OK) {
		const vx_bytes *u = out.to_user ? vx_ws_get(ws, 0, NULL) : NULL;
		vx_payload_kind kind;
		vx_bytes user = {0};
		SpecialBlock sb;

		if (u && c->deliver &&
		    vx_special_classify(u->data, u->len, &kind, &user, &sb) == VX_OK) {
			if (kind == VX_PAYLOAD_USER)
				c->deliver(user.data, user.len, c->arg);
			else
				free_SpecialBlock(&sb);
		}
		vx_bytes_free(&user);
		st = send_wire(s, c, host, &combo, &out.wire, rec, now);
		*sent += st == VX_OK && out.wire.len && combo.recipient;
		vx_combo_out_free(&out);
	}
	free_RoutingCombo(&combo);
	vx_ws_free(ws);
	return st;
}

vx_status vx_node_run_due(vx_store *s, const vx_node_config *c, int64_t now, unsigned *sent)
{
	vx_combo_rec recs[DUE_BATCH];
	size_t n;
	vx_status st;

	*sent = 0;
	do {
		if ((st = vx_store_combo_due(s, now, recs, DUE_BATCH, &n)) != VX_OK)
			return st;
		for (size_t i = 0; i < n; i++) {
			if (st == VX_OK)
				st = run_one(s, c, &recs[i], now, sent);
			vx_bytes_free(&recs[i].der);
		}
	} while (st == VX_OK && n == DUE_BATCH);
	return st;
}
