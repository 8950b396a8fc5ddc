/*
 * t-cipher.c - symmetric encryption: published known-answer vectors, the
 * OpenSSL/libgcrypt cross-check, round trips over the whole matrix and
 * the negative cases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (*h) {
		if (*h == ' ') {
			h++;
			continue;
		}
		if (n >= max || sscanf(h, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static void set_octets(heim_octet_string **o, const char *hex)
{
	uint8_t buf[64];
	size_t n = unhex(hex, buf, sizeof(buf));

	*o = calloc(1, sizeof(**o));
	(*o)->data = malloc(n ? n : 1);
	memcpy((*o)->data, buf, n);
	(*o)->length = n;
}

/* Build a key by hand; iv goes to initialisationVector, nonce to nonce (either may be NULL). */
static void make_key(SymmetricKey *k, SymmetricAlgorithm alg, CipherMode mode, CipherPadding pad,
                     const char *key, const char *iv, const char *nonce)
{
	heim_octet_string *ko;

	memset(k, 0, sizeof(*k));
	k->keyType = alg;
	k->parameter.mode = malloc(sizeof(CipherMode));
	*k->parameter.mode = mode;
	k->parameter.padding = malloc(sizeof(CipherPadding));
	*k->parameter.padding = pad;
	set_octets(&ko, key);
	k->key = *ko;
	free(ko);
	if (iv)
		set_octets(&k->parameter.initialisationVector, iv);
	if (nonce)
		set_octets(&k->parameter.nonce, nonce);
}

struct kat {
	const char *name;
	SymmetricAlgorithm alg;
	CipherMode mode;
	const char *key, *iv, *nonce, *aad, *pt, *ct; /* ct includes the tag */
	size_t taglen;
};

static void run_kat(const struct kat *t, int backend)
{
	SymmetricKey k;
	uint8_t aad[64], pt[128], ct[160];
	size_t aadlen = t->aad ? unhex(t->aad, aad, sizeof(aad)) : 0;
	size_t ptlen = unhex(t->pt, pt, sizeof(pt)), ctlen = unhex(t->ct, ct, sizeof(ct));
	struct vx_sym_opts o = {.aad = aad,
	                        .aadlen = aadlen,
	                        .taglen = t->taglen,
	                        .any_nonce_len = 1,
	                        .backend = backend};
	vx_bytes out = {0};
	vx_status st;
	const char *be = backend == VX_SYM_BACKEND_GCRYPT    ? "gcrypt"
	                 : backend == VX_SYM_BACKEND_OPENSSL ? "openssl"
	                                                     : "auto";

	make_key(&k, t->alg, t->mode, paddingNone, t->key, t->iv, t->nonce);
	st = vx_sym_encrypt_ex(&k, pt, ptlen, VX_SYM_ALLOW_ECB, &o, &out);
	ok(st == VX_OK && out.len == ctlen && (!ctlen || memcmp(out.data, ct, ctlen) == 0),
	   "%s encrypt (%s)", t->name, be);
	vx_bytes_free(&out);
	st = vx_sym_decrypt_ex(&k, ct, ctlen, VX_SYM_ALLOW_ECB, &o, &out);
	ok(st == VX_OK && out.len == ptlen && (!ptlen || memcmp(out.data, pt, ptlen) == 0),
	   "%s decrypt (%s)", t->name, be);
	vx_bytes_free(&out);
	free_SymmetricKey(&k);
}

#define K128 "2b7e151628aed2a6abf7158809cf4f3c"
#define K256 "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"
#define P38A                                                                                       \
	"6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"                        \
	"30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710"
#define IV38A  "000102030405060708090a0b0c0d0e0f"
#define CTR38A "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
#define CAM_K  "0123456789abcdeffedcba9876543210"
#define GCM_K3 "feffe9928665731c6d6a8f9467308308"
#define GCM_P3                                                                                     \
	"d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72"                        \
	"1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b39"
#define GCM_C3                                                                                     \
	"42831ec2217774244b7221b784d0d49c e3aa212f2c02a4e035c17e2329aca12e"                        \
	"21d514b25466931c7d8f6a5aac84aa05 1ba30b396a0aac973d58e091"
