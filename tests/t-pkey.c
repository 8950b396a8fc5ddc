/* t-pkey.c - host keys: encodings, encryption, ECIES, signatures (digests: t-digest.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include "pkey.h"
#include "tap.h"

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

/*
 * ECIES built in the test from the layout in docs/protocol-notes.md, with
 * OpenSSL directly: point || AES-256-CTR (zero IV) || HMAC-SHA-256, keys from
 * the X9.63 KDF (SHA-256) over the ECDH secret z.
 */
static void ecies_compose(const uint8_t *point, size_t plen, const uint8_t *z, size_t zlen,
                          const uint8_t *msg, size_t len, vx_bytes *out)
{
	static const uint8_t iv[16];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL);
	EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, zlen),
	    OSSL_PARAM_construct_end()};
	uint8_t keys[64];
	size_t n;
	int outl;

	if (EVP_KDF_derive(kc, keys, 64, params) <= 0 || vx_bytes_alloc(out, plen + len + 32))
		abort();
	memcpy(out->data, point, plen);
	if (!EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, keys, iv) ||
	    (len && !EVP_EncryptUpdate(c, out->data + plen, &outl, msg, (int)len)) ||
	    !EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, keys + 32, 32, out->data + plen, len,
	               out->data + plen + len, 32, &n))
		abort();
	EVP_CIPHER_CTX_free(c);
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
}

/* The recipient's public key as an OpenSSL key, via its SubjectPublicKeyInfo. */
static EVP_PKEY *openssl_pub(const vx_pkey *k)
{
	AsymmetricKey ak;
	const unsigned char *p;
	EVP_PKEY *pk;

	if (vx_pkey_to_asn1(k, 0, &ak) != VX_OK)
		abort();
	p = ak.publicKey.data;
	pk = d2i_PUBKEY(NULL, &p, (long)ak.publicKey.length);
	free_AsymmetricKey(&ak);
	return pk;
}

/* A ciphertext made independently from the documented layout decrypts. */
static void ecies_layout(const vx_pkey *k, const char *curve)
{
	EVP_PKEY *peer = openssl_pub(k), *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL);
	uint8_t point[200], z[80];
	size_t plen = 0, zlen = sizeof(z);
	vx_bytes ct = {0}, pt = {0};

	if (!peer || !eph || !dc ||
	    !EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
	                                     sizeof(point), &plen) ||
	    EVP_PKEY_derive_init(dc) <= 0 || EVP_PKEY_derive_set_peer(dc, peer) <= 0 ||
	    EVP_PKEY_derive(dc, z, &zlen) <= 0)
		abort();
	ecies_compose(point, plen, z, zlen, (const uint8_t *)"prefix block", 12, &ct);
	ok(vx_pkey_decrypt(k, 0, ct.data, ct.len, &pt) == VX_OK && pt.len == 12 &&
	       !memcmp(pt.data, "prefix block", 12),
	   "%s: ECIES as documented (point || AES-256-CTR || HMAC-SHA-256) decrypts", curve);
	vx_bytes_free(&pt);
	ct.data[0] = 0x06; /* the same point in the hybrid encoding */
	is(vx_pkey_decrypt(k, 0, ct.data, ct.len, &pt), VX_EAUTH,
	   "%s: only the uncompressed point encoding", curve);
	vx_bytes_free(&ct);
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(peer);
}

/*
 * sect409k1 has cofactor 4 and the point (0, 1) of order 2. ECDH with it
 * gives z = x = 0 for every odd private key, so a ciphertext made with z = 0
 * would decrypt and leak the key's parity unless the point is refused.
 */
static void ecies_small_order(void)
{
	uint8_t point[105] = {0x04}, z[52] = {0};
	int accepted = 0;

	point[104] = 1;
	for (int i = 0; i < 8; i++) {
		vx_pkey *k = NULL;
		vx_bytes ct = {0}, pt = {0};

		if (vx_pkey_generate(ec, sect409k1, &k) != VX_OK)
			abort();
		ecies_compose(point, sizeof(point), z, sizeof(z), (const uint8_t *)"x", 1, &ct);
		accepted += vx_pkey_decrypt(k, 0, ct.data, ct.len, &pt) != VX_EAUTH;
		vx_bytes_free(&ct);
		vx_bytes_free(&pt);
		vx_pkey_free(k);
	}
	is(accepted, 0, "sect409k1: a point of order 2 is refused by eight keys");
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

	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 2; j++)
			if (!ok(vx_pkey_generate(kinds[i].alg, kinds[i].param, &keys[i][j]) ==
			            VX_OK,
			        "%s key generated", kinds[i].name))
				return tap_done();
		crypt_checks(keys[i][0], keys[i][1], kinds[i].name);
		sign_checks(keys[i][0], kinds[i].name);
		encoding_checks(keys[i][0], kinds[i].name);
		if (kinds[i].alg == ec)
			ecies_layout(keys[i][0], kinds[i].name);
	}
	ecies_small_order();
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
