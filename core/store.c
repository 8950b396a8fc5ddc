/* store.c - durable node state in LMDB (docs/store.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>
#include <time.h>

#include <lmdb.h>

#include "store.h"

#define DEFAULT_MAP        (1024u * 1024 * 1024)
#define DEFAULT_IDENTITIES 100000u
#define DEFAULT_READERS    126u
#define REPLAY_KEY         (VX_FINGERPRINT_LEN + 4)
#define REPLAY_VAL         12
#define IDENTITY_VAL       28
#define IDENTITY_VERSION   1

#define DEFAULT_WS_BYTES    (16u * 1024 * 1024)
#define DEFAULT_COMBOS      10000u
#define DEFAULT_PEERS       1000u
#define SLOT_KEY            (VX_FINGERPRINT_LEN + 2)
#define COMBO_HEAD          (VX_FINGERPRINT_LEN + 8)
#define DEFAULT_QUEUE_BYTES (256u * 1024 * 1024)
#define QUEUE_HEAD          14 /* due, attempts, recipient length */
#define RECIPIENT_MAX       320
#define QUEUE_LOCAL_BIT     0x8000u /* in the recipient length: a local delivery */
#define DELIVERED_KEY       (VX_FINGERPRINT_LEN + 32)
#define MAX_BATCH_DEPTH     4

struct vx_store {
	MDB_env *env;
	MDB_dbi replays, identities, queue, meta, puzzles, slots, wsbytes, combos;
	MDB_dbi peers;     /* the node address book (7.2.7) */
	MDB_dbi delivered; /* content handed to local users, by identity and digest */
	MDB_dbi counters;  /* what the node did, by name (vortex stats) */
	MDB_dbi imap;      /* the IMAP poller's position per account and mailbox */
	unsigned max_identities;
	uint64_t max_queue_bytes;
	uint64_t max_workspace_bytes;
	unsigned max_combos;
	unsigned max_peers;
	/* open batches, innermost last: every call runs in a child of it */
	MDB_txn *batch[MAX_BATCH_DEPTH];
	unsigned depth;
};

static vx_status from_mdb(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return VX_OK;
	case MDB_NOTFOUND:
		return VX_ENOTFOUND;
	case MDB_MAP_FULL:
	case MDB_READERS_FULL:
	case MDB_TXN_FULL:
		return VX_ELIMIT;
	case ENOMEM:
		return VX_ENOMEM;
	default:
		if (rc > 0)
			errno = rc;
		return VX_EIO;
	}
}

/* Fixed little-endian encodings: the files do not depend on the host. */
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32_be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static vx_status from_mdb_del(int rc)
{
	return rc == MDB_NOTFOUND ? VX_OK : from_mdb(rc);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Begin a transaction: a child of the open batch, if any (a child of a
 * write transaction is always a write transaction), so that the batch
 * commits, and syncs, once.
 */
static int txn_begin(vx_store *s, unsigned flags, MDB_txn **txn)
{
	if (s->depth)
		return mdb_txn_begin(s->env, s->batch[s->depth - 1], 0, txn);
	return mdb_txn_begin(s->env, NULL, flags, txn);
}

vx_status vx_store_open(const char *dir, const vx_store_limits *lim, vx_store **out)
{
	vx_store_limits l = lim ? *lim : (vx_store_limits){0};
	MDB_txn *txn = NULL;
	vx_store *s;
	int rc;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return VX_ENOMEM;
	s->max_identities = l.max_identities ? l.max_identities : DEFAULT_IDENTITIES;
	s->max_queue_bytes = l.max_queue_bytes ? l.max_queue_bytes : DEFAULT_QUEUE_BYTES;
	s->max_workspace_bytes = l.max_workspace_bytes ? l.max_workspace_bytes : DEFAULT_WS_BYTES;
	s->max_combos = l.max_combos ? l.max_combos : DEFAULT_COMBOS;
	s->max_peers = l.max_peers ? l.max_peers : DEFAULT_PEERS;
	if ((rc = mdb_env_create(&s->env)) ||
	    (rc = mdb_env_set_mapsize(s->env, l.map_size ? l.map_size : DEFAULT_MAP)) ||
	    (rc = mdb_env_set_maxdbs(s->env, 16)) ||
	    (rc =
	         mdb_env_set_maxreaders(s->env, l.max_readers ? l.max_readers : DEFAULT_READERS)) ||
	    /* MDB_NOTLS: read transactions are not tied to threads */
	    (rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) ||
	    (rc = mdb_txn_begin(s->env, NULL, 0, &txn)) ||
	    (rc = mdb_dbi_open(txn, "replays", MDB_CREATE, &s->replays)) ||
	    (rc = mdb_dbi_open(txn, "identities", MDB_CREATE, &s->identities)) ||
	    (rc = mdb_dbi_open(txn, "queue", MDB_CREATE, &s->queue)) ||
	    (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) ||
	    (rc = mdb_dbi_open(txn, "puzzles", MDB_CREATE, &s->puzzles)) ||
	    (rc = mdb_dbi_open(txn, "slots", MDB_CREATE, &s->slots)) ||
	    (rc = mdb_dbi_open(txn, "wsbytes", MDB_CREATE, &s->wsbytes)) ||
	    (rc = mdb_dbi_open(txn, "combos", MDB_CREATE, &s->combos)) ||
	    (rc = mdb_dbi_open(txn, "peers", MDB_CREATE, &s->peers)) ||
	    (rc = mdb_dbi_open(txn, "delivered", MDB_CREATE, &s->delivered)) ||
	    (rc = mdb_dbi_open(txn, "counters", MDB_CREATE, &s->counters)) ||
	    (rc = mdb_dbi_open(txn, "imap", MDB_CREATE, &s->imap))) {
		if (txn)
			mdb_txn_abort(txn);
		vx_store_close(s);
		return from_mdb(rc);
	}
	if ((rc = mdb_txn_commit(txn))) {
		vx_store_close(s);
		return from_mdb(rc);
	}
	*out = s;
	return VX_OK;
}

void vx_store_close(vx_store *s)
{
	if (!s)
		return;
	while (s->depth)
		vx_store_batch_abort(s);
	if (s->env)
		mdb_env_close(s->env);
	free(s);
}

vx_status vx_store_batch_begin(vx_store *s)
{
	MDB_txn *txn;
	int rc;

	if (s->depth == MAX_BATCH_DEPTH)
		return VX_ELIMIT;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	s->batch[s->depth++] = txn;
	return VX_OK;
}

vx_status vx_store_batch_commit(vx_store *s)
{
	if (!s->depth)
		return VX_EINVAL;
	return from_mdb(mdb_txn_commit(s->batch[--s->depth]));
}

void vx_store_batch_abort(vx_store *s)
{
	if (s->depth)
		mdb_txn_abort(s->batch[--s->depth]);
}

/* Commit, or abort on an earlier error; the status of the whole transaction. */
static vx_status finish(MDB_txn *txn, vx_status st)
{
	int rc;

	if (st != VX_OK) {
		mdb_txn_abort(txn);
		return st;
	}
	rc = mdb_txn_commit(txn);
	return from_mdb(rc);
}

vx_status vx_store_replay(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], uint32_t serial,
                          unsigned max_replays, int64_t expiry, int64_t now, int *replay)
{
	uint8_t kb[REPLAY_KEY], vb[REPLAY_VAL];
	MDB_val k = {sizeof kb, kb}, v;
	MDB_txn *txn;
	vx_status st;
	uint32_t left;
	int rc;

	memcpy(kb, fp, VX_FINGERPRINT_LEN);
	/* big-endian serial: an identity's records sort together and in order */
	for (int i = 0; i < 4; i++)
		kb[VX_FINGERPRINT_LEN + i] = (uint8_t)(serial >> (24 - 8 * i));
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	rc = mdb_get(txn, s->replays, &k, &v);
	if (rc == MDB_SUCCESS && v.mv_size == REPLAY_VAL &&
	    (int64_t)get64((uint8_t *)v.mv_data + 4) > now) {
		left = get32(v.mv_data);
		if (!left)
			return finish(txn, VX_ELIMIT);
		*replay = 1;
		left--;
		memcpy(vb, v.mv_data, REPLAY_VAL);
	} else if (rc == MDB_SUCCESS || rc == MDB_NOTFOUND) {
		/* first use, or a record that expired: a fresh start */
		*replay = 0;
		left = max_replays;
		put64(vb + 4, (uint64_t)expiry);
	} else {
		return finish(txn, from_mdb(rc));
	}
	put32(vb, left);
	v.mv_size = sizeof vb;
	v.mv_data = vb;
	st = from_mdb(mdb_put(txn, s->replays, &k, &v, 0));
	return finish(txn, st);
}

