/*
 * t-imap.c - poller/imap.c and the store's poller state against a real
 * Dovecot (started by tests/t-imap.sh, which passes its ports, CA and
 * directories in DC_* variables): TLS modes, certificate and name checks
 * before any credential, login errors, batched fetch in UID order, state
 * across restarts, UIDVALIDITY changes, IDLE, polling and the mailbox
 * actions. Every wait is bounded.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imap.h"
#include "store.h"
#include "tap.h"

static const char *dc_dir, *dc_log, *dc_conf, *dc_ca, *dc_other_ca;
static unsigned port_starttls, port_tls, port_plain;
static uid_t mail_uid;
static gid_t mail_gid;
static char store_dir[] = "/tmp/vx-imap-store-XXXXXX";

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		printf("Bail out! %s is not set (run tests/t-imap.sh)\n", name);
		exit(1);
	}
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Deliver one message into user's Maildir folder ("" is INBOX), as LDA would. */
static int put(const char *user, const char *folder, const char *subject, size_t pad)
{
	static unsigned seq;
	char tmp[512], dst[512], dir[400];
	FILE *f;

	snprintf(dir, sizeof dir, "%s/mail/%s%s%s", dc_dir, user, *folder ? "/." : "", folder);
	snprintf(tmp, sizeof tmp, "%s/tmp/%ld.M%uP%d.vxtest", dir, (long)time(NULL), ++seq,
	         (int)getpid());
	snprintf(dst, sizeof dst, "%s/new/%s", dir, strrchr(tmp, '/') + 1);
	if (!(f = fopen(tmp, "w")))
		return -1;
	fprintf(f, "From: sender@example.org\r\nTo: %s@localhost\r\nSubject: %s\r\n\r\n", user,
	        subject);
	for (size_t i = 0; i < pad; i++)
		fputc(i % 64 == 63 ? '\n' : 'x', f);
	fputs("\r\n", f);
	if (fclose(f) || chown(tmp, mail_uid, mail_gid) || rename(tmp, dst))
		return -1;
	return 0;
}

static int doveadm(const char *args)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "doveadm -c %s %s >/dev/null 2>&1", dc_conf, args);
	return system(cmd);
}

/* 1 when the Dovecot log mentions s (auth_verbose logs every user tried). */
static int log_has(const char *s)
{
	char buf[65536];
	FILE *f = fopen(dc_log, "r");
	size_t n;
	int found = 0;

	if (!f)
		return -1;
	while (!found && (n = fread(buf, 1, sizeof buf - 1, f)) > 0) {
		buf[n] = '\0';
		found = strstr(buf, s) != NULL;
	}
	fclose(f);
	return found;
}

static vx_imap_opts opts(vx_imap_tls tls, const char *host, unsigned port, const char *ca)
{
	return (vx_imap_opts){.host = host, .port = port, .tls = tls, .ca_file = ca, .timeout = 10};
}

static vx_imap *handle(const vx_imap_opts *o)
{
	vx_imap *h = NULL;

	if (vx_imap_new(o, &h) != VX_OK) {
		printf("Bail out! vx_imap_new\n");
		exit(1);
	}
	return h;
}

/* Connected, logged in as user and with mailbox selected, or NULL (diagnosed). */
static vx_imap *session(const char *user, const char *mailbox, uint32_t *uv, unsigned no_idle)
{
	vx_imap_opts o = opts(VX_IMAP_STARTTLS, "127.0.0.1", port_starttls, dc_ca);
	char pass[64];
	uint32_t v, next;
	vx_imap *h;

	o.no_idle = (int)no_idle;
	h = handle(&o);
	snprintf(pass, sizeof pass, "%spass", user);
	if (vx_imap_connect(h) != VX_OK || vx_imap_login(h, user, pass) != VX_OK ||
	    vx_imap_select(h, mailbox, uv ? uv : &v, &next) != VX_OK) {
		tap_diag("session %s/%s: %s", user, mailbox, vx_imap_error(h));
		vx_imap_free(h);
		return NULL;
	}
	return h;
}

