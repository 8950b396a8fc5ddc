/*
 * t-transport.c - re-injection: sendmail to a fake command that records
 * its arguments and input and exits 0 or 75, one that hangs, one that is
 * missing; SMTP to a tiny fake server on 127.0.0.1 that accepts, or fails
 * with 4xx, checking line ends and dot-stuffing of what it received;
 * submission for a remote node refusing to go on without TLS. (Submission
 * with TLS and AUTH is tested end to end in t-poller.sh.)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fakemta.h"
#include "tap.h"
#include "transport.h"

static const char mail[] = "From: a@node1.test\nTo: b@node2.test\nSubject: x\n\n"
                           "line one\n.hidden dot\r\nlast line without end";

struct server {
	int lfd;
	const char *fail_at; /* command prefix answered 451, or NULL */
	char got[8192];      /* the DATA it received */
	size_t len;
};

static int readline(int fd, char *buf, size_t n)
{
	size_t i = 0;

	while (i + 1 < n && read(fd, buf + i, 1) == 1)
		if (buf[i++] == '\n')
			break;
	buf[i] = 0;
	return (int)i;
}

static void say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		return;
}

/* One SMTP session. */
static void *serve(void *arg)
{
	struct server *s = arg;
	char line[1024];
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	say(fd, "220 fake ESMTP\r\n");
	while (readline(fd, line, sizeof line) > 0) {
		if (s->fail_at && !strncmp(line, s->fail_at, strlen(s->fail_at))) {
			say(fd, "451 4.3.0 try later\r\n");
		} else if (!strncmp(line, "EHLO", 4)) {
			say(fd, "250-fake\r\n250 8BITMIME\r\n");
		} else if (!strncmp(line, "DATA", 4)) {
			say(fd, "354 go on\r\n");
			while (readline(fd, line, sizeof line) > 0 && strcmp(line, ".\r\n")) {
				size_t n = strlen(line);

				if (s->len + n < sizeof s->got)
					memcpy(s->got + s->len, line, n), s->len += n;
			}
			say(fd, "250 2.0.0 queued\r\n");
		} else if (!strncmp(line, "QUIT", 4)) {
			say(fd, "221 bye\r\n");
			break;
		} else {
			say(fd, "250 ok\r\n");
		}
	}
	close(fd);
	return NULL;
}

static int listen_local(unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&a, &sl))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* Through the fake server: re-injection, or submission as account a when not NULL. */
static int smtp_run(vxd_conf *c, vxd_account_conf *a, struct server *s, char *err, size_t errlen)
{
	pthread_t t;
	int rc;

	s->lfd = listen_local(a ? &a->smtp_port : &c->smtp_port);
	pthread_create(&t, NULL, serve, s);
	if (a)
		rc = vxd_transport_submit(c, a, "vortex@node1.test", "vortex@node2.test",
		                          (const uint8_t *)mail, strlen(mail), err, errlen);
	else
		rc = vxd_transport_send(c, "vortex@node1.test", "vortex@node2.test",
		                        (const uint8_t *)mail, strlen(mail), err, errlen);
	pthread_join(t, NULL);
	close(s->lfd);
	return rc;
}

