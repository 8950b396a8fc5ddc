/* t-request.c - header requests of authenticated messages (7.2.2-7.2.8), the address book. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "cipher.h"
#include "der.h"
#include "digest.h"
#include "pkey.h"
#include "prng.h"
#include "request.h"
#include "tap.h"

static vx_store *s;
static vx_pkey *host, *ident, *other;
static uint8_t fp[VX_FINGERPRINT_LEN], other_fp[VX_FINGERPRINT_LEN];
static char dir[] = "/tmp/vx-request-XXXXXX";
static char dir2[] = "/tmp/vx-request-XXXXXX";
static const int64_t now = 1800000000;
static const unsigned offsets[] = {0, 256};
static vx_request_policy pol = {100,  16u << 20, 1000, 255, 86400, "node@example.org",
                                NULL, offsets,   2};

/* Answer one header carrying reqs[0..n) for identity id; the reply must survive strict DER. */
static int answer(const HeaderRequest *reqs, unsigned n, const uint8_t *id, SpecialBlock *sb,
                  int *have)
{
	HeaderBlock hb;
	vx_bytes der = {0};
	SpecialBlock back;
	vx_status st;

	memset(&hb, 0, sizeof hb);
	hb.requests.len = n;
	hb.requests.val = (HeaderRequest *)reqs;
	if ((st = vx_request_answer(s, &pol, &hb, id, now, sb, have)) != VX_OK)
		return -(int)st;
	if (!*have)
		return 0;
	if (vx_der_encode(VX_DER_SpecialBlock, sb, &der) != VX_OK ||
	    vx_der_decode(VX_DER_SpecialBlock, der.data, der.len, &back) != VX_OK) {
		vx_bytes_free(&der);
		return -1000;
	}
	free_SpecialBlock(&back);
	vx_bytes_free(&der);
	return sb->element == choice_SpecialBlock_status ? (int)sb->u.status.code : 1;
}

/* The status code (or 1 for a data reply, 0 for none) of a header with one request. */
static int one(const HeaderRequest *rq)
{
	SpecialBlock sb;
	int have, r = answer(rq, 1, fp, &sb, &have);

	if (have)
		free_SpecialBlock(&sb);
	return r;
}

static HeaderRequest msg_quota(unsigned v)
{
	HeaderRequest r = {.element = choice_HeaderRequest_messageQuota};

	r.u.messageQuota.messages = v;
	return r;
}

static HeaderRequest xfer_quota(unsigned v)
{
	HeaderRequest r = {.element = choice_HeaderRequest_transferQuota};

	r.u.transferQuota.size = v;
	return r;
}

static HeaderRequest node_query(int n)
{
	HeaderRequest r = {.element = choice_HeaderRequest_nodeQuery};

	r.u.nodeQuery.numberOfNodes = n;
	return r;
}

static const HeaderRequest quota_query = {.element = choice_HeaderRequest_quotaQuery};
static const HeaderRequest caps = {.element = choice_HeaderRequest_capabilities};
static const HeaderRequest identity_rq = {.element = choice_HeaderRequest_identity};

static vx_identity get(const uint8_t *id)
{
	vx_identity r = {-1, 0, 0, 0};

	vx_store_identity_get(s, id, now, &r);
	return r;
}

static int node(const char *addr, const vx_pkey *key, NodeSpec *out)
{
	BlendingSpec bs;
	int r;

	if (vx_blending_spec_plain(addr, key, NULL, 0, &bs) != VX_OK)
		return -1;
	r = copy_NodeSpec(&bs.target, out);
	free_BlendingSpec(&bs);
	return r;
}

static vx_status add_peer(vx_store *st, const char *addr)
{
	NodeSpec n;
	vx_bytes der = {0};
	vx_status r;

	if (node(addr, NULL, &n))
		return VX_ENOMEM;
	r = vx_der_encode(VX_DER_NodeSpec, &n, &der);
	free_NodeSpec(&n);
	if (r == VX_OK)
		r = vx_store_peer_put(st, der.data, der.len);
	vx_bytes_free(&der);
	return r;
}

