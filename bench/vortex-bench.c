/*
 * vortex-bench - speed of the coding and cipher paths, each next to the
 * best library for the job measured in the same run on the same data:
 * ISA-L's ec_encode_data for erasure coding, gf-complete's region
 * multiply for GF(2^16), a raw OpenSSL EVP (or libgcrypt) loop for ciphers.
 * Every line: NAME VALUE UNIT ratio=R, R = ours / anchor. A benchmark, not
 * a test: no figure fails it, only a node section whose node did not do its
 * work. -q runs small sizes for a smoke test; -n runs only the node section
 * (bench/node.c): messages per second through one node and the share of its
 * time outside crypto and coding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <malloc.h>

#include <gcrypt.h>
#include <gf_complete.h>
#include <isa-l/erasure_code.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cipher.h"
#include "gf.h"
#include "redundancy.h"

#include "bench.h"

static int quick;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Minimum time of reps runs (after one warm-up): the least disturbed one. */
#define TIME_MIN(reps, result, body) TIME_MIN_SETUP(reps, result, (void)0, body)
/* The same, with an untimed setup step (freeing the previous results) before each run. */
#define TIME_MIN_SETUP(reps, result, setup, body)                                                  \
	do {                                                                                       \
		result = 1e9;                                                                      \
		for (int r_ = -1; r_ < (reps); r_++) {                                             \
			setup;                                                                     \
			double t0_ = now();                                                        \
			body;                                                                      \
			double t_ = now() - t0_;                                                   \
			if (r_ >= 0 && t_ < result)                                                \
				result = t_;                                                       \
		}                                                                                  \
	} while (0)

static void line(const char *name, size_t bytes, double ours, double anchor)
{
	printf("%s %.1f MB/s ratio=%.2f\n", name, (double)bytes / ours / 1e6, anchor / ours);
	fflush(stdout);
}

static void free_blocks(vx_bytes *b, unsigned n)
{
	for (unsigned j = 0; j < n; j++)
		vx_bytes_free(&b[j]);
}

static int reps_for(size_t size)
{
	if (quick)
		return 3;
	return size > (8u << 20) ? 3 : 20;
}

static SymmetricKey *keys_of(unsigned n, SymmetricAlgorithm alg, CipherMode mode)
{
	SymmetricKey *k = calloc(n, sizeof *k);

	for (unsigned i = 0; i < n; i++)
		vx_sym_generate(alg, mode, paddingNone, &k[i]);
	return k;
}

static void free_keys(SymmetricKey *k, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free_SymmetricKey(&k[i]);
	free(k);
}

/* The anchor: ISA-L with tables ready, k stripes of s bytes into rows outputs. */
static double isal(unsigned k, unsigned rows, const uint8_t *coef, uint8_t *data, size_t s,
                   uint8_t *outbuf, int reps)
{
	uint8_t *tbl = malloc((size_t)32 * k * rows), *src[512], *dst[512];
	double t;

	for (unsigned i = 0; i < k; i++)
		src[i] = data + i * s;
	for (unsigned i = 0; i < rows; i++)
		dst[i] = outbuf + i * s;
	ec_init_tables((int)k, (int)rows, (uint8_t *)coef, tbl);
	TIME_MIN(reps, t, ec_encode_data((int)s, (int)k, (int)rows, tbl, src, dst));
	free(tbl);
	return t;
}

