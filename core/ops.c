/* ops.c - payload operations (section 7.4). */
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "ops.h"
#include "redundancy.h"

/* Results are built here first and committed only when all exist. */
#define MAX_TARGETS 512

struct result {
	unsigned n;
	unsigned id[MAX_TARGETS];
	vx_bytes b[MAX_TARGETS];
	int64_t expiry;
	unsigned lowest; /* smallest target ID the operation may write */
};

/* 0 is "no expiry", which outlives any date. */
static int64_t later(int64_t a, int64_t b)
{
	if (!a || !b)
		return 0;
	return a > b ? a : b;
}

static vx_status source(const vx_workspace *ws, long id, const vx_bytes **b, int64_t *expiry,
                        int first)
{
	int64_t e;

	if (id < 0 || id > VX_WS_MAX_ID)
		return VX_ERANGE;
	if (!(*b = vx_ws_get(ws, (unsigned)id, &e)))
		return VX_ENOTFOUND;
	*expiry = first ? e : later(*expiry, e);
	return VX_OK;
}

static vx_status add_target(struct result *r, long id, vx_bytes *b)
{
	if (id < (long)r->lowest || id > VX_WS_MAX_ID || r->n >= MAX_TARGETS)
		return VX_ERANGE;
	/* one operation writing a slot twice has no meaning */
	for (unsigned i = 0; i < r->n; i++)
		if (r->id[i] == (unsigned)id)
			return VX_EBADPARAM;
	r->id[r->n] = (unsigned)id;
	vx_bytes_move(&r->b[r->n], b);
	r->n++;
	return VX_OK;
}

static vx_status slice(const vx_bytes *src, size_t from, size_t to, struct result *r, long id1,
                       long id2)
{
	vx_bytes first = {0}, second = {0};
	vx_status st;

	if ((st = vx_bytes_set(&first, src->data + from, to - from)) != VX_OK ||
	    (st = vx_bytes_alloc(&second, src->len - (to - from))) != VX_OK)
		goto out;
	if (from)
		memcpy(second.data, src->data, from);
	if (src->len - to)
		memcpy(second.data + from, src->data + to, src->len - to);
	if ((st = add_target(r, id1, &first)) == VX_OK)
		st = add_target(r, id2, &second);
out:
	vx_bytes_free(&first);
	vx_bytes_free(&second);
	return st;
}

/*
 * The first part is the slice [from, to) of the block, the second the
 * bytes around it (docs/protocol-notes.md): with from = 0 merge undoes it.
 */
static vx_status do_split(const vx_workspace *ws, const SplitPayloadOperation *op, struct result *r)
{
	const vx_bytes *src;
	size_t len, from, to;
	vx_status st;

	if ((st = source(ws, op->originalId, &src, &r->expiry, 1)) != VX_OK)
		return st;
	len = src->len;
	if (op->firstSize.size.element == choice_SizeBlock_size_percent) {
		const PercentSizeBlock *p = &op->firstSize.size.u.percent;
		double width = (double)p->toPercent - (double)p->fromPercent;

		/* 7.4.2: relative values must lie strictly between 0 and 100 */
		if (p->fromPercent < 0 || p->toPercent > 100 || width <= 0.0 || width >= 100.0)
			return VX_EBADPARAM;
		from = (size_t)((double)len * (double)p->fromPercent / 100.0);
		to = (size_t)((double)len * (double)p->toPercent / 100.0);
	} else if (op->firstSize.size.element == choice_SizeBlock_size_absolute) {
		const AbsoluteSizeBlock *a = &op->firstSize.size.u.absolute;
		int64_t end = a->toAbsolute < 0 ? (int64_t)len + a->toAbsolute : a->toAbsolute;

		/*
		 * Beyond the block: all bytes in the first part, or with a
		 * negative value reaching before the start, all in the second (7.4.2).
		 */
		from = (uint64_t)a->fromAbsolute > len ? len : a->fromAbsolute;
		to = end < 0 ? 0 : (uint64_t)end > len ? len : (size_t)end;
	} else {
		return VX_EDECODE;
	}
	if (to < from)
		return VX_EBADPARAM;
	return slice(src, from, to, r, op->newFirstId, op->newSecondId);
}