#define OCB_K "000102030405060708090a0b0c0d0e0f"

static const struct kat kats[] = {
    /* NIST SP 800-38A, appendix F */
    {"SP800-38A F.1.1 ECB-AES128", aes128, ecb, K128, NULL, NULL, NULL, P38A,
     "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4"},
    {"SP800-38A F.1.5 ECB-AES256", aes256, ecb, K256, NULL, NULL, NULL, P38A,
     "f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870"
     "b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7"},
    {"SP800-38A F.2.1 CBC-AES128", aes128, cbc, K128, IV38A, NULL, NULL, P38A,
     "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7"},
    {"SP800-38A F.2.5 CBC-AES256", aes256, cbc, K256, IV38A, NULL, NULL, P38A,
     "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b"},
    {"SP800-38A F.4.1 OFB-AES128", aes128, ofb, K128, IV38A, NULL, NULL, P38A,
     "3b3fd92eb72dad20333449f8e83cfb4a 7789508d16918f03f53c52dac54ed825"
     "9740051e9c5fecf64344f7a82260edcc 304c6528f659c77866a510d9c1d6ae5e"},
    {"SP800-38A F.4.5 OFB-AES256", aes256, ofb, K256, IV38A, NULL, NULL, P38A,
     "dc7e84bfda79164b7ecd8486985d3860 4febdc6740d20b3ac88f6ad82a4fb08d"
     "71ab47a086e86eedf39d1c5bba97c408 0126141d67f37be8538f5a8be740e484"},
    {"SP800-38A F.5.1 CTR-AES128", aes128, ctr, K128, CTR38A, NULL, NULL, P38A,
     "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff"
     "5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee"},
    {"SP800-38A F.5.5 CTR-AES256", aes256, ctr, K256, CTR38A, NULL, NULL, P38A,
     "601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5"
     "2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6"},
    /* RFC 3713, appendix A */
    {"RFC 3713 Camellia-128", camellia128, ecb, CAM_K, NULL, NULL, NULL, CAM_K,
     "67673138549669730857065648eabe43"},
    {"RFC 3713 Camellia-192", camellia192, ecb, CAM_K "0011223344556677", NULL, NULL, NULL, CAM_K,
     "b4993401b3e996f84ee5cee7d79b09b9"},
    {"RFC 3713 Camellia-256", camellia256, ecb, CAM_K "00112233445566778899aabbccddeeff", NULL,
     NULL, NULL, CAM_K, "9acc237dff16d76c20ef7c919e3a7509"},
    /* McGrew-Viega GCM specification, test cases 1-4 */
    {"GCM test case 1", aes128, gcm, "00000000000000000000000000000000", NULL,
     "000000000000000000000000", NULL, "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {"GCM test case 2", aes128, gcm, "00000000000000000000000000000000", NULL,
     "000000000000000000000000", NULL, "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78 ab6e47d42cec13bdf53a67b21257bddf"},
    {"GCM test case 3", aes128, gcm, GCM_K3, NULL, "cafebabefacedbaddecaf888", NULL,
     GCM_P3 "1aafd255",
     GCM_C3 "473f5985"
            "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"GCM test case 4", aes128, gcm, GCM_K3, NULL, "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_P3, GCM_C3 "5bc94fbc3221a5db94fae95ae7121a47"},
    /* RFC 3610 packet vector #1: 13-byte nonce, 8-byte header, 8-byte tag */
    {"RFC 3610 CCM packet vector 1", aes128, ccm, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", NULL,
     "00000003020100a0a1a2a3a4a5", "0001020304050607",
     "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384 17e8d12cfdf926e0", 8},
    /* RFC 7253, appendix A (OCB-AES-128, 128-bit tag) */
    {"RFC 7253 OCB A.1", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221100", NULL, "",
     "785407bfffc8ad9edcc5520ac9111ee6"},
    {"RFC 7253 OCB A.2", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221101", "0001020304050607",
     "0001020304050607", "6820b3657b6f615a5725bda0d3b4eb3a257c9af1f8f03009"},
    {"RFC 7253 OCB A.3", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221102", "0001020304050607",
     "", "81017f8203f081277152fade694a0a00"},
    {"RFC 7253 OCB A.4", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221103", NULL,
     "0001020304050607", "45dd69f8f5aae72414054cd1f35d82760b2cd00d2f99bfa9"},
    /* Bellare-Rogaway-Wagner, "The EAX mode of operation", appendix test vectors */
    {"EAX vector 1", aes128, eax, "233952dee4d5ed5f9b9c6d6ff80ff478", NULL,
     "62ec67f9c3a4a407fcb2a8c49031a8b3", "6bfb914fd07eae6b", "",
     "e037830e8389f27b025a2d6527e79d01"},
    {"EAX vector 2", aes128, eax, "91945d3f4dcbee0bf45ef52255f095a4", NULL,
     "becaf043b0a23d843194ba972c66debd", "fa3bfd4806eb53fa", "f7fb",
     "19dd5c4c9331049d0bdab0277408f67967e5"},
    {"EAX vector 3", aes128, eax, "01f74ad64077f2e704c0f60ada3dd523", NULL,
     "70c3db4f0d26368400a10ed05d2bff5e", "234a3463c1264ac6", "1a47cb4933",
     "d851d5bae03a59f238a23e39199dc9266626c40f80"},
};

