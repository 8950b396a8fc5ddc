/*
 * vx-milter-mail.c - test helper for tests/t-milter.sh:
 *   vx-milter-mail make DIR      host keys DIR/node1.key and DIR/node2.key, node1's
 *                                store DIR/state/vortex@node1.test with the sender's
 *                                identity, and two real hop mails for node1:
 *                                DIR/hop.eml (node1 forwards to node2 within 2 s)
 *                                and DIR/local.eml (node1 delivers to its user);
 *                                DIR/hop2.eml is another like hop.eml
 *   vx-milter-mail detect KEY MAIL   prints how many Vortex messages KEY finds in MAIL
 *   vx-milter-mail queue STORE   prints the items in STORE's outbound queue
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "builder.h"
#include "cipher.h"
#include "compose.h"
#include "detect.h"
#include "store.h"

static const unsigned offsets[] = {256};
static const char *const n1 = "vortex@node1.test", *const n2 = "vortex@node2.test";

/* The local user's content: a message with a read-receipt request that must go. */
static const char letter[] = "From: Alice <alice@node0.test>\r\n"
                             "To: Bob <bob@node1.test>\r\n"
                             "Subject: lunch\r\n"
                             "Disposition-Notification-To: tracker@evil.test\r\n"
                             "\r\n"
                             "See you at noon. -- Alice\r\n";

