/* message.c - sealing, assembling and opening Vortex messages (section 4). */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "cipher.h"
#include "der.h"
#include "message.h"

/* Flags for every symmetric operation on message blocks: no ECB, no NONE. */
#define MSG_SYM_FLAGS 0
/* AsymmetricKey carries no padding: the spec's default PKCS#1 (2.6.1). */
#define MSG_RSA_PADDING VX_RSA_PKCS1

struct vx_msg {
	PrefixBlock mprefix;
	PrefixBlock cprefix;
	InnerMessageBlock inner;
	HeaderBlock header;
	vx_bytes header_der;
	RoutingBlock routing;
};

/* Encode a DER tag and length forward into out (at most 10 bytes). */
static size_t tlv_head(uint8_t *out, int constructed, int context, unsigned tag, size_t len)
{
	size_t n = 0;
	uint8_t cls = context ? 0x80 : 0x00;

	if (constructed)
		cls |= 0x20;
	if (tag < 31) {
		out[n++] = cls | tag;
	} else {
		uint8_t tmp[5];
		size_t k = 0;

		out[n++] = cls | 0x1f;
		do {
			tmp[k++] = tag & 0x7f;
			tag >>= 7;
		} while (tag);
		while (k--)
			out[n++] = tmp[k] | (k ? 0x80 : 0);
	}
	if (len < 0x80) {
		out[n++] = (uint8_t)len;
	} else {
		uint8_t tmp[sizeof(size_t)];
		size_t k = 0;

		while (len) {
			tmp[k++] = len & 0xff;
			len >>= 8;
		}
		out[n++] = 0x80 | (uint8_t)k;
		while (k--)
			out[n++] = tmp[k];
	}
	return n;
}

/* Read one DER TLV header; returns 0 and the content span, or -1. */
static int tlv_read(const uint8_t *p, size_t len, int *constructed, unsigned *tag,
                    const uint8_t **content, size_t *clen, size_t *total)
{
	size_t i = 0, l;

	if (len < 2)
		return -1;
	*constructed = !!(p[0] & 0x20);
	if ((p[0] & 0x1f) != 0x1f) {
		*tag = p[0] & 0x1f;
		i = 1;
	} else {
		unsigned t = 0;

		for (i = 1; i < len && i < 6; i++) {
			t = (t << 7) | (p[i] & 0x7f);
			if (!(p[i] & 0x80))
				break;
		}
		if (i >= len || i >= 6 || (p[i] & 0x80))
			return -1;
		*tag = t;
		i++;
	}
	if (i >= len)
		return -1;
	if (p[i] < 0x80) {
		l = p[i++];
	} else {
		size_t k = p[i++] & 0x7f;

		if (k == 0 || k > 4 || i + k > len)
			return -1;
		for (l = 0; k--; i++)
			l = (l << 8) | p[i];
	}
	if (l > len - i)
		return -1;
	*content = p + i;
	*clen = l;
	*total = i + l;
	return 0;
}

vx_status vx_msg_seal_prefix(const vx_pkey *host, uint32_t fs, const SymmetricKey *key,
                             vx_bytes *out)
{
	PrefixBlock pb;
	vx_bytes der = {0};
	vx_status st;

	memset(&pb, 0, sizeof pb);
	pb.forwardsecret = fs;
	pb.key = *key; /* shallow: encoded, never freed here */
	if ((st = vx_der_encode(VX_DER_PrefixBlock, &pb, &der)) != VX_OK)
		return st;
	st = vx_pkey_encrypt(host, MSG_RSA_PADDING, der.data, der.len, out);
	vx_bytes_free(&der);
	return st;
}

