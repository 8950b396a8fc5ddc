/* cmd_dump.c - `vortex dump`: decode a DER block and print it as text. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "der.h"
#include "print.h"
#include "util.h"

static const char usage_text[] =
    "usage: vortex dump [--type TYPE] FILE|-\n"
    "  Decode FILE (at most 64 MiB; - is stdin) as a DER block of the MessageVortex\n"
    "  schema and print it. The type is detected unless --type names it\n"
    "  (VortexMessage, HeaderBlock, RoutingBlock, SymmetricKey, AsymmetricKey, ...).\n";

static int usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {{"type", required_argument, NULL, 't'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	vx_der_type t = VX_DER_TYPE_MAX;
	const char *path;
	vx_bytes in = {0};
	void *v = NULL;
	vx_status st;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if ((t = vx_der_lookup(optarg)) == VX_DER_TYPE_MAX) {
				fprintf(stderr, "vortex: dump: unknown type '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc - 1)
		return usage(stderr, 2);
	path = argv[optind];
	if ((st = vx_read_file(path, &in)) != VX_OK) {
		if (st == VX_ELIMIT)
			return vx_fail("dump: %s: file larger than 64 MiB", path);
		return vx_fail("dump: %s: %s", path, vx_strerror(st));
	}
	if (t == VX_DER_TYPE_MAX && (t = vx_der_detect(in.data, in.len)) == VX_DER_TYPE_MAX) {
		rc = vx_fail("dump: %s: %s (no MessageVortex type matches)", path,
		             vx_strerror(VX_EDECODE));
		goto out;
	}
	if (!(v = malloc(vx_der_size(t)))) {
		rc = vx_fail("dump: %s: %s", path, vx_strerror(VX_ENOMEM));
		goto out;
	}
	if ((st = vx_der_decode(t, in.data, in.len, v)) != VX_OK) {
		rc = vx_fail("dump: %s: %s", path, vx_strerror(st));
		goto out;
	}
	vx_print(stdout, t, v, 0);
	vx_der_free(t, v);
	rc = fflush(stdout) ? vx_fail("dump: writing output failed") : 0;
out:
	free(v);
	vx_bytes_free(&in);
	return rc;
}
