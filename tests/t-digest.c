/* t-digest.c - the MAC algorithms of section 5.3 against their published vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int hex_is(const uint8_t *b, size_t n, const char *hex)
{
	char buf[2 * VX_DIGEST_MAX + 1];

	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	return strlen(hex) == 2 * n && !memcmp(buf, hex, 2 * n);
}

#define SHA2_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA2_896                                                                                   \
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"                         \
	"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

/* FIPS 180-2 appendices B-D and the RIPEMD-160 page (Dobbertin, Bosselaers, Preneel). */
static const struct {
	MacAlgorithm alg;
	const char *msg; /* NULL: one million 'a' */
	const char *hex;
} kats[] = {
    {sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {sha256, SHA2_448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {sha256, NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    {sha384, "abc",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
     "8086072ba1e7cc2358baeca134c825a7"},
    {sha384, SHA2_896,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
     "fcc7c71a557e2db966c3e9fa91746039"},
    {sha512, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {sha512, SHA2_896,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
    {ripemd160, "", "9c1185a5c5e9fc54612808977ee8f548b2258d31"},
    {ripemd160, "a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"},
    {ripemd160, "abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
    {ripemd160, "message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"},
    {ripemd160, "abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"},
    {ripemd160, NULL, "52783243c1697bdbe16d37f97f68f08325dc1528"},
};

int main(void)
{
	static const struct {
		MacAlgorithm alg;
		size_t len;
	} lens[] = {{sha256, 32},   {sha384, 48},   {sha512, 64},           {ripemd160, 20},
	            {ripemd256, 0}, {ripemd320, 0}, {(MacAlgorithm)9999, 0}};
	uint8_t *million = malloc(1000000), out[VX_DIGEST_MAX];
	size_t n;

	if (!million)
		return 1;
	memset(million, 'a', 1000000);
	for (size_t i = 0; i < ARRAY_SIZE(kats); i++) {
		const uint8_t *m = kats[i].msg ? (const uint8_t *)kats[i].msg : million;
		size_t len = kats[i].msg ? strlen(kats[i].msg) : 1000000;

		n = 0;
		ok(vx_digest(kats[i].alg, m, len, out, &n) == VX_OK && hex_is(out, n, kats[i].hex),
		   "digest %d of \"%.20s\"", kats[i].alg, kats[i].msg ? kats[i].msg : "a x 10^6");
	}
	free(million);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		is(vx_digest_len(lens[i].alg), lens[i].len, "length of digest %d", lens[i].alg);
		ok((vx_digest_evp(lens[i].alg) != NULL) == (lens[i].len != 0),
		   "OpenSSL digest for %d only when supported", lens[i].alg);
		if (!lens[i].len)
			is(vx_digest(lens[i].alg, (const uint8_t *)"abc", 3, out, &n),
			   VX_EMACUNKNOWN, "digest %d is macAlgorithmUnknown", lens[i].alg);
	}
	return tap_done();
}
