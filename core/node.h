/*
 * node.h - a MessageVortex node on top of the store: what a front end
 * (milter, poller, vortex tool) calls with the mail it receives and on a
 * timer. Receiving finds the Vortex messages in a mail, opens them,
 * decides on them (core/account.c), answers identity requests, and keeps
 * each routing combo with the payload it needs until it is due. Running due
 * combos executes them and queues the resulting mail in the store's
 * outbound queue, from which the front end sends.
 */
#ifndef VX_NODE_H
#define VX_NODE_H

#include "account.h"
#include "pkey.h"
#include "store.h"

typedef struct vx_node_config {
	const vx_pkey *const *hosts; /* the node's host keys (private) */
	size_t nhosts;
	const char *const *addresses; /* hosts[i]'s address, the From of its mail */
	const unsigned *offsets;      /* PLAIN offsets advertised */
	size_t noffsets;
	unsigned slot;            /* seconds of the release grid (8.1.2) */
	vx_account_policy policy; /* identity creation and quotas */
	/* content for a local user (a combo wrote ID 0); may be NULL */
	void (*deliver)(const uint8_t *msg, size_t len, void *arg);
	void *arg;
} vx_node_config;

typedef struct vx_node_stats {
	unsigned found;     /* Vortex messages found */
	unsigned processed; /* authenticated and taken */
	unsigned ignored;   /* unauthenticated, replayed, over quota, broken */
	unsigned combos;    /* combos kept for later */
	unsigned replies;   /* answers queued */
} vx_node_stats;

/*
 * Take one received mail at time now. When this returns VX_OK everything
 * it took is committed to the store. VX_EMIME for mail that cannot be
 * parsed (the front end passes it on untouched).
 */
vx_status vx_node_receive(vx_store *s, const vx_node_config *c, const uint8_t *mail, size_t len,
                          int64_t now, vx_node_stats *stats);

/* Run the combos due by now; *sent counts the mails queued. */
vx_status vx_node_run_due(vx_store *s, const vx_node_config *c, int64_t now, unsigned *sent);

#endif
