/*
 * cmd_dump.c - `vortex dump`: decode a DER block and print it as text; with
 * a host key, open a Vortex message, or find and open the ones blended in a
 * mail, and print what the node would see.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "blend.h"
#include "cmd.h"
#include "der.h"
#include "detect.h"
#include "message.h"
#include "print.h"
#include "util.h"

static const char usage_text[] =
    "usage: vortex dump [--type TYPE] FILE|-\n"
    "       vortex dump --key HOSTKEY [--offsets plain:0,256] FILE|-\n"
    "  Decode FILE (at most 64 MiB; - is stdin) as a DER block of the MessageVortex\n"
    "  schema and print it. The type is detected unless --type names it\n"
    "  (VortexMessage, HeaderBlock, RoutingBlock, SymmetricKey, AsymmetricKey, ...).\n"
    "  With --key (a DER AsymmetricKey with its private part), FILE is a Vortex\n"
    "  message or a mail carrying some: each is opened with the host key and its\n"
    "  prefix, header, routing block and payload are printed.\n";

/* Print what a node learns from an opened message. */
static void print_opened(const vx_msg *m)
{
	printf("Vortex message, forward secret %u\npeer key ", vx_msg_forward_secret(m));
	vx_print_SymmetricKey(stdout, vx_msg_peer_key(m), 0);
	printf("header ");
	vx_print_HeaderBlock(stdout, vx_msg_header(m), 0);
	printf("routing ");
	vx_print_RoutingBlock(stdout, vx_msg_routing(m), 0);
	printf("payload %zu chunk(s)\n", vx_msg_payload_count(m));
	for (size_t i = 0; i < vx_msg_payload_count(m); i++) {
		const heim_octet_string *c = vx_msg_payload(m, i);
		const uint8_t *b = c->data;

		printf("  ID %zu: %zu bytes ", i + 1, c->length);
		for (size_t j = 0; j < c->length && j < 16; j++)
			printf("%02x", b[j]);
		printf("%s\n", c->length > 16 ? "..." : "");
	}
}

struct opened {
	const char *path;
	const vx_pkey *host;
	unsigned n;
	int rc;
};

static int open_found(const vx_found *f, void *arg)
{
	struct opened *o = arg;

	printf("%s-- MIME part %u, offset %zu, %zu bytes\n", o->n++ ? "\n" : "", f->part, f->offset,
	       f->len);
	if (!f->msg) {
		o->rc = vx_fail("dump: %s: part %u: %s", o->path, f->part, vx_strerror(f->why));
		return 0;
	}
	print_opened(f->msg);
	return 0;
}

static int dump_with_key(const char *path, const vx_bytes *in, const char *keyfile,
                         const char *spec)
{
	unsigned offsets[VX_BLEND_MAX_OFFSETS];
	size_t noffsets;
	vx_bytes der = {0};
	vx_pkey *host = NULL;
	vx_msg *m = NULL;
	vx_detect_stats ds;
	struct opened o = {path, NULL, 0, 0};
	vx_status st;

	if (vx_blend_parse_plain(spec, offsets, VX_BLEND_MAX_OFFSETS, &noffsets) != VX_OK)
		return vx_fail("dump: bad --offsets '%s' (like plain:0,256)", spec);
	if ((st = vx_read_file(keyfile, &der)) != VX_OK ||
	    (st = vx_pkey_from_der(der.data, der.len, &host)) != VX_OK) {
		vx_bytes_free(&der);
		return vx_fail("dump: %s: %s", keyfile, vx_strerror(st));
	}
	vx_bytes_free(&der);
	if (!vx_pkey_has_private(host)) {
		vx_pkey_free(host);
		return vx_fail("dump: %s: a public key cannot open messages", keyfile);
	}
	o.host = host;
	/* a message on its own, or mail to search */
	if (vx_der_detect(in->data, in->len) == VX_DER_VortexMessage) {
		if ((st = vx_msg_open(in->data, in->len, host, &m)) == VX_OK) {
			print_opened(m);
			vx_msg_free(m);
		} else {
			o.rc = vx_fail("dump: %s: %s", path, vx_strerror(st));
		}
	} else if ((st = vx_detect(in->data, in->len, (const vx_pkey *const *)&host, 1, offsets,
	                           noffsets, VX_MAX_FILE, open_found, &o, &ds)) != VX_OK) {
		o.rc = vx_fail("dump: %s: %s", path, vx_strerror(st));
	} else if (!ds.found) {
		o.rc = vx_fail("dump: %s: no Vortex message for this key in %u MIME part(s)", path,
		               ds.parts);
	}
	vx_pkey_free(host);
	return o.rc;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {{"type", required_argument, NULL, 't'},
	                                     {"key", required_argument, NULL, 'k'},
	                                     {"offsets", required_argument, NULL, 'o'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *keyfile = NULL, *spec = "plain:0,256";
	vx_der_type t = VX_DER_TYPE_MAX;
	const char *path;
	vx_bytes in = {0};
	void *v = NULL;
	vx_status st;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			keyfile = optarg;
			break;
		case 'o':
			spec = optarg;
			break;
		case 't':
			if ((t = vx_der_lookup(optarg)) == VX_DER_TYPE_MAX) {
				fprintf(stderr, "vortex: dump: unknown type '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			return vx_usage(stdout, usage_text, 0);
		default:
			return vx_usage(stderr, usage_text, 2);
		}
	}
	if (optind != argc - 1 || (keyfile && t != VX_DER_TYPE_MAX))
		return vx_usage(stderr, usage_text, 2);
	path = argv[optind];
	if ((st = vx_read_file(path, &in)) != VX_OK) {
		if (st == VX_ELIMIT)
			return vx_fail("dump: %s: file larger than 64 MiB", path);
		return vx_fail("dump: %s: %s", path, vx_strerror(st));
	}
	if (keyfile) {
		rc = dump_with_key(path, &in, keyfile, spec);
		goto out;
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
