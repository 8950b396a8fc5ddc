/* request.c - header requests of authenticated messages (7.2.2-7.2.8). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "cipher.h"
#include "der.h"
#include "digest.h"
#include "prng.h"
#include "reply.h"
#include "request.h"

/* The schema's enumerators; what this build supports is asked of each module. */
static const SymmetricAlgorithm SYM_ALGS[] = {aes128,      aes192,      aes256,
                                              camellia128, camellia192, camellia256,
                                              twofish128,  twofish192,  twofish256};
static const CipherMode MODES[] = {ecb, cbc, eax, ctr, ccm, gcm, ocb, ofb, modeNone};
static const MacAlgorithm MACS[] = {sha256, sha384, sha512, ripemd160, ripemd256, ripemd320};
static const PRNGType PRNGS[] = {mrg32k3a, blumMicali};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* core/pkey.c: RSA, and EC on three curves; each signs and encrypts. */
static const struct {
	AsymmetricAlgorithm alg;
	int curve; /* ECCurveType, -1 for none */
} ASYMS[] = {{rsa, -1}, {ec, secp384r1}, {ec, sect409k1}, {ec, secp521r1}};
static const CipherUsage USAGES[] = {sign, encrypt};

static unsigned clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
}

static vx_status add_sym(ReplyCapability *c, SymmetricAlgorithm alg, CipherMode mode)
{
	CipherSpec *cs = &c->cipher.val[c->cipher.len];

	if (!(cs->symmetric = calloc(1, sizeof *cs->symmetric)) ||
	    !(cs->symmetric->mode = malloc(sizeof *cs->symmetric->mode)))
		return VX_ENOMEM;
	c->cipher.len++;
	cs->cipherUsage = encrypt;
	cs->symmetric->algorithm = alg;
	*cs->symmetric->mode = mode;
	return VX_OK;
}

static vx_status add_asym(ReplyCapability *c, AsymmetricAlgorithm alg, int curve, CipherUsage u)
{
	CipherSpec *cs = &c->cipher.val[c->cipher.len];
	AsymmetricAlgorithmSpec *a;

	if (!(a = cs->asymmetric = calloc(1, sizeof *a)))
		return VX_ENOMEM;
	c->cipher.len++;
	cs->cipherUsage = u;
	a->algorithm = alg;
	if (curve < 0)
		return VX_OK;
	if (!(a->parameter = calloc(1, sizeof *a->parameter)) ||
	    !(a->parameter->curveType = malloc(sizeof *a->parameter->curveType)))
		return VX_ENOMEM;
	*a->parameter->curveType = (ECCurveType)curve;
	return VX_OK;
}

vx_status vx_request_capabilities(const vx_request_policy *p, ReplyCapability *out)
{
	size_t ncipher = COUNT(SYM_ALGS) * COUNT(MODES) + COUNT(ASYMS) * COUNT(USAGES);
	vx_status st = VX_ENOMEM;

	memset(out, 0, sizeof *out);
	if (!(out->cipher.val = calloc(ncipher, sizeof *out->cipher.val)) ||
	    !(out->mac.val = calloc(COUNT(MACS), sizeof *out->mac.val)) ||
	    !(out->prng.val = calloc(COUNT(PRNGS), sizeof *out->prng.val)))
		goto fail;
	for (size_t a = 0; a < COUNT(SYM_ALGS); a++)
		for (size_t m = 0; m < COUNT(MODES); m++)
			if (vx_sym_supported(SYM_ALGS[a], MODES[m]) &&
			    (st = add_sym(out, SYM_ALGS[a], MODES[m])) != VX_OK)
				goto fail;
	for (size_t a = 0; a < COUNT(ASYMS); a++)
		for (size_t u = 0; u < COUNT(USAGES); u++)
			if ((st = add_asym(out, ASYMS[a].alg, ASYMS[a].curve, USAGES[u])) != VX_OK)
				goto fail;
	for (size_t m = 0; m < COUNT(MACS); m++)
		if (vx_digest_len(MACS[m]))
			out->mac.val[out->mac.len++] = MACS[m];
	for (size_t r = 0; r < COUNT(PRNGS); r++)
		if (vx_prng_supported(PRNGS[r]))
			out->prng.val[out->prng.len++] = PRNGS[r];
	out->maxTransferQuota = clamp32(p->max_transfer_quota);
	out->maxMessageQuota = clamp32(p->max_message_quota);
	out->maxHeaderSerials = p->max_header_serials;
	out->maxBuildOps = p->max_build_ops;
	out->maxHeaderLive = p->max_header_live;
	if (p->address) {
		st = VX_ENOMEM;
		if (!(out->supportedBlendingIn.val =
		          calloc(1, sizeof *out->supportedBlendingIn.val)))
			goto fail;
		if ((st = vx_blending_spec_plain(p->address, p->key, p->plain_offsets,
		                                 p->nplain_offsets,
		                                 out->supportedBlendingIn.val)) != VX_OK)
			goto fail;
		out->supportedBlendingIn.len = 1;
	}
	return VX_OK;
fail:
	free_ReplyCapability(out);
	memset(out, 0, sizeof *out);
	return st;
}

