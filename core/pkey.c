/* pkey.c - host identity keys, prefix encryption and signatures (OpenSSL 3). */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "der.h"
#include "digest.h"
#include "pkey.h"

struct vx_pkey {
	EVP_PKEY *pk;
	AsymmetricAlgorithm alg;
	int priv;
};

#define RSA_MIN_BITS 2048
/* ECIES: ephemeral point || AES-256-CTR ciphertext || HMAC-SHA-256 tag */
#define ECIES_TAG 32

static const struct {
	ECCurveType type;
	const char *name;
} curves[] = {
    {secp384r1, "secp384r1"},
    {sect409k1, "sect409k1"},
    {secp521r1, "secp521r1"},
};

static const char *curve_name(unsigned type)
{
	for (size_t i = 0; i < sizeof curves / sizeof *curves; i++)
		if (curves[i].type == type)
			return curves[i].name;
	return NULL;
}

/* Accept only the key types and sizes the spec names (5.2). */
static vx_status check_key(EVP_PKEY *pk, AsymmetricAlgorithm *alg)
{
	char group[64];

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		*alg = rsa;
		return EVP_PKEY_get_bits(pk) >= RSA_MIN_BITS ? VX_OK : VX_EBADPARAM;
	case EVP_PKEY_EC:
		*alg = ec;
		if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                    sizeof group, NULL))
			return VX_EBADPARAM;
		for (size_t i = 0; i < sizeof curves / sizeof *curves; i++)
			if (!strcmp(group, curves[i].name))
				return VX_OK;
		return VX_EBADPARAM;
	default:
		return VX_EASYMUNKNOWN;
	}
}

static vx_status wrap(EVP_PKEY *pk, int priv, vx_pkey **out)
{
	vx_pkey *k;
	AsymmetricAlgorithm alg;
	vx_status st;

	if ((st = check_key(pk, &alg)) != VX_OK) {
		EVP_PKEY_free(pk);
		return st;
	}
	if (!(k = calloc(1, sizeof *k))) {
		EVP_PKEY_free(pk);
		return VX_ENOMEM;
	}
	k->pk = pk;
	k->alg = alg;
	k->priv = priv;
	*out = k;
	return VX_OK;
}

vx_status vx_pkey_generate(AsymmetricAlgorithm alg, unsigned param, vx_pkey **out)
{
	EVP_PKEY *pk = NULL;

	*out = NULL;
	if (alg == rsa) {
		if (param < RSA_MIN_BITS || param > 16384)
			return VX_EBADPARAM;
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)param);
	} else if (alg == ec) {
		const char *name = curve_name(param);

		if (!name)
			return VX_EBADPARAM;
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", name);
	} else {
		return VX_EASYMUNKNOWN;
	}
	if (!pk) {
		ERR_clear_error();
		return VX_ECRYPTO;
	}
	return wrap(pk, 1, out);
}

void vx_pkey_free(vx_pkey *k)
{
	if (k) {
		EVP_PKEY_free(k->pk);
		free(k);
	}
}

int vx_pkey_has_private(const vx_pkey *k)
{
	return k->priv;
}

AsymmetricAlgorithm vx_pkey_algorithm(const vx_pkey *k)
{
	return k->alg;
}

unsigned vx_pkey_bits(const vx_pkey *k)
{
	return (unsigned)EVP_PKEY_get_bits(k->pk);
}

/* i2d output into a fresh heim_octet_string. */
static vx_status spki(const vx_pkey *k, heim_octet_string *os)
{
	unsigned char *buf = NULL;
	int n = i2d_PUBKEY(k->pk, &buf);

	if (n <= 0) {
		ERR_clear_error();
		return VX_ECRYPTO;
	}
	if (!(os->data = malloc((size_t)n))) {
		OPENSSL_free(buf);
		return VX_ENOMEM;
	}
	memcpy(os->data, buf, (size_t)n);
	os->length = (size_t)n;
	OPENSSL_free(buf);
	return VX_OK;
}

static vx_status pkcs8(const vx_pkey *k, heim_octet_string *os)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pk);
	unsigned char *buf = NULL;
	int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &buf) : -1;
	vx_status st = VX_OK;

	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0) {
		ERR_clear_error();
		return VX_ECRYPTO;
	}
	if ((os->data = malloc((size_t)n)))
		memcpy(os->data, buf, (size_t)n), os->length = (size_t)n;
	else
		st = VX_ENOMEM;
	OPENSSL_clear_free(buf, (size_t)n);
	return st;
}