static void encode_identity(uint8_t b[IDENTITY_VAL], const vx_identity *id)
{
	memset(b, 0, IDENTITY_VAL);
	b[0] = IDENTITY_VERSION;
	b[1] = id->temporary ? 1 : 0;
	put64(b + 4, (uint64_t)id->expiry);
	put64(b + 12, id->message_quota);
	put64(b + 20, id->transfer_quota);
}

static vx_status decode_identity(const MDB_val *v, vx_identity *id)
{
	const uint8_t *b = v->mv_data;

	if (v->mv_size != IDENTITY_VAL || b[0] != IDENTITY_VERSION)
		return VX_EDECODE;
	id->temporary = b[1] & 1;
	id->expiry = (int64_t)get64(b + 4);
	id->message_quota = get64(b + 12);
	id->transfer_quota = get64(b + 20);
	return VX_OK;
}

vx_status vx_store_identity_put(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                const vx_identity *id)
{
	uint8_t b[IDENTITY_VAL];
	MDB_val k = {VX_FINGERPRINT_LEN, (void *)fp}, v = {sizeof b, b}, old;
	MDB_txn *txn;
	MDB_stat stat;
	int rc;

	encode_identity(b, id);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	/* a new identity must fit under the bound; a replaced one always does */
	if ((rc = mdb_get(txn, s->identities, &k, &old)) == MDB_NOTFOUND) {
		if ((rc = mdb_stat(txn, s->identities, &stat)))
			return finish(txn, from_mdb(rc));
		if (stat.ms_entries >= s->max_identities)
			return finish(txn, VX_ELIMIT);
	} else if (rc) {
		return finish(txn, from_mdb(rc));
	}
	return finish(txn, from_mdb(mdb_put(txn, s->identities, &k, &v, 0)));
}

vx_status vx_store_identity_get(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now,
                                vx_identity *id)
{
	MDB_val k = {VX_FINGERPRINT_LEN, (void *)fp}, v;
	MDB_txn *txn;
	vx_status st;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	st = from_mdb(mdb_get(txn, s->identities, &k, &v));
	if (st == VX_OK)
		st = decode_identity(&v, id);
	mdb_txn_abort(txn);
	if (st == VX_OK && id->expiry <= now)
		st = VX_ENOTFOUND;
	return st;
}

/*
 * Read an identity, change it and write it back in one transaction, so
 * that a concurrent change is never lost; VX_ENOTFOUND when not live.
 */
static vx_status identity_update(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now,
                                 vx_status (*change)(vx_identity *id, uint64_t m, uint64_t b),
                                 uint64_t messages, uint64_t bytes)
{
	uint8_t b[IDENTITY_VAL];
	MDB_val k = {VX_FINGERPRINT_LEN, (void *)fp}, v;
	MDB_txn *txn;
	vx_identity id;
	vx_status st;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = from_mdb(mdb_get(txn, s->identities, &k, &v))) != VX_OK ||
	    (st = decode_identity(&v, &id)) != VX_OK)
		return finish(txn, st);
	if (id.expiry <= now)
		return finish(txn, VX_ENOTFOUND);
	if ((st = change(&id, messages, bytes)) != VX_OK)
		return finish(txn, st);
	encode_identity(b, &id);
	v.mv_size = sizeof b;
	v.mv_data = b;
	return finish(txn, from_mdb(mdb_put(txn, s->identities, &k, &v, 0)));
}

static vx_status take(vx_identity *id, uint64_t messages, uint64_t bytes)
{
	if (id->message_quota < messages || id->transfer_quota < bytes)
		return VX_ELIMIT;
	id->message_quota -= messages;
	id->transfer_quota -= bytes;
	return VX_OK;
}

static vx_status raise_to(vx_identity *id, uint64_t messages, uint64_t bytes)
{
	if (id->message_quota < messages)
		id->message_quota = messages;
	if (id->transfer_quota < bytes)
		id->transfer_quota = bytes;
	return VX_OK;
}

vx_status vx_store_identity_charge(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                   uint64_t messages, uint64_t bytes, int64_t now)
{
	return identity_update(s, fp, now, take, messages, bytes);
}

/* A u64 counter under key in dbi; missing means 0, and 0 is not stored. */
static vx_status counter_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t *v)
{
	MDB_val k = {klen, (void *)key}, d;
	int rc = mdb_get(txn, dbi, &k, &d);

	*v = 0;
	if (rc == MDB_NOTFOUND)
		return VX_OK;
	if (rc)
		return from_mdb(rc);
	if (d.mv_size != 8)
		return VX_EDECODE;
	*v = get64(d.mv_data);
	return VX_OK;
}

