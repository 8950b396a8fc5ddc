/* secret.c - passwords from a private file or a command; see secret.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "secret.h"

int vxd_file_private(const struct stat *sb, const char *path, char *err, size_t errlen)
{
	if (!(sb->st_mode & 077))
		return 0;
	snprintf(err, errlen,
	         "%s: mode %04o: must not be accessible by group or others (chmod 600)", path,
	         (unsigned)(sb->st_mode & 07777));
	return -1;
}

/* Drop trailing CR and LF; -1 when nothing is left. */
static int trim(char *buf, size_t n)
{
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = 0;
	return n ? 0 : -1;
}

static int from_file(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	struct stat sb;
	ssize_t got;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (vxd_file_private(&sb, path, err, errlen)) {
		close(fd);
		return -1;
	}
	got = read(fd, buf, len);
	close(fd);
	if (got < 0 || (size_t)got >= len) {
		if (got > 0)
			explicit_bzero(buf, (size_t)got);
		snprintf(err, errlen, "%s: %s", path,
		         got < 0 ? strerror(errno) : "longer than a password can be");
		return -1;
	}
	if (trim(buf, (size_t)got)) {
		snprintf(err, errlen, "%s: empty", path);
		return -1;
	}
	return 0;
}

static int from_command(char *const *argv, unsigned timeout, char *buf, size_t len, char *err,
                        size_t errlen)
{
	long long deadline = vxd_now_ms() + (long long)timeout * 1000;
	size_t have = 0;
	int fds[2], status, over = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(err, errlen, "%s: pipe: %s", argv[0], strerror(errno));
		return -1;
	}
	/* between fork and exec only async-signal-safe calls: other threads hold locks */
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0 && dup2(null, 0) == 0 && dup2(fds[1], 1) == 1)
			execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		snprintf(err, errlen, "%s: fork: %s", argv[0], strerror(errno));
		return -1;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t r = read(fds[0], buf + have, len - have);

		if (r > 0 && (have += (size_t)r) == len) {
			over = 1;
			break;
		}
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (r < 0 && vxd_wait_fd(fds[0], POLLIN, deadline))
			break;
	}
	close(fds[0]);
	status = vxd_reap(pid, deadline);
	if (over || status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    trim(buf, have)) {
		explicit_bzero(buf, len);
		snprintf(err, errlen, "%s: %s", argv[0],
		         over           ? "printed more than a password can be"
		         : status == -2 ? "killed at the timeout"
		         : status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0
		             ? "printed nothing"
		             : "failed (exit status or signal)");
		return -1;
	}
	return 0;
}

int vxd_secret_read(const vxd_secret_src *src, unsigned timeout, char *buf, size_t len, char *err,
                    size_t errlen)
{
	if (src->command)
		return from_command(src->command, timeout, buf, len, err, errlen);
	if (src->file)
		return from_file(src->file, buf, len, err, errlen);
	snprintf(err, errlen, "no password configured");
	return -1;
}