static vx_status do_merge(const vx_workspace *ws, const MergePayloadOperation *op, struct result *r)
{
	const vx_bytes *a, *b;
	vx_bytes out = {0};
	vx_status st;

	if ((st = source(ws, op->originalFirstId, &a, &r->expiry, 1)) != VX_OK ||
	    (st = source(ws, op->originalSecondId, &b, &r->expiry, 0)) != VX_OK)
		return st;
	if (a->len > SIZE_MAX - b->len)
		return VX_ELIMIT;
	if ((st = vx_bytes_alloc(&out, a->len + b->len)) != VX_OK)
		return st;
	if (a->len)
		memcpy(out.data, a->data, a->len);
	if (b->len)
		memcpy(out.data + a->len, b->data, b->len);
	st = add_target(r, op->newId, &out);
	vx_bytes_free(&out);
	return st;
}

static vx_status do_crypt(const vx_workspace *ws, int encrypt, long from, const SymmetricKey *key,
                          long to, struct result *r)
{
	const vx_bytes *src;
	vx_bytes out = {0};
	vx_status st;

	if ((st = source(ws, from, &src, &r->expiry, 1)) != VX_OK)
		return st;
	st = encrypt ? vx_sym_encrypt(key, src->data, src->len, 0, &out)
	             : vx_sym_decrypt(key, src->data, src->len, 0, &out);
	if (st == VX_OK)
		st = add_target(r, to, &out);
	vx_bytes_free(&out);
	return st;
}

static vx_status do_add_redundancy(const vx_workspace *ws, const AddRedundancyOperation *op,
                                   struct result *r)
{
	const vx_bytes *src;
	vx_bytes *out;
	long n = (long)op->dataStripes + op->redundancy;
	uint64_t stripe;
	vx_status st;

	if (op->dataStripes < 1 || op->redundancy < 1 || n > MAX_TARGETS)
		return VX_EBADPARAM;
	if ((st = source(ws, op->inputId, &src, &r->expiry, 1)) != VX_OK)
		return st;
	/* what add_target would say, before the bound below */
	if (op->outputId < (long)r->lowest || op->outputId + n - 1 > VX_WS_MAX_ID)
		return VX_ERANGE;
	/*
	 * n stripes of at least (len + 4) / k bytes each: refuse before coding
	 * what fits() would refuse after, or one operation would hold up to
	 * 255 times the workspace bound (k = 1, m = 254) and code it for nothing.
	 */
	stripe =
	    ((uint64_t)src->len + 4 + (uint64_t)op->dataStripes - 1) / (uint64_t)op->dataStripes;
	if (stripe * (uint64_t)n > vx_ws_limit(ws))
		return VX_ELIMIT;
	if (!(out = calloc((size_t)n, sizeof *out)))
		return VX_ENOMEM;
	st = vx_redundancy_add(op, src->data, src->len, out);
	for (long j = 0; j < n; j++) {
		if (st == VX_OK)
			st = add_target(r, op->outputId + j, &out[j]);
		vx_bytes_free(&out[j]);
	}
	free(out);
	return st;
}

static vx_status do_remove_redundancy(const vx_workspace *ws, const RemoveRedundancyOperation *op,
                                      struct result *r)
{
	vx_bytes *in, out = {0};
	long n = (long)op->dataStripes + op->redundancy;
	int any = 0;
	vx_status st;

	if (op->dataStripes < 1 || op->redundancy < 1 || n > MAX_TARGETS)
		return VX_EBADPARAM;
	if (op->inputId < 0 || op->inputId + n - 1 > VX_WS_MAX_ID)
		return VX_ERANGE;
	if (!(in = calloc((size_t)n, sizeof *in)))
		return VX_ENOMEM;
	/* borrowed views; missing blocks stay {NULL, 0} */
	for (long j = 0; j < n; j++) {
		int64_t e;
		const vx_bytes *b = vx_ws_get(ws, (unsigned)(op->inputId + j), &e);

		if (!b)
			continue;
		in[j] = *b;
		r->expiry = any ? later(r->expiry, e) : e;
		any = 1;
	}
	st = any ? vx_redundancy_remove(op, in, &out) : VX_ENOTFOUND;
	free(in);
	if (st == VX_OK)
		st = add_target(r, op->outputId, &out);
	vx_bytes_free(&out);
	return st;
}