static void test_kats(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kats); i++) {
		const struct kat *t = &kats[i];
		int ossl = t->mode != eax && (t->alg <= aes256 || t->mode == ecb ||
		                              t->mode == cbc || t->mode == ctr || t->mode == ofb);

		/* Every vector through both backends where both have the combination. */
		run_kat(t, VX_SYM_BACKEND_GCRYPT);
		if (ossl)
			run_kat(t, VX_SYM_BACKEND_OPENSSL);
	}
}

static const SymmetricAlgorithm algs[] = {aes128,      aes192,      aes256,     camellia128,
                                          camellia192, camellia256, twofish128, twofish256};
static const CipherMode modes[] = {cbc, ctr, ofb, gcm, ccm, ocb, eax, ecb, modeNone};
static const CipherMode aeads[] = {gcm, ccm, ocb, eax};
static const size_t lens[] = {0, 1, 15, 16, 17, 1000};

static void fill(uint8_t *buf, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 31 + seed * 7 + 3);
}

/* Round trip at every length; a failure prints which. */
static void test_roundtrip(SymmetricAlgorithm alg, CipherMode mode, CipherPadding pad)
{
	SymmetricKey k;
	uint8_t in[1000];
	vx_bytes ct = {0}, pt = {0};
	unsigned flags = VX_SYM_ALLOW_ECB | VX_SYM_ALLOW_NONE;
	int good = 1;
	size_t i, want;
	vx_status st;

	if (vx_sym_generate(alg, mode, pad, &k) != VX_OK) {
		ok(0, "generate alg %d mode %d pad %d", alg, mode, pad);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		size_t n = lens[i];
		int must_fail = pad == paddingNone && (mode == ecb || mode == cbc) && n % 16;

		fill(in, n, (unsigned)i);
		st = vx_sym_encrypt(&k, in, n, flags, &ct);
		if (must_fail) {
			if (st != VX_EBADPARAM) {
				tap_diag("len %zu: unaligned unpadded input gave %d", n, st);
				good = 0;
			}
			continue;
		}
		if (st != VX_OK || vx_sym_ciphertext_len(&k, n, &want) != VX_OK || ct.len != want ||
		    (mode != modeNone && n >= 16 && memcmp(ct.data, in, 16) == 0)) {
			tap_diag("len %zu: encrypt %d, length %zu", n, st, ct.len);
			good = 0;
		}
		st = vx_sym_decrypt(&k, ct.data, ct.len, flags, &pt);
		if (st != VX_OK || pt.len != n || (n && memcmp(pt.data, in, n))) {
			tap_diag("len %zu: decrypt %d, length %zu", n, st, pt.len);
			good = 0;
		}
		vx_bytes_free(&ct);
		vx_bytes_free(&pt);
	}
	ok(good, "round trip alg %d mode %d padding %d", alg, mode, pad);
	free_SymmetricKey(&k);
}

