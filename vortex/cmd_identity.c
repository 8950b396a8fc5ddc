/* cmd_identity.c - `vortex identity`: ephemeral identities an admin grants by hand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "der.h"
#include "pkey.h"
#include "store.h"
#include "util.h"

static const char usage_text[] =
    "usage: vortex identity add -s STORE [-d DAYS] [-m MESSAGES] [-b BYTES] KEYFILE\n"
    "       vortex identity show -s STORE KEYFILE\n"
    "  add grants the identity of KEYFILE (a DER AsymmetricKey, as `vortex keygen`\n"
    "  writes; only its public part is used) on the node whose store is STORE,\n"
    "  without the puzzle a peer would have to solve (7.3.2): for DAYS days\n"
    "  (default 30), with MESSAGES messages (default 10000) and BYTES bytes\n"
    "  (default 1073741824) of quota. An existing identity is replaced.\n"
    "  show prints the identity's expiry and quotas.\n";

static int fingerprint_of(const char *keyfile, uint8_t fp[VX_FINGERPRINT_LEN])
{
	AsymmetricKey ak;
	vx_bytes in = {0};
	vx_pkey *k = NULL;
	vx_status st;

	if ((st = vx_read_file(keyfile, &in)) != VX_OK)
		return vx_fail("identity: %s: %s", keyfile, vx_strerror(st));
	st = vx_der_decode(VX_DER_AsymmetricKey, in.data, in.len, &ak);
	vx_bytes_free(&in);
	if (st == VX_OK) {
		st = vx_pkey_from_asn1(&ak, &k);
		free_AsymmetricKey(&ak);
	}
	if (st == VX_OK)
		st = vx_pkey_fingerprint(k, fp);
	vx_pkey_free(k);
	return st == VX_OK ? 0 : vx_fail("identity: %s: %s", keyfile, vx_strerror(st));
}

/* A positive number no larger than max, or 0 for a bad one. */
static unsigned long long number(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return 0;
	v = strtoull(s, &end, 10);
	return *end || v > max ? 0 : v;
}

int cmd_identity(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"store", required_argument, NULL, 's'},    {"days", required_argument, NULL, 'd'},
	    {"messages", required_argument, NULL, 'm'}, {"bytes", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
	unsigned long long days = 30, messages = 10000, bytes = 1ull << 30;
	uint8_t fp[VX_FINGERPRINT_LEN];
	const char *store = NULL, *verb;
	vx_identity id;
	vx_store *s;
	vx_status st;
	int c, rc;

	if (argc >= 2 && !strcmp(argv[1], "--help"))
		return vx_usage(stdout, usage_text, 0);
	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "show")))
		return vx_usage(stderr, usage_text, 2);
	verb = argv[1];
	argc--, argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:d:m:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			store = optarg;
			break;
		case 'd':
			/* an identity outlives no century */
			if (!(days = number(optarg, 36500)))
				return vx_usage(stderr, usage_text, 2);
			break;
		case 'm':
			if (!(messages = number(optarg, UINT32_MAX)))
				return vx_usage(stderr, usage_text, 2);
			break;
		case 'b':
			if (!(bytes = number(optarg, UINT32_MAX * 1024ull)))
				return vx_usage(stderr, usage_text, 2);
			break;
		case 'h':
			return vx_usage(stdout, usage_text, 0);
		default:
			return vx_usage(stderr, usage_text, 2);
		}
	}
	if (!store || optind != argc - 1)
		return vx_usage(stderr, usage_text, 2);
	if ((rc = fingerprint_of(argv[optind], fp)))
		return rc;
	if ((st = vx_store_open(store, NULL, &s)) != VX_OK)
		return vx_fail("identity: %s: %s", store, vx_strerror(st));
	if (!strcmp(verb, "add")) {
		id = (vx_identity){(int64_t)time(NULL) + (int64_t)days * 86400, messages, bytes, 0};
		st = vx_store_identity_put(s, fp, &id);
	} else if ((st = vx_store_identity_get(s, fp, (int64_t)time(NULL), &id)) == VX_OK) {
		printf("expiry %lld\nmessages %llu\nbytes %llu\ntemporary %d\n",
		       (long long)id.expiry, (unsigned long long)id.message_quota,
		       (unsigned long long)id.transfer_quota, id.temporary);
	}
	vx_store_close(s);
	return st == VX_OK ? 0 : vx_fail("identity: %s: %s", argv[optind], vx_strerror(st));
}
