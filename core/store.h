/*
 * store.h - the node's durable state in one LMDB environment, shared by
 * every process of a node (milter, poller, vortex tool). See docs/store.md
 * for the schema. Every write is committed (fsync) before the call
 * returns, so a caller may report success to its peer only afterwards.
 *
 * It holds replay records (7.1.1), ephemeral identities (2.8.2), their
 * puzzles, workspace slots, pending routing combos and the outbound queue.
 */
#ifndef VX_STORE_H
#define VX_STORE_H

#include <stdint.h>

#include "asn1.h"
#include "bytes.h"

#define VX_FINGERPRINT_LEN 32

typedef struct vx_store vx_store;

typedef struct vx_store_limits {
	size_t map_size;              /* LMDB map size in bytes; 0: 1 GiB */
	unsigned max_identities;      /* 0: 100000 */
	unsigned max_readers;         /* concurrent readers (threads and processes); 0: 126 */
	uint64_t max_queue_bytes;     /* outbound queue payload bytes; 0: 256 MiB */
	uint64_t max_workspace_bytes; /* payload bytes per identity; 0: 16 MiB */
	unsigned max_combos;          /* pending routing combos; 0: 10000 */
	unsigned max_peers;           /* node address book entries; 0: 1000 */
} vx_store_limits;

/*
 * Open (creating if needed) the store in directory dir, files mode 0600.
 * VX_EIO with errno set when the directory cannot be used.
 */
vx_status vx_store_open(const char *dir, const vx_store_limits *lim, vx_store **out);
void vx_store_close(vx_store *s);

/*
 * A batch groups the calls that follow into one transaction, committed
 * (and synced) once by vx_store_batch_commit: nothing of it is durable
 * before, and a crash keeps all of it or none. A call that fails inside a
 * batch leaves no trace and the batch goes on. Batches nest (up to 4): an
 * inner batch's commit joins the outer one, its abort undoes only itself.
 * One thread at a time uses a store handle in a batch; other processes'
 * writers wait for the outermost commit.
 */
vx_status vx_store_batch_begin(vx_store *s);
vx_status vx_store_batch_commit(vx_store *s);
void vx_store_batch_abort(vx_store *s);

/*
 * Replay protection, keyed by (identity fingerprint, serial) (7.1.1, 8.1):
 * a header may be used max_replays + 1 times until expiry. VX_OK and
 * *replay = 0 the first time, *replay = 1 for an allowed replay, VX_ELIMIT
 * once the replays are used up. The use is durable when VX_OK returns.
 */
vx_status vx_store_replay(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], uint32_t serial,
                          unsigned max_replays, int64_t expiry, int64_t now, int *replay);

typedef struct vx_identity {
	int64_t expiry;          /* unix seconds; the identity ends then */
	uint64_t message_quota;  /* messages left (8.1.3) */
	uint64_t transfer_quota; /* bytes left (8.1.4) */
	int temporary;           /* created, requirement not met yet (7.3.2) */
} vx_identity;

/* Create or replace an identity. VX_ELIMIT beyond max_identities. */
vx_status vx_store_identity_put(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                const vx_identity *id);
/* VX_ENOTFOUND for unknown and expired identities. */
vx_status vx_store_identity_get(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now,
                                vx_identity *id);
/*
 * Take messages and bytes from an identity's quotas in one transaction:
 * nothing is taken unless both suffice (VX_ELIMIT then).
 */
vx_status vx_store_identity_charge(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                   uint64_t messages, uint64_t bytes, int64_t now);

/*
 * The outbound queue: finished mail waiting for its transport. An item
 * leaves the queue only when the transport confirmed it (vx_store_queue_done),
 * so a crash between sending and confirming sends it again, never loses it.
 */
#define VX_QUEUE_LOCAL 1 /* data is a message for a local user, not mail for a node */

typedef struct vx_queue_item {
	uint64_t id;       /* unique, increasing */
	int64_t due;       /* not before (unix seconds) */
	uint32_t attempts; /* failed attempts so far */
	unsigned flags;    /* VX_QUEUE_LOCAL */
	char recipient[321];
	vx_bytes data;
} vx_queue_item;

/*
 * Queue data for recipient, due at due, flags 0 or VX_QUEUE_LOCAL; *id
 * receives its id. VX_ELIMIT over the bound.
 */
vx_status vx_store_queue_put(vx_store *s, const char *recipient, const uint8_t *data, size_t len,
                             int64_t due, unsigned flags, uint64_t *id);
