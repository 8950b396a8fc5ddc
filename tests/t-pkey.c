/* t-pkey.c - host keys: encodings, encryption, ECIES, signatures; digests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "pkey.h"
#include "tap.h"

static int hex_is(const uint8_t *b, size_t n, const char *hex)
{
	char buf[2 * VX_DIGEST_MAX + 1];

	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	return strlen(hex) == 2 * n && !memcmp(buf, hex, 2 * n);
}

static void test_digest(void)
{
	static const struct {
		MacAlgorithm alg;
		const char *hex;
	} kat[] = {
	    {sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	             "8086072ba1e7cc2358baeca134c825a7"},
	    {sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	             "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	    {ripemd160, "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
	};
	uint8_t out[VX_DIGEST_MAX];
	size_t n;

	for (size_t i = 0; i < sizeof kat / sizeof *kat; i++)
		ok(vx_digest(kat[i].alg, (const uint8_t *)"abc", 3, out, &n) == VX_OK &&
		       hex_is(out, n, kat[i].hex) && n == vx_digest_len(kat[i].alg),
		   "digest %d of \"abc\" (FIPS 180-2 / RIPEMD-160 paper)", kat[i].alg);
	is(vx_digest(ripemd256, (const uint8_t *)"abc", 3, out, &n), VX_EMACUNKNOWN,
	   "RIPEMD-256 is not supported");
	is(vx_digest_len(ripemd320), 0, "RIPEMD-320 has no length");
}

static void crypt_checks(vx_pkey *k, vx_pkey *other, const char *what)
{
	static const size_t lens[] = {1, 100, 190};
	uint8_t msg[200];
	int pads = vx_pkey_algorithm(k) == rsa ? 2 : 1;

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	for (int pad = 0; pad < pads; pad++)
		for (size_t l = 0; l < 3; l++) {
			vx_bytes ct = {0}, pt = {0};

			ok(vx_pkey_encrypt(k, pad, msg, lens[l], &ct) == VX_OK &&
			       ct.len == vx_pkey_ciphertext_len(k, lens[l]) &&
			       vx_pkey_decrypt(k, pad, ct.data, ct.len, &pt) == VX_OK &&
			       pt.len == lens[l] && !memcmp(pt.data, msg, lens[l]),
			   "%s%s: %zu bytes round trip", what,
			   pads == 2 ? (pad ? " OAEP" : " PKCS#1") : "", lens[l]);
			vx_bytes_free(&pt);
			is(vx_pkey_decrypt(other, pad, ct.data, ct.len, &pt), VX_EAUTH,
			   "%s: another key cannot decrypt", what);
			ct.data[ct.len / 2] ^= 0x10;
			ok(vx_pkey_decrypt(k, pad, ct.data, ct.len, &pt) != VX_OK,
			   "%s: a flipped byte is refused", what);
			vx_bytes_free(&pt);
			ok(vx_pkey_decrypt(k, pad, ct.data, ct.len - 1, &pt) != VX_OK,
			   "%s: a truncated ciphertext is refused", what);
			vx_bytes_free(&ct);
		}
}

static void sign_checks(vx_pkey *k, const char *what)
{
	static const MacAlgorithm macs[] = {sha256, sha384, sha512, ripemd160};
	uint8_t msg[64] = "the header block";

	for (size_t i = 0; i < 4; i++) {
		vx_bytes sig = {0};

		ok(vx_pkey_sign(k, macs[i], msg, sizeof msg, &sig) == VX_OK &&
		       vx_pkey_verify(k, macs[i], msg, sizeof msg, sig.data, sig.len) == VX_OK,
		   "%s: sign and verify with MAC %d", what, macs[i]);
		msg[3] ^= 1;
		is(vx_pkey_verify(k, macs[i], msg, sizeof msg, sig.data, sig.len), VX_ESIGNATURE,
		   "%s: a changed message does not verify", what);
		msg[3] ^= 1;
		vx_bytes_free(&sig);
	}
	vx_bytes sig = {0};
	is(vx_pkey_sign(k, ripemd320, msg, 1, &sig), VX_EMACUNKNOWN, "%s: RIPEMD-320 refused",
	   what);
}

static void encoding_checks(vx_pkey *k, const char *what)
{
	vx_bytes pub = {0}, priv = {0}, again = {0};
	vx_pkey *p = NULL, *q = NULL;

	ok(vx_pkey_to_der(k, 0, &pub) == VX_OK &&
	       vx_pkey_from_der(pub.data, pub.len, &p) == VX_OK && !vx_pkey_has_private(p) &&
	       vx_pkey_equal(k, p),
	   "%s: public AsymmetricKey round trip", what);
	ok(vx_pkey_to_der(k, 1, &priv) == VX_OK &&
	       vx_pkey_from_der(priv.data, priv.len, &q) == VX_OK && vx_pkey_has_private(q) &&
	       vx_pkey_to_der(q, 1, &again) == VX_OK && again.len == priv.len &&
	       !memcmp(again.data, priv.data, priv.len),
	   "%s: private AsymmetricKey (PKCS#8) round trip", what);
	if (p) {
		vx_bytes out = {0};
		uint8_t fp1[32], fp2[32];

		is(vx_pkey_decrypt(p, 0, (const uint8_t *)"x", 1, &out), VX_EINVAL,
		   "%s: a public key cannot decrypt", what);
		is(vx_pkey_sign(p, sha256, (const uint8_t *)"x", 1, &out), VX_EINVAL,
		   "%s: a public key cannot sign", what);
		ok(vx_pkey_fingerprint(k, fp1) == VX_OK && vx_pkey_fingerprint(p, fp2) == VX_OK &&
		       !memcmp(fp1, fp2, 32),
		   "%s: fingerprint of the public part", what);
	}
	int bad = 0;
	vx_pkey_free(q);
	for (size_t n = 0; n < pub.len; n += 1 + n / 4) {
		bad += vx_pkey_from_der(pub.data, n, &q) == VX_OK;
		vx_pkey_free(q);
	}
	q = NULL;
	is(bad, 0, "%s: truncated key DER refused", what);
	vx_pkey_free(p);
	vx_pkey_free(q);
	vx_bytes_free(&pub);
	vx_bytes_free(&priv);
	vx_bytes_free(&again);
}

int main(void)
{
	static const struct {
		AsymmetricAlgorithm alg;
		unsigned param;
		const char *name;
	} kinds[] = {{rsa, 2048, "RSA-2048"},
	             {ec, secp384r1, "secp384r1"},
	             {ec, sect409k1, "sect409k1"},
	             {ec, secp521r1, "secp521r1"}};
	vx_pkey *keys[4][2];

	test_digest();
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 2; j++)
			if (!ok(vx_pkey_generate(kinds[i].alg, kinds[i].param, &keys[i][j]) ==
			            VX_OK,
			        "%s key generated", kinds[i].name))
				return tap_done();
		crypt_checks(keys[i][0], keys[i][1], kinds[i].name);
		sign_checks(keys[i][0], kinds[i].name);
		encoding_checks(keys[i][0], kinds[i].name);
	}
	vx_pkey *k;
	is(vx_pkey_generate(rsa, 1024, &k), VX_EBADPARAM, "RSA-1024 refused");
	is(vx_pkey_generate(ec, 9999, &k), VX_EBADPARAM, "an unknown curve refused");
	is(vx_pkey_generate(dsa, 2048, &k), VX_EASYMUNKNOWN, "DSA refused");
	/* keyType must match the key inside */
	AsymmetricKey ak;
	vx_pkey_to_asn1(keys[1][0], 0, &ak);
	ak.keyType = rsa;
	is(vx_pkey_from_asn1(&ak, &k), VX_EBADPARAM, "keyType rsa on an EC key refused");
	ak.keyType = ntru;
	is(vx_pkey_from_asn1(&ak, &k), VX_EASYMUNKNOWN, "keyType ntru refused");
	free_AsymmetricKey(&ak);
	/* private half of another key */
	AsymmetricKey a2, mix;
	vx_pkey_to_asn1(keys[1][0], 0, &mix);
	vx_pkey_to_asn1(keys[1][1], 1, &a2);
	mix.privateKey = a2.privateKey;
	is(vx_pkey_from_asn1(&mix, &k), VX_EBADPARAM, "halves of two different keys refused");
	mix.privateKey = NULL;
	free_AsymmetricKey(&mix);
	free_AsymmetricKey(&a2);
	is(vx_pkey_from_der((const uint8_t *)"\x30\x03\x02\x01\x00", 5, &k), VX_EDECODE,
	   "garbage DER refused");
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 2; j++)
			vx_pkey_free(keys[i][j]);
	return tap_done();
}
