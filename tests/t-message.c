/* t-message.c - sealing, assembling and opening Vortex messages. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "cipher.h"
#include "message.h"
#include "routing.h"
#include "special.h"
#include "tap.h"
#include "workspace.h"

static vx_pkey *host_rsa, *host_ec, *ident;

static void keys(void)
{
	if (!ok(vx_pkey_generate(rsa, 2048, &host_rsa) == VX_OK, "RSA-2048 host key") ||
	    !ok(vx_pkey_generate(ec, secp384r1, &host_ec) == VX_OK, "EC secp384r1 host key") ||
	    !ok(vx_pkey_generate(ec, secp384r1, &ident) == VX_OK, "EC identity key"))
		exit(tap_done());
}

static void test_padding(void)
{
	vx_bytes c[4] = {{0}};
	uint8_t pad[VX_MSG_PADDING_LEN], pad2[VX_MSG_PADDING_LEN], want[48] = {0};

	vx_bytes_set(&c[0], "0123456789abcdefXYZ", 19);
	vx_bytes_set(&c[1], "short", 5);
	vx_bytes_set(&c[3], "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
	memcpy(want, "0123456789abcdef", 16);
	memcpy(want + 16, "short", 5);
	memcpy(want + 32, "ABCDEFGHIJKLMNOP", 16);
	ok(vx_msg_padding(c, 4, pad) == VX_OK, "padding computed");
	ok(!memcmp(pad, want, 48), "padding: first 16 bytes of the non-empty chunks, zero-filled");
	vx_msg_padding(c, 4, pad2);
	ok(memcmp(pad + 48, pad2 + 48, 16),
	   "padding: missing fourth chunk gets fresh random bytes");
	for (int i = 0; i < 4; i++)
		vx_bytes_free(&c[i]);
}

/* Seal a hop to host carrying one combo that does nothing. */
static vx_hop sealed_hop(const vx_pkey *host)
{
	vx_hop h = {.host = host, .identity = ident, .serial = 42, .max_replays = 3};

	ok(vx_hop_seal(&h) == VX_OK, "hop sealed");
	return h;
}

static void test_round_trip(const vx_pkey *host, const char *what)
{
	vx_hop h = sealed_hop(host);
	vx_bytes chunks[3] = {{0}}, wire = {0};
	vx_msg *m = NULL;

	vx_bytes_set(&chunks[0], "first chunk", 11);
	vx_bytes_set(&chunks[2], "third chunk, the second is empty", 32);
	ok(vx_hop_message(&h, chunks, 3, &wire) == VX_OK, "%s: message assembled", what);
	int for_host = 0;
	if (ok(vx_msg_open_for(wire.data, wire.len, host, &m, &for_host) == VX_OK && for_host,
	       "%s: opened, for this host", what)) {
		const HeaderBlock *hb = vx_msg_header(m);

		is(hb->serial, 42, "%s: serial", what);
		is(hb->maxReplays, 3, "%s: maxReplays", what);
		is(vx_msg_forward_secret(m), h.fs, "%s: forward secret", what);
		is(vx_msg_payload_count(m), 3, "%s: three chunks", what);
		ok(vx_msg_payload(m, 0)->length == 11 &&
		       !memcmp(vx_msg_payload(m, 0)->data, "first chunk", 11),
		   "%s: chunk 1", what);
		is(vx_msg_payload(m, 1)->length, 0, "%s: chunk 2 empty", what);
		ok(vx_msg_payload(m, 2)->length == 32, "%s: chunk 3", what);
		ok(vx_msg_payload(m, 3) == NULL, "%s: no chunk 4", what);
		is(vx_msg_routing(m)->routing.u.plain.len, 0, "%s: no combos", what);
		ok(vx_msg_peer_key(m)->key.length == h.peer_key.key.length &&
		       !memcmp(vx_msg_peer_key(m)->key.data, h.peer_key.key.data,
		               h.peer_key.key.length),
		   "%s: peer key recovered", what);
		vx_msg_free(m);
	}
	/* another host's key finds nothing, and costs no crash */
	ok(vx_msg_open_for(wire.data, wire.len, host == host_rsa ? host_ec : host_rsa, &m,
	                   &for_host) != VX_OK &&
	       !for_host && !m,
	   "%s: wrong host key refused, not for that host", what);
	/* every truncation is refused */
	int bad = 0;
	for (size_t n = 0; n < wire.len; n += 1 + n / 8)
		bad += vx_msg_open(wire.data, n, host, &m) == VX_OK;
	is(bad, 0, "%s: truncated messages refused", what);
	/* a flipped byte anywhere in the encrypted inner block is refused */
	wire.data[wire.len - 20] ^= 1;
	ok(vx_msg_open(wire.data, wire.len, host, &m) != VX_OK, "%s: tampered message refused",
	   what);
	vx_bytes_free(&wire);
	for (int i = 0; i < 3; i++)
		vx_bytes_free(&chunks[i]);
	vx_hop_clear(&h);
}

