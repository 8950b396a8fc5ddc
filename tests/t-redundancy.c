/* t-redundancy.c - the redundancy code: field, generator, every erasure. */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "cipher.h"
#include "gf.h"
#include "redundancy.h"
#include "tap.h"

/* Naive reference arithmetic, independent of core/gf.c: shift and add. */
static uint32_t ref_mul(unsigned w, uint32_t a, uint32_t b)
{
	uint32_t poly = w == 8 ? 0x11d : 0x1002d, r = 0;

	while (b) {
		if (b & 1)
			r ^= a;
		b >>= 1;
		a <<= 1;
		if (a >> w)
			a ^= poly;
	}
	return r;
}

static void test_field(void)
{
	for (unsigned w = 8; w <= 16; w += 8) {
		const vx_gf *gf = NULL;
		int bad = 0;

		gf = vx_gf_field(w);
		for (int i = 0; i < 20000; i++) {
			uint32_t a, b;

			RAND_bytes((unsigned char *)&a, sizeof a);
			RAND_bytes((unsigned char *)&b, sizeof b);
			a &= (1u << w) - 1, b &= (1u << w) - 1;
			bad += vx_gf_mul(gf, a, b) != ref_mul(w, a, b);
			bad += a && vx_gf_mul(gf, a, vx_gf_inv(gf, a)) != 1;
		}
		is(bad, 0, "GF(2^%u): multiplication and inverse agree with shift-and-add", w);
	}
	ok(vx_gf_field(12) == NULL, "GF(2^12) refused");
}

static void test_generator(void)
{
	static const uint32_t want[2][4] = {{27, 28, 18, 20}, {28, 27, 20, 18}};
	uint32_t g[6 * 4];
	const vx_gf *gf = NULL;
	int id = 1;

	gf = vx_gf_field(8);
	ok(vx_gf_generator(gf, 4, 6, g) == VX_OK, "GF(2^8) k=4 m=2 generator");
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			id &= g[i * 4 + j] == (uint32_t)(i == j);
	ok(id, "top rows are the identity (systematic)");
	ok(!memcmp(g + 16, want, sizeof want), "parity rows are [27,28,18,20] and [28,27,20,18]");
}

static SymmetricKey *make_keys(unsigned n, CipherMode mode)
{
	SymmetricKey *k = calloc(n, sizeof *k);

	for (unsigned i = 0; i < n; i++)
		vx_sym_generate(aes256, mode, paddingNone, &k[i]);
	return k;
}

static void free_keys(SymmetricKey *k, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free_SymmetricKey(&k[i]);
	free(k);
}

static AddRedundancyOperation add_op(int w, int k, int m, SymmetricKey *keys, unsigned nkeys)
{
	AddRedundancyOperation op;

	memset(&op, 0, sizeof op);
	op.gfSize = w, op.dataStripes = k, op.redundancy = m, op.outputId = 1;
	op.keys.len = nkeys, op.keys.val = keys;
	return op;
}

/* Decode from every subset of exactly k blocks (n <= 6). */
static void every_subset(int w, int k, int m, size_t len)
{
	unsigned n = (unsigned)(k + m), bad = 0, tried = 0;
	SymmetricKey *keys = make_keys(n, gcm);
	AddRedundancyOperation op = add_op(w, k, m, keys, n);
	vx_bytes blocks[8] = {{0}}, sub[8], out;
	uint8_t *in = malloc(len + 1);

	RAND_bytes(in, (int)len + 1);
	if (!ok(vx_redundancy_add(&op, in, len, blocks) == VX_OK,
	        "GF(2^%d) k=%d m=%d len=%zu: encoded", w, k, m, len))
		goto out;
	for (unsigned mask = 0; mask < 1u << n; mask++) {
		if ((unsigned)__builtin_popcount(mask) != (unsigned)k)
			continue;
		for (unsigned j = 0; j < n; j++)
			sub[j] = mask >> j & 1 ? blocks[j] : (vx_bytes){0};
		tried++;
		if (vx_redundancy_remove((RemoveRedundancyOperation *)&op, sub, &out) != VX_OK ||
		    out.len != len || (len && memcmp(out.data, in, len)))
			bad++;
		vx_bytes_free(&out);
	}
	is(bad, 0, "  decoded from all %u subsets of %d blocks", tried, k);
	/* one block fewer than k: refused */
	for (unsigned j = 0; j < n; j++)
		sub[j] = j < (unsigned)k - 1 ? blocks[j] : (vx_bytes){0};
	is(vx_redundancy_remove((RemoveRedundancyOperation *)&op, sub, &out), VX_ENOTFOUND,
	   "  %d blocks are too few", k - 1);
out:
	for (unsigned j = 0; j < n; j++)
		vx_bytes_free(&blocks[j]);
	free_keys(keys, n);
	free(in);
}

