/* t-nodespec.c - smtpAlternateSpec / vortexsmtp:// addresses (section 2.1.2.1). */
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "nodespec.h"
#include "pkey.h"
#include "tap.h"

/*
 * Known answers computed independently (Python's base64 over DER written
 * by hand): AsymmetricKey { keyType ec, publicKey "abc" } is
 * 30 0b 0a 02 08 98 a2 05 04 03 61 62 63; with "abcd" it is 14 bytes.
 */
#define KEY_ABC  "MAsKAgiYogUEA2FiYw=="
#define KEY_ABCD "MAwKAgiYogYEBGFiY2Q="

static void known_answer(void)
{
	AsymmetricKey k = {0}, back;
	uint8_t priv = 0x78;
	heim_octet_string pv = {1, &priv};
	vx_bytes s = {0}, email = {0};

	k.keyType = ec;
	k.publicKey.data = "abc";
	k.publicKey.length = 3;
	k.privateKey = &pv; /* must not leak into the address */
	ok(vx_nodespec_format("alice.b@example.org", &k, &s) == VX_OK &&
	       !strcmp((char *)s.data, "alice.b.." KEY_ABC "..example.org@localhost") &&
	       s.len == strlen((char *)s.data),
	   "format: known answer, private part dropped");
	vx_bytes_free(&s);
	ok(vx_nodespec_format_url("alice.b@example.org", &k, &s) == VX_OK &&
	       !strcmp((char *)s.data, "vortexsmtp://alice.b.." KEY_ABC "..example.org@localhost"),
	   "format_url: known answer");
	vx_bytes_free(&s);

	const char *a = "bob.." KEY_ABCD "..mail.example.com@localhost";
	ok(vx_nodespec_parse(a, strlen(a), &email, &back) == VX_OK, "parse: one '=' of padding");
	ok(email.data && !strcmp((char *)email.data, "bob@mail.example.com") && email.len == 20,
	   "parse: email");
	ok(back.keyType == ec && back.publicKey.length == 4 &&
	       !memcmp(back.publicKey.data, "abcd", 4) && !back.privateKey,
	   "parse: key (padding bytes not counted)");
	free_AsymmetricKey(&back);
	vx_bytes_free(&email);
	a = "vortexsmtp://bob.." KEY_ABC "..example.com@LOCALHOST";
	ok(vx_nodespec_parse(a, strlen(a), NULL, &back) == VX_OK && back.publicKey.length == 3,
	   "parse: URL form, two '=' of padding, localhost in capitals");
	free_AsymmetricKey(&back);
}

static void real_key(void)
{
	vx_pkey *pk = NULL, *pk2 = NULL;
	AsymmetricKey ak, back;
	vx_bytes s = {0}, email = {0};
	NodeSpec ns;

	if (!ok(vx_pkey_generate(ec, secp384r1, &pk) == VX_OK &&
	            vx_pkey_to_asn1(pk, 1, &ak) == VX_OK,
	        "a secp384r1 key with private part")) {
		vx_pkey_free(pk);
		return;
	}
	ok(vx_nodespec_format_url("x+tag@node1.example", &ak, &s) == VX_OK, "format a real key");
	ok(s.data && !strchr((char *)s.data + strlen(VX_SMTP_URL_SCHEME), ':'),
	   "no ':' after the scheme");
	ok(vx_nodespec_parse((char *)s.data, s.len, &email, &back) == VX_OK, "parse it back");
	ok(email.data && !strcmp((char *)email.data, "x+tag@node1.example"), "same email");
	ok(!back.privateKey && back.keyType == ec && back.publicKey.length == ak.publicKey.length &&
	       !memcmp(back.publicKey.data, ak.publicKey.data, ak.publicKey.length),
	   "same public key, no private key");
	ok(vx_pkey_from_asn1(&back, &pk2) == VX_OK && vx_pkey_equal(pk, pk2),
	   "the parsed key imports as the same key");
	free_AsymmetricKey(&back);
	ok(vx_nodespec_parse_node((char *)s.data, s.len, &ns) == VX_OK &&
	       ns.transportProtocol == smtp && ns.recipientAddress.length == 19 &&
	       !memcmp(ns.recipientAddress.data, "x+tag@node1.example", 19) && ns.recipientKey &&
	       !ns.recipientKey->privateKey,
	   "parse_node: smtp NodeSpec");
	free_NodeSpec(&ns);
	vx_bytes_free(&email);
	vx_bytes_free(&s);
	free_AsymmetricKey(&ak);
	vx_pkey_free(pk);
	vx_pkey_free(pk2);
}

