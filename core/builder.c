/* builder.c - sealing hops and building combos for a path. */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "builder.h"
#include "cipher.h"
#include "message.h"
#include "puzzle.h"

/* 2^30 tries: even a 28-bit puzzle is solved with probability 1 - e^-4 */
#define PUZZLE_TRIES (UINT64_C(1) << 30)

static vx_status set_period(UsagePeriod *p, time_t nb, time_t na)
{
	memset(p, 0, sizeof *p);
	if (nb && !(p->notBefore = malloc(sizeof *p->notBefore)))
		return VX_ENOMEM;
	if (nb)
		*p->notBefore = nb;
	if (na && !(p->notAfter = malloc(sizeof *p->notAfter)))
		return VX_ENOMEM;
	if (na)
		*p->notAfter = na;
	return VX_OK;
}

/* The hash that matches an identity key's strength. */
static MacAlgorithm sign_hash(const vx_pkey *k)
{
	if (vx_pkey_algorithm(k) == ec)
		return vx_pkey_bits(k) > 384 ? sha512 : sha384;
	return sha256;
}

static vx_status build_header(const vx_hop *h, HeaderBlock *hb)
{
	vx_status st;

	memset(hb, 0, sizeof *hb);
	if ((st = vx_pkey_to_asn1(h->identity, 0, &hb->identityKey)) != VX_OK)
		return st;
	hb->serial = h->serial;
	hb->maxReplays = (int)h->max_replays;
	hb->forwardSecret = h->fs;
	hb->signAlgorithm.algorithm = sign_hash(h->identity);
	if ((st = set_period(&hb->valid, h->not_before, h->not_after)) != VX_OK)
		return st;
	if (h->reply && copy_RoutingCombo(h->reply, &hb->requestReplyBlock))
		return VX_ENOMEM;
	if (h->nrequests > 8)
		return VX_ELIMIT;
	if (h->nrequests && !(hb->requests.val = calloc(h->nrequests, sizeof *hb->requests.val)))
		return VX_ENOMEM;
	for (size_t i = 0; i < h->nrequests; i++) {
		if (copy_HeaderRequest(&h->requests[i], &hb->requests.val[i]))
			return VX_ENOMEM;
		hb->requests.len = (unsigned)i + 1;
	}
	/* the proof of work goes last: it covers the whole header */
	if (h->puzzle)
		return vx_puzzle_solve(hb, hb->signAlgorithm.algorithm, h->puzzle, PUZZLE_TRIES,
		                       &(uint64_t){0});
	return VX_OK;
}

static vx_status build_routing(const vx_hop *h, RoutingBlock *rb)
{
	memset(rb, 0, sizeof *rb);
	rb->routing.element = choice_RoutingBlock_routing_plain;
	rb->forwardSecret = h->fs;
	if (!h->ncombos)
		return VX_OK;
	if (!(rb->routing.u.plain.val = calloc(h->ncombos, sizeof(RoutingCombo))))
		return VX_ENOMEM;
	for (size_t i = 0; i < h->ncombos; i++) {
		if (copy_RoutingCombo(&h->combos[i], &rb->routing.u.plain.val[i]))
			return VX_ENOMEM;
		rb->routing.u.plain.len = (unsigned)i + 1;
	}
	return VX_OK;
}

vx_status vx_hop_seal(vx_hop *h)
{
	SymmetricKey sender;
	HeaderBlock hb;
	RoutingBlock rb;
	vx_status st;

	memset(&h->peer_key, 0, sizeof h->peer_key);
	memset(&sender, 0, sizeof sender);
	h->mprefix = h->cprefix = h->header = h->routing = (vx_bytes){0};
	if (RAND_bytes((unsigned char *)&h->fs, sizeof h->fs) != 1)
		return VX_ECRYPTO;
	if ((st = vx_sym_generate(aes256, gcm, paddingNone, &h->peer_key)) != VX_OK)
		return st;
	if ((st = vx_sym_generate(aes256, gcm, paddingNone, &sender)) != VX_OK)
		goto out_keys;
	if ((st = build_header(h, &hb)) == VX_OK)
		st = vx_msg_seal_header(&sender, h->identity, &hb, &h->header);
	free_HeaderBlock(&hb);
	if (st != VX_OK)
		goto out;
	if ((st = build_routing(h, &rb)) == VX_OK)
		st = vx_msg_seal_routing(&sender, &rb, &h->routing);
	free_RoutingBlock(&rb);
	if (st != VX_OK)
		goto out;
	if ((st = vx_msg_seal_prefix(h->host, h->fs, &h->peer_key, &h->mprefix)) != VX_OK)
		goto out;
	st = vx_msg_seal_prefix(h->host, h->fs, &sender, &h->cprefix);
out:
	vx_sym_free(&sender);
	if (st != VX_OK)
		vx_hop_clear(h);
	return st;
out_keys:
	vx_sym_free(&h->peer_key);
	return st;
}