int main(void)
{
	char dir[] = "/tmp/vx-transport-XXXXXX", fake[4200], etc[64], err[256];
	char *argv[8] = {fake, "-C", etc, "-i", NULL};
	char hang[4300];
	vxd_conf c = {.sendmail = argv,
	              .transport_timeout = 5,
	              .smtp_host = "127.0.0.1",
	              .smtp_helo = "test.local"};
	char *got;
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir) || fake_sendmail(dir, fake, sizeof fake))
		return 1;
	snprintf(etc, sizeof etc, "%s/etc", dir);

	is(vxd_transport_send(&c, "vortex@node1.test", "vortex@node2.test", (const uint8_t *)mail,
	                      strlen(mail), err, sizeof err),
	   0, "sendmail exit 0 is a confirmation");
	got = fake_read(dir, 1, "args");
	char want[256];
	snprintf(want, sizeof want, "-C\n%s\n-i\n-f\nvortex@node1.test\n--\nvortex@node2.test\n",
	         etc);
	ok(got && !strcmp(got, want), "arguments: the configured ones, -f FROM -- RCPT");
	free(got);
	got = fake_read(dir, 1, "mail");
	ok(got && !strcmp(got, mail), "the mail on standard input, unchanged");
	free(got);

	fake_status(dir, 75);
	ok(vxd_transport_send(&c, "vortex@node1.test", "vortex@node2.test", (const uint8_t *)mail,
	                      strlen(mail), err, sizeof err) == -1 &&
	       strstr(err, "exit status 75"),
	   "exit 75 is a failure: %s", err);
	is(fake_calls(dir), 2, "the fake ran twice");
	ok(vxd_transport_send(&c, "vortex@node1.test", "-oi", (const uint8_t *)mail, strlen(mail),
	                      err, sizeof err) == -1 &&
	       fake_calls(dir) == 2,
	   "a recipient that looks like an option is refused before any command runs");

	argv[0] = "/nonexistent/sendmail";
	ok(vxd_transport_send(&c, "vortex@node1.test", "vortex@node2.test", (const uint8_t *)mail,
	                      strlen(mail), err, sizeof err) == -1 &&
	       strstr(err, "exit status 127"),
	   "a missing command is a failure: %s", err);

	snprintf(hang, sizeof hang, "%s/hang", dir);
	if ((f = fopen(hang, "w"))) {
		fputs("#!/bin/sh\nexec sleep 30\n", f);
		fclose(f);
		chmod(hang, 0755);
	}
	argv[0] = hang, argv[1] = NULL;
	c.transport_timeout = 1;
	ok(vxd_transport_send(&c, "vortex@node1.test", "vortex@node2.test", (const uint8_t *)mail,
	                      strlen(mail), err, sizeof err) == -1 &&
	       strstr(err, "killed after 1 s"),
	   "a command that hangs is killed at transport_timeout: %s", err);
	unlink(hang);
	c.transport_timeout = 5;

	c.reinject = VXD_REINJECT_SMTP;
	struct server s1 = {0};
	is(smtp_run(&c, NULL, &s1, err, sizeof err), 0,
	   "SMTP: 250 after the data is a confirmation");
	ok(!strcmp(s1.got, "From: a@node1.test\r\nTo: b@node2.test\r\nSubject: x\r\n\r\n"
	                   "line one\r\n..hidden dot\r\nlast line without end\r\n"),
	   "CRLF line ends, dot-stuffing, a final line end");
	struct server s2 = {.fail_at = "RCPT"};
	ok(smtp_run(&c, NULL, &s2, err, sizeof err) == -1 && strstr(err, "451 4.3.0 try later"),
	   "SMTP: a 4xx reply is a failure with the reply logged: %s", err);
	struct server s4 = {.fail_at = "MAIL"};
	ok(smtp_run(&c, NULL, &s4, err, sizeof err) == -1 && strstr(err, "451"),
	   "SMTP: 4xx at MAIL");
	unsigned port;
	int lfd = listen_local(&port);
	close(lfd);
	c.smtp_port = port;
	ok(vxd_transport_send(&c, "vortex@node1.test", "vortex@node2.test", (const uint8_t *)mail,
	                      strlen(mail), err, sizeof err) == -1,
	   "SMTP: a refused connection is a failure: %s", err);

	vxd_account_conf a = {.smtp_host = "127.0.0.1", .smtp_tls = VXD_TLS_STARTTLS};
	struct server s5 = {0};
	ok(smtp_run(&c, &a, &s5, err, sizeof err) == -1 && strstr(err, "STARTTLS is not offered") &&
	       s5.len == 0,
	   "submission without STARTTLS offered sends nothing: %s", err);
	struct server s6 = {0};
	a.smtp_tls = VXD_TLS_IMPLICIT;
	ok(smtp_run(&c, &a, &s6, err, sizeof err) == -1 && strstr(err, "TLS handshake failed") &&
	       s6.len == 0,
	   "implicit TLS to a server without TLS fails: %s", err);
	fake_remove(dir);
	return tap_done();
}