/* The item due earliest, if due by now (VX_ENOTFOUND otherwise); free item->data. */
vx_status vx_store_queue_next(vx_store *s, int64_t now, vx_queue_item *item);
/* The transport confirmed the item: remove it. */
vx_status vx_store_queue_done(vx_store *s, uint64_t id);
/* The transport failed: count the attempt and wait until due. */
vx_status vx_store_queue_retry(vx_store *s, uint64_t id, int64_t due);
/* Items and bytes queued. */
vx_status vx_store_queue_stat(vx_store *s, uint64_t *items, uint64_t *bytes);

/*
 * Workspace slots of an identity (2.9, 7.1.2): payload bytes with an
 * expiry, bounded per identity (VX_ELIMIT).
 */
vx_status vx_store_slot_put(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned id,
                            const uint8_t *data, size_t len, int64_t expiry);
/* VX_ENOTFOUND when empty or expired. */
vx_status vx_store_slot_get(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned id,
                            int64_t now, vx_bytes *data, int64_t *expiry);
vx_status vx_store_slot_del(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned id);
/*
 * Call fn for each unexpired slot of the identity from ID first on, in
 * ascending order, until it returns other than VX_OK (which is returned).
 * data is valid during the call only.
 */
vx_status vx_store_slot_list(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], unsigned first,
                             int64_t now,
                             vx_status (*fn)(unsigned id, const uint8_t *data, size_t len,
                                             int64_t expiry, void *arg),
                             void *arg);

/*
 * Content delivered to a local user, by identity and digest, kept until
 * expiry: *fresh = 1 (and recorded) the first time, 0 after.
 */
vx_status vx_store_deliver_once(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                const uint8_t digest[32], int64_t expiry, int64_t now, int *fresh);

/*
 * Pending routing combos (7.1.2, 8.1.2). A combo is due at a random moment
 * between arrival + min and arrival + max, rounded up to a multiple of slot
 * seconds when that stays inside the window, so combos of one slot leave
 * together.
 */
#define VX_COMBO_KEY 16
typedef struct vx_combo_rec {
	uint8_t key[VX_COMBO_KEY]; /* due and sequence: the record's identity */
	int64_t due, expiry;       /* expiry: arrival + max */
	uint8_t fp[VX_FINGERPRINT_LEN];
	vx_bytes der; /* the RoutingCombo */
} vx_combo_rec;

vx_status vx_store_combo_add(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], const uint8_t *der,
                             size_t len, int64_t arrival, unsigned min_time, unsigned max_time,
                             unsigned slot, int64_t *due);
/*
 * At most max combos due by now, in random order (8.1.2). They stay stored
 * until vx_store_combo_finish; free each rec's der.
 */
vx_status vx_store_combo_due(vx_store *s, int64_t now, vx_combo_rec *recs, size_t max, size_t *n);
/*
 * A combo ran: remove it and, in the same transaction, queue the mail it
 * produced (recipient NULL: it produced none). A crash leaves either both
 * or neither: a combo's message is queued exactly once.
 */
vx_status vx_store_combo_finish(vx_store *s, const vx_combo_rec *rec, const char *recipient,
                                const uint8_t *mail, size_t len, int64_t due);

/*
 * The puzzle an identity must solve before it is more than temporary
 * (7.3.2.1): the challenge, at most 32 bits, kept until expiry.
 */
vx_status vx_store_puzzle_put(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                              const heim_bit_string *challenge, int64_t expiry);
/* VX_ENOTFOUND when none or expired; free with vx_puzzle_challenge_free. */
vx_status vx_store_puzzle_get(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now,
                              heim_bit_string *challenge);
vx_status vx_store_puzzle_del(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN]);

/*
 * Remove expired replay records, identities, puzzles, workspace slots and
 * delivery records (8.1.1); *removed counts them.
 */
vx_status vx_store_expire(vx_store *s, int64_t now, unsigned *removed);

/*
 * Raise an identity's quotas to at least messages and bytes in one
 * transaction (a lower value changes nothing). VX_ENOTFOUND when unknown
 * or expired.
 */
vx_status vx_store_identity_raise(vx_store *s, const uint8_t fp[VX_FINGERPRINT_LEN],
                                  uint64_t messages, uint64_t bytes, int64_t now);
/*
 * Move an identity's record (expiry, quotas, temporary flag) from one
 * fingerprint to another in one transaction, dropping a puzzle of the old
 * one (7.2.8). VX_ENOTFOUND when from is unknown or expired, VX_EINVAL
 * when to is from or a live identity already.
 */
vx_status vx_store_identity_move(vx_store *s, const uint8_t from[VX_FINGERPRINT_LEN],
                                 const uint8_t to[VX_FINGERPRINT_LEN], int64_t now);

