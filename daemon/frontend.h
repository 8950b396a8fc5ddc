/*
 * frontend.h - what the daemons' main() functions do alike: the common
 * options (-c FILE, -n, -f, -V, -h), the -n check, the signal mask, the
 * start once the daemon's own root work is done (background, pidfile,
 * privilege drop, stores opened as the user), a reload into a new
 * runtime, and the clean stop. Each daemon keeps only its own part: the
 * milter's socket and libmilter, the poller's accounts.
 */
#ifndef VXD_FRONTEND_H
#define VXD_FRONTEND_H

#include <signal.h>
#include <stddef.h>

#include "conf.h"
#include "runtime.h"

typedef struct vxd_front {
	const char *prog;  /* program name, for messages and the log */
	const char *usage; /* the usage text, printed by -h and on errors */
	unsigned flags;    /* VXD_RT_LOCAL or VXD_RT_REMOTE: which engines run here */
	/* what the daemon needs beyond a valid file (NULL: nothing); -1 with err */
	int (*accept)(const vxd_conf *c, char *err, size_t errlen);
	/* filled by vxd_front_args */
	const char *conf_path; /* -c, default VXD_CONF_DEFAULT */
	const char *socket;    /* -p, when the daemon's options have it */
	int check, fg;
} vxd_front;

/*
 * Parse the options (optstring: "c:fnVh" plus the daemon's own, of which
 * only "p:" is known). -1 to go on; otherwise the exit status (-V, -h, a
 * usage error).
 */
int vxd_front_args(vxd_front *f, int argc, char **argv, const char *optstring);

/* One line "prog: what: why" on standard error; returns exit status 1. */
int vxd_front_fail(const vxd_front *f, const char *what, const char *why);

/* Load and accept the configuration; -1 with err. */
int vxd_front_load(const vxd_front *f, vxd_conf **c, char *err, size_t errlen);

/* -n: read the keys (no store is opened) and say OK; the exit status. Takes c. */
int vxd_front_check(const vxd_front *f, vxd_conf *c);

/* Block SIGHUP, SIGTERM, SIGINT and SIGUSR1 in every thread to come (into set), ignore SIGPIPE. */
void vxd_front_signals(sigset_t *set);

/*
 * After the daemon's root work: background unless -f, pidfile, privilege
 * drop, then the runtime with its stores opened and installed. Takes c.
 * 0, or -1 after logging why.
 */
int vxd_front_start(const vxd_front *f, vxd_conf *c);

/* A new runtime from the file, installed; 0, or -1 (logged) with the running one kept. */
int vxd_front_reload(const vxd_front *f);

/* The engine stopped, the pidfile removed, the runtime released; logs "stopped". */
void vxd_front_stop(void);

#endif