static vx_status do_map(const vx_workspace *ws, const MapBlockOperation *op, struct result *r)
{
	const vx_bytes *src;
	vx_bytes copy = {0};
	vx_status st;

	if ((st = source(ws, op->originalId, &src, &r->expiry, 1)) != VX_OK ||
	    (st = vx_bytes_set(&copy, src->data, src->len)) != VX_OK)
		return st;
	st = add_target(r, op->newId, &copy);
	vx_bytes_free(&copy);
	return st;
}

static vx_status compute(const vx_workspace *ws, const PayloadOperation *op, struct result *r)
{
	/* only map may hand content to the user's slot 0 (README point 1, later schema) */
	r->lowest = op->element == choice_PayloadOperation_map ? 0 : 1;
	switch (op->element) {
	case choice_PayloadOperation_splitPayload:
		return do_split(ws, &op->u.splitPayload, r);
	case choice_PayloadOperation_mergePayload:
		return do_merge(ws, &op->u.mergePayload, r);
	case choice_PayloadOperation_encryptPayload:
		return do_crypt(ws, 1, op->u.encryptPayload.originalId, &op->u.encryptPayload.key,
		                op->u.encryptPayload.newId, r);
	case choice_PayloadOperation_decryptPayload:
		return do_crypt(ws, 0, op->u.decryptPayload.originalId, &op->u.decryptPayload.key,
		                op->u.decryptPayload.newId, r);
	case choice_PayloadOperation_addRedundancy:
		return do_add_redundancy(ws, &op->u.addRedundancy, r);
	case choice_PayloadOperation_removeRedundancy:
		return do_remove_redundancy(ws, &op->u.removeRedundancy, r);
	case choice_PayloadOperation_map:
		return do_map(ws, &op->u.map, r);
	}
	return VX_EDECODE;
}

/* Would the targets fit under the bound once their old contents go? */
static int fits(const vx_workspace *ws, const struct result *r)
{
	size_t total = vx_ws_bytes(ws);

	for (unsigned i = 0; i < r->n; i++) {
		const vx_bytes *old = vx_ws_get(ws, r->id[i], NULL);

		total -= old ? old->len : 0;
		if (r->b[i].len > vx_ws_limit(ws) || total > vx_ws_limit(ws) - r->b[i].len)
			return 0;
		total += r->b[i].len;
	}
	return 1;
}

uint64_t vx_op_work(const PayloadOperation *op, size_t input_len)
{
	/* the two have the same layout (see vortex/cmd_op.c) */
	const AddRedundancyOperation *a = &op->u.addRedundancy;
	uint64_t k, n;

	if (op->element != choice_PayloadOperation_addRedundancy &&
	    op->element != choice_PayloadOperation_removeRedundancy)
		return 0;
	k = a->dataStripes > 0 ? (uint64_t)a->dataStripes : 0;
	n = k + (a->redundancy > 0 ? (uint64_t)a->redundancy : 0);
	/* the matrix costs whatever the payload; the stripes go at library speed */
	return k * k * (n + 4 * k) + n * ((uint64_t)input_len >> 7);
}

vx_status vx_op_execute(vx_workspace *ws, const PayloadOperation *op)
{
	const AddRedundancyOperation *a = &op->u.addRedundancy;
	const vx_bytes *in = NULL;
	struct result *r;
	vx_status st;

	if ((op->element == choice_PayloadOperation_addRedundancy ||
	     op->element == choice_PayloadOperation_removeRedundancy) &&
	    a->inputId >= 0)
		in = vx_ws_get(ws, (unsigned)a->inputId, NULL);
	if ((st = vx_ws_spend(ws, vx_op_work(op, in ? in->len : 0))) != VX_OK)
		return st;
	if (!(r = calloc(1, sizeof *r)))
		return VX_ENOMEM;
	st = compute(ws, op, r);
	if (st == VX_OK && !fits(ws, r))
		st = VX_ELIMIT;
	/* with room reserved, storing cannot fail half-way */
	if (st == VX_OK)
		st = vx_ws_reserve(ws, r->n);
	for (unsigned i = 0; i < r->n; i++) {
		if (st == VX_OK)
			st = vx_ws_put_owned(ws, r->id[i], &r->b[i], r->expiry);
		vx_bytes_free(&r->b[i]);
	}
	free(r);
	return st;
}
