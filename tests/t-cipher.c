/*
 * t-cipher.c - symmetric encryption: published known-answer vectors, the
 * OpenSSL/libgcrypt cross-check, round trips over the whole matrix and
 * the negative cases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

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
#define OCB_K  "000102030405060708090a0b0c0d0e0f"
#define OCB_16 "000102030405060708090a0b0c0d0e0f"
#define OCB_24 OCB_16 "1011121314151617"
#define OCB_40 OCB_24 "18191a1b1c1d1e1f2021222324252627"
#define K192   "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b"
#define Z256   "0000000000000000000000000000000000000000000000000000000000000000"
#define CCM_K  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define GCM_C15                                                                                    \
	"522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa"                        \
	"8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662"

static const struct kat kats[] = {
    /* NIST SP 800-38A, appendix F */
    {"SP800-38A F.1.1 ECB-AES128", aes128, ecb, K128, NULL, NULL, NULL, P38A,
     "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4"},
    {"SP800-38A F.1.3 ECB-AES192", aes192, ecb, K192, NULL, NULL, NULL, P38A,
     "bd334f1d6e45f25ff712a214571fa5cc 974104846d0ad3ad7734ecb3ecee4eef"
     "ef7afd2270e2e60adce0ba2face6444e 9a4b41ba738d6c72fb16691603c18e0e"},
    {"SP800-38A F.1.5 ECB-AES256", aes256, ecb, K256, NULL, NULL, NULL, P38A,
     "f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870"
     "b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7"},
    {"SP800-38A F.2.1 CBC-AES128", aes128, cbc, K128, IV38A, NULL, NULL, P38A,
     "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7"},
    {"SP800-38A F.2.3 CBC-AES192", aes192, cbc, K192, IV38A, NULL, NULL, P38A,
     "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a"
     "571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd"},
    {"SP800-38A F.2.5 CBC-AES256", aes256, cbc, K256, IV38A, NULL, NULL, P38A,
     "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b"},
    {"SP800-38A F.4.1 OFB-AES128", aes128, ofb, K128, IV38A, NULL, NULL, P38A,
     "3b3fd92eb72dad20333449f8e83cfb4a 7789508d16918f03f53c52dac54ed825"
     "9740051e9c5fecf64344f7a82260edcc 304c6528f659c77866a510d9c1d6ae5e"},
    {"SP800-38A F.4.3 OFB-AES192", aes192, ofb, K192, IV38A, NULL, NULL, P38A,
     "cdc80d6fddf18cab34c25909c99a4174 fcc28b8d4c63837c09e81700c1100401"
     "8d9a9aeac0f6596f559c6d4daf59a5f2 6d9f200857ca6c3e9cac524bd9acc92a"},
    {"SP800-38A F.4.5 OFB-AES256", aes256, ofb, K256, IV38A, NULL, NULL, P38A,
     "dc7e84bfda79164b7ecd8486985d3860 4febdc6740d20b3ac88f6ad82a4fb08d"
     "71ab47a086e86eedf39d1c5bba97c408 0126141d67f37be8538f5a8be740e484"},
    {"SP800-38A F.5.1 CTR-AES128", aes128, ctr, K128, CTR38A, NULL, NULL, P38A,
     "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff"
     "5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee"},
    {"SP800-38A F.5.3 CTR-AES192", aes192, ctr, K192, CTR38A, NULL, NULL, P38A,
     "1abc932417521ca24f2b0459fe7e6e0b 090339ec0aa6faefd5ccc2c6f4ce8e94"
     "1e36b26bd1ebc670d1bd1d665620abf7 4f78a7f6d29809585a97daec58c6b050"},
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
    /* RFC 5528, section 4: the 32-bit nonce, 64-bit IV and counter 1 form the counter block */
    {"RFC 5528 Camellia-CTR vector 1", camellia128, ctr, "ae6852f8121067cc4bf7a5765577f39e",
     "00000030000000000000000000000001", NULL, NULL, "53696e676c6520626c6f636b206d7367",
     "d09dc29a8214619a20877c76db1f0b3f"},
    /* McGrew-Viega GCM specification, test cases 1-6, 7-8 and 13-16 */
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
    {"GCM test case 5 (64-bit IV)", aes128, gcm, GCM_K3, NULL, "cafebabefacedbad",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_P3,
     "61353b4c2806934a777ff51fa22a4755 699b2a714fcdc6f83766e5f97b6c7423"
     "73806900e49f24b22b097544d4896b42 4989b5e1ebac0f07c23f4598"
     "3612d2e79e3b0785561be14aaca2fccb"},
    {"GCM test case 6 (480-bit IV)", aes128, gcm, GCM_K3, NULL,
     "9313225df88406e555909c5aff5269aa 6a7a9538534f7da1e4c303d2a318a728"
     "c3c0c95156809539fcf0e2429a6b5254 16aedbf5a0de6a57a637b39b",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_P3,
     "8ce24998625615b603a033aca13fb894 be9112a5c3a211a8ba262a3cca7e2ca7"
     "01e4a9a4fba43c90ccdcb281d48c7c6f d62875d2aca417034c34aee5"
     "619cc5aefffe0bfa462af43c1699d050"},
    {"GCM test case 7", aes192, gcm, "000000000000000000000000000000000000000000000000", NULL,
     "000000000000000000000000", NULL, "", "cd33b28ac773f74ba00ed1f312572435"},
    {"GCM test case 8", aes192, gcm, "000000000000000000000000000000000000000000000000", NULL,
     "000000000000000000000000", NULL, "00000000000000000000000000000000",
     "98e7247c07f0fe411c267e4384b0f600 2ff58d80033927ab8ef4d4587514f0fb"},
    {"GCM test case 13", aes256, gcm, Z256, NULL, "000000000000000000000000", NULL, "",
     "530f8afbc74536b9a963b4f1c4cb738b"},
    {"GCM test case 14", aes256, gcm, Z256, NULL, "000000000000000000000000", NULL,
     "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18 d0d1c8a799996bf0265b98b5d48ab919"},
    {"GCM test case 15", aes256, gcm, GCM_K3 GCM_K3, NULL, "cafebabefacedbaddecaf888", NULL,
     GCM_P3 "1aafd255", GCM_C15 "8980 15ad b094dac5d93471bdec1a502270e3cc6c"},
    {"GCM test case 16", aes256, gcm, GCM_K3 GCM_K3, NULL, "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_P3,
     GCM_C15 "76fc6ece0f4e1768cddf8853bb2d551b"},
    /* RFC 3610 packet vectors: 13-byte nonces, 8- or 12-byte headers, 8- or 10-byte tags */
    {"RFC 3610 CCM packet vector 1", aes128, ccm, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", NULL,
     "00000003020100a0a1a2a3a4a5", "0001020304050607",
     "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384 17e8d12cfdf926e0", 8},
    {"RFC 3610 CCM packet vector 2", aes128, ccm, CCM_K, NULL, "00000004030201a0a1a2a3a4a5",
     "0001020304050607", "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3b a091d56e10400916", 8},
    {"RFC 3610 CCM packet vector 3", aes128, ccm, CCM_K, NULL, "00000005040302a0a1a2a3a4a5",
     "0001020304050607", "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
     "51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da859657 4adaa76fbd9fb0c5", 8},
    {"RFC 3610 CCM packet vector 4", aes128, ccm, CCM_K, NULL, "00000006050403a0a1a2a3a4a5",
     "000102030405060708090a0b", "0c0d0e0f101112131415161718191a1b1c1d1e",
     "a28c6865939a9a79faaa5c4c2a9d4a91cdac8c 96c861b9c9e61ef1", 8},
    {"RFC 3610 CCM packet vector 7", aes128, ccm, CCM_K, NULL, "00000009080706a0a1a2a3a4a5",
     "0001020304050607", "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     "0135d1b2c95f41d5d1d4fec185d166b8094e999dfed96c 048c56602c97acbb7490", 10},
    /* RFC 7253, appendix A (OCB-AES-128, 128-bit tag) */
    {"RFC 7253 OCB A.1", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221100", NULL, "",
     "785407bfffc8ad9edcc5520ac9111ee6"},
    {"RFC 7253 OCB A.2", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221101", "0001020304050607",
     "0001020304050607", "6820b3657b6f615a5725bda0d3b4eb3a257c9af1f8f03009"},
    {"RFC 7253 OCB A.3", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221102", "0001020304050607",
     "", "81017f8203f081277152fade694a0a00"},
    {"RFC 7253 OCB A.4", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221103", NULL,
     "0001020304050607", "45dd69f8f5aae72414054cd1f35d82760b2cd00d2f99bfa9"},
    {"RFC 7253 OCB A.5", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221104", OCB_16, OCB_16,
     "571d535b60b277188be5147170a9a22c 3ad7a4ff3835b8c5701c1ccec8fc3358"},
    {"RFC 7253 OCB A.6", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221105", OCB_16, "",
     "8cf761b6902ef764462ad86498ca6b97"},
    {"RFC 7253 OCB A.7", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221106", NULL, OCB_16,
     "5ce88ec2e0692706a915c00aeb8b2396 f40e1c743f52436bdf06d8fa1eca343d"},
    {"RFC 7253 OCB A.8", aes128, ocb, OCB_K, NULL, "bbaa99887766554433221107", OCB_24, OCB_24,
     "1ca2207308c87c010756104d8840ce1952f09673a448a122 c92c62241051f57356d7f3c90bb0e07f"},
    {"RFC 7253 OCB 96-bit tag", aes128, ocb, "0f0e0d0c0b0a09080706050403020100", NULL,
     "bbaa9988776655443322110d", OCB_40, OCB_40,
     "1792a4e31e0755fb03e31b22116e6c2d df9efd6e33d536f1a0124b0a55bae884"
     "ed93481529c76b6a d0c515f4d1cdd4fdac4f02aa",
     12},
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
    {"EAX vector 4", aes128, eax, "d07cf6cbb7f313bdde66b727afd3c5e8", NULL,
     "8408dfff3c1a2b1292dc199e46b7d617", "33cce2eabff5a79d", "481c9e39b1",
     "632a9d131ad4c168a4225d8e1ff755939974a7bede"},
    {"EAX vector 5", aes128, eax, "35b6d0580005bbc12b0587124557d2c2", NULL,
     "fdb6b06676eedc5c61d74276e1f8e816", "aeb96eaebe2970e9", "40d0c07da5e4",
     "071dfe16c675cb0677e536f73afe6a14b74ee49844dd"},
    {"EAX vector 6", aes128, eax, "bd8e6e11475e60b268784c38c62feb22", NULL,
     "6eac5c93072d8e8513f750935e46da1b", "d4482d1ca78dce0f", "4de3b35c3fc039245bd1fb7d",
     "835bb4f15d743e350e728414abb8644fd6ccb86947c5e10590210a4f"},
    {"EAX vector 7", aes128, eax, "7c77d6e813bed5ac98baa417477a2e7d", NULL,
     "1a8c98dcd73d38393b2bf1569deefc19", "65d2017990d62528", "8b0a79306c9ce7ed99dae4f87f8dd61636",
     "02083e3979da014812f59f11d52630da30137327d10649b0aa6e1c181db617d7f2"},
    {"EAX vector 8", aes128, eax, "5fff20cafab119ca2fc73549e20f5b0d", NULL,
     "dde59b97d722156d4d9aff2bc7559826", "54b9f04e6a09189a", "1bda122bce8a8dbaf1877d962b8592dd2d56",
     "2ec47b2c4954a489afc7ba4897edcdae8cc33b60450599bd02c96382902aef7f832a"},
    {"EAX vector 9", aes128, eax, "a4a4782bcffd3ec5e7ef6d8c34a56123", NULL,
     "b781fcf2f75fa5a8de97a9ca48e522ec", "899a175897561d7e", "6cf36720872b8513f6eab1a8a44438d5ef11",
     "0de18fd0fdd91e7af19f1d8ee8733938b1e8e7f6d2231618102fdb7fe55ff1991700"},
    {"EAX vector 10", aes128, eax, "8395fcf1e95bebd697bd010bc766aac3", NULL,
     "22e7add93cfc6393c57ec0b3c17d6b44", "126735fcc320d25a",
     "ca40d7446e545ffaed3bd12a740a659ffbbb3ceab7",
     "cb8920f87a6c75cff39627b56e3ed197c552d295a7cfc46afc253b4652b1af3795b124ab6e"},
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

/*
 * Reference AEAD compositions over one block cipher call (OpenSSL ECB),
 * written from the mode definitions: SP 800-38D (GCM), RFC 3610 (CCM),
 * RFC 7253 (OCB) and the EAX paper. They are first checked against the
 * published AES vectors above, then used as an independent check of
 * libgcrypt's Camellia GCM/CCM/OCB/EAX, for which no vectors are published.
 * Test code only: the library never composes a mode itself.
 */
struct ref {
	EVP_CIPHER_CTX *ecb;
	size_t taglen;
};

static const char *ecb_name(SymmetricAlgorithm alg)
{
	switch (alg) {
	case aes128:
		return "AES-128-ECB";
	case aes192:
		return "AES-192-ECB";
	case aes256:
		return "AES-256-ECB";
	case camellia128:
		return "CAMELLIA-128-ECB";
	case camellia192:
		return "CAMELLIA-192-ECB";
	default:
		return "CAMELLIA-256-ECB";
	}
}

static void enc_block(struct ref *r, const uint8_t in[16], uint8_t out[16])
{
	int n;

	if (!EVP_EncryptUpdate(r->ecb, out, &n, in, 16) || n != 16)
		abort();
}

static void xor_into(uint8_t *a, const uint8_t *b, size_t n)
{
	while (n--)
		*a++ ^= *b++;
}

/* Multiplication by x in GF(2^128), the big-endian convention of CMAC and OCB. */
static void dbl(uint8_t s[16])
{
	uint8_t carry = s[0] >> 7;

	for (int i = 0; i < 15; i++)
		s[i] = (uint8_t)(s[i] << 1 | s[i + 1] >> 7);
	s[15] = (uint8_t)(s[15] << 1 ^ (carry ? 0x87 : 0));
}

/* Counter mode incrementing the last incbytes of the counter block (GCM 4, CCM L, EAX 16). */
static void ref_ctr(struct ref *r, const uint8_t start[16], size_t incbytes, const uint8_t *in,
                    size_t len, uint8_t *out)
{
	uint8_t cb[16], ks[16];

	memcpy(cb, start, 16);
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		enc_block(r, cb, ks);
		for (size_t i = 0; i < n; i++)
			out[off + i] = in[off + i] ^ ks[i];
		for (size_t i = 15; i >= 16 - incbytes && ++cb[i] == 0; i--)
			;
	}
}

