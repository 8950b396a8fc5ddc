/* util.c - reading and writing whole files for the vortex subcommands. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

vx_status vx_read_file(const char *path, vx_bytes *out)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	size_t cap = 65536;
	uint8_t *buf = NULL;
	vx_status st = VX_OK;

	out->data = NULL;
	out->len = 0;
	if (fd < 0)
		return VX_EIO;
	for (;;) {
		ssize_t n;

		if (!buf || out->len == cap) {
			uint8_t *p;

			if (buf && cap >= VX_MAX_FILE + 1) {
				st = VX_ELIMIT;
				break;
			}
			if (buf)
				cap *= 2;
			if (!(p = realloc(buf, cap))) {
				st = VX_ENOMEM;
				break;
			}
			buf = p;
		}
		n = read(fd, buf + out->len, cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = VX_EIO;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > VX_MAX_FILE) {
			st = VX_ELIMIT;
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (st != VX_OK) {
		free(buf);
		out->len = 0;
		return st;
	}
	out->data = buf;
	return VX_OK;
}

vx_status vx_write_file(const char *path, const void *data, size_t len, unsigned mode,
                        int overwrite)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL),
	              (mode_t)mode);
	const uint8_t *p = data;

	if (fd < 0)
		return VX_EIO;
	/* the mode holds whatever the umask or an older file said */
	if (fchmod(fd, (mode_t)mode) < 0) {
		close(fd);
		return VX_EIO;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return VX_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return close(fd) ? VX_EIO : VX_OK;
}

int vx_usage(FILE *f, const char *text, int rc)
{
	fputs(text, f);
	return rc;
}