vx_status vx_pkey_to_asn1(const vx_pkey *k, int with_private, AsymmetricKey *ak)
{
	vx_status st;

	memset(ak, 0, sizeof *ak);
	if (with_private && !k->priv)
		return VX_EINVAL;
	ak->keyType = k->alg;
	if ((st = spki(k, &ak->publicKey)) != VX_OK)
		return st;
	if (with_private) {
		if (!(ak->privateKey = calloc(1, sizeof *ak->privateKey)))
			st = VX_ENOMEM;
		else
			st = pkcs8(k, ak->privateKey);
	}
	if (st != VX_OK) {
		if (ak->privateKey && ak->privateKey->data)
			OPENSSL_cleanse(ak->privateKey->data, ak->privateKey->length);
		free_AsymmetricKey(ak);
		memset(ak, 0, sizeof *ak);
	}
	return st;
}

vx_status vx_pkey_from_asn1(const AsymmetricKey *ak, vx_pkey **out)
{
	const unsigned char *p;
	EVP_PKEY *pub, *priv = NULL;
	vx_status st;
	vx_pkey *k;

	*out = NULL;
	if (ak->keyType != rsa && ak->keyType != ec)
		return VX_EASYMUNKNOWN;
	p = ak->publicKey.data;
	if (!(pub = d2i_PUBKEY(NULL, &p, (long)ak->publicKey.length)) ||
	    p != (const unsigned char *)ak->publicKey.data + ak->publicKey.length) {
		EVP_PKEY_free(pub);
		ERR_clear_error();
		return VX_EBADPARAM;
	}
	if (ak->privateKey) {
		PKCS8_PRIV_KEY_INFO *p8;

		p = ak->privateKey->data;
		p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)ak->privateKey->length);
		if (p8 && p == (const unsigned char *)ak->privateKey->data + ak->privateKey->length)
			priv = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
		/* both halves must be the same key */
		if (!priv || EVP_PKEY_eq(pub, priv) != 1) {
			EVP_PKEY_free(pub);
			EVP_PKEY_free(priv);
			ERR_clear_error();
			return VX_EBADPARAM;
		}
		EVP_PKEY_free(pub);
		pub = priv;
	}
	if ((st = wrap(pub, ak->privateKey != NULL, &k)) != VX_OK)
		return st;
	if (k->alg != ak->keyType) {
		vx_pkey_free(k);
		return VX_EBADPARAM;
	}
	*out = k;
	return VX_OK;
}

vx_status vx_pkey_to_der(const vx_pkey *k, int with_private, vx_bytes *der)
{
	AsymmetricKey ak;
	vx_status st;

	if ((st = vx_pkey_to_asn1(k, with_private, &ak)) != VX_OK)
		return st;
	st = vx_der_encode(VX_DER_AsymmetricKey, &ak, der);
	if (ak.privateKey && ak.privateKey->data)
		OPENSSL_cleanse(ak.privateKey->data, ak.privateKey->length);
	free_AsymmetricKey(&ak);
	return st;
}

vx_status vx_pkey_from_der(const uint8_t *der, size_t len, vx_pkey **out)
{
	AsymmetricKey ak;
	vx_status st;

	*out = NULL;
	if ((st = vx_der_decode(VX_DER_AsymmetricKey, der, len, &ak)) != VX_OK)
		return st;
	st = vx_pkey_from_asn1(&ak, out);
	if (ak.privateKey && ak.privateKey->data)
		OPENSSL_cleanse(ak.privateKey->data, ak.privateKey->length);
	free_AsymmetricKey(&ak);
	return st;
}

vx_status vx_pkey_fingerprint(const vx_pkey *k, uint8_t fp[32])
{
	unsigned char *buf = NULL;
	int n = i2d_PUBKEY(k->pk, &buf);
	vx_status st = VX_OK;

	if (n <= 0 || !EVP_Digest(buf, (size_t)n, fp, NULL, EVP_sha256(), NULL))
		st = VX_ECRYPTO;
	OPENSSL_free(buf);
	ERR_clear_error();
	return st;
}

int vx_pkey_equal(const vx_pkey *a, const vx_pkey *b)
{
	int eq = EVP_PKEY_eq(a->pk, b->pk) == 1;

	ERR_clear_error();
	return eq;
}

