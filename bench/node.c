/*
 * node.c - the node section of vortex-bench: messages per second through
 * one node with its own durable store, one inbound mail (a Vortex message
 * with 4 payload chunks of 16 KiB) to one outbound mail, and where the
 * time goes.
 *
 * The breakdown needs no hooks in the library: the program is linked with
 * -Wl,--wrap for the entry points listed in Makefile.am
 * (bench_vortex_bench_LDFLAGS), and each __wrap_ function below times its
 * __real_ call. Calls between the objects of core/libvortex.a go through
 * the linker, so they are caught; a call inside one .c file is not, which
 * is why the wrapped names are the ones other files call. Times are self
 * times: a wrapped call inside another (a DER decode inside a key import,
 * a commit inside a store call) is counted once, in its own part.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>
#include <lmdb.h>
#include <openssl/rand.h>

#include "account.h"
#include "blend.h"
#include "builder.h"
#include "carrier.h"
#include "cipher.h"
#include "compose.h"
#include "der.h"
#include "detect.h"
#include "digest.h"
#include "message.h"
#include "mime.h"
#include "node.h"
#include "ops.h"
#include "redundancy.h"
#include "routing.h"

#include "bench.h"

#define CHUNKS  4
#define CHUNK   (16u << 10) /* each payload chunk on the wire, GCM tag included */
#define START   1800000000  /* the node's clock: every message arrives and is due now */
#define DIR_MAX 4096

/* In groups, in this order: crypto and coding; codec; store; bookkeeping (engine, other). */
enum part {
	P_PKEY,   /* private-key decrypt, signature verify */
	P_IMPORT, /* public-key import and fingerprint (OpenSSL decoding, point checks) */
	P_SYM,
	P_DIGEST,
	P_CODING, /* add/removeRedundancy without its ciphers */
	P_CRYPTO_END,
	P_DER = P_CRYPTO_END, /* vx_der_*: Heimdal encode/decode */
	P_SCAN,               /* inbound mail: walking the parts, finding the DER */
	P_PARSE,              /* libetpan's mailmime_parse: the MIME structure */
	P_DECODE,             /* libetpan's mailmime_part_parse: base64 decoding of a part */
	P_COMPOSE,            /* outbound mail: carrier, MIME, base64 encoding */
	P_STORE,              /* the store's work: LMDB reads, puts, cursors, unsynced commits */
	P_COMMIT,             /* mdb_txn_commit of a top-level write transaction: the fsyncs */
	P_ENGINE,             /* message opening, accounting, combos, operations (glue) */
	NPART
};

static const char *const part_name[NPART] = {
    [P_PKEY] = "public_key",      [P_IMPORT] = "key_import", [P_SYM] = "symmetric",
    [P_DIGEST] = "digest",        [P_CODING] = "redundancy", [P_DER] = "der",
    [P_SCAN] = "mime_scan",       [P_PARSE] = "mime_parse",  [P_DECODE] = "mime_decode",
    [P_COMPOSE] = "mime_compose", [P_STORE] = "store",       [P_COMMIT] = "lmdb_commit",
    [P_ENGINE] = "engine",
};

static int timing;
static struct frame {
	uint64_t t0, child;
} stack[64];
static int depth;
static uint64_t spent[NPART];
static unsigned long ncalls[NPART];

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int enter(void)
{
	if (!timing || depth == (int)(sizeof stack / sizeof *stack))
		return 0;
	stack[depth].child = 0;
	stack[depth++].t0 = ns();
	return 1;
}

/* Charge the call's own time to part p, and its whole time to its caller's children. */
static void leave(int on, enum part p)
{
	uint64_t t;

	if (!on)
		return;
	t = ns() - stack[--depth].t0;
	spent[p] += t - stack[depth].child;
	ncalls[p]++;
	if (depth)
		stack[depth - 1].child += t;
}

