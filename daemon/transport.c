/* transport.c - sendmail and SMTP re-injection; see transport.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "io.h"
#include "secret.h"
#include "transport.h"

static int via_sendmail(const vxd_conf *c, const char *from, const char *rcpt, const uint8_t *mail,
                        size_t len, long long deadline, char *err, size_t errlen)
{
	size_t n = 0;
	char **argv;
	int fds[2], status, wrote;
	pid_t pid, parent;

	while (c->sendmail[n])
		n++;
	if (!(argv = calloc(n + 5, sizeof *argv))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(argv, c->sendmail, n * sizeof *argv);
	argv[n] = "-f", argv[n + 1] = (char *)from, argv[n + 2] = "--", argv[n + 3] = (char *)rcpt;
	if (pipe2(fds, O_CLOEXEC)) {
		free(argv);
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	/* between fork and exec only async-signal-safe calls: other threads hold locks */
	parent = getpid();
	if ((pid = fork()) == 0) {
		/*
		 * A daemon that dies mid-write must not leave sendmail to submit a
		 * truncated mail: the item is sent again, whole, after the restart.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		if (dup2(fds[0], 0) == 0)
			execv(argv[0], argv);
		_exit(127);
	}
	free(argv);
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	wrote = vxd_write_all(fds[1], mail, len, deadline);
	close(fds[1]);
	status = vxd_reap(pid, deadline);
	if (status == -2) {
		snprintf(err, errlen, "%s: killed after %u s", c->sendmail[0],
		         c->transport_timeout);
		return -1;
	}
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s: %s %d", c->sendmail[0],
		         status >= 0 && WIFEXITED(status) ? "exit status" : "signal",
		         status < 0          ? -1
		         : WIFEXITED(status) ? WEXITSTATUS(status)
		                             : WTERMSIG(status));
		return -1;
	}
	if (wrote) {
		/* it exited 0 without reading all of the mail: not a confirmation */
		snprintf(err, errlen, "%s: did not read the whole mail", c->sendmail[0]);
		return -1;
	}
	return 0;
}

/* Where an SMTP session goes: the configured re-injection, or an account's submission. */
struct target {
	const char *host;
	unsigned port;
	vxd_tls tls; /* VXD_TLS_PLAIN: re-injection on a trusted listener */
	const char *ca_file;
	const char *user; /* NULL: no AUTH */
	const vxd_secret_src *password;
};

struct smtp {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	long long deadline;
	char buf[1024];
	size_t have;
	char line[512];                       /* the last reply line, for the log */
	int starttls, auth_plain, auth_login; /* offered in the last EHLO reply */
};

static int smtp_connect(struct smtp *s, const struct target *t, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char port[8];
	int r;

	snprintf(port, sizeof port, "%u", t->port);
	if ((r = getaddrinfo(t->host, port, &hints, &res))) {
		snprintf(err, errlen, "smtp %s: %s", t->host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int soerr = 0;
		socklen_t sl = sizeof soerr;

		if (fd < 0)
			continue;
		if ((!connect(fd, ai->ai_addr, ai->ai_addrlen) || errno == EINPROGRESS) &&
		    !vxd_wait_fd(fd, POLLOUT, s->deadline) &&
		    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) && !soerr) {
			s->fd = fd;
			break;
		}
		snprintf(err, errlen, "smtp %s:%s: %s", t->host, port,
		         soerr ? strerror(soerr) : "connect failed or timed out");
		close(fd);
	}
	freeaddrinfo(res);
	return s->fd >= 0 ? 0 : -1;
}

/* Wait for what the TLS layer wants after a call returned r; -1 on a real failure. */
static int tls_wait(struct smtp *s, int r)
{
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return vxd_wait_fd(s->fd, POLLIN, s->deadline);
	case SSL_ERROR_WANT_WRITE:
		return vxd_wait_fd(s->fd, POLLOUT, s->deadline);
	default:
		return -1;
	}
}

static int smtp_send(struct smtp *s, const void *data, size_t len)
{
	const char *p = data;

	if (!s->ssl)
		return vxd_write_all(s->fd, data, len, s->deadline);
	while (len) {
		int w = SSL_write(s->ssl, p, len > INT_MAX ? INT_MAX : (int)len);

		if (w > 0)
			p += w, len -= (size_t)w;
		else if (tls_wait(s, w))
			return -1;
	}
	return 0;
}

