/* cmd_stats.c - `vortex stats`: what a node's store holds and what the node did. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "store.h"
#include "util.h"

static const char usage_text[] =
    "usage: vortex stats STORE...\n"
    "  For each node store directory (state_dir/ADDRESS of vortex.conf(5)),\n"
    "  print what it holds (identities, pending combos, shared workspace\n"
    "  slots, queued mails and bytes, known peers) and the counters of what\n"
    "  the node did, one \"name value\" line each.\n";

static vx_status print_counter(const char *name, uint64_t value, void *arg)
{
	(void)arg;
	printf("%s %llu\n", name, (unsigned long long)value);
	return VX_OK;
}

/* A store is opened only where one exists: stats must not create one. */
static int is_store(const char *dir)
{
	char path[4096];
	struct stat st;

	return snprintf(path, sizeof path, "%s/data.mdb", dir) < (int)sizeof path &&
	       stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int stats(const char *dir)
{
	vx_store_size z;
	vx_store *s;
	vx_status st;

	if (!is_store(dir))
		return vx_fail("stats: %s: not a node store", dir);
	if ((st = vx_store_open(dir, NULL, &s)) != VX_OK)
		return vx_fail("stats: %s: %s", dir, vx_strerror(st));
	if ((st = vx_store_sizes(s, &z)) == VX_OK) {
		printf("store %s\n", dir);
		printf("identities %llu\ncombos %llu\nslots %llu\nqueue_items %llu\n"
		       "queue_bytes %llu\npeers %llu\n",
		       (unsigned long long)z.identities, (unsigned long long)z.combos,
		       (unsigned long long)z.slots, (unsigned long long)z.queue_items,
		       (unsigned long long)z.queue_bytes, (unsigned long long)z.peers);
		st = vx_store_counters(s, print_counter, NULL);
	}
	vx_store_close(s);
	return st == VX_OK ? 0 : vx_fail("stats: %s: %s", dir, vx_strerror(st));
}

int cmd_stats(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2)
		return vx_usage(stderr, usage_text, 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return vx_usage(stdout, usage_text, 0);
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			putchar('\n');
		rc |= stats(argv[i]);
	}
	return rc;
}