/* __typeof__ makes the compiler check each wrapper against the library's prototype. */
#define WRAP(part, ret, name, params, args)                                                        \
	extern __typeof__(name) __real_##name, __wrap_##name;                                      \
	ret __wrap_##name params                                                                   \
	{                                                                                          \
		int on_ = enter();                                                                 \
		ret r_ = __real_##name args;                                                       \
		leave(on_, part);                                                                  \
		return r_;                                                                         \
	}
#define WRAP_VOID(part, name, params, args)                                                        \
	extern __typeof__(name) __real_##name, __wrap_##name;                                      \
	void __wrap_##name params                                                                  \
	{                                                                                          \
		int on_ = enter();                                                                 \
		__real_##name args;                                                                \
		leave(on_, part);                                                                  \
	}

typedef const uint8_t *cu8;

WRAP(P_PKEY, vx_status, vx_pkey_decrypt,
     (const vx_pkey *k, vx_rsa_padding pad, cu8 in, size_t inlen, vx_bytes *out),
     (k, pad, in, inlen, out))
WRAP(P_PKEY, vx_status, vx_pkey_encrypt,
     (const vx_pkey *k, vx_rsa_padding pad, cu8 in, size_t inlen, vx_bytes *out),
     (k, pad, in, inlen, out))
WRAP(P_PKEY, vx_status, vx_pkey_verify,
     (const vx_pkey *k, MacAlgorithm mac, cu8 msg, size_t len, cu8 sig, size_t siglen),
     (k, mac, msg, len, sig, siglen))
WRAP(P_PKEY, vx_status, vx_pkey_sign,
     (const vx_pkey *k, MacAlgorithm mac, cu8 msg, size_t len, vx_bytes *sig),
     (k, mac, msg, len, sig))
WRAP(P_IMPORT, vx_status, vx_pkey_from_asn1, (const AsymmetricKey *ak, vx_pkey **out), (ak, out))
WRAP(P_IMPORT, vx_status, vx_pkey_fingerprint, (const vx_pkey *k, uint8_t fp[32]), (k, fp))
WRAP(P_SYM, vx_status, vx_sym_encrypt,
     (const SymmetricKey *key, cu8 in, size_t inlen, unsigned flags, vx_bytes *out),
     (key, in, inlen, flags, out))
WRAP(P_SYM, vx_status, vx_sym_decrypt,
     (const SymmetricKey *key, cu8 in, size_t inlen, unsigned flags, vx_bytes *out),
     (key, in, inlen, flags, out))
WRAP(P_DIGEST, vx_status, vx_digest,
     (MacAlgorithm alg, cu8 in, size_t len, uint8_t *out, size_t *outlen),
     (alg, in, len, out, outlen))
WRAP(P_CODING, vx_status, vx_redundancy_add,
     (const AddRedundancyOperation *op, cu8 in, size_t len, vx_bytes *out), (op, in, len, out))
WRAP(P_CODING, vx_status, vx_redundancy_remove,
     (const RemoveRedundancyOperation *op, const vx_bytes *in, vx_bytes *out), (op, in, out))

WRAP(P_DER, vx_status, vx_der_decode, (vx_der_type t, cu8 buf, size_t len, void *out),
     (t, buf, len, out))
WRAP(P_DER, vx_status, vx_der_encode, (vx_der_type t, const void *in, vx_bytes *out), (t, in, out))
/* the scan calls back into detection and the node: those run in wrapped calls below */
WRAP(P_SCAN, vx_status, vx_mime_scan,
     (cu8 mail, size_t len, size_t max_part,
      int (*fn)(cu8 part, size_t partlen, unsigned index, void *arg), void *arg, unsigned *nparts),
     (mail, len, max_part, fn, arg, nparts))
WRAP(P_SCAN, vx_status, vx_blend_extract,
     (cu8 part, size_t len, size_t offset, cu8 *msg, size_t *msglen),
     (part, len, offset, msg, msglen))
WRAP(P_PARSE, int, mailmime_parse,
     (const char *message, size_t length, size_t *indx, struct mailmime **result),
     (message, length, indx, result))