static vx_status decrypt_status(const SymmetricKey *k, const uint8_t *in, size_t len)
{
	vx_bytes out = {0};
	vx_status st = vx_sym_decrypt(k, in, len, 0, &out);

	vx_bytes_free(&out);
	return st;
}

/* Every way of damaging an AEAD ciphertext must give VX_EAUTH. */
static void test_tamper(SymmetricAlgorithm alg, CipherMode mode)
{
	SymmetricKey k, k2;
	uint8_t in[40], buf[80];
	vx_bytes ct = {0};

	fill(in, sizeof(in), 5);
	if (vx_sym_generate(alg, mode, pkcs7, &k) != VX_OK ||
	    vx_sym_encrypt(&k, in, sizeof(in), 0, &ct) != VX_OK || ct.len > sizeof(buf)) {
		ok(0, "tamper setup alg %d mode %d", alg, mode);
		return;
	}
	is(decrypt_status(&k, ct.data, ct.len), VX_OK, "alg %d mode %d intact", alg, mode);
	memcpy(buf, ct.data, ct.len);
	buf[ct.len - 1] ^= 1;
	is(decrypt_status(&k, buf, ct.len), VX_EAUTH, "alg %d mode %d flipped tag", alg, mode);
	memcpy(buf, ct.data, ct.len);
	buf[3] ^= 0x80;
	is(decrypt_status(&k, buf, ct.len), VX_EAUTH, "alg %d mode %d flipped ciphertext", alg,
	   mode);
	is(decrypt_status(&k, ct.data, ct.len - 1), VX_EAUTH, "alg %d mode %d truncated", alg,
	   mode);
	is(decrypt_status(&k, ct.data, 15), VX_EAUTH, "alg %d mode %d shorter than tag", alg, mode);
	is(decrypt_status(&k, ct.data, 0), VX_EAUTH, "alg %d mode %d empty", alg, mode);
	copy_SymmetricKey(&k, &k2);
	((uint8_t *)k2.parameter.nonce->data)[0] ^= 1;
	is(decrypt_status(&k2, ct.data, ct.len), VX_EAUTH, "alg %d mode %d wrong key", alg, mode);
	free_SymmetricKey(&k2);
	copy_SymmetricKey(&k, &k2);
	((uint8_t *)k2.parameter.nonce->data)[0] ^= 1;
	is(decrypt_status(&k2, ct.data, ct.len), VX_EAUTH, "alg %d mode %d wrong nonce", alg, mode);
	free_SymmetricKey(&k2);
	vx_bytes_free(&ct);
	free_SymmetricKey(&k);
}

/* Where both backends have a combination they must produce the same bytes. */
static void test_backends_agree(void)
{
	const CipherMode m[] = {gcm, ccm, ocb, cbc, ctr, ofb, ecb};
	uint8_t in[1000];
	size_t i, j, n;

	fill(in, sizeof(in), 9);
	for (i = 0; i < 6; i++) { /* AES and Camellia */
		for (j = 0; j < ARRAY_SIZE(m); j++) {
			struct vx_sym_opts os = {.backend = VX_SYM_BACKEND_OPENSSL};
			struct vx_sym_opts og = {.backend = VX_SYM_BACKEND_GCRYPT};
			vx_bytes c1 = {0}, c2 = {0};
			unsigned f = VX_SYM_ALLOW_ECB;
			SymmetricKey k;
			vx_status st;
			int good = 1;

			vx_sym_generate(algs[i], m[j], pkcs7, &k);
			st = vx_sym_encrypt_ex(&k, in, 1, f, &os, &c1);
			if (algs[i] >= camellia128 && (m[j] == gcm || m[j] == ccm || m[j] == ocb)) {
				is(st, VX_EUNSUPPORTED, "no OpenSSL for alg %d mode %d", algs[i],
				   m[j]);
				vx_bytes_free(&c1);
				free_SymmetricKey(&k);
				continue;
			}
			vx_bytes_free(&c1);
			for (n = 0; n < 1000; n += 97) {
				good &= vx_sym_encrypt_ex(&k, in, n, f, &os, &c1) == VX_OK &&
				        vx_sym_encrypt_ex(&k, in, n, f, &og, &c2) == VX_OK &&
				        c1.len == c2.len && memcmp(c1.data, c2.data, c1.len) == 0;
				vx_bytes_free(&c1);
				vx_bytes_free(&c2);
			}
			ok(good, "OpenSSL and libgcrypt agree: alg %d mode %d", algs[i], m[j]);
			free_SymmetricKey(&k);
		}
	}
}

