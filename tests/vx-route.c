/*
 * vx-route.c - test helper for the real-Postfix tests (tests/t-postfix.sh):
 * the sender's side of a multi-hop route over node addresses on one MTA.
 *
 *   vx-route setup DIR N [--state STATEDIR]
 *       node host keys DIR/nodeI.test.key (DER with the private part, as
 *       `vortex keygen` writes them) and .pub, the builder's identity keys
 *       DIR/nodeI.test.ident, and that identity provisioned (not temporary,
 *       with quotas) in each node's store STATEDIR/vortex@nodeI.test/ (the
 *       daemon's state_dir layout; default STATEDIR: DIR/state).
 *   vx-route build DIR --hops nodeA.test,nodeB.test,... --to ADDR
 *           (--text TEXT | --text-file FILE) [--from ADDR] [--subject S]
 *           [--offset N] [--max-time S]
 *       the blended carrier mail for the first hop on stdout: each hop
 *       decrypts its layer and re-encrypts for the next, the last one maps
 *       the content (a small RFC 5322 message to ADDR) to ID 0 for the
 *       local user.
 *   vx-route run DIR N MAIL
 *       carry MAIL through the node engines of nodes 1..N in this process,
 *       over DIR's stores (so on a setup of its own: the stores record the
 *       message), and print what is delivered to a local user: a check of
 *       the route that needs no MTA.
 *
 * The route is built as in tests/t-network.c: from the last hop backwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "builder.h"
#include "cipher.h"
#include "compose.h"
#include "node.h"
#include "pkey.h"
#include "store.h"

#define MAXHOPS 8

static const char usage_text[] =
    "usage: vx-route setup DIR N [--state STATEDIR]\n"
    "       vx-route build DIR --hops nodeA.test,... --to ADDR (--text T | --text-file F)\n"
    "                [--from ADDR] [--subject S] [--offset N] [--max-time S]\n"
    "       vx-route run DIR N MAIL\n";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vx-route: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static int write_file(const char *path, const vx_bytes *b, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	int good = fd >= 0 && write(fd, b->data, b->len) == (ssize_t)b->len;

	if (fd >= 0)
		good &= fchmod(fd, mode) == 0 && close(fd) == 0;
	return good;
}

static vx_pkey *read_key(const char *path)
{
	static uint8_t buf[1 << 16];
	vx_pkey *k = NULL;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (vx_pkey_from_der(buf, n, &k) != VX_OK)
		return NULL;
	return k;
}

static int save_key(const vx_pkey *k, const char *dir, const char *node, const char *suffix,
                    int priv)
{
	char path[4096];
	vx_bytes der = {0};
	int good;

	snprintf(path, sizeof path, "%s/%s.%s", dir, node, suffix);
	good = vx_pkey_to_der(k, priv, &der) == VX_OK && write_file(path, &der, priv ? 0600 : 0644);
	vx_bytes_free(&der);
	return good;
}

static int setup(int argc, char **argv)
{
	const char *dir;
	char node[64], path[4096], state[2048];
	int n;

	if (argc != 4 && !(argc == 6 && !strcmp(argv[4], "--state")))
		return fprintf(stderr, "%s", usage_text), 2;
	dir = argv[2];
	n = atoi(argv[3]);
	if (n < 1 || n > MAXHOPS)
		return fail("setup: N must be 1..%d", MAXHOPS);
	snprintf(state, sizeof state, "%s", argc == 6 ? argv[5] : dir);
	if (argc == 4)
		snprintf(state, sizeof state, "%s/state", dir);
	if (mkdir(state, 0700) && errno != EEXIST)
		return fail("setup: cannot make %s", state);
	for (int i = 1; i <= n; i++) {
		vx_pkey *host = NULL, *ident = NULL;
		uint8_t fp[VX_FINGERPRINT_LEN];
		/* a week of life and quotas no test runs out of */
		vx_identity id = {(int64_t)time(NULL) + 7 * 86400, 100000, UINT64_C(1) << 30, 0};
		vx_store *s = NULL;
		int good;

		snprintf(node, sizeof node, "node%d.test", i);
		snprintf(path, sizeof path, "%s/vortex@%s", state, node);
		good = vx_pkey_generate(ec, secp384r1, &host) == VX_OK &&
		       vx_pkey_generate(ec, secp384r1, &ident) == VX_OK &&
		       save_key(host, dir, node, "key", 1) && save_key(host, dir, node, "pub", 0) &&
		       save_key(ident, dir, node, "ident", 1) &&
		       vx_pkey_fingerprint(ident, fp) == VX_OK &&
		       (mkdir(path, 0700) == 0 || errno == EEXIST) &&
		       vx_store_open(path, NULL, &s) == VX_OK &&
		       vx_store_identity_put(s, fp, &id) == VX_OK;
		vx_store_close(s);
		vx_pkey_free(host);
		vx_pkey_free(ident);
		if (!good)
			return fail("setup: cannot provision %s", node);
	}
	return 0;
}