static void coding(unsigned w, unsigned k, unsigned m, size_t size)
{
	unsigned n = k + m;
	SymmetricKey *none = keys_of(2, aes256, modeNone);
	AddRedundancyOperation op = {0, (int)k, (int)m, {2, none}, 1, (int)w};
	uint8_t *in = malloc(size), *out = malloc(size * 2 + 4096), coef[64 * 64];
	vx_bytes *blocks = calloc(n, sizeof *blocks), *have = calloc(n, sizeof *have), res;
	uint32_t g[64 * 64], sub[64 * 64], inv[64 * 64];
	size_t s = size / k;
	int reps = reps_for(size);
	double ours, anchor;
	char name[96];
	const vx_gf *gf8 = vx_gf_field(8);

	RAND_bytes(in, (int)size);
	vx_gf_generator(gf8, k, n, g);
	for (unsigned i = 0; i < m * k; i++)
		coef[i] = (uint8_t)g[k * k + i];
	anchor = isal(k, m, coef, in, s, out, reps);
	TIME_MIN_SETUP(reps, ours, free_blocks(blocks, n),
	               vx_redundancy_add(&op, in, size, blocks));
	snprintf(name, sizeof name, "addRedundancy_gf%u_k%u_m%u_%zuMiB", w, k, m, size >> 20);
	line(name, size, ours, anchor);

	/* decoding without the first m blocks: m data stripes to rebuild */
	for (unsigned j = 0; j < n; j++)
		have[j] = j < m ? (vx_bytes){0} : blocks[j];
	for (unsigned i = 0; i < k; i++)
		memcpy(sub + i * k, g + (m + i) * k, k * sizeof *g);
	vx_gf_invert(gf8, sub, inv, k);
	for (unsigned i = 0; i < k * k; i++)
		coef[i] = (uint8_t)inv[i];
	anchor = isal(k, k, coef, in, s, out, reps);
	res = (vx_bytes){0};
	TIME_MIN_SETUP(reps, ours, vx_bytes_free(&res),
	               vx_redundancy_remove((RemoveRedundancyOperation *)&op, have, &res));
	vx_bytes_free(&res);
	snprintf(name, sizeof name, "removeRedundancy_gf%u_k%u_m%u_%zuMiB", w, k, m, size >> 20);
	line(name, size, ours, anchor);

	if (w == 16 && k == 4 && m == 2) {
		/* gf-complete's own k=4 m=2 encode: 8 region multiplies */
		gf_t gf;
		uint8_t *d[4], *p[2];

		/* its fastest region multiply here: 4-bit split tables */
		gf_init_hard(&gf, 16, GF_MULT_SPLIT_TABLE, GF_REGION_DEFAULT, GF_DIVIDE_DEFAULT,
		             0x1002d, 16, 4, NULL, NULL);
		for (unsigned i = 0; i < 4; i++)
			d[i] = in + i * s;
		p[0] = out, p[1] = out + s;
		TIME_MIN(reps, anchor, {
			for (unsigned r = 0; r < 2; r++)
				for (unsigned i = 0; i < 4; i++)
					gf.multiply_region.w32(&gf, d[i], p[r], 3 + r + i, (int)s,
					                       i > 0);
		});
		gf_free(&gf, 1);
		TIME_MIN_SETUP(reps, ours, free_blocks(blocks, n),
		               vx_redundancy_add(&op, in, size, blocks));
		snprintf(name, sizeof name, "addRedundancy_gf16_vs_gfcomplete_k4_m2_%zuMiB",
		         size >> 20);
		line(name, size, ours, anchor);
	}
	for (unsigned j = 0; j < n; j++)
		vx_bytes_free(&blocks[j]);
	free_keys(none, 2);
	free(blocks);
	free(have);
	free(in);
	free(out);
}

/* The whole operation with AES-256-GCM keys, against ISA-L alone. */
static void full_operation(size_t size)
{
	SymmetricKey *keys = keys_of(6, aes256, gcm);
	AddRedundancyOperation op = {0, 4, 2, {6, keys}, 1, 8};
	uint8_t *in = malloc(size), *out = malloc(size), coef[8];
	vx_bytes blocks[6] = {{0}};
	uint32_t g[24];
	const vx_gf *gf = NULL;
	double ours, anchor;
	int reps = reps_for(size);

	RAND_bytes(in, (int)size);
	gf = vx_gf_field(8);
	vx_gf_generator(gf, 4, 6, g);
	for (int i = 0; i < 8; i++)
		coef[i] = (uint8_t)g[16 + i];
	anchor = isal(4, 2, coef, in, size / 4, out, reps);
	TIME_MIN_SETUP(reps, ours, free_blocks(blocks, 6),
	               vx_redundancy_add(&op, in, size, blocks));
	line("addRedundancy_aes256gcm_gf8_k4_m2_1MiB", size, ours, anchor);
	for (int j = 0; j < 6; j++)
		vx_bytes_free(&blocks[j]);
	free_keys(keys, 6);
	free(in);
	free(out);
}

/* A raw EVP encryption of the same data with the key's parameters. */
static void evp_once(const EVP_CIPHER *c, const SymmetricKey *k, const uint8_t *in, size_t len,
                     uint8_t *out, int aead, int decrypt)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	const heim_octet_string *iv = aead ? k->parameter.nonce : k->parameter.initialisationVector;
	int n = 0, f = 0;
	uint8_t tag[16] = {0};

	EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, !decrypt);
	if (aead)
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)iv->length, NULL);
	EVP_CipherInit_ex(ctx, NULL, NULL, k->key.data, iv->data, !decrypt);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	EVP_CipherUpdate(ctx, out, &n, in, (int)len);
	if (aead && decrypt)
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag);
	EVP_CipherFinal_ex(ctx, out + n, &f);
	if (aead && !decrypt)
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(ctx);
}

