/* cmd_keygen.c - `vortex keygen`: a host identity key (sections 2.3.1, 5.2). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "pkey.h"
#include "util.h"

static const char usage_text[] =
    "usage: vortex keygen [-t rsa|ec] [-b BITS] [-c CURVE] [-f] -o FILE [-p PUBFILE]\n"
    "  -t  key type (default ec)\n"
    "  -b  RSA modulus size in bits, at least 2048 (default 3072)\n"
    "  -c  EC curve: secp384r1 (default), sect409k1 or secp521r1\n"
    "  -o  write the key with its private part here (mode 0600)\n"
    "  -p  also write the public key here (mode 0644)\n"
    "  -f  overwrite existing files\n";

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	static const struct {
		const char *name;
		ECCurveType type;
	} curves[] = {{"secp384r1", secp384r1}, {"sect409k1", sect409k1}, {"secp521r1", secp521r1}};
	const char *out = NULL, *pubout = NULL, *type = "ec", *curve = "secp384r1";
	unsigned long bits = 3072;
	unsigned param = 0;
	int force = 0, c;
	vx_pkey *k = NULL;
	vx_bytes der = {0};
	vx_status st;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:b:c:o:p:fh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			type = optarg;
			break;
		case 'b':
			errno = 0;
			bits = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg)
				return vx_usage(stderr, usage_text, 2);
			break;
		case 'c':
			curve = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			pubout = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			return vx_usage(stdout, usage_text, 0);
		default:
			return vx_usage(stderr, usage_text, 2);
		}
	}
	if (!out || optind != argc)
		return vx_usage(stderr, usage_text, 2);
	if (!strcmp(type, "rsa")) {
		if (bits < 2048 || bits > 16384)
			return vx_fail("keygen: RSA keys must have 2048 to 16384 bits");
		param = (unsigned)bits;
	} else if (!strcmp(type, "ec")) {
		size_t i;

		for (i = 0; i < sizeof curves / sizeof *curves; i++)
			if (!strcmp(curve, curves[i].name))
				break;
		if (i == sizeof curves / sizeof *curves)
			return vx_fail(
			    "keygen: unknown curve '%s' (secp384r1, sect409k1, secp521r1)", curve);
		param = curves[i].type;
	} else {
		return vx_fail("keygen: unknown key type '%s' (rsa or ec)", type);
	}
	if ((st = vx_pkey_generate(strcmp(type, "rsa") ? ec : rsa, param, &k)) != VX_OK)
		return vx_fail("keygen: %s", vx_strerror(st));
	if ((st = vx_pkey_to_der(k, 1, &der)) != VX_OK ||
	    (st = vx_write_file(out, der.data, der.len, 0600, force)) != VX_OK) {
		vx_fail("keygen: %s: %s", out, st == VX_EIO ? strerror(errno) : vx_strerror(st));
		goto fail;
	}
	vx_bytes_free(&der);
	if (pubout && ((st = vx_pkey_to_der(k, 0, &der)) != VX_OK ||
	               (st = vx_write_file(pubout, der.data, der.len, 0644, force)) != VX_OK)) {
		vx_fail("keygen: %s: %s", pubout, st == VX_EIO ? strerror(errno) : vx_strerror(st));
		/* without -f, keygen writes both files or neither */
		if (!force)
			unlink(out);
		goto fail;
	}
	vx_bytes_free(&der);
	vx_pkey_free(k);
	return 0;
fail:
	vx_bytes_free(&der);
	vx_pkey_free(k);
	return 1;
}