/* The content for the local user: a small mail of its own (real messages carry headers). */
static int content(vx_bytes *out, const char *from, const char *to, const char *subject,
                   const char *text, size_t textlen)
{
	char date[64], head[2048];
	time_t now = time(NULL);
	unsigned r = 0;
	int n;

	RAND_bytes((unsigned char *)&r, sizeof r);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", gmtime(&now));
	n = snprintf(head, sizeof head,
	             "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
	             "Message-ID: <vx-route.%ld.%08x@user.test>\r\nMIME-Version: 1.0\r\n"
	             "Content-Type: text/plain; charset=utf-8\r\n"
	             "Content-Transfer-Encoding: 8bit\r\n\r\n",
	             from, to, subject, date, (long)now, r);
	if (n < 0 || (size_t)n >= sizeof head ||
	    vx_bytes_alloc(out, (size_t)n + textlen + 2) != VX_OK)
		return 0;
	memcpy(out->data, head, (size_t)n);
	memcpy(out->data + n, text, textlen);
	memcpy(out->data + n + textlen, "\r\n", 2);
	return 1;
}

/* A file's contents as the text (--text-file), for texts beyond an argument's size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) &&
	    fread(buf, 1, (size_t)size, f) == (size_t)size) {
		*len = (size_t)size;
	} else {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

typedef struct hopinfo {
	char addr[80];
	vx_pkey *host, *ident;
	BlendingSpec spec;
} hopinfo;

static void free_hops(hopinfo *H, int n)
{
	for (int i = 0; i < n; i++) {
		free_BlendingSpec(&H[i].spec);
		vx_pkey_free(H[i].host), vx_pkey_free(H[i].ident);
	}
}

/* The hops' addresses, keys and blending specs; H zeroed by the caller. */
static int read_hops(const char *dir, const char *hops, const unsigned *offset, hopinfo *H, int *nh)
{
	for (const char *p = hops; *p && *nh < MAXHOPS; ++*nh) {
		size_t len = strcspn(p, ",");
		char node[64], path[4096];
		const char *at;
		hopinfo *h = &H[*nh];

		snprintf(node, sizeof node, "%.*s", (int)len, p);
		/* a hop is a domain (node1.test) or an address (vortex@node1.test) */
		at = strchr(node, '@');
		snprintf(h->addr, sizeof h->addr, at ? "%s" : "vortex@%s", node);
		if (at)
			memmove(node, at + 1, strlen(at));
		snprintf(path, sizeof path, "%s/%s.key", dir, node);
		if (!(h->host = read_key(path)))
			return !fail("build: cannot read %s", path);
		snprintf(path, sizeof path, "%s/%s.ident", dir, node);
		if (!(h->ident = read_key(path)))
			return !fail("build: cannot read %s", path);
		if (vx_blending_spec_plain(h->addr, h->host, offset, 1, &h->spec) != VX_OK)
			return !fail("build: no blending spec for %s", h->addr);
		p += len + (p[len] == ',');
	}
	return *nh > 0 ? 1 : !fail("build: %s", "no hops");
}

static PayloadOperation op_crypt(int enc, int from, int to, const SymmetricKey *k)
{
	PayloadOperation op;

	vx_op_crypt(&op, enc, from, to, k);
	return op;
}