WRAP(P_DECODE, int, mailmime_part_parse,
     (const char *message, size_t length, size_t *indx, int encoding, char **result,
      size_t *result_len),
     (message, length, indx, encoding, result, result_len))
WRAP(P_COMPOSE, vx_status, vx_compose_mail,
     (cu8 wire, size_t len, const BlendingSpec *spec, const char *from, vx_bytes *mail),
     (wire, len, spec, from, mail))
WRAP(P_COMPOSE, vx_status, vx_mime_compose, (const vx_mime_mail *m, vx_bytes *out), (m, out))
WRAP(P_COMPOSE, vx_status, vx_carrier_build,
     (cu8 msg, size_t len, size_t offset, vx_carrier_type type, vx_bytes *file,
      const char **mime_type, char *filename, size_t fnsize),
     (msg, len, offset, type, file, mime_type, filename, fnsize))

typedef const uint8_t cfp[VX_FINGERPRINT_LEN];
WRAP(P_STORE, vx_status, vx_store_replay,
     (vx_store * s, cfp fp, uint32_t serial, unsigned max_replays, int64_t expiry, int64_t now,
      int *replay),
     (s, fp, serial, max_replays, expiry, now, replay))
WRAP(P_STORE, vx_status, vx_store_identity_get,
     (vx_store * s, cfp fp, int64_t now, vx_identity *id), (s, fp, now, id))
WRAP(P_STORE, vx_status, vx_store_identity_put, (vx_store * s, cfp fp, const vx_identity *id),
     (s, fp, id))
WRAP(P_STORE, vx_status, vx_store_identity_charge,
     (vx_store * s, cfp fp, uint64_t messages, uint64_t bytes, int64_t now),
     (s, fp, messages, bytes, now))
WRAP(P_STORE, vx_status, vx_store_puzzle_get,
     (vx_store * s, cfp fp, int64_t now, heim_bit_string *challenge), (s, fp, now, challenge))
WRAP(P_STORE, vx_status, vx_store_puzzle_put,
     (vx_store * s, cfp fp, const heim_bit_string *challenge, int64_t expiry),
     (s, fp, challenge, expiry))
WRAP(P_STORE, vx_status, vx_store_puzzle_del, (vx_store * s, cfp fp), (s, fp))
WRAP(P_STORE, vx_status, vx_store_combo_add,
     (vx_store * s, cfp fp, cu8 der, size_t len, int64_t arrival, unsigned min_time,
      unsigned max_time, unsigned slot, int64_t *due),
     (s, fp, der, len, arrival, min_time, max_time, slot, due))
WRAP(P_STORE, vx_status, vx_store_combo_due,
     (vx_store * s, int64_t now, vx_combo_rec *recs, size_t max, size_t *n), (s, now, recs, max, n))
WRAP(P_STORE, vx_status, vx_store_combo_finish,
     (vx_store * s, const vx_combo_rec *rec, const char *recipient, cu8 mail, size_t len,
      int64_t due),
     (s, rec, recipient, mail, len, due))
WRAP(P_STORE, vx_status, vx_store_queue_put,
     (vx_store * s, const char *recipient, cu8 data, size_t len, int64_t due, unsigned flags,
      uint64_t *id),
     (s, recipient, data, len, due, flags, id))
WRAP(P_STORE, vx_status, vx_store_queue_next, (vx_store * s, int64_t now, vx_queue_item *item),
     (s, now, item))
WRAP(P_STORE, vx_status, vx_store_queue_done, (vx_store * s, uint64_t id), (s, id))
WRAP(P_STORE, vx_status, vx_store_slot_put,
     (vx_store * s, cfp fp, unsigned id, cu8 data, size_t len, int64_t expiry),
     (s, fp, id, data, len, expiry))
WRAP(P_STORE, vx_status, vx_store_slot_list,
     (vx_store * s, cfp fp, unsigned first, int64_t now,
      vx_status (*fn)(unsigned id, cu8 data, size_t len, int64_t expiry, void *arg), void *arg),
     (s, fp, first, now, fn, arg))
