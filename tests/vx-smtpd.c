/*
 * vx-smtpd.c - a fake SMTP submission server for tests/t-poller.sh:
 *
 *   vx-smtpd DIR PORT CERT KEY starttls|implicit USER PASSWORD [login]
 *
 * Listens on 127.0.0.1:PORT, one session at a time, with TLS from the
 * first byte (implicit) or after STARTTLS, and takes mail only after AUTH
 * PLAIN or LOGIN (with "login": only LOGIN is offered) as USER with
 * PASSWORD. Each mail taken is DIR/N.mail
 * (dot-unstuffed) with its envelope in DIR/N.env ("from" and "rcpt"
 * lines); DIR/smtpd.log lists the commands (no AUTH data), DIR/ready is
 * made once it listens. Blocking sockets with 10 s timeouts; it runs
 * until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>

static const char *dir, *user, *pass;
static SSL_CTX *ctx;
static FILE *logf;
static int taken, login_only;

struct conn {
	int fd;
	SSL *ssl;
	char buf[4096];
	size_t have;
};

static void say(struct conn *c, const char *line)
{
	size_t n = strlen(line);

	if (c->ssl)
		SSL_write(c->ssl, line, (int)n);
	else if (write(c->fd, line, n) < 0)
		return;
}

/* One line without CRLF into out; -1 at the end of the connection. */
static int get_line(struct conn *c, char *out, size_t max)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->have);
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			size_t k = n && c->buf[n - 1] == '\r' ? n - 1 : n;

			if (k >= max)
				k = max - 1;
			memcpy(out, c->buf, k), out[k] = 0;
			memmove(c->buf, nl + 1, c->have - n - 1);
			c->have -= n + 1;
			return 0;
		}
		if (c->have == sizeof c->buf)
			c->have = 0;
		r = c->ssl ? SSL_read(c->ssl, c->buf + c->have, (int)(sizeof c->buf - c->have))
		           : read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
		if (r <= 0)
			return -1;
		c->have += (size_t)r;
	}
}

static int tls(struct conn *c)
{
	c->ssl = SSL_new(ctx);
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_accept(c->ssl) != 1) {
		fprintf(logf, "TLS handshake failed\n");
		return -1;
	}
	return 0;
}

/* Base64 into raw (1024 bytes); the decoded length, padding taken off. */
static int decode(const char *b64, unsigned char *raw)
{
	size_t l = strlen(b64);
	int n;

	if (l > 1300)
		return -1;
	n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)l);
	for (size_t i = l; n > 0 && i > 0 && b64[i - 1] == '='; i--)
		n--;
	return n;
}

/* AUTH PLAIN's decoded response: \0user\0password. */
static int plain_ok(const char *b64)
{
	unsigned char raw[1024];
	int n = decode(b64, raw);
	size_t ul = strlen(user), pl = strlen(pass);

	return n == (int)(ul + pl + 2) && raw[0] == 0 && !memcmp(raw + 1, user, ul) &&
	       raw[ul + 1] == 0 && !memcmp(raw + ul + 2, pass, pl);
}

static int decoded_is(const char *b64, const char *want)
{
	unsigned char raw[1024];

	return decode(b64, raw) == (int)strlen(want) && !memcmp(raw, want, strlen(want));
}

