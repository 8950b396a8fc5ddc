/* t-der.c - the checked DER layer: round trips, strictness, constraints. */
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "tap.h"

static uint8_t keybytes[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                               17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static SymmetricKey sym(size_t keylen)
{
	SymmetricKey k;

	memset(&k, 0, sizeof k);
	k.keyType = aes256;
	k.key.data = keybytes;
	k.key.length = keylen;
	return k;
}

/* encode -> checked decode -> encode gives the same bytes; every truncation fails */
static void round_trip(vx_der_type t, const void *v, const char *what)
{
	vx_bytes a = {0}, b = {0};
	void *back = calloc(1, vx_der_size(t));
	size_t bad = 0;

	if (!ok(vx_der_encode(t, v, &a) == VX_OK, "%s: encoded", what))
		goto out;
	if (ok(vx_der_decode(t, a.data, a.len, back) == VX_OK, "%s: decoded", what)) {
		ok(vx_der_encode(t, back, &b) == VX_OK && b.len == a.len &&
		       !memcmp(a.data, b.data, a.len),
		   "%s: re-encoded byte for byte", what);
		vx_der_free(t, back);
	}
	for (size_t n = 0; n < a.len; n++)
		bad += vx_der_decode(t, a.data, n, back) == VX_OK;
	is(bad, 0, "%s: all %zu truncations refused", what, a.len);
	ok(vx_der_detect(a.data, a.len) != VX_DER_TYPE_MAX, "%s: detected as %s", what,
	   vx_der_name(vx_der_detect(a.data, a.len)) ? vx_der_name(vx_der_detect(a.data, a.len))
	                                             : "nothing");
	/* trailing garbage */
	uint8_t *longer = malloc(a.len + 1);
	memcpy(longer, a.data, a.len);
	longer[a.len] = 0;
	is(vx_der_decode(t, longer, a.len + 1, back), VX_ETRAILING, "%s: trailing byte refused",
	   what);
	free(longer);
out:
	vx_bytes_free(&a);
	vx_bytes_free(&b);
	free(back);
}

static void test_operations(void)
{
	SymmetricKey keys[2] = {sym(32), sym(16)};
	PayloadOperation op;
	const char *names[] = {"",
	                       "splitPayload",
	                       "mergePayload",
	                       "encryptPayload",
	                       "decryptPayload",
	                       "addRedundancy",
	                       "removeRedundancy",
	                       "map"};

	for (int e = choice_PayloadOperation_splitPayload; e <= choice_PayloadOperation_map; e++) {
		memset(&op, 0, sizeof op);
		op.element = e;
		switch (e) {
		case choice_PayloadOperation_splitPayload:
			op.u.splitPayload.firstSize.size.element = choice_SizeBlock_size_absolute;
			op.u.splitPayload.firstSize.size.u.absolute.toAbsolute = -4294967295LL;
			op.u.splitPayload.newFirstId = 1;
			op.u.splitPayload.newSecondId = 32767;
			break;
		case choice_PayloadOperation_mergePayload:
			op.u.mergePayload.newId = 5;
			break;
		case choice_PayloadOperation_encryptPayload:
			op.u.encryptPayload.key = keys[0];
			op.u.encryptPayload.newId = 2;
			break;
		case choice_PayloadOperation_decryptPayload:
			op.u.decryptPayload.key = keys[1];
			op.u.decryptPayload.newId = 2;
			break;
		case choice_PayloadOperation_addRedundancy:
		case choice_PayloadOperation_removeRedundancy:
			op.u.addRedundancy.dataStripes = 4;
			op.u.addRedundancy.redundancy = 2;
			op.u.addRedundancy.keys.len = 2;
			op.u.addRedundancy.keys.val = keys;
			op.u.addRedundancy.outputId = 1;
			op.u.addRedundancy.gfSize = 16;
			break;
		case choice_PayloadOperation_map:
			op.u.map.originalId = 40000 % 32768;
			op.u.map.newId = 0;
			break;
		}
		round_trip(VX_DER_PayloadOperation, &op, names[e]);
	}
	/* the percent alternative of SizeBlock */
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_splitPayload;
	op.u.splitPayload.firstSize.size.element = choice_SizeBlock_size_percent;
	op.u.splitPayload.firstSize.size.u.percent.toPercent = 30;
	op.u.splitPayload.newFirstId = op.u.splitPayload.newSecondId = 1;
	round_trip(VX_DER_PayloadOperation, &op, "split by percent");
	/* addRedundancy with one key: the dropped SIZE (2..512) is enforced */
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_addRedundancy;
	op.u.addRedundancy.dataStripes = op.u.addRedundancy.redundancy = 1;
	op.u.addRedundancy.keys.len = 1;
	op.u.addRedundancy.keys.val = keys;
	op.u.addRedundancy.outputId = 1;
	op.u.addRedundancy.gfSize = 8;
	vx_bytes der = {0};
	PayloadOperation back;
	vx_der_encode(VX_DER_PayloadOperation, &op, &der);
	is(vx_der_decode(VX_DER_PayloadOperation, der.data, der.len, &back), VX_ERANGE,
	   "addRedundancy with one key refused");
	vx_bytes_free(&der);
}

static void test_keys(void)
{
	SymmetricKey k = sym(32), back;
	vx_bytes der = {0};

	round_trip(VX_DER_SymmetricKey, &k, "SymmetricKey");
	k = sym(8);
	vx_der_encode(VX_DER_SymmetricKey, &k, &der);
	is(vx_der_decode(VX_DER_SymmetricKey, der.data, der.len, &back), VX_ERANGE,
	   "an 8-byte key is below SIZE(16..512)");
	vx_bytes_free(&der);
	/* a non-minimal length form of a valid key is not DER */
	k = sym(16);
	vx_der_encode(VX_DER_SymmetricKey, &k, &der);
	uint8_t *ber = malloc(der.len + 1);
	ber[0] = der.data[0];
	ber[1] = 0x81;
	memcpy(ber + 2, der.data + 1, der.len - 1);
	ok(der.data[1] < 0x80 &&
	       vx_der_decode(VX_DER_SymmetricKey, ber, der.len + 1, &back) == VX_EDECODE,
	   "long-form length for a short value refused (BER, not DER)");
	free(ber);
	der.data[0] = 0x31;
	is(vx_der_decode(VX_DER_SymmetricKey, der.data, der.len, &back), VX_EDECODE,
	   "wrong outer tag refused");
	vx_bytes_free(&der);
}

static void test_requests(void)
{
	HeaderRequest r;
	const char *names[] = {
	    "",           "identity",  "capabilities", "messageQuota", "transferQuota",
	    "quotaQuery", "nodeQuery", "replace"};
	char addr[] = "vortex@node1.test";

	for (int e = choice_HeaderRequest_identity; e <= choice_HeaderRequest_replace; e++) {
		memset(&r, 0, sizeof r);
		r.element = e;
		if (e == choice_HeaderRequest_replace) {
			r.u.replace.old.recipientAddress.data = addr;
			r.u.replace.old.recipientAddress.length = strlen(addr);
			r.u.replace.new.recipientAddress = r.u.replace.old.recipientAddress;
		}
		if (e == choice_HeaderRequest_nodeQuery)
			r.u.nodeQuery.numberOfNodes = 255;
		if (e == choice_HeaderRequest_messageQuota)
			r.u.messageQuota.messages = 4294967295u;
		round_trip(VX_DER_HeaderRequest, &r, names[e]);
	}
	/* the empty SEQUENCE of HeaderRequestQuota is 30 00 on the wire */
	vx_bytes der = {0};
	memset(&r, 0, sizeof r);
	r.element = choice_HeaderRequest_quotaQuery;
	vx_der_encode(VX_DER_HeaderRequest, &r, &der);
	ok(der.len == 4 && !memcmp(der.data, "\xa4\x02\x30\x00", 4),
	   "quotaQuery encodes as [4] { 30 00 }");
	vx_bytes_free(&der);
}

static void test_special(void)
{
	SpecialBlock s;
	RequirementBlock req[2];
	NodeSpec nodes[6];
	CipherSpec ciphers[2];
	MacAlgorithm macs[2] = {sha256, ripemd160};
	PRNGType prngs[2] = {mrg32k3a, blumMicali};
	char addr[] = "n@x";
	uint8_t real[] = {0x80, 0x01, 0x01}; /* a binary REAL: 1 x 2^1 */

	memset(req, 0, sizeof req);
	memset(nodes, 0, sizeof nodes);
	memset(ciphers, 0, sizeof ciphers);
	for (int i = 0; i < 6; i++)
		nodes[i].recipientAddress = (heim_ia5_string){strlen(addr), addr};
	req[0].element = choice_RequirementBlock_puzzle;
	req[0].u.puzzle.identifier = 7;
	req[1].element = choice_RequirementBlock_payment;
	req[1].u.payment.ammount = (heim_octet_string){sizeof real, real};
	req[1].u.payment.currency = btc;
	for (int e = choice_SpecialBlock_capabilities; e <= choice_SpecialBlock_status; e++) {
		memset(&s, 0, sizeof s);
		s.element = e;
		if (e == choice_SpecialBlock_capabilities) {
			s.u.capabilities.cipher = (struct ReplyCapability_cipher){2, ciphers};
			s.u.capabilities.mac = (struct ReplyCapability_mac){2, macs};
			s.u.capabilities.prng = (struct ReplyCapability_prng){2, prngs};
		}
		if (e == choice_SpecialBlock_requirement)
			s.u.requirement = (struct SpecialBlock_requirement){2, req};
		if (e == choice_SpecialBlock_nodes)
			s.u.nodes.node = (struct ReplyNodes_node){5, nodes};
		if (e == choice_SpecialBlock_status)
			s.u.status.code = hostError;
		round_trip(VX_DER_SpecialBlock, &s, vx_der_name(VX_DER_SpecialBlock));
	}
	/* REAL travels as an opaque tag-9 value */
	vx_bytes der = {0};
	vx_der_encode(VX_DER_RequirementBlock, &req[1], &der);
	ok(memmem(der.data, der.len, "\x09\x03\x80\x01\x01", 5) != NULL,
	   "the REAL amount keeps its universal tag 9");
	vx_bytes_free(&der);
	/* six nodes exceed ReplyNodes' SIZE (1..5) */
	SpecialBlock back;
	memset(&s, 0, sizeof s);
	s.element = choice_SpecialBlock_nodes;
	s.u.nodes.node = (struct ReplyNodes_node){6, nodes};
	vx_der_encode(VX_DER_SpecialBlock, &s, &der);
	is(vx_der_decode(VX_DER_SpecialBlock, der.data, der.len, &back), VX_ERANGE,
	   "six nodes in ReplyNodes refused");
	vx_bytes_free(&der);
}

static void test_messages(void)
{
	VortexMessage vm;
	InnerMessageBlock im;
	heim_octet_string chunks[128];
	uint8_t blob[40] = {0x42};
	vx_bytes der = {0};

	memset(&vm, 0, sizeof vm);
	vm.prefix.element = choice_VortexMessage_prefix_encrypted;
	vm.prefix.u.encrypted = (heim_octet_string){sizeof blob, blob};
	vm.innerMessage.element = choice_VortexMessage_innerMessage_encrypted;
	vm.innerMessage.u.encrypted = (heim_octet_string){sizeof blob, blob};
	round_trip(VX_DER_VortexMessage, &vm, "VortexMessage (encrypted forms)");
	vm.prefix.element = choice_VortexMessage_prefix_plain;
	memset(&vm.prefix.u.plain, 0, sizeof vm.prefix.u.plain);
	vm.prefix.u.plain.key = sym(16);
	round_trip(VX_DER_VortexMessage, &vm, "VortexMessage (plain prefix)");

	memset(&im, 0, sizeof im);
	memset(chunks, 0, sizeof chunks);
	im.prefix.element = choice_InnerMessageBlock_prefix_encrypted;
	im.identity.element = choice_InnerMessageBlock_identity_encyrpted;
	im.routing.element = choice_InnerMessageBlock_routing_encyrpted;
	im.payload.len = 127;
	im.payload.val = chunks;
	round_trip(VX_DER_InnerMessageBlock, &im, "InnerMessageBlock with 127 chunks");
	InnerMessageBlock back;
	im.payload.len = 128;
	vx_der_encode(VX_DER_InnerMessageBlock, &im, &der);
	is(vx_der_decode(VX_DER_InnerMessageBlock, der.data, der.len, &back), VX_ERANGE,
	   "128 payload chunks exceed maxPayloadBlocks");
	vx_bytes_free(&der);

	RoutingBlock rb;
	memset(&rb, 0, sizeof rb);
	rb.routing.element = choice_RoutingBlock_routing_encrypted;
	rb.routing.u.encrypted.len = 2;
	rb.routing.u.encrypted.val = chunks;
	round_trip(VX_DER_RoutingBlock, &rb, "RoutingBlock (encrypted combos)");
	rb.routing.element = choice_RoutingBlock_routing_plain;
	rb.routing.u.plain.len = 0;
	round_trip(VX_DER_RoutingBlock, &rb, "RoutingBlock (plain combos)");
}

static void test_blocks(void)
{
	uint8_t blob[20] = {7}, key[64];
	SymmetricKey sk = sym(32);
	AsymmetricKey ak;
	BlendingParameter params[4];
	BlendingSpec bs;
	RoutingCombo rc;
	HeaderBlock hb;
	InnerMessageBlock im;
	PayloadOperation op;
	time_t nb = 1700000000, na = 1800000000;
	char addr[] = "vortex@node1.test", plain[] = "plain";

	memset(key, 0x33, sizeof key);
	memset(&ak, 0, sizeof ak);
	ak.keyType = ec;
	ak.publicKey = (heim_octet_string){sizeof key, key};
	ak.privateKey = &(heim_octet_string){sizeof blob, blob};
	round_trip(VX_DER_AsymmetricKey, &ak, "AsymmetricKey with private part");

	memset(params, 0, sizeof params);
	params[0].element = choice_BlendingParameter_offset;
	params[0].u.offset = 4294967295u;
	params[1].element = choice_BlendingParameter_symmetricKey;
	params[1].u.symmetricKey = sk;
	params[2].element = choice_BlendingParameter_asymmetricKey;
	params[2].u.asymmetricKey = ak;
	params[3].element = choice_BlendingParameter_passphrase;
	params[3].u.passphrase = (heim_octet_string){sizeof blob, blob};
	memset(&bs, 0, sizeof bs);
	bs.target.transportProtocol = smtp;
	bs.target.recipientAddress = (heim_ia5_string){strlen(addr), addr};
	bs.target.recipientKey = &ak;
	bs.blendingType = (heim_ia5_string){strlen(plain), plain};
	bs.parameter.len = 4;
	bs.parameter.val = params;
	round_trip(VX_DER_BlendingSpec, &bs, "BlendingSpec with all four parameter kinds");
	round_trip(VX_DER_NodeSpec, &bs.target, "NodeSpec");

	UsagePeriod up = {&nb, &na};
	round_trip(VX_DER_UsagePeriod, &up, "UsagePeriod with both times");

	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_map;
	op.u.map.originalId = 1;
	op.u.map.newId = 2;
	memset(&rc, 0, sizeof rc);
	rc.minProcessTime = 0;
	rc.maxProcessTime = 86400;
	rc.messageKey = &sk;
	rc.recipient = &bs;
	rc.mPrefix = rc.cPrefix = rc.header = rc.routing = &(heim_octet_string){sizeof blob, blob};
	rc.assembly.len = 1;
	rc.assembly.val = &op;
	rc.validity = up;
	rc.id = &(unsigned){42};
	round_trip(VX_DER_RoutingCombo, &rc, "RoutingCombo with every field");

	memset(&hb, 0, sizeof hb);
	hb.identityKey = ak;
	hb.serial = 4294967295u;
	hb.maxReplays = 127;
	hb.valid = up;
	hb.forwardSecret = 4294967295u;
	hb.signAlgorithm.algorithm = sha384;
	hb.requestReplyBlock = rc;
	hb.identifier = &(heim_octet_string){16, key};
	hb.proofOfWork = &(heim_octet_string){sizeof blob, blob};
	round_trip(VX_DER_HeaderBlock, &hb, "HeaderBlock with puzzle fields");
	/* a 17-byte puzzle identifier exceeds PuzzleIdentifier's SIZE (0..16) */
	vx_bytes der = {0};
	HeaderBlock back;
	hb.identifier = &(heim_octet_string){17, key};
	vx_der_encode(VX_DER_HeaderBlock, &hb, &der);
	is(vx_der_decode(VX_DER_HeaderBlock, der.data, der.len, &back), VX_ERANGE,
	   "17-byte puzzle identifier refused");
	vx_bytes_free(&der);
	hb.identifier = NULL;

	/* the plain (debug) alternatives of InnerMessageBlock */
	RoutingBlock rb;
	memset(&rb, 0, sizeof rb);
	rb.routing.element = choice_RoutingBlock_routing_plain;
	rb.routing.u.plain.len = 1;
	rb.routing.u.plain.val = &rc;
	rb.forwardSecret = 9;
	rb.replyBlock = &(struct RoutingBlock_replyBlock){rc, 3, up};
	round_trip(VX_DER_RoutingBlock, &rb, "RoutingBlock with a reply block");
	memset(&im, 0, sizeof im);
	im.prefix.element = choice_InnerMessageBlock_prefix_plain;
	im.prefix.u.plain.key = sk;
	im.identity.element = choice_InnerMessageBlock_identity_plain;
	im.identity.u.plain = hb;
	im.routing.element = choice_InnerMessageBlock_routing_plain;
	im.routing.u.plain = rb;
	round_trip(VX_DER_InnerMessageBlock, &im, "InnerMessageBlock, plain alternatives");

	MemoryPayloadChunk mc = {32767, {sizeof blob, blob}, up};
	round_trip(VX_DER_MemoryPayloadChunk, &mc, "MemoryPayloadChunk");
	IdentityStoreBlock isb;
	memset(&isb, 0, sizeof isb);
	isb.valid = up;
	isb.identity = &ak;
	isb.routingBlocks = &(struct IdentityStoreBlock_routingBlocks){1, &rb};
	IdentityStore store = {{1, &isb}};
	round_trip(VX_DER_IdentityStore, &store, "IdentityStore");
}

static void test_ranges(void)
{
	/* hand-made DER: PercentSizeBlock inside a split with toPercent = 101 */
	PayloadOperation op, back;
	vx_bytes der = {0};

	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_splitPayload;
	op.u.splitPayload.firstSize.size.element = choice_SizeBlock_size_percent;
	op.u.splitPayload.firstSize.size.u.percent.toPercent = 50;
	op.u.splitPayload.newFirstId = op.u.splitPayload.newSecondId = 1;
	vx_der_encode(VX_DER_PayloadOperation, &op, &der);
	/* the INTEGER 50 (02 01 32) becomes 101 (02 01 65) */
	uint8_t *p = memmem(der.data, der.len, "\x02\x01\x32", 3);
	if (ok(p != NULL, "percent found in the encoding")) {
		p[2] = 101;
		ok(vx_der_decode(VX_DER_PayloadOperation, der.data, der.len, &back) != VX_OK,
		   "toPercent 101 outside INTEGER (0..100) refused");
		p[2] = 0x32;
	}
	/* newFirstId 0 is outside INTEGER (1..maxID) */
	p = memmem(der.data, der.len, "\x02\x01\x01", 3);
	if (ok(p != NULL, "ID found in the encoding")) {
		p[2] = 0;
		ok(vx_der_decode(VX_DER_PayloadOperation, der.data, der.len, &back) != VX_OK,
		   "newFirstId 0 outside INTEGER (1..65535) refused");
	}
	vx_bytes_free(&der);
	/* ids reach the shared workspace (asn1/README item 9), and no further */
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_map;
	op.u.map = (MapBlockOperation){65535, 32768};
	round_trip(VX_DER_PayloadOperation, &op, "map between shared-workspace ids");
	op.u.map.originalId = 65536;
	vx_der_encode(VX_DER_PayloadOperation, &op, &der);
	is(vx_der_decode(VX_DER_PayloadOperation, der.data, der.len, &back), VX_ERANGE,
	   "id 65536 beyond maxWorkspaceId refused");
	vx_bytes_free(&der);
}

static void test_names(void)
{
	is(vx_der_lookup("headerblock"), VX_DER_HeaderBlock, "type names are looked up");
	is(vx_der_lookup("NoSuchType"), VX_DER_TYPE_MAX, "unknown names are refused");
	is(vx_der_detect((const uint8_t *)"\x30\x00", 2), VX_DER_UsagePeriod,
	   "30 00 is an empty UsagePeriod");
	is(vx_der_detect((const uint8_t *)"\xff\xff", 2), VX_DER_TYPE_MAX, "garbage: no type");
}

int main(void)
{
	test_operations();
	test_keys();
	test_requests();
	test_special();
	test_messages();
	test_blocks();
	test_ranges();
	test_names();
	return tap_done();
}