static void test_quotas(void)
{
	HeaderRequest rq;
	SpecialBlock sb;
	int have;

	memset(&sb, 0, sizeof sb);
	is(answer(NULL, 0, fp, &sb, &have), 0, "no requests: nothing to answer");
	is(have, 0, "  *have = 0");
	is(answer(&identity_rq, 1, fp, &sb, &have), 0,
	   "identity creation of an authenticated header: ignored (7.1.1)");
	is(have, 0, "  no answer");

	rq = msg_quota(50);
	is(one(&rq), ok, "message quota 2 -> 50 within the maximum: ok");
	is(get(fp).message_quota, 50, "  granted");
	rq = msg_quota(10);
	is(one(&rq), ok, "a lower value: ok (7.2.2)");
	is(get(fp).message_quota, 50, "  nothing changes");
	rq = msg_quota(101);
	is(one(&rq), requestedQuotaOutOfBand, "beyond the maximum: requestedQuotaOutOfBand");
	is(get(fp).message_quota, 50, "  nothing changes");
	rq = msg_quota(100);
	is(one(&rq), ok, "exactly the maximum: ok");
	is(get(fp).message_quota, 100, "  granted");

	rq = xfer_quota(2u << 20);
	is(one(&rq), ok, "transfer quota 1 MiB -> 2 MiB: ok");
	is(get(fp).transfer_quota, 2u << 20, "  granted");
	is(get(fp).message_quota, 100, "  the message quota is untouched");
	rq = xfer_quota(1024);
	is(one(&rq), ok, "a lower transfer value: ok");
	is(get(fp).transfer_quota, 2u << 20, "  nothing changes");
	rq = xfer_quota((16u << 20) + 1);
	is(one(&rq), requestedQuotaOutOfBand, "transfer beyond the maximum: out of band");
	is(get(fp).transfer_quota, 2u << 20, "  nothing changes");

	ok(vx_store_identity_charge(s, fp, 1, 1000, now) == VX_OK,
	   "charge one message, 1000 bytes");
	ok(answer(&quota_query, 1, fp, &sb, &have) == 1 && sb.element == choice_SpecialBlock_quota,
	   "quota query: ReplyCurrentQuota");
	is(sb.u.quota.messages, 99, "  messages left after the charge");
	is(sb.u.quota.size, (2u << 20) - 1000, "  bytes left after the charge");
	free_SpecialBlock(&sb);
	is(get(fp).message_quota, 99, "requests alone cost no quota (7.2)");

	{
		/* one answer per header, every request applied */
		HeaderRequest two[3] = {identity_rq, quota_query, msg_quota(60)};

		ok(answer(two, 3, fp, &sb, &have) == 1 && sb.element == choice_SpecialBlock_quota,
		   "[identity, query, increase]: one reply, to the first answerable request");
		is(sb.u.quota.messages, 99, "  the query sees the quota before the later increase");
		free_SpecialBlock(&sb);
		is(get(fp).message_quota, 99, "  60 < 99: the later increase changes nothing");
		two[2] = msg_quota(90);
		two[1] = msg_quota(100);
		two[0] = quota_query;
		ok(answer(two, 3, fp, &sb, &have) == 1, "[query, increase 100, increase 90]");
		free_SpecialBlock(&sb);
		is(get(fp).message_quota, 100, "  every request applied");
	}

	{
		uint8_t big[VX_FINGERPRINT_LEN];
		vx_identity id = {now + 3600, 1ull << 40, 1ull << 40, 0};

		memset(big, 0xb1, sizeof big);
		vx_store_identity_put(s, big, &id);
		ok(answer(&quota_query, 1, big, &sb, &have) == 1 &&
		       sb.u.quota.messages == UINT32_MAX && sb.u.quota.size == UINT32_MAX,
		   "quotas beyond 32 bits are reported as 4294967295 (the schema's range)");
		free_SpecialBlock(&sb);
		memset(big, 0xb2, sizeof big);
		is(answer(&quota_query, 1, big, &sb, &have), identityUnknown,
		   "a query for an unknown identity: identityUnknown");
		free_SpecialBlock(&sb);
		rq = msg_quota(5);
		is(answer(&rq, 1, big, &sb, &have), identityUnknown,
		   "an increase for an unknown identity: identityUnknown");
		free_SpecialBlock(&sb);
	}
}

