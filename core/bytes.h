/*
 * bytes.h - owned byte buffers, the unit every core module exchanges.
 *
 * A vx_bytes owns data (malloc'd) of len bytes; an empty buffer has
 * data == NULL and len == 0. vx_bytes_free wipes before freeing, since
 * buffers routinely hold keys and plaintext.
 */
#ifndef VX_BYTES_H
#define VX_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "vortex.h"

typedef struct vx_bytes {
	uint8_t *data;
	size_t len;
} vx_bytes;

/* Allocate len bytes (contents undefined); len 0 gives an empty buffer. */
vx_status vx_bytes_alloc(vx_bytes *b, size_t len);
/* Copy len bytes from src into a fresh buffer. */
vx_status vx_bytes_set(vx_bytes *b, const void *src, size_t len);
/* Wipe and free; leaves an empty buffer. */
void vx_bytes_free(vx_bytes *b);
/* Move src into dst (freeing dst first); src becomes empty. */
void vx_bytes_move(vx_bytes *dst, vx_bytes *src);

#endif
