/* redundancy.c - addRedundancy / removeRedundancy (section 7.4.4). */
#include <limits.h>
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
#define ALIGN 64
#define CHUNK (1u << 30) /* both libraries take int lengths */

/* rows x k coefficients applied to k regions into rows regions. */
static vx_status apply(unsigned w, const uint32_t *coef, unsigned rows, unsigned k,
		       uint8_t *const *src, uint8_t *const *dst, size_t len)
{
	uint8_t **s = malloc((k + rows) * sizeof *s), **d = s ? s + k : NULL;
	vx_status st = VX_OK;

	if (!s)
		return VX_ENOMEM;
	if (w == 8) {
		uint8_t *c = malloc((size_t)rows * k), *tbl = malloc((size_t)32 * k * rows);

		if (!c || !tbl) {
			st = VX_ENOMEM;
		} else {
			for (size_t i = 0; i < (size_t)rows * k; i++)
				c[i] = (uint8_t)coef[i];
			ec_init_tables((int)k, (int)rows, c, tbl);
			for (size_t off = 0; off < len; off += CHUNK) {
				size_t n = len - off < CHUNK ? len - off : CHUNK;

				for (unsigned i = 0; i < k; i++)
					s[i] = src[i] + off;
				for (unsigned i = 0; i < rows; i++)
					d[i] = dst[i] + off;
				ec_encode_data((int)n, (int)k, (int)rows, tbl, s, d);
			}
		}
		free(c);
		free(tbl);
	} else {
		gf_t gf;

		/* the leading 1 of the polynomial is optional in gf-complete */
		if (!gf_init_hard(&gf, 16, GF_MULT_DEFAULT, GF_REGION_DEFAULT, GF_DIVIDE_DEFAULT,
				  0x1002d, 0, 0, NULL, NULL)) {
			free(s);
			return VX_ECRYPTO;
		}
		for (size_t off = 0; off < len; off += CHUNK) {
			int n = (int)(len - off < CHUNK ? len - off : CHUNK);

			for (unsigned r = 0; r < rows; r++)
				for (unsigned i = 0; i < k; i++)
					gf.multiply_region.w32(&gf, src[i] + off, dst[r] + off,
							       coef[r * k + i], n, i > 0);
		}
		gf_free(&gf, 1);
	}
	free(s);
	return st;
}

vx_status vx_redundancy_encode(unsigned w, unsigned k, unsigned m, uint8_t *const *data,
			       uint8_t *const *parity, size_t stripe)
{
	uint32_t *g;
	vx_gf *gf;
	vx_status st;

	if ((st = vx_gf_new(w, &gf)) != VX_OK)
		return st;
	if (!(g = malloc((size_t)(k + m) * k * sizeof *g))) {
		vx_gf_free(gf);
		return VX_ENOMEM;
	}
	if ((st = vx_gf_generator(gf, k, k + m, g)) == VX_OK)
		st = apply(w, g + (size_t)k * k, m, k, data, parity, stripe);
	free(g);
	vx_gf_free(gf);
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

/* An arena of rows, each ALIGN-aligned, stride bytes apart. */
static uint8_t *arena(size_t rows, size_t stride)
{
	void *p = NULL;
	size_t size;

	if (stride && rows > SIZE_MAX / stride)
		return NULL;
	size = rows * stride;
	if (posix_memalign(&p, ALIGN, size ? size : ALIGN))
		return NULL;
	return p;
}

static size_t stride_of(size_t s)
{
	return (s + ALIGN - 1) / ALIGN * ALIGN;
}

vx_status vx_redundancy_add(const AddRedundancyOperation *op, const uint8_t *in, size_t len,
			    vx_bytes *out)
{
	struct plan p;
	size_t L, s, stride, kunit;
	uint32_t *g = NULL, prefix, r;
	uint8_t *buf = NULL, **rows = NULL;
	vx_gf *gf = NULL;
	vx_status st;

	if ((st = make_plan(op->gfSize, op->dataStripes, op->redundancy, op->keys.val,
			    op->keys.len, &p)) != VX_OK)
		return st;
	for (unsigned j = 0; j < p.n; j++)
		out[j] = (vx_bytes){0};
	kunit = p.k * p.unit;
	/* L: the smallest length >= len + 4 that splits into whole units */
	if (len > UINT32_MAX - 4 - kunit)
		return VX_ELIMIT;
	L = (len + 4 + kunit - 1) / kunit * kunit;
	if (L > UINT32_MAX)
		return VX_ELIMIT;
	s = L / p.k;
	stride = stride_of(s);
	if (!(buf = arena(p.n, stride)) || !(rows = malloc(p.n * sizeof *rows)) ||
	    !(g = malloc((size_t)p.n * p.k * sizeof *g))) {
		st = VX_ENOMEM;
		goto out;
	}
	/* prefix p = len + r*L < 2^32, r random (README point 4) */
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1 ||
	    RAND_bytes(buf, (int)(p.k * stride)) != 1) {
		st = VX_ECRYPTO;
		goto out;
	}
	r %= (uint32_t)((UINT32_MAX - len) / L + 1);
	prefix = (uint32_t)(len + (uint64_t)r * L);
	/* the padded input, filled across the stripes, then random */
	{
		uint8_t head[4] = {prefix & 0xff, prefix >> 8 & 0xff, prefix >> 16 & 0xff,
				   prefix >> 24};
		size_t pos = 0;

		for (unsigned i = 0; i < p.k; i++)
			rows[i] = buf + i * stride;
		for (size_t t = 0; t < 4 + len; t++, pos++) {
			uint8_t b = t < 4 ? head[t] : in[t - 4];

			rows[pos / s][pos % s] = b;
		}
	}
	for (unsigned j = p.k; j < p.n; j++)
		rows[j] = buf + j * stride;
	if ((st = vx_gf_new(p.w, &gf)) != VX_OK ||
	    (st = vx_gf_generator(gf, p.k, p.n, g)) != VX_OK ||
	    (st = apply(p.w, g + (size_t)p.k * p.k, p.m, p.k, rows, rows + p.k, s)) != VX_OK)
		goto out;
	for (unsigned j = 0; j < p.n && st == VX_OK; j++)
		st = vx_sym_encrypt(&p.keys[j % p.nkeys], rows[j], s, VX_SYM_ALLOW_NONE, &out[j]);
out:
	if (st != VX_OK)
		for (unsigned j = 0; j < p.n; j++)
			vx_bytes_free(&out[j]);
	if (buf)
		OPENSSL_cleanse(buf, p.n * stride);
	free(buf);
	free(rows);
	free(g);
	vx_gf_free(gf);
	return st;
}