static int advertised(const ReplyCapability *c, SymmetricAlgorithm alg, CipherMode mode)
{
	for (unsigned i = 0; i < c->cipher.len; i++) {
		const SymmetricAlgorithmSpec *y = c->cipher.val[i].symmetric;

		if (y && y->algorithm == alg && y->mode && *y->mode == mode)
			return 1;
	}
	return 0;
}

/* Does alg/mode really encrypt and decrypt, without flags? */
static int round_trips(SymmetricAlgorithm alg, CipherMode mode)
{
	static const char msg[] = "thirty-seven bytes of capability test";
	SymmetricKey k;
	vx_bytes ct = {0}, pt = {0};
	int r;

	if (vx_sym_generate(alg, mode, pkcs7, &k) != VX_OK)
		return 0;
	r = vx_sym_encrypt(&k, (const uint8_t *)msg, sizeof msg, 0, &ct) == VX_OK &&
	    vx_sym_decrypt(&k, ct.data, ct.len, 0, &pt) == VX_OK && pt.len == sizeof msg &&
	    !memcmp(pt.data, msg, sizeof msg) && ct.len >= sizeof msg;
	vx_bytes_free(&ct);
	vx_bytes_free(&pt);
	vx_sym_free(&k);
	return r;
}

static void test_capabilities(void)
{
	static const SymmetricAlgorithm algs[] = {aes128,      aes192,      aes256,
	                                          camellia128, camellia192, camellia256,
	                                          twofish128,  twofish192,  twofish256};
	static const CipherMode modes[] = {ecb, cbc, eax, ctr, ccm, gcm, ocb, ofb, modeNone};
	SpecialBlock sb;
	ReplyCapability *c = &sb.u.capabilities;
	unsigned nsym = 0, nasym = 0, agree = 0, all = 0;
	int have;

	ok(answer(&caps, 1, fp, &sb, &have) == 1 && sb.element == choice_SpecialBlock_capabilities,
	   "capabilities: a ReplyCapability that passes the strict DER round trip");
	for (size_t a = 0; a < sizeof algs / sizeof *algs; a++)
		for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
			int adv = advertised(c, algs[a], modes[m]);

			all++;
			agree += adv == round_trips(algs[a], modes[m]);
			nsym += adv;
		}
	is(agree, all,
	   "  a cipher is advertised exactly when it round-trips without flags (%u pairs)", all);
	is(nsym, 8 * 7, "  8 algorithms x 7 modes");
	ok(!advertised(c, twofish192, cbc) && !advertised(c, aes128, ecb) &&
	       !advertised(c, aes256, modeNone),
	   "  not Twofish-192, not ECB, not NONE");
	for (unsigned i = 0; i < c->cipher.len; i++) {
		const CipherSpec *cs = &c->cipher.val[i];
		vx_pkey *k = NULL;

		if (!cs->asymmetric)
			continue;
		if (vx_pkey_generate(cs->asymmetric->algorithm,
		                     cs->asymmetric->parameter &&
		                             cs->asymmetric->parameter->curveType
		                         ? (unsigned)*cs->asymmetric->parameter->curveType
		                         : 2048,
		                     &k) == VX_OK)
			nasym++;
		vx_pkey_free(k);
	}
	is(nasym, 8, "  8 asymmetric entries (RSA, EC on 3 curves; sign and encrypt), each usable");
	is(c->mac.len, 4, "  4 MACs");
	{
		int good = 1;
		uint8_t d[VX_DIGEST_MAX];
		size_t dl;

		for (unsigned i = 0; i < c->mac.len; i++)
			good &=
			    vx_digest(c->mac.val[i], (const uint8_t *)"x", 1, d, &dl) == VX_OK &&
			    c->mac.val[i] != ripemd256 && c->mac.val[i] != ripemd320;
		ok(good, "  each works; no RIPEMD-256/320");
	}
	ok(c->prng.len == 2 && c->prng.val[0] == mrg32k3a && c->prng.val[1] == blumMicali,
	   "  PRNGs: mrg32k3a, blumMicali");
	ok(c->maxMessageQuota == 100 && c->maxTransferQuota == 16u << 20 &&
	       c->maxHeaderSerials == 1000 && c->maxBuildOps == 255 && c->maxHeaderLive == 86400,
	   "  the policy's figures");
	ok(c->supportedBlendingIn.len == 1 &&
	       c->supportedBlendingIn.val[0].blendingType.length == 5 &&
	       !memcmp(c->supportedBlendingIn.val[0].blendingType.data, "plain", 5) &&
	       c->supportedBlendingIn.val[0].parameter.len == 2 &&
	       c->supportedBlendingIn.val[0].parameter.val[1].u.offset == 256 &&
	       c->supportedBlendingIn.val[0].target.recipientKey,
	   "  PLAIN blending at offsets 0 and 256 to the node's address and key");
	free_SpecialBlock(&sb);

	pol.address = NULL;
	ok(answer(&caps, 1, fp, &sb, &have) == 1 && !sb.u.capabilities.supportedBlendingIn.len,
	   "no address: no blending advertised, still valid DER");
	free_SpecialBlock(&sb);
	pol.address = "node@example.org";
}