static int put(const char *dir, const char *name, const vx_bytes *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	/* host keys are refused unless private to their owner */
	if (!(f = fopen(path, "wb")) || fchmod(fileno(f), 0600) ||
	    fwrite(b->data, 1, b->len, f) != b->len || fclose(f)) {
		fprintf(stderr, "vx-milter-mail: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

static int slurp(const char *path, vx_bytes *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    vx_bytes_alloc(b, (size_t)n) || fread(b->data, 1, (size_t)n, f) != (size_t)n) {
		if (f)
			fclose(f);
		fprintf(stderr, "vx-milter-mail: cannot read %s\n", path);
		return 1;
	}
	fclose(f);
	return 0;
}

/* One hop to node1 with combo c, its payload sealed with k, as mail. */
static vx_status hop_mail(vx_pkey *host, vx_pkey *ident, uint32_t serial, const RoutingCombo *c,
                          const SymmetricKey *k, const char *text, vx_bytes *mail)
{
	time_t now = time(NULL);
	vx_hop h = {.host = host,
	            .identity = ident,
	            .serial = serial,
	            .not_before = now - 60,
	            .not_after = now + 86400,
	            .combos = c,
	            .ncombos = 1};
	vx_bytes sealed = {0}, wire = {0};
	BlendingSpec to;
	vx_status st;

	if ((st = vx_blending_spec_plain(n1, host, offsets, 1, &to)) != VX_OK)
		return st;
	if ((st = vx_hop_seal(&h)) == VX_OK &&
	    (st = vx_sym_encrypt(k, (const uint8_t *)text, strlen(text), 0, &sealed)) == VX_OK &&
	    (st = vx_hop_message(&h, &sealed, 1, &wire)) == VX_OK)
		st = vx_compose_mail(wire.data, wire.len, &to, "alice@node0.test", mail);
	vx_hop_clear(&h);
	free_BlendingSpec(&to);
	vx_bytes_free(&sealed);
	vx_bytes_free(&wire);
	return st;
}

static int make(const char *dir)
{
	vx_pkey *host1 = NULL, *host2 = NULL, *ident1 = NULL, *ident2 = NULL;
	SymmetricKey k0, k1;
	PayloadOperation fwd[2], loc[2];
	RoutingCombo c_fwd, c_loc, c2;
	BlendingSpec to2;
	vx_bytes der1 = {0}, der2 = {0}, hop = {0}, hop2 = {0}, local = {0};
	vx_store *s = NULL;
	char state[2048], store[4096];
	uint8_t fp[32];
	vx_status st;
	int rc = 1;

	memset(&c_fwd, 0, sizeof c_fwd), memset(&c_loc, 0, sizeof c_loc);
	memset(&c2, 0, sizeof c2), memset(&to2, 0, sizeof to2);
	snprintf(state, sizeof state, "%.2000s/state", dir);
	snprintf(store, sizeof store, "%s/%s", state, n1);
	if (vx_pkey_generate(ec, secp384r1, &host1) || vx_pkey_generate(ec, secp384r1, &host2) ||
	    vx_pkey_generate(ec, secp384r1, &ident1) || vx_pkey_generate(ec, secp384r1, &ident2) ||
	    vx_sym_generate(aes256, gcm, paddingNone, &k0) ||
	    vx_sym_generate(aes256, gcm, paddingNone, &k1) || vx_pkey_to_der(host1, 1, &der1) ||
	    vx_pkey_to_der(host2, 1, &der2) || put(dir, "node1.key", &der1) ||
	    put(dir, "node2.key", &der2))
		goto out;
	/* the sender's identity on node1, as if its puzzle was solved long ago */
	vx_identity id = {time(NULL) + 86400, 100, 1 << 24, 0};
	if ((mkdir(state, 0700) && errno != EEXIST) || mkdir(store, 0700) ||
	    vx_store_open(store, NULL, &s) || vx_pkey_fingerprint(ident1, fp) ||
	    vx_store_identity_put(s, fp, &id))
		goto out;
	/* hop.eml: node1 decrypts the chunk, re-encrypts it and sends it to node2 */
	vx_op_crypt(&fwd[0], 0, 1, 200, &k0);
	vx_op_crypt(&fwd[1], 1, 200, 1, &k1);
	c2.maxProcessTime = 60;
	vx_hop h2 = {.host = host2,
	             .identity = ident2,
	             .serial = 7,
	             .not_before = time(NULL) - 60,
	             .not_after = time(NULL) + 86400,
	             .combos = &c2,
	             .ncombos = 1};
	if (vx_blending_spec_plain(n2, host2, offsets, 1, &to2) || vx_hop_seal(&h2) ||
	    vx_hop_combo(&h2, &to2, fwd, 2, 0, 2, &c_fwd)) {
		vx_hop_clear(&h2);
		goto out;
	}
	vx_hop_clear(&h2);
	/* local.eml: node1 decrypts the chunk to ID 0, for its local user */
	vx_op_crypt(&loc[0], 0, 1, 200, &k0);
	vx_op_map(&loc[1], 200, 0);
	c_loc.maxProcessTime = 2;
	c_loc.assembly.len = 2, c_loc.assembly.val = loc;
	if ((st = hop_mail(host1, ident1, 1, &c_fwd, &k0, "a chunk for node2", &hop)) ||
	    (st = hop_mail(host1, ident1, 2, &c_loc, &k0, letter, &local)) ||
	    (st = hop_mail(host1, ident1, 3, &c_fwd, &k0, "another chunk", &hop2)) ||
	    put(dir, "hop.eml", &hop) || put(dir, "local.eml", &local) ||
	    put(dir, "hop2.eml", &hop2))
		goto out;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "vx-milter-mail: make failed\n");
	c_loc.assembly.len = 0, c_loc.assembly.val = NULL;
	free_RoutingCombo(&c_fwd), free_RoutingCombo(&c_loc), free_BlendingSpec(&to2);
	vx_sym_free(&k0), vx_sym_free(&k1);
	vx_store_close(s);
	vx_pkey_free(host1), vx_pkey_free(host2), vx_pkey_free(ident1), vx_pkey_free(ident2);
	vx_bytes_free(&der1), vx_bytes_free(&der2), vx_bytes_free(&hop), vx_bytes_free(&local);
	vx_bytes_free(&hop2);
	return rc;
}

static int count_found(const vx_found *f, void *arg)
{
	(*(unsigned *)arg) += f->msg != NULL;
	return 0;
}

static int detect(const char *keyfile, const char *mailfile)
{
	vx_bytes der = {0}, mail = {0};
	vx_pkey *k = NULL;
	unsigned n = 0;
	const vx_pkey *hosts[1];

	if (slurp(keyfile, &der) || slurp(mailfile, &mail) ||
	    vx_pkey_from_der(der.data, der.len, &k))
		return 1;
	hosts[0] = k;
	vx_detect(mail.data, mail.len, hosts, 1, offsets, 1, 64u << 20, count_found, &n, NULL);
	printf("%u\n", n);
	vx_pkey_free(k), vx_bytes_free(&der), vx_bytes_free(&mail);
	return n ? 0 : 1;
}

static int queue(const char *dir)
{
	vx_store *s;
	uint64_t items, bytes;

	if (vx_store_open(dir, NULL, &s) || vx_store_queue_stat(s, &items, &bytes))
		return 1;
	printf("%llu\n", (unsigned long long)items);
	vx_store_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "make"))
		return make(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "detect"))
		return detect(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "queue"))
		return queue(argv[2]);
	fprintf(stderr, "usage: vx-milter-mail make DIR | detect KEY MAIL | queue STORE\n");
	return 2;
}