/*
 * The node address book (7.2.7): DER NodeSpecs the admin added, at most
 * max_peers (VX_ELIMIT), each at most VX_PEER_MAX_DER bytes (VX_ELIMIT).
 * The store keeps bytes; callers encode and decode (core/der.h). Adding a
 * NodeSpec already in the book changes nothing.
 */
#define VX_PEER_MAX_DER    8192
#define VX_PEER_MAX_SAMPLE 256
vx_status vx_store_peer_put(vx_store *s, const uint8_t *der, size_t len);
/* VX_ENOTFOUND when not in the book. */
vx_status vx_store_peer_del(vx_store *s, const uint8_t *der, size_t len);
vx_status vx_store_peer_count(vx_store *s, size_t *n);
/* Call fn for every peer, oldest first; stops at, and returns, fn's first error. */
vx_status vx_store_peer_each(vx_store *s,
                             vx_status (*fn)(const uint8_t *der, size_t len, void *ctx), void *ctx);
/*
 * Up to max (at most VX_PEER_MAX_SAMPLE) distinct peers chosen uniformly
 * at random, in random order: out[0..*n) receive copies (free each).
 */
vx_status vx_store_peer_sample(vx_store *s, size_t max, vx_bytes *out, size_t *n);

/*
 * Named counters of what the node did (vortex stats): add n to one, in the
 * caller's batch when there is one, so a counter never counts what a
 * crash undid. Names are at most VX_COUNTER_NAME_MAX characters.
 */
#define VX_COUNTER_NAME_MAX 32
vx_status vx_store_count(vx_store *s, const char *name, uint64_t n);
/* Call fn for every counter, in name order, until it returns other than VX_OK. */
vx_status vx_store_counters(vx_store *s,
                            vx_status (*fn)(const char *name, uint64_t value, void *arg),
                            void *arg);

/* How much the store holds now. */
typedef struct vx_store_sizes {
	uint64_t identities, combos, slots, queue_items, queue_bytes, peers;
} vx_store_size;
vx_status vx_store_sizes(vx_store *s, vx_store_size *out);

/*
 * The IMAP poller's position in each (account, mailbox) (docs/store.md,
 * "imap"): the UIDVALIDITY it works in and the lowest UID not processed
 * yet, plus the UIDs that were processed but whose mailbox action (delete,
 * move, flag) is not confirmed yet. Messages are processed in UID order,
 * so every UID below the position is done: nothing is processed twice and
 * nothing skipped across restarts. Names are at most VX_IMAP_ACCOUNT_MAX
 * and VX_IMAP_MAILBOX_MAX bytes (VX_EINVAL otherwise).
 */
#define VX_IMAP_ACCOUNT_MAX 128
#define VX_IMAP_MAILBOX_MAX 255
/* VX_ENOTFOUND when the mailbox was never polled. */
vx_status vx_store_imap_get(vx_store *s, const char *account, const char *mailbox,
                            uint32_t *uidvalidity, uint32_t *next_uid);
/*
 * Start, or start over, in uidvalidity at next_uid (both > 0): the first
 * poll, or a UIDVALIDITY change the caller saw (docs/protocol-notes.md,
 * "IMAP poller"). Pending UIDs of any other UIDVALIDITY are dropped, as
 * they name no message any more; *dropped (may be NULL) counts them.
 */
vx_status vx_store_imap_reset(vx_store *s, const char *account, const char *mailbox,
                              uint32_t uidvalidity, uint32_t next_uid, unsigned *dropped);
/*
 * Record uid as processed and its mailbox action as pending, in the
 * caller's batch when there is one (so that processing a message and
 * recording it commit together). *fresh = 1 then; *fresh = 0 and nothing
 * changes when uid is below the position (processed before). VX_ENOTFOUND
 * before vx_store_imap_reset, VX_EINVAL when uidvalidity is not the one
 * the position is in.
 */
vx_status vx_store_imap_mark(vx_store *s, const char *account, const char *mailbox,
                             uint32_t uidvalidity, uint32_t uid, int *fresh);
/* The mailbox action on uid is done: forget it (no record is VX_OK too). */
vx_status vx_store_imap_done(vx_store *s, const char *account, const char *mailbox,
                             uint32_t uidvalidity, uint32_t uid);
/* The lowest pending UIDs (at most max) of uidvalidity, ascending, in uids[0..*n). */
vx_status vx_store_imap_pending(vx_store *s, const char *account, const char *mailbox,
                                uint32_t uidvalidity, uint32_t *uids, size_t max, size_t *n);

#endif