vx_status vx_redundancy_remove(const RemoveRedundancyOperation *op, const vx_bytes *in,
			       vx_bytes *out)
{
	struct plan p;
	vx_bytes *plain = NULL;
	unsigned *pick = NULL, got = 0;
	uint32_t *g = NULL, *sub = NULL, *inv = NULL, prefix;
	uint8_t *buf = NULL, **src = NULL, **dst = NULL;
	size_t s = 0, stride, L, len;
	vx_gf *gf = NULL;
	vx_status st;

	out->data = NULL;
	out->len = 0;
	if ((st = make_plan(op->gfSize, op->dataStripes, op->redundancy, op->keys.val,
			    op->keys.len, &p)) != VX_OK)
		return st;
	if (!(plain = calloc(p.n, sizeof *plain)) || !(pick = malloc(p.k * sizeof *pick))) {
		st = VX_ENOMEM;
		goto out;
	}
	/* the first k blocks that decrypt, of one length, a whole number of units */
	for (unsigned j = 0; j < p.n && got < p.k; j++) {
		if (!in[j].data)
			continue;
		if (vx_sym_decrypt(&p.keys[j % p.nkeys], in[j].data, in[j].len, VX_SYM_ALLOW_NONE,
				   &plain[j]) != VX_OK)
			continue;
		if (!plain[j].len || plain[j].len % p.unit || (got && plain[j].len != s)) {
			vx_bytes_free(&plain[j]);
			continue;
		}
		s = plain[j].len;
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
	stride = stride_of(s);
	g = malloc((size_t)p.n * p.k * sizeof *g);
	sub = malloc((size_t)p.k * p.k * sizeof *sub);
	inv = malloc((size_t)p.k * p.k * sizeof *inv);
	src = malloc(2 * p.k * sizeof *src);
	buf = arena(2 * (size_t)p.k, stride);
	if (!g || !sub || !inv || !src || !buf) {
		st = VX_ENOMEM;
		goto out;
	}
	dst = src + p.k;
	if ((st = vx_gf_new(p.w, &gf)) != VX_OK ||
	    (st = vx_gf_generator(gf, p.k, p.n, g)) != VX_OK)
		goto out;
	for (unsigned i = 0; i < p.k; i++) {
		memcpy(sub + (size_t)i * p.k, g + (size_t)pick[i] * p.k, p.k * sizeof *g);
		src[i] = buf + i * stride;
		dst[i] = buf + (p.k + i) * stride;
		memcpy(src[i], plain[pick[i]].data, s);
	}
	if ((st = vx_gf_invert(gf, sub, inv, p.k)) != VX_OK ||
	    (st = apply(p.w, inv, p.k, p.k, src, dst, s)) != VX_OK)
		goto out;
	prefix = (uint32_t)dst[0][0] | (uint32_t)dst[0][1] << 8 | (uint32_t)dst[0][2] << 16 |
		 (uint32_t)dst[0][3] << 24;
	len = prefix % L;
	if (len > L - 4) {
		st = VX_EBADPARAM;
		goto out;
	}
	if ((st = vx_bytes_alloc(out, len)) != VX_OK)
		goto out;
	for (size_t t = 0; t < len; t++)
		out->data[t] = dst[(t + 4) / s][(t + 4) % s];
out:
	for (unsigned j = 0; plain && j < p.n; j++)
		vx_bytes_free(&plain[j]);
	if (buf)
		OPENSSL_cleanse(buf, 2 * (size_t)p.k * stride_of(s));
	free(plain);
	free(pick);
	free(g);
	free(sub);
	free(inv);
	free(src);
	free(buf);
	vx_gf_free(gf);
	return st;
}