static vx_status counter_set(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t v)
{
	uint8_t b[8];
	MDB_val k = {klen, (void *)key}, d = {sizeof b, b};

	if (!v)
		return from_mdb_del(mdb_del(txn, dbi, &k, NULL));
	put64(b, v);
	return from_mdb(mdb_put(txn, dbi, &k, &d, 0));
}

static vx_status meta_get(vx_store *s, MDB_txn *txn, const char *name, uint64_t *v)
{
	return counter_get(txn, s->meta, name, strlen(name), v);
}

static vx_status meta_put(vx_store *s, MDB_txn *txn, const char *name, uint64_t v)
{
	return counter_set(txn, s->meta, name, strlen(name), v);
}

static void queue_key(uint8_t k[8], uint64_t id)
{
	/* big-endian: the queue is in order of arrival */
	for (int i = 0; i < 8; i++)
		k[i] = (uint8_t)(id >> (56 - 8 * i));
}

/* Queue an item inside txn (the caller commits or aborts). */
static vx_status queue_put(vx_store *s, MDB_txn *txn, const char *recipient, const uint8_t *data,
                           size_t len, int64_t due, unsigned flags, uint64_t *id)
{
	size_t rlen = strlen(recipient);
	uint8_t kb[8];
	MDB_val k = {sizeof kb, kb}, v;
	uint64_t next, bytes;
	vx_status st;
	int rc;

	if (!rlen || rlen > RECIPIENT_MAX)
		return VX_EINVAL;
	if (len > s->max_queue_bytes)
		return VX_ELIMIT;
	if ((st = meta_get(s, txn, "next_id", &next)) != VX_OK ||
	    (st = meta_get(s, txn, "queue_bytes", &bytes)) != VX_OK)
		return st;
	if (bytes > s->max_queue_bytes - len)
		return VX_ELIMIT;
	queue_key(kb, ++next);
	v.mv_size = QUEUE_HEAD + rlen + len;
	/* reserve the space in the map and write straight into it */
	if ((rc = mdb_put(txn, s->queue, &k, &v, MDB_RESERVE)))
		return from_mdb(rc);
	put64(v.mv_data, (uint64_t)due);
	put32((uint8_t *)v.mv_data + 8, 0);
	rlen |= flags & VX_QUEUE_LOCAL ? QUEUE_LOCAL_BIT : 0;
	((uint8_t *)v.mv_data)[12] = (uint8_t)(rlen & 0xff);
	((uint8_t *)v.mv_data)[13] = (uint8_t)(rlen >> 8);
	rlen &= ~(size_t)QUEUE_LOCAL_BIT;
	memcpy((uint8_t *)v.mv_data + QUEUE_HEAD, recipient, rlen);
	if (len)
		memcpy((uint8_t *)v.mv_data + QUEUE_HEAD + rlen, data, len);
	if ((st = meta_put(s, txn, "next_id", next)) != VX_OK ||
	    (st = meta_put(s, txn, "queue_bytes", bytes + len)) != VX_OK)
		return st;
	*id = next;
	return VX_OK;
}

vx_status vx_store_queue_put(vx_store *s, const char *recipient, const uint8_t *data, size_t len,
                             int64_t due, unsigned flags, uint64_t *id)
{
	uint64_t got = 0;
	MDB_txn *txn;
	vx_status st;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = finish(txn, queue_put(s, txn, recipient, data, len, due, flags, &got))) == VX_OK)
		*id = got;
	return st;
}

/* The parts of a queue record; 0 if it is malformed. */
static int queue_parse(const MDB_val *v, int64_t *due, uint32_t *attempts, size_t *rlen,
                       unsigned *flags)
{
	const uint8_t *b = v->mv_data;

	if (v->mv_size < QUEUE_HEAD)
		return 0;
	*due = (int64_t)get64(b);
	*attempts = get32(b + 8);
	*rlen = (size_t)b[12] | (size_t)b[13] << 8;
	*flags = *rlen & QUEUE_LOCAL_BIT ? VX_QUEUE_LOCAL : 0;
	*rlen &= ~(size_t)QUEUE_LOCAL_BIT;
	return *rlen && *rlen <= RECIPIENT_MAX && *rlen <= v->mv_size - QUEUE_HEAD;
}

vx_status vx_store_queue_next(vx_store *s, int64_t now, vx_queue_item *item)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v, best = {0, NULL};
	uint64_t best_id = 0;
	int64_t best_due = 0;
	vx_status st = VX_ENOTFOUND;
	int rc;

	memset(item, 0, sizeof *item);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->queue, &c))) {
		mdb_txn_abort(txn);
		return from_mdb(rc);
	}
	/* the earliest due item; in arrival order among equals */
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		int64_t due;
		uint32_t attempts;
		size_t rlen;
		unsigned flags;

		if (k.mv_size != 8 || !queue_parse(&v, &due, &attempts, &rlen, &flags) || due > now)
			continue;
		if (!best.mv_data || due < best_due) {
			best = v;
			best_due = due;
			best_id = 0;
			for (int i = 0; i < 8; i++)
				best_id = best_id << 8 | ((uint8_t *)k.mv_data)[i];
		}
	}
	mdb_cursor_close(c);
	if (best.mv_data) {
		size_t rlen;

		queue_parse(&best, &item->due, &item->attempts, &rlen, &item->flags);
		item->id = best_id;
		memcpy(item->recipient, (uint8_t *)best.mv_data + QUEUE_HEAD, rlen);
		item->recipient[rlen] = '\0';
		st = vx_bytes_set(&item->data, (uint8_t *)best.mv_data + QUEUE_HEAD + rlen,
		                  best.mv_size - QUEUE_HEAD - rlen);
	}
	mdb_txn_abort(txn);
	return st;
}

vx_status vx_store_queue_done(vx_store *s, uint64_t id)
{
	uint8_t kb[8];
	MDB_val k = {sizeof kb, kb}, v;
	uint64_t bytes;
	int64_t due;
	uint32_t attempts;
	size_t rlen;
	unsigned flags;
	MDB_txn *txn;
	vx_status st;
	int rc;

	queue_key(kb, id);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = from_mdb(mdb_get(txn, s->queue, &k, &v))) != VX_OK)
		return finish(txn, st);
	if (!queue_parse(&v, &due, &attempts, &rlen, &flags))
		return finish(txn, VX_EDECODE);
	if ((st = meta_get(s, txn, "queue_bytes", &bytes)) != VX_OK)
		return finish(txn, st);
	bytes -= bytes < v.mv_size - QUEUE_HEAD - rlen ? bytes : v.mv_size - QUEUE_HEAD - rlen;
	if ((st = from_mdb(mdb_del(txn, s->queue, &k, NULL))) != VX_OK ||
	    (st = meta_put(s, txn, "queue_bytes", bytes)) != VX_OK)
		return finish(txn, st);
	return finish(txn, VX_OK);
}

