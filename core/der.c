/* der.c - exact, strict and constrained DER decoding over Heimdal's codec. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "der.h"

/* One row per type: Heimdal's functions behind a uniform signature. */
struct der_ops {
	const char *name;
	size_t size;
	int (*decode)(const uint8_t *, size_t, void *, size_t *);
	int (*encode)(uint8_t *, size_t, const void *, size_t *);
	size_t (*length)(const void *);
	void (*free)(void *);
	vx_status (*check)(const void *);
};

#define DER_WRAP(T)                                                                                \
	static int dec_##T(const uint8_t *p, size_t l, void *v, size_t *n)                         \
	{                                                                                          \
		return decode_##T(p, l, v, n);                                                     \
	}                                                                                          \
	static int enc_##T(uint8_t *p, size_t l, const void *v, size_t *n)                         \
	{                                                                                          \
		return encode_##T(p, l, v, n);                                                     \
	}                                                                                          \
	static size_t len_##T(const void *v)                                                       \
	{                                                                                          \
		return length_##T(v);                                                              \
	}                                                                                          \
	static void free_w_##T(void *v)                                                            \
	{                                                                                          \
		free_##T(v);                                                                       \
	}
VX_DER_TYPES(DER_WRAP)
#undef DER_WRAP

/*
 * The constraints Heimdal drops (asn1/README). Each check covers its
 * type and everything nested in it; a type without one has none.
 */
static int out_of(size_t n, size_t lo, size_t hi)
{
	return n < lo || n > hi;
}

#define RANGE(n, lo, hi)                                                                           \
	do {                                                                                       \
		if (out_of((n), (lo), (hi)))                                                       \
			return VX_ERANGE;                                                          \
	} while (0)
#define CHECK(expr)                                                                                \
	do {                                                                                       \
		vx_status st_ = (expr);                                                            \
		if (st_ != VX_OK)                                                                  \
			return st_;                                                                \
	} while (0)

/* Heimdal decodes a constrained signed INTEGER without checking its range. */
static int outside(long long v, long long lo, long long hi)
{
	return v < lo || v > hi;
}

#define SRANGE(v, lo, hi)                                                                          \
	do {                                                                                       \
		if (outside((v), (lo), (hi)))                                                      \
			return VX_ERANGE;                                                          \
	} while (0)
/* operation ids reach the shared workspace (asn1/README item 9) */
#define MAXID 65535

static vx_status chk_params(const AlgorithmParameters *p)
{
	if (p->keySize)
		SRANGE(*p->keySize, 0, 65535);
	return VX_OK;
}

static vx_status chk_SymmetricKey(const void *v)
{
	const SymmetricKey *k = v;

	RANGE(k->key.length, 16, 512);
	return chk_params(&k->parameter);
}

/* AddRedundancyOperation and RemoveRedundancyOperation have the same fields. */
static vx_status chk_redundancy(int in, int k, int m, const SymmetricKey *keys, unsigned n, int out,
                                int gf);

static vx_status chk_keys(const SymmetricKey *keys, unsigned n)
{
	RANGE(n, 2, 512);
	for (unsigned i = 0; i < n; i++)
		CHECK(chk_SymmetricKey(&keys[i]));
	return VX_OK;
}

static vx_status chk_redundancy(int in, int k, int m, const SymmetricKey *keys, unsigned n, int out,
                                int gf)
{
	SRANGE(in, 0, MAXID);
	SRANGE(k, 1, 254);
	SRANGE(m, 1, 254);
	SRANGE(out, 1, MAXID);
	SRANGE(gf, 2, 16);
	return chk_keys(keys, n);
}

