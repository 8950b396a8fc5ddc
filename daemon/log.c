/* log.c - syslog with a per-line prefix; see log.h. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static const char *log_ident = "vortex";
static int log_stderr;

void vxd_log_open(const char *ident, int facility, int to_stderr)
{
	log_ident = ident;
	log_stderr = to_stderr;
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void vxd_log_facility(int facility)
{
	closelog();
	openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void vxd_log(int prio, const char *prefix, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (prefix && *prefix)
		syslog(prio, "%s: %s", prefix, msg);
	else
		syslog(prio, "%s", msg);
	if (log_stderr)
		fprintf(stderr, "%s: %s%s%s\n", log_ident, prefix && *prefix ? prefix : "",
		        prefix && *prefix ? ": " : "", msg);
}