vx_status vx_store_queue_retry(vx_store *s, uint64_t id, int64_t due)
{
	uint8_t kb[8];
	MDB_val k = {sizeof kb, kb}, v;
	MDB_txn *txn;
	int rc;

	queue_key(kb, id);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_get(txn, s->queue, &k, &v)) || v.mv_size < QUEUE_HEAD)
		return finish(txn, rc ? from_mdb(rc) : VX_EDECODE);
	/* values in the map are read-only: rewrite the record with the new head */
	{
		uint8_t *copy = malloc(v.mv_size);
		MDB_val nv = {v.mv_size, copy};
		vx_status st;

		if (!copy)
			return finish(txn, VX_ENOMEM);
		memcpy(copy, v.mv_data, v.mv_size);
		put64(copy, (uint64_t)due);
		put32(copy + 8, get32(copy + 8) + 1);
		st = from_mdb(mdb_put(txn, s->queue, &k, &nv, 0));
		free(copy);
		return finish(txn, st);
	}
}

vx_status vx_store_queue_stat(vx_store *s, uint64_t *items, uint64_t *bytes)
{
	MDB_txn *txn;
	MDB_stat stat;
	vx_status st;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	st = from_mdb(mdb_stat(txn, s->queue, &stat));
	if (st == VX_OK)
		st = meta_get(s, txn, "queue_bytes", bytes);
	*items = st == VX_OK ? stat.ms_entries : 0;
	mdb_txn_abort(txn);
	return st;
}

#define PUZZLE_VAL 13 /* expiry, bit count, up to 4 bytes of challenge */

vx_status vx_store_puzzle_put(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                              const heim_bit_string *challenge, int64_t expiry)
{
	uint8_t b[PUZZLE_VAL] = {0};
	MDB_val k = {VX_FINGERPRINT_LEN, (void *)fp}, v = {sizeof b, b};
	MDB_txn *txn;
	int rc;

	if (!challenge->length || challenge->length > 32)
		return VX_EINVAL;
	put64(b, (uint64_t)expiry);
	b[8] = (uint8_t)challenge->length;
	memcpy(b + 9, challenge->data, (challenge->length + 7) / 8);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	return finish(txn, from_mdb(mdb_put(txn, s->puzzles, &k, &v, 0)));
}

vx_status vx_store_puzzle_get(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now,
                              heim_bit_string *challenge)
{
	MDB_val k = {VX_FINGERPRINT_LEN, (void *)fp}, v;
	MDB_txn *txn;
	vx_status st;
	int rc;

	memset(challenge, 0, sizeof *challenge);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	st = from_mdb(mdb_get(txn, s->puzzles, &k, &v));
	if (st == VX_OK && (v.mv_size != PUZZLE_VAL || !((uint8_t *)v.mv_data)[8] ||
	                    ((uint8_t *)v.mv_data)[8] > 32))
		st = VX_EDECODE;
	if (st == VX_OK && (int64_t)get64(v.mv_data) <= now)
		st = VX_ENOTFOUND;
	if (st == VX_OK && !(challenge->data = malloc(4)))
		st = VX_ENOMEM;
	if (st == VX_OK) {
		memcpy(challenge->data, (uint8_t *)v.mv_data + 9, 4);
		challenge->length = ((uint8_t *)v.mv_data)[8];
	}
	mdb_txn_abort(txn);
	return st;
}

vx_status vx_store_puzzle_del(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN])
{
	MDB_val k = {VX_FINGERPRINT_LEN, (void *)fp};
	MDB_txn *txn;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	rc = mdb_del(txn, s->puzzles, &k, NULL);
	return finish(txn, rc == MDB_NOTFOUND ? VX_OK : from_mdb(rc));
}

/* The payload bytes an identity holds in its workspace. */
static vx_status ws_bytes(vx_store *s, MDB_txn *txn, const uint8_t *fp, uint64_t *v)
{
	return counter_get(txn, s->wsbytes, fp, VX_FINGERPRINT_LEN, v);
}

static vx_status ws_bytes_set(vx_store *s, MDB_txn *txn, const uint8_t *fp, uint64_t v)
{
	return counter_set(txn, s->wsbytes, fp, VX_FINGERPRINT_LEN, v);
}

static void slot_key(uint8_t k[SLOT_KEY], const uint8_t *fp, unsigned id)
{
	memcpy(k, fp, VX_FINGERPRINT_LEN);
	k[VX_FINGERPRINT_LEN] = (uint8_t)(id >> 8);
	k[VX_FINGERPRINT_LEN + 1] = (uint8_t)id;
}

/* Remove a slot inside txn, keeping the identity's byte count. */
static vx_status slot_remove(vx_store *s, MDB_txn *txn, const uint8_t *fp, unsigned id)
{
	uint8_t kb[SLOT_KEY];
	MDB_val k = {sizeof kb, kb}, v;
	uint64_t total;
	vx_status st;
	int rc;

	slot_key(kb, fp, id);
	if ((rc = mdb_get(txn, s->slots, &k, &v)) == MDB_NOTFOUND)
		return VX_OK;
	if (rc)
		return from_mdb(rc);
	if (v.mv_size < 8)
		return VX_EDECODE;
	if ((st = ws_bytes(s, txn, fp, &total)) != VX_OK)
		return st;
	total -= total < v.mv_size - 8 ? total : v.mv_size - 8;
	if ((rc = mdb_del(txn, s->slots, &k, NULL)))
		return from_mdb(rc);
	return ws_bytes_set(s, txn, fp, total);
}

vx_status vx_store_slot_put(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned id,
                            const uint8_t *data, size_t len, int64_t expiry)
{
	uint8_t kb[SLOT_KEY];
	MDB_val k = {sizeof kb, kb}, v;
	uint64_t total;
	MDB_txn *txn;
	vx_status st;
	int rc;

	if (id > 65535)
		return VX_ERANGE;
	if (len > s->max_workspace_bytes)
		return VX_ELIMIT;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = slot_remove(s, txn, fp, id)) != VX_OK ||
	    (st = ws_bytes(s, txn, fp, &total)) != VX_OK)
		return finish(txn, st);
	if (total > s->max_workspace_bytes - len)
		return finish(txn, VX_ELIMIT);
	slot_key(kb, fp, id);
	v.mv_size = 8 + len;
	if ((rc = mdb_put(txn, s->slots, &k, &v, MDB_RESERVE)))
		return finish(txn, from_mdb(rc));
	put64(v.mv_data, (uint64_t)expiry);
	if (len)
		memcpy((uint8_t *)v.mv_data + 8, data, len);
	return finish(txn, ws_bytes_set(s, txn, fp, total + len));
}