static vx_status chk_split(const SplitPayloadOperation *s)
{
	SRANGE(s->originalId, 0, MAXID);
	SRANGE(s->newFirstId, 1, MAXID);
	SRANGE(s->newSecondId, 1, MAXID);
	if (s->firstSize.size.element == choice_SizeBlock_size_percent) {
		SRANGE(s->firstSize.size.u.percent.fromPercent, 0, 100);
		SRANGE(s->firstSize.size.u.percent.toPercent, 0, 100);
	} else {
		SRANGE(s->firstSize.size.u.absolute.toAbsolute, -4294967295LL, 4294967295LL);
	}
	return VX_OK;
}

static vx_status chk_PayloadOperation(const void *v)
{
	const PayloadOperation *op = v;
	const AddRedundancyOperation *a = &op->u.addRedundancy;
	const RemoveRedundancyOperation *r = &op->u.removeRedundancy;

	switch (op->element) {
	case choice_PayloadOperation_splitPayload:
		return chk_split(&op->u.splitPayload);
	case choice_PayloadOperation_mergePayload:
		SRANGE(op->u.mergePayload.originalFirstId, 0, MAXID);
		SRANGE(op->u.mergePayload.originalSecondId, 0, MAXID);
		SRANGE(op->u.mergePayload.newId, 1, MAXID);
		return VX_OK;
	case choice_PayloadOperation_encryptPayload:
		SRANGE(op->u.encryptPayload.originalId, 0, MAXID);
		SRANGE(op->u.encryptPayload.newId, 1, MAXID);
		return chk_SymmetricKey(&op->u.encryptPayload.key);
	case choice_PayloadOperation_decryptPayload:
		SRANGE(op->u.decryptPayload.originalId, 0, MAXID);
		SRANGE(op->u.decryptPayload.newId, 1, MAXID);
		return chk_SymmetricKey(&op->u.decryptPayload.key);
	case choice_PayloadOperation_addRedundancy:
		return chk_redundancy(a->inputId, a->dataStripes, a->redundancy, a->keys.val,
		                      a->keys.len, a->outputId, a->gfSize);
	case choice_PayloadOperation_removeRedundancy:
		return chk_redundancy(r->inputId, r->dataStripes, r->redundancy, r->keys.val,
		                      r->keys.len, r->outputId, r->gfSize);
	case choice_PayloadOperation_map:
		SRANGE(op->u.map.originalId, 0, MAXID);
		SRANGE(op->u.map.newId, 0, MAXID);
		return VX_OK;
	default:
		return VX_EDECODE;
	}
}

static vx_status chk_BlendingSpec(const void *v)
{
	const BlendingSpec *b = v;

	RANGE(b->parameter.len, 0, 127);
	for (unsigned i = 0; i < b->parameter.len; i++)
		if (b->parameter.val[i].element == choice_BlendingParameter_symmetricKey)
			CHECK(chk_SymmetricKey(&b->parameter.val[i].u.symmetricKey));
	return VX_OK;
}

static vx_status chk_RoutingCombo(const void *v)
{
	const RoutingCombo *c = v;

	SRANGE(c->minProcessTime, 0, 86400);
	SRANGE(c->maxProcessTime, 0, 86400);
	if (c->messageKey)
		CHECK(chk_SymmetricKey(c->messageKey));
	if (c->recipient)
		CHECK(chk_BlendingSpec(c->recipient));
	RANGE(c->assembly.len, 0, 255);
	for (unsigned i = 0; i < c->assembly.len; i++)
		CHECK(chk_PayloadOperation(&c->assembly.val[i]));
	return VX_OK;
}

static vx_status chk_PrefixBlock(const void *v)
{
	const PrefixBlock *p = v;

	if (p->version)
		SRANGE(*p->version, 0, 2147483647);
	return chk_SymmetricKey(&p->key);
}

static vx_status chk_HeaderRequest(const void *v)
{
	const HeaderRequest *r = v;

	if (r->element == choice_HeaderRequest_nodeQuery)
		SRANGE(r->u.nodeQuery.numberOfNodes, 0, 255);
	if (r->element == choice_HeaderRequest_quotaQuery && r->u.quotaQuery.reserved)
		SRANGE(*r->u.quotaQuery.reserved, 0, 1);
	return VX_OK;
}