static void test_tls(void)
{
	vx_imap_opts o = opts(VX_IMAP_STARTTLS, "127.0.0.1", port_starttls, dc_ca);
	vx_imap *h = handle(&o);
	uint32_t uv, next;
	vx_status st;

	ok(vx_imap_connect(h) == VX_OK, "STARTTLS: connected, chain and IP address verified (%s)",
	   vx_imap_error(h));
	ok(vx_imap_login(h, "node1", "node1pass") == VX_OK, "STARTTLS: logged in");
	ok(vx_imap_has(h, "IDLE"), "capabilities refreshed after login: IDLE");
	st = vx_imap_select(h, "INBOX", &uv, &next);
	ok(st == VX_OK && uv > 0 && next > 0, "INBOX selected: UIDVALIDITY %u UIDNEXT %u", uv,
	   next);
	vx_imap_free(h);
	h = handle(&o);
	ok(vx_imap_connect(h) == VX_OK && vx_imap_login(h, "logcheck", "x") == VX_ELOGIN,
	   "control: an unknown user is refused...");
	ok(log_has("logcheck") == 1, "...and the Dovecot log shows every user name tried");
	vx_imap_free(h);

	o = opts(VX_IMAP_TLS, "localhost", port_tls, dc_ca);
	h = handle(&o);
	ok(vx_imap_connect(h) == VX_OK, "implicit TLS: connected, chain and DNS name verified (%s)",
	   vx_imap_error(h));
	ok(vx_imap_login(h, "node1", "node1pass") == VX_OK, "implicit TLS: logged in");
	vx_imap_free(h);

	o = opts(VX_IMAP_STARTTLS, "127.0.0.1", port_starttls, dc_other_ca);
	h = handle(&o);
	is(vx_imap_connect(h), VX_ECERT, "a certificate from another CA is refused");
	ok(strstr(vx_imap_error(h), "unable to get local issuer certificate") != NULL,
	   "with a clear error: %s", vx_imap_error(h));
	ok(!vx_imap_connected(h) && vx_imap_login(h, "certtest", "x") == VX_EINVAL,
	   "the connection is closed: login is refused locally");
	vx_imap_free(h);

	o = opts(VX_IMAP_TLS, "127.0.0.1", port_tls, dc_other_ca);
	h = handle(&o);
	is(vx_imap_connect(h), VX_ECERT, "implicit TLS: another CA is refused too");
	ok(!vx_imap_connected(h) && vx_imap_login(h, "certtest", "x") == VX_EINVAL,
	   "and nothing can be sent after it");
	vx_imap_free(h);

	o = opts(VX_IMAP_TLS, "127.0.0.1", port_tls, NULL);
	h = handle(&o);
	is(vx_imap_connect(h), VX_ECERT, "the test CA is not in the system store: refused");
	vx_imap_free(h);

	o = opts(VX_IMAP_TLS, "127.0.0.1", port_tls, dc_ca);
	o.verify_name = "mail.example.org";
	h = handle(&o);
	is(vx_imap_connect(h), VX_ECERT, "a certificate for another name is refused");
	ok(strstr(vx_imap_error(h), "does not name mail.example.org") != NULL, "%s",
	   vx_imap_error(h));
	vx_imap_free(h);

	o = opts(VX_IMAP_STARTTLS, "127.0.0.1", port_starttls, dc_ca);
	o.verify_name = "127.0.0.9";
	h = handle(&o);
	is(vx_imap_connect(h), VX_ECERT, "an address the certificate does not carry is refused");
	vx_imap_free(h);
	ok(log_has("certtest") == 0,
	   "no credentials reached the server after a refused certificate");

	o = opts(VX_IMAP_TLS, "127.0.0.1", port_starttls, dc_ca);
	o.timeout = 2;
	h = handle(&o);
	is(vx_imap_connect(h), VX_EIO, "TLS to the STARTTLS port fails cleanly (%s)",
	   vx_imap_error(h));
	vx_imap_free(h);
}