/* Some bytes into buf: > 0, or -1 on a closed or broken connection or the deadline. */
static ssize_t smtp_recv(struct smtp *s, void *buf, size_t n)
{
	for (;;) {
		ssize_t r;

		if (s->ssl) {
			int t = SSL_read(s->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);

			if (t > 0)
				return t;
			if (tls_wait(s, t))
				return -1;
			continue;
		}
		if ((r = read(s->fd, buf, n)) > 0)
			return r;
		if (r == 0 || (errno != EAGAIN && errno != EINTR) ||
		    vxd_wait_fd(s->fd, POLLIN, s->deadline))
			return -1;
	}
}

/* Note what an EHLO reply line offers. */
static void smtp_offers(struct smtp *s, const char *l)
{
	if (!strncasecmp(l + 4, "STARTTLS", 8))
		s->starttls = 1;
	if (!strncasecmp(l + 4, "AUTH", 4) && (l[8] == ' ' || l[8] == '=')) {
		for (const char *p = l + 9; *p; p += strcspn(p, " "), p += strspn(p, " ")) {
			size_t w = strcspn(p, " ");

			s->auth_plain |= w == 5 && !strncasecmp(p, "PLAIN", 5);
			s->auth_login |= w == 5 && !strncasecmp(p, "LOGIN", 5);
		}
	}
}

/* One reply (all its lines); its code, or -1 on a broken connection. */
static int smtp_reply(struct smtp *s)
{
	for (;;) {
		char *nl = memchr(s->buf, '\n', s->have);

		if (nl) {
			size_t n = (size_t)(nl - s->buf) + 1;
			int more = n > 4 && s->buf[3] == '-';
			int code = n >= 4 ? atoi(s->buf) : -1;

			snprintf(s->line, sizeof s->line, "%.*s", (int)(n - 1), s->buf);
			s->line[strcspn(s->line, "\r")] = 0;
			memmove(s->buf, nl + 1, s->have - n);
			s->have -= n;
			if (code < 100 || code > 599)
				return -1;
			if (strlen(s->line) > 4)
				smtp_offers(s, s->line);
			if (!more)
				return code;
			continue;
		}
		if (s->have == sizeof s->buf) /* an overlong line: drop what we have */
			s->have = 0;
		ssize_t r = smtp_recv(s, s->buf + s->have, sizeof s->buf - s->have);
		if (r < 0)
			return -1;
		s->have += (size_t)r;
	}
}

/* Send a command line (NULL: none) and expect a reply of class 2 or 3 as want. */
static int smtp_cmd(struct smtp *s, const char *cmd, int want, char *err, size_t errlen)
{
	int code;

	if (cmd && smtp_send(s, cmd, strlen(cmd))) {
		snprintf(err, errlen, "smtp: write failed or timed out");
		return -1;
	}
	if ((code = smtp_reply(s)) < 0) {
		snprintf(err, errlen, "smtp: connection lost or timed out");
		return -1;
	}
	if (code / 100 != want) {
		snprintf(err, errlen, "smtp: %s", s->line);
		return -1;
	}
	return 0;
}

/* The mail with CRLF line ends and dot-stuffing, then the final dot. */
static int smtp_data(struct smtp *s, const uint8_t *mail, size_t len)
{
	char out[8192];
	size_t n = 0;
	int bol = 1;

	for (size_t i = 0; i <= len; i++) {
		if (n + 8 > sizeof out) {
			if (smtp_send(s, out, n))
				return -1;
			n = 0;
		}
		if (i == len) {
			if (!bol)
				out[n++] = '\r', out[n++] = '\n';
			memcpy(out + n, ".\r\n", 3), n += 3;
			break;
		}
		if (bol && mail[i] == '.')
			out[n++] = '.';
		if (mail[i] == '\n' && (i == 0 || mail[i - 1] != '\r'))
			out[n++] = '\r';
		out[n++] = (char)mail[i];
		bol = mail[i] == '\n';
	}
	return smtp_send(s, out, n);
}

/*
 * TLS on the connection, the server's chain verified against ca_file (or
 * the system store) and its name (DNS name, or an address literal as an
 * iPAddress SAN) before anything else is said.
 */