static void test_nodes(void)
{
	SpecialBlock sb;
	HeaderRequest rq = node_query(3);
	char addr[64];
	int have, seen[7] = {0}, distinct = 1;
	size_t n;

	is(one(&rq), ok, "nodes with an empty address book: status ok");
	ok(add_peer(s, "peer0@example.org") == VX_OK, "one peer added");
	ok(answer(&rq, 1, fp, &sb, &have) == 1 && sb.element == choice_SpecialBlock_nodes &&
	       sb.u.nodes.node.len == 1 &&
	       !memcmp(sb.u.nodes.node.val[0].recipientAddress.data, "peer0@example.org", 17),
	   "three asked, one known: that one");
	free_SpecialBlock(&sb);
	for (int i = 1; i < 7; i++) {
		snprintf(addr, sizeof addr, "peer%d@example.org", i);
		add_peer(s, addr);
	}
	ok(add_peer(s, "peer3@example.org") == VX_OK && vx_store_peer_count(s, &n) == VX_OK &&
	       n == 7,
	   "seven peers; adding one again keeps one entry");
	ok(answer(&rq, 1, fp, &sb, &have) == 1 && sb.u.nodes.node.len == 3,
	   "three asked of seven: three");
	for (unsigned i = 0; i < sb.u.nodes.node.len; i++)
		for (unsigned j = 0; j < i; j++)
			distinct &= strcmp(sb.u.nodes.node.val[i].recipientAddress.data,
			                   sb.u.nodes.node.val[j].recipientAddress.data) != 0;
	ok(distinct, "  distinct");
	free_SpecialBlock(&sb);
	rq = node_query(255);
	ok(answer(&rq, 1, fp, &sb, &have) == 1 && sb.u.nodes.node.len == 5,
	   "255 asked of seven: five (ReplyNodes SIZE 1..5)");
	free_SpecialBlock(&sb);
	rq = node_query(0);
	is(one(&rq), ok, "none asked: status ok");
	rq = node_query(1);
	for (int i = 0; i < 40; i++) {
		if (answer(&rq, 1, fp, &sb, &have) == 1)
			seen[((char *)sb.u.nodes.node.val[0].recipientAddress.data)[4] - '0'] = 1;
		free_SpecialBlock(&sb);
	}
	n = 0;
	for (int i = 0; i < 7; i++)
		n += (size_t)seen[i];
	ok(n >= 3, "one asked, forty times: chosen at random (%zu of 7 seen)", n);
}

