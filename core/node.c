/* node.c - receiving mail and running due combos on top of the store. */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "der.h"
#include "detect.h"
#include "digest.h"
#include "node.h"
#include "puzzle.h"
#include "reply.h"
#include "request.h"
#include "routing.h"
#include "special.h"
#include "workspace.h"

#define MAX_MAIL     (64u << 20)
#define WS_BYTES     (64u << 20)
#define DUE_BATCH    64
#define SHARED_FIRST 32768u              /* the identity's shared workspace (7.1.2) */
#define COMBO_WORK   (UINT64_C(1) << 27) /* about 0.15 s of matrix building */

/*
 * A kept combo with its inputs: host index (u8), the chunks' expiry (i64
 * LE), combo DER length (u32 LE), the DER RoutingCombo, chunk count (u8),
 * then each chunk's length (u32 LE) and bytes: chunk i is workspace ID
 * i + 1 when the combo runs.
 */
#define BUNDLE_HEAD 13

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static vx_status bundle(unsigned host, int64_t expiry, const RoutingCombo *combo, const vx_msg *m,
                        vx_bytes *out)
{
	vx_bytes der = {0};
	size_t n = vx_msg_payload_count(m), total;
	uint8_t *p;
	vx_status st;

	if ((st = vx_der_encode(VX_DER_RoutingCombo, combo, &der)) != VX_OK)
		return st;
	total = BUNDLE_HEAD + der.len + 1;
	for (size_t i = 0; i < n; i++)
		total += 4 + vx_msg_payload(m, i)->length;
	if ((st = vx_bytes_alloc(out, total)) != VX_OK) {
		vx_bytes_free(&der);
		return st;
	}
	p = out->data;
	*p++ = (uint8_t)host;
	put_le(p, (uint64_t)expiry, 8), p += 8;
	put_le(p, der.len, 4), p += 4;
	memcpy(p, der.data, der.len), p += der.len;
	*p++ = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		const heim_octet_string *c = vx_msg_payload(m, i);

		put_le(p, c->length, 4), p += 4;
		if (c->length)
			memcpy(p, c->data, c->length), p += c->length;
	}
	vx_bytes_free(&der);
	return VX_OK;
}