static void rejections(void)
{
	static const struct {
		const char *addr;
		vx_status want;
		const char *why;
	} bad[] = {
	    {"\"a b\".." KEY_ABC "..example.org@localhost", VX_EINVAL, "quoted local part"},
	    {"alice." KEY_ABC "..example.org@localhost", VX_EINVAL, "one '..' missing"},
	    {"alice" KEY_ABC "example.org@localhost", VX_EINVAL, "no '..' at all"},
	    {".." KEY_ABC "..example.org@localhost", VX_EINVAL, "empty local part"},
	    {"alice.." KEY_ABC "..@localhost", VX_EINVAL, "empty domain"},
	    {"alice....example.org@localhost", VX_EINVAL, "empty key"},
	    {"alice.." KEY_ABC "..example.org@example.org", VX_EINVAL, "not @localhost"},
	    {"alice.." KEY_ABC "..example.org", VX_EINVAL, "no @localhost"},
	    {"alice.." KEY_ABC "..exa_mple.org@localhost", VX_EINVAL, "bad domain"},
	    {"alice.." KEY_ABC "..exa..mple.org@localhost", VX_EINVAL, "'..' in the domain"},
	    {".alice.." KEY_ABC "..example.org@localhost", VX_EINVAL, "leading dot"},
	    {"al@ce.." KEY_ABC "..example.org@localhost", VX_EINVAL, "'@' in the local part"},
	    {"alice..MAsKAgiYogUEA2FiYw=..example.org@localhost", VX_EINVAL,
	     "base64 not a multiple of 4"},
	    {"alice..MAsKAgiYogUEA2Fi!w==..example.org@localhost", VX_EINVAL,
	     "bad base64 character"},
	    {"alice..MAsKAgiYogUEA2FiYx==..example.org@localhost", VX_EINVAL,
	     "non-zero bits in the padding"},
	    {"alice..MAsKAgiYog=EA2FiYw==..example.org@localhost", VX_EINVAL, "'=' inside"},
	    {"alice..MAsKAgiYogUEA2FiY===..example.org@localhost", VX_EINVAL, "three '='"},
	    {"alice..MAsKAgiYogUEA2FiYw-_..example.org@localhost", VX_EINVAL, "URL-safe alphabet"},
	    {"alice..aGVsbG8=..example.org@localhost", VX_EDECODE, "base64 of non-DER"},
	    {"alice..MAsKAgiYogUEA2FiYwA=..example.org@localhost", VX_ETRAILING,
	     "DER with a trailing byte"},
	    {"alice..MBAKAgiYogUEA2FiY6MDBAF4..example.org@localhost", VX_EINVAL,
	     "an address carrying a private key"},
	    {"vortexsmtp:/alice.." KEY_ABC "..example.org@localhost", VX_EINVAL, "broken scheme"},
	    {"", VX_EINVAL, "empty"},
	};
	AsymmetricKey k = {0};
	vx_bytes s = {0}, e = {0};
	char *big;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		vx_status st = vx_nodespec_parse(bad[i].addr, strlen(bad[i].addr), &e, &k);

		is(st, bad[i].want, "rejects %s", bad[i].why);
		ok(!e.data && !k.publicKey.data, "  nothing returned for %s", bad[i].why);
	}
	const char nul[] = "alice.." KEY_ABC "..exa\0mple.org@localhost";
	is(vx_nodespec_parse(nul, sizeof nul - 1, NULL, NULL), VX_EINVAL, "rejects a NUL byte");
	big = malloc(20001);
	memset(big, 'a', 20000);
	memcpy(big + 20000 - 10, "@localhost", 10);
	is(vx_nodespec_parse(big, 20000, NULL, NULL), VX_EINVAL, "rejects a 20000-byte address");
	free(big);

	k.keyType = ec;
	k.publicKey.data = "abc";
	k.publicKey.length = 3;
	static const char *bad_email[] = {"noat",       "a@",         "@b",        "a..b@c",
	                                  "\"q\"@c",    "a@b@c",      "a b@c",     "a@c..d",
	                                  "a@-x_y.org", "a.@example", "a@.example"};
	for (size_t i = 0; i < sizeof bad_email / sizeof *bad_email; i++) {
		is(vx_nodespec_format(bad_email[i], &k, &s), VX_EINVAL, "format rejects '%s'",
		   bad_email[i]);
		ok(!s.data, "  no output for '%s'", bad_email[i]);
	}
}

int main(void)
{
	known_answer();
	real_key();
	rejections();
	return tap_done();
}