struct counter {
	size_t n, stop; /* peers seen; fail when n reaches stop */
};

static vx_status count_peer(const uint8_t *der, size_t len, void *ctx)
{
	struct counter *c = ctx;
	NodeSpec nd;

	if (c->n == c->stop)
		return VX_ELIMIT;
	if (vx_der_decode(VX_DER_NodeSpec, der, len, &nd) != VX_OK)
		return VX_EDECODE;
	free_NodeSpec(&nd);
	c->n++;
	return VX_OK;
}

static void test_store_peers(void)
{
	vx_store_limits lim = {.max_peers = 3};
	vx_store *t;
	NodeSpec nd;
	vx_bytes der = {0};
	size_t n;
	static uint8_t huge[VX_PEER_MAX_DER + 1];

	if (!mkdtemp(dir2) || vx_store_open(dir2, &lim, &t) != VX_OK) {
		ok(0, "second store");
		return;
	}
	ok(add_peer(t, "a@example.org") == VX_OK && add_peer(t, "b@example.org") == VX_OK &&
	       add_peer(t, "c@example.org") == VX_OK,
	   "three peers under a bound of three");
	is(add_peer(t, "d@example.org"), VX_ELIMIT, "a fourth: VX_ELIMIT");
	is(add_peer(t, "a@example.org"), VX_OK, "one already known: fine at the bound");
	is(vx_store_peer_put(t, huge, sizeof huge), VX_ELIMIT,
	   "a record over VX_PEER_MAX_DER: VX_ELIMIT");
	node("b@example.org", NULL, &nd);
	vx_der_encode(VX_DER_NodeSpec, &nd, &der);
	free_NodeSpec(&nd);
	is(vx_store_peer_del(t, der.data, der.len), VX_OK, "delete b");
	is(vx_store_peer_del(t, der.data, der.len), VX_ENOTFOUND, "delete b again: VX_ENOTFOUND");
	vx_bytes_free(&der);
	ok(vx_store_peer_count(t, &n) == VX_OK && n == 2, "two left");
	{
		struct counter all = {0, SIZE_MAX}, one = {0, 1};

		ok(vx_store_peer_each(t, count_peer, &all) == VX_OK && all.n == 2,
		   "vx_store_peer_each visits both, each a NodeSpec");
		ok(vx_store_peer_each(t, count_peer, &one) == VX_ELIMIT && one.n == 1,
		   "  and stops at the callback's first error");
	}
	is(vx_store_peer_put(t, (const uint8_t *)"", 0), VX_EINVAL, "an empty record: VX_EINVAL");
	is(add_peer(t, "d@example.org"), VX_OK, "room for d now");
	{
		vx_bytes out[VX_PEER_MAX_SAMPLE];

		is(vx_store_peer_sample(t, VX_PEER_MAX_SAMPLE + 1, out, &n), VX_EINVAL,
		   "a sample over VX_PEER_MAX_SAMPLE: VX_EINVAL");
		ok(vx_store_peer_sample(t, 10, out, &n) == VX_OK && n == 3,
		   "a sample of ten from three: three");
		for (size_t i = 0; i < n; i++)
			vx_bytes_free(&out[i]);
	}
	{
		/* a record that is not a NodeSpec is left alone and never handed out */
		HeaderRequest rq = node_query(5);
		vx_store *keep = s;
		SpecialBlock sb;
		int have;

		node("d@example.org", NULL, &nd);
		vx_der_encode(VX_DER_NodeSpec, &nd, &der);
		free_NodeSpec(&nd);
		vx_store_peer_del(t, der.data, der.len);
		vx_bytes_free(&der);
		ok(vx_store_peer_put(t, (const uint8_t *)"junk", 4) == VX_OK,
		   "a record that is no NodeSpec");
		s = t;
		ok(answer(&rq, 1, fp, &sb, &have) == 1 && sb.u.nodes.node.len == 2,
		   "  five asked: the two decodable peers, the junk skipped");
		free_SpecialBlock(&sb);
		vx_store_peer_del(t, (const uint8_t *)"junk", 4);
		ok(answer(&rq, 1, fp, &sb, &have) == 1 && sb.u.nodes.node.len == 2,
		   "  and removable");
		free_SpecialBlock(&sb);
		s = keep;
	}
	vx_store_close(t);
	tap_remove_store(dir2);
}