vx_status vx_msg_seal_header(const SymmetricKey *sender_key, const vx_pkey *identity,
                             const HeaderBlock *hb, vx_bytes *out)
{
	vx_bytes der = {0}, ct = {0}, sig = {0};
	uint8_t head[2][16];
	size_t h0, h1, octlen;
	vx_status st;

	if ((st = vx_der_encode(VX_DER_HeaderBlock, hb, &der)) != VX_OK)
		return st;
	if ((st = vx_sym_encrypt(sender_key, der.data, der.len, MSG_SYM_FLAGS, &ct)) != VX_OK)
		goto out;
	if ((st = vx_pkey_sign(identity, hb->signAlgorithm.algorithm, der.data, der.len, &sig)) !=
	    VX_OK)
		goto out;
	/* [11022] EXPLICIT OCTET STRING, then the signature OCTET STRING */
	octlen = tlv_head(head[1], 0, 0, 4, ct.len);
	h0 = tlv_head(head[0], 1, 1, 11022, octlen + ct.len);
	h1 = tlv_head(head[1] + octlen, 0, 0, 4, sig.len);
	if ((st = vx_bytes_alloc(out, h0 + octlen + ct.len + h1 + sig.len)) != VX_OK)
		goto out;
	{
		uint8_t *p = out->data;

		memcpy(p, head[0], h0), p += h0;
		memcpy(p, head[1], octlen), p += octlen;
		memcpy(p, ct.data, ct.len), p += ct.len;
		memcpy(p, head[1] + octlen, h1), p += h1;
		memcpy(p, sig.data, sig.len);
	}
out:
	vx_bytes_free(&der);
	vx_bytes_free(&ct);
	vx_bytes_free(&sig);
	return st;
}

vx_status vx_msg_seal_routing(const SymmetricKey *sender_key, const RoutingBlock *rb, vx_bytes *out)
{
	vx_bytes der = {0};
	vx_status st;

	if ((st = vx_der_encode(VX_DER_RoutingBlock, rb, &der)) != VX_OK)
		return st;
	st = vx_sym_encrypt(sender_key, der.data, der.len, MSG_SYM_FLAGS, out);
	vx_bytes_free(&der);
	return st;
}

vx_status vx_msg_padding(const vx_bytes *payload, size_t n, uint8_t pad[VX_MSG_PADDING_LEN])
{
	size_t slot = 0;

	memset(pad, 0, VX_MSG_PADDING_LEN);
	for (size_t i = 0; i < n && slot < 4; i++) {
		if (!payload[i].len)
			continue;
		memcpy(pad + 16 * slot, payload[i].data, payload[i].len < 16 ? payload[i].len : 16);
		slot++;
	}
	/* fewer than four chunks: fresh random bytes, never reused (4.3) */
	if (slot < 4 && RAND_bytes(pad + 16 * slot, (int)(16 * (4 - slot))) != 1)
		return VX_ECRYPTO;
	return VX_OK;
}

/* Split a sealed header into the [11022] content and the signature. */
static vx_status header_fields(const uint8_t *p, size_t len, heim_octet_string *ct,
                               heim_octet_string *sig)
{
	const uint8_t *c, *oc;
	size_t clen, total, oclen, ototal;
	unsigned tag;
	int cons;

	if (tlv_read(p, len, &cons, &tag, &c, &clen, &total) || !cons || tag != 11022 ||
	    (p[0] & 0xc0) != 0x80)
		return VX_EDECODE;
	if (tlv_read(c, clen, &cons, &tag, &oc, &oclen, &ototal) || cons || tag != 4 ||
	    ototal != clen || c[0] != 0x04)
		return VX_EDECODE;
	ct->data = (void *)oc;
	ct->length = oclen;
	p += total;
	len -= total;
	if (tlv_read(p, len, &cons, &tag, &oc, &oclen, &ototal) || p[0] != 0x04 || ototal != len)
		return VX_EDECODE;
	sig->data = (void *)oc;
	sig->length = oclen;
	return VX_OK;
}

