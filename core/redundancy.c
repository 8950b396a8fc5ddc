/* redundancy.c - addRedundancy / removeRedundancy (section 7.4.4). */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gf_complete.h>
#include <isa-l/erasure_code.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cipher.h"
#include "gf.h"
#include "redundancy.h"

#define KEYS_MIN 2 /* SIZE (2..512) of keys, dropped by Heimdal */
#define KEYS_MAX 512
#define CHUNK    (1u << 30)  /* both libraries take int lengths */
#define SLICE    (64u << 10) /* coded while still in cache */

/*
 * A prepared coefficient matrix (rows x k) over one field: ISA-L's tables
 * for GF(2^8), a gf-complete field for GF(2^16). Built once per operation
 * and applied chunk by chunk, so data is coded while it is still in cache.
 */
struct coder {
	unsigned w, rows, k;
	const uint32_t *coef;
	uint8_t *tbl;   /* GF(2^8) */
	const gf_t *gf; /* GF(2^16) */
};

/*
 * gf-complete's GF(2^16) with 4-bit split tables, its fastest region
 * multiply here. Its set-up costs more than coding a megabyte, so it is
 * made once per process; region multiplies only read it (their tables are
 * built per call), so threads share it safely, like a constant.
 */
static gf_t gf16;
static int gf16_ok;
static pthread_once_t gf16_once = PTHREAD_ONCE_INIT;

static void gf16_init(void)
{
	/* the leading 1 of the polynomial is optional in gf-complete */
	gf16_ok = gf_init_hard(&gf16, 16, GF_MULT_SPLIT_TABLE, GF_REGION_DEFAULT, GF_DIVIDE_DEFAULT,
	                       0x1002d, 16, 4, NULL, NULL);
}

static vx_status coder_init(struct coder *c, unsigned w, const uint32_t *coef, unsigned rows,
                            unsigned k)
{
	memset(c, 0, sizeof *c);
	c->w = w, c->rows = rows, c->k = k, c->coef = coef;
	if (w == 8) {
		uint8_t *b = malloc((size_t)rows * k);

		if (!b || !(c->tbl = malloc((size_t)32 * k * rows))) {
			free(b);
			return VX_ENOMEM;
		}
		for (size_t i = 0; i < (size_t)rows * k; i++)
			b[i] = (uint8_t)coef[i];
		ec_init_tables((int)k, (int)rows, b, c->tbl);
		free(b);
		return VX_OK;
	}
	pthread_once(&gf16_once, gf16_init);
	if (!gf16_ok)
		return VX_ECRYPTO;
	c->gf = &gf16;
	return VX_OK;
}

static void coder_free(struct coder *c)
{
	free(c->tbl);
	memset(c, 0, sizeof *c);
}

/*
 * gf-complete's SIMD regions want source and destination equally aligned:
 * regions that are not 16-byte aligned go through aligned copies.
 */
static vx_status run16(struct coder *c, uint8_t *const *src, uint8_t *const *dst, int len)
{
	uint8_t **s = calloc(c->k + c->rows, sizeof *s), **d = s ? s + c->k : NULL;
	vx_status st = VX_OK;

	if (!s)
		return VX_ENOMEM;
	for (unsigned i = 0; i < c->k + c->rows && st == VX_OK; i++) {
		uint8_t *p = i < c->k ? src[i] : dst[i - c->k];
		void *a = NULL;

		if (!((uintptr_t)p & 15)) {
			s[i] = p;
			continue;
		}
		if (posix_memalign(&a, 16, len ? (size_t)len : 16)) {
			st = VX_ENOMEM;
			break;
		}
		s[i] = a;
		if (i < c->k && len)
			memcpy(a, p, (size_t)len);
	}
	if (st == VX_OK) {
		for (unsigned r = 0; r < c->rows; r++)
			for (unsigned i = 0; i < c->k; i++)
				c->gf->multiply_region.w32((gf_t *)c->gf, s[i], d[r],
				                           c->coef[r * c->k + i], len, i > 0);
		for (unsigned r = 0; r < c->rows; r++)
			if (d[r] != dst[r] && len)
				memcpy(dst[r], d[r], (size_t)len);
	}
	for (unsigned i = 0; i < c->k + c->rows; i++)
		if (s[i] && s[i] != (i < c->k ? src[i] : dst[i - c->k]))
			free(s[i]);
	free(s);
	return st;
}

/* Apply the matrix to bytes [off, off + len) of every region. */
static vx_status coder_run(struct coder *c, uint8_t *const *src, uint8_t *const *dst, size_t off,
                           size_t len)
{
	uint8_t *s[512], *d[512];
	vx_status st = VX_OK;

	for (size_t done = 0; done < len && st == VX_OK; done += CHUNK) {
		int n = (int)(len - done < CHUNK ? len - done : CHUNK);

		for (unsigned i = 0; i < c->k; i++)
			s[i] = src[i] + off + done;
		for (unsigned i = 0; i < c->rows; i++)
			d[i] = dst[i] + off + done;
		if (c->w == 8)
			ec_encode_data(n, (int)c->k, (int)c->rows, c->tbl, s, d);
		else
			st = run16(c, s, d, n);
	}
	return st;
}