static void test_replace(void)
{
	HeaderRequest rq = {.element = choice_HeaderRequest_replace}, two[2];
	vx_identity before = get(fp), after;
	uint8_t third_fp[VX_FINGERPRINT_LEN];
	vx_pkey *third;
	SpecialBlock sb;
	int have, code;

	node("me@example.org", ident, &rq.u.replace.old);
	node("me@example.net", other, &rq.u.replace.new);

	/* someone else's identity cannot be replaced */
	is(answer(&rq, 1, other_fp, &sb, &have), identityUnknown,
	   "old is not the requester: identityUnknown");
	free_SpecialBlock(&sb);

	two[0] = rq;
	two[1] = quota_query;
	ok(answer(two, 2, fp, &sb, &have) == ok, "replace: ok");
	free_SpecialBlock(&sb);
	after = get(other_fp);
	ok(after.expiry == before.expiry && after.message_quota == before.message_quota &&
	       after.transfer_quota == before.transfer_quota && !after.temporary,
	   "  the record moved to the new key: expiry and quotas");
	is(get(fp).expiry, -1, "  the old fingerprint is gone");
	is(answer(&rq, 1, fp, &sb, &have), identityUnknown,
	   "replace again from the old identity: identityUnknown");
	free_SpecialBlock(&sb);

	/* back again, then a query in the same header sees the new identity */
	free_NodeSpec(&rq.u.replace.old);
	free_NodeSpec(&rq.u.replace.new);
	node("me@example.net", other, &rq.u.replace.old);
	node("me@example.org", ident, &rq.u.replace.new);
	two[0] = rq;
	two[1] = msg_quota(100);
	ok(answer(two, 2, other_fp, &sb, &have) == ok && get(fp).message_quota == 100,
	   "replace back, then an increase in the same header acts on the new identity");
	free_SpecialBlock(&sb);

	is(answer(&rq, 1, fp, &sb, &have), identityUnknown, "old (other) is not the requester");
	free_SpecialBlock(&sb);

	free_NodeSpec(&rq.u.replace.old);
	free_NodeSpec(&rq.u.replace.new);
	node("me@example.org", ident, &rq.u.replace.old);
	node("me@example.org", ident, &rq.u.replace.new);
	is(answer(&rq, 1, fp, &sb, &have), badParameters, "new is the same key: badParameters");
	free_SpecialBlock(&sb);

	/* a live identity is never merged into */
	vx_pkey_generate(ec, secp384r1, &third);
	vx_pkey_fingerprint(third, third_fp);
	vx_store_identity_put(s, third_fp, &(vx_identity){now + 60, 1, 1, 0});
	free_NodeSpec(&rq.u.replace.new);
	node("x@example.org", third, &rq.u.replace.new);
	is(answer(&rq, 1, fp, &sb, &have), badParameters,
	   "new is another live identity: badParameters");
	free_SpecialBlock(&sb);
	is(get(third_fp).message_quota, 1, "  which keeps its own quota");
	is(get(fp).message_quota, 100, "  and the requester keeps its own");

	free(rq.u.replace.new.recipientKey->publicKey.data);
	rq.u.replace.new.recipientKey->publicKey.data = malloc(3);
	memcpy(rq.u.replace.new.recipientKey->publicKey.data, "bad", 3);
	rq.u.replace.new.recipientKey->publicKey.length = 3;
	code = answer(&rq, 1, fp, &sb, &have);
	ok(code > 2000, "a new key that does not parse: a status reply (%d)", code);
	free_SpecialBlock(&sb);

	free_AsymmetricKey(rq.u.replace.new.recipientKey);
	free(rq.u.replace.new.recipientKey);
	rq.u.replace.new.recipientKey = NULL;
	is(answer(&rq, 1, fp, &sb, &have), missingParameters,
	   "new without a key: missingParameters");
	free_SpecialBlock(&sb);
	free_NodeSpec(&rq.u.replace.old);
	free_NodeSpec(&rq.u.replace.new);
	vx_pkey_free(third);
}