static vx_status enc_status(const SymmetricKey *k, size_t len, unsigned flags)
{
	uint8_t in[32] = {0};
	vx_bytes out = {0};
	vx_status st = vx_sym_encrypt(k, in, len, flags, &out);

	vx_bytes_free(&out);
	return st;
}

static void test_params(void)
{
	SymmetricKey k;
	const char *k16 = "000102030405060708090a0b0c0d0e0f";
	const char *iv16 = "000102030405060708090a0b0c0d0e0f";
	const char *n12 = "000102030405060708090a0b";
	uint8_t buf[32] = {0};
	vx_bytes out = {0};
	size_t len;

	make_key(&k, aes128, cbc, pkcs7, k16, NULL, NULL);
	is(enc_status(&k, 5, 0), VX_EMISSINGPARAM, "CBC without IV");
	free_SymmetricKey(&k);
	make_key(&k, aes128, cbc, pkcs7, k16, "0001020304050607", NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "CBC with 8-byte IV");
	free_SymmetricKey(&k);
	make_key(&k, aes256, cbc, pkcs7, K256 K128, iv16, NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "CBC with 32-byte IV (IV as long as the key)");
	free_SymmetricKey(&k);
	make_key(&k, aes128, gcm, paddingNone, k16, NULL, NULL);
	is(enc_status(&k, 5, 0), VX_EMISSINGPARAM, "GCM without nonce");
	free_SymmetricKey(&k);
	make_key(&k, aes128, gcm, paddingNone, k16, NULL, iv16);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "GCM with 16-byte nonce");
	free_SymmetricKey(&k);
	make_key(&k, aes128, gcm, paddingNone, k16, n12, NULL);
	is(enc_status(&k, 5, 0), VX_OK, "GCM nonce taken from the IV field");
	free_SymmetricKey(&k);
	make_key(&k, aes128, ccm, paddingNone, k16, NULL, "00010203040506070809");
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "CCM with 10-byte nonce");
	free_SymmetricKey(&k);
	make_key(&k, aes128, eax, paddingNone, k16, NULL, n12);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "EAX with 12-byte nonce");
	free_SymmetricKey(&k);

	make_key(&k, aes128, ctr, paddingNone, "000102030405060708090a0b0c0d0e", iv16, NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "15-byte AES key");
	free_SymmetricKey(&k);
	make_key(&k, aes192, ctr, paddingNone, k16, iv16, NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "16-byte key for AES-192");
	free_SymmetricKey(&k);
	make_key(&k, aes128, ctr, paddingNone, k16, iv16, NULL);
	k.parameter.keySize = malloc(sizeof(int));
	*k.parameter.keySize = 256;
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "keySize contradicting the key");
	*k.parameter.keySize = 128;
	is(enc_status(&k, 5, 0), VX_OK, "keySize matching the key");
	free_SymmetricKey(&k);

	make_key(&k, aes128, cbc, pkcs7, k16, iv16, NULL);
	free(k.parameter.mode);
	k.parameter.mode = NULL;
	is(enc_status(&k, 5, 0), VX_EMISSINGPARAM, "missing mode");
	is(vx_sym_check(&k, 0), VX_EMISSINGPARAM, "vx_sym_check: missing mode");
	free_SymmetricKey(&k);
	make_key(&k, aes128, cbc, pkcs7, k16, iv16, NULL);
	free(k.parameter.padding);
	k.parameter.padding = NULL;
	is(enc_status(&k, 5, 0), VX_EMISSINGPARAM, "missing padding");
	free_SymmetricKey(&k);
	make_key(&k, aes128, (CipherMode)10008, pkcs7, k16, iv16, NULL);
	is(enc_status(&k, 5, 0), VX_ESYMUNKNOWN, "unknown mode");
	free_SymmetricKey(&k);
	make_key(&k, (SymmetricAlgorithm)1300, cbc, pkcs7, k16, iv16, NULL);
	is(enc_status(&k, 5, 0), VX_ESYMUNKNOWN, "unknown algorithm");
	free_SymmetricKey(&k);
	make_key(&k, twofish192, cbc, pkcs7, K256 "0011223344556677", iv16, NULL);
	is(enc_status(&k, 5, 0), VX_ESYMUNKNOWN, "Twofish-192 (not in libgcrypt)");
	free_SymmetricKey(&k);
	make_key(&k, aes128, cbc, (CipherPadding)1003, k16, iv16, NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "unknown padding");
	free_SymmetricKey(&k);

	make_key(&k, aes128, ecb, pkcs7, k16, NULL, NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "ECB refused without VX_SYM_ALLOW_ECB");
	is(enc_status(&k, 5, VX_SYM_ALLOW_ECB), VX_OK, "ECB accepted with the flag");
	is(vx_sym_decrypt(&k, buf, 16, 0, &out), VX_EBADPARAM, "ECB decrypt refused without flag");
	free_SymmetricKey(&k);
	make_key(&k, aes128, modeNone, pkcs7, "", NULL, NULL);
	is(enc_status(&k, 5, 0), VX_EBADPARAM, "NONE refused without VX_SYM_ALLOW_NONE");
	ok(vx_sym_encrypt(&k, (const uint8_t *)"hello", 5, VX_SYM_ALLOW_NONE, &out) == VX_OK &&
	       out.len == 5 && memcmp(out.data, "hello", 5) == 0,
	   "NONE is the identity");
	vx_bytes_free(&out);
	is(vx_sym_block_size(&k), 1, "NONE block size 1");
	free_SymmetricKey(&k);

	make_key(&k, aes128, cbc, pkcs1, k16, iv16, NULL);
	ok(vx_sym_ciphertext_len(&k, 16, &len) == VX_OK && len == 32,
	   "pkcs1 on a symmetric key pads like PKCS#7");
	is(vx_sym_block_size(&k), 16, "AES block size 16");
	is(vx_sym_decrypt(&k, buf, 17, 0, &out), VX_EAUTH, "CBC/PKCS#7 unaligned ciphertext");
	/* A zero block decrypts to a random-looking block: bad padding in all but ~1/256. */
	free_SymmetricKey(&k);
	make_key(&k, aes128, cbc, paddingNone, k16, iv16, NULL);
	is(vx_sym_decrypt(&k, buf, 17, 0, &out), VX_EBADPARAM, "CBC/none unaligned ciphertext");
	free_SymmetricKey(&k);

	/* Known plaintext whose last byte is 0 after CBC decryption: padding must fail. */
	{
		SymmetricKey e;
		vx_bytes ct = {0};
		uint8_t p[16] = {0};

		make_key(&e, aes128, cbc, paddingNone, k16, iv16, NULL);
		vx_sym_encrypt(&e, p, 16, 0, &ct);
		*e.parameter.padding = pkcs7;
		is(vx_sym_decrypt(&e, ct.data, ct.len, 0, &out), VX_EAUTH, "PKCS#7 pad byte 0");
		p[15] = 17;
		vx_bytes_free(&ct);
		*e.parameter.padding = paddingNone;
		vx_sym_encrypt(&e, p, 16, 0, &ct);
		*e.parameter.padding = pkcs7;
		is(vx_sym_decrypt(&e, ct.data, ct.len, 0, &out), VX_EAUTH, "PKCS#7 pad byte 17");
		memset(p, 4, 16);
		p[12] = 5;
		vx_bytes_free(&ct);
		*e.parameter.padding = paddingNone;
		vx_sym_encrypt(&e, p, 16, 0, &ct);
		*e.parameter.padding = pkcs7;
		is(vx_sym_decrypt(&e, ct.data, ct.len, 0, &out), VX_EAUTH,
		   "PKCS#7 inconsistent pad");
		p[12] = 4;
		vx_bytes_free(&ct);
		*e.parameter.padding = paddingNone;
		vx_sym_encrypt(&e, p, 16, 0, &ct);
		*e.parameter.padding = pkcs7;
		ok(vx_sym_decrypt(&e, ct.data, ct.len, 0, &out) == VX_OK && out.len == 12,
		   "PKCS#7 valid 4-byte pad stripped");
		vx_bytes_free(&out);
		vx_bytes_free(&ct);
		free_SymmetricKey(&e);
	}
}