/* What add and remove share: the parameters of 7.4.4, validated. */
struct plan {
	unsigned w, k, m, n;
	const SymmetricKey *keys;
	unsigned nkeys;
	size_t unit; /* a stripe is a whole number of these */
};

static vx_status make_plan(int gfsize, int k, int m, const SymmetricKey *keys, unsigned nkeys,
                           struct plan *p)
{
	size_t block = 1;

	if (gfsize != 8 && gfsize != 16)
		return VX_EBADPARAM;
	if (k < 1 || m < 1 || k > 254 || m > 254)
		return VX_ERANGE;
	if (nkeys < KEYS_MIN || nkeys > KEYS_MAX)
		return VX_ERANGE;
	p->w = (unsigned)gfsize;
	p->k = (unsigned)k;
	p->m = (unsigned)m;
	p->n = p->k + p->m;
	/* n evaluation points must be distinct field elements */
	if (p->n > (1u << p->w))
		return VX_EBADPARAM;
	p->keys = keys;
	p->nkeys = nkeys;
	for (unsigned j = 0; j < p->n && j < nkeys; j++) {
		size_t b = vx_sym_block_size(&keys[j]);

		if (!b)
			return VX_ESYMUNKNOWN;
		if (b > block)
			block = b;
	}
	/* GF(2^16) symbols are two bytes; every block size here is 1 or even */
	p->unit = p->w == 16 && block == 1 ? 2 : block;
	return VX_OK;
}

/* Mode NONE is the identity: its blocks need no cipher pass (7.4.4). */
static int is_none(const SymmetricKey *k)
{
	return k->parameter.mode && *k->parameter.mode == modeNone;
}

/* Fill dst with [off, off + n) of the padded stream prefix || in || random. */
static vx_status padded_range(uint8_t *dst, size_t off, size_t n, const uint8_t head[4],
                              const uint8_t *in, size_t len)
{
	while (n && off < 4) {
		*dst++ = head[off++];
		n--;
	}
	if (n && off - 4 < len) {
		size_t c = len - (off - 4) < n ? len - (off - 4) : n;

		memcpy(dst, in + (off - 4), c);
		dst += c, off += c, n -= c;
	}
	return n && RAND_bytes(dst, (int)n) != 1 ? VX_ECRYPTO : VX_OK;
}

vx_status vx_redundancy_add(const AddRedundancyOperation *op, const uint8_t *in, size_t len,
                            vx_bytes *out)
{
	struct plan p;
	size_t L, s, kunit;
	uint32_t *g = NULL, prefix, r;
	uint8_t **rows = NULL;
	const vx_gf *gf = NULL;
	struct coder c = {0};
	vx_status st;

	if ((st = make_plan(op->gfSize, op->dataStripes, op->redundancy, op->keys.val, op->keys.len,
	                    &p)) != VX_OK)
		return st;
	for (unsigned j = 0; j < p.n; j++)
		out[j] = (vx_bytes){0};
	kunit = p.k * p.unit;
	/* L: the smallest length >= len + 4 that splits into whole units */
	if (len > UINT32_MAX - 4 - kunit)
		return VX_ELIMIT;
	L = (len + 4 + kunit - 1) / kunit * kunit;
	s = L / p.k;
	if (!(rows = malloc(p.n * sizeof *rows)) || !(g = malloc((size_t)p.n * p.k * sizeof *g))) {
		st = VX_ENOMEM;
		goto out;
	}
	for (unsigned j = 0; j < p.n; j++) {
		if ((st = vx_bytes_alloc(&out[j], s)) != VX_OK)
			goto out;
		rows[j] = out[j].data;
	}
	/* prefix p = len + r*L < 2^32 with r random (README point 4) */
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) {
		st = VX_ECRYPTO;
		goto out;
	}
	r %= (uint32_t)((UINT32_MAX - len) / L + 1);
	prefix = (uint32_t)(len + (uint64_t)r * L);
	if (!(gf = vx_gf_field(p.w)))
		st = VX_ENOMEM;
	if (st != VX_OK || (st = vx_gf_generator(gf, p.k, p.n, g)) != VX_OK ||
	    (st = coder_init(&c, p.w, g + (size_t)p.k * p.k, p.m, p.k)) != VX_OK)
		goto out;
	{
		const uint8_t head[4] = {prefix & 0xff, prefix >> 8 & 0xff, prefix >> 16 & 0xff,
		                         prefix >> 24};

		/* the padded input fills the stripes across, then down; coded while hot */
		for (size_t off = 0; off < s && st == VX_OK; off += SLICE) {
			size_t n = s - off < SLICE ? s - off : SLICE;

			for (unsigned i = 0; i < p.k && st == VX_OK; i++)
				st = padded_range(rows[i] + off, i * s + off, n, head, in, len);
			if (st == VX_OK)
				st = coder_run(&c, rows, rows + p.k, off, n);
		}
	}
	if (st != VX_OK)
		goto out;
	for (unsigned j = 0; j < p.n && st == VX_OK; j++) {
		const SymmetricKey *key = &p.keys[j % p.nkeys];
		vx_bytes ct;

		if (is_none(key))
			continue;
		if ((st = vx_sym_encrypt(key, out[j].data, s, 0, &ct)) == VX_OK)
			vx_bytes_move(&out[j], &ct);
	}