static vx_status chk_MemoryPayloadChunk(const void *v)
{
	SRANGE(((const MemoryPayloadChunk *)v)->id, 0, MAXID);
	return VX_OK;
}

static vx_status chk_HeaderBlock(const void *v)
{
	const HeaderBlock *h = v;

	SRANGE(h->maxReplays, 0, 127);
	CHECK(chk_params(&h->signAlgorithm.parameter));
	RANGE(h->requests.len, 0, 8);
	for (unsigned i = 0; i < h->requests.len; i++)
		CHECK(chk_HeaderRequest(&h->requests.val[i]));
	if (h->identifier)
		RANGE(h->identifier->length, 0, 16);
	return chk_RoutingCombo(&h->requestReplyBlock);
}

static vx_status chk_RoutingBlock(const void *v)
{
	const RoutingBlock *r = v;

	if (r->routing.element == choice_RoutingBlock_routing_plain) {
		RANGE(r->routing.u.plain.len, 0, 127);
		for (unsigned i = 0; i < r->routing.u.plain.len; i++)
			CHECK(chk_RoutingCombo(&r->routing.u.plain.val[i]));
	} else {
		RANGE(r->routing.u.encrypted.len, 0, 127);
	}
	return r->replyBlock ? chk_RoutingCombo(&r->replyBlock->murb) : VX_OK;
}

static vx_status chk_InnerMessageBlock(const void *v)
{
	const InnerMessageBlock *m = v;

	RANGE(m->payload.len, 0, 127);
	if (m->prefix.element == choice_InnerMessageBlock_prefix_plain)
		CHECK(chk_PrefixBlock(&m->prefix.u.plain));
	if (m->identity.element == choice_InnerMessageBlock_identity_plain)
		CHECK(chk_HeaderBlock(&m->identity.u.plain));
	if (m->routing.element == choice_InnerMessageBlock_routing_plain)
		CHECK(chk_RoutingBlock(&m->routing.u.plain));
	return VX_OK;
}

static vx_status chk_VortexMessage(const void *v)
{
	const VortexMessage *m = v;

	if (m->prefix.element == choice_VortexMessage_prefix_plain)
		CHECK(chk_PrefixBlock(&m->prefix.u.plain));
	if (m->innerMessage.element == choice_VortexMessage_innerMessage_plain)
		CHECK(chk_InnerMessageBlock(&m->innerMessage.u.plain));
	return VX_OK;
}

static vx_status chk_SpecialBlock(const void *v)
{
	const SpecialBlock *s = v;
	const ReplyCapability *c = &s->u.capabilities;

	switch (s->element) {
	case choice_SpecialBlock_requirement:
		RANGE(s->u.requirement.len, 1, 127);
		break;
	case choice_SpecialBlock_nodes:
		RANGE(s->u.nodes.node.len, 1, 5);
		break;
	case choice_SpecialBlock_capabilities:
		RANGE(c->cipher.len, 2, 256);
		RANGE(c->mac.len, 2, 256);
		RANGE(c->prng.len, 2, 256);
		for (unsigned i = 0; i < c->supportedBlendingIn.len; i++)
			CHECK(chk_BlendingSpec(&c->supportedBlendingIn.val[i]));
		break;
	default:
		break;
	}
	return VX_OK;
}

static vx_status chk_IdentityStore(const void *v)
{
	const IdentityStore *s = v;

	for (unsigned i = 0; i < s->identities.len; i++) {
		const IdentityStoreBlock *b = &s->identities.val[i];

		if (!b->routingBlocks)
			continue;
		for (unsigned j = 0; j < b->routingBlocks->len; j++)
			CHECK(chk_RoutingBlock(&b->routingBlocks->val[j]));
	}
	return VX_OK;
}

