/*
 * workspace.h - the payload slots of a workspace (sections 2.9, 7.1.2).
 *
 * IDs 0..65535: 0 is the user's message (read: to embed, written: to hand
 * out), 1..127 the payload slots of a target message, 128..32767 the
 * temporaries of a routing combo, 32768..65535 shared by all combos of an
 * identity. Each occupied slot holds bytes (possibly none) and an expiry
 * (unix seconds, 0 for none). The total size is bounded. This is the
 * in-memory form; the node engine keeps workspaces in its store.
 */
#ifndef VX_WORKSPACE_H
#define VX_WORKSPACE_H

#include <stdint.h>

#include "bytes.h"

#define VX_WS_MAX_ID 65535u

typedef struct vx_workspace vx_workspace;

/* A workspace holding at most max_bytes of payload in total. */
vx_status vx_ws_new(size_t max_bytes, vx_workspace **out);
void vx_ws_free(vx_workspace *ws);

/* Store a copy of data at id, replacing what was there; VX_ELIMIT over the bound. */
vx_status vx_ws_put(vx_workspace *ws, unsigned id, const uint8_t *data, size_t len, int64_t expiry);
/* Store data at id; on success *data is taken and left empty, on failure untouched. */
vx_status vx_ws_put_owned(vx_workspace *ws, unsigned id, vx_bytes *data, int64_t expiry);
/* Make room for n more slots, so that the next n puts within the bound cannot fail. */
vx_status vx_ws_reserve(vx_workspace *ws, size_t n);
/* The bytes at id (NULL if the slot is empty); expiry may be NULL. */
const vx_bytes *vx_ws_get(const vx_workspace *ws, unsigned id, int64_t *expiry);
void vx_ws_remove(vx_workspace *ws, unsigned id);
/* Drop every slot whose expiry is set and not after now. */
void vx_ws_expire(vx_workspace *ws, int64_t now);
/* Payload bytes held. */
size_t vx_ws_bytes(const vx_workspace *ws);
/* The bound given to vx_ws_new. */
size_t vx_ws_limit(const vx_workspace *ws);
/*
 * Bound the work of the operations run on ws (see vx_op_work), so that a
 * combo from a peer cannot keep a node busy for long; unbounded at first.
 */
void vx_ws_set_work(vx_workspace *ws, uint64_t units);
/* Take units from the bound: VX_ELIMIT, and nothing taken, when they exceed it. */
vx_status vx_ws_spend(vx_workspace *ws, uint64_t units);
/* What is left of the bound (UINT64_MAX: unbounded). */
uint64_t vx_ws_work_left(const vx_workspace *ws);
/* Call fn for each occupied slot in ascending ID order. */
void vx_ws_foreach(const vx_workspace *ws,
                   void (*fn)(unsigned id, const vx_bytes *b, int64_t expiry, void *arg),
                   void *arg);

#endif