static void test_login(void)
{
	vx_imap_opts o = opts(VX_IMAP_TLS, "127.0.0.1", port_tls, dc_ca);
	vx_imap *h = handle(&o);
	double t;

	ok(vx_imap_connect(h) == VX_OK, "connected for the login tests");
	is(vx_imap_login(h, "node1", "wrongpass-secret"), VX_ELOGIN, "wrong password: refused");
	ok(strstr(vx_imap_error(h), "Authentication failed") != NULL &&
	       !strstr(vx_imap_error(h), "wrongpass-secret"),
	   "with the server's words and without the password: %s", vx_imap_error(h));
	is(vx_imap_login_xoauth2(h, "node1", "token-secret"), VX_EUNSUPPORTED,
	   "XOAUTH2 not offered: nothing sent (%s)", vx_imap_error(h));
	ok(vx_imap_login(h, "node1", "node1pass") == VX_OK, "the right password after a wrong one");
	vx_imap_free(h);

	o = opts(VX_IMAP_PLAIN, "127.0.0.1", port_starttls, NULL);
	h = handle(&o);
	t = now();
	is(vx_imap_connect(h), VX_EINVAL, "plaintext refused unless allowed (%s)",
	   vx_imap_error(h));
	ok(now() - t < 0.1 && !vx_imap_connected(h), "without connecting at all");
	vx_imap_free(h);

	o.allow_plain = 1;
	h = handle(&o);
	ok(vx_imap_connect(h) == VX_OK && vx_imap_login(h, "node1", "node1pass") == VX_OK,
	   "plaintext when allowed: loopback counts as secure for Dovecot");
	vx_imap_free(h);

	o = opts(VX_IMAP_PLAIN, "127.0.0.2", port_plain, NULL);
	o.allow_plain = 1;
	h = handle(&o);
	ok(vx_imap_connect(h) == VX_OK, "plaintext to 127.0.0.2 (not secure for Dovecot)");
	is(vx_imap_login(h, "plaincheck", "node1pass"), VX_ELOGIN,
	   "LOGINDISABLED: refused without sending (%s)", vx_imap_error(h));
	ok(log_has("plaincheck") == 0, "no credentials reached the server");
	vx_imap_free(h);
}

static void test_fetch(void)
{
	vx_imap_fetch_opts fo = {.max_messages = 10};
	uint32_t uv, from = 1, last = 0;
	size_t sizes[3] = {0};
	int order = 1, bodies = 1, n = 0;
	vx_imap *h;

	for (int i = 1; i <= 25; i++) {
		char subj[32];

		snprintf(subj, sizeof subj, "msg %d", i);
		if (put("node1", "", subj, 0))
			tap_diag("put %d failed", i);
	}
	if (!ok((h = session("node1", "INBOX", &uv, 0)) != NULL, "25 messages delivered"))
		return;
	for (int b = 0; b < 3; b++) {
		vx_imap_batch bt;

		if (vx_imap_fetch(h, from, &fo, &bt) != VX_OK) {
			tap_diag("fetch: %s", vx_imap_error(h));
			break;
		}
		sizes[b] = bt.n;
		for (size_t i = 0; i < bt.n; i++) {
			char want[40];

			n++;
			snprintf(want, sizeof want, "Subject: msg %d\r\n", n);
			order &= bt.msgs[i].uid > last;
			last = bt.msgs[i].uid;
			bodies &= bt.msgs[i].body.len == bt.msgs[i].size &&
			          memmem(bt.msgs[i].body.data, bt.msgs[i].body.len, want,
			                 strlen(want)) != NULL;
		}
		ok(bt.more == (b < 2), "batch %d: more = %d", b + 1, bt.more);
		from = bt.next_uid;
		vx_imap_batch_free(&bt);
	}
	ok(sizes[0] == 10 && sizes[1] == 10 && sizes[2] == 5,
	   "batches of 10, 10 and 5 (%zu %zu %zu)", sizes[0], sizes[1], sizes[2]);
	ok(order && bodies, "in UID order, each body whole and the one delivered at that place");
	vx_imap_free(h);
}

