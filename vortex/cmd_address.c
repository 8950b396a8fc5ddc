/* cmd_address.c - `vortex address`: the node address of a key (section 2.1.2.1). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "der.h"
#include "nodespec.h"
#include "print.h"
#include "util.h"

static const char usage_text[] =
    "usage: vortex address -a LOCAL@DOMAIN KEYFILE\n"
    "       vortex address --parse ADDRESS\n"
    "  The first form prints the NodeSpec, the smtpAlternateSpec and the\n"
    "  vortexsmtp:// URL for the public part of KEYFILE (a DER AsymmetricKey as\n"
    "  written by `vortex keygen -o`; a private part is never printed).\n"
    "  The second parses an smtpAlternateSpec or vortexsmtp:// URL and prints\n"
    "  its NodeSpec.\n";

static int parse(const char *addr)
{
	NodeSpec ns;
	vx_status st;

	if ((st = vx_nodespec_parse_node(addr, strlen(addr), &ns)) != VX_OK)
		return vx_fail("address: '%s': %s", addr, vx_strerror(st));
	vx_print(stdout, VX_DER_NodeSpec, &ns, 0);
	free_NodeSpec(&ns);
	return 0;
}

static int format(const char *email, const char *keyfile)
{
	vx_bytes in = {0}, spec = {0}, url = {0};
	AsymmetricKey key, pub;
	NodeSpec ns;
	vx_status st;
	int rc = 1;

	if ((st = vx_read_file(keyfile, &in)) != VX_OK)
		return vx_fail("address: %s: %s", keyfile, vx_strerror(st));
	st = vx_der_decode(VX_DER_AsymmetricKey, in.data, in.len, &key);
	vx_bytes_free(&in);
	if (st != VX_OK)
		return vx_fail("address: %s: %s", keyfile, vx_strerror(st));
	if ((st = vx_nodespec_format(email, &key, &spec)) != VX_OK ||
	    (st = vx_nodespec_format_url(email, &key, &url)) != VX_OK) {
		rc = vx_fail("address: '%s': %s", email, vx_strerror(st));
		goto out;
	}
	/* print what a peer learns: the public part only */
	pub = key;
	pub.privateKey = NULL;
	memset(&ns, 0, sizeof ns);
	ns.transportProtocol = smtp;
	ns.recipientAddress.data = (char *)email;
	ns.recipientAddress.length = strlen(email);
	ns.recipientKey = &pub;
	vx_print(stdout, VX_DER_NodeSpec, &ns, 0);
	printf("smtpAlternateSpec %s\n", (char *)spec.data);
	printf("smtpUrl %s\n", (char *)url.data);
	rc = fflush(stdout) ? vx_fail("address: writing output failed") : 0;
out:
	free_AsymmetricKey(&key);
	vx_bytes_free(&spec);
	vx_bytes_free(&url);
	return rc;
}

int cmd_address(int argc, char **argv)
{
	static const struct option opts[] = {{"address", required_argument, NULL, 'a'},
	                                     {"parse", required_argument, NULL, 'P'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *email = NULL, *addr = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			email = optarg;
			break;
		case 'P':
			addr = optarg;
			break;
		case 'h':
			return vx_usage(stdout, usage_text, 0);
		default:
			return vx_usage(stderr, usage_text, 2);
		}
	}
	if (addr && !email && optind == argc)
		return parse(addr);
	if (email && !addr && optind == argc - 1)
		return format(email, argv[optind]);
	return vx_usage(stderr, usage_text, 2);
}