/* Large codes: random subsets, corrupted blocks, cross-check of parity. */
static void large(int w, int k, int m, size_t len)
{
	unsigned n = (unsigned)(k + m), bad = 0;
	SymmetricKey *keys = make_keys(n, gcm);
	AddRedundancyOperation op = add_op(w, k, m, keys, n);
	vx_bytes *blocks = calloc(n, sizeof *blocks), *sub = calloc(n, sizeof *sub), out;
	uint8_t *in = malloc(len);

	RAND_bytes(in, (int)len);
	if (!ok(vx_redundancy_add(&op, in, len, blocks) == VX_OK,
	        "GF(2^%d) k=%d m=%d len=%zu: encoded", w, k, m, len))
		goto out;
	for (int round = 0; round < 5; round++) {
		unsigned keep = 0;

		/* a random set of exactly k blocks */
		for (unsigned j = 0; j < n; j++)
			sub[j] = (vx_bytes){0};
		while (keep < (unsigned)k) {
			unsigned j;

			RAND_bytes((unsigned char *)&j, sizeof j);
			j %= n;
			if (!sub[j].data)
				sub[j] = blocks[j], keep++;
		}
		if (vx_redundancy_remove((RemoveRedundancyOperation *)&op, sub, &out) != VX_OK ||
		    out.len != len || (len && memcmp(out.data, in, len)))
			bad++;
		vx_bytes_free(&out);
	}
	is(bad, 0, "  decoded from 5 random subsets of %d blocks", k);
	/* corrupt a data block: GCM rejects it and the parity replaces it */
	memcpy(sub, blocks, n * sizeof *sub);
	sub[0].data[5] ^= 1;
	ok(vx_redundancy_remove((RemoveRedundancyOperation *)&op, sub, &out) == VX_OK &&
	       out.len == len && !memcmp(out.data, in, len),
	   "  a corrupted block is detected and decoded around");
	vx_bytes_free(&out);
	sub[0].data[5] ^= 1;
	/* corrupt m+1 blocks: too few good ones left, a clean refusal */
	for (unsigned j = 0; j <= (unsigned)m; j++)
		blocks[j].data[0] ^= 1;
	is(vx_redundancy_remove((RemoveRedundancyOperation *)&op, blocks, &out), VX_ENOTFOUND,
	   "  with m+1 corrupted blocks decoding fails cleanly");
out:
	for (unsigned j = 0; j < n; j++)
		vx_bytes_free(&blocks[j]);
	free(blocks);
	free(sub);
	free_keys(keys, n);
	free(in);
}

/* With NONE keys the blocks are the coded stripes: check parity independently. */
static void cross_check(int w)
{
	const int k = 3, m = 2;
	SymmetricKey *keys = make_keys(2, modeNone);
	AddRedundancyOperation op = add_op(w, k, m, keys, 2);
	vx_bytes b[5] = {{0}};
	uint8_t in[1000];
	uint32_t g[5 * 3];
	const vx_gf *gf = NULL;
	int bad = 0;

	RAND_bytes(in, sizeof in);
	gf = vx_gf_field((unsigned)w);
	vx_gf_generator(gf, k, k + m, g);
	ok(vx_redundancy_add(&op, in, sizeof in, b) == VX_OK, "GF(2^%d) with NONE keys encoded", w);
	ok(b[0].len == b[4].len && !memcmp(b[0].data + 4, in, b[0].len - 4),
	   "  block 0 is the first stripe: prefix, then the data");
	size_t sym = (size_t)w / 8;
	for (int r = k; r < k + m; r++)
		for (size_t pos = 0; pos < b[0].len; pos += sym) {
			uint32_t acc = 0;

			for (int i = 0; i < k; i++) {
				uint32_t v =
				    b[i].data[pos] | (sym == 2 ? b[i].data[pos + 1] << 8 : 0);

				acc ^= ref_mul((unsigned)w, g[r * k + i], v);
			}
			uint32_t got = b[r].data[pos] | (sym == 2 ? b[r].data[pos + 1] << 8 : 0);
			bad += got != acc;
		}
	is(bad, 0, "  parity equals the naive symbol-by-symbol product%s",
	   w == 16 ? " (16-bit little-endian symbols)" : "");
	for (int j = 0; j < k + m; j++)
		vx_bytes_free(&b[j]);
	free_keys(keys, 2);
}

static void refusals(void)
{
	SymmetricKey *keys = make_keys(3, gcm);
	AddRedundancyOperation op = add_op(12, 2, 1, keys, 3);
	vx_bytes b[300];

	is(vx_redundancy_add(&op, (const uint8_t *)"x", 1, b), VX_EBADPARAM, "gfSize 12 refused");
	op = add_op(8, 2, 1, keys, 1);
	is(vx_redundancy_add(&op, (const uint8_t *)"x", 1, b), VX_ERANGE, "one key refused");
	op = add_op(8, 200, 100, keys, 3);
	is(vx_redundancy_add(&op, (const uint8_t *)"x", 1, b), VX_EBADPARAM,
	   "300 blocks do not fit GF(2^8)");
	free_keys(keys, 3);
}

int main(void)
{
	test_field();
	test_generator();
	for (int w = 8; w <= 16; w += 8) {
		every_subset(w, 2, 1, 0);
		every_subset(w, 3, 2, 1);
		every_subset(w, 4, 2, 1001);
		every_subset(w, 2, 4, 77);
	}
	large(8, 16, 8, 100000);
	large(16, 40, 20, 100000);
	large(8, 100, 100, 50000);
	cross_check(8);
	cross_check(16);
	refusals();
	return tap_done();
}