/* Assemble from parts whose forward secrets or signature are wrong. */
static void test_mismatch(void)
{
	vx_hop a = sealed_hop(host_ec), b = sealed_hop(host_ec);
	vx_bytes wire = {0}, chunk = {0};
	vx_msg_parts p = {
	    .mprefix = a.mprefix.data,
	    .mprefix_len = a.mprefix.len,
	    .peer_key = &a.peer_key,
	    .cprefix = a.cprefix.data,
	    .cprefix_len = a.cprefix.len,
	    .header = a.header.data,
	    .header_len = a.header.len,
	    .routing = a.routing.data,
	    .routing_len = a.routing.len,
	    .payload = &chunk,
	    .npayload = 1,
	};
	vx_msg *m = NULL;

	vx_bytes_set(&chunk, "x", 1);
	/* b's CPREFIX carries b's sender key and forward secret */
	p.cprefix = b.cprefix.data;
	p.cprefix_len = b.cprefix.len;
	p.header = b.header.data;
	p.header_len = b.header.len;
	p.routing = b.routing.data;
	p.routing_len = b.routing.len;
	ok(vx_msg_assemble(&p, &wire) == VX_OK, "mixed parts assemble");
	is(vx_msg_open(wire.data, wire.len, host_ec, &m), VX_EFWDSECRET,
	   "forward secret mismatch detected");
	vx_bytes_free(&wire);

	/* a's parts, but the signature's last byte flipped */
	vx_bytes hdr = {0};
	vx_bytes_set(&hdr, a.header.data, a.header.len);
	hdr.data[hdr.len - 1] ^= 0x55;
	p.cprefix = a.cprefix.data;
	p.cprefix_len = a.cprefix.len;
	p.header = hdr.data;
	p.header_len = hdr.len;
	p.routing = a.routing.data;
	p.routing_len = a.routing.len;
	ok(vx_msg_assemble(&p, &wire) == VX_OK, "parts with a bad signature assemble");
	is(vx_msg_open(wire.data, wire.len, host_ec, &m), VX_ESIGNATURE, "bad signature detected");
	vx_bytes_free(&wire);
	/* garbage instead of a sealed header */
	p.header = (const uint8_t *)"\x04\x01x";
	p.header_len = 3;
	ok(vx_msg_assemble(&p, &wire) != VX_OK, "malformed sealed header refused");
	vx_bytes_free(&hdr);
	vx_bytes_free(&chunk);
	vx_hop_clear(&a);
	vx_hop_clear(&b);
}