static void test_misc(void)
{
	SymmetricKey k;
	vx_bytes out = {(uint8_t *)1, 1};
	size_t len;

	is(vx_sym_encrypt(NULL, NULL, 0, 0, &out), VX_EINVAL, "NULL key");
	ok(out.data == NULL && out.len == 0, "out emptied on error");
	is(vx_sym_check(NULL, 0), VX_EINVAL, "vx_sym_check(NULL)");
	is(vx_sym_block_size(NULL), 0, "block size of NULL");
	vx_sym_generate(aes128, gcm, paddingNone, &k);
	is(vx_sym_encrypt(&k, NULL, 5, 0, &out), VX_EINVAL, "NULL input with a length");
	ok(vx_sym_encrypt(&k, NULL, 0, 0, &out) == VX_OK && out.len == 16, "NULL empty input");
	vx_bytes_free(&out);
	is(vx_sym_ciphertext_len(&k, 5, NULL), VX_EINVAL, "ciphertext_len(NULL)");
	ok(vx_sym_ciphertext_len(&k, 5, &len) == VX_OK && len == 21, "GCM/none length 5+16");
	is(vx_sym_ciphertext_len(&k, SIZE_MAX - 4, &len), VX_ELIMIT, "length overflow refused");
	is(vx_sym_check(&k, 0), VX_OK, "vx_sym_check of a generated key");
	free_SymmetricKey(&k);
	vx_sym_generate(camellia256, ocb, pkcs7, &k);
	ok(vx_sym_ciphertext_len(&k, 16, &len) == VX_OK && len == 48, "OCB/PKCS#7 length 16+16+16");
	free_SymmetricKey(&k);
}

