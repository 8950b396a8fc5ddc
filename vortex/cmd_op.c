/*
 * cmd_op.c - `vortex op`: one payload operation (section 7.4) over files,
 * run by the same code a node uses (core/ops.c on a workspace), for admins
 * debugging interoperability and for the tests.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "cmd.h"
#include "der.h"
#include "ops.h"
#include "util.h"
#include "workspace.h"

#define MAX_KEYS 512
/* workspace IDs the command uses: inputs from 1, outputs from 1000 */
#define IN_ID  1
#define OUT_ID 1000

static const char usage_text[] =
    "usage: vortex op COMMAND ...\n"
    "  genkey [--alg A] [--mode M] [--padding P] [-f] -o KEYFILE\n"
    "        A: aes128 aes192 aes256 camellia128 camellia192 camellia256 twofish128 twofish256\n"
    "        M: cbc ctr ofb gcm ccm ocb eax ecb none;  P: none pkcs7  (default aes256 gcm none)\n"
    "  split (--percent P | --absolute N) IN OUT1 OUT2\n"
    "        P: 1..99, the first part's share; N: its bytes, negative counts from the end\n"
    "  merge IN1 IN2 OUT\n"
    "  encrypt --key KEYFILE IN OUT\n"
    "  decrypt --key KEYFILE IN OUT\n"
    "  add-redundancy -k K -m M [--gf 8|16] --key KEY1,KEY2[,...] IN OUTPREFIX\n"
    "        writes OUTPREFIX.0 .. OUTPREFIX.(K+M-1)\n"
    "  remove-redundancy -k K -m M [--gf 8|16] --key KEY1,KEY2[,...] INPREFIX OUT\n"
    "        reads whichever INPREFIX.j exist; needs any K of them\n"
    "Key files hold a DER SymmetricKey. Output files are refused if they exist, unless -f.\n";

static const struct named {
	const char *name;
	int value;
} algs[] =
    {{"aes128", aes128},           {"aes192", aes192},           {"aes256", aes256},
     {"camellia128", camellia128}, {"camellia192", camellia192}, {"camellia256", camellia256},
     {"twofish128", twofish128},   {"twofish256", twofish256},   {NULL, 0}},
  modes[] = {{"ecb", ecb}, {"cbc", cbc}, {"eax", eax}, {"ctr", ctr},       {"ccm", ccm},
             {"gcm", gcm}, {"ocb", ocb}, {"ofb", ofb}, {"none", modeNone}, {NULL, 0}},
  pads[] = {{"none", paddingNone}, {"pkcs7", pkcs7}, {NULL, 0}};

static int lookup(const struct named *t, const char *name, int *v)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name)) {
			*v = t->value;
			return 0;
		}
	return -1;
}

struct opts {
	const char *keys, *out;
	long percent, absolute, k, m, gf;
	int have_percent, have_absolute, force;
};

/* A bad option value is a usage error: one line, exit 2. */
static int misuse(const char *what)
{
	vx_fail("op: %s", what);
	return 2;
}

static int file_error(const char *path, vx_status st)
{
	return vx_fail("op: %s: %s", path, st == VX_EIO ? strerror(errno) : vx_strerror(st));
}

/* Load comma-separated DER SymmetricKey files. */
static int load_keys(const char *list, SymmetricKey *keys, unsigned *n)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	*n = 0;
	if (!copy)
		return vx_fail("op: out of memory");
	for (char *f = strtok_r(copy, ",", &save); f && !rc; f = strtok_r(NULL, ",", &save)) {
		vx_bytes der = {0};
		vx_status st;

		if (*n == MAX_KEYS) {
			rc = vx_fail("op: more than %d keys", MAX_KEYS);
			break;
		}
		if ((st = vx_read_file(f, &der)) != VX_OK ||
		    (st = vx_der_decode(VX_DER_SymmetricKey, der.data, der.len, &keys[*n])) !=
		        VX_OK)
			rc = file_error(f, st);
		else
			(*n)++;
		vx_bytes_free(&der);
	}
	free(copy);
	return rc;
}

static void free_keys(SymmetricKey *keys, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free_SymmetricKey(&keys[i]);
}

static int load_input(vx_workspace *ws, unsigned id, const char *path, int missing_ok)
{
	vx_bytes b = {0};
	vx_status st = vx_read_file(path, &b);

	if (st == VX_EIO && errno == ENOENT && missing_ok)
		return 0;
	if (st == VX_OK && (st = vx_ws_put_owned(ws, id, &b, 0)) != VX_OK)
		vx_bytes_free(&b);
	return st == VX_OK ? 0 : file_error(path, st);
}