/* A combo encrypts ID 0 into ID 1 and sends the next hop's message. */
static void test_combo(void)
{
	vx_hop next = sealed_hop(host_rsa);
	SymmetricKey k;
	PayloadOperation op;
	RoutingCombo c;
	vx_workspace *ws = NULL;
	vx_combo_out out;
	vx_msg *m = NULL;
	vx_bytes plain = {0};
	const char *text = "\\special is how this message starts";

	vx_sym_generate(camellia256, cbc, pkcs7, &k);
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_encryptPayload;
	op.u.encryptPayload.originalId = 0;
	op.u.encryptPayload.key = k;
	op.u.encryptPayload.newId = 1;
	ok(vx_hop_combo(&next, NULL, &op, 1, 0, 60, &c) == VX_OK, "combo built");
	ok(vx_ws_new(1 << 20, &ws) == VX_OK, "workspace");
	ok(vx_routing_put_user(ws, (const uint8_t *)text, strlen(text), 0) == VX_OK,
	   "user message placed at ID 0");
	ok(vx_combo_run(&c, ws, &out) == VX_OK, "combo ran");
	is(out.built, 1, "one chunk built");
	is(out.failed, 0, "no operation failed");
	ok(vx_msg_open(out.wire.data, out.wire.len, host_rsa, &m) == VX_OK,
	   "next hop opens the assembled message");
	if (m) {
		const heim_octet_string *ch = vx_msg_payload(m, 0);
		vx_payload_kind kind;
		vx_bytes user = {0};

		ok(ch && vx_sym_decrypt(&k, ch->data, ch->length, 0, &plain) == VX_OK,
		   "chunk decrypts with the combo's key");
		ok(vx_special_classify(plain.data, plain.len, &kind, &user, NULL) == VX_OK &&
		       kind == VX_PAYLOAD_USER && user.len == strlen(text) &&
		       !memcmp(user.data, text, user.len),
		   "escaped user content comes back unescaped, not as a special block");
		is(plain.len, strlen(text) + 1, "escaping doubled the one backslash");
		vx_bytes_free(&user);
		vx_msg_free(m);
	}
	vx_combo_out_free(&out);
	/* a combo whose operation fails builds nothing and reports it */
	c.assembly.val[0].u.encryptPayload.originalId = 77;
	ok(vx_combo_run(&c, ws, &out) == VX_OK && out.built == 0 && out.failed == 1,
	   "failing operation skipped, nothing sent");
	vx_combo_out_free(&out);
	vx_bytes_free(&plain);
	vx_ws_free(ws);
	free_RoutingCombo(&c);
	free_SymmetricKey(&k);
	vx_hop_clear(&next);
}

static void test_special(void)
{
	SpecialBlock sb, back;
	vx_bytes enc = {0}, user = {0};
	vx_payload_kind kind;

	memset(&sb, 0, sizeof sb);
	sb.element = choice_SpecialBlock_status;
	sb.u.status.code = puzzleRequired;
	ok(vx_special_encode(&sb, &enc) == VX_OK, "special block encoded");
	ok(enc.len > 8 && !memcmp(enc.data, "\\special", 8), "starts with \\special");
	ok(vx_special_classify(enc.data, enc.len, &kind, &user, &back) == VX_OK &&
	       kind == VX_PAYLOAD_SPECIAL && back.element == choice_SpecialBlock_status &&
	       back.u.status.code == puzzleRequired,
	   "special block recognised and decoded");
	free_SpecialBlock(&back);
	enc.data[enc.len - 1] ^= 0xff;
	ok(vx_special_classify(enc.data, 9, &kind, &user, &back) != VX_OK,
	   "truncated special block refused");
	vx_bytes_free(&enc);
	ok(vx_special_classify((const uint8_t *)"plain text", 10, &kind, &user, NULL) == VX_OK &&
	       kind == VX_PAYLOAD_USER && user.len == 10,
	   "ordinary content passes unchanged");
	vx_bytes_free(&user);
	ok(vx_special_classify((const uint8_t *)"\\\\special\\x", 11, &kind, &user, NULL) != VX_OK,
	   "escaped content with a lone backslash refused");
}

int main(void)
{
	keys();
	test_padding();
	test_round_trip(host_rsa, "RSA host");
	test_round_trip(host_ec, "EC host");
	test_mismatch();
	test_combo();
	test_special();
	vx_pkey_free(host_rsa);
	vx_pkey_free(host_ec);
	vx_pkey_free(ident);
	return tap_done();
}
