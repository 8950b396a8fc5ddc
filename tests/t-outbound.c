/*
 * t-outbound.c - the engine's queue handling over a real store: an item
 * the MTA refuses stays queued and is retried after an exponential,
 * jittered, bounded backoff; confirmed items leave; local deliveries
 * become readable mail to deliver_to without the fields that bug.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fakemta.h"
#include "localmail.h"
#include "outbound.h"
#include "special.h"
#include "tap.h"

static uint64_t queued(vxd_node *n)
{
	uint64_t items = 0, bytes;

	vx_store_queue_stat(vxd_node_lock(n), &items, &bytes);
	vxd_node_unlock(n);
	return items;
}

static int write_key(const char *path)
{
	vx_pkey *k;
	vx_bytes der = {0};
	FILE *f;
	int rc = -1;

	if (vx_pkey_generate(ec, secp384r1, &k) == VX_OK && vx_pkey_to_der(k, 1, &der) == VX_OK &&
	    (f = fopen(path, "wb"))) {
		/* a host key must be private to its owner */
		rc =
		    !fchmod(fileno(f), 0600) && fwrite(der.data, 1, der.len, f) == der.len ? 0 : -1;
		fclose(f);
	}
	vx_pkey_free(k);
	vx_bytes_free(&der);
	return rc;
}

/* The local user's content: a message with fields that must not reach the reader. */
static const char letter[] = "From: Alice <alice@node0.test>\r\n"
                             "To: Bob <bob@node1.test>\r\n"
                             "DKIM-Signature: v=1; d=evil.test;\r\n\tb=xyz\r\n"
                             "Subject: lunch\r\n"
                             "Disposition-Notification-To: tracker@evil.test\r\n"
                             "\r\n"
                             "See you at noon. -- Alice\r\n";

static int built(const char *raw, size_t len, const char *want1, const char *want2)
{
	vx_bytes m = {0};
	int r = vxd_localmail_build((const uint8_t *)raw, len, "vortex@node1.test",
	                            "bob@node1.test", &m) == VX_OK;
	char *s = r ? strndup((const char *)m.data, m.len) : NULL;

	r = s && strstr(s, want1) && (!want2 || strstr(s, want2));
	if (!r)
		tap_diag("%s", s ? s : "(no mail)");
	free(s);
	vx_bytes_free(&m);
	return r;
}

static void localmail_checks(void)
{
	ok(built("hello bob", 9,
	         "From: vortex@node1.test\r\nTo: bob@node1.test\r\n"
	         "Subject: MessageVortex message\r\n",
	         "hello bob"),
	   "text content is wrapped in a plain mail from the node");
	ok(built("\x01\x02\x00\xff", 4, "application/octet-stream; name=\"message.bin\"",
	         "AQIA/w=="),
	   "binary content is attached");
	ok(built("\\specialgarbage", 15, "Subject: MessageVortex: a block for your agent",
	         "vortex-block.bin"),
	   "a block for the agent is attached as it came");
	ok(built("\\\\special text", 14, "\\special text", "Subject: MessageVortex message"),
	   "escaped user content is unescaped");
	ok(vxd_localmail_bugging("return-receipt-to", 17) && !vxd_localmail_bugging("Subject", 7),
	   "bugging fields are matched case-insensitively");
}

static void backoff_checks(void)
{
	vxd_conf c = {.retry_min = 60, .retry_max = 3600};
	int64_t lo = INT64_MAX, hi = 0, first_hi = 0;
	int grows = 1;

	for (int i = 0; i < 200; i++) {
		int64_t d1 = vxd_outbound_backoff(&c, 1), d5 = vxd_outbound_backoff(&c, 5);
		int64_t d30 = vxd_outbound_backoff(&c, 30);

		lo = d1 < lo ? d1 : lo, first_hi = d1 > first_hi ? d1 : first_hi;
		hi = d30 > hi ? d30 : hi;
		grows &= d5 >= 480 && d5 <= 960 && d30 >= 1800 && d30 <= 3600;
	}
	ok(lo >= 60 && first_hi <= 60, "the first retry waits retry_min");
	ok(grows, "the wait doubles per failure, with jitter in its upper half");
	ok(hi <= 3600, "and never exceeds retry_max");
}

