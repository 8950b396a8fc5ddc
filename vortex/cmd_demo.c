/*
 * cmd_demo.c - `vortex demo`: a network of four nodes in one process.
 *
 * Alice's node builds a routing block for a path node0 -> node1 -> node2 ->
 * node3 and sends her message over it. Every hop is a real Vortex message,
 * blended into a real MIME mail, found again by scanning every MIME part,
 * opened with the node's host key, verified, and processed by executing
 * its routing combo: node1 adds redundancy (k=2, m=1), node2 loses one
 * block "in transit" and still removes the redundancy, node3 hands the
 * message to Bob. The only thing not real is the wire between the nodes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builder.h"
#include "cipher.h"
#include "compose.h"
#include "detect.h"
#include "message.h"
#include "routing.h"
#include "special.h"
#include "workspace.h"
#include "cmd.h"
#include "util.h"

#define NNODES      4
#define DEMO_OFFSET 256
#define WS_BYTES    (16u << 20)

struct node {
	const char *name, *address, *keydesc;
	AsymmetricAlgorithm alg;
	unsigned param;
	vx_pkey *host;
};

static struct node nodes[NNODES] = {
    {"node0", "alice@node0.test", "EC sect409k1", ec, sect409k1, NULL},
    {"node1", "vortex@node1.test", "RSA-2048", rsa, 2048, NULL},
    {"node2", "vortex@node2.test", "EC secp521r1", ec, secp521r1, NULL},
    {"node3", "bob@node3.test", "EC secp384r1", ec, secp384r1, NULL},
};

static const unsigned offsets[] = {0, DEMO_OFFSET};

static const char *alg_name(SymmetricAlgorithm a)
{
	switch (a) {
	case aes128:
		return "AES-128";
	case aes192:
		return "AES-192";
	case aes256:
		return "AES-256";
	case camellia128:
		return "Camellia-128";
	case camellia192:
		return "Camellia-192";
	case camellia256:
		return "Camellia-256";
	default:
		return "cipher";
	}
}

static const char *mode_name(const SymmetricKey *k)
{
	static const char *names[] = {"ECB", "CBC", "EAX", "CTR", "CCM", "GCM", "OCB", "OFB"};
	const CipherMode *m = k->parameter.mode;

	if (!m)
		return "?";
	if (*m == modeNone)
		return "NONE";
	return *m >= ecb && *m <= ofb ? names[*m - ecb] : "?";
}

static void describe(const PayloadOperation *op, char *buf, size_t n)
{
	switch (op->element) {
	case choice_PayloadOperation_encryptPayload:
	case choice_PayloadOperation_decryptPayload: {
		int enc = op->element == choice_PayloadOperation_encryptPayload;
		const EncryptPayloadOperation *e = &op->u.encryptPayload;
		const DecryptPayloadOperation *d = &op->u.decryptPayload;
		const SymmetricKey *k = enc ? &e->key : &d->key;

		snprintf(buf, n, "%s ID %d -> ID %d (%s-%s)", enc ? "encrypt" : "decrypt",
		         enc ? e->originalId : d->originalId, enc ? e->newId : d->newId,
		         alg_name(k->keyType), mode_name(k));
		break;
	}
	case choice_PayloadOperation_addRedundancy: {
		const AddRedundancyOperation *a = &op->u.addRedundancy;

		snprintf(buf, n, "addRedundancy ID %d -> IDs %d..%d (k=%d, m=%d, GF(2^%d))",
		         a->inputId, a->outputId, a->outputId + a->dataStripes + a->redundancy - 1,
		         a->dataStripes, a->redundancy, a->gfSize);
		break;
	}
	case choice_PayloadOperation_removeRedundancy: {
		const RemoveRedundancyOperation *r = &op->u.removeRedundancy;

		snprintf(buf, n, "removeRedundancy IDs %d..%d -> ID %d (k=%d, m=%d, GF(2^%d))",
		         r->inputId, r->inputId + r->dataStripes + r->redundancy - 1, r->outputId,
		         r->dataStripes, r->redundancy, r->gfSize);
		break;
	}
	case choice_PayloadOperation_map:
		snprintf(buf, n, "map ID %d -> ID %d", op->u.map.originalId, op->u.map.newId);
		break;
	default:
		snprintf(buf, n, "operation %d", (int)op->element);
	}
}

/* add (remove = 0) or remove redundancy with three GCM keys, k=2 m=1. */
static void op_redundancy(PayloadOperation *op, int add, int in, int out, SymmetricKey *keys)
{
	memset(op, 0, sizeof *op);
	if (add) {
		AddRedundancyOperation *a = &op->u.addRedundancy;

		op->element = choice_PayloadOperation_addRedundancy;
		a->inputId = in, a->outputId = out, a->dataStripes = 2, a->redundancy = 1;
		a->gfSize = 8, a->keys.len = 3, a->keys.val = keys;
	} else {
		RemoveRedundancyOperation *r = &op->u.removeRedundancy;

		op->element = choice_PayloadOperation_removeRedundancy;
		r->inputId = in, r->outputId = out, r->dataStripes = 2, r->redundancy = 1;
		r->gfSize = 8, r->keys.len = 3, r->keys.val = keys;
	}
}