static int smtp_tls(struct smtp *s, const struct target *t, char *err, size_t errlen)
{
	unsigned char ip[16];
	int literal = inet_pton(AF_INET, t->host, ip) == 1 || inet_pton(AF_INET6, t->host, ip) == 1;
	long v;
	int r;

	if (!(s->ctx = SSL_CTX_new(TLS_client_method())) ||
	    !SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION) ||
	    !(t->ca_file ? SSL_CTX_load_verify_locations(s->ctx, t->ca_file, NULL)
	                 : SSL_CTX_set_default_verify_paths(s->ctx))) {
		snprintf(err, errlen, "smtp %s: TLS setup failed%s%s", t->host,
		         t->ca_file ? " with ca_file " : "", t->ca_file ? t->ca_file : "");
		return -1;
	}
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);
	if (!(s->ssl = SSL_new(s->ctx)) || !SSL_set_fd(s->ssl, s->fd) ||
	    !(literal
	          ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), t->host)
	          : SSL_set_tlsext_host_name(s->ssl, t->host) && SSL_set1_host(s->ssl, t->host))) {
		snprintf(err, errlen, "smtp %s: TLS setup failed", t->host);
		return -1;
	}
	while ((r = SSL_connect(s->ssl)) != 1) {
		if (SSL_get_error(s->ssl, r) == SSL_ERROR_SSL ||
		    SSL_get_verify_result(s->ssl) != X509_V_OK || tls_wait(s, r))
			break;
	}
	v = SSL_get_verify_result(s->ssl);
	if (r != 1 || v != X509_V_OK) {
		snprintf(err, errlen, "smtp %s: %s%s", t->host,
		         v != X509_V_OK ? "certificate refused: " : "TLS handshake failed",
		         v != X509_V_OK ? X509_verify_cert_error_string(v) : "");
		return -1;
	}
	return 0;
}

/* EHLO, falling back to HELO when allowed (no TLS, no AUTH wanted). */
static int smtp_hello(struct smtp *s, const char *helo, int need_ehlo, char *err, size_t errlen)
{
	char cmd[300];

	s->starttls = s->auth_plain = s->auth_login = 0;
	snprintf(cmd, sizeof cmd, "EHLO %s\r\n", helo);
	if (!smtp_cmd(s, cmd, 2, err, errlen))
		return 0;
	if (need_ehlo)
		return -1;
	snprintf(cmd, sizeof cmd, "HELO %s\r\n", helo);
	return smtp_cmd(s, cmd, 2, err, errlen);
}

static void b64(char *out, const void *in, size_t len)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* AUTH PLAIN where offered, else AUTH LOGIN; the secret is wiped after. */
static int smtp_auth(struct smtp *s, const struct target *t, unsigned timeout, char *err,
                     size_t errlen)
{
	char pass[VXD_SECRET_MAX];
	char raw[VXD_SECRET_MAX + 400], cmd[(VXD_SECRET_MAX + 400) * 4 / 3 + 32];
	size_t ul = strlen(t->user), pl;
	int rc = -1;

	if (!s->auth_plain && !s->auth_login) {
		snprintf(err, errlen, "smtp %s: no AUTH PLAIN or LOGIN offered", t->host);
		return -1;
	}
	if (ul > 300 || vxd_secret_read(t->password, timeout, pass, sizeof pass, err, errlen))
		return -1;
	pl = strlen(pass);
	if (s->auth_plain) {
		raw[0] = 0;
		memcpy(raw + 1, t->user, ul), raw[ul + 1] = 0;
		memcpy(raw + ul + 2, pass, pl);
		memcpy(cmd, "AUTH PLAIN ", 11);
		b64(cmd + 11, raw, ul + pl + 2);
		strcat(cmd, "\r\n");
		rc = smtp_cmd(s, cmd, 2, err, errlen);
	} else {
		rc = smtp_cmd(s, "AUTH LOGIN\r\n", 3, err, errlen);
		b64(cmd, t->user, ul), strcat(cmd, "\r\n");
		rc = rc ? rc : smtp_cmd(s, cmd, 3, err, errlen);
		b64(cmd, pass, pl), strcat(cmd, "\r\n");
		rc = rc ? rc : smtp_cmd(s, cmd, 2, err, errlen);
	}
	explicit_bzero(pass, sizeof pass), explicit_bzero(raw, sizeof raw);
	explicit_bzero(cmd, sizeof cmd);
	if (rc)
		snprintf(err, errlen, "smtp %s: authentication as %s refused: %s", t->host, t->user,
		         s->line);
	return rc;
}

