/* workspace.c - payload slots, a sorted array searched by ID. */
#include <stdlib.h>
#include <string.h>

#include "workspace.h"

struct slot {
	unsigned id;
	int64_t expiry;
	vx_bytes b;
};

struct vx_workspace {
	struct slot *slots; /* sorted by id */
	size_t n, cap;
	size_t bytes, max_bytes;
	uint64_t work_left; /* UINT64_MAX: unbounded */
};

vx_status vx_ws_new(size_t max_bytes, vx_workspace **out)
{
	if (!(*out = calloc(1, sizeof **out)))
		return VX_ENOMEM;
	(*out)->max_bytes = max_bytes;
	(*out)->work_left = UINT64_MAX;
	return VX_OK;
}

void vx_ws_set_work(vx_workspace *ws, uint64_t units)
{
	ws->work_left = units;
}

uint64_t vx_ws_work_left(const vx_workspace *ws)
{
	return ws->work_left;
}

vx_status vx_ws_spend(vx_workspace *ws, uint64_t units)
{
	if (ws->work_left == UINT64_MAX)
		return VX_OK;
	if (units > ws->work_left)
		return VX_ELIMIT;
	ws->work_left -= units;
	return VX_OK;
}

void vx_ws_free(vx_workspace *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < ws->n; i++)
		vx_bytes_free(&ws->slots[i].b);
	free(ws->slots);
	free(ws);
}

/* Index of id, or of where it would be inserted; *found says which. */
static size_t find(const vx_workspace *ws, unsigned id, int *found)
{
	size_t lo = 0, hi = ws->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ws->slots[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < ws->n && ws->slots[lo].id == id;
	return lo;
}

vx_status vx_ws_put_owned(vx_workspace *ws, unsigned id, vx_bytes *data, int64_t expiry)
{
	int found;
	size_t i, old;

	if (id > VX_WS_MAX_ID)
		return VX_ERANGE;
	i = find(ws, id, &found);
	old = found ? ws->slots[i].b.len : 0;
	if (data->len > ws->max_bytes - (ws->bytes - old))
		return VX_ELIMIT;
	if (!found) {
		vx_status st = vx_ws_reserve(ws, 1);

		if (st != VX_OK)
			return st;
		memmove(&ws->slots[i + 1], &ws->slots[i], (ws->n - i) * sizeof *ws->slots);
		ws->n++;
		ws->slots[i] = (struct slot){.id = id};
	}
	ws->bytes = ws->bytes - old + data->len;
	ws->slots[i].expiry = expiry;
	vx_bytes_move(&ws->slots[i].b, data);
	return VX_OK;
}

vx_status vx_ws_reserve(vx_workspace *ws, size_t n)
{
	size_t cap = ws->cap ? ws->cap : 8;
	struct slot *s;

	if (n > VX_WS_MAX_ID + 1 - ws->n)
		return VX_ELIMIT;
	while (cap < ws->n + n)
		cap *= 2;
	if (cap == ws->cap)
		return VX_OK;
	if (!(s = realloc(ws->slots, cap * sizeof *s)))
		return VX_ENOMEM;
	ws->slots = s;
	ws->cap = cap;
	return VX_OK;
}

vx_status vx_ws_put(vx_workspace *ws, unsigned id, const uint8_t *data, size_t len, int64_t expiry)
{
	vx_bytes copy;
	vx_status st;

	if ((st = vx_bytes_set(&copy, data, len)) != VX_OK)
		return st;
	if ((st = vx_ws_put_owned(ws, id, &copy, expiry)) != VX_OK)
		vx_bytes_free(&copy);
	return st;
}

const vx_bytes *vx_ws_get(const vx_workspace *ws, unsigned id, int64_t *expiry)
{
	int found;
	size_t i = find(ws, id, &found);

	if (!found)
		return NULL;
	if (expiry)
		*expiry = ws->slots[i].expiry;
	return &ws->slots[i].b;
}

static void drop(vx_workspace *ws, size_t i)
{
	ws->bytes -= ws->slots[i].b.len;
	vx_bytes_free(&ws->slots[i].b);
	memmove(&ws->slots[i], &ws->slots[i + 1], (ws->n - i - 1) * sizeof *ws->slots);
	ws->n--;
}

void vx_ws_remove(vx_workspace *ws, unsigned id)
{
	int found;
	size_t i = find(ws, id, &found);

	if (found)
		drop(ws, i);
}

void vx_ws_expire(vx_workspace *ws, int64_t now)
{
	size_t j = 0;

	for (size_t i = 0; i < ws->n; i++) {
		if (ws->slots[i].expiry && ws->slots[i].expiry <= now) {
			ws->bytes -= ws->slots[i].b.len;
			vx_bytes_free(&ws->slots[i].b);
		} else {
			ws->slots[j++] = ws->slots[i];
		}
	}
	ws->n = j;
}

size_t vx_ws_bytes(const vx_workspace *ws)
{
	return ws->bytes;
}

size_t vx_ws_limit(const vx_workspace *ws)
{
	return ws->max_bytes;
}

void vx_ws_foreach(const vx_workspace *ws,
                   void (*fn)(unsigned id, const vx_bytes *b, int64_t expiry, void *arg), void *arg)
{
	for (size_t i = 0; i < ws->n; i++)
		fn(ws->slots[i].id, &ws->slots[i].b, ws->slots[i].expiry, arg);
}
