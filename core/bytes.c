/* bytes.c - owned byte buffers. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "bytes.h"

vx_status vx_bytes_alloc(vx_bytes *b, size_t len)
{
	b->data = NULL;
	b->len = 0;
	if (len == 0)
		return VX_OK;
	if (!(b->data = malloc(len)))
		return VX_ENOMEM;
	b->len = len;
	return VX_OK;
}

vx_status vx_bytes_set(vx_bytes *b, const void *src, size_t len)
{
	vx_status st = vx_bytes_alloc(b, len);

	if (st == VX_OK && len)
		memcpy(b->data, src, len);
	return st;
}

void vx_bytes_free(vx_bytes *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}

void vx_bytes_move(vx_bytes *dst, vx_bytes *src)
{
	if (dst == src)
		return;
	vx_bytes_free(dst);
	*dst = *src;
	src->data = NULL;
	src->len = 0;
}
