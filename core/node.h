/*
 * node.h - a MessageVortex node on top of the store: what a front end
 * (milter, poller, vortex tool) calls with the mail it receives and on a
 * timer. Receiving finds the Vortex messages in a mail, opens them,
 * decides on them (core/account.c), answers identity requests, and keeps
 * each routing combo with the payload it needs until it is due. Running due
 * combos executes them over the identity's shared workspace and queues what
 * they produce in the store's outbound queue, from which the front end
 * sends: mail for the next node, and content for a local user
 * (VX_QUEUE_LOCAL). Each call is one store transaction: all or nothing.
 */
#ifndef VX_NODE_H
#define VX_NODE_H

#include "account.h"
#include "compose.h"
#include "pkey.h"
#include "request.h"
#include "store.h"

typedef struct vx_node_config {
	const vx_pkey *const *hosts; /* the node's host keys (private) */
	size_t nhosts;
	const char *const *addresses; /* hosts[i]'s address, the From of its mail */
	const unsigned *offsets;      /* PLAIN offsets advertised */
	size_t noffsets;
	unsigned slot;            /* seconds of the release grid (8.1.2) */
	vx_account_policy policy; /* identity creation and quotas */
	/* answers to header requests (7.2.2-7.2.8); NULL: not answered */
	const vx_request_policy *requests;
	const vx_carrier_note *notes; /* what carrier mail says (none: built-in notes) */
	size_t nnotes;
	size_t workspace_bytes; /* bound of one combo's workspace; 0: 64 MiB */
	uint64_t combo_work;    /* bound of one combo's coding work (vx_op_work); 0: 2^27 */
} vx_node_config;

#define VX_NODE_MAX_CARRIERS 16

typedef struct vx_node_stats {
	unsigned found;     /* Vortex messages found */
	unsigned processed; /* authenticated and taken */
	unsigned ignored;   /* unauthenticated, replayed, over quota, broken */
	unsigned combos;    /* combos kept for later */
	unsigned replies;   /* answers queued */
	unsigned chunks;    /* payload chunks of the processed messages */
	unsigned replayed;  /* of the ignored: replays used up (7.1.1) */
	unsigned quota;     /* of the ignored: message quota exhausted (8.1.3) */
	/* the MIME leaf parts that held them (vx_mime_strip), the first 16 of ncarriers */
	unsigned carriers[VX_NODE_MAX_CARRIERS];
	unsigned ncarriers;
} vx_node_stats;

/*
 * Both calls also add what they did to the store's counters (vortex stats)
 * in their own transaction: received, processed, ignored, replayed,
 * over_quota, combos, replies, chunks_in; ran, sent, chunks_out,
 * delivered, refused, dropped, failed_ops.
 *
 * Take one received mail at time now. When this returns VX_OK everything
 * it took is committed to the store. VX_EMIME for mail that cannot be
 * parsed or walked within the MIME bounds (what was found in it is
 * committed too; the front end passes the mail on untouched). Any other
 * error: nothing was taken (the front end temp-fails).
 */
vx_status vx_node_receive(vx_store *s, const vx_node_config *c, const uint8_t *mail, size_t len,
                          int64_t now, vx_node_stats *stats);

typedef struct vx_node_run_stats {
	unsigned ran;       /* combos run and removed */
	unsigned sent;      /* mails queued for a next node */
	unsigned delivered; /* contents queued for a local user (VX_QUEUE_LOCAL) */
	unsigned refused;   /* built, but over the identity's quota (8.1.4): not sent */
	unsigned dropped;   /* unreadable, expired or unassemblable: removed unrun */
	unsigned pending;   /* left for a later run (a bound of the store was hit) */
	unsigned failed;    /* operations that failed and were skipped (7.1.2) */
	unsigned chunks;    /* payload chunks of the mails queued for next nodes */
} vx_node_run_stats;

/*
 * Run the combos due by now. Content written to ID 0 is queued for the
 * local user at the address of the host key that opened the message, raw
 * as it stands at ID 0 (vx_special_classify tells special blocks from
 * user content and unescapes), and only once per identity and content, so
 * that chunks of one message sent along several paths are delivered once.
 */
vx_status vx_node_run_due(vx_store *s, const vx_node_config *c, int64_t now,
                          vx_node_run_stats *stats);

#endif
