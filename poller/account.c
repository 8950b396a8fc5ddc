/* account.c - one IMAP account's thread; see account.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "imap.h"
#include "io.h"
#include "libstatus.h"
#include "log.h"
#include "outbound.h"
#include "secret.h"

/* Pending actions redone per store read at the start of a session. */
#define PENDING_STEP 64
/* An IDLE wait: vx_imap_wait re-issues IDLE within it, well before 29 minutes. */
#define IDLE_WAIT 1500

struct vxp_account {
	const vxd_account_conf *a;
	vxd_runtime *rt;
	vxd_node *node;
	pthread_t thread;
	int wake[2]; /* a byte in wake[1]: stop (never drained, so every wait ends) */
	atomic_int stop;
	vx_imap *h;
	uint32_t uidvalidity; /* of the selected mailbox */
	uint32_t next;        /* the next UID to fetch from */
	char why[600];        /* the last failure, for the log */
};

/* The session's failure: why it ended, for one log line. */
static vx_status failed(vxp_account *acc, vx_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static vx_status failed(vxp_account *acc, vx_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(acc->why, sizeof acc->why, fmt, ap);
	va_end(ap);
	return st;
}

static vx_status imap_failed(vxp_account *acc, vx_status st)
{
	return failed(acc, st, "%s", vx_imap_error(acc->h));
}

/* Sleep up to seconds, or less when told to stop. */
static void nap(vxp_account *acc, int64_t seconds)
{
	vxd_wait_fd(acc->wake[0], POLLIN, vxd_now_ms() + seconds * 1000);
}

/* The store's position in this mailbox, started or started over as needed. */
static vx_status sync_position(vxp_account *acc)
{
	const vxd_account_conf *a = acc->a;
	vx_store *s = vxd_node_lock(acc->node);
	uint32_t uv = 0, next = 0;
	unsigned dropped = 0;
	vx_status st = vx_store_imap_get(s, a->name, a->mailbox, &uv, &next);

	if (st == VX_ENOTFOUND || (st == VX_OK && uv != acc->uidvalidity)) {
		/* a new UIDVALIDITY names other messages: start over at UID 1 of it */
		if (st == VX_OK)
			vxd_log(LOG_WARNING, a->name,
			        "UIDVALIDITY of %s changed from %u to %u: starting over at UID 1 "
			        "(messages already processed meet the replay protection)",
			        a->mailbox, uv, acc->uidvalidity);
		next = 1;
		st = vx_store_imap_reset(s, a->name, a->mailbox, acc->uidvalidity, next, &dropped);
		if (st == VX_OK && dropped)
			vxd_log(LOG_WARNING, a->name,
			        "%u pending mailbox action(s) of UIDVALIDITY %u dropped", dropped,
			        uv);
	}
	vxd_node_unlock(acc->node);
	if (st != VX_OK)
		return failed(acc, st, "store position of %s: %s", a->mailbox, vx_strerror(st));
	acc->next = next;
	return VX_OK;
}

/* The configured action on a processed message, then its pending record dropped. */
static vx_status act(vxp_account *acc, uint32_t uid)
{
	static const vx_imap_action actions[] = {
	    [VXD_PROCESSED_DELETE] = VX_IMAP_DELETE,
	    [VXD_PROCESSED_MOVE] = VX_IMAP_MOVE,
	    [VXD_PROCESSED_FLAG] = VX_IMAP_FLAG,
	};
	const vxd_account_conf *a = acc->a;
	const char *arg = a->processed == VXD_PROCESSED_MOVE ? a->move_to : a->flag;
	vx_status st = vx_imap_mark(acc->h, uid, actions[a->processed], arg);

	if (st != VX_OK)
		return imap_failed(acc, st); /* still pending: redone at the next session */
	st = vx_store_imap_done(vxd_node_lock(acc->node), a->name, a->mailbox, acc->uidvalidity,
	                        uid);
	vxd_node_unlock(acc->node);
	if (st != VX_OK)
		return failed(acc, st, "store: UID %u done: %s", uid, vx_strerror(st));
	return VX_OK;
}

/* What a crash left between the commit and the mailbox action. */
static vx_status redo_pending(vxp_account *acc)
{
	const vxd_account_conf *a = acc->a;
	uint32_t uids[PENDING_STEP];
	size_t n;

	do {
		vx_status st = vx_store_imap_pending(vxd_node_lock(acc->node), a->name, a->mailbox,
		                                     acc->uidvalidity, uids, PENDING_STEP, &n);

		vxd_node_unlock(acc->node);
		if (st != VX_OK)
			return failed(acc, st, "store: pending actions: %s", vx_strerror(st));
		for (size_t i = 0; i < n; i++)
			if ((st = act(acc, uids[i])) != VX_OK)
				return st;
		if (n)
			vxd_log(LOG_INFO, a->name, "%zu pending mailbox action(s) done", n);
	} while (n == PENDING_STEP && !atomic_load(&acc->stop));
	return VX_OK;
}

/*
 * Record uid as looked at without processing it (mail that stays in the
 * mailbox): the position moves past it and no action is pending.
 */
static vx_status remember(vxp_account *acc, uint32_t uid)
{
	const vxd_account_conf *a = acc->a;
	vx_store *s = vxd_node_lock(acc->node);
	int fresh;
	vx_status st = vx_store_batch_begin(s);

	if (st == VX_OK) {
		st = vx_store_imap_mark(s, a->name, a->mailbox, acc->uidvalidity, uid, &fresh);
		if (st == VX_OK)
			st = vx_store_imap_done(s, a->name, a->mailbox, acc->uidvalidity, uid);
		if (st == VX_OK)
			st = vx_store_batch_commit(s);
		else
			vx_store_batch_abort(s);
	}
	vxd_node_unlock(acc->node);
	return st == VX_OK ? VX_OK : failed(acc, st, "store: UID %u: %s", uid, vx_strerror(st));
}

/*
 * One message: taken by the node and recorded in one commit; the mailbox
 * action after it, only for mail that carried a Vortex message.
 */
static vx_status take(vxp_account *acc, const vx_imap_msg *m)
{
	const vxd_account_conf *a = acc->a;
	vxd_node *n = acc->node;
	vx_node_stats ns;
	char what[64];
	int fresh = 0, vortex = 0;
	vx_status st, got;
	vx_store *s;

	if (m->oversize) {
		vxd_log(LOG_NOTICE, a->name,
		        "UID %u (%u bytes) is over max_message_size: left in the mailbox", m->uid,
		        m->size);
		return remember(acc, m->uid);
	}
	if (a->processed == VXD_PROCESSED_FLAG && (m->flags & VX_IMAP_F_MARK))
		return remember(acc, m->uid); /* flagged as processed before (a new UIDVALIDITY) */
	s = vxd_node_lock(n);
	if ((st = vx_store_batch_begin(s)) != VX_OK) {
		vxd_node_unlock(n);
		return failed(acc, st, "store: %s", vx_strerror(st));
	}
	st = vx_store_imap_mark(s, a->name, a->mailbox, acc->uidvalidity, m->uid, &fresh);
	if (st != VX_OK || !fresh) {
		vx_store_batch_abort(s);
		vxd_node_unlock(n);
		return st == VX_OK ? VX_OK : failed(acc, st, "store: %s", vx_strerror(st));
	}
	got = vx_node_receive(s, &n->cfg, m->body.data, m->body.len, time(NULL), &ns);
	if (got == VX_OK || got == VX_EMIME) {
		/* as the milter: a mail not parseable throughout stays as it is */
		vortex = got == VX_OK && ns.found > 0;
		/* ordinary mail: remembered as looked at, nothing pending on it */
		st = vortex ? VX_OK
		            : vx_store_imap_done(s, a->name, a->mailbox, acc->uidvalidity, m->uid);
		if (st == VX_OK)
			st = vx_store_batch_commit(s);
		else
			vx_store_batch_abort(s);
	} else {
		vx_store_batch_abort(s);
	}
	vxd_node_unlock(n);
	snprintf(what, sizeof what, "UID %u", m->uid);
	if (got != VX_OK && got != VX_EMIME) {
		/* the one mapping of statuses: pass leaves it in the mailbox, else retry later */
		if (vxd_libstatus(acc->rt->conf, VXD_CTX_MAIL, got, a->name, what) == VXD_PASS)
			return remember(acc, m->uid);
		return failed(acc, got, "%s: %s", what, vx_strerror(got));
	}
	if (st != VX_OK)
		return failed(acc, st, "store: %s: %s", what, vx_strerror(st));
	if (!vortex)
		return VX_OK;
	vxd_log(LOG_INFO, a->name, "%s: %u Vortex message(s): %u taken, %u ignored", what, ns.found,
	        ns.processed, ns.ignored);
	return act(acc, m->uid);
}

/* Fetch and take everything above the position, batch by batch. */
static vx_status drain(vxp_account *acc)
{
	const vxd_account_conf *a = acc->a;
	vx_imap_fetch_opts fo = {
	    .max_messages = a->batch_messages,
	    .max_bytes = a->batch_bytes,
	    .max_message = acc->rt->conf->max_message_size,
	    .mark_flag = a->processed == VXD_PROCESSED_FLAG ? a->flag : NULL,
	};
	int more;

	do {
		vx_imap_batch b = {0};
		vx_status st = vx_imap_fetch(acc->h, acc->next, &fo, &b);

		if (st != VX_OK) {
			vx_imap_batch_free(&b);
			return imap_failed(acc, st);
		}
		for (size_t i = 0; st == VX_OK && i < b.n && !atomic_load(&acc->stop); i++)
			st = take(acc, &b.msgs[i]);
		if (st == VX_OK && b.n)
			vxd_outbound_wake(0); /* combos due now run without waiting a round */
		more = b.more;
		if (st == VX_OK && !atomic_load(&acc->stop) && b.next_uid > acc->next)
			acc->next = b.next_uid;
		vx_imap_batch_free(&b);
		if (st != VX_OK)
			return st;
	} while (more && !atomic_load(&acc->stop));
	return VX_OK;
}

static vx_status login(vxp_account *acc)
{
	const vxd_account_conf *a = acc->a;
	char secret[VXD_SECRET_MAX], err[512];
	vx_status st;

	if (vxd_secret_read(&a->password, a->timeout, secret, sizeof secret, err, sizeof err))
		return failed(acc, VX_EINVAL, "password: %s", err);
	st = a->xoauth2 ? vx_imap_login_xoauth2(acc->h, a->user, secret)
	                : vx_imap_login(acc->h, a->user, secret);
	explicit_bzero(secret, sizeof secret);
	return st == VX_OK ? VX_OK : imap_failed(acc, st);
}

/* One connection, from connect to the first failure or the stop. */
static vx_status session(vxp_account *acc, unsigned *failures)
{
	const vxd_account_conf *a = acc->a;
	uint32_t uidnext;
	vx_status st;

	if ((st = vx_imap_connect(acc->h)) != VX_OK)
		return imap_failed(acc, st);
	if ((st = login(acc)) != VX_OK)
		return st;
	if ((st = vx_imap_select(acc->h, a->mailbox, &acc->uidvalidity, &uidnext)) != VX_OK)
		return imap_failed(acc, st);
	if ((st = sync_position(acc)) != VX_OK || (st = redo_pending(acc)) != VX_OK)
		return st;
	vxd_log(LOG_INFO, a->name, "%s@%s: %s selected (UIDVALIDITY %u, next UID %u), %s", a->user,
	        a->host, a->mailbox, acc->uidvalidity, acc->next,
	        a->idle && vx_imap_has(acc->h, "IDLE") ? "waiting with IDLE" : "polling");
	*failures = 0;
	while (!atomic_load(&acc->stop)) {
		int changed;
		unsigned wait =
		    a->idle && vx_imap_has(acc->h, "IDLE") ? IDLE_WAIT : a->poll_interval;

		if ((st = drain(acc)) != VX_OK)
			return st;
		if (atomic_load(&acc->stop))
			break;
		if ((st = vx_imap_wait(acc->h, wait, &changed)) != VX_OK)
			return imap_failed(acc, st);
	}
	return VX_OK;
}

static void *run(void *arg)
{
	vxp_account *acc = arg;
	const vxd_conf *c = acc->rt->conf;
	unsigned failures = 0;

	while (!atomic_load(&acc->stop)) {
		vx_status st = session(acc, &failures);
		int64_t delay;

		if (atomic_load(&acc->stop))
			break;
		if (st == VX_OK) /* the server ended the session: reconnect as after a failure */
			failed(acc, VX_EIO, "session ended");
		vx_imap_close(acc->h);
		delay = vxd_backoff(c->reconnect_min, c->reconnect_max, ++failures);
		vxd_libstatus(c, VXD_CTX_ACCOUNT, st == VX_OK ? VX_EIO : st, acc->a->name,
		              acc->why);
		vxd_log(LOG_INFO, acc->a->name, "next attempt in %lld s (failure %u)",
		        (long long)delay, failures);
		nap(acc, delay);
	}
	return NULL;
}

int vxp_account_start(vxd_runtime *rt, const vxd_account_conf *a, vxp_account **out)
{
	vxp_account *acc = calloc(1, sizeof *acc);
	vx_imap_opts o = {
	    .host = a->host,
	    .port = a->port,
	    .tls = a->tls == VXD_TLS_IMPLICIT   ? VX_IMAP_TLS
	           : a->tls == VXD_TLS_STARTTLS ? VX_IMAP_STARTTLS
	                                        : VX_IMAP_PLAIN,
	    .allow_plain = a->allow_plain,
	    .ca_file = a->ca_file,
	    .verify_name = a->verify_name,
	    .timeout = a->timeout,
	    .no_idle = !a->idle,
	};
	int e;

	*out = NULL;
	if (!acc || pipe2(acc->wake, O_CLOEXEC | O_NONBLOCK)) {
		free(acc);
		vxd_runtime_put(rt);
		errno = ENOMEM;
		return -1;
	}
	acc->a = a, acc->rt = rt;
	acc->node = vxd_runtime_node(rt, a->node, strlen(a->node));
	o.wake_fd = acc->wake[0];
	e = !acc->node                          ? EINVAL
	    : vx_imap_new(&o, &acc->h) != VX_OK ? ENOMEM
	                                        : pthread_create(&acc->thread, NULL, run, acc);
	if (e) {
		vx_imap_free(acc->h);
		close(acc->wake[0]), close(acc->wake[1]), free(acc);
		vxd_runtime_put(rt);
		errno = e;
		return -1;
	}
	*out = acc;
	return 0;
}

void vxp_account_stop(vxp_account *acc)
{
	atomic_store(&acc->stop, 1);
	ssize_t w = write(acc->wake[1], "", 1); /* fails only when full of such bytes */

	(void)w;
}

void vxp_account_join(vxp_account *acc)
{
	pthread_join(acc->thread, NULL);
	vx_imap_free(acc->h); /* logs out, bounded by the timeout */
	close(acc->wake[0]), close(acc->wake[1]);
	vxd_runtime_put(acc->rt);
	free(acc);
}
