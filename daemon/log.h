/*
 * log.h - the daemons' log: syslog with the configured facility, and
 * standard error as well in the foreground. Every line may carry a prefix
 * (the MTA's queue ID) so an admin can follow one mail through the MTA's
 * log and ours. Callers never pass key material or mail content.
 */
#ifndef VXD_LOG_H
#define VXD_LOG_H

#include <syslog.h>

/* ident: the program name; to_stderr: copy every line to standard error. */
void vxd_log_open(const char *ident, int facility, int to_stderr);
/* A new facility after a reload. */
void vxd_log_facility(int facility);

/* One line at priority prio (LOG_ERR ...); prefix NULL or "" for none. */
void vxd_log(int prio, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