out:
	if (st != VX_OK)
		for (unsigned j = 0; j < p.n; j++)
			vx_bytes_free(&out[j]);
	coder_free(&c);
	free(rows);
	free(g);
	return st;
}

vx_status vx_redundancy_remove(const RemoveRedundancyOperation *op, const vx_bytes *in,
                               vx_bytes *out)
{
	struct plan p;
	vx_bytes *plain = NULL;
	unsigned *pick = NULL, got = 0, nt = 0;
	uint32_t *g = NULL, *sub = NULL, *inv = NULL, prefix;
	uint8_t *buf = NULL, **src = NULL, **dst = NULL;
	size_t s = 0, L, len;
	const vx_gf *gf = NULL;
	struct coder c = {0};
	vx_status st;

	out->data = NULL;
	out->len = 0;
	if ((st = make_plan(op->gfSize, op->dataStripes, op->redundancy, op->keys.val, op->keys.len,
	                    &p)) != VX_OK)
		return st;
	if (!(plain = calloc(p.n, sizeof *plain)) || !(pick = malloc(p.k * sizeof *pick)) ||
	    !(src = malloc(2 * p.k * sizeof *src))) {
		st = VX_ENOMEM;
		goto out;
	}
	dst = src + p.k;
	/* the first k blocks that decrypt, of one length, a whole number of units */
	for (unsigned j = 0; j < p.n && got < p.k; j++) {
		const SymmetricKey *key = &p.keys[j % p.nkeys];
		const uint8_t *data = in[j].data;
		size_t n = in[j].len;

		if (!data)
			continue;
		if (!is_none(key)) {
			if (vx_sym_decrypt(key, in[j].data, in[j].len, 0, &plain[j]) != VX_OK)
				continue;
			data = plain[j].data, n = plain[j].len;
		}
		if (!n || n % p.unit || (got && n != s)) {
			vx_bytes_free(&plain[j]);
			continue;
		}
		s = n;
		src[got] = (uint8_t *)data;
		pick[got++] = j;
	}
	if (got < p.k) {
		st = VX_ENOTFOUND;
		goto out;
	}
	if ((uint64_t)s * p.k > UINT32_MAX) {
		st = VX_ELIMIT;
		goto out;
	}
	L = s * p.k;
	g = malloc((size_t)p.n * p.k * sizeof *g);
	sub = malloc((size_t)p.k * p.k * sizeof *sub);
	inv = malloc((size_t)p.k * p.k * sizeof *inv);
	/* stripes that start inside the 4-byte prefix are decoded aside */
	nt = (4 + s - 1) / s < p.k ? (unsigned)((4 + s - 1) / s) : p.k;
	buf = malloc(nt * s);
	if (!g || !sub || !inv || !buf || (st = vx_bytes_alloc(out, L - 4)) != VX_OK) {
		st = st != VX_OK ? st : VX_ENOMEM;
		goto out;
	}
	if (!(gf = vx_gf_field(p.w)))
		st = VX_ENOMEM;
	if (st != VX_OK || (st = vx_gf_generator(gf, p.k, p.n, g)) != VX_OK)
		goto out;
	for (unsigned i = 0; i < p.k; i++)
		memcpy(sub + (size_t)i * p.k, g + (size_t)pick[i] * p.k, p.k * sizeof *g);
	/* the others land where they belong: the output is the padded stream less 4 bytes */
	for (unsigned i = 0; i < p.k; i++)
		dst[i] = i < nt ? buf + i * s : out->data + i * s - 4;
	if ((st = vx_gf_invert(gf, sub, inv, p.k)) != VX_OK ||
	    (st = coder_init(&c, p.w, inv, p.k, p.k)) != VX_OK)
		goto out;
	for (size_t off = 0; off < s && st == VX_OK; off += SLICE)
		st = coder_run(&c, src, dst, off, s - off < SLICE ? s - off : SLICE);
	if (st != VX_OK)
		goto out;
	prefix = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
	         (uint32_t)buf[3] << 24;
	len = prefix % L;
	if (len > L - 4) {
		st = VX_EBADPARAM;
		goto out;
	}
	if (nt * s > 4)
		memcpy(out->data, buf + 4, nt * s - 4);
	/* the bytes past len are padding: the buffer keeps them, len hides them */
	out->len = len;
out:
	if (st != VX_OK)
		vx_bytes_free(out);
	coder_free(&c);
	for (unsigned j = 0; plain && j < p.n; j++)
		vx_bytes_free(&plain[j]);
	if (buf)
		OPENSSL_cleanse(buf, nt * s);
	free(plain);
	free(pick);
	free(g);
	free(sub);
	free(inv);
	free(src);
	free(buf);
	return st;
}