/* One run of a poller: process up to max messages from the store's position. */
static int run(vx_store *s, uint32_t uv, int max, int leave_pending, int *twice)
{
	vx_imap_fetch_opts fo = {.max_messages = 10, .mark_flag = "$VortexDone"};
	uint32_t have, next;
	int done = 0;
	vx_imap *h = session("node1", "INBOX", NULL, 0);

	if (!h)
		return -1;
	if (vx_store_imap_get(s, "acct1", "INBOX", &have, &next) != VX_OK || have != uv) {
		vx_imap_free(h);
		return -1;
	}
	while (done < max) {
		vx_imap_batch bt;

		if (vx_imap_fetch(h, next, &fo, &bt) != VX_OK || !bt.n) {
			vx_imap_batch_free(&bt);
			break;
		}
		for (size_t i = 0; i < bt.n && done < max; i++) {
			int fresh = 0;
			uint32_t uid = bt.msgs[i].uid;

			/* processing and recording commit together */
			if (vx_store_batch_begin(s) != VX_OK ||
			    vx_store_imap_mark(s, "acct1", "INBOX", uv, uid, &fresh) != VX_OK ||
			    vx_store_batch_commit(s) != VX_OK)
				break;
			*twice += !fresh || (bt.msgs[i].flags & VX_IMAP_F_MARK);
			done++;
			next = uid + 1;
			if (leave_pending && done == max)
				break; /* "crash" before the mailbox action */
			if (vx_imap_mark(h, uid, VX_IMAP_FLAG, "$VortexDone") == VX_OK)
				vx_store_imap_done(s, "acct1", "INBOX", uv, uid);
		}
		vx_imap_batch_free(&bt);
	}
	vx_imap_free(h);
	return done;
}

static void test_state(void)
{
	uint32_t uv, next, have, first_uid = 0, pend[8];
	size_t np = 0;
	int twice = 0, fresh = 1;
	vx_store *s;
	vx_imap *h;
	vx_imap_batch bt;

	if (!mkdtemp(store_dir) || vx_store_open(store_dir, NULL, &s) != VX_OK) {
		ok(0, "store opened");
		return;
	}
	if (!(h = session("node1", "INBOX", &uv, 0))) {
		ok(0, "session for the state test");
		vx_store_close(s);
		return;
	}
	if (vx_imap_fetch(h, 1, NULL, &bt) == VX_OK && bt.n)
		first_uid = bt.msgs[0].uid;
	vx_imap_batch_free(&bt);
	vx_imap_free(h);
	is(vx_store_imap_get(s, "acct1", "INBOX", &have, &next), VX_ENOTFOUND,
	   "a mailbox never polled has no position");
	is(vx_store_imap_mark(s, "acct1", "INBOX", uv, first_uid, &fresh), VX_ENOTFOUND,
	   "marking before the first reset is refused");
	ok(vx_store_imap_reset(s, "acct1", "INBOX", uv, 1, NULL) == VX_OK,
	   "position reset to UID 1");

	is(run(s, uv, 10, 1, &twice), 10, "first run: 10 messages processed, then a crash");
	ok(vx_store_imap_pending(s, "acct1", "INBOX", uv, pend, 8, &np) == VX_OK && np == 1,
	   "the last one's mailbox action is pending");
	vx_store_close(s);

	if (vx_store_open(store_dir, NULL, &s) != VX_OK) {
		ok(0, "store reopened");
		return;
	}
	have = next = 0;
	vx_store_imap_get(s, "acct1", "INBOX", &have, &next);
	ok(have == uv && next == first_uid + 10,
	   "after the restart the position is the 11th message (UID %u)", next);
	if ((h = session("node1", "INBOX", NULL, 0))) {
		ok(vx_imap_mark(h, pend[0], VX_IMAP_FLAG, "$VortexDone") == VX_OK &&
		       vx_store_imap_done(s, "acct1", "INBOX", uv, pend[0]) == VX_OK,
		   "the pending action is done at restart");
		vx_imap_free(h);
	}
	ok(vx_store_imap_pending(s, "acct1", "INBOX", uv, pend, 8, &np) == VX_OK && np == 0,
	   "nothing pending any more");
	is(run(s, uv, 100, 0, &twice), 15, "second run: the other 15 messages");
	is(twice, 0, "no message was processed twice (no mark flag seen, every mark fresh)");
	ok(vx_store_imap_mark(s, "acct1", "INBOX", uv, first_uid + 3, &fresh) == VX_OK && !fresh,
	   "an old UID is recognised as processed");
	is(vx_store_imap_mark(s, "acct1", "INBOX", uv + 1, first_uid + 30, &fresh), VX_EINVAL,
	   "a mark in another UIDVALIDITY is refused");
	is(run(s, uv, 100, 0, &twice), 0, "a third run finds nothing new");
	if ((h = session("node1", "INBOX", NULL, 0))) {
		vx_imap_fetch_opts fo = {.max_messages = 30, .mark_flag = "$VortexDone"};
		int all = 1;

		if (vx_imap_fetch(h, 1, &fo, &bt) == VX_OK)
			for (size_t i = 0; i < bt.n; i++)
				all &= !!(bt.msgs[i].flags & VX_IMAP_F_MARK);
		ok(bt.n == 25 && all, "all 25 messages carry the mark flag on the server");
		vx_imap_batch_free(&bt);
		vx_imap_free(h);
	}
	vx_store_close(s);
}