static struct node *node_by_address(const heim_ia5_string *a)
{
	for (int i = 0; i < NNODES; i++)
		if (strlen(nodes[i].address) == a->length &&
		    !memcmp(nodes[i].address, a->data, a->length))
			return &nodes[i];
	return NULL;
}

struct catch
{
	vx_bytes wire;
	vx_found where;
};

static int catch_first(const vx_found *f, void *arg)
{
	struct catch *c = arg;

	if (vx_bytes_set(&c->wire, f->wire, f->len) != VX_OK)
		return 1;
	c->where = *f;
	return 1;
}

/* Deliver mail to a node and process it; returns the next hop or NULL. */
static int process(struct node *n, vx_bytes *mail, int lose, struct node **next_node,
                   vx_bytes *next_mail, vx_bytes *delivered)
{
	const vx_pkey *hosts[1] = {n->host};
	struct catch c = {{0}, {0}};
	vx_detect_stats ds;
	vx_workspace *ws = NULL;
	vx_msg *m = NULL;
	vx_status st;
	int rc = 1;

	st =
	    vx_detect(mail->data, mail->len, hosts, 1, offsets, 2, 64u << 20, catch_first, &c, &ds);
	if (st != VX_OK || !c.wire.len)
		return vx_fail("demo: %s found no Vortex message (%s)", n->name, vx_strerror(st));
	printf("  %s scanned %u MIME parts, %u host-key trials: Vortex message (%zu bytes) in part "
	       "%u at offset %zu\n",
	       n->name, ds.parts, ds.trials, c.wire.len, c.where.part, c.where.offset);
	if ((st = vx_msg_open(c.wire.data, c.wire.len, n->host, &m)) != VX_OK) {
		vx_fail("demo: %s cannot open the message: %s", n->name, vx_strerror(st));
		goto out;
	}
	printf("  %s opened it: forward secrets agree, identity signature verifies, "
	       "serial %u, %zu payload chunk(s)\n",
	       n->name, vx_msg_header(m)->serial, vx_msg_payload_count(m));
	if ((st = vx_ws_new(WS_BYTES, &ws)) != VX_OK)
		goto out;
	for (size_t i = 0; i < vx_msg_payload_count(m); i++) {
		const heim_octet_string *p = vx_msg_payload(m, i);

		if (lose && i == 1) {
			printf("  (demo) chunk %zu is lost in transit\n", i + 1);
			continue;
		}
		if ((st = vx_ws_put(ws, (unsigned)i + 1, p->data, p->length, 0)) != VX_OK)
			goto out;
	}
	const RoutingBlock *rb = vx_msg_routing(m);
	for (unsigned ci = 0; ci < rb->routing.u.plain.len; ci++) {
		const RoutingCombo *combo = &rb->routing.u.plain.val[ci];
		vx_combo_out out;

		for (unsigned oi = 0; oi < combo->assembly.len; oi++) {
			char buf[160];

			describe(&combo->assembly.val[oi], buf, sizeof buf);
			printf("  %s combo %u, operation %u: %s\n", n->name, ci + 1, oi + 1, buf);
		}
		if ((st = vx_combo_run(combo, ws, &out)) != VX_OK) {
			vx_fail("demo: %s combo %u: %s", n->name, ci + 1, vx_strerror(st));
			goto out;
		}
		if (out.failed)
			printf("  %s combo %u: %u operation(s) failed and were skipped\n", n->name,
			       ci + 1, out.failed);
		if (out.to_user) {
			const vx_bytes *u = vx_ws_get(ws, 0, NULL);
			vx_payload_kind kind;

			if (!u ||
			    vx_special_classify(u->data, u->len, &kind, delivered, NULL) != VX_OK ||
			    kind != VX_PAYLOAD_USER) {
				vx_fail("demo: %s: ID 0 holds no user message", n->name);
				vx_combo_out_free(&out);
				goto out;
			}
			printf("  %s: the combo wrote ID 0: a message for the local user\n",
			       n->name);
		}
		if (out.wire.len && combo->recipient) {
			struct node *to =
			    node_by_address(&combo->recipient->target.recipientAddress);

			if (!to) {
				vx_fail("demo: unknown recipient");
				vx_combo_out_free(&out);
				goto out;
			}
			st = vx_compose_mail(out.wire.data, out.wire.len, combo->recipient,
			                     n->address, next_mail);
			printf("  %s sends %u chunk(s) to %s: Vortex message %zu bytes, mail %zu "
			       "bytes\n",
			       n->name, out.built, to->address, out.wire.len, next_mail->len);
			*next_node = to;
		}
		vx_combo_out_free(&out);
		if (st != VX_OK)
			goto out;
	}
	rc = 0;
out:
	if (rc && st != VX_OK)
		vx_fail("demo: %s: %s", n->name, vx_strerror(st));
	vx_msg_free(m);
	vx_ws_free(ws);
	vx_bytes_free(&c.wire);
	return rc;
}