vx_status vx_store_slot_get(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned id,
                            int64_t now, vx_bytes *data, int64_t *expiry)
{
	uint8_t kb[SLOT_KEY];
	MDB_val k = {sizeof kb, kb}, v;
	MDB_txn *txn;
	vx_status st;
	int rc;

	data->data = NULL;
	data->len = 0;
	slot_key(kb, fp, id);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	st = from_mdb(mdb_get(txn, s->slots, &k, &v));
	if (st == VX_OK && v.mv_size < 8)
		st = VX_EDECODE;
	if (st == VX_OK) {
		int64_t e = (int64_t)get64(v.mv_data);

		if (e && e <= now)
			st = VX_ENOTFOUND;
		else if ((st = vx_bytes_set(data, (uint8_t *)v.mv_data + 8, v.mv_size - 8)) ==
		             VX_OK &&
		         expiry)
			*expiry = e;
	}
	mdb_txn_abort(txn);
	return st;
}

vx_status vx_store_slot_del(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned id)
{
	MDB_txn *txn;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	return finish(txn, slot_remove(s, txn, fp, id));
}

static uint64_t random64(void)
{
	uint64_t r = 0;

	/* RAND_bytes would pull OpenSSL into the store: /dev/urandom via getrandom */
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15u;
	return r;
}

/* A random moment in [lo, hi], rounded up to the slot grid when that fits. */
static int64_t pick_due(int64_t lo, int64_t hi, unsigned slot)
{
	int64_t t = lo + (int64_t)(random64() % (uint64_t)(hi - lo + 1));

	if (slot > 1) {
		int64_t up = (t + slot - 1) / slot * slot;

		if (up <= hi)
			t = up;
	}
	return t;
}

vx_status vx_store_combo_add(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], const uint8_t *der,
                             size_t len, int64_t arrival, unsigned min_time, unsigned max_time,
                             unsigned slot, int64_t *due)
{
	uint8_t kb[VX_COMBO_KEY];
	MDB_val k = {sizeof kb, kb}, v;
	uint64_t seq;
	MDB_stat stat;
	MDB_txn *txn;
	vx_status st;
	int64_t t;
	int rc;

	if (min_time > max_time || !len || arrival < 0)
		return VX_EINVAL;
	t = pick_due(arrival + min_time, arrival + max_time, slot);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_stat(txn, s->combos, &stat)))
		return finish(txn, from_mdb(rc));
	if (stat.ms_entries >= s->max_combos)
		return finish(txn, VX_ELIMIT);
	if ((st = meta_get(s, txn, "combo_seq", &seq)) != VX_OK ||
	    (st = meta_put(s, txn, "combo_seq", seq + 1)) != VX_OK)
		return finish(txn, st);
	/* big-endian due, then sequence: a cursor walks them in time order */
	for (int i = 0; i < 8; i++) {
		kb[i] = (uint8_t)((uint64_t)t >> (56 - 8 * i));
		kb[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	v.mv_size = COMBO_HEAD + len;
	if ((rc = mdb_put(txn, s->combos, &k, &v, MDB_RESERVE)))
		return finish(txn, from_mdb(rc));
	memcpy(v.mv_data, fp, VX_FINGERPRINT_LEN);
	put64((uint8_t *)v.mv_data + VX_FINGERPRINT_LEN, (uint64_t)(arrival + max_time));
	memcpy((uint8_t *)v.mv_data + COMBO_HEAD, der, len);
	if ((st = finish(txn, VX_OK)) == VX_OK)
		*due = t;
	return st;
}

vx_status vx_store_combo_due(vx_store *s, int64_t now, vx_combo_rec *recs, size_t max, size_t *n)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	vx_status st = VX_OK;
	int rc;

	*n = 0;
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->combos, &c))) {
		mdb_txn_abort(txn);
		return from_mdb(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && *n < max;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		vx_combo_rec *r = &recs[*n];

		if (k.mv_size != VX_COMBO_KEY || v.mv_size <= COMBO_HEAD)
			continue;
		memcpy(r->key, k.mv_data, VX_COMBO_KEY);
		r->due = (int64_t)(((uint64_t)get32_be(r->key) << 32) | get32_be(r->key + 4));
		if (r->due > now)
			break; /* in time order: nothing later is due */
		memcpy(r->fp, v.mv_data, VX_FINGERPRINT_LEN);
		r->expiry = (int64_t)get64((uint8_t *)v.mv_data + VX_FINGERPRINT_LEN);
		if ((st = vx_bytes_set(&r->der, (uint8_t *)v.mv_data + COMBO_HEAD,
		                       v.mv_size - COMBO_HEAD)) != VX_OK)
			break;
		(*n)++;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (st != VX_OK) {
		for (size_t i = 0; i < *n; i++)
			vx_bytes_free(&recs[i].der);
		*n = 0;
		return st;
	}
	/* combos of one slot leave in random order (8.1.2): Fisher-Yates */
	for (size_t i = *n; i > 1; i--) {
		size_t j = (size_t)(random64() % i);
		vx_combo_rec t = recs[i - 1];

		recs[i - 1] = recs[j];
		recs[j] = t;
	}
	return VX_OK;
}

vx_status vx_store_combo_finish(vx_store *s, const vx_combo_rec *rec, const char *recipient,
                                const uint8_t *mail, size_t len, int64_t due)
{
	MDB_val k = {VX_COMBO_KEY, (void *)rec->key};
	MDB_txn *txn;
	uint64_t id;
	vx_status st;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_del(txn, s->combos, &k, NULL)))
		return finish(txn, from_mdb(rc));
	st = recipient ? queue_put(s, txn, recipient, mail, len, due, 0, &id) : VX_OK;
	return finish(txn, st);
}

