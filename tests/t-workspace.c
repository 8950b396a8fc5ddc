/* t-workspace.c - the in-memory workspace of payload slots (2.9, 7.1.2). */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "workspace.h"

static vx_workspace *ws;

struct walk {
	unsigned ids[8];
	int64_t expiry[8];
	size_t n, bytes;
	unsigned last;
	int unordered;
};

static void visit(unsigned id, const vx_bytes *b, int64_t expiry, void *arg)
{
	struct walk *w = arg;

	if (w->n < 8) {
		w->ids[w->n] = id;
		w->expiry[w->n] = expiry;
	}
	if (w->n && id <= w->last)
		w->unordered = 1;
	w->last = id;
	w->n++;
	w->bytes += b->len;
}

static void test_put_get(void)
{
	int64_t e = -1;
	const vx_bytes *b;

	ok(vx_ws_new(100, &ws) == VX_OK, "workspace of 100 bytes");
	is(vx_ws_limit(ws), 100, "its bound");
	ok(vx_ws_put(ws, 5, (const uint8_t *)"hello", 5, 1000) == VX_OK, "put");
	ok((b = vx_ws_get(ws, 5, &e)) && b->len == 5 && !memcmp(b->data, "hello", 5) && e == 1000,
	   "get returns the bytes and the expiry");
	ok(vx_ws_get(ws, 6, NULL) == NULL, "an unused ID is an empty slot");
	ok(vx_ws_put(ws, 7, NULL, 0, 0) == VX_OK && vx_ws_get(ws, 7, NULL) != NULL,
	   "an empty payload is not an empty slot");
	is(vx_ws_put(ws, 65536, (const uint8_t *)"x", 1, 0), VX_ERANGE, "ID 65536 refused");
	ok(vx_ws_put(ws, 0, (const uint8_t *)"in", 2, 0) == VX_OK &&
	       vx_ws_put(ws, 65535, (const uint8_t *)"sh", 2, 0) == VX_OK,
	   "IDs 0 and 65535 are usable");
	is(vx_ws_bytes(ws), 9, "bytes counted over all slots");
	vx_ws_free(ws);
}

static void test_bound(void)
{
	uint8_t big[96] = {0};
	vx_bytes b = {0};

	vx_ws_new(100, &ws);
	vx_ws_put(ws, 5, (const uint8_t *)"hello", 5, 0);
	is(vx_ws_put(ws, 8, big, 96, 0), VX_ELIMIT, "a put beyond the bound is refused");
	ok(!vx_ws_get(ws, 8, NULL) && vx_ws_bytes(ws) == 5, "and changes nothing");
	ok(vx_ws_put(ws, 5, big, 95, 0) == VX_OK, "replacing a slot frees its old bytes first");
	is(vx_ws_bytes(ws), 95, "byte count after the replacement");
	ok(vx_ws_put(ws, 9, big, 5, 0) == VX_OK, "exactly up to the bound");
	is(vx_ws_put(ws, 10, big, 1, 0), VX_ELIMIT, "one byte more is refused");
	vx_bytes_set(&b, "owned!", 6);
	ok(vx_ws_put_owned(ws, 65535, &b, 0) == VX_ELIMIT && b.data && b.len == 6,
	   "a failed put_owned leaves the caller its bytes");
	vx_ws_remove(ws, 5);
	is(vx_ws_bytes(ws), 5, "remove gives the bytes back");
	ok(vx_ws_put_owned(ws, 65535, &b, 0) == VX_OK && !b.data, "put_owned takes the bytes");
	vx_ws_remove(ws, 12345);
	is(vx_ws_bytes(ws), 11, "removing an empty slot does nothing");
	vx_ws_free(ws);

	vx_ws_new(0, &ws);
	ok(vx_ws_put(ws, 1, NULL, 0, 0) == VX_OK, "a zero bound still holds empty payloads");
	is(vx_ws_put(ws, 2, (const uint8_t *)"x", 1, 0), VX_ELIMIT, "but no byte");
	vx_ws_free(ws);
}

static void test_expire_foreach(void)
{
	struct walk w = {0};
	static const unsigned ids[] = {40000, 3, 200, 0, 77};
	static const int64_t exp[] = {50, 10, 0, 20, 10};

	vx_ws_new(1000, &ws);
	for (size_t i = 0; i < 5; i++)
		vx_ws_put(ws, ids[i], (const uint8_t *)"abcd", i, exp[i]);
	vx_ws_foreach(ws, visit, &w);
	ok(w.n == 5 && w.ids[0] == 0 && w.ids[1] == 3 && w.ids[2] == 77 && w.ids[3] == 200 &&
	       w.ids[4] == 40000,
	   "foreach visits every slot in ascending ID order");
	ok(w.expiry[0] == 20 && w.expiry[4] == 50 && w.bytes == vx_ws_bytes(ws),
	   "with its expiry and bytes");
	vx_ws_expire(ws, 9);
	memset(&w, 0, sizeof w);
	vx_ws_foreach(ws, visit, &w);
	is(w.n, 5, "nothing is due before its expiry");
	vx_ws_expire(ws, 10);
	ok(!vx_ws_get(ws, 3, NULL) && !vx_ws_get(ws, 77, NULL) && vx_ws_get(ws, 0, NULL),
	   "expire drops the slots due at now, inclusive");
	vx_ws_expire(ws, INT64_MAX);
	memset(&w, 0, sizeof w);
	vx_ws_foreach(ws, visit, &w);
	ok(w.n == 1 && w.ids[0] == 200, "a slot without expiry (0) never expires");
	is(vx_ws_bytes(ws), 2, "expired bytes are given back");
	vx_ws_free(ws);
}

/* Many slots in random order: the sorted array stays sorted and counted. */
static void test_many(void)
{
	struct walk w = {0};
	int own = 1;
	size_t n = 0;

	vx_ws_new(1 << 20, &ws);
	for (unsigned i = 0; i < 5000; i++) {
		unsigned id = (i * 7919u) % 65536u;

		if (!vx_ws_get(ws, id, NULL))
			n++;
		vx_ws_put(ws, id, (const uint8_t *)&id, sizeof id, 0);
	}
	vx_ws_foreach(ws, visit, &w);
	ok(w.n == n && n == 5000 && !w.unordered, "5000 distinct IDs held, visited in order");
	for (unsigned id = 0; id <= VX_WS_MAX_ID; id++) {
		const vx_bytes *b = vx_ws_get(ws, id, NULL);

		if (b && (b->len != sizeof id || memcmp(b->data, &id, sizeof id)))
			own = 0;
	}
	ok(own, "each slot holds its own content");
	for (unsigned id = 0; id <= VX_WS_MAX_ID; id += 2)
		vx_ws_remove(ws, id);
	is(vx_ws_bytes(ws), n / 2 * sizeof(unsigned), "removing the even IDs halves the bytes");
	vx_ws_free(ws);
}

int main(void)
{
	test_put_get();
	test_bound();
	test_expire_foreach();
	test_many();
	vx_ws_free(NULL);
	return tap_done();
}
