/* t-store.c - the LMDB store: replays, identities, quotas, expiry, processes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "tap.h"

static char dir[] = "/tmp/vx-store-XXXXXX";

static void cleanup(void)
{
	tap_remove_store(dir);
}

static void test_replay(vx_store *s)
{
	uint8_t fp[VX_FINGERPRINT_LEN] = {1}, other[VX_FINGERPRINT_LEN] = {2};
	int replay = -1;

	ok(vx_store_replay(s, fp, 7, 2, 1000, 100, &replay) == VX_OK && replay == 0,
	   "first use of (identity, serial)");
	ok(vx_store_replay(s, fp, 7, 2, 1000, 100, &replay) == VX_OK && replay == 1,
	   "first replay allowed");
	ok(vx_store_replay(s, fp, 7, 2, 1000, 100, &replay) == VX_OK && replay == 1,
	   "second replay allowed (maxReplays 2)");
	is(vx_store_replay(s, fp, 7, 2, 1000, 100, &replay), VX_ELIMIT, "third replay refused");
	ok(vx_store_replay(s, fp, 8, 0, 1000, 100, &replay) == VX_OK && replay == 0,
	   "another serial is another block");
	is(vx_store_replay(s, fp, 8, 0, 1000, 100, &replay), VX_ELIMIT,
	   "maxReplays 0: no replay at all");
	ok(vx_store_replay(s, other, 7, 0, 1000, 100, &replay) == VX_OK && replay == 0,
	   "another identity with the same serial is another block");
	ok(vx_store_replay(s, fp, 7, 2, 2000, 1000, &replay) == VX_OK && replay == 0,
	   "after expiry the record starts afresh");
}

static void test_identities(vx_store *s)
{
	uint8_t fp[VX_FINGERPRINT_LEN] = {9};
	vx_identity id = {5000, 10, 1000, 1}, got;

	is(vx_store_identity_get(s, fp, 100, &got), VX_ENOTFOUND, "unknown identity");
	ok(vx_store_identity_put(s, fp, &id) == VX_OK, "identity stored");
	ok(vx_store_identity_get(s, fp, 100, &got) == VX_OK && got.expiry == 5000 &&
	       got.message_quota == 10 && got.transfer_quota == 1000 && got.temporary,
	   "identity read back");
	ok(vx_store_identity_charge(s, fp, 1, 600, 100) == VX_OK, "quota charged");
	is(vx_store_identity_charge(s, fp, 1, 600, 100), VX_ELIMIT,
	   "transfer quota exceeded: refused");
	ok(vx_store_identity_get(s, fp, 100, &got) == VX_OK && got.message_quota == 9 &&
	       got.transfer_quota == 400,
	   "a refused charge took nothing");
	is(vx_store_identity_get(s, fp, 5000, &got), VX_ENOTFOUND, "expired identity is unknown");
	is(vx_store_identity_charge(s, fp, 0, 0, 6000), VX_ENOTFOUND,
	   "an expired identity cannot be charged");
}

/* Children in separate processes share one record: exactly max+1 uses pass. */
static void test_processes(void)
{
	enum { CHILDREN = 4, TRIES = 100, MAX = 127 };
	uint8_t fp[VX_FINGERPRINT_LEN] = {0x42};
	int fds[2], total = 0;

	if (pipe(fds))
		return;
	for (int c = 0; c < CHILDREN; c++) {
		if (fork() == 0) {
			vx_store *s;
			int passed = 0, replay;

			if (vx_store_open(dir, NULL, &s) != VX_OK)
				_exit(1);
			for (int i = 0; i < TRIES; i++)
				passed +=
				    vx_store_replay(s, fp, 1, MAX, 1 << 30, 1, &replay) == VX_OK;
			vx_store_close(s);
			if (write(fds[1], &passed, sizeof passed) != sizeof passed)
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	for (int c = 0; c < CHILDREN; c++) {
		int n = 0;

		if (read(fds[0], &n, sizeof n) == sizeof n)
			total += n;
		wait(NULL);
	}
	close(fds[0]);
	is(total, MAX + 1, "%d processes x %d uses of one header: exactly maxReplays+1 pass",
	   CHILDREN, TRIES);
}

static void test_queue(void)
{
	vx_store *s;
	vx_queue_item it;
	uint64_t a, b, c, items, bytes;
	vx_store_limits lim = {.max_queue_bytes = 1000};

	if (!ok(vx_store_open(dir, &lim, &s) == VX_OK, "store opened with a 1000-byte queue"))
		return;
	ok(vx_store_queue_put(s, "n1@node1.test", (const uint8_t *)"first", 5, 50, 0, &a) ==
	           VX_OK &&
	       vx_store_queue_put(s, "n2@node2.test", (const uint8_t *)"second", 6, 10, 0, &b) ==
	           VX_OK &&
	       vx_store_queue_put(s, "n3@node3.test", (const uint8_t *)"third", 5, 10, 0, &c) ==
	           VX_OK &&
	       a < b && b < c,
	   "three items queued, ids increasing");
	is(vx_store_queue_next(s, 5, &it), VX_ENOTFOUND, "nothing due yet");
	ok(vx_store_queue_next(s, 20, &it) == VX_OK && it.id == b &&
	       !strcmp(it.recipient, "n2@node2.test") && it.data.len == 6 &&
	       !memcmp(it.data.data, "second", 6),
	   "the earliest due item first, in arrival order among equals");
	vx_bytes_free(&it.data);
	ok(vx_store_queue_retry(s, b, 100) == VX_OK, "a failed attempt postpones it");
	ok(vx_store_queue_next(s, 60, &it) == VX_OK && it.id == c, "the next one is due");
	vx_bytes_free(&it.data);
	ok(vx_store_queue_done(s, c) == VX_OK, "confirmed items leave the queue");
	ok(vx_store_queue_next(s, 100, &it) == VX_OK && it.id == a, "then the first");
	vx_bytes_free(&it.data);
	vx_store_queue_done(s, a);
	ok(vx_store_queue_next(s, 100, &it) == VX_OK && it.id == b && it.attempts == 1,
	   "the postponed item, with its attempt counted");
	vx_bytes_free(&it.data);
	ok(vx_store_queue_stat(s, &items, &bytes) == VX_OK && items == 1 && bytes == 6,
	   "one item of 6 bytes left");
	uint8_t big[999] = {0};
	is(vx_store_queue_put(s, "x@y.test", big, sizeof big, 0, 0, &a), VX_ELIMIT,
	   "the queue bound is kept");
	is(vx_store_queue_put(s, "", big, 1, 0, 0, &a), VX_EINVAL, "an empty recipient is refused");
	vx_store_queue_done(s, b);
	vx_store_close(s);
}

/*
 * kill -9 while queueing: every id the child reported after its commit is
 * in the queue after a restart, once; the byte count agrees with the items.
 */
static void test_crash(void)
{
	int lost = 0, dup = 0, bad_bytes = 0, reported = 0;

	for (int round = 0; round < 5; round++) {
		int fds[2];
		pid_t pid;
		uint64_t ids[4096];
		int n = 0;

		if (pipe(fds))
			return;
		if ((pid = fork()) == 0) {
			vx_store *s;
			uint8_t mail[3000];

			close(fds[0]);
			memset(mail, 'm', sizeof mail);
			if (vx_store_open(dir, NULL, &s) != VX_OK)
				_exit(1);
			for (;;) {
				uint64_t id;

				if (vx_store_queue_put(s, "n@x.test", mail,
				                       100 + (size_t)(rand() % 2900), 0, 0,
				                       &id) == VX_OK &&
				    write(fds[1], &id, sizeof id) != sizeof id)
					_exit(1);
			}
		}
		close(fds[1]);
		usleep(20000 + 15000 * round);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (n < 4096 && read(fds[0], &ids[n], sizeof ids[n]) == sizeof ids[n])
			n++;
		close(fds[0]);
		reported += n;

		vx_store *s;
		vx_queue_item it;
		uint64_t items, bytes, sum = 0, seen = 0, last = 0;

		if (vx_store_open(dir, NULL, &s) != VX_OK)
			return;
		vx_store_queue_stat(s, &items, &bytes);
		/* drain: every reported id must come out, each once */
		int found = 0;
		while (vx_store_queue_next(s, 1, &it) == VX_OK) {
			dup += it.id == last;
			last = it.id;
			for (int i = 0; i < n; i++)
				found += ids[i] == it.id;
			sum += it.data.len;
			seen++;
			vx_store_queue_done(s, it.id);
			vx_bytes_free(&it.data);
		}
		lost += n - found;
		bad_bytes += sum != bytes || seen != items;
		vx_store_close(s);
	}
	ok(reported > 0, "the killed writers had committed %d items", reported);
	is(lost, 0, "no committed item was lost to kill -9");
	is(dup, 0, "no item came out twice");
	is(bad_bytes, 0, "the queue's byte count matched its items after every crash");
}

static void test_workspace_combos(void)
{
	vx_store_limits lim = {.max_workspace_bytes = 100, .max_combos = 5};
	uint8_t fp[VX_FINGERPRINT_LEN] = {0x77}, other[VX_FINGERPRINT_LEN] = {0x78};
	uint8_t big[80] = {0};
	vx_bytes b = {0};
	vx_store *s;
	int64_t e = 0, due[5];
	vx_combo_rec recs[8];
	size_t n;
	uint64_t items, bytes;

	if (!ok(vx_store_open(dir, &lim, &s) == VX_OK, "store opened with small workspaces"))
		return;
	ok(vx_store_slot_put(s, fp, 32768, (const uint8_t *)"shared", 6, 500) == VX_OK,
	   "slot stored");
	ok(vx_store_slot_get(s, fp, 32768, 100, &b, &e) == VX_OK && b.len == 6 &&
	       !memcmp(b.data, "shared", 6) && e == 500,
	   "slot read back with its expiry");
	vx_bytes_free(&b);
	is(vx_store_slot_get(s, fp, 32768, 600, &b, NULL), VX_ENOTFOUND, "expired slot is empty");
	is(vx_store_slot_get(s, other, 32768, 100, &b, NULL), VX_ENOTFOUND,
	   "another identity's workspace is separate");
	ok(vx_store_slot_put(s, fp, 1, big, sizeof big, 0) == VX_OK, "80 more bytes fit");
	is(vx_store_slot_put(s, fp, 2, big, 20, 0), VX_ELIMIT, "the per-identity bound holds");
	ok(vx_store_slot_put(s, fp, 1, big, 10, 0) == VX_OK &&
	       vx_store_slot_put(s, fp, 2, big, 20, 0) == VX_OK,
	   "replacing a slot frees its bytes");
	ok(vx_store_slot_put(s, other, 1, big, sizeof big, 0) == VX_OK,
	   "the bound is per identity");
	ok(vx_store_slot_del(s, fp, 2) == VX_OK &&
	       vx_store_slot_get(s, fp, 2, 1, &b, NULL) == VX_ENOTFOUND,
	   "slot deleted");

	/* combos: due inside their windows, on the slot grid, in time order */
	int inside = 1;
	for (int i = 0; i < 5; i++) {
		inside &= vx_store_combo_add(s, fp, (const uint8_t *)"combo", 5, 1000 + i, 60, 600,
		                             60, &due[i]) == VX_OK &&
		          due[i] >= 1000 + i + 60 && due[i] <= 1000 + i + 600 &&
		          /* on the grid, unless the next grid point is past the window */
		          (due[i] % 60 == 0 || due[i] > (1000 + i + 600) / 60 * 60);
	}
	ok(inside, "five combos due inside their windows, on the 60 s grid");
	int64_t d;
	is(vx_store_combo_add(s, fp, (const uint8_t *)"x", 1, 0, 0, 1, 0, &d), VX_ELIMIT,
	   "the pending-combo bound holds");
	ok(vx_store_combo_due(s, 1000, recs, 8, &n) == VX_OK && n == 0, "nothing due early");
	ok(vx_store_combo_due(s, 2000, recs, 8, &n) == VX_OK && n == 5 && recs[0].der.len == 5 &&
	       !memcmp(recs[0].fp, fp, VX_FINGERPRINT_LEN),
	   "all five due later");
	/* finishing queues the mail in the same transaction */
	ok(vx_store_combo_finish(s, &recs[0], "n@x.test", (const uint8_t *)"mail", 4, 0) == VX_OK,
	   "a finished combo queues its mail");
	ok(vx_store_combo_finish(s, &recs[1], NULL, NULL, 0, 0) == VX_OK,
	   "a combo that built nothing is simply removed");
	is(vx_store_combo_finish(s, &recs[0], "n@x.test", (const uint8_t *)"mail", 4, 0),
	   VX_ENOTFOUND, "a combo finishes once: no second mail");
	ok(vx_store_queue_stat(s, &items, &bytes) == VX_OK && items == 1 && bytes == 4,
	   "exactly one mail queued");
	for (size_t i = 0; i < n; i++)
		vx_bytes_free(&recs[i].der);
	ok(vx_store_combo_due(s, 2000, recs, 8, &n) == VX_OK && n == 3, "three left");
	for (size_t i = 0; i < n; i++) {
		vx_store_combo_finish(s, &recs[i], NULL, NULL, 0, 0);
		vx_bytes_free(&recs[i].der);
	}
	/* the release order is shuffled: many rounds see more than one order */
	int orders = 0;
	int64_t firsts[2] = {-1, -1};
	for (int round = 0; round < 30; round++) {
		for (int i = 0; i < 4; i++)
			vx_store_combo_add(s, fp, (const uint8_t *)&i, sizeof i, 10, 0, 0, 0, &d);
		vx_store_combo_due(s, 100, recs, 8, &n);
		int first = n ? *(int *)recs[0].der.data : -1;
		if (firsts[0] < 0)
			firsts[0] = first;
		else if (first != firsts[0])
			firsts[1] = first;
		for (size_t i = 0; i < n; i++) {
			vx_store_combo_finish(s, &recs[i], NULL, NULL, 0, 0);
			vx_bytes_free(&recs[i].der);
		}
	}
	orders = firsts[1] >= 0;
	ok(orders, "combos due together leave in random order");
	vx_store_close(s);
}

static vx_status count_slot(unsigned id, const uint8_t *data, size_t len, int64_t expiry, void *arg)
{
	unsigned *seen = arg;

	(void)data, (void)expiry;
	seen[0]++;
	seen[1] = id;
	seen[2] += (unsigned)len;
	return VX_OK;
}

static void test_batches(void)
{
	char d[] = "/tmp/vx-store-batch-XXXXXX";
	uint8_t fp[VX_FINGERPRINT_LEN] = {7}, other[VX_FINGERPRINT_LEN] = {8}, dg[32] = {1, 2, 3};
	uint64_t items, bytes, id;
	vx_queue_item it;
	unsigned seen[3] = {0}, removed = 0;
	int fresh = -1;
	vx_store *s, *t;

	if (!mkdtemp(d) || !ok(vx_store_open(d, NULL, &s) == VX_OK, "batch store opened"))
		return;
	vx_store_open(d, NULL, &t);
	ok(vx_store_batch_begin(s) == VX_OK &&
	       vx_store_queue_put(s, "a@x.test", (const uint8_t *)"one", 3, 0, 0, &id) == VX_OK,
	   "a batch is open and holds a queued item");
	ok(vx_store_batch_begin(s) == VX_OK &&
	       vx_store_queue_put(s, "b@x.test", (const uint8_t *)"two", 3, 0, 0, &id) == VX_OK,
	   "an inner batch holds another");
	vx_store_batch_abort(s);
	ok(vx_store_queue_stat(s, &items, &bytes) == VX_OK && items == 1 && bytes == 3,
	   "aborting the inner batch undid only its item");
	ok(vx_store_batch_commit(s) == VX_OK && vx_store_queue_stat(t, &items, &bytes) == VX_OK &&
	       items == 1,
	   "after the commit another handle sees the item");
	is(vx_store_batch_commit(s), VX_EINVAL, "a commit without a batch is refused");
	ok(vx_store_queue_next(t, 0, &it) == VX_OK && !it.flags &&
	       vx_store_queue_done(t, it.id) == VX_OK,
	   "a plain item carries no flags");
	vx_bytes_free(&it.data);
	ok(vx_store_queue_put(s, "bob@x.test", (const uint8_t *)"hi", 2, 0, VX_QUEUE_LOCAL, &id) ==
	           VX_OK &&
	       vx_store_queue_next(s, 0, &it) == VX_OK && it.flags == VX_QUEUE_LOCAL &&
	       !strcmp(it.recipient, "bob@x.test") && it.data.len == 2,
	   "a local delivery keeps its flag and recipient");
	vx_store_queue_done(s, it.id);
	vx_bytes_free(&it.data);

	/* slots of one identity from an ID on; another identity's are not listed */
	vx_store_slot_put(s, fp, 5, (const uint8_t *)"temp", 4, 0);
	vx_store_slot_put(s, fp, 32768, (const uint8_t *)"abc", 3, 100);
	vx_store_slot_put(s, fp, 40000, (const uint8_t *)"defg", 4, 200);
	vx_store_slot_put(s, other, 32768, (const uint8_t *)"zz", 2, 200);
	ok(vx_store_slot_list(s, fp, 32768, 50, count_slot, seen) == VX_OK && seen[0] == 2 &&
	       seen[1] == 40000 && seen[2] == 7,
	   "the shared slots of one identity are listed");
	memset(seen, 0, sizeof seen);
	vx_store_slot_list(s, fp, 32768, 150, count_slot, seen);
	ok(seen[0] == 1 && seen[1] == 40000, "an expired slot is not listed");

	ok(vx_store_deliver_once(s, fp, dg, 300, 10, &fresh) == VX_OK && fresh == 1,
	   "a content is delivered the first time");
	ok(vx_store_deliver_once(s, fp, dg, 300, 20, &fresh) == VX_OK && fresh == 0,
	   "and not again");
	ok(vx_store_deliver_once(s, other, dg, 300, 20, &fresh) == VX_OK && fresh == 1,
	   "the same content of another identity is another delivery");
	ok(vx_store_expire(s, 250, &removed) == VX_OK && removed == 3,
	   "expiry removes the two slots due by then and nothing else (%u)", removed);
	memset(seen, 0, sizeof seen);
	vx_store_slot_list(s, fp, 0, 250, count_slot, seen);
	ok(seen[0] == 1 && seen[1] == 5, "the slot without expiry stays");
	ok(vx_store_slot_put(s, fp, 32768, (const uint8_t *)"x", 1, 0) == VX_OK,
	   "the identity's byte count was kept across expiry");
	removed = 0;
	vx_store_expire(s, 400, &removed);
	ok(vx_store_deliver_once(s, fp, dg, 900, 400, &fresh) == VX_OK && fresh == 1,
	   "an expired delivery record no longer blocks (%u removed)", removed);
	vx_store_close(t);
	vx_store_close(s);
	tap_remove_store(d);
}

int main(void)
{
	vx_store *s;
	unsigned removed;
	struct stat st;
	char path[256];
	uint8_t fp[VX_FINGERPRINT_LEN] = {1};
	int replay;

	if (!mkdtemp(dir))
		return 1;
	if (!ok(vx_store_open(dir, NULL, &s) == VX_OK, "store opened"))
		return tap_done();
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "data file is mode 0600");
	test_replay(s);
	test_identities(s);
	vx_store_close(s);

	ok(vx_store_open(dir, NULL, &s) == VX_OK, "store reopened");
	is(vx_store_replay(s, fp, 8, 0, 1000, 100, &replay), VX_ELIMIT,
	   "replay records survive a restart");
	removed = 0;
	ok(vx_store_expire(s, 1500, &removed) == VX_OK, "expiry ran");
	is(removed, 2, "it removed the two replay records due by then");
	ok(vx_store_replay(s, fp, 8, 0, 3000, 1600, &replay) == VX_OK && replay == 0,
	   "an expired record no longer blocks");
	vx_store_close(s);
	test_processes();

	/* a tiny map fills up: a clear limit, not a crash */
	char small[] = "/tmp/vx-store-small-XXXXXX";
	vx_store_limits lim = {.map_size = 64 * 1024, .max_identities = 3};
	vx_status stt = VX_OK;
	int stored = 0;
	if (mkdtemp(small) && vx_store_open(small, &lim, &s) == VX_OK) {
		for (int i = 0; i < 10 && stt == VX_OK; i++) {
			uint8_t f[VX_FINGERPRINT_LEN] = {(uint8_t)i, 1};
			vx_identity id = {1 << 30, 1, 1, 0};

			if ((stt = vx_store_identity_put(s, f, &id)) == VX_OK)
				stored++;
		}
		is(stored, 3, "max_identities bounds the identities");
		is(stt, VX_ELIMIT, "and the next one is refused with VX_ELIMIT");
		for (int i = 0; i < 20000 && stt != VX_EIO; i++) {
			uint8_t f[VX_FINGERPRINT_LEN] = {(uint8_t)i, (uint8_t)(i >> 8)};

			if ((stt = vx_store_replay(s, f, 1, 0, 1 << 30, 1, &replay)) == VX_ELIMIT)
				break;
		}
		is(stt, VX_ELIMIT, "a full map gives VX_ELIMIT");
		vx_store_close(s);
		tap_remove_store(small);
	}
	test_queue();
	test_crash();
	test_workspace_combos();
	test_batches();
	cleanup();
	return tap_done();
}