int main(void)
{
	char dir[] = "/tmp/vx-outbound-XXXXXX", fake[4200], key[4200], state[4200];
	vxd_conf *c = calloc(1, sizeof *c);
	vxd_node_conf *nc = calloc(1, sizeof *nc);
	unsigned *off = calloc(1, sizeof *off);
	vxd_runtime *rt = NULL;
	vxd_round_stats rs;
	char err[256];
	uint64_t id;
	int64_t now = time(NULL);

	signal(SIGPIPE, SIG_IGN);
	backoff_checks();
	if (!mkdtemp(dir) || fake_sendmail(dir, fake, sizeof fake))
		return 1;
	snprintf(key, sizeof key, "%s/node1.key", dir);
	snprintf(state, sizeof state, "%s/state", dir);
	if (write_key(key))
		return 1;
	/* built by hand: only what the engine reads */
	*nc = (vxd_node_conf){strdup("vortex@node1.test"), strdup(key), strdup("bob@node1.test"),
	                      off, 1};
	c->state_dir = strdup(state);
	c->sendmail = calloc(3, sizeof *c->sendmail);
	c->sendmail[0] = strdup(fake), c->sendmail[1] = strdup("-i");
	c->transport_timeout = 10, c->retry_min = 60, c->retry_max = 600, c->slot = 60;
	c->nodes = nc, c->nnodes = 1;
	c->notes = calloc(1, sizeof *c->notes);
	if (!ok(vxd_runtime_new(c, VXD_RT_STORES, &rt, err, sizeof err) == 0,
	        "a runtime with one node")) {
		tap_diag("%s", err);
		return tap_done();
	}
	struct stat sb;
	ok(!stat(state, &sb) && (sb.st_mode & 0777) == 0700 &&
	       !stat(strcat(strcat(state, "/"), "vortex@node1.test"), &sb) &&
	       (sb.st_mode & 0777) == 0700,
	   "state_dir and the node's store are created mode 0700");
	vxd_node *n = &rt->nodes[0];

	vx_store *s = vxd_node_lock(n);
	ok(vx_store_queue_put(s, "vortex@node2.test", (const uint8_t *)"mail A\r\n", 8, now, 0,
	                      &id) == VX_OK &&
	       vx_store_queue_put(s, "vortex@node1.test", (const uint8_t *)letter, strlen(letter),
	                          now, VX_QUEUE_LOCAL, &id) == VX_OK,
	   "a mail for node2 and a delivery for the local user are queued");
	vxd_node_unlock(n);

	fake_status(dir, 75);
	vxd_outbound_round(rt, now, 1, &rs);
	ok(rs.failed == 2 && rs.confirmed == 0 && fake_calls(dir) == 2, "the MTA refuses both");
	is(queued(n), 2, "both stay queued");
	vxd_outbound_round(rt, now + 59, 0, &rs);
	ok(rs.failed == 0 && fake_calls(dir) == 2, "and are not tried again before retry_min");
	fake_status(dir, 0);
	vxd_outbound_round(rt, now + 60, 0, &rs);
	ok(rs.confirmed == 2 && fake_calls(dir) == 4,
	   "after it both are tried again and confirmed");
	is(queued(n), 0, "confirmed items leave the queue");
	vxd_outbound_round(rt, now + 100000, 1, &rs);
	ok(rs.confirmed == 0 && rs.failed == 0 && fake_calls(dir) == 4, "and never come again");

	int to_node = 0, to_user = 0;
	for (int i = 3; i <= 4; i++) {
		char *a = fake_read(dir, i, "args"), *m = fake_read(dir, i, "mail");

		if (a && m && !strcmp(a, "-i\n-f\nvortex@node1.test\n--\nvortex@node2.test\n"))
			to_node = !strcmp(m, "mail A\r\n");
		if (a && m && !strcmp(a, "-i\n-f\nvortex@node1.test\n--\nbob@node1.test\n"))
			to_user = strstr(m, "Subject: lunch\r\n") && strstr(m, "See you at noon") &&
			          !strstr(m, "Disposition-Notification-To") &&
			          !strstr(m, "b=xyz") && strstr(m, "To: Bob <bob@node1.test>\r\n");
		free(a), free(m);
	}
	ok(to_node, "the node mail went to node2 as queued, from the node address");
	ok(to_user, "the local delivery went to deliver_to without the fields that bug");

	vxd_runtime_put(rt);
	tap_remove_store(state);
	state[strlen(state) - strlen("/vortex@node1.test")] = 0;
	rmdir(state);
	unlink(key);
	fake_remove(dir);
	localmail_checks();
	return tap_done();
}