/* A refusal or acceptance without data: a status block (7.3.1). */
static vx_status status(int want, StatusCode code, SpecialBlock *sb)
{
	return want ? vx_reply_status((int)code, sb) : VX_OK;
}

/*
 * 7.2.2-7.2.4: the value is the new quota. Not above the current one:
 * nothing to do; up to the policy's maximum: granted; beyond: out of band.
 */
static vx_status quota_increase(vx_store *s, const vx_request_policy *p, const uint8_t *fp,
                                int transfer, uint64_t value, int64_t now, int want,
                                SpecialBlock *sb)
{
	vx_identity id;
	vx_status st;

	if ((st = vx_store_identity_get(s, fp, now, &id)) == VX_ENOTFOUND)
		return status(want, identityUnknown, sb);
	if (st != VX_OK)
		return st;
	if (value <= (transfer ? id.transfer_quota : id.message_quota))
		return status(want, ok, sb);
	if (value > (transfer ? p->max_transfer_quota : p->max_message_quota))
		return status(want, requestedQuotaOutOfBand, sb);
	st = vx_store_identity_raise(s, fp, transfer ? 0 : value, transfer ? value : 0, now);
	if (st == VX_ENOTFOUND)
		return status(want, identityUnknown, sb);
	return st == VX_OK ? status(want, ok, sb) : st;
}

/* 7.2.5: the quotas left, clamped to the schema's 32-bit range. */
static vx_status quota_query(vx_store *s, const uint8_t *fp, int64_t now, int want,
                             SpecialBlock *sb)
{
	vx_identity id;
	vx_status st;

	if (!want)
		return VX_OK;
	if ((st = vx_store_identity_get(s, fp, now, &id)) == VX_ENOTFOUND)
		return status(want, identityUnknown, sb);
	if (st != VX_OK)
		return st;
	memset(sb, 0, sizeof *sb);
	sb->element = choice_SpecialBlock_quota;
	sb->u.quota.messages = clamp32(id.message_quota);
	sb->u.quota.size = clamp32(id.transfer_quota);
	return VX_OK;
}

/*
 * 7.2.7: min(asked, 5, known) peers of the address book, chosen at random;
 * none asked or none known is "ok" (7.2.7 allows a "No Error" reply).
 */
static vx_status nodes(vx_store *s, int asked, int want, SpecialBlock *sb)
{
	vx_bytes der[VX_REQUEST_MAX_NODES];
	size_t n = 0, max = asked < VX_REQUEST_MAX_NODES ? (size_t)asked : VX_REQUEST_MAX_NODES;
	ReplyNodes *rn = &sb->u.nodes;
	vx_status st;

	if (!want)
		return VX_OK;
	if (asked <= 0)
		return status(want, ok, sb);
	if ((st = vx_store_peer_sample(s, max, der, &n)) != VX_OK)
		return st;
	memset(sb, 0, sizeof *sb);
	sb->element = choice_SpecialBlock_nodes;
	if (n && !(rn->node.val = calloc(n, sizeof *rn->node.val)))
		st = VX_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		/* a record that does not decode is skipped and left alone */
		if (st == VX_OK && vx_der_decode(VX_DER_NodeSpec, der[i].data, der[i].len,
		                                 &rn->node.val[rn->node.len]) == VX_OK)
			rn->node.len++;
		vx_bytes_free(&der[i]);
	}
	if (st != VX_OK || !rn->node.len) {
		free_SpecialBlock(sb);
		memset(sb, 0, sizeof *sb);
		return st != VX_OK ? st : status(want, ok, sb);
	}
	return VX_OK;
}