vx_status vx_msg_assemble(const vx_msg_parts *p, vx_bytes *wire)
{
	InnerMessageBlock im;
	VortexMessage vm;
	heim_octet_string *chunks = NULL;
	uint8_t pad[VX_MSG_PADDING_LEN];
	vx_bytes inner = {0}, ct = {0};
	vx_status st;

	if (p->npayload > VX_MAX_PAYLOAD_BLOCKS)
		return VX_ELIMIT;
	memset(&im, 0, sizeof im);
	if ((st = header_fields(p->header, p->header_len, &im.identity.u.encyrpted,
	                        &im.identitySignature)) != VX_OK)
		return st;
	if ((st = vx_msg_padding(p->payload, p->npayload, pad)) != VX_OK)
		return st;
	if (p->npayload && !(chunks = calloc(p->npayload, sizeof *chunks)))
		return VX_ENOMEM;
	for (size_t i = 0; i < p->npayload; i++) {
		chunks[i].data = p->payload[i].data;
		chunks[i].length = p->payload[i].len;
	}
	im.padding.data = pad;
	im.padding.length = sizeof pad;
	im.prefix.element = choice_InnerMessageBlock_prefix_encrypted;
	im.prefix.u.encrypted.data = (void *)p->cprefix;
	im.prefix.u.encrypted.length = p->cprefix_len;
	im.identity.element = choice_InnerMessageBlock_identity_encyrpted;
	im.routing.element = choice_InnerMessageBlock_routing_encyrpted;
	im.routing.u.encyrpted.data = (void *)p->routing;
	im.routing.u.encyrpted.length = p->routing_len;
	im.payload.len = (unsigned)p->npayload;
	im.payload.val = chunks;
	st = vx_der_encode(VX_DER_InnerMessageBlock, &im, &inner);
	free(chunks);
	if (st != VX_OK)
		return st;
	st = vx_sym_encrypt(p->peer_key, inner.data, inner.len, MSG_SYM_FLAGS, &ct);
	vx_bytes_free(&inner);
	if (st != VX_OK)
		return st;
	memset(&vm, 0, sizeof vm);
	vm.prefix.element = choice_VortexMessage_prefix_encrypted;
	vm.prefix.u.encrypted.data = (void *)p->mprefix;
	vm.prefix.u.encrypted.length = p->mprefix_len;
	vm.innerMessage.element = choice_VortexMessage_innerMessage_encrypted;
	vm.innerMessage.u.encrypted.data = ct.data;
	vm.innerMessage.u.encrypted.length = ct.len;
	st = vx_der_encode(VX_DER_VortexMessage, &vm, wire);
	vx_bytes_free(&ct);
	return st;
}

/* Prefixes hold keys: wipe them before freeing. */
static void free_prefix(PrefixBlock *pb)
{
	vx_sym_free(&pb->key);
	free_PrefixBlock(pb);
}

/* Decrypt a sealed PrefixBlock with the host key and decode it. */
static vx_status open_prefix(const vx_pkey *host, const heim_octet_string *sealed, PrefixBlock *pb)
{
	vx_bytes der = {0};
	vx_status st;

	if ((st = vx_pkey_decrypt(host, MSG_RSA_PADDING, sealed->data, sealed->length, &der)) !=
	    VX_OK)
		return st;
	st = vx_der_decode(VX_DER_PrefixBlock, der.data, der.len, pb);
	vx_bytes_free(&der);
	if (st == VX_OK && (st = vx_sym_check(&pb->key, MSG_SYM_FLAGS)) != VX_OK)
		free_prefix(pb);
	return st;
}

/* Decrypt a block under key and decode it as type t into out. */
static vx_status open_block(const SymmetricKey *key, const heim_octet_string *ct, vx_der_type t,
                            void *out, vx_bytes *keep_der)
{
	vx_bytes der = {0};
	vx_status st;

	if ((st = vx_sym_decrypt(key, ct->data, ct->length, MSG_SYM_FLAGS, &der)) != VX_OK)
		return st;
	st = vx_der_decode(t, der.data, der.len, out);
	if (st == VX_OK && keep_der)
		vx_bytes_move(keep_der, &der);
	vx_bytes_free(&der);
	return st;
}

/* Decode the outer VortexMessage and open its MPREFIX. */
static vx_status open_outer(const uint8_t *wire, size_t len, const vx_pkey *host, VortexMessage *vm,
                            PrefixBlock *mprefix)
{
	vx_status st;

	if ((st = vx_der_decode(VX_DER_VortexMessage, wire, len, vm)) != VX_OK)
		return st;
	/* unencrypted prefixes and inner blocks are debug forms (4.2): refused */
	if (vm->prefix.element != choice_VortexMessage_prefix_encrypted ||
	    vm->innerMessage.element != choice_VortexMessage_innerMessage_encrypted) {
		free_VortexMessage(vm);
		return VX_EUNSUPPORTED;
	}
	if ((st = open_prefix(host, &vm->prefix.u.encrypted, mprefix)) != VX_OK)
		free_VortexMessage(vm);
	return st;
}

void vx_msg_free(vx_msg *m)
{
	if (!m)
		return;
	free_prefix(&m->mprefix);
	free_prefix(&m->cprefix);
	free_InnerMessageBlock(&m->inner);
	free_HeaderBlock(&m->header);
	free_RoutingBlock(&m->routing);
	vx_bytes_free(&m->header_der);
	free(m);
}