static void test_prng(void)
{
	uint8_t seed[24], out[8];
	static const uint8_t mrg_kat[8] = {0xed, 0xcc, 0x83, 0x20, 0x82, 0x05, 0x8b, 0x51};
	vx_prng *r;

	for (int i = 0; i < 6; i++)
		seed[4 * i] = 0, seed[4 * i + 1] = 0, seed[4 * i + 2] = 0x30,
		         seed[4 * i + 3] = 0x39;
	ok(vx_prng_new(mrg32k3a, seed, 24, &r) == VX_OK && vx_prng_bytes(r, out, 3) == VX_OK &&
	       vx_prng_bytes(r, out + 3, 5) == VX_OK && !memcmp(out, mrg_kat, 8),
	   "mrg32k3a, seed 12345 x 6: 545508589 (u = 0.1270111220), 1368065410, little-endian");
	vx_prng_free(r);
	is(vx_prng_new(mrg32k3a, seed, 23, &r), VX_EBADPARAM, "mrg32k3a: 23 seed octets refused");
	memset(seed, 0, 12);
	is(vx_prng_new(mrg32k3a, seed, 24, &r), VX_EBADPARAM,
	   "mrg32k3a: an all-zero triple refused");
	memset(seed, 0xff, 4);
	is(vx_prng_new(mrg32k3a, seed, 24, &r), VX_EBADPARAM,
	   "mrg32k3a: a seed word >= m1 refused");
	ok(vx_prng_new(blumMicali, (const uint8_t *)"\x30\x39", 2, &r) == VX_OK &&
	       vx_prng_bytes(r, out, 2) == VX_OK && out[0] == 0x80 && out[1] == 0xab,
	   "blumMicali, seed 12345: 80 ab");
	vx_prng_free(r);
	is(vx_prng_new(blumMicali, (const uint8_t *)"\0", 1, &r), VX_EBADPARAM,
	   "blumMicali: seed 0 refused");
	is(vx_prng_new(blumMicali, seed, 0, &r), VX_EBADPARAM, "blumMicali: an empty seed refused");
	is(vx_prng_new((PRNGType)999, seed, 24, &r), VX_EPRNGUNKNOWN,
	   "another type: VX_EPRNGUNKNOWN");
}

int main(void)
{
	vx_identity id = {now + 3600, 2, 1 << 20, 0};

	if (!mkdtemp(dir) || vx_store_open(dir, NULL, &s) != VX_OK ||
	    vx_pkey_generate(ec, secp384r1, &host) != VX_OK ||
	    vx_pkey_generate(ec, secp384r1, &ident) != VX_OK ||
	    vx_pkey_generate(ec, secp384r1, &other) != VX_OK ||
	    vx_pkey_fingerprint(ident, fp) != VX_OK ||
	    vx_pkey_fingerprint(other, other_fp) != VX_OK ||
	    vx_store_identity_put(s, fp, &id) != VX_OK)
		return 1;
	pol.key = host;

	test_quotas();
	test_capabilities();
	test_nodes();
	test_store_peers();
	test_replace();
	test_prng();

	vx_pkey_free(host);
	vx_pkey_free(ident);
	vx_pkey_free(other);
	vx_store_close(s);
	tap_remove_store(dir);
	return tap_done();
}
