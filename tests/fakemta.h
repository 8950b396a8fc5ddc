/*
 * fakemta.h - a fake sendmail for the daemon's unit tests (t-transport,
 * t-outbound): a shell script that records each call's arguments and
 * standard input in its directory and exits with a chosen status.
 */
#ifndef VX_FAKEMTA_H
#define VX_FAKEMTA_H

#include <stddef.h>

/* Create dir/sendmail; path receives its name. 0 on success. */
int fake_sendmail(const char *dir, char *path, size_t n);
/* The exit status of the next calls (0: confirmed, 75: EX_TEMPFAIL). */
void fake_status(const char *dir, int status);
/* Calls so far. */
int fake_calls(const char *dir);
/* Call i's (1-based) arguments (one per line) or standard input; free it. */
char *fake_read(const char *dir, int i, const char *what);
/* Remove what the fake left in dir, and dir. */
void fake_remove(const char *dir);

#endif