/* Corner cases where the two backends must still agree. */
static void test_backend_corners(void)
{
	struct vx_sym_opts os = {.backend = VX_SYM_BACKEND_OPENSSL, .taglen = 12};
	struct vx_sym_opts og = {.backend = VX_SYM_BACKEND_GCRYPT, .taglen = 12};
	uint8_t in[100];
	vx_bytes c1 = {0}, c2 = {0}, p = {0};
	SymmetricKey k;

	fill(in, sizeof(in), 2);
	vx_sym_generate(aes128, gcm, paddingNone, &k);
	ok(vx_sym_encrypt_ex(&k, in, 33, 0, &os, &c1) == VX_OK &&
	       vx_sym_encrypt_ex(&k, in, 33, 0, &og, &c2) == VX_OK && c1.len == 45 &&
	       c2.len == 45 && memcmp(c1.data, c2.data, 45) == 0,
	   "GCM with a 12-byte tag: backends agree");
	ok(vx_sym_decrypt_ex(&k, c1.data, c1.len, 0, &og, &p) == VX_OK && p.len == 33 &&
	       memcmp(p.data, in, 33) == 0,
	   "GCM 12-byte tag decrypts");
	vx_bytes_free(&p);
	c1.data[44] ^= 1;
	is(vx_sym_decrypt_ex(&k, c1.data, c1.len, 0, &os, &p), VX_EAUTH, "GCM 12-byte tag flipped");
	vx_bytes_free(&c1);
	vx_bytes_free(&c2);
	free_SymmetricKey(&k);

	/* The counter block wraps over all 128 bits (SP 800-38A, B.1 standard function). */
	os.taglen = og.taglen = 0;
	make_key(&k, camellia128, ctr, paddingNone, K128, "fffffffffffffffffffffffffffffffe", NULL);
	ok(vx_sym_encrypt_ex(&k, in, 64, 0, &os, &c1) == VX_OK &&
	       vx_sym_encrypt_ex(&k, in, 64, 0, &og, &c2) == VX_OK &&
	       memcmp(c1.data, c2.data, 64) == 0,
	   "CTR counter wrap: backends agree");
	vx_bytes_free(&c1);
	vx_bytes_free(&c2);
	free_SymmetricKey(&k);
}

