/* gf.c - GF(2^8) and GF(2^16) arithmetic, matrix inversion and generator. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gf.h"

struct vx_gf {
	unsigned w;
	uint32_t size; /* 2^w */
	uint16_t *log; /* log[0] unused */
	uint16_t *exp; /* exp[i] for i < 2 * (size - 1): no modulo in mul */
};

static vx_gf fields[2];
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static void build(vx_gf *gf, unsigned w)
{
	uint32_t poly = w == 8 ? 0x11d : 0x1002d, x = 1;

	gf->w = w;
	gf->size = UINT32_C(1) << w;
	gf->log = calloc(gf->size, sizeof *gf->log);
	gf->exp = calloc(2 * (size_t)gf->size, sizeof *gf->exp);
	if (!gf->log || !gf->exp) {
		free(gf->log);
		free(gf->exp);
		gf->log = NULL;
		gf->exp = NULL;
		return;
	}
	/* x = 2 generates the multiplicative group for both polynomials */
	for (uint32_t i = 0; i < gf->size - 1; i++) {
		gf->exp[i] = gf->exp[i + gf->size - 1] = (uint16_t)x;
		gf->log[x] = (uint16_t)i;
		x <<= 1;
		if (x & gf->size)
			x ^= poly;
	}
}

static void build_fields(void)
{
	build(&fields[0], 8);
	build(&fields[1], 16);
}

const vx_gf *vx_gf_field(unsigned w)
{
	const vx_gf *gf;

	if (w != 8 && w != 16)
		return NULL;
	pthread_once(&fields_once, build_fields);
	gf = &fields[w == 16];
	return gf->log ? gf : NULL;
}

unsigned vx_gf_width(const vx_gf *gf)
{
	return gf->w;
}

uint32_t vx_gf_mul(const vx_gf *gf, uint32_t a, uint32_t b)
{
	if (!a || !b)
		return 0;
	return gf->exp[gf->log[a] + gf->log[b]];
}

uint32_t vx_gf_inv(const vx_gf *gf, uint32_t a)
{
	if (!a)
		return 0;
	return gf->exp[(gf->size - 1 - gf->log[a]) % (gf->size - 1)];
}

uint32_t vx_gf_pow(const vx_gf *gf, uint32_t a, uint32_t e)
{
	if (!e)
		return 1;
	if (!a)
		return 0;
	return gf->exp[(uint64_t)gf->log[a] * e % (gf->size - 1)];
}

vx_status vx_gf_invert(const vx_gf *gf, const uint32_t *m, uint32_t *inv, unsigned k)
{
	uint32_t *a = malloc((size_t)k * k * sizeof *a);

	if (!a)
		return VX_ENOMEM;
	memcpy(a, m, (size_t)k * k * sizeof *a);
	for (unsigned i = 0; i < k; i++)
		for (unsigned j = 0; j < k; j++)
			inv[i * k + j] = i == j;
	/* Gauss-Jordan: addition is XOR in characteristic 2 */
	for (unsigned c = 0; c < k; c++) {
		unsigned p = c;
		uint32_t f;

		while (p < k && !a[p * k + c])
			p++;
		if (p == k) {
			free(a);
			return VX_EINVAL;
		}
		if (p != c)
			for (unsigned j = 0; j < k; j++) {
				uint32_t t = a[c * k + j];

				a[c * k + j] = a[p * k + j], a[p * k + j] = t;
				t = inv[c * k + j];
				inv[c * k + j] = inv[p * k + j], inv[p * k + j] = t;
			}
		f = vx_gf_inv(gf, a[c * k + c]);
		for (unsigned j = 0; j < k; j++) {
			a[c * k + j] = vx_gf_mul(gf, a[c * k + j], f);
			inv[c * k + j] = vx_gf_mul(gf, inv[c * k + j], f);
		}
		for (unsigned r = 0; r < k; r++) {
			uint32_t g = a[r * k + c];

			if (r == c || !g)
				continue;
			for (unsigned j = 0; j < k; j++) {
				a[r * k + j] ^= vx_gf_mul(gf, g, a[c * k + j]);
				inv[r * k + j] ^= vx_gf_mul(gf, g, inv[c * k + j]);
			}
		}
	}
	free(a);
	return VX_OK;
}

vx_status vx_gf_generator(const vx_gf *gf, unsigned k, unsigned n, uint32_t *g)
{
	uint32_t *v, *inv;
	vx_status st;

	if (!k || n < k || n > gf->size)
		return VX_EBADPARAM;
	v = calloc((size_t)n * k, sizeof *v);
	inv = malloc((size_t)k * k * sizeof *inv);
	if (!v || !inv) {
		st = VX_ENOMEM;
		goto out;
	}
	/* evaluation points 0..n-1 as field elements, V[j][i] = j^i */
	for (unsigned j = 0; j < n; j++)
		for (unsigned i = 0; i < k; i++)
			v[j * k + i] = vx_gf_pow(gf, j, i);
	if ((st = vx_gf_invert(gf, v, inv, k)) != VX_OK)
		goto out;
	for (unsigned j = 0; j < n; j++)
		for (unsigned i = 0; i < k; i++) {
			uint32_t s = 0;

			for (unsigned t = 0; t < k; t++)
				s ^= vx_gf_mul(gf, v[j * k + t], inv[t * k + i]);
			g[j * k + i] = s;
		}
out:
	free(v);
	free(inv);
	return st;
}