#define chk_AsymmetricKey    NULL
#define chk_RequirementBlock NULL
#define chk_NodeSpec         NULL
#define chk_UsagePeriod      NULL

static const struct der_ops der_table[VX_DER_TYPE_MAX] = {
#define DER_ROW(T) [VX_DER_##T] = {#T, sizeof(T), dec_##T, enc_##T, len_##T, free_w_##T, chk_##T},
    VX_DER_TYPES(DER_ROW)
#undef DER_ROW
};

static const struct der_ops *ops_of(vx_der_type t)
{
	return (unsigned)t < VX_DER_TYPE_MAX ? &der_table[t] : NULL;
}

vx_status vx_der_encode(vx_der_type t, const void *in, vx_bytes *out)
{
	const struct der_ops *o = ops_of(t);
	size_t len, written = 0;
	vx_status st;

	out->data = NULL;
	out->len = 0;
	if (!o)
		return VX_EINVAL;
	len = o->length(in);
	if ((st = vx_bytes_alloc(out, len)) != VX_OK)
		return st;
	/* Heimdal encodes backwards from the last byte of the buffer */
	if (len && (o->encode(out->data + len - 1, len, in, &written) || written != len)) {
		vx_bytes_free(out);
		return VX_EINVAL;
	}
	return VX_OK;
}

/* DER has one encoding per value: what does not re-encode to itself is BER. */
static vx_status canonical(const struct der_ops *o, const void *v, const uint8_t *buf, size_t len)
{
	size_t n = o->length(v), written = 0;
	uint8_t *tmp;
	vx_status st = VX_EDECODE;

	if (n != len)
		return VX_EDECODE;
	if (!(tmp = malloc(n ? n : 1)))
		return VX_ENOMEM;
	if (n && !o->encode(tmp + n - 1, n, v, &written) && written == n && !memcmp(tmp, buf, n))
		st = VX_OK;
	free(tmp);
	return st;
}

vx_status vx_der_decode(vx_der_type t, const uint8_t *buf, size_t len, void *out)
{
	const struct der_ops *o = ops_of(t);
	size_t used = 0;
	vx_status st;

	if (!o)
		return VX_EINVAL;
	memset(out, 0, o->size);
	if (!buf || !len || o->decode(buf, len, out, &used)) {
		memset(out, 0, o->size);
		return VX_EDECODE;
	}
	if (used != len)
		st = VX_ETRAILING;
	else if ((st = canonical(o, out, buf, len)) == VX_OK && o->check)
		st = o->check(out);
	if (st != VX_OK) {
		o->free(out);
		memset(out, 0, o->size);
	}
	return st;
}

void vx_der_free(vx_der_type t, void *v)
{
	const struct der_ops *o = ops_of(t);

	if (o && v) {
		o->free(v);
		memset(v, 0, o->size);
	}
}

size_t vx_der_size(vx_der_type t)
{
	const struct der_ops *o = ops_of(t);

	return o ? o->size : 0;
}

const char *vx_der_name(vx_der_type t)
{
	const struct der_ops *o = ops_of(t);

	return o ? o->name : NULL;
}

vx_der_type vx_der_lookup(const char *name)
{
	for (unsigned t = 0; t < VX_DER_TYPE_MAX; t++)
		if (!strcasecmp(name, der_table[t].name))
			return (vx_der_type)t;
	return VX_DER_TYPE_MAX;
}

vx_der_type vx_der_detect(const uint8_t *buf, size_t len)
{
	for (unsigned t = 0; t < VX_DER_TYPE_MAX; t++) {
		void *v = malloc(der_table[t].size);
		vx_status st;

		if (!v)
			return VX_DER_TYPE_MAX;
		st = vx_der_decode((vx_der_type)t, buf, len, v);
		if (st == VX_OK)
			vx_der_free((vx_der_type)t, v);
		free(v);
		if (st == VX_OK)
			return (vx_der_type)t;
	}
	return VX_DER_TYPE_MAX;
}