static void cmac(struct ref *r, const uint8_t *m, size_t len, uint8_t out[16])
{
	uint8_t k[16] = {0}, x[16] = {0}, last[16] = {0};
	size_t n = len ? (len + 15) / 16 : 1, rest = len - 16 * (n - 1);

	enc_block(r, k, k);
	dbl(k); /* K1 */
	for (size_t i = 0; i + 1 < n; i++) {
		xor_into(x, m + 16 * i, 16);
		enc_block(r, x, x);
	}
	if (rest)
		memcpy(last, m + 16 * (n - 1), rest);
	if (rest < 16) {
		last[rest] = 0x80;
		dbl(k); /* K2 */
	}
	xor_into(x, last, 16);
	xor_into(x, k, 16);
	enc_block(r, x, out);
}

/* EAX's OMAC^t: CMAC of the block [t]_n followed by m. */
static void omac(struct ref *r, uint8_t t, const uint8_t *m, size_t len, uint8_t out[16])
{
	uint8_t *buf = calloc(1, 16 + len);

	buf[15] = t;
	if (len)
		memcpy(buf + 16, m, len);
	cmac(r, buf, 16 + len, out);
	free(buf);
}

static void ref_eax(struct ref *r, const uint8_t *n, size_t nlen, const uint8_t *a, size_t alen,
                    const uint8_t *p, size_t len, uint8_t *out)
{
	uint8_t nn[16], h[16], c[16];

	omac(r, 0, n, nlen, nn);
	omac(r, 1, a, alen, h);
	ref_ctr(r, nn, 16, p, len, out);
	omac(r, 2, out, len, c);
	xor_into(c, nn, 16);
	xor_into(c, h, 16);
	memcpy(out + len, c, r->taglen);
}