vx_status vx_store_slot_list(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned first,
                             int64_t now,
                             vx_status (*fn)(unsigned id, const uint8_t *data, size_t len,
                                             int64_t expiry, void *arg),
                             void *arg)
{
	uint8_t kb[SLOT_KEY];
	MDB_val k = {sizeof kb, kb}, v;
	MDB_cursor *c;
	MDB_txn *txn;
	vx_status st = VX_OK;
	int rc;

	if (first > 65535)
		return VX_ERANGE;
	slot_key(kb, fp, first);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->slots, &c))) {
		mdb_txn_abort(txn);
		return from_mdb(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS && st == VX_OK;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *key = k.mv_data;
		int64_t e;

		if (k.mv_size != SLOT_KEY || memcmp(key, fp, VX_FINGERPRINT_LEN))
			break;
		if (v.mv_size < 8 || ((e = (int64_t)get64(v.mv_data)) && e <= now))
			continue;
		st = fn((unsigned)key[VX_FINGERPRINT_LEN] << 8 | key[VX_FINGERPRINT_LEN + 1],
		        (const uint8_t *)v.mv_data + 8, v.mv_size - 8, e, arg);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return st;
}

vx_status vx_store_deliver_once(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                const uint8_t digest[32], int64_t expiry, int64_t now, int *fresh)
{
	uint8_t kb[DELIVERED_KEY], vb[8];
	MDB_val k = {sizeof kb, kb}, v;
	MDB_txn *txn;
	int rc;

	memcpy(kb, fp, VX_FINGERPRINT_LEN);
	memcpy(kb + VX_FINGERPRINT_LEN, digest, 32);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	rc = mdb_get(txn, s->delivered, &k, &v);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return finish(txn, from_mdb(rc));
	*fresh = rc == MDB_NOTFOUND || v.mv_size != 8 || (int64_t)get64(v.mv_data) <= now;
	if (!*fresh)
		return finish(txn, VX_OK);
	put64(vb, (uint64_t)expiry);
	v.mv_size = sizeof vb;
	v.mv_data = vb;
	return finish(txn, from_mdb(mdb_put(txn, s->delivered, &k, &v, 0)));
}

/* Remove expired slots, keeping each identity's byte count. */
static vx_status expire_slots(vx_store *s, MDB_txn *txn, int64_t now, unsigned *removed)
{
	MDB_cursor *c;
	MDB_val k, v;
	vx_status st = VX_OK;
	int rc;

	if ((rc = mdb_cursor_open(txn, s->slots, &c)))
		return from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && st == VX_OK;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint8_t fp[VX_FINGERPRINT_LEN];
		uint64_t total, len = v.mv_size - 8;
		int64_t e;

		if (k.mv_size != SLOT_KEY || v.mv_size < 8 || !(e = (int64_t)get64(v.mv_data)) ||
		    e > now)
			continue;
		memcpy(fp, k.mv_data, sizeof fp);
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		(*removed)++;
		if ((st = ws_bytes(s, txn, fp, &total)) == VX_OK)
			st = ws_bytes_set(s, txn, fp, total - (total < len ? total : len));
	}
	mdb_cursor_close(c);
	if (st != VX_OK)
		return st;
	return rc == MDB_NOTFOUND ? VX_OK : from_mdb(rc);
}

/* Delete every record of dbi whose expiry (at offset off of the value) has passed. */
static vx_status expire_db(MDB_txn *txn, MDB_dbi dbi, size_t off, size_t size, int64_t now,
                           unsigned *removed)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &c)))
		return from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		/* records of an unknown form are kept: never delete what we cannot read */
		if (v.mv_size != size || (int64_t)get64((uint8_t *)v.mv_data + off) > now)
			continue;
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		(*removed)++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? VX_OK : from_mdb(rc);
}

vx_status vx_store_expire(vx_store *s, int64_t now, unsigned *removed)
{
	MDB_txn *txn;
	vx_status st;
	int rc;

	*removed = 0;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	st = expire_db(txn, s->replays, 4, REPLAY_VAL, now, removed);
	if (st == VX_OK)
		st = expire_db(txn, s->identities, 4, IDENTITY_VAL, now, removed);
	if (st == VX_OK)
		st = expire_db(txn, s->puzzles, 0, PUZZLE_VAL, now, removed);
	if (st == VX_OK)
		st = expire_db(txn, s->delivered, 0, 8, now, removed);
	if (st == VX_OK)
		st = expire_slots(s, txn, now, removed);
	return finish(txn, st);
}

vx_status vx_store_identity_raise(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                  uint64_t messages, uint64_t bytes, int64_t now)
{
	return identity_update(s, fp, now, raise_to, messages, bytes);
}

vx_status vx_store_identity_move(vx_store *s, const uint8_t from[VX_FINGERPRINT_LEN],
                                 const uint8_t to[VX_FINGERPRINT_LEN], int64_t now)
{
	MDB_val kf = {VX_FINGERPRINT_LEN, (void *)from}, kt = {VX_FINGERPRINT_LEN, (void *)to}, v,
	        o;
	uint8_t b[IDENTITY_VAL];
	MDB_txn *txn;
	vx_identity id, other;
	vx_status st;
	int rc;

	if (!memcmp(from, to, VX_FINGERPRINT_LEN))
		return VX_EINVAL;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = from_mdb(mdb_get(txn, s->identities, &kf, &v))) != VX_OK ||
	    (st = decode_identity(&v, &id)) != VX_OK)
		return finish(txn, st);
	if (id.expiry <= now)
		return finish(txn, VX_ENOTFOUND);
	/* never merge into a live identity: that would add up two quotas */
	rc = mdb_get(txn, s->identities, &kt, &o);
	if (rc == MDB_SUCCESS && (decode_identity(&o, &other) != VX_OK || other.expiry > now))
		return finish(txn, VX_EINVAL);
	if (rc && rc != MDB_NOTFOUND)
		return finish(txn, from_mdb(rc));
	encode_identity(b, &id);
	v.mv_size = sizeof b;
	v.mv_data = b;
	if ((st = from_mdb(mdb_put(txn, s->identities, &kt, &v, 0))) == VX_OK &&
	    (st = from_mdb(mdb_del(txn, s->identities, &kf, NULL))) == VX_OK)
		st = from_mdb_del(mdb_del(txn, s->puzzles, &kf, NULL));
	return finish(txn, st);
}

/* The peer whose record holds exactly der, via cursor c; MDB_NOTFOUND if none. */
static int peer_find(MDB_cursor *c, const uint8_t *der, size_t len, MDB_val *k)
{
	MDB_val v;
	int rc;

	for (rc = mdb_cursor_get(c, k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, k, &v, MDB_NEXT))
		if (v.mv_size == len && !memcmp(v.mv_data, der, len))
			return MDB_SUCCESS;
	return rc;
}

vx_status vx_store_peer_put(vx_store *s, const uint8_t *der, size_t len)
{
	uint8_t kb[8];
	MDB_val k, v = {len, (void *)der};
	MDB_cursor *c;
	MDB_txn *txn;
	MDB_stat stat;
	uint64_t seq;
	vx_status st;
	int rc;

	if (!len)
		return VX_EINVAL;
	if (len > VX_PEER_MAX_DER)
		return VX_ELIMIT;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->peers, &c)))
		return finish(txn, from_mdb(rc));
	rc = peer_find(c, der, len, &k);
	mdb_cursor_close(c);
	if (rc == MDB_SUCCESS) /* already known: one entry per NodeSpec */
		return finish(txn, VX_OK);
	if (rc != MDB_NOTFOUND)
		return finish(txn, from_mdb(rc));
	if ((rc = mdb_stat(txn, s->peers, &stat)))
		return finish(txn, from_mdb(rc));
	if (stat.ms_entries >= s->max_peers)
		return finish(txn, VX_ELIMIT);
	if ((st = meta_get(s, txn, "peer_seq", &seq)) != VX_OK ||
	    (st = meta_put(s, txn, "peer_seq", ++seq)) != VX_OK)
		return finish(txn, st);
	queue_key(kb, seq);
	k.mv_size = sizeof kb;
	k.mv_data = kb;
	return finish(txn, from_mdb(mdb_put(txn, s->peers, &k, &v, 0)));
}