WRAP(P_STORE, vx_status, vx_store_deliver_once,
     (vx_store * s, cfp fp, const uint8_t digest[32], int64_t expiry, int64_t now, int *fresh),
     (s, fp, digest, expiry, now, fresh))
WRAP(P_STORE, vx_status, vx_store_batch_begin, (vx_store * s), (s))
WRAP(P_STORE, vx_status, vx_store_batch_commit, (vx_store * s), (s))
WRAP_VOID(P_STORE, vx_store_batch_abort, (vx_store * s), (s))

/*
 * LMDB itself too, so that store calls not listed above are still charged
 * to the store. Only the commit of a top-level write transaction syncs:
 * those are told apart from child and read-only ones.
 */
static MDB_txn *durable[16];

static int take_durable(MDB_txn *txn)
{
	for (size_t i = 0; i < sizeof durable / sizeof *durable; i++)
		if (durable[i] == txn) {
			durable[i] = NULL;
			return 1;
		}
	return 0;
}

extern __typeof__(mdb_txn_begin) __real_mdb_txn_begin, __wrap_mdb_txn_begin;
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn)
{
	int on = enter(), rc = __real_mdb_txn_begin(env, parent, flags, txn);

	if (!rc && !parent && !(flags & MDB_RDONLY))
		for (size_t i = 0; i < sizeof durable / sizeof *durable; i++)
			if (!durable[i]) {
				durable[i] = *txn;
				break;
			}
	leave(on, P_STORE);
	return rc;
}

extern __typeof__(mdb_txn_commit) __real_mdb_txn_commit, __wrap_mdb_txn_commit;
int __wrap_mdb_txn_commit(MDB_txn *txn)
{
	int sync = take_durable(txn), on = enter(), rc = __real_mdb_txn_commit(txn);

	leave(on, sync ? P_COMMIT : P_STORE);
	return rc;
}

extern __typeof__(mdb_txn_abort) __real_mdb_txn_abort, __wrap_mdb_txn_abort;
void __wrap_mdb_txn_abort(MDB_txn *txn)
{
	int on = enter();

	take_durable(txn);
	__real_mdb_txn_abort(txn);
	leave(on, P_STORE);
}

WRAP(P_STORE, int, mdb_get, (MDB_txn * txn, MDB_dbi dbi, MDB_val *key, MDB_val *data),
     (txn, dbi, key, data))
WRAP(P_STORE, int, mdb_put,
     (MDB_txn * txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags),
     (txn, dbi, key, data, flags))
WRAP(P_STORE, int, mdb_del, (MDB_txn * txn, MDB_dbi dbi, MDB_val *key, MDB_val *data),
     (txn, dbi, key, data))
WRAP(P_STORE, int, mdb_cursor_open, (MDB_txn * txn, MDB_dbi dbi, MDB_cursor **cursor),
     (txn, dbi, cursor))
WRAP_VOID(P_STORE, mdb_cursor_close, (MDB_cursor * cursor), (cursor))
WRAP(P_STORE, int, mdb_cursor_get,
     (MDB_cursor * cursor, MDB_val *key, MDB_val *data, MDB_cursor_op op), (cursor, key, data, op))
WRAP(P_STORE, int, mdb_cursor_del, (MDB_cursor * cursor, unsigned flags), (cursor, flags))

/* framing around the parts above, so that their callers' glue is not charged to mime_scan */
WRAP(P_ENGINE, vx_status, vx_msg_open_for,
     (cu8 wire, size_t len, const vx_pkey *host, vx_msg **out, int *for_host),
     (wire, len, host, out, for_host))
WRAP_VOID(P_ENGINE, vx_msg_free, (vx_msg * m), (m))
WRAP(P_ENGINE, vx_status, vx_account_message,
     (vx_store * s, const vx_account_policy *p, const vx_msg *m, int64_t now, vx_account_result *r),
     (s, p, m, now, r))