/* With --save DIR: keep a file for admins to look at with vortex dump. */
static int save(const char *dir, const char *name, const uint8_t *data, size_t len, unsigned mode)
{
	char path[4096];
	vx_status st;

	if (!dir)
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((st = vx_write_file(path, data, len, mode, 1)) != VX_OK)
		return vx_fail("demo: %s: %s", path, vx_strerror(st));
	return 0;
}

static int save_key(const char *dir, const struct node *n)
{
	vx_bytes der = {0};
	char name[64];
	int rc;

	if (!dir)
		return 0;
	if (vx_pkey_to_der(n->host, 1, &der) != VX_OK)
		return vx_fail("demo: cannot encode the key of %s", n->name);
	snprintf(name, sizeof name, "%s.key", n->name);
	rc = save(dir, name, der.data, der.len, 0600);
	vx_bytes_free(&der);
	return rc;
}

/* The hop to node i: its combo c, one use, valid from a minute ago for a day. */
static vx_hop hop_to(int i, const vx_pkey *identity, const RoutingCombo *c, time_t now)
{
	return (vx_hop){.host = nodes[i].host,
	                .identity = identity,
	                .serial = (uint32_t)i,
	                .max_replays = 1,
	                .not_before = now - 60,
	                .not_after = now + 86400,
	                .combos = c,
	                .ncombos = 1};
}

