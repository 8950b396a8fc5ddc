/*
 * outbound.h - the engine: a thread that, every run_interval, runs each
 * node's due combos (vx_node_run_due), expires old state now and then, and
 * empties the outbound queue through daemon/transport.c. An item leaves
 * the queue only when the MTA confirmed it; a failure is retried with
 * exponential backoff and jitter between retry_min and retry_max, so
 * nothing is ever lost. The expensive work of the milter's mail happens
 * here, after the SMTP transaction.
 */
#ifndef VXD_OUTBOUND_H
#define VXD_OUTBOUND_H

#include <stdint.h>

#include "runtime.h"

typedef struct vxd_round_stats {
	unsigned ran, sent, delivered; /* combos run; mails queued for nodes, for local users */
	unsigned confirmed, failed;    /* queue items the transport took, and did not */
} vxd_round_stats;

/* One round over rt's nodes at time now (expire: also expire old state). */
void vxd_outbound_round(vxd_runtime *rt, int64_t now, int expire, vxd_round_stats *stats);

/* Seconds before the next attempt of an item that failed attempts times (>= 1). */
int64_t vxd_outbound_backoff(const vxd_conf *c, uint32_t attempts);
/*
 * The same from min and max: min doubled per failure, capped at max, at a
 * random point of its upper half (also the poller's reconnects).
 */
int64_t vxd_backoff(unsigned min, unsigned max, uint32_t attempts);

/*
 * Start the engine thread; reload (may be NULL) is called in it when
 * vxd_outbound_wake asked for one. 0 or -1 (errno).
 */
int vxd_outbound_start(void (*reload)(void));
/* Wake the engine for a round now, with a reload first if reload. Async-signal-unsafe. */
void vxd_outbound_wake(int reload);
/* Stop the engine after its current step and join it. */
void vxd_outbound_stop(void);

#endif