static void test_uidvalidity(void)
{
	uint32_t uv1 = 0, uv2 = 0, have = 0, next = 0, pend[4];
	unsigned dropped = 99;
	size_t np = 9;
	int fresh;
	vx_store *s;
	vx_imap *h;

	if (vx_store_open(store_dir, NULL, &s) != VX_OK) {
		ok(0, "store opened");
		return;
	}
	ok(doveadm("mailbox create -u node2 Vortex") == 0 && put("node2", "Vortex", "a", 0) == 0 &&
	       put("node2", "Vortex", "b", 0) == 0,
	   "mailbox Vortex with two messages");
	if ((h = session("node2", "Vortex", &uv1, 0))) {
		vx_imap_batch bt;

		if (vx_imap_fetch(h, 1, NULL, &bt) == VX_OK && bt.n == 2) {
			vx_store_imap_reset(s, "acct2", "Vortex", uv1, 1, NULL);
			vx_store_imap_mark(s, "acct2", "Vortex", uv1, bt.msgs[0].uid, &fresh);
		}
		vx_imap_batch_free(&bt);
		vx_imap_free(h);
	}
	ok(doveadm("mailbox delete -u node2 Vortex") == 0 &&
	       doveadm("mailbox create -u node2 Vortex") == 0 &&
	       put("node2", "Vortex", "c", 0) == 0,
	   "mailbox recreated");
	if ((h = session("node2", "Vortex", &uv2, 0)))
		vx_imap_free(h);
	vx_store_imap_get(s, "acct2", "Vortex", &have, &next);
	ok(have == uv1 && uv2 && uv2 != uv1, "the UIDVALIDITY change is seen: stored %u, server %u",
	   have, uv2);
	ok(vx_store_imap_reset(s, "acct2", "Vortex", uv2, 1, &dropped) == VX_OK && dropped == 1,
	   "reset to the new UIDVALIDITY drops the pending record of the old one");
	ok(vx_store_imap_pending(s, "acct2", "Vortex", uv1, pend, 4, &np) == VX_OK && np == 0 &&
	       vx_store_imap_get(s, "acct2", "Vortex", &have, &next) == VX_OK && have == uv2 &&
	       next == 1,
	   "position: new UIDVALIDITY, from UID 1");
	is(vx_store_imap_reset(s, "", "Vortex", uv2, 1, NULL), VX_EINVAL, "empty account refused");
	vx_store_close(s);
}

