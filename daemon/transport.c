/* transport.c - sendmail and SMTP re-injection; see transport.h. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events, or the deadline passes (-1). */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = {fd, events, 0};
		int r;

		if (left <= 0)
			return -1;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Write everything to a non-blocking fd before the deadline. */
static int write_all(int fd, const void *data, size_t len, long long deadline)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w > 0) {
			p += w, len -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			return -1;
		} else if (wait_fd(fd, POLLOUT, deadline)) {
			return -1;
		}
	}
	return 0;
}

/* The child's exit status, killing it at the deadline. */
static int reap(pid_t pid, long long deadline)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			return waitpid(pid, &status, 0) == pid ? -2 : -1;
		}
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
}

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
	wrote = write_all(fds[1], mail, len, deadline);
	close(fds[1]);
	status = reap(pid, deadline);
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

struct smtp {
	int fd;
	long long deadline;
	char buf[1024];
	size_t have;
	char line[512]; /* the last reply line, for the log */
};

static int smtp_connect(struct smtp *s, const vxd_conf *c, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char port[8];
	int r;

	snprintf(port, sizeof port, "%u", c->smtp_port);
	if ((r = getaddrinfo(c->smtp_host, port, &hints, &res))) {
		snprintf(err, errlen, "smtp %s: %s", c->smtp_host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int soerr = 0;
		socklen_t sl = sizeof soerr;

		if (fd < 0)
			continue;
		if ((!connect(fd, ai->ai_addr, ai->ai_addrlen) || errno == EINPROGRESS) &&
		    !wait_fd(fd, POLLOUT, s->deadline) &&
		    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) && !soerr) {
			s->fd = fd;
			break;
		}
		snprintf(err, errlen, "smtp %s:%s: %s", c->smtp_host, port,
		         soerr ? strerror(soerr) : "connect failed or timed out");
		close(fd);
	}
	freeaddrinfo(res);
	return s->fd >= 0 ? 0 : -1;
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
			if (!more)
				return code;
			continue;
		}
		if (s->have == sizeof s->buf) /* an overlong line: drop what we have */
			s->have = 0;
		ssize_t r = read(s->fd, s->buf + s->have, sizeof s->buf - s->have);
		if (r > 0)
			s->have += (size_t)r;
		else if (r == 0 || (errno != EAGAIN && errno != EINTR) ||
		         wait_fd(s->fd, POLLIN, s->deadline))
			return -1;
	}
}

/* Send a command line (NULL: none) and expect a reply of class 2 or 3 as want. */
static int smtp_cmd(struct smtp *s, const char *cmd, int want, char *err, size_t errlen)
{
	int code;

	if (cmd && write_all(s->fd, cmd, strlen(cmd), s->deadline)) {
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
			if (write_all(s->fd, out, n, s->deadline))
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
	return write_all(s->fd, out, n, s->deadline);
}

static int via_smtp(const vxd_conf *c, const char *from, const char *rcpt, const uint8_t *mail,
                    size_t len, long long deadline, char *err, size_t errlen)
{
	struct smtp *s = calloc(1, sizeof *s);
	char cmd[400];
	int rc = -1;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->fd = -1, s->deadline = deadline;
	if (smtp_connect(s, c, err, errlen) || smtp_cmd(s, NULL, 2, err, errlen))
		goto out;
	snprintf(cmd, sizeof cmd, "EHLO %s\r\n", c->smtp_helo);
	if (smtp_cmd(s, cmd, 2, err, errlen)) {
		snprintf(cmd, sizeof cmd, "HELO %s\r\n", c->smtp_helo);
		if (smtp_cmd(s, cmd, 2, err, errlen))
			goto out;
	}
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
	write_all(s->fd, "QUIT\r\n", 6, deadline);
out:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return rc;
}

int vxd_transport_send(const vxd_conf *c, const char *from, const char *rcpt, const uint8_t *mail,
                       size_t len, char *err, size_t errlen)
{
	long long deadline = now_ms() + (long long)c->transport_timeout * 1000;

	/* addresses come from the store and the config: refuse what would break the command */
	if (strpbrk(from, "\r\n<> ") || strpbrk(rcpt, "\r\n<> ") || !*rcpt || rcpt[0] == '-') {
		snprintf(err, errlen, "unusable address");
		return -1;
	}
	if (c->reinject == VXD_REINJECT_SMTP)
		return via_smtp(c, from, rcpt, mail, len, deadline, err, errlen);
	return via_sendmail(c, from, rcpt, mail, len, deadline, err, errlen);
}
