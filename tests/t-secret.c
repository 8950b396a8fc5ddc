/*
 * t-secret.c - passwords for the daemons (daemon/secret.c): from a file
 * of mode 0600 (trailing line end dropped), refused when group- or
 * world-accessible, empty or too long; from a command's output, refused
 * when it fails, prints nothing or too much, or hangs past the timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "tap.h"

static char dir[] = "/tmp/vx-secret-XXXXXX";

static const char *file(const char *name, const char *text, mode_t mode)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	if ((f = fopen(p, "w"))) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, mode);
	return p;
}

static int read_file(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	vxd_secret_src src = {(char *)path, NULL};

	return vxd_secret_read(&src, 2, buf, len, err, errlen);
}

static int run(const char *script, char *buf, size_t len, char *err, size_t errlen)
{
	char *argv[] = {(char *)file("cmd", script, 0700), NULL};
	vxd_secret_src src = {NULL, argv};

	return vxd_secret_read(&src, 1, buf, len, err, errlen);
}

int main(void)
{
	char buf[64], err[512];
	char big[200];

	if (!mkdtemp(dir))
		return 1;
	ok(!read_file(file("pw", "s3cret\n", 0600), buf, sizeof buf, err, sizeof err) &&
	       !strcmp(buf, "s3cret"),
	   "a 0600 file, its line end dropped");
	ok(!read_file(file("pw2", "s3cret\r\n", 0400), buf, sizeof buf, err, sizeof err) &&
	       !strcmp(buf, "s3cret"),
	   "0400 and CRLF too");
	ok(read_file(file("pw3", "s3cret\n", 0640), buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "mode 0640") && strstr(err, "chmod 600") && !strstr(err, "s3cret"),
	   "group-readable is refused: %s", err);
	ok(read_file(file("pw4", "s3cret\n", 0604), buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "must not be accessible"),
	   "world-readable is refused");
	ok(read_file(file("pw5", "\n", 0600), buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "empty"),
	   "an empty file is refused");
	memset(big, 'x', sizeof big - 1), big[sizeof big - 1] = 0;
	ok(read_file(file("pw6", big, 0600), buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "longer than"),
	   "a file longer than the buffer is refused");
	ok(read_file("/nonexistent/pw", buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "No such file"),
	   "a missing file: %s", err);

	ok(!run("#!/bin/sh\necho tok3n\n", buf, sizeof buf, err, sizeof err) &&
	       !strcmp(buf, "tok3n"),
	   "a command's output");
	ok(run("#!/bin/sh\necho tok3n; exit 3\n", buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "failed") && !strstr(err, "tok3n"),
	   "a failing command is refused: %s", err);
	ok(run("#!/bin/sh\nexit 0\n", buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "printed nothing"),
	   "a command printing nothing is refused");
	ok(run("#!/bin/sh\nhead -c 1000 /dev/zero | tr '\\\\0' x\n", buf, sizeof buf, err,
	       sizeof err) == -1 &&
	       strstr(err, "more than"),
	   "a command printing too much is refused: %s", err);
	ok(run("#!/bin/sh\nexec sleep 30\n", buf, sizeof buf, err, sizeof err) == -1 &&
	       strstr(err, "killed at the timeout"),
	   "a command that hangs is killed at the timeout: %s", err);
	vxd_secret_src none = {NULL, NULL};
	ok(vxd_secret_read(&none, 1, buf, sizeof buf, err, sizeof err) == -1,
	   "no source is an error");

	for (const char *n = "pw\0pw2\0pw3\0pw4\0pw5\0pw6\0cmd\0"; *n; n += strlen(n) + 1) {
		char p[256];

		snprintf(p, sizeof p, "%s/%s", dir, n);
		unlink(p);
	}
	rmdir(dir);
	return tap_done();
}