/* Decode a bundle into its combo and a workspace holding its chunks. */
static vx_status unbundle(const vx_bytes *b, unsigned *host, int64_t *expiry, RoutingCombo *combo,
                          vx_workspace *ws)
{
	const uint8_t *p = b->data, *end = b->data + b->len;
	uint64_t len;
	vx_status st;

	if (b->len < BUNDLE_HEAD + 1)
		return VX_EDECODE;
	*host = *p++;
	*expiry = (int64_t)get_le(p, 8), p += 8;
	len = get_le(p, 4), p += 4;
	if (len > (size_t)(end - p) - 1)
		return VX_EDECODE;
	if ((st = vx_der_decode(VX_DER_RoutingCombo, p, len, combo)) != VX_OK)
		return st;
	p += len;
	for (unsigned i = 0, n = *p++; i < n && st == VX_OK; i++) {
		if ((size_t)(end - p) < 4 || get_le(p, 4) > (size_t)(end - p) - 4) {
			st = VX_EDECODE;
			break;
		}
		len = get_le(p, 4), p += 4;
		st = vx_ws_put(ws, i + 1, p, len, *expiry);
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

/* Blend wire for the combo's recipient: VX_ENOTFOUND when it has none usable. */
static vx_status blend_for(const vx_node_config *c, unsigned host, const RoutingCombo *combo,
                           const vx_bytes *wire, char to[321], vx_bytes *mail)
{
	if (!wire->len || !combo->recipient ||
	    address_of(&combo->recipient->target.recipientAddress, to, 321))
		return VX_ENOTFOUND;
	return vx_compose_mail_notes(wire->data, wire->len, combo->recipient, c->addresses[host],
	                             c->notes, c->nnotes, mail);
}

struct receive {
	vx_store *s;
	const vx_node_config *c;
	int64_t now;
	vx_node_stats *stats;
	vx_status st; /* a store failure: the whole mail is not taken */
};

/* Send sb over the header's reply combo; no usable reply path: no answer (7.2). */
static vx_status send_reply(struct receive *r, unsigned host, const HeaderBlock *hb,
                            SpecialBlock *sb)
{
	vx_bytes wire = {0}, mail = {0};
	vx_status st = VX_OK;
	char to[321];
	uint64_t id;

	if (vx_reply_build(&hb->requestReplyBlock, sb, &wire) == VX_OK &&
	    blend_for(r->c, host, &hb->requestReplyBlock, &wire, to, &mail) == VX_OK) {
		st = vx_store_queue_put(r->s, to, mail.data, mail.len, r->now, 0, &id);
		r->stats->replies += st == VX_OK;
	}
	free_SpecialBlock(sb);
	vx_bytes_free(&wire);
	vx_bytes_free(&mail);
	return st;
}

static vx_status answer_identity(struct receive *r, unsigned host, const vx_msg *m)
{
	const HeaderBlock *hb = vx_msg_header(m);
	heim_bit_string ch;
	SpecialBlock sb;
	vx_status st;

	if ((st = vx_account_create_identity(r->s, &r->c->policy, m, r->now, &ch)) != VX_OK)
		return st == VX_EINVAL || st == VX_EEXPIRED ? VX_OK : st;
	st = vx_reply_puzzle(&ch, hb->signAlgorithm.algorithm, r->now + r->c->policy.max_lifetime,
	                     0, &sb);
	vx_puzzle_challenge_free(&ch);
	return st == VX_OK ? send_reply(r, host, hb, &sb) : st;
}

/* The other header requests of an authenticated message (7.2.2-7.2.8). */
static vx_status answer_requests(struct receive *r, unsigned host, const vx_msg *m,
                                 const vx_account_result *res)
{
	const HeaderBlock *hb = vx_msg_header(m);
	vx_request_policy p;
	SpecialBlock sb;
	int have = 0;
	vx_status st;

	if (!r->c->requests || !hb->requests.len)
		return VX_OK;
	/* the capabilities are those of the address the message came to */
	p = *r->c->requests;
	p.address = r->c->addresses[host];
	p.key = r->c->hosts[host];
	p.plain_offsets = r->c->offsets;
	p.nplain_offsets = r->c->noffsets;
	if ((st = vx_request_answer(r->s, &p, hb, res->fp, r->now, &sb, &have)) != VX_OK || !have)
		return st;
	return send_reply(r, host, hb, &sb);
}

static vx_status keep_combos(struct receive *r, unsigned host, const vx_msg *m,
                             const vx_account_result *res)
{
	const RoutingBlock *rb = vx_msg_routing(m);
	const HeaderBlock *hb = vx_msg_header(m);
	/* the message's chunks live as long as its header, at most as its identity */
	int64_t expiry = hb->valid.notAfter && *hb->valid.notAfter < res->expiry
	                     ? (int64_t)*hb->valid.notAfter
	                     : res->expiry;
	vx_status st = VX_OK;

	for (unsigned i = 0; i < rb->routing.u.plain.len && st == VX_OK; i++) {
		const RoutingCombo *combo = &rb->routing.u.plain.val[i];
		vx_bytes b = {0};
		int64_t due;

		if ((st = bundle(host, expiry, combo, m, &b)) != VX_OK)
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
	const vx_msg *m = f->msg;
	unsigned *n = &r->stats->ncarriers;
	vx_account_result res;
	vx_status st;

	r->stats->found++;
	/* a part found at two offsets is one carrier; parts come in walk order */
	if (!*n || *n > VX_NODE_MAX_CARRIERS || r->stats->carriers[*n - 1] != f->part) {
		if (*n < VX_NODE_MAX_CARRIERS)
			r->stats->carriers[*n] = f->part;
		(*n)++;
	}
	/* forward secrets that differ, or anything broken: dropped silently (4.3) */
	if (!m) {
		r->stats->ignored++;
		return 0;
	}
	if ((st = vx_account_message(r->s, &r->c->policy, m, r->now, &res)) != VX_OK) {
		r->st = st;
	} else if (res.verdict == VX_VERDICT_CREATE_IDENTITY) {
		r->st = answer_identity(r, (unsigned)f->host, m);
	} else if (res.verdict == VX_VERDICT_PROCESS) {
		r->stats->processed++;
		r->stats->chunks += (unsigned)vx_msg_payload_count(m);
		/* quotas are decreased before the routing blocks (8.1.3): by accounting */
		if ((r->st = keep_combos(r, (unsigned)f->host, m, &res)) == VX_OK)
			r->st = answer_requests(r, (unsigned)f->host, m, &res);
	} else {
		r->stats->ignored++;
		r->stats->replayed += res.verdict == VX_VERDICT_REPLAY;
		r->stats->quota += res.verdict == VX_VERDICT_QUOTA;
	}
	return r->st != VX_OK;
}

/* Add counts to the store's counters, named in the same order. */
static vx_status count(vx_store *s, const char *const *names, const unsigned *n, size_t k)
{
	vx_status st = VX_OK;

	for (size_t i = 0; i < k && st == VX_OK; i++)
		st = vx_store_count(s, names[i], n[i]);
	return st;
}

static vx_status count_receive(vx_store *s, const vx_node_stats *t)
{
	static const char *const names[] = {"received",   "processed", "ignored", "replayed",
	                                    "over_quota", "combos",    "replies", "chunks_in"};
	const unsigned n[] = {t->found, t->processed, t->ignored, t->replayed,
	                      t->quota, t->combos,    t->replies, t->chunks};

	return count(s, names, n, sizeof n / sizeof n[0]);
}

static vx_status count_run(vx_store *s, const vx_node_run_stats *t, const vx_node_run_stats *was)
{
	static const char *const names[] = {"ran",     "sent",    "chunks_out", "delivered",
	                                    "refused", "dropped", "failed_ops"};
	const unsigned n[] = {t->ran - was->ran,         t->sent - was->sent,
	                      t->chunks - was->chunks,   t->delivered - was->delivered,
	                      t->refused - was->refused, t->dropped - was->dropped,
	                      t->failed - was->failed};

	return count(s, names, n, sizeof n / sizeof n[0]);
}

vx_status vx_node_receive(vx_store *s, const vx_node_config *c, const uint8_t *mail, size_t len,
                          int64_t now, vx_node_stats *stats)
{
	vx_node_stats local;
	struct receive r = {s, c, now, stats ? stats : &local, VX_OK};
	vx_status st, found;

	memset(r.stats, 0, sizeof *r.stats);
	/* one commit for the whole mail: it is taken entirely or not at all */
	if ((st = vx_store_batch_begin(s)) != VX_OK)
		return st;
	found = vx_detect(mail, len, c->hosts, c->nhosts, c->offsets, c->noffsets, MAX_MAIL,
	                  on_found, &r, NULL);
	/* beyond the walk's bounds the mail is not ours to scan whole: passed on */
	if (found == VX_ELIMIT)
		found = VX_EMIME;
	if ((st = r.st) == VX_OK && found != VX_OK && found != VX_EMIME)
		st = found;
	if (st == VX_OK && r.stats->found)
		st = count_receive(s, r.stats);
	if (st != VX_OK) {
		vx_store_batch_abort(s);
		return st;
	}
	if ((st = vx_store_batch_commit(s)) != VX_OK)
		return st;
	/* VX_EMIME: not parseable, the front end passes it on untouched */
	return found;
}

/* A shared slot of the store into the combo's workspace. */
static vx_status load_shared(unsigned id, const uint8_t *data, size_t len, int64_t expiry,
                             void *arg)
{
	return vx_ws_put(arg, id, data, len, expiry);
}

struct run {
	vx_store *s;
	const vx_node_config *c;
	const vx_combo_rec *rec;
	int64_t now;
	vx_node_run_stats *stats;
	unsigned host;
	int64_t expiry; /* of the combo's chunks */
};

/* Shared slots the combo wrote go back to the store; one over the bound is not written. */
static vx_status save_shared(struct run *r, const vx_workspace *ws, const vx_combo_out *out)
{
	for (unsigned id = SHARED_FIRST; id <= VX_WS_MAX_ID; id++) {
		const vx_bytes *b;
		int64_t e;
		vx_status st;

		/* most combos write nothing there: skip 64 unwritten IDs at a time */
		if (!(id % 64) && !out->written[id / 64]) {
			id += 63;
			continue;
		}
		if (!vx_combo_wrote(out, id) || !(b = vx_ws_get(ws, id, &e)))
			continue;
		/* nothing outlives the chunks it came from */
		if (!e || e > r->expiry)
			e = r->expiry;
		st = vx_store_slot_put(r->s, r->rec->fp, id, b->data, b->len, e);
		if (st != VX_OK && st != VX_ELIMIT)
			return st;
	}
	return VX_OK;
}

/* Content at ID 0 for the local user of the host key, once per identity and content. */
static vx_status deliver(struct run *r, const vx_workspace *ws)
{
	const vx_bytes *u = vx_ws_get(ws, 0, NULL);
	uint8_t dg[VX_DIGEST_MAX];
	size_t dlen;
	uint64_t id;
	int fresh;
	vx_status st;

	if (!u)
		return VX_OK;
	if ((st = vx_digest(sha256, u->data, u->len, dg, &dlen)) != VX_OK ||
	    (st = vx_store_deliver_once(r->s, r->rec->fp, dg, r->expiry, r->now, &fresh)) !=
	        VX_OK ||
	    !fresh)
		return st;
	st = vx_store_queue_put(r->s, r->c->addresses[r->host], u->data, u->len, r->now,
	                        VX_QUEUE_LOCAL, &id);
	r->stats->delivered += st == VX_OK;
	return st;
}

/* The next hop's mail, charged to the identity (8.1.4), with the combo's removal. */
static vx_status send_out(struct run *r, const RoutingCombo *combo, const vx_combo_out *out)
{
	vx_bytes mail = {0};
	char to[321];
	vx_status st;

	if (blend_for(r->c, r->host, combo, &out->wire, to, &mail) != VX_OK)
		return vx_store_combo_finish(r->s, r->rec, NULL, NULL, 0, 0);
	st = vx_store_identity_charge(r->s, r->rec->fp, 1, out->bytes, r->now);
	if (st == VX_ELIMIT || st == VX_ENOTFOUND) {
		r->stats->refused++;
		st = vx_store_combo_finish(r->s, r->rec, NULL, NULL, 0, 0);
	} else if (st == VX_OK) {
		st = vx_store_combo_finish(r->s, r->rec, to, mail.data, mail.len, r->now);
		r->stats->sent += st == VX_OK;
		r->stats->chunks += st == VX_OK ? out->built : 0;
	}
	vx_bytes_free(&mail);
	return st;
}

static vx_status run_one(struct run *r)
{
	RoutingCombo combo;
	vx_workspace *ws;
	vx_combo_out *out;
	vx_status st;

	if ((st = vx_ws_new(r->c->workspace_bytes ? r->c->workspace_bytes : WS_BYTES, &ws)) !=
	    VX_OK)
		return st;
	vx_ws_set_work(ws, r->c->combo_work ? r->c->combo_work : COMBO_WORK);
	/* a record that cannot be read is removed rather than retried forever */
	if (unbundle(&r->rec->der, &r->host, &r->expiry, &combo, ws) != VX_OK ||
	    r->host >= r->c->nhosts) {
		vx_ws_free(ws);
		r->stats->dropped++;
		return vx_store_combo_finish(r->s, r->rec, NULL, NULL, 0, 0);
	}
	if (!(out = calloc(1, sizeof *out))) {
		st = VX_ENOMEM;
	} else if (combo.validity.notAfter && *combo.validity.notAfter <= r->now) {
		/* an expired usagePeriod: the combo is garbage (7.1.2) */
		r->stats->dropped++;
		st = vx_store_combo_finish(r->s, r->rec, NULL, NULL, 0, 0);
	} else if ((st = vx_store_slot_list(r->s, r->rec->fp, SHARED_FIRST, r->now, load_shared,
	                                    ws)) == VX_OK &&
	           (st = vx_combo_run(&combo, ws, out)) != VX_OK && st != VX_ENOMEM) {
		/* a combo that cannot be assembled never will be: remove it */
		r->stats->dropped++;
		st = vx_store_combo_finish(r->s, r->rec, NULL, NULL, 0, 0);
		vx_combo_out_free(out);
	} else if (st == VX_OK) {
		r->stats->failed += out->failed;
		if ((st = save_shared(r, ws, out)) == VX_OK && out->to_user)
			st = deliver(r, ws);
		if (st == VX_OK)
			st = send_out(r, &combo, out);
		r->stats->ran += st == VX_OK;
		vx_combo_out_free(out);
	} else if (st == VX_ENOMEM) {
		vx_combo_out_free(out);
	}
	free(out);
	free_RoutingCombo(&combo);
	vx_ws_free(ws);
	return st;
}

vx_status vx_node_run_due(vx_store *s, const vx_node_config *c, int64_t now,
                          vx_node_run_stats *stats)
{
	vx_combo_rec recs[DUE_BATCH];
	vx_node_run_stats local;
	struct run r = {s, c, NULL, now, stats ? stats : &local, 0, 0};
	size_t n;
	vx_status st;

	memset(r.stats, 0, sizeof *r.stats);
	do {
		vx_node_run_stats was = *r.stats;

		/* one commit per round; each combo in a batch of its own inside it */
		if ((st = vx_store_batch_begin(s)) != VX_OK)
			return st;
		if ((st = vx_store_combo_due(s, now, recs, DUE_BATCH, &n)) != VX_OK) {
			vx_store_batch_abort(s);
			return st;
		}
		for (size_t i = 0; i < n; i++) {
			r.rec = &recs[i];
			if (vx_store_batch_begin(s) != VX_OK) {
				r.stats->pending++;
			} else if (run_one(&r) != VX_OK) {
				/* undone, stays due: a bound of the store, tried again later */
				vx_store_batch_abort(s);
				r.stats->pending++;
			} else if (vx_store_batch_commit(s) != VX_OK) {
				r.stats->pending++;
			}
			vx_bytes_free(&recs[i].der);
		}
		if ((st = count_run(s, r.stats, &was)) != VX_OK) {
			vx_store_batch_abort(s);
			return st;
		}
		if ((st = vx_store_batch_commit(s)) != VX_OK)
			return st;
		/* a round that left combos pending would only meet them again */
		if (r.stats->pending != was.pending)
			break;
	} while (n == DUE_BATCH);
	return VX_OK;
}