/* X = X * Y in GF(2^128) with GCM's bit order (SP 800-38D, algorithm 1). */
static void gf_mul(uint8_t x[16], const uint8_t y[16])
{
	uint8_t z[16] = {0}, v[16];

	memcpy(v, y, 16);
	for (int i = 0; i < 128; i++) {
		int lsb = v[15] & 1;

		if (x[i / 8] >> (7 - i % 8) & 1)
			xor_into(z, v, 16);
		for (int j = 15; j > 0; j--)
			v[j] = (uint8_t)(v[j] >> 1 | v[j - 1] << 7);
		v[0] >>= 1;
		if (lsb)
			v[0] ^= 0xe1;
	}
	memcpy(x, z, 16);
}

static void ghash(uint8_t x[16], const uint8_t h[16], const uint8_t *d, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		uint8_t b[16] = {0};

		memcpy(b, d + off, len - off < 16 ? len - off : 16);
		xor_into(x, b, 16);
		gf_mul(x, h);
	}
}

static void put_be64(uint8_t *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static void ref_gcm(struct ref *r, const uint8_t *n, size_t nlen, const uint8_t *a, size_t alen,
                    const uint8_t *p, size_t len, uint8_t *out)
{
	uint8_t h[16] = {0}, j0[16] = {0}, cb[16], s[16] = {0}, lens[16] = {0};

	enc_block(r, h, h);
	if (nlen == 12) {
		memcpy(j0, n, 12);
		j0[15] = 1;
	} else {
		ghash(j0, h, n, nlen);
		put_be64(lens + 8, 8 * (uint64_t)nlen);
		ghash(j0, h, lens, 16);
	}
	memcpy(cb, j0, 16);
	for (int i = 15; i >= 12 && ++cb[i] == 0; i--) /* inc32 */
		;
	ref_ctr(r, cb, 4, p, len, out);
	ghash(s, h, a, alen);
	ghash(s, h, out, len);
	put_be64(lens, 8 * (uint64_t)alen);
	put_be64(lens + 8, 8 * (uint64_t)len);
	ghash(s, h, lens, 16);
	enc_block(r, j0, j0);
	xor_into(s, j0, 16);
	memcpy(out + len, s, r->taglen);
}

/* CCM with alen < 0xff00 (a two-byte length prefix on the associated data). */
static void ref_ccm(struct ref *r, const uint8_t *n, size_t nlen, const uint8_t *a, size_t alen,
                    const uint8_t *p, size_t len, uint8_t *out)
{
	size_t l = 15 - nlen, apad = alen ? (alen + 2 + 15) / 16 * 16 : 0;
	size_t total = 16 + apad + (len + 15) / 16 * 16;
	uint8_t *buf = calloc(1, total), x[16] = {0}, ctr[16] = {0};

	buf[0] = (uint8_t)((alen ? 0x40 : 0) | (r->taglen - 2) / 2 << 3 | (l - 1));
	memcpy(buf + 1, n, nlen);
	for (size_t i = 0, v = len; i < l; i++, v >>= 8)
		buf[15 - i] = (uint8_t)v;
	if (alen) {
		buf[16] = (uint8_t)(alen >> 8);
		buf[17] = (uint8_t)alen;
		memcpy(buf + 18, a, alen);
	}
	if (len)
		memcpy(buf + 16 + apad, p, len);
	for (size_t off = 0; off < total; off += 16) { /* CBC-MAC */
		xor_into(x, buf + off, 16);
		enc_block(r, x, x);
	}
	ctr[0] = (uint8_t)(l - 1);
	memcpy(ctr + 1, n, nlen);
	ref_ctr(r, ctr, l, x, r->taglen, out + len); /* A_0 encrypts the tag */
	ctr[15] = 1;
	ref_ctr(r, ctr, l, p, len, out);
	free(buf);
}

static unsigned ntz(size_t i)
{
	return (unsigned)__builtin_ctzll(i);
}

/* OCB's HASH of the associated data (RFC 7253, 4.1). */
static void ocb_hash(struct ref *r, const uint8_t lstar[16], uint8_t ls[][16], const uint8_t *a,
                     size_t alen, uint8_t sum[16])
{
	uint8_t off[16] = {0}, b[16];
	size_t i, m = alen / 16;

	memset(sum, 0, 16);
	for (i = 1; i <= m; i++) {
		xor_into(off, ls[ntz(i)], 16);
		memcpy(b, a + 16 * (i - 1), 16);
		xor_into(b, off, 16);
		enc_block(r, b, b);
		xor_into(sum, b, 16);
	}
	if (alen % 16) {
		xor_into(off, lstar, 16);
		memset(b, 0, 16);
		memcpy(b, a + 16 * m, alen % 16);
		b[alen % 16] = 0x80;
		xor_into(b, off, 16);
		enc_block(r, b, b);
		xor_into(sum, b, 16);
	}
}

static void ref_ocb(struct ref *r, const uint8_t *n, size_t nlen, const uint8_t *a, size_t alen,
                    const uint8_t *p, size_t len, uint8_t *out)
{
	uint8_t lstar[16] = {0}, ldollar[16], ls[16][16], nb[16] = {0}, stretch[24], off[16];
	uint8_t sum[16] = {0}, b[16], hash[16];
	unsigned bottom, sh;
	size_t i, m = len / 16;

	enc_block(r, lstar, lstar);
	memcpy(ldollar, lstar, 16);
	dbl(ldollar);
	memcpy(ls[0], ldollar, 16);
	dbl(ls[0]);
	for (i = 1; i < 16; i++) {
		memcpy(ls[i], ls[i - 1], 16);
		dbl(ls[i]);
	}
	nb[0] = (uint8_t)((8 * r->taglen % 128) << 1);
	nb[15 - nlen] |= 1;
	memcpy(nb + 16 - nlen, n, nlen);
	bottom = nb[15] & 0x3f;
	nb[15] &= 0xc0;
	enc_block(r, nb, stretch); /* Ktop */
	for (i = 0; i < 8; i++)
		stretch[16 + i] = stretch[i] ^ stretch[i + 1];
	sh = bottom % 8;
	for (i = 0; i < 16; i++)
		off[i] = (uint8_t)(stretch[i + bottom / 8] << sh |
		                   (sh ? stretch[i + bottom / 8 + 1] >> (8 - sh) : 0));
	for (i = 1; i <= m; i++) {
		xor_into(off, ls[ntz(i)], 16);
		memcpy(b, p + 16 * (i - 1), 16);
		xor_into(sum, b, 16);
		xor_into(b, off, 16);
		enc_block(r, b, b);
		xor_into(b, off, 16);
		memcpy(out + 16 * (i - 1), b, 16);
	}
	if (len % 16) {
		xor_into(off, lstar, 16);
		enc_block(r, off, b); /* Pad */
		for (i = 0; i < len % 16; i++)
			out[16 * m + i] = p[16 * m + i] ^ b[i];
		memset(b, 0, 16);
		memcpy(b, p + 16 * m, len % 16);
		b[len % 16] = 0x80;
		xor_into(sum, b, 16);
	}
	xor_into(sum, off, 16);
	xor_into(sum, ldollar, 16);
	enc_block(r, sum, sum);
	ocb_hash(r, lstar, ls, a, alen, hash);
	xor_into(sum, hash, 16);
	memcpy(out + len, sum, r->taglen);
}

/* Encrypt with the reference composition; out holds len + taglen bytes. */
static void ref_encrypt(SymmetricAlgorithm alg, CipherMode mode, const uint8_t *key, size_t taglen,
                        const uint8_t *n, size_t nlen, const uint8_t *a, size_t alen,
                        const uint8_t *p, size_t len, uint8_t *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, ecb_name(alg), NULL);
	struct ref r = {EVP_CIPHER_CTX_new(), taglen};

	if (!c || !r.ecb || !EVP_EncryptInit_ex2(r.ecb, c, key, NULL, NULL))
		abort();
	EVP_CIPHER_CTX_set_padding(r.ecb, 0);
	if (mode == gcm)
		ref_gcm(&r, n, nlen, a, alen, p, len, out);
	else if (mode == ccm)
		ref_ccm(&r, n, nlen, a, alen, p, len, out);
	else if (mode == ocb)
		ref_ocb(&r, n, nlen, a, alen, p, len, out);
	else
		ref_eax(&r, n, nlen, a, alen, p, len, out);
	EVP_CIPHER_CTX_free(r.ecb);
	EVP_CIPHER_free(c);
}

