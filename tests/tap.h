/*
 * tap.h - a minimal TAP producer for the unit tests (automake's
 * tap-driver.sh counts every "ok"/"not ok" line as one test).
 */
#ifndef VX_TAP_H
#define VX_TAP_H

#include <stddef.h>

/* Report one test; returns cond so callers can stop early. */
int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Report an equality of two integers, printing both on failure. */
int tap_eq(long long got, long long want, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Diagnostic line (TAP comment). */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan and return the process exit status. */
int tap_done(void);
/* Absolute path of a file under $top_srcdir (static buffer). */
const char *tap_srcpath(const char *rel);

/* Remove a store directory made by a test (its two LMDB files, then itself). */
void tap_remove_store(const char *dir);

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is(got, want, ...)                                                                         \
	tap_eq((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)

#endif
