/*
 * vortex-milter.c - the MessageVortex node inside Postfix or Sendmail
 * (vortex-milter(8)): options, the socket bound as root, the privilege
 * drop, the engine thread, SIGUSR1 reloads, and libmilter's main loop,
 * which ends on SIGTERM or SIGHUP (libmilter's own handling, smfi_stop).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callbacks.h"
#include "conf.h"
#include "frontend.h"
#include "log.h"
#include "outbound.h"
#include "privs.h"
#include "runtime.h"

static vxd_front front = {
    .prog = "vortex-milter",
    .usage = "usage: vortex-milter [-c FILE] [-n] [-f] [-p SOCKET] [-V]\n"
             "  -c FILE    configuration (default " VXD_CONF_DEFAULT ")\n"
             "  -n         check the configuration and the host keys, then exit\n"
             "  -f         stay in the foreground, log to standard error as well\n"
             "  -p SOCKET  unix:/path or inet:PORT@HOST, instead of the configured one\n"
             "  -V         print the version and exit\n",
    .flags = VXD_RT_LOCAL,
};

/* SIGUSR1, in the engine thread: a new runtime, or the running one kept. */
static void reload(void)
{
	vxd_front_reload(&front);
}

/* SIGUSR1 only; libmilter's own thread waits for SIGHUP, SIGTERM and SIGINT. */
static void *signals(void *arg)
{
	sigset_t *set = arg;

	for (;;) {
		int sig;

		if (sigwait(set, &sig) == 0 && sig == SIGUSR1)
			vxd_outbound_wake(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *sock;
	int rc;
	static sigset_t usr1;
	sigset_t all;
	pthread_t sigthread;
	char err[512];
	vxd_conf *c;
	vxd_runtime *rt;

	if ((rc = vxd_front_args(&front, argc, argv, "c:fnp:Vh")) >= 0)
		return rc;
	if (vxd_front_load(&front, &c, err, sizeof err))
		return vxd_front_fail(&front, err, NULL);
	if (front.check)
		return vxd_front_check(&front, c);
	sock = front.socket ? front.socket : c->socket;
	if (strncmp(sock, "unix:/", 6) && strncmp(sock, "local:/", 7) &&
	    strncmp(sock, "inet:", 5) && strncmp(sock, "inet6:", 6))
		return vxd_front_fail(&front, sock, "not a socket unix:/path or inet:PORT@HOST");

	/* every thread started from here on leaves these signals to their waiters */
	vxd_front_signals(&all);
	vxd_log_open(front.prog, c->facility, front.fg);
	if (smfi_register(vxm_desc) != MI_SUCCESS || smfi_setconn((char *)sock) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS)
		return vxd_front_fail(&front, sock, "the socket cannot be opened (see the log)");
	if (vxd_privs_socket(c, sock, err, sizeof err) || vxd_privs_dirs(c, err, sizeof err))
		return vxd_front_fail(&front, err, NULL);
	if (vxd_front_start(&front, c))
		return 1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (vxd_outbound_start(reload) || pthread_create(&sigthread, NULL, signals, &usr1)) {
		vxd_log(LOG_ERR, NULL, "cannot start threads: %s", strerror(errno));
		return 1;
	}
	rt = vxd_runtime_get();
	vxd_log(LOG_INFO, NULL, "started on %s: %zu node(s)", sock, rt->nnodes);
	vxd_runtime_put(rt);
	rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	vxd_front_stop();
	return rc;
}