static vx_status key_fingerprint(const AsymmetricKey *ak, uint8_t fp[VX_FINGERPRINT_LEN])
{
	vx_pkey *k;
	vx_status st;

	if ((st = vx_pkey_from_asn1(ak, &k)) != VX_OK)
		return st;
	st = vx_pkey_fingerprint(k, fp);
	vx_pkey_free(k);
	return st;
}

/*
 * 7.2.8: an identity replaces only itself. When old names the requester,
 * its record (expiry, quotas) moves to new's key; cur follows it, so the
 * header's later requests act on the new identity.
 */
static vx_status replace(vx_store *s, const HeaderRequestReplaceIdentity *r, uint8_t *cur,
                         int64_t now, int want, SpecialBlock *sb)
{
	uint8_t oldfp[VX_FINGERPRINT_LEN], newfp[VX_FINGERPRINT_LEN];
	vx_status st;

	if (!r->old.recipientKey || !r->new.recipientKey)
		return status(want, missingParameters, sb);
	if ((st = key_fingerprint(r->old.recipientKey, oldfp)) != VX_OK ||
	    (st = key_fingerprint(r->new.recipientKey, newfp)) != VX_OK) {
		if (st == VX_ENOMEM)
			return st;
		return status(want, (StatusCode)vx_status_code(st), sb);
	}
	if (memcmp(oldfp, cur, VX_FINGERPRINT_LEN))
		return status(want, identityUnknown, sb);
	st = vx_store_identity_move(s, cur, newfp, now);
	if (st == VX_ENOTFOUND)
		return status(want, identityUnknown, sb);
	if (st == VX_EINVAL) /* new is the old key or someone else's live identity */
		return status(want, badParameters, sb);
	if (st != VX_OK)
		return st;
	memcpy(cur, newfp, VX_FINGERPRINT_LEN);
	return status(want, ok, sb);
}

vx_status vx_request_answer(vx_store *s, const vx_request_policy *p, const HeaderBlock *hb,
                            const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now, SpecialBlock *reply,
                            int *have)
{
	uint8_t cur[VX_FINGERPRINT_LEN];
	vx_status st = VX_OK;

	memset(reply, 0, sizeof *reply);
	*have = 0;
	memcpy(cur, fp, sizeof cur);
	for (unsigned i = 0; i < hb->requests.len && st == VX_OK; i++) {
		const HeaderRequest *rq = &hb->requests.val[i];
		/* one answer per header: the reply combo is one path (7.2) */
		int want = !*have;

		switch (rq->element) {
		case choice_HeaderRequest_identity: /* ignored when authenticated (7.1.1) */
			continue;
		case choice_HeaderRequest_capabilities:
			if (want) {
				memset(reply, 0, sizeof *reply);
				reply->element = choice_SpecialBlock_capabilities;
				st = vx_request_capabilities(p, &reply->u.capabilities);
			}
			break;
		case choice_HeaderRequest_messageQuota:
			st = quota_increase(s, p, cur, 0, rq->u.messageQuota.messages, now, want,
			                    reply);
			break;
		case choice_HeaderRequest_transferQuota:
			st = quota_increase(s, p, cur, 1, rq->u.transferQuota.size, now, want,
			                    reply);
			break;
		case choice_HeaderRequest_quotaQuery:
			st = quota_query(s, cur, now, want, reply);
			break;
		case choice_HeaderRequest_nodeQuery:
			st = nodes(s, rq->u.nodeQuery.numberOfNodes, want, reply);
			break;
		case choice_HeaderRequest_replace:
			st = replace(s, &rq->u.replace, cur, now, want, reply);
			break;
		default: /* a CHOICE the decoder let through but we do not know */
			if (want)
				st = vx_reply_status(badParameters, reply);
			break;
		}
		if (st == VX_OK && want)
			*have = 1;
	}
	if (st != VX_OK) {
		free_SpecialBlock(reply);
		memset(reply, 0, sizeof *reply);
		*have = 0;
	}
	return st;
}