void vx_hop_clear(vx_hop *h)
{
	vx_sym_free(&h->peer_key);
	vx_bytes_free(&h->mprefix);
	vx_bytes_free(&h->cprefix);
	vx_bytes_free(&h->header);
	vx_bytes_free(&h->routing);
}

vx_status vx_hop_message(const vx_hop *h, const vx_bytes *payload, size_t n, vx_bytes *wire)
{
	vx_msg_parts p = {
	    .mprefix = h->mprefix.data,
	    .mprefix_len = h->mprefix.len,
	    .peer_key = &h->peer_key,
	    .cprefix = h->cprefix.data,
	    .cprefix_len = h->cprefix.len,
	    .header = h->header.data,
	    .header_len = h->header.len,
	    .routing = h->routing.data,
	    .routing_len = h->routing.len,
	    .payload = payload,
	    .npayload = n,
	};

	return vx_msg_assemble(&p, wire);
}

static vx_status octets(heim_octet_string **dst, const vx_bytes *src)
{
	if (!(*dst = calloc(1, sizeof **dst)))
		return VX_ENOMEM;
	if (src->len && !((*dst)->data = malloc(src->len)))
		return VX_ENOMEM;
	if (src->len)
		memcpy((*dst)->data, src->data, src->len);
	(*dst)->length = src->len;
	return VX_OK;
}

vx_status vx_hop_combo(const vx_hop *h, const BlendingSpec *recipient, const PayloadOperation *ops,
                       size_t nops, int min_time, int max_time, RoutingCombo *out)
{
	vx_status st = VX_ENOMEM;

	memset(out, 0, sizeof *out);
	out->minProcessTime = min_time;
	out->maxProcessTime = max_time;
	if (!(out->messageKey = calloc(1, sizeof *out->messageKey)) ||
	    copy_SymmetricKey(&h->peer_key, out->messageKey))
		goto fail;
	if (recipient && (!(out->recipient = calloc(1, sizeof *out->recipient)) ||
	                  copy_BlendingSpec(recipient, out->recipient)))
		goto fail;
	if ((st = octets(&out->mPrefix, &h->mprefix)) != VX_OK ||
	    (st = octets(&out->cPrefix, &h->cprefix)) != VX_OK ||
	    (st = octets(&out->header, &h->header)) != VX_OK ||
	    (st = octets(&out->routing, &h->routing)) != VX_OK)
		goto fail;
	st = VX_ENOMEM;
	if (nops && !(out->assembly.val = calloc(nops, sizeof *out->assembly.val)))
		goto fail;
	for (size_t i = 0; i < nops; i++) {
		if (copy_PayloadOperation(&ops[i], &out->assembly.val[i]))
			goto fail;
		out->assembly.len = (unsigned)i + 1;
	}
	return VX_OK;
fail:
	free_RoutingCombo(out);
	memset(out, 0, sizeof *out);
	return st;
}

static int set_ia5(heim_ia5_string *s, const char *text)
{
	s->length = strlen(text);
	return !(s->data = strdup(text));
}

vx_status vx_blending_spec_plain(const char *address, const vx_pkey *key, const unsigned *offsets,
                                 size_t noffsets, BlendingSpec *out)
{
	vx_status st = VX_ENOMEM;

	memset(out, 0, sizeof *out);
	out->target.transportProtocol = smtp;
	if (set_ia5(&out->target.recipientAddress, address) || set_ia5(&out->blendingType, "plain"))
		goto fail;
	if (key) {
		if (!(out->target.recipientKey = calloc(1, sizeof *out->target.recipientKey)))
			goto fail;
		if ((st = vx_pkey_to_asn1(key, 0, out->target.recipientKey)) != VX_OK)
			goto fail;
		st = VX_ENOMEM;
	}
	if (noffsets && !(out->parameter.val = calloc(noffsets, sizeof *out->parameter.val)))
		goto fail;
	for (size_t i = 0; i < noffsets; i++) {
		out->parameter.val[i].element = choice_BlendingParameter_offset;
		out->parameter.val[i].u.offset = offsets[i];
	}
	out->parameter.len = (unsigned)noffsets;
	return VX_OK;
fail:
	free_BlendingSpec(out);
	memset(out, 0, sizeof *out);
	return st;
}

void vx_op_crypt(PayloadOperation *op, int encrypt, int from, int to, const SymmetricKey *k)
{
	memset(op, 0, sizeof *op);
	if (encrypt) {
		op->element = choice_PayloadOperation_encryptPayload;
		op->u.encryptPayload = (EncryptPayloadOperation){from, *k, to};
	} else {
		op->element = choice_PayloadOperation_decryptPayload;
		op->u.decryptPayload = (DecryptPayloadOperation){from, *k, to};
	}
}

void vx_op_map(PayloadOperation *op, int from, int to)
{
	memset(op, 0, sizeof *op);
	op->element = choice_PayloadOperation_map;
	op->u.map = (MapBlockOperation){from, to};
}
