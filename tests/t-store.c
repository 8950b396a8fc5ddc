/* t-store.c - the LMDB store: replays, identities, quotas, expiry, processes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "tap.h"

static char dir[] = "/tmp/vx-store-XXXXXX";

static void cleanup(void)
{
	char path[256];

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
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
		snprintf(path, sizeof path, "%s/data.mdb", small);
		unlink(path);
		snprintf(path, sizeof path, "%s/lock.mdb", small);
		unlink(path);
		rmdir(small);
	}
	cleanup();
	return tap_done();
}