vx_status vx_store_peer_del(vx_store *s, const uint8_t *der, size_t len)
{
	MDB_cursor *c;
	MDB_txn *txn;
	MDB_val k;
	vx_status st;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->peers, &c)))
		return finish(txn, from_mdb(rc));
	st = from_mdb(peer_find(c, der, len, &k));
	if (st == VX_OK)
		st = from_mdb(mdb_cursor_del(c, 0));
	mdb_cursor_close(c);
	return finish(txn, st);
}

vx_status vx_store_peer_count(vx_store *s, size_t *n)
{
	MDB_txn *txn;
	MDB_stat stat;
	int rc;

	*n = 0;
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	rc = mdb_stat(txn, s->peers, &stat);
	mdb_txn_abort(txn);
	if (!rc)
		*n = stat.ms_entries;
	return from_mdb(rc);
}

vx_status vx_store_peer_each(vx_store *s,
                             vx_status (*fn)(const uint8_t *der, size_t len, void *ctx), void *ctx)
{
	MDB_cursor *c;
	MDB_txn *txn;
	MDB_val k, v;
	vx_status st = VX_OK;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->peers, &c))) {
		mdb_txn_abort(txn);
		return from_mdb(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && st == VX_OK;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		st = fn(v.mv_data, v.mv_size, ctx);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (st == VX_OK && rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
		st = from_mdb(rc);
	return st;
}

/* A uniform random number below n (n > 0), without modulo bias. */
static uint64_t random_below(uint64_t n)
{
	uint64_t r, lim = UINT64_MAX - UINT64_MAX % n;

	while ((r = random64()) >= lim)
		;
	return r % n;
}

vx_status vx_store_peer_sample(vx_store *s, size_t max, vx_bytes *out, size_t *n)
{
	MDB_val *pick = NULL, k, v;
	MDB_cursor *c = NULL;
	MDB_txn *txn;
	vx_status st = VX_OK;
	uint64_t seen = 0;
	size_t got = 0;
	int rc;

	*n = 0;
	if (!max)
		return VX_OK;
	if (max > VX_PEER_MAX_SAMPLE)
		return VX_EINVAL;
	if (!(pick = calloc(max, sizeof *pick)))
		return VX_ENOMEM;
	if ((rc = txn_begin(s, MDB_RDONLY, &txn))) {
		free(pick);
		return from_mdb(rc);
	}
	if ((rc = mdb_cursor_open(txn, s->peers, &c)))
		goto out;
	/* reservoir sampling: each peer ends up in pick with the same chance */
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t j = random_below(++seen);

		if (got < max) {
			pick[got++] = pick[j]; /* inside-out shuffle: the order is random too */
			pick[j] = v;
		} else if (j < max) {
			pick[j] = v;
		}
	}
	if (rc == MDB_NOTFOUND)
		rc = MDB_SUCCESS;
	for (size_t i = 0; !rc && st == VX_OK && i < got; i++) {
		out[i].data = NULL;
		out[i].len = 0;
		if ((st = vx_bytes_set(&out[i], pick[i].mv_data, pick[i].mv_size)) == VX_OK)
			*n = i + 1;
	}
out:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(txn);
	free(pick);
	if (st == VX_OK && rc)
		st = from_mdb(rc);
	if (st != VX_OK) {
		for (size_t i = 0; i < *n; i++)
			vx_bytes_free(&out[i]);
		*n = 0;
	}
	return st;
}

vx_status vx_store_count(vx_store *s, const char *name, uint64_t n)
{
	size_t len = strlen(name);
	uint64_t v;
	MDB_txn *txn;
	vx_status st;
	int rc;

	if (!len || len > VX_COUNTER_NAME_MAX)
		return VX_EINVAL;
	if (!n)
		return VX_OK;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = counter_get(txn, s->counters, name, len, &v)) != VX_OK)
		return finish(txn, st);
	return finish(txn, counter_set(txn, s->counters, name, len, v + n));
}