static void test_limits(void)
{
	vx_imap_fetch_opts fo = {.max_messages = 10, .max_bytes = 5000, .max_message = 10000};
	vx_imap_batch b1 = {0}, b2 = {0};
	vx_status st;
	vx_imap *h;

	ok(doveadm("mailbox create -u node2 Limits") == 0 &&
	       put("node2", "Limits", "s1", 2000) == 0 && put("node2", "Limits", "s2", 2000) == 0 &&
	       put("node2", "Limits", "s3", 2000) == 0 && put("node2", "Limits", "big", 50000) == 0,
	   "three small messages and a big one");
	if (!(h = session("node2", "Limits", NULL, 0)))
		return;
	st = vx_imap_fetch(h, 1, &fo, &b1);
	ok(st == VX_OK && b1.n == 2 && b1.more, "a batch stops at its byte bound (%zu messages)",
	   b1.n);
	ok(vx_imap_fetch(h, b1.next_uid, &fo, &b2) == VX_OK && b2.n == 2 && !b2.more &&
	       b2.msgs[0].body.len > 2000 && b2.msgs[1].oversize && !b2.msgs[1].body.data &&
	       b2.msgs[1].size > 50000,
	   "the big message is reported by RFC822.SIZE, its body not fetched");
	vx_imap_batch_free(&b1);
	vx_imap_batch_free(&b2);
	vx_imap_free(h);
}

/* A child that delivers a message to node2's INBOX after delay seconds. */
static pid_t deliver_later(double delay)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = {(time_t)delay, (long)((delay - (time_t)delay) * 1e9)};

		nanosleep(&ts, NULL);
		_exit(put("node2", "", "later", 0) ? 1 : 0);
	}
	return pid;
}

static void test_wait(void)
{
	vx_imap_fetch_opts fo = {0};
	vx_imap_opts o;
	vx_imap_batch bt;
	uint32_t uv, next = 1;
	int changed = -1, st;
	double t;
	pid_t pid;
	vx_imap *h;

	if (!(h = session("node2", "INBOX", &uv, 0)))
		return;
	pid = deliver_later(0.3);
	t = now();
	ok(vx_imap_wait(h, 10, &changed) == VX_OK && changed, "IDLE: a new message is announced");
	t = now() - t;
	ok(t < 3, "within %.2f s (Dovecot's notify delay is 0.5 s)", t);
	waitpid(pid, &st, 0);
	ok(vx_imap_fetch(h, 1, &fo, &bt) == VX_OK && bt.n == 1, "and the fetch after it finds it");
	if (bt.n)
		next = bt.msgs[bt.n - 1].uid + 1;
	vx_imap_batch_free(&bt);
	t = now();
	ok(vx_imap_wait(h, 1, &changed) == VX_OK && !changed, "IDLE without mail: nothing changed");
	t = now() - t;
	ok(t > 0.9 && t < 2.5 && vx_imap_connected(h),
	   "after the 1 s bound (%.2f s), still connected", t);
	vx_imap_free(h);

	o = opts(VX_IMAP_STARTTLS, "127.0.0.1", port_starttls, dc_ca);
	o.idle_round = 1;
	h = handle(&o);
	if (vx_imap_connect(h) != VX_OK || vx_imap_login(h, "node2", "node2pass") != VX_OK ||
	    vx_imap_select(h, "INBOX", &uv, &next) != VX_OK) {
		ok(0, "session with 1 s IDLE rounds: %s", vx_imap_error(h));
		vx_imap_free(h);
		return;
	}
	pid = deliver_later(1.6);
	t = now();
	ok(vx_imap_wait(h, 8, &changed) == VX_OK && changed,
	   "IDLE re-issued every round: a message in the second round is announced");
	t = now() - t;
	ok(t > 1.5 && t < 4, "after %.2f s", t);
	waitpid(pid, &st, 0);
	vx_imap_free(h);

	o = opts(VX_IMAP_STARTTLS, "127.0.0.1", port_starttls, dc_ca);
	o.no_idle = 1;
	h = handle(&o);
	if (vx_imap_connect(h) != VX_OK || vx_imap_login(h, "node2", "node2pass") != VX_OK ||
	    vx_imap_select(h, "INBOX", &uv, &next) != VX_OK) {
		ok(0, "session without IDLE: %s", vx_imap_error(h));
		vx_imap_free(h);
		return;
	}
	pid = deliver_later(0.2);
	waitpid(pid, &st, 0);
	t = now();
	ok(vx_imap_wait(h, 1, &changed) == VX_OK && changed, "without IDLE: wait, then NOOP");
	t = now() - t;
	ok(t > 0.9 && t < 2.5, "after the poll interval (%.2f s)", t);
	ok(vx_imap_fetch(h, next, &fo, &bt) == VX_OK && bt.n == 1,
	   "the poll's NOOP made the new message visible");
	vx_imap_batch_free(&bt);
	vx_imap_free(h);
}