WRAP(P_ENGINE, vx_status, vx_combo_run,
     (const RoutingCombo *c, vx_workspace *ws, vx_combo_out *out), (c, ws, out))
WRAP(P_ENGINE, vx_status, vx_op_execute, (vx_workspace * ws, const PayloadOperation *op), (ws, op))
WRAP(P_ENGINE, vx_status, vx_msg_assemble, (const vx_msg_parts *p, vx_bytes *wire), (p, wire))

static const char *const node_addr = "vortex@node.test", *next_addr = "vortex@next.test";
static const unsigned offsets[] = {0, 256};

struct bench {
	char dir[DIR_MAX];
	vx_store *store;
	vx_pkey *host, *ident, *next_host, *next_ident;
	vx_node_config cfg;
	SymmetricKey kin[CHUNKS], kout[CHUNKS];
	vx_bytes chunk[CHUNKS];
	vx_hop next;
	RoutingCombo fwd;
	BlendingSpec to_node, to_next;
	vx_bytes *mail;
	size_t nmail;
};

/* The node, its store and identity as t-node.c sets them up, and m distinct inbound mails. */
static int setup(struct bench *b, size_t m)
{
	const char *tmp = getenv("TMPDIR");
	PayloadOperation ops[2 * CHUNKS];
	uint8_t fp[VX_FINGERPRINT_LEN], plain[CHUNK - 16];
	/* quotas for every message of the run */
	vx_identity id = {.expiry = START + 86400,
	                  .message_quota = 2 * m + 1, /* one in, one out */
	                  .transfer_quota = (uint64_t)m << 20,
	                  .temporary = 0};
	int ok = 1;

	snprintf(b->dir, sizeof b->dir, "%s/vx-bench-node-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(b->dir)) {
		b->dir[0] = '\0';
		return -1;
	}
	ok &= vx_store_open(b->dir, NULL, &b->store) == VX_OK &&
	      vx_pkey_generate(ec, secp384r1, &b->host) == VX_OK &&
	      vx_pkey_generate(ec, secp384r1, &b->ident) == VX_OK &&
	      vx_pkey_generate(ec, secp384r1, &b->next_host) == VX_OK &&
	      vx_pkey_generate(ec, secp384r1, &b->next_ident) == VX_OK;
	if (!ok)
		return -1;
	b->cfg = (vx_node_config){.hosts = (const vx_pkey *const *)&b->host,
	                          .nhosts = 1,
	                          .addresses = &node_addr,
	                          .offsets = offsets,
	                          .noffsets = 2,
	                          .slot = 60,
	                          .policy = {.puzzle_base_bits = 8,
	                                     .max_lifetime = 86400,
	                                     .message_quota = 100,
	                                     .transfer_quota = 1 << 24},
	                          .workspace_bytes = 0};
	ok &= vx_pkey_fingerprint(b->ident, fp) == VX_OK &&
	      vx_store_identity_put(b->store, fp, &id) == VX_OK;

	/* the combo: decrypt each chunk, re-encrypt it under a new key, forward the 4 */
	for (int j = 0; j < CHUNKS; j++) {
		ok &= vx_sym_generate(aes256, gcm, paddingNone, &b->kin[j]) == VX_OK &&
		      vx_sym_generate(aes256, gcm, paddingNone, &b->kout[j]) == VX_OK;
		vx_op_crypt(&ops[2 * j], 0, j + 1, 129 + j, &b->kin[j]);
		vx_op_crypt(&ops[2 * j + 1], 1, 129 + j, j + 1, &b->kout[j]);
		RAND_bytes(plain, sizeof plain);
		ok &= vx_sym_encrypt(&b->kin[j], plain, sizeof plain, 0, &b->chunk[j]) == VX_OK &&
		      b->chunk[j].len == CHUNK;
	}
	if (!ok)
		return -1;
	/* the next hop only has to exist: its message is built, never opened here */
	b->next = (vx_hop){.host = b->next_host,
	                   .identity = b->next_ident,
	                   .serial = 1,
	                   .not_before = START - 60,
	                   .not_after = START + 86400};
	ok &=
	    vx_hop_seal(&b->next) == VX_OK &&
	    vx_blending_spec_plain(next_addr, b->next_host, &offsets[0], 1, &b->to_next) == VX_OK &&
	    vx_blending_spec_plain(node_addr, b->host, &offsets[1], 1, &b->to_node) == VX_OK &&
	    /* min = max = 0: due the moment it arrives */
	    vx_hop_combo(&b->next, &b->to_next, ops, 2 * CHUNKS, 0, 0, &b->fwd) == VX_OK;
	if (!ok || !(b->mail = calloc(m, sizeof *b->mail)))
		return -1;
	/* distinct serials: no message is a replay of another */
	for (size_t i = 0; i < m && ok; i++) {
		vx_hop h = {.host = b->host,
		            .identity = b->ident,
		            .serial = (uint32_t)i + 1,
		            .max_replays = 0,
		            .not_before = START - 60,
		            .not_after = START + 86400,
		            .combos = &b->fwd,
		            .ncombos = 1};
		vx_bytes wire = {0};

		ok &= vx_hop_seal(&h) == VX_OK &&
		      vx_hop_message(&h, b->chunk, CHUNKS, &wire) == VX_OK &&
		      vx_compose_mail(wire.data, wire.len, &b->to_node, "alice@sender.test",
		                      &b->mail[i]) == VX_OK;
		b->nmail += ok;
		vx_hop_clear(&h);
		vx_bytes_free(&wire);
	}
	return ok ? 0 : -1;
}

