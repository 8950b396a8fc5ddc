/*
 * account.h - one IMAP account of vortex-poller, polled in its own thread.
 *
 * Owns the account's life: connecting, certificate check and login
 * (poller/imap.c), selecting the mailbox and keeping the store's position
 * in it (vx_store_imap_*), redoing mailbox actions a crash left pending,
 * fetching new messages in bounded batches and handing each to its node
 * (vx_node_receive) in the same store transaction that records it, the
 * mailbox action only after that commit, then IDLE or polling; and on any
 * failure a reconnect after an exponential backoff with jitter
 * (reconnect_min to reconnect_max), so a failing account never spins and
 * never holds up the others. Mail without a Vortex message is left in the
 * mailbox untouched and only remembered as looked at.
 *
 * Why one thread per account: libetpan's calls block, every one of them
 * is bounded by the account's timeout, and accounts are few; a thread
 * each keeps a slow or failing server from delaying any other account.
 * The accounts share the stores through the runtime's per-node mutex.
 */
#ifndef VXP_ACCOUNT_H
#define VXP_ACCOUNT_H

#include "runtime.h"

typedef struct vxp_account vxp_account;

/*
 * Start polling account a of rt. The caller's reference to rt passes to
 * the thread (also on failure). 0, or -1 with errno.
 */
int vxp_account_start(vxd_runtime *rt, const vxd_account_conf *a, vxp_account **out);

/* Ask the thread to stop: its wait or backoff ends now, its current step finishes. */
void vxp_account_stop(vxp_account *acc);

/* Wait for a stopped thread to end (it logs out), and free it. */
void vxp_account_join(vxp_account *acc);

#endif