static void gcry_once(int algo, int mode, const SymmetricKey *k, const uint8_t *in, size_t len,
                      uint8_t *out, int decrypt)
{
	gcry_cipher_hd_t h;
	uint8_t tag[16];
	const heim_octet_string *iv = k->parameter.nonce;

	gcry_cipher_open(&h, algo, mode, 0);
	gcry_cipher_setkey(h, k->key.data, k->key.length);
	gcry_cipher_setiv(h, iv->data, iv->length);
	gcry_cipher_final(h);
	if (decrypt)
		gcry_cipher_decrypt(h, out, len, in, len);
	else
		gcry_cipher_encrypt(h, out, len, in, len), gcry_cipher_gettag(h, tag, 16);
	gcry_cipher_close(h);
}

static void cipher(const char *name, SymmetricAlgorithm alg, CipherMode mode, const EVP_CIPHER *evp,
                   int galgo, int gmode, size_t size)
{
	SymmetricKey k;
	uint8_t *in = malloc(size), *out = malloc(size + 64);
	vx_bytes ct = {0}, pt = {0};
	int reps = reps_for(size) * 2, aead = mode == gcm || mode == eax;
	double ours, anchor;
	char label[96];

	RAND_bytes(in, (int)size);
	vx_sym_generate(alg, mode, paddingNone, &k);
	for (int dec = 0; dec < 2; dec++) {
		const uint8_t *src = dec ? ct.data : in;

		if (dec)
			vx_sym_encrypt(&k, in, size, 0, &ct), src = ct.data;
		if (evp)
			TIME_MIN(reps, anchor, evp_once(evp, &k, src, size, out, aead, dec));
		else
			TIME_MIN(reps, anchor, gcry_once(galgo, gmode, &k, src, size, out, dec));
		if (dec)
			TIME_MIN_SETUP(reps, ours, vx_bytes_free(&pt),
			               vx_sym_decrypt(&k, ct.data, ct.len, 0, &pt));
		else
			TIME_MIN_SETUP(reps, ours, vx_bytes_free(&ct),
			               vx_sym_encrypt(&k, in, size, 0, &ct));
		snprintf(label, sizeof label, "%s_%s_%zuKiB", dec ? "decrypt" : "encrypt", name,
		         size >> 10);
		line(label, size, ours, anchor);
	}
	vx_bytes_free(&ct);
	vx_bytes_free(&pt);
	free_SymmetricKey(&k);
	free(in);
	free(out);
}

int main(int argc, char **argv)
{
	static const unsigned km[][2] = {{4, 2}, {8, 4}};
	size_t sizes[] = {1u << 20, 64u << 20};
	size_t nsizes = 2, csize;
	int node_only = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			quick = 1;
			nsizes = 1;
		} else if (!strcmp(argv[i], "-n")) {
			node_only = 1;
		} else {
			fprintf(stderr, "usage: vortex-bench [-q] [-n]\n");
			return 2;
		}
	}
	csize = quick ? 256u << 10 : 1u << 20;
	/*
	 * Keep freed memory in the heap, as a long-running node's would be:
	 * otherwise every run pays page faults the anchors, writing into
	 * buffers allocated once, never see.
	 */
	mallopt(M_MMAP_THRESHOLD, 512 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	gcry_check_version(NULL);
	if (node_only)
		return bench_node(quick);
	printf("# vortex-bench: NAME VALUE UNIT ratio=ours/anchor (anchor: ISA-L, gf-complete, "
	       "raw EVP or libgcrypt on the same data)\n");
	for (size_t s = 0; s < nsizes; s++)
		for (unsigned w = 8; w <= 16; w += 8)
			for (int i = 0; i < 2; i++)
				coding(w, km[i][0], km[i][1], sizes[s]);
	full_operation(1u << 20);
	cipher("aes256gcm", aes256, gcm, EVP_aes_256_gcm(), 0, 0, csize);
	cipher("aes256cbc", aes256, cbc, EVP_aes_256_cbc(), 0, 0, csize);
	cipher("aes256ctr", aes256, ctr, EVP_aes_256_ctr(), 0, 0, csize);
	cipher("camellia256cbc", camellia256, cbc, EVP_camellia_256_cbc(), 0, 0, csize);
	cipher("aes128eax", aes128, eax, NULL, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_EAX, csize);
	cipher("camellia256gcm", camellia256, gcm, NULL, GCRY_CIPHER_CAMELLIA256,
	       GCRY_CIPHER_MODE_GCM, csize);
	return bench_node(quick);
}