static int build(int argc, char **argv)
{
	const char *dir = argv[2], *hops = NULL, *to = NULL, *text = NULL, *text_file = NULL;
	const char *from = "alice@user.test", *subject = "vx-route test message";
	unsigned offset = 0;
	int max_time = 2, nh = 0, good = 1;
	hopinfo H[MAXHOPS];
	/* layer[i]: what hop i removes of the payload; link[i]: hop i -> i+1 */
	SymmetricKey layer[MAXHOPS], link[MAXHOPS];
	PayloadOperation ops[MAXHOPS][3];
	RoutingCombo combo[MAXHOPS];
	vx_hop hop[MAXHOPS];
	vx_bytes chunk = {0}, tmp = {0}, wire = {0}, mail = {0};
	char *filetext = NULL;
	size_t textlen = 0;
	uint32_t serial;
	time_t now = time(NULL);

	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--hops"))
			hops = argv[i + 1];
		else if (!strcmp(argv[i], "--to"))
			to = argv[i + 1];
		else if (!strcmp(argv[i], "--text"))
			text = argv[i + 1];
		else if (!strcmp(argv[i], "--text-file"))
			text_file = argv[i + 1];
		else if (!strcmp(argv[i], "--from"))
			from = argv[i + 1];
		else if (!strcmp(argv[i], "--subject"))
			subject = argv[i + 1];
		else if (!strcmp(argv[i], "--offset"))
			offset = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--max-time"))
			max_time = atoi(argv[i + 1]);
		else
			return fprintf(stderr, "%s", usage_text), 2;
	}
	if (!hops || !to || !text == !text_file || argc % 2 == 0)
		return fprintf(stderr, "%s", usage_text), 2;
	if (text_file && !(text = filetext = slurp(text_file, &textlen)))
		return fail("build: cannot read %s", text_file);
	if (!text_file)
		textlen = strlen(text);

	memset(H, 0, sizeof H);
	if (!read_hops(dir, hops, &offset, H, &nh)) {
		free_hops(H, MAXHOPS);
		free(filetext);
		return 1;
	}
	RAND_bytes((unsigned char *)&serial, sizeof serial);
	for (int i = 0; i < nh; i++) {
		vx_sym_generate(aes256, gcm, paddingNone, &layer[i]);
		vx_sym_generate(aes256, gcm, paddingNone, &link[i]);
	}

	/*
	 * Hop i runs: decrypt the link from hop i-1 (not on hop 0), remove its
	 * layer, then either encrypt for the link to hop i+1 (sent there) or,
	 * on the last hop, map the content to ID 0.
	 */
	for (int i = nh - 1; i >= 0; i--) {
		int k = 0, at = 1;

		if (i > 0)
			ops[i][k++] = op_crypt(0, 1, 200, &link[i - 1]), at = 200;
		ops[i][k++] = op_crypt(0, at, 201, &layer[i]);
		if (i == nh - 1) {
			vx_op_map(&ops[i][k++], 201, 0);
			memset(&combo[i], 0, sizeof combo[i]);
			combo[i].minProcessTime = 0, combo[i].maxProcessTime = max_time;
			combo[i].assembly.len = (unsigned)k, combo[i].assembly.val = ops[i];
		} else {
			ops[i][k++] = op_crypt(1, 201, 1, &link[i]);
			good &= vx_hop_combo(&hop[i + 1], &H[i + 1].spec, ops[i], (size_t)k, 0,
			                     max_time, &combo[i]) == VX_OK;
		}
		hop[i] = (vx_hop){.host = H[i].host,
		                  .identity = H[i].ident,
		                  .serial = serial + (uint32_t)i,
		                  .not_before = now - 300,
		                  .not_after = now + 86400,
		                  .combos = &combo[i],
		                  .ncombos = 1};
		good &= vx_hop_seal(&hop[i]) == VX_OK;
	}

	/* the payload: the content under every hop's layer, the last hop's innermost */
	good &= content(&chunk, from, to, subject, text, textlen);
	for (int i = nh - 1; i >= 0 && good; i--) {
		good &= vx_sym_encrypt(&layer[i], chunk.data, chunk.len, 0, &tmp) == VX_OK;
		vx_bytes_free(&chunk);
		vx_bytes_move(&chunk, &tmp);
	}
	good = good && vx_hop_message(&hop[0], &chunk, 1, &wire) == VX_OK &&
	       vx_compose_mail(wire.data, wire.len, &H[0].spec, from, &mail) == VX_OK &&
	       fwrite(mail.data, 1, mail.len, stdout) == mail.len && fflush(stdout) == 0;

	for (int i = 0; i < nh; i++) {
		vx_hop_clear(&hop[i]);
		if (i < nh - 1)
			free_RoutingCombo(&combo[i]);
		vx_sym_free(&layer[i]), vx_sym_free(&link[i]);
	}
	free_hops(H, nh);
	vx_bytes_free(&chunk), vx_bytes_free(&wire), vx_bytes_free(&mail);
	free(filetext);
	return good ? 0 : fail("build: %s", "cannot build the route");
}

