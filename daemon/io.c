/* io.c - bounded waits, writes and child reaping; see io.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

long long vxd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vxd_wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - vxd_now_ms();
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

int vxd_write_all(int fd, const void *data, size_t len, long long deadline)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w > 0) {
			p += w, len -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			return -1;
		} else if (vxd_wait_fd(fd, POLLOUT, deadline)) {
			return -1;
		}
	}
	return 0;
}

int vxd_reap(pid_t pid, long long deadline)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (vxd_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			return waitpid(pid, &status, 0) == pid ? -2 : -1;
		}
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
}