/* The encoded (uncompressed) public point of an EC key. */
static size_t point_len(EVP_PKEY *pk)
{
	size_t n = 0;

	if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0, &n))
		n = 0;
	return n;
}

size_t vx_pkey_ciphertext_len(const vx_pkey *k, size_t inlen)
{
	if (k->alg == rsa)
		return (size_t)EVP_PKEY_get_size(k->pk);
	return point_len(k->pk) + inlen + ECIES_TAG;
}

static int rsa_padding(EVP_PKEY_CTX *ctx, vx_rsa_padding pad)
{
	if (pad == VX_RSA_OAEP)
		return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
		       EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0;
	return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
}

static vx_status rsa_crypt(const vx_pkey *k, int enc, vx_rsa_padding pad, const uint8_t *in,
                           size_t inlen, vx_bytes *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk, NULL);
	size_t n = (size_t)EVP_PKEY_get_size(k->pk);
	vx_status st = VX_ECRYPTO;

	out->data = NULL;
	out->len = 0;
	if (!ctx || (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) <= 0 ||
	    !rsa_padding(ctx, pad))
		goto done;
	if (!enc && inlen != n) {
		st = VX_EAUTH;
		goto done;
	}
	if ((st = vx_bytes_alloc(out, n)) != VX_OK)
		goto done;
	if ((enc ? EVP_PKEY_encrypt(ctx, out->data, &n, in, inlen)
	         : EVP_PKEY_decrypt(ctx, out->data, &n, in, inlen)) <= 0) {
		vx_bytes_free(out);
		/* too long to encrypt is the caller's error; anything else on decrypt: not ours */
		st = enc ? VX_EINVAL : VX_EAUTH;
		goto done;
	}
	out->len = n;
	st = VX_OK;
done:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return st;
}

/*
 * ECDH (SEC 1, 3.3.1) + X9.63 KDF (SHA-256): 32 bytes of AES-256-CTR key, 32
 * of HMAC key. EVP_PKEY_derive_set_peer fully validates the peer point (on
 * the curve and n*Q = O), so a small-order point on sect409k1 (h = 4) is
 * refused rather than leaking the private key modulo 4.
 */
static vx_status ecies_keys(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t keys[64])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	uint8_t z[80];
	size_t zlen = sizeof z;
	vx_status st = VX_ECRYPTO;
	OSSL_PARAM params[3];

	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_derive_set_peer(ctx, peer) <= 0 ||
	    EVP_PKEY_derive(ctx, z, &zlen) <= 0)
		goto done;
	if (!(kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL)) || !(kctx = EVP_KDF_CTX_new(kdf)))
		goto done;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z, zlen);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, keys, 64, params) > 0)
		st = VX_OK;
done:
	OPENSSL_cleanse(z, sizeof z);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return st;
}

static vx_status ecies_ctr(const uint8_t key[32], const uint8_t *in, size_t len, uint8_t *out)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv) &&
	                (len == 0 || EVP_EncryptUpdate(c, out, &n, in, (int)len));

	EVP_CIPHER_CTX_free(c);
	return ok && (size_t)n == len ? VX_OK : VX_ECRYPTO;
}

static vx_status ecies_mac(const uint8_t key[32], const uint8_t *in, size_t len, uint8_t tag[32])
{
	size_t n = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, in, len, tag, ECIES_TAG, &n) ||
	    n != ECIES_TAG) {
		ERR_clear_error();
		return VX_ECRYPTO;
	}
	return VX_OK;
}

static vx_status ecies_encrypt(const vx_pkey *k, const uint8_t *in, size_t inlen, vx_bytes *out)
{
	char group[64];
	EVP_PKEY *eph = NULL;
	uint8_t keys[64];
	size_t plen = point_len(k->pk), n = 0;
	vx_status st;

	if (!plen || inlen > SIZE_MAX - plen - ECIES_TAG ||
	    !EVP_PKEY_get_utf8_string_param(k->pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
	                                    NULL) ||
	    !(eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group))) {
		ERR_clear_error();
		return VX_ECRYPTO;
	}
	if ((st = ecies_keys(eph, k->pk, keys)) != VX_OK ||
	    (st = vx_bytes_alloc(out, plen + inlen + ECIES_TAG)) != VX_OK)
		goto done;
	if (!EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out->data,
	                                     plen, &n) ||
	    n != plen) {
		st = VX_ECRYPTO;
		goto done;
	}
	if ((st = ecies_ctr(keys, in, inlen, out->data + plen)) == VX_OK)
		st = ecies_mac(keys + 32, out->data + plen, inlen, out->data + plen + inlen);