/* A generated key survives DER encoding and decoding. */
static void test_der(void)
{
	SymmetricKey k, k2;
	uint8_t *buf = NULL;
	size_t len = 0, size = 0, used = 0;
	vx_bytes ct = {0}, pt = {0};
	int ret;

	vx_sym_generate(camellia256, eax, pkcs7, &k);
	ASN1_MALLOC_ENCODE(SymmetricKey, buf, len, &k, &size, ret);
	ok(ret == 0 && size == len, "generated key encodes");
	memset(&k2, 0, sizeof(k2));
	ok(ret == 0 && decode_SymmetricKey(buf, len, &k2, &used) == 0 && used == len,
	   "generated key decodes");
	ok(vx_sym_encrypt(&k, (const uint8_t *)"abc", 3, 0, &ct) == VX_OK &&
	       vx_sym_decrypt(&k2, ct.data, ct.len, 0, &pt) == VX_OK && pt.len == 3 &&
	       memcmp(pt.data, "abc", 3) == 0,
	   "decoded key decrypts");
	vx_bytes_free(&ct);
	vx_bytes_free(&pt);
	free(buf);
	vx_sym_free(&k);
	ok(k.key.data == NULL && k.parameter.mode == NULL, "vx_sym_free empties the key");
	vx_sym_free(&k2);
	vx_sym_free(NULL);
}

static void test_generate(void)
{
	SymmetricKey k;

	ok(vx_sym_generate(aes256, gcm, paddingNone, &k) == VX_OK && k.key.length == 32 &&
	       k.parameter.nonce && k.parameter.nonce->length == 12 &&
	       !k.parameter.initialisationVector && *k.parameter.mode == gcm &&
	       *k.parameter.padding == paddingNone && *k.parameter.keySize == 256,
	   "generate AES-256-GCM");
	free_SymmetricKey(&k);
	ok(vx_sym_generate(camellia192, cbc, pkcs7, &k) == VX_OK && k.key.length == 24 &&
	       k.parameter.initialisationVector && k.parameter.initialisationVector->length == 16 &&
	       !k.parameter.nonce,
	   "generate Camellia-192-CBC");
	free_SymmetricKey(&k);
	ok(vx_sym_generate(twofish128, eax, pkcs7, &k) == VX_OK && k.parameter.nonce &&
	       k.parameter.nonce->length == 16,
	   "generate Twofish-128-EAX");
	free_SymmetricKey(&k);
	is(vx_sym_generate(twofish192, cbc, pkcs7, &k), VX_ESYMUNKNOWN, "generate Twofish-192");
	is(vx_sym_generate(aes128, (CipherMode)1, pkcs7, &k), VX_ESYMUNKNOWN,
	   "generate unknown mode");
}

int main(void)
{
	size_t a, m;

	test_kats();
	test_backends_agree();
	for (a = 0; a < ARRAY_SIZE(algs); a++)
		for (m = 0; m < ARRAY_SIZE(modes); m++) {
			test_roundtrip(algs[a], modes[m], paddingNone);
			test_roundtrip(algs[a], modes[m], pkcs7);
		}
	for (a = 0; a < ARRAY_SIZE(algs); a++)
		for (m = 0; m < ARRAY_SIZE(aeads); m++)
			test_tamper(algs[a], aeads[m]);
	test_params();
	test_misc();
	test_backend_corners();
	test_der();
	test_generate();
	return tap_done();
}