static void session(struct conn *c, int implicit)
{
	char line[1024], from[1024] = "", rcpt[1024] = "";
	int authed = 0;

	if (implicit && tls(c))
		return;
	say(c, "220 vx-smtpd ESMTP\r\n");
	while (!get_line(c, line, sizeof line)) {
		fprintf(logf, "%s\n", strncasecmp(line, "AUTH", 4) ? line : "AUTH ...");
		fflush(logf);
		if (!strncasecmp(line, "EHLO", 4)) {
			say(c, "250-vx-smtpd\r\n");
			if (!c->ssl)
				say(c, "250-STARTTLS\r\n");
			say(c, !c->ssl      ? "250 8BITMIME\r\n"
			       : login_only ? "250 AUTH LOGIN\r\n"
			                    : "250 AUTH PLAIN LOGIN\r\n");
		} else if (!strcasecmp(line, "STARTTLS") && !c->ssl) {
			say(c, "220 go ahead\r\n");
			if (tls(c))
				return;
		} else if (!strncasecmp(line, "AUTH PLAIN ", 11) && c->ssl) {
			authed = plain_ok(line + 11);
			say(c, authed ? "235 ok\r\n" : "535 authentication failed\r\n");
		} else if (!strcasecmp(line, "AUTH LOGIN") && c->ssl) {
			char u[512], p[512];

			say(c, "334 VXNlcm5hbWU6\r\n");
			if (get_line(c, u, sizeof u))
				return;
			say(c, "334 UGFzc3dvcmQ6\r\n");
			if (get_line(c, p, sizeof p))
				return;
			authed = decoded_is(u, user) && decoded_is(p, pass);
			say(c, authed ? "235 ok\r\n" : "535 authentication failed\r\n");
		} else if (!strncasecmp(line, "MAIL FROM:", 10)) {
			if (!authed) {
				say(c, "530 authentication required\r\n");
				continue;
			}
			snprintf(from, sizeof from, "%s", line + 10);
			say(c, "250 ok\r\n");
		} else if (!strncasecmp(line, "RCPT TO:", 8) && authed) {
			snprintf(rcpt, sizeof rcpt, "%s", line + 8);
			say(c, "250 ok\r\n");
		} else if (!strcasecmp(line, "DATA") && authed && *rcpt) {
			char path[4096], tmp[4096];
			FILE *f;

			snprintf(tmp, sizeof tmp, "%s/tmp.mail", dir);
			if (!(f = fopen(tmp, "w")))
				return;
			say(c, "354 go on\r\n");
			while (!get_line(c, line, sizeof line) && strcmp(line, "."))
				fprintf(f, "%s\r\n", line[0] == '.' ? line + 1 : line);
			fclose(f);
			taken++;
			snprintf(path, sizeof path, "%s/%d.env", dir, taken);
			if ((f = fopen(path, "w"))) {
				fprintf(f, "from %s\nrcpt %s\n", from, rcpt);
				fclose(f);
			}
			snprintf(path, sizeof path, "%s/%d.mail", dir, taken);
			rename(tmp, path);
			say(c, "250 taken\r\n");
			*rcpt = 0;
		} else if (!strcasecmp(line, "QUIT")) {
			say(c, "221 bye\r\n");
			return;
		} else if (!strcasecmp(line, "RSET") || !strcasecmp(line, "NOOP")) {
			say(c, "250 ok\r\n");
		} else {
			say(c, "503 bad sequence\r\n");
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timeval tv = {10, 0};
	char path[4096];
	int s, one = 1, implicit;
	FILE *f;

	if (argc != 8 && !(argc == 9 && !strcmp(argv[8], "login"))) {
		fprintf(
		    stderr,
		    "usage: vx-smtpd DIR PORT CERT KEY starttls|implicit USER PASSWORD [login]\n");
		return 2;
	}
	login_only = argc == 9;
	signal(SIGPIPE, SIG_IGN); /* a client killed mid-session must not end the server */
	dir = argv[1], user = argv[6], pass = argv[7];
	implicit = !strcmp(argv[5], "implicit");
	snprintf(path, sizeof path, "%s/smtpd.log", dir);
	if (!(logf = fopen(path, "a")))
		return 1;
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "vx-smtpd: cannot load %s and %s\n", argv[3], argv[4]);
		return 1;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) || listen(s, 16)) {
		perror("vx-smtpd: bind");
		return 1;
	}
	snprintf(path, sizeof path, "%s/ready", dir);
	if ((f = fopen(path, "w")))
		fclose(f);
	for (;;) {
		struct conn c = {.fd = accept(s, NULL, NULL)};

		if (c.fd < 0)
			continue;
		setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		session(&c, implicit);
		if (c.ssl)
			SSL_free(c.ssl);
		close(c.fd);
	}
}