/* The reference compositions reproduce every published AEAD vector. */
static void test_ref_on_kats(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(kats); i++) {
		const struct kat *t = &kats[i];
		uint8_t key[32], n[64], a[64], p[128], ct[160], out[160];
		size_t taglen = t->taglen ? t->taglen : 16;

		if (t->mode != gcm && t->mode != ccm && t->mode != ocb && t->mode != eax)
			continue;
		unhex(t->key, key, sizeof(key));
		size_t nlen = unhex(t->nonce, n, sizeof(n));
		size_t alen = t->aad ? unhex(t->aad, a, sizeof(a)) : 0;
		size_t len = unhex(t->pt, p, sizeof(p)), ctlen = unhex(t->ct, ct, sizeof(ct));

		ref_encrypt(t->alg, t->mode, key, taglen, n, nlen, a, alen, p, len, out);
		ok(ctlen == len + taglen && memcmp(out, ct, ctlen) == 0,
		   "reference composition reproduces %s", t->name);
	}
}

/* One fresh key of alg/mode: the library equals the composition at every length. */
static int ref_matches(SymmetricAlgorithm alg, CipherMode mode, size_t taglen)
{
	static const size_t rl[] = {0, 1, 15, 16, 17, 48, 100, 1000};
	uint8_t in[1000], aad[37], ref[1016];
	struct vx_sym_opts o = {.aad = aad, .taglen = taglen};
	SymmetricKey k;
	int good = 1;

	fill(in, sizeof(in), 11);
	fill(aad, sizeof(aad), 12);
	if (vx_sym_generate(alg, mode, paddingNone, &k) != VX_OK)
		return 0;
	for (size_t l = 0; l < ARRAY_SIZE(rl); l++) {
		const heim_octet_string *n = k.parameter.nonce;
		vx_bytes c = {0};

		o.aadlen = l % 3 ? sizeof(aad) : 0;
		ref_encrypt(alg, mode, k.key.data, taglen, n->data, n->length, aad, o.aadlen, in,
		            rl[l], ref);
		good &= vx_sym_encrypt_ex(&k, in, rl[l], 0, &o, &c) == VX_OK &&
		        c.len == rl[l] + taglen && memcmp(c.data, ref, c.len) == 0;
		vx_bytes_free(&c);
	}
	vx_sym_free(&k);
	return good;
}

/*
 * libgcrypt's AEAD modes (Camellia's only source) against the reference
 * compositions, with and without associated data, with two tag lengths.
 */
static void test_ref_vs_library(void)
{
	static const SymmetricAlgorithm a[] = {camellia128, camellia192, camellia256, aes192};
	static const CipherMode m[] = {gcm, ccm, ocb, eax};

	for (size_t i = 0; i < ARRAY_SIZE(a); i++)
		for (size_t j = 0; j < ARRAY_SIZE(m); j++)
			for (size_t tl = 12; tl <= 16; tl += 4)
				ok(ref_matches(a[i], m[j], tl),
				   "alg %d mode %d tag %zu: library equals the composition", a[i],
				   m[j], tl);
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
	test_ref_on_kats();
	test_ref_vs_library();
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