static int via_smtp(const vxd_conf *c, const struct target *t, const char *from, const char *rcpt,
                    const uint8_t *mail, size_t len, long long deadline, char *err, size_t errlen)
{
	struct smtp *s = calloc(1, sizeof *s);
	char cmd[400];
	int rc = -1;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->fd = -1, s->deadline = deadline;
	if (smtp_connect(s, t, err, errlen) ||
	    (t->tls == VXD_TLS_IMPLICIT && smtp_tls(s, t, err, errlen)) ||
	    smtp_cmd(s, NULL, 2, err, errlen) ||
	    smtp_hello(s, c->smtp_helo, t->tls != VXD_TLS_PLAIN || t->user, err, errlen))
		goto out;
	if (t->tls == VXD_TLS_STARTTLS) {
		if (!s->starttls) {
			snprintf(err, errlen,
			         "smtp %s: STARTTLS is not offered; nothing is sent in "
			         "the clear",
			         t->host);
			goto out;
		}
		if (smtp_cmd(s, "STARTTLS\r\n", 2, err, errlen))
			goto out;
		if (s->have) { /* bytes sent before TLS would be read as if inside it */
			snprintf(err, errlen, "smtp %s: data after the STARTTLS reply", t->host);
			goto out;
		}
		if (smtp_tls(s, t, err, errlen) || smtp_hello(s, c->smtp_helo, 1, err, errlen))
			goto out;
	}
	if (t->user && smtp_auth(s, t, c->transport_timeout, err, errlen))
		goto out;
	snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>\r\n", from);
	if (smtp_cmd(s, cmd, 2, err, errlen))
		goto out;
	snprintf(cmd, sizeof cmd, "RCPT TO:<%s>\r\n", rcpt);
	if (smtp_cmd(s, cmd, 2, err, errlen) || smtp_cmd(s, "DATA\r\n", 3, err, errlen))
		goto out;
	if (smtp_data(s, mail, len)) {
		snprintf(err, errlen, "smtp: write failed or timed out");
		goto out;
	}
	if (smtp_cmd(s, NULL, 2, err, errlen))
		goto out;
	rc = 0;
	/* the mail is confirmed; QUIT's answer changes nothing */
	smtp_send(s, "QUIT\r\n", 6);
out:
	if (s->ssl)
		SSL_free(s->ssl);
	SSL_CTX_free(s->ctx);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return rc;
}

/* addresses come from the store and the config: refuse what would break the command */
static int usable(const char *from, const char *rcpt, char *err, size_t errlen)
{
	if (strpbrk(from, "\r\n<> ") || strpbrk(rcpt, "\r\n<> ") || !*rcpt || rcpt[0] == '-') {
		snprintf(err, errlen, "unusable address");
		return 0;
	}
	return 1;
}

int vxd_transport_send(const vxd_conf *c, const char *from, const char *rcpt, const uint8_t *mail,
                       size_t len, char *err, size_t errlen)
{
	long long deadline = vxd_now_ms() + (long long)c->transport_timeout * 1000;
	struct target t = {c->smtp_host, c->smtp_port, VXD_TLS_PLAIN, NULL, NULL, NULL};

	if (!usable(from, rcpt, err, errlen))
		return -1;
	if (c->reinject == VXD_REINJECT_SMTP)
		return via_smtp(c, &t, from, rcpt, mail, len, deadline, err, errlen);
	return via_sendmail(c, from, rcpt, mail, len, deadline, err, errlen);
}

int vxd_transport_submit(const vxd_conf *c, const vxd_account_conf *a, const char *from,
                         const char *rcpt, const uint8_t *mail, size_t len, char *err,
                         size_t errlen)
{
	long long deadline = vxd_now_ms() + (long long)c->transport_timeout * 1000;
	unsigned port = a->smtp_port ? a->smtp_port : a->smtp_tls == VXD_TLS_IMPLICIT ? 465 : 587;
	struct target t = {a->smtp_host, port,         a->smtp_tls,
	                   a->ca_file,   a->smtp_user, &a->smtp_password};

	if (!usable(from, rcpt, err, errlen))
		return -1;
	return via_smtp(c, &t, from, rcpt, mail, len, deadline, err, errlen);
}
