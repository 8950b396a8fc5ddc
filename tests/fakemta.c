/* fakemta.c - the fake sendmail of fakemta.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakemta.h"

int fake_sendmail(const char *dir, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/sendmail", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f,
	        "#!/bin/sh\n"
	        "d='%s'\n"
	        "n=$(($(cat \"$d/calls\" 2>/dev/null || echo 0) + 1))\n"
	        "cat >\"$d/$n.mail\"\n"
	        "printf '%%s\\n' \"$@\" >\"$d/$n.args\"\n"
	        "echo $n >\"$d/calls\"\n"
	        "exit $(cat \"$d/status\" 2>/dev/null || echo 0)\n",
	        dir);
	return fclose(f) || chmod(path, 0755) ? -1 : 0;
}

void fake_status(const char *dir, int status)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/status", dir);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "%d\n", status);
		fclose(f);
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap && !(buf = realloc(buf, cap = 2 * cap + 4097)))
			break;
		r = fread(buf + len, 1, 4096, f);
		len += r;
	} while (r > 0);
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

int fake_calls(const char *dir)
{
	char path[4096], *s;
	int n;

	snprintf(path, sizeof path, "%s/calls", dir);
	s = slurp(path);
	n = s ? atoi(s) : 0;
	free(s);
	return n;
}

char *fake_read(const char *dir, int i, const char *what)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%d.%s", dir, i, what);
	return slurp(path);
}

void fake_remove(const char *dir)
{
	char path[4096];
	int n = fake_calls(dir);

	for (int i = 1; i <= n; i++) {
		snprintf(path, sizeof path, "%s/%d.mail", dir, i), unlink(path);
		snprintf(path, sizeof path, "%s/%d.args", dir, i), unlink(path);
	}
	snprintf(path, sizeof path, "%s/calls", dir), unlink(path);
	snprintf(path, sizeof path, "%s/status", dir), unlink(path);
	snprintf(path, sizeof path, "%s/sendmail", dir), unlink(path);
	rmdir(dir);
}