static int save_output(vx_workspace *ws, unsigned id, const char *path, int force)
{
	const vx_bytes *b = vx_ws_get(ws, id, NULL);
	vx_status st;

	if (!b)
		return vx_fail("op: %s: nothing was produced", path);
	st = vx_write_file(path, b->data, b->len, 0644, force);
	return st == VX_OK ? 0 : file_error(path, st);
}

static int genkey(int argc, char **argv, struct opts *o, const char *alg, const char *mode,
                  const char *pad)
{
	SymmetricKey key;
	vx_bytes der = {0};
	int a, m, p;
	vx_status st;

	(void)argv;
	if (argc || !o->out)
		return vx_usage(stderr, usage_text, 2);
	if (lookup(algs, alg, &a) || lookup(modes, mode, &m) || lookup(pads, pad, &p))
		return misuse("genkey: unknown algorithm, mode or padding (see --help)");
	if ((st = vx_sym_generate(a, m, p, &key)) != VX_OK)
		return vx_fail("op: genkey: %s", vx_strerror(st));
	st = vx_der_encode(VX_DER_SymmetricKey, &key, &der);
	vx_sym_free(&key);
	if (st == VX_OK)
		st = vx_write_file(o->out, der.data, der.len, 0600, o->force);
	vx_bytes_free(&der);
	return st == VX_OK ? 0 : file_error(o->out, st);
}

/*
 * run() fills op.u.addRedundancy for remove-redundancy too: the two
 * generated structures must agree on every field it sets.
 */