/* Verify the identity signature over the received HeaderBlock DER. */
static vx_status verify_identity(const vx_msg *m)
{
	vx_pkey *id;
	vx_status st;

	if ((st = vx_pkey_from_asn1(&m->header.identityKey, &id)) != VX_OK)
		return st;
	st = vx_pkey_verify(id, m->header.signAlgorithm.algorithm, m->header_der.data,
	                    m->header_der.len, m->inner.identitySignature.data,
	                    m->inner.identitySignature.length);
	vx_pkey_free(id);
	return st;
}

vx_status vx_msg_open(const uint8_t *wire, size_t len, const vx_pkey *host, vx_msg **out)
{
	int for_host;

	return vx_msg_open_for(wire, len, host, out, &for_host);
}

vx_status vx_msg_open_for(const uint8_t *wire, size_t len, const vx_pkey *host, vx_msg **out,
                          int *for_host)
{
	VortexMessage vm;
	vx_msg *m;
	vx_status st;
	/* each stage frees only what it owns; m's members start zeroed */
	int have_inner = 0, have_c = 0, have_h = 0, have_r = 0;

	*out = NULL;
	*for_host = 0;
	if (!(m = calloc(1, sizeof *m)))
		return VX_ENOMEM;
	if ((st = open_outer(wire, len, host, &vm, &m->mprefix)) != VX_OK) {
		free(m);
		return st;
	}
	*for_host = 1;
	st = open_block(&m->mprefix.key, &vm.innerMessage.u.encrypted, VX_DER_InnerMessageBlock,
	                &m->inner, NULL);
	free_VortexMessage(&vm);
	if (st != VX_OK)
		goto fail;
	have_inner = 1;
	if (m->inner.prefix.element != choice_InnerMessageBlock_prefix_encrypted ||
	    m->inner.identity.element != choice_InnerMessageBlock_identity_encyrpted ||
	    m->inner.routing.element != choice_InnerMessageBlock_routing_encyrpted) {
		st = VX_EUNSUPPORTED;
		goto fail;
	}
	if ((st = open_prefix(host, &m->inner.prefix.u.encrypted, &m->cprefix)) != VX_OK)
		goto fail;
	have_c = 1;
	if ((st = open_block(&m->cprefix.key, &m->inner.identity.u.encyrpted, VX_DER_HeaderBlock,
	                     &m->header, &m->header_der)) != VX_OK)
		goto fail;
	have_h = 1;
	if ((st = open_block(&m->cprefix.key, &m->inner.routing.u.encyrpted, VX_DER_RoutingBlock,
	                     &m->routing, NULL)) != VX_OK)
		goto fail;
	have_r = 1;
	if (m->mprefix.forwardsecret != m->cprefix.forwardsecret ||
	    m->mprefix.forwardsecret != m->header.forwardSecret ||
	    m->mprefix.forwardsecret != m->routing.forwardSecret) {
		st = VX_EFWDSECRET;
		goto fail;
	}
	if ((st = verify_identity(m)) != VX_OK)
		goto fail;
	*out = m;
	return VX_OK;
fail:
	free_prefix(&m->mprefix);
	if (have_c)
		free_prefix(&m->cprefix);
	if (have_inner)
		free_InnerMessageBlock(&m->inner);
	if (have_h)
		free_HeaderBlock(&m->header);
	if (have_r)
		free_RoutingBlock(&m->routing);
	vx_bytes_free(&m->header_der);
	free(m);
	return st;
}

const HeaderBlock *vx_msg_header(const vx_msg *m)
{
	return &m->header;
}

const vx_bytes *vx_msg_header_der(const vx_msg *m)
{
	return &m->header_der;
}

const RoutingBlock *vx_msg_routing(const vx_msg *m)
{
	return &m->routing;
}

const SymmetricKey *vx_msg_peer_key(const vx_msg *m)
{
	return &m->mprefix.key;
}

uint32_t vx_msg_forward_secret(const vx_msg *m)
{
	return m->mprefix.forwardsecret;
}

size_t vx_msg_payload_count(const vx_msg *m)
{
	return m->inner.payload.len;
}

const heim_octet_string *vx_msg_payload(const vx_msg *m, size_t i)
{
	return i < m->inner.payload.len ? &m->inner.payload.val[i] : NULL;
}