done:
	if (st != VX_OK)
		vx_bytes_free(out);
	OPENSSL_cleanse(keys, sizeof keys);
	EVP_PKEY_free(eph);
	ERR_clear_error();
	return st;
}

static vx_status ecies_decrypt(const vx_pkey *k, const uint8_t *in, size_t inlen, vx_bytes *out)
{
	size_t plen = point_len(k->pk), clen;
	EVP_PKEY *peer = NULL;
	uint8_t keys[64], tag[ECIES_TAG];
	vx_status st = VX_EAUTH;

	out->data = NULL;
	out->len = 0;
	/* only the uncompressed encoding vx_pkey_encrypt writes */
	if (!plen || inlen < plen + ECIES_TAG || in[0] != 0x04)
		return VX_EAUTH;
	clen = inlen - plen - ECIES_TAG;
	/* the ephemeral point must lie on our curve */
	if (!(peer = EVP_PKEY_new()) || EVP_PKEY_copy_parameters(peer, k->pk) <= 0 ||
	    EVP_PKEY_set1_encoded_public_key(peer, in, plen) <= 0)
		goto done;
	if (ecies_keys(k->pk, peer, keys) != VX_OK)
		goto done;
	if (ecies_mac(keys + 32, in + plen, clen, tag) != VX_OK ||
	    CRYPTO_memcmp(tag, in + plen + clen, ECIES_TAG))
		goto wipe;
	if ((st = vx_bytes_alloc(out, clen)) == VX_OK &&
	    (st = ecies_ctr(keys, in + plen, clen, out->data)) != VX_OK)
		vx_bytes_free(out);
wipe:
	OPENSSL_cleanse(keys, sizeof keys);
done:
	EVP_PKEY_free(peer);
	ERR_clear_error();
	return st;
}

vx_status vx_pkey_encrypt(const vx_pkey *k, vx_rsa_padding pad, const uint8_t *in, size_t inlen,
                          vx_bytes *out)
{
	out->data = NULL;
	out->len = 0;
	return k->alg == rsa ? rsa_crypt(k, 1, pad, in, inlen, out)
	                     : ecies_encrypt(k, in, inlen, out);
}

vx_status vx_pkey_decrypt(const vx_pkey *k, vx_rsa_padding pad, const uint8_t *in, size_t inlen,
                          vx_bytes *out)
{
	out->data = NULL;
	out->len = 0;
	if (!k->priv)
		return VX_EINVAL;
	return k->alg == rsa ? rsa_crypt(k, 0, pad, in, inlen, out)
	                     : ecies_decrypt(k, in, inlen, out);
}

vx_status vx_pkey_sign(const vx_pkey *k, MacAlgorithm mac, const uint8_t *msg, size_t len,
                       vx_bytes *sig)
{
	const EVP_MD *md = vx_digest_evp(mac);
	EVP_MD_CTX *c;
	size_t n = 0;
	vx_status st = VX_ECRYPTO;

	sig->data = NULL;
	sig->len = 0;
	if (!md)
		return VX_EMACUNKNOWN;
	if (!k->priv)
		return VX_EINVAL;
	if (!(c = EVP_MD_CTX_new()))
		return VX_ENOMEM;
	if (EVP_DigestSignInit(c, NULL, md, NULL, k->pk) > 0 &&
	    EVP_DigestSign(c, NULL, &n, msg, len) > 0 && (st = vx_bytes_alloc(sig, n)) == VX_OK) {
		if (EVP_DigestSign(c, sig->data, &n, msg, len) > 0) {
			sig->len = n;
		} else {
			vx_bytes_free(sig);
			st = VX_ECRYPTO;
		}
	}
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return st;
}

vx_status vx_pkey_verify(const vx_pkey *k, MacAlgorithm mac, const uint8_t *msg, size_t len,
                         const uint8_t *sig, size_t siglen)
{
	const EVP_MD *md = vx_digest_evp(mac);
	EVP_MD_CTX *c;
	int r = 0;

	if (!md)
		return VX_EMACUNKNOWN;
	if (!(c = EVP_MD_CTX_new()))
		return VX_ENOMEM;
	if (EVP_DigestVerifyInit(c, NULL, md, NULL, k->pk) > 0)
		r = EVP_DigestVerify(c, sig, siglen, msg, len);
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return r == 1 ? VX_OK : VX_ESIGNATURE;
}