#define SAME_FIELD(f)                                                                              \
	_Static_assert(offsetof(AddRedundancyOperation, f) ==                                      \
	                       offsetof(RemoveRedundancyOperation, f) &&                           \
	                   sizeof(((AddRedundancyOperation *)0)->f) ==                             \
	                       sizeof(((RemoveRedundancyOperation *)0)->f),                        \
	               "AddRedundancyOperation and RemoveRedundancyOperation differ in " #f)
SAME_FIELD(inputId);
SAME_FIELD(dataStripes);
SAME_FIELD(redundancy);
SAME_FIELD(keys.len);
SAME_FIELD(keys.val);
SAME_FIELD(outputId);
SAME_FIELD(gfSize);
_Static_assert(sizeof(AddRedundancyOperation) == sizeof(RemoveRedundancyOperation),
               "AddRedundancyOperation and RemoveRedundancyOperation differ in size");
#undef SAME_FIELD

/* Build the operation for cmd over the files in argv and run it. */
static int run(const char *cmd, int argc, char **argv, struct opts *o)
{
	SymmetricKey keys[MAX_KEYS];
	unsigned nkeys = 0, n = 0;
	PayloadOperation op;
	vx_workspace *ws = NULL;
	char path[4096];
	int rc = 1, add = !strcmp(cmd, "add-redundancy");
	vx_status st;

	memset(&op, 0, sizeof op);
	if (vx_ws_new(SIZE_MAX, &ws) != VX_OK)
		return vx_fail("op: out of memory");
	if (!strcmp(cmd, "split")) {
		SizeBlock *sb = &op.u.splitPayload.firstSize;

		if (argc != 3 || o->have_percent == o->have_absolute)
			goto usage;
		op.element = choice_PayloadOperation_splitPayload;
		op.u.splitPayload = (SplitPayloadOperation){IN_ID, {{0}}, OUT_ID, OUT_ID + 1};
		if (o->have_percent) {
			sb->size.element = choice_SizeBlock_size_percent;
			sb->size.u.percent.toPercent = (int)o->percent;
		} else {
			sb->size.element = choice_SizeBlock_size_absolute;
			sb->size.u.absolute.toAbsolute = o->absolute;
		}
		if (load_input(ws, IN_ID, argv[0], 0))
			goto out;
	} else if (!strcmp(cmd, "merge")) {
		if (argc != 3)
			goto usage;
		op.element = choice_PayloadOperation_mergePayload;
		op.u.mergePayload = (MergePayloadOperation){IN_ID, IN_ID + 1, OUT_ID};
		if (load_input(ws, IN_ID, argv[0], 0) || load_input(ws, IN_ID + 1, argv[1], 0))
			goto out;
	} else if (!strcmp(cmd, "encrypt") || !strcmp(cmd, "decrypt")) {
		if (argc != 2 || !o->keys)
			goto usage;
		if (load_keys(o->keys, keys, &nkeys) || load_input(ws, IN_ID, argv[0], 0))
			goto out;
		if (nkeys != 1) {
			rc = misuse("encrypt and decrypt take one key");
			goto out;
		}
		if (cmd[0] == 'e') {
			op.element = choice_PayloadOperation_encryptPayload;
			op.u.encryptPayload = (EncryptPayloadOperation){IN_ID, keys[0], OUT_ID};
		} else {
			op.element = choice_PayloadOperation_decryptPayload;
			op.u.decryptPayload = (DecryptPayloadOperation){IN_ID, keys[0], OUT_ID};
		}
	} else if (add || !strcmp(cmd, "remove-redundancy")) {
		if (argc != 2 || !o->keys || o->k < 1 || o->m < 1 || o->k > 254 || o->m > 254)
			goto usage;
		if (load_keys(o->keys, keys, &nkeys))
			goto out;
		if (nkeys < 2) {
			vx_fail("op: %s needs at least two keys (the schema's SIZE (2..512))", cmd);
			goto out;
		}
		n = (unsigned)(o->k + o->m);
		/* both operations have the same fields */
		op.element = add ? choice_PayloadOperation_addRedundancy
		                 : choice_PayloadOperation_removeRedundancy;
		op.u.addRedundancy = (AddRedundancyOperation){IN_ID,         (int)o->k, (int)o->m,
		                                              {nkeys, keys}, OUT_ID,    (int)o->gf};
		if (add) {
			if (load_input(ws, IN_ID, argv[0], 0))
				goto out;
		} else {
			for (unsigned j = 0; j < n; j++) {
				snprintf(path, sizeof path, "%s.%u", argv[0], j);
				if (load_input(ws, IN_ID + j, path, 1))
					goto out;
			}
		}
	} else {
		vx_fail("op: unknown operation '%s'", cmd);
		goto usage;
	}
	if ((st = vx_op_execute(ws, &op)) != VX_OK) {
		vx_fail("op: %s failed: %s", cmd, vx_strerror(st));
		goto out;
	}
	if (!strcmp(cmd, "split")) {
		if (save_output(ws, OUT_ID, argv[1], o->force) ||
		    save_output(ws, OUT_ID + 1, argv[2], o->force))
			goto out;
	} else if (add) {
		for (unsigned j = 0; j < n; j++) {
			snprintf(path, sizeof path, "%s.%u", argv[1], j);
			if (save_output(ws, OUT_ID + j, path, o->force))
				goto out;
		}
	} else if (save_output(ws, OUT_ID, argv[argc - 1], o->force)) {
		goto out;
	}
	rc = 0;
	goto out;
usage:
	rc = vx_usage(stderr, usage_text, 2);
out:
	free_keys(keys, nkeys);
	vx_ws_free(ws);
	return rc;
}

static int number(const char *s, long lo, long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return !*s || *end || errno || *v < lo || *v > hi ? -1 : 0;
}

int cmd_op(int argc, char **argv)
{
	static const struct option opts[] = {{"percent", required_argument, NULL, 'P'},
	                                     {"absolute", required_argument, NULL, 'A'},
	                                     {"key", required_argument, NULL, 'K'},
	                                     {"gf", required_argument, NULL, 'g'},
	                                     {"alg", required_argument, NULL, 'a'},
	                                     {"mode", required_argument, NULL, 'M'},
	                                     {"padding", required_argument, NULL, 'p'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct opts o = {.gf = 8};
	const char *alg = "aes256", *mode = "gcm", *pad = "none", *cmd;
	int c;

	if (argc < 2)
		return vx_usage(stderr, usage_text, 2);
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		return vx_usage(stdout, usage_text, 0);
	optind = 2;
	while ((c = getopt_long(argc, argv, "k:m:o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (number(optarg, 1, 99, &o.percent))
				return misuse("--percent takes 1 to 99");
			o.have_percent = 1;
			break;
		case 'A':
			if (number(optarg, -4294967295L, 4294967295L, &o.absolute))
				return misuse("--absolute takes -4294967295 to 4294967295");
			o.have_absolute = 1;
			break;
		case 'K':
			o.keys = optarg;
			break;
		case 'g':
			if (number(optarg, 8, 16, &o.gf) || (o.gf != 8 && o.gf != 16))
				return misuse("--gf takes 8 or 16");
			break;
		case 'k':
			if (number(optarg, 1, 254, &o.k))
				return misuse("-k takes 1 to 254");
			break;
		case 'm':
			if (number(optarg, 1, 254, &o.m))
				return misuse("-m takes 1 to 254");
			break;
		case 'a':
			alg = optarg;
			break;
		case 'M':
			mode = optarg;
			break;
		case 'p':
			pad = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'h':
			return vx_usage(stdout, usage_text, 0);
		default:
			return vx_usage(stderr, usage_text, 2);
		}
	}
	if (!strcmp(cmd, "genkey"))
		return genkey(argc - optind, argv + optind, &o, alg, mode, pad);
	return run(cmd, argc - optind, argv + optind, &o);
}