static int run(const char *text, int lose, const char *dir)
{
	vx_pkey *ident[NNODES] = {0};
	SymmetricKey k0, k4, red[3];
	PayloadOperation ops0[1], ops1[2], ops2[2], ops3[2];
	RoutingCombo c0, c1, c2, c3;
	BlendingSpec to1, to2, to3;
	vx_hop h1 = {0}, h2 = {0}, h3 = {0};
	vx_workspace *ws0 = NULL;
	vx_combo_out out0 = {{0}};
	vx_bytes mail = {0}, next = {0}, delivered = {0};
	struct node *at = NULL, *to = NULL;
	time_t now = time(NULL);
	int rc = 1;

	memset(&c0, 0, sizeof c0), memset(&c1, 0, sizeof c1), memset(&c2, 0, sizeof c2);
	memset(&c3, 0, sizeof c3);
	memset(&to1, 0, sizeof to1), memset(&to2, 0, sizeof to2), memset(&to3, 0, sizeof to3);
	memset(&k0, 0, sizeof k0), memset(&k4, 0, sizeof k4), memset(red, 0, sizeof red);

	printf("vortex demo: %d nodes in one process, 3 hops, redundancy k=2 m=1\n\n", NNODES);
	for (int i = 0; i < NNODES; i++) {
		if (vx_pkey_generate(nodes[i].alg, nodes[i].param, &nodes[i].host) != VX_OK ||
		    vx_pkey_generate(ec, secp384r1, &ident[i]) != VX_OK) {
			vx_fail("demo: key generation failed");
			goto out;
		}
		printf("  %-6s %-18s host key %s\n", nodes[i].name, nodes[i].address,
		       nodes[i].keydesc);
		if (save_key(dir, &nodes[i]))
			goto out;
	}
	printf("\npath: alice@node0 -> node1 -> node2 -> node3 (bob)\n");

	/* Alice's node builds the routing block from the last hop backwards. */
	if (vx_sym_generate(camellia256, gcm, paddingNone, &k0) ||
	    vx_sym_generate(aes256, cbc, pkcs7, &k4))
		goto out;
	for (int i = 0; i < 3; i++)
		if (vx_sym_generate(aes256, gcm, paddingNone, &red[i]))
			goto out;
	if (vx_blending_spec_plain(nodes[1].address, nodes[1].host, &offsets[1], 1, &to1) ||
	    vx_blending_spec_plain(nodes[2].address, nodes[2].host, &offsets[1], 1, &to2) ||
	    vx_blending_spec_plain(nodes[3].address, nodes[3].host, &offsets[0], 1, &to3))
		goto out;

	/* node3: decrypt chunk 1, map it to ID 0: the message for Bob */
	vx_op_crypt(&ops3[0], 0, 1, 200, &k4);
	vx_op_map(&ops3[1], 200, 0);
	c3.assembly.len = 2, c3.assembly.val = ops3, c3.maxProcessTime = 60;
	h3 = hop_to(3, ident[3], &c3, now);
	/* node2: remove the redundancy, encrypt for node3, send */
	op_redundancy(&ops2[0], 0, 1, 200, red);
	vx_op_crypt(&ops2[1], 1, 200, 1, &k4);
	if (vx_hop_seal(&h3) || vx_hop_combo(&h3, &to3, ops2, 2, 0, 60, &c2))
		goto out;
	h2 = hop_to(2, ident[2], &c2, now);
	/* node1: decrypt, add redundancy (IDs 1..3), send to node2 */
	vx_op_crypt(&ops1[0], 0, 1, 200, &k0);
	op_redundancy(&ops1[1], 1, 200, 1, red);
	if (vx_hop_seal(&h2) || vx_hop_combo(&h2, &to2, ops1, 2, 0, 60, &c1))
		goto out;
	h1 = hop_to(1, ident[1], &c1, now);
	/* node0 (Alice's own node): encrypt her message at ID 0 into chunk 1 */
	vx_op_crypt(&ops0[0], 1, 0, 1, &k0);
	if (vx_hop_seal(&h1) || vx_hop_combo(&h1, &to1, ops0, 1, 0, 60, &c0))
		goto out;

	printf("\nhop 0: alice's message enters node0 at ID 0 (%zu bytes)\n", strlen(text));
	if (vx_ws_new(WS_BYTES, &ws0) ||
	    vx_routing_put_user(ws0, (const uint8_t *)text, strlen(text), 0) ||
	    vx_combo_run(&c0, ws0, &out0) || !out0.built ||
	    vx_compose_mail(out0.wire.data, out0.wire.len, &to1, nodes[0].address, &mail)) {
		vx_fail("demo: node0 could not build the first message");
		goto out;
	}
	{
		char buf[160];

		describe(&ops0[0], buf, sizeof buf);
		printf("  node0 combo 1, operation 1: %s\n", buf);
	}
	printf("  node0 sends 1 chunk to %s: Vortex message %zu bytes, mail %zu bytes\n",
	       nodes[1].address, out0.wire.len, mail.len);
	at = &nodes[1];
	for (int hop = 1; at; hop++) {
		char name[32];

		printf("\nhop %d: mail arrives at %s (%s)\n", hop, at->name, at->address);
		snprintf(name, sizeof name, "hop%d.eml", hop);
		to = NULL;
		if (save(dir, name, mail.data, mail.len, 0644) ||
		    process(at, &mail, lose && at == &nodes[2], &to, &next, &delivered))
			goto out;
		vx_bytes_move(&mail, &next);
		at = to;
	}
	if (!delivered.data && strlen(text)) {
		vx_fail("demo: the message did not arrive");
		goto out;
	}
	printf("\nmessage delivered to bob@node3.test (%zu bytes):\n  %.*s\n", delivered.len,
	       (int)delivered.len, (const char *)delivered.data);
	if (delivered.len != strlen(text) || memcmp(delivered.data, text, delivered.len)) {
		vx_fail("demo: the delivered message differs from the one sent");
		goto out;
	}
	printf("identical to the message alice sent.\n");
	rc = 0;
out:
	vx_combo_out_free(&out0);
	vx_ws_free(ws0);
	vx_bytes_free(&mail);
	vx_bytes_free(&next);
	vx_bytes_free(&delivered);
	vx_hop_clear(&h1), vx_hop_clear(&h2), vx_hop_clear(&h3);
	free_RoutingCombo(&c0), free_RoutingCombo(&c1), free_RoutingCombo(&c2);
	free_BlendingSpec(&to1), free_BlendingSpec(&to2), free_BlendingSpec(&to3);
	free_SymmetricKey(&k0), free_SymmetricKey(&k4);
	for (int i = 0; i < 3; i++)
		free_SymmetricKey(&red[i]);
	for (int i = 0; i < NNODES; i++) {
		vx_pkey_free(nodes[i].host);
		vx_pkey_free(ident[i]);
		nodes[i].host = NULL;
	}
	return rc;
}

static const char usage_text[] =
    "usage: vortex demo [-m MESSAGE] [--no-loss] [--save DIR]\n"
    "  -m MESSAGE  what Alice sends Bob\n"
    "  --no-loss   do not lose a redundancy block on the way\n"
    "  --save DIR  keep the host keys (NODE.key) and every hop's mail (hopN.eml) in DIR,\n"
    "              to look at with: vortex dump --key DIR/node1.key DIR/hop1.eml\n";

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"message", required_argument, NULL, 'm'},
	    {"no-loss", no_argument, NULL, 'n'},
	    {"save", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *text = "Hello Bob, nobody can tell that this came from me. -- Alice";
	const char *dir = NULL;
	int lose = 1, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:ns:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			text = optarg;
			break;
		case 'n':
			lose = 0;
			break;
		case 's':
			dir = optarg;
			break;
		case 'h':
			return vx_usage(stdout, usage_text, 0);
		default:
			return vx_usage(stderr, usage_text, 2);
		}
	}
	if (optind != argc)
		return vx_usage(stderr, usage_text, 2);
	return run(text, lose, dir);
}