static void test_actions(void)
{
	vx_imap_fetch_opts fo = {.max_messages = 30, .mark_flag = "\\Seen"};
	vx_imap_batch bt;
	uint32_t uid[3] = {0}, uv;
	vx_status st;
	vx_imap *h;

	if (!(h = session("node1", "INBOX", &uv, 0)))
		return;
	if (vx_imap_fetch(h, 1, &fo, &bt) == VX_OK && bt.n >= 3)
		for (int i = 0; i < 3; i++)
			uid[i] = bt.msgs[i].uid;
	vx_imap_batch_free(&bt);
	ok(vx_imap_mark(h, uid[0], VX_IMAP_DELETE, NULL) == VX_OK, "delete: \\Deleted and expunge");
	ok(vx_imap_mark(h, uid[1], VX_IMAP_MOVE, "Processed") == VX_OK,
	   "move to a folder that does not exist yet (%s)", vx_imap_error(h));
	ok(vx_imap_mark(h, uid[1], VX_IMAP_MOVE, "Processed") == VX_OK,
	   "moving it again is no error (a repeat after a crash) (%s)", vx_imap_error(h));
	ok(vx_imap_mark(h, uid[2], VX_IMAP_FLAG, "\\Seen") == VX_OK, "flag \\Seen");
	is(vx_imap_mark(h, uid[2], VX_IMAP_FLAG, "bad flag"), VX_EINVAL,
	   "a flag with a space: refused");
	is(vx_imap_mark(h, uid[2], VX_IMAP_FLAG, "\\Deleted"), VX_EINVAL,
	   "\\Deleted is the delete action's");
	vx_imap_free(h);

	if (!(h = session("node1", "INBOX", &uv, 0)))
		return;
	st = vx_imap_fetch(h, 1, &fo, &bt);
	ok(st == VX_OK && bt.n == 23 && bt.msgs[0].uid == uid[2] &&
	       (bt.msgs[0].flags & VX_IMAP_F_SEEN) && (bt.msgs[0].flags & VX_IMAP_F_MARK) &&
	       !(bt.msgs[1].flags & VX_IMAP_F_SEEN),
	   "a new session: deleted and moved are gone, the flagged one is \\Seen (%zu left)", bt.n);
	ok(bt.n && !(bt.msgs[bt.n - 1].flags & VX_IMAP_F_SEEN), "BODY.PEEK[] set no \\Seen");
	vx_imap_batch_free(&bt);
	vx_imap_free(h);
	if ((h = session("node1", "Processed", &uv, 0))) {
		ok(vx_imap_fetch(h, 1, &fo, &bt) == VX_OK && bt.n == 1,
		   "the moved message is in Processed");
		vx_imap_batch_free(&bt);
		vx_imap_free(h);
	}
}

int main(void)
{
	double t0 = now();

	signal(SIGPIPE, SIG_IGN);
	dc_dir = env("DC_DIR");
	dc_log = env("DC_LOG");
	dc_conf = env("DC_CONF");
	dc_ca = env("DC_CA");
	dc_other_ca = env("DC_OTHER_CA");
	port_starttls = (unsigned)atoi(env("DC_PORT"));
	port_tls = (unsigned)atoi(env("DC_IMAPS_PORT"));
	port_plain = (unsigned)atoi(env("DC_PLAIN_PORT"));
	mail_uid = (uid_t)atoi(env("DC_MAIL_UID"));
	mail_gid = (gid_t)atoi(env("DC_MAIL_GID"));

	test_tls();
	test_login();
	test_fetch();
	test_state();
	test_uidvalidity();
	test_limits();
	test_wait();
	test_actions();
	tap_remove_store(store_dir);
	tap_diag("t-imap took %.1f s", now() - t0);
	return tap_done();
}
