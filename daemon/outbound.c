/* outbound.c - the engine thread and the queue; see outbound.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libstatus.h"
#include "localmail.h"
#include "log.h"
#include "outbound.h"
#include "transport.h"

/* Queue items per node and round: the combos of the next round are not held up. */
#define ROUND_ITEMS 1000

static pthread_mutex_t eng_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t eng_cond = PTHREAD_COND_INITIALIZER;
static pthread_t eng_thread;
static int eng_stop, eng_reload, eng_wake, eng_running;
static void (*eng_reload_fn)(void);

int64_t vxd_backoff(unsigned min, unsigned max, uint32_t attempts)
{
	uint64_t d = min;

	/* doubling per failure, capped; jitter keeps retries of many items apart */
	for (uint32_t i = 1; i < attempts && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	d = d / 2 + arc4random_uniform((uint32_t)(d / 2 + 1));
	return (int64_t)(d < min ? min : d);
}

int64_t vxd_outbound_backoff(const vxd_conf *c, uint32_t attempts)
{
	return vxd_backoff(c->retry_min, c->retry_max, attempts);
}

/*
 * A next hop that is a node of this server, with reinject = smtp: the
 * milter-free listener would deliver it unprocessed, so it goes straight
 * into that node's store (sendmail passes the milter again by itself).
 */
static int hand_over(vxd_node *to, const vx_queue_item *it, char *err, size_t errlen)
{
	vx_node_stats stats;
	vx_status st;

	st = vx_node_receive(vxd_node_lock(to), &to->cfg, it->data.data, it->data.len, time(NULL),
	                     &stats);
	vxd_node_unlock(to);
	if (st == VX_OK || st == VX_EMIME)
		return 0;
	snprintf(err, errlen, "%s: receiving: %s", to->conf->address, vx_strerror(st));
	return -1;
}

/* A node on a remote mailbox sends through its provider's submission server. */
static int transport(const vxd_conf *c, const vxd_node *n, const char *rcpt, const uint8_t *mail,
                     size_t len, char *err, size_t errlen)
{
	if (n->conf->submission)
		return vxd_transport_submit(c, n->conf->submission, n->conf->address, rcpt, mail,
		                            len, err, errlen);
	return vxd_transport_send(c, n->conf->address, rcpt, mail, len, err, errlen);
}

/* Hand one item to the transport; 0 when the MTA (or the next node here) took it. */
static int send_item(vxd_runtime *rt, vxd_node *n, const vx_queue_item *it, char *err,
                     size_t errlen)
{
	const vxd_conf *c = rt->conf;
	vx_bytes mail = {0};
	vxd_node *to;
	vx_status st;
	int rc;

	if (!(it->flags & VX_QUEUE_LOCAL) && !n->conf->submission &&
	    c->reinject == VXD_REINJECT_SMTP &&
	    (to = vxd_runtime_node(rt, it->recipient, strlen(it->recipient))))
		return hand_over(to, it, err, errlen);
	if (!(it->flags & VX_QUEUE_LOCAL))
		return transport(c, n, it->recipient, it->data.data, it->data.len, err, errlen);
	st = vxd_localmail_build(it->data.data, it->data.len, n->conf->address, n->conf->deliver_to,
	                         &mail);
	if (st != VX_OK) {
		snprintf(err, errlen, "local mail: %s", vx_strerror(st));
		return -1;
	}
	rc = transport(c, n, n->conf->deliver_to, mail.data, mail.len, err, errlen);
	vx_bytes_free(&mail);
	return rc;
}

static void drain_queue(vxd_runtime *rt, vxd_node *n, int64_t now, vxd_round_stats *rs)
{
	const vxd_conf *c = rt->conf;

	for (int i = 0; i < ROUND_ITEMS; i++) {
		vx_queue_item it;
		char err[256] = "";
		const char *to;
		vx_status st;
		int rc;

		st = vx_store_queue_next(vxd_node_lock(n), now, &it);
		vxd_node_unlock(n);
		if (st == VX_ENOTFOUND)
			return;
		if (st != VX_OK) {
			vxd_libstatus(c, VXD_CTX_ENGINE, st, n->conf->address, "queue");
			return;
		}
		/* the store's lock is not held while the MTA takes its time */
		rc = send_item(rt, n, &it, err, sizeof err);
		to = it.flags & VX_QUEUE_LOCAL ? n->conf->deliver_to : it.recipient;
		if (rc == 0) {
			st = vx_store_queue_done(vxd_node_lock(n), it.id);
			rs->confirmed++;
			vxd_log(LOG_INFO, n->conf->address,
			        "queue item %llu (%zu bytes%s) to %s: sent",
			        (unsigned long long)it.id, it.data.len,
			        it.flags & VX_QUEUE_LOCAL ? ", local" : "", to);
		} else {
			int64_t delay = vxd_outbound_backoff(c, it.attempts + 1);

			st = vx_store_queue_retry(vxd_node_lock(n), it.id, now + delay);
			rs->failed++;
			vxd_log(LOG_WARNING, n->conf->address,
			        "queue item %llu to %s: %s; attempt %u, next in %lld s",
			        (unsigned long long)it.id, to, err, it.attempts + 1,
			        (long long)delay);
		}
		vxd_node_unlock(n);
		vx_bytes_free(&it.data);
		if (st != VX_OK) {
			/* not marked: the item comes again (sent twice at worst, never lost) */
			vxd_libstatus(c, VXD_CTX_ENGINE, st, n->conf->address, "queue update");
			return;
		}
	}
}

void vxd_outbound_round(vxd_runtime *rt, int64_t now, int expire, vxd_round_stats *stats)
{
	const vxd_conf *c = rt->conf;
	vxd_round_stats local;
	vxd_round_stats *rs = stats ? stats : &local;

	memset(rs, 0, sizeof *rs);
	for (size_t i = 0; i < rt->nnodes; i++) {
		vxd_node *n = &rt->nodes[i];
		vx_node_run_stats run;
		unsigned removed = 0;
		vx_status st;

		if (!n->engine)
			continue;
		st = vx_node_run_due(vxd_node_lock(n), &n->cfg, now, &run);
		vxd_node_unlock(n);
		if (st != VX_OK)
			vxd_libstatus(c, VXD_CTX_ENGINE, st, n->conf->address, "running combos");
		else if (run.ran || run.dropped || run.refused || run.pending)
			vxd_log(LOG_INFO, n->conf->address,
			        "combos: %u ran, %u sent, %u delivered, %u refused (quota), %u "
			        "dropped, %u pending, %u operations failed",
			        run.ran, run.sent, run.delivered, run.refused, run.dropped,
			        run.pending, run.failed);
		if (st == VX_OK)
			rs->ran += run.ran, rs->sent += run.sent, rs->delivered += run.delivered;
		if (expire) {
			st = vx_store_expire(vxd_node_lock(n), now, &removed);
			vxd_node_unlock(n);
			if (st != VX_OK)
				vxd_libstatus(c, VXD_CTX_ENGINE, st, n->conf->address, "expiry");
			else if (removed)
				vxd_log(LOG_INFO, n->conf->address, "expired %u records", removed);
		}
		drain_queue(rt, n, now, rs);
	}
}

static void *engine(void *arg)
{
	int64_t next_expire = 0;

	(void)arg;
	pthread_mutex_lock(&eng_lock);
	while (!eng_stop) {
		vxd_runtime *rt;
		int reload = eng_reload;
		unsigned interval = 10;
		struct timespec until;

		eng_reload = eng_wake = 0;
		pthread_mutex_unlock(&eng_lock);
		if (reload && eng_reload_fn)
			eng_reload_fn();
		if ((rt = vxd_runtime_get())) {
			int64_t now = time(NULL);
			int expire = now >= next_expire;

			if (expire)
				next_expire = now + rt->conf->expire_interval;
			vxd_outbound_round(rt, now, expire, NULL);
			interval = rt->conf->run_interval;
			vxd_runtime_put(rt);
		}
		pthread_mutex_lock(&eng_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval;
		while (!eng_stop && !eng_wake &&
		       pthread_cond_timedwait(&eng_cond, &eng_lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&eng_lock);
	return NULL;
}

int vxd_outbound_start(void (*reload)(void))
{
	int e;

	eng_reload_fn = reload;
	eng_stop = 0;
	if ((e = pthread_create(&eng_thread, NULL, engine, NULL))) {
		errno = e;
		return -1;
	}
	eng_running = 1;
	return 0;
}

void vxd_outbound_wake(int reload)
{
	pthread_mutex_lock(&eng_lock);
	eng_wake = 1;
	eng_reload |= reload;
	pthread_cond_signal(&eng_cond);
	pthread_mutex_unlock(&eng_lock);
}

void vxd_outbound_stop(void)
{
	if (!eng_running)
		return;
	pthread_mutex_lock(&eng_lock);
	eng_stop = 1;
	pthread_cond_signal(&eng_cond);
	pthread_mutex_unlock(&eng_lock);
	pthread_join(eng_thread, NULL);
	eng_running = 0;
}