static void teardown(struct bench *b)
{
	char path[DIR_MAX + 258]; /* dir, '/', a d_name of at most 256 */
	DIR *d;
	struct dirent *e;

	for (size_t i = 0; i < b->nmail; i++)
		vx_bytes_free(&b->mail[i]);
	free(b->mail);
	vx_hop_clear(&b->next);
	free_RoutingCombo(&b->fwd);
	free_BlendingSpec(&b->to_node);
	free_BlendingSpec(&b->to_next);
	for (int j = 0; j < CHUNKS; j++) {
		vx_sym_free(&b->kin[j]);
		vx_sym_free(&b->kout[j]);
		vx_bytes_free(&b->chunk[j]);
	}
	vx_pkey_free(b->host);
	vx_pkey_free(b->ident);
	vx_pkey_free(b->next_host);
	vx_pkey_free(b->next_ident);
	if (b->store)
		vx_store_close(b->store);
	if (!b->dir[0] || !(d = opendir(b->dir)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", b->dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(b->dir);
}

/*
 * One message as a front end handles it: receive, run what is due, take
 * the outbound mail off the queue. keep (may be NULL) receives that mail.
 */
static const char *one(struct bench *b, const vx_bytes *mail, vx_bytes *keep)
{
	vx_node_stats st;
	vx_node_run_stats rs;
	vx_queue_item it;
	int fine;

	if (vx_node_receive(b->store, &b->cfg, mail->data, mail->len, START, &st) != VX_OK ||
	    st.processed != 1 || st.combos != 1)
		return "vx_node_receive did not keep the combo";
	if (vx_node_run_due(b->store, &b->cfg, START, &rs) != VX_OK || rs.sent != 1)
		return "vx_node_run_due did not send one mail";
	if (vx_store_queue_next(b->store, START, &it) != VX_OK)
		return "no outbound mail queued";
	fine = !strcmp(it.recipient, next_addr) && vx_store_queue_done(b->store, it.id) == VX_OK;
	if (keep)
		vx_bytes_move(keep, &it.data);
	vx_bytes_free(&it.data);
	return fine ? NULL : "outbound mail to the wrong recipient or not removed";
}

static int count_found(const vx_found *f, void *arg)
{
	(void)f;
	++*(int *)arg;
	return 0;
}

static void row(const char *name, uint64_t t, uint64_t total, size_t n, unsigned long calls)
{
	printf("node_%s %.1f us/msg share=%.3f", name, (double)t / 1e3 / (double)n,
	       (double)t / (double)total);
	if (calls)
		printf(" calls/msg=%.1f", (double)calls / (double)n);
	printf("\n");
}

int bench_node(int quick)
{
	/* enough messages for a stable mean; a few for the smoke run */
	size_t warm = quick ? 2 : 20, m = quick ? 12 : 500, n = m - warm;
	struct bench b;
	vx_bytes out = {0};
	uint64_t total, group[4] = {0}, probe;
	unsigned long calls = 0;
	const char *why = NULL;
	int found = 0;
	double share;

	memset(&b, 0, sizeof b);
	if (setup(&b, m)) {
		fprintf(stderr, "vortex-bench: node: setup failed (store in %s)\n", b.dir);
		teardown(&b);
		return 1;
	}
	/* untimed warm-up; the first outbound mail must hold a message for the next hop */
	for (size_t i = 0; i < warm && !why; i++)
		why = one(&b, &b.mail[i], i ? NULL : &out);
	if (!why && (vx_detect(out.data, out.len, (const vx_pkey *const *)&b.next_host, 1, offsets,
	                       2, 64u << 20, count_found, &found, NULL) != VX_OK ||
	             found != 1))
		why = "the outbound mail holds no message for the next hop";
	vx_bytes_free(&out);
	timing = 1;
	total = ns();
	for (size_t i = warm; i < m && !why; i++)
		why = one(&b, &b.mail[i], NULL);
	total = ns() - total;
	timing = 0;
	if (why) {
		fprintf(stderr, "vortex-bench: node: %s\n", why);
		teardown(&b);
		return 1;
	}
	/* a breakdown that saw none of these was linked without the --wrap flags */
	if (!ncalls[P_PKEY] || !ncalls[P_SYM] || !ncalls[P_DER] || !ncalls[P_COMMIT]) {
		fprintf(stderr, "vortex-bench: node: no crypto, DER or commit calls seen: linked "
		                "without the --wrap flags of Makefile.am?\n");
		teardown(&b);
		return 1;
	}
	/* the cost of the instrumentation itself: two clock reads per wrapped call */
	probe = ns();
	for (int i = 0; i < 1000; i++)
		(void)ns();
	probe = (ns() - probe) * 2 / 1000;

	printf("# node: %zu mails (4 chunks of %u KiB, EC P-384 keys) through one node, one "
	       "outbound each, store in %s\n",
	       n, CHUNK >> 10, b.dir);
	printf("node_throughput %.1f msg/s\n", (double)n * 1e9 / (double)total);
	printf("node_time %.1f us/msg\n", (double)total / 1e3 / (double)n);
	for (int p = 0; p < NPART; p++) {
		row(part_name[p], spent[p], total, n, ncalls[p]);
		group[p < P_CRYPTO_END ? 0 : p < P_STORE ? 1 : p < P_ENGINE ? 2 : 3] += spent[p];
		calls += ncalls[p];
	}
	/* what no wrapper saw: node.c itself, allocation, ASN.1 frees, the loop */
	row("other", total - group[0] - group[1] - group[2] - group[3], total, n, 0);
	group[3] = total - group[0] - group[1] - group[2];
	row("crypto_coding", group[0], total, n, 0);
	row("codec", group[1], total, n, 0);
	row("store_all", group[2], total, n, 0);
	row("bookkeeping", group[3], total, n, 0);
	share = (double)(total - group[0]) / (double)total;
	printf("node_rest %.1f us/msg share=%.3f target<=0.50 %s\n",
	       (double)(total - group[0]) / 1e3 / (double)n, share, share <= 0.5 ? "PASS" : "MISS");
	printf("# instrumentation: %.0f wrapped calls/msg, about %.1f us/msg of clock reads, "
	       "inside the figures\n",
	       (double)calls / (double)n, (double)calls * (double)probe / 1e3 / (double)n);
	fflush(stdout);
	teardown(&b);
	return 0;
}