static int run(char **argv)
{
	static const unsigned offsets[] = {0, 256};
	const char *dir = argv[2];
	int n = atoi(argv[3]), good = 1, delivered = 0;
	char addr[MAXHOPS][40], path[4096];
	const char *addrp[MAXHOPS];
	vx_pkey *host[MAXHOPS] = {0};
	vx_store *store[MAXHOPS] = {0};
	vx_node_config cfg[MAXHOPS];
	FILE *f = fopen(argv[4], "rb");
	static uint8_t mail[1 << 20];
	size_t len = f ? fread(mail, 1, sizeof mail, f) : 0;
	int64_t now = time(NULL);

	if (f)
		fclose(f);
	if (n < 1 || n > MAXHOPS || !len)
		return fail("run: bad arguments or empty mail %s", argv[4]);
	for (int i = 0; i < n && good; i++) {
		snprintf(addr[i], sizeof addr[i], "vortex@node%d.test", i + 1);
		addrp[i] = addr[i];
		snprintf(path, sizeof path, "%s/node%d.test.key", dir, i + 1);
		good = (host[i] = read_key(path)) != NULL;
		snprintf(path, sizeof path, "%s/state/%s", dir, addr[i]);
		good = good && vx_store_open(path, NULL, &store[i]) == VX_OK;
		cfg[i] = (vx_node_config){.hosts = (const vx_pkey *const *)&host[i],
		                          .nhosts = 1,
		                          .addresses = &addrp[i],
		                          .offsets = offsets,
		                          .noffsets = 2,
		                          .slot = 1,
		                          .policy = {8, 86400, 100, 1 << 24}};
	}
	/* the first hop's mail arrives at node 1; every second run and carry */
	good = good && vx_node_receive(store[0], &cfg[0], mail, len, now, NULL) == VX_OK;
	for (int64_t t = now; good && t < now + 30; t++)
		for (int i = 0; i < n; i++) {
			vx_queue_item it;

			vx_node_run_due(store[i], &cfg[i], t, NULL);
			while (vx_store_queue_next(store[i], t, &it) == VX_OK) {
				if (it.flags & VX_QUEUE_LOCAL) {
					printf("delivered to %s:\n", it.recipient);
					fwrite(it.data.data, 1, it.data.len, stdout);
					delivered++;
				}
				for (int j = 0; j < n && !(it.flags & VX_QUEUE_LOCAL); j++)
					if (!strcmp(it.recipient, addr[j]))
						vx_node_receive(store[j], &cfg[j], it.data.data,
						                it.data.len, t, NULL);
				vx_store_queue_done(store[i], it.id);
				vx_bytes_free(&it.data);
			}
		}
	for (int i = 0; i < n; i++)
		vx_store_close(store[i]), vx_pkey_free(host[i]);
	return good && delivered == 1 ? 0
	                              : fail("run: %s local deliveries", delivered ? ">1" : "no");
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "run"))
		return run(argv);
	if (argc >= 4 && !strcmp(argv[1], "setup"))
		return setup(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "build"))
		return build(argc, argv);
	fprintf(stderr, "%s", usage_text);
	return 2;
}