vx_status vx_store_counters(vx_store *s,
                            vx_status (*fn)(const char *name, uint64_t value, void *arg), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	MDB_txn *txn;
	vx_status st = VX_OK;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->counters, &c))) {
		mdb_txn_abort(txn);
		return from_mdb(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && st == VX_OK;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char name[VX_COUNTER_NAME_MAX + 1];

		/* a record of another form is not ours to show */
		if (!k.mv_size || k.mv_size > VX_COUNTER_NAME_MAX || v.mv_size != 8 ||
		    memchr(k.mv_data, '\0', k.mv_size))
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		st = fn(name, get64(v.mv_data), arg);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return st;
}

vx_status vx_store_sizes(vx_store *s, vx_store_size *out)
{
	const MDB_dbi dbi[] = {s->identities, s->combos, s->slots, s->queue, s->peers};
	uint64_t *field[] = {&out->identities, &out->combos, &out->slots, &out->queue_items,
	                     &out->peers};
	MDB_stat stat;
	MDB_txn *txn;
	vx_status st = VX_OK;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	for (size_t i = 0; i < sizeof dbi / sizeof dbi[0] && st == VX_OK; i++)
		if ((st = from_mdb(mdb_stat(txn, dbi[i], &stat))) == VX_OK)
			*field[i] = stat.ms_entries;
	if (st == VX_OK)
		st = meta_get(s, txn, "queue_bytes", &out->queue_bytes);
	mdb_txn_abort(txn);
	return st;
}

/*
 * The IMAP poller's position (docs/store.md, "imap"). Keys begin with a
 * kind byte and "account\0mailbox\0": 'S' for the position itself, 'P'
 * followed by UIDVALIDITY and UID (both big-endian, so a cursor walks a
 * mailbox's pending UIDs in order) for a pending mailbox action.
 */
#define IMAP_POSITION     'S'
#define IMAP_PENDING      'P'
#define IMAP_VERSION      1
#define IMAP_POSITION_VAL 12 /* version, 3 zero bytes, uidvalidity, next uid */
#define IMAP_PREFIX_MAX   (3 + VX_IMAP_ACCOUNT_MAX + VX_IMAP_MAILBOX_MAX)

/* The key prefix of (account, mailbox); 0 for names that are empty or too long. */
static size_t imap_prefix(uint8_t k[IMAP_PREFIX_MAX + 8], int kind, const char *account,
                          const char *mailbox)
{
	size_t al = strlen(account), ml = strlen(mailbox);

	if (!al || al > VX_IMAP_ACCOUNT_MAX || !ml || ml > VX_IMAP_MAILBOX_MAX)
		return 0;
	k[0] = (uint8_t)kind;
	memcpy(k + 1, account, al);
	k[1 + al] = 0;
	memcpy(k + 2 + al, mailbox, ml);
	k[2 + al + ml] = 0;
	return 3 + al + ml;
}

static void imap_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static vx_status imap_position(MDB_txn *txn, MDB_dbi dbi, const uint8_t *k, size_t klen,
                               uint32_t *uidvalidity, uint32_t *next)
{
	MDB_val key = {klen, (void *)k}, v;
	int rc = mdb_get(txn, dbi, &key, &v);

	if (rc)
		return from_mdb(rc);
	if (v.mv_size != IMAP_POSITION_VAL || ((uint8_t *)v.mv_data)[0] != IMAP_VERSION)
		return VX_EDECODE;
	*uidvalidity = get32((uint8_t *)v.mv_data + 4);
	*next = get32((uint8_t *)v.mv_data + 8);
	return VX_OK;
}

vx_status vx_store_imap_get(vx_store *s, const char *account, const char *mailbox,
                            uint32_t *uidvalidity, uint32_t *next_uid)
{
	uint8_t k[IMAP_PREFIX_MAX + 8];
	size_t klen = imap_prefix(k, IMAP_POSITION, account, mailbox);
	MDB_txn *txn;
	vx_status st;
	int rc;

	if (!klen)
		return VX_EINVAL;
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	st = imap_position(txn, s->imap, k, klen, uidvalidity, next_uid);
	mdb_txn_abort(txn);
	return st;
}

vx_status vx_store_imap_reset(vx_store *s, const char *account, const char *mailbox,
                              uint32_t uidvalidity, uint32_t next_uid, unsigned *dropped)
{
	uint8_t k[IMAP_PREFIX_MAX + 8], vb[IMAP_POSITION_VAL] = {IMAP_VERSION};
	size_t klen = imap_prefix(k, IMAP_POSITION, account, mailbox);
	MDB_val key = {klen, k}, v = {sizeof vb, vb};
	MDB_cursor *c;
	MDB_txn *txn;
	unsigned n = 0;
	int rc;

	if (dropped)
		*dropped = 0;
	if (!klen || !uidvalidity || !next_uid)
		return VX_EINVAL;
	put32(vb + 4, uidvalidity);
	put32(vb + 8, next_uid);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_put(txn, s->imap, &key, &v, 0)))
		return finish(txn, from_mdb(rc));
	k[0] = IMAP_PENDING;
	if ((rc = mdb_cursor_open(txn, s->imap, &c)))
		return finish(txn, from_mdb(rc));
	for (rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	     rc == MDB_SUCCESS && key.mv_size >= klen && !memcmp(key.mv_data, k, klen);
	     rc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		/* keys of another form are not ours to delete */
		if (key.mv_size != klen + 8 ||
		    get32_be((uint8_t *)key.mv_data + klen) == uidvalidity)
			continue;
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		n++;
	}
	mdb_cursor_close(c);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return finish(txn, from_mdb(rc));
	if (dropped)
		*dropped = n;
	return finish(txn, VX_OK);
}

vx_status vx_store_imap_mark(vx_store *s, const char *account, const char *mailbox,
                             uint32_t uidvalidity, uint32_t uid, int *fresh)
{
	uint8_t k[IMAP_PREFIX_MAX + 8], vb[IMAP_POSITION_VAL] = {IMAP_VERSION}, pv = IMAP_VERSION;
	size_t klen = imap_prefix(k, IMAP_POSITION, account, mailbox);
	MDB_val key = {klen, k}, v = {sizeof vb, vb}, pval = {1, &pv};
	uint32_t have, next;
	MDB_txn *txn;
	vx_status st;
	int rc;

	*fresh = 0;
	/* UID 2^32-1 would leave no next UID to record */
	if (!klen || !uid || uid == UINT32_MAX)
		return VX_EINVAL;
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	if ((st = imap_position(txn, s->imap, k, klen, &have, &next)) != VX_OK)
		return finish(txn, st);
	if (have != uidvalidity)
		return finish(txn, VX_EINVAL);
	if (uid < next)
		return finish(txn, VX_OK);
	put32(vb + 4, uidvalidity);
	put32(vb + 8, uid + 1);
	if ((rc = mdb_put(txn, s->imap, &key, &v, 0)))
		return finish(txn, from_mdb(rc));
	k[0] = IMAP_PENDING;
	imap_be32(k + klen, uidvalidity);
	imap_be32(k + klen + 4, uid);
	key.mv_size = klen + 8;
	if ((rc = mdb_put(txn, s->imap, &key, &pval, 0)))
		return finish(txn, from_mdb(rc));
	*fresh = 1;
	return finish(txn, VX_OK);
}

vx_status vx_store_imap_done(vx_store *s, const char *account, const char *mailbox,
                             uint32_t uidvalidity, uint32_t uid)
{
	uint8_t k[IMAP_PREFIX_MAX + 8];
	size_t klen = imap_prefix(k, IMAP_PENDING, account, mailbox);
	MDB_val key = {klen + 8, k};
	MDB_txn *txn;
	int rc;

	if (!klen)
		return VX_EINVAL;
	imap_be32(k + klen, uidvalidity);
	imap_be32(k + klen + 4, uid);
	if ((rc = txn_begin(s, 0, &txn)))
		return from_mdb(rc);
	return finish(txn, from_mdb_del(mdb_del(txn, s->imap, &key, NULL)));
}

vx_status vx_store_imap_pending(vx_store *s, const char *account, const char *mailbox,
                                uint32_t uidvalidity, uint32_t *uids, size_t max, size_t *n)
{
	uint8_t k[IMAP_PREFIX_MAX + 8];
	size_t klen = imap_prefix(k, IMAP_PENDING, account, mailbox);
	MDB_val key = {klen + 4, k}, v;
	MDB_cursor *c;
	MDB_txn *txn;
	int rc;

	*n = 0;
	if (!klen)
		return VX_EINVAL;
	imap_be32(k + klen, uidvalidity);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)))
		return from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, s->imap, &c))) {
		mdb_txn_abort(txn);
		return from_mdb(rc);
	}
	/* the prefix with uidvalidity sorts just before its first UID */
	for (rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	     rc == MDB_SUCCESS && *n < max && key.mv_size >= klen + 4 &&
	     !memcmp(key.mv_data, k, klen + 4);
	     rc = mdb_cursor_get(c, &key, &v, MDB_NEXT))
		if (key.mv_size == klen + 8)
			uids[(*n)++] = get32_be((uint8_t *)key.mv_data + klen + 4);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? VX_OK : from_mdb(rc);
}
