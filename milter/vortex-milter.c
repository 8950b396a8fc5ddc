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
#include "log.h"
#include "outbound.h"
#include "privs.h"
#include "runtime.h"

#define PROG "vortex-milter"

static const char *conf_path = VXD_CONF_DEFAULT;

/* One line on standard error; exit status 1. */
static int fail(const char *what, const char *why)
{
	fprintf(stderr, PROG ": %s%s%s\n", what, why ? ": " : "", why ? why : "");
	return 1;
}

static int usage(FILE *f, int rc)
{
	fprintf(f, "usage: " PROG " [-c FILE] [-n] [-f] [-p SOCKET] [-V]\n"
	           "  -c FILE    configuration (default " VXD_CONF_DEFAULT ")\n"
	           "  -n         check the configuration and the host keys, then exit\n"
	           "  -f         stay in the foreground, log to standard error as well\n"
	           "  -p SOCKET  unix:/path or inet:PORT@HOST, instead of the configured one\n"
	           "  -V         print the version and exit\n");
	return rc;
}

/* SIGUSR1, in the engine thread: a new runtime, or the running one kept. */
static void reload(void)
{
	char err[512];
	vxd_conf *c;
	vxd_runtime *rt, *old;

	if (vxd_conf_load(conf_path, &c, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "reload: %s; the running configuration stays", err);
		return;
	}
	old = vxd_runtime_get();
	if (old && (strcmp(old->conf->socket, c->socket) ||
	            (old->conf->user && (!c->user || strcmp(old->conf->user, c->user)))))
		vxd_log(LOG_NOTICE, NULL, "reload: socket and user change only at a restart");
	vxd_runtime_put(old);
	if (vxd_runtime_new(c, 1, &rt, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "reload: %s; the running configuration stays", err);
		return;
	}
	vxd_log_facility(rt->conf->facility);
	vxd_runtime_install(rt);
	vxd_log(LOG_INFO, NULL, "reloaded %s: %zu node(s)", conf_path, rt->nnodes);
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

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/"))
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = NULL;
	int check = 0, fg = 0, opt, rc;
	static sigset_t usr1;
	sigset_t all;
	pthread_t sigthread;
	char err[512];
	vxd_conf *c;
	vxd_runtime *rt;

	while ((opt = getopt(argc, argv, "c:fnp:Vh")) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'f':
			fg = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			sock = optarg;
			break;
		case 'V':
			printf(PROG " " PACKAGE_VERSION "\n");
			return 0;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc)
		return usage(stderr, 2);
	if (vxd_conf_load(conf_path, &c, err, sizeof err))
		return fail(err, NULL);
	if (check) {
		/* the keys too, but no store: a check changes nothing on disk */
		if (vxd_runtime_new(c, 0, &rt, err, sizeof err))
			return fail(err, NULL);
		printf(PROG ": %s: configuration OK, %zu node(s)\n", conf_path, rt->nnodes);
		vxd_runtime_put(rt);
		return 0;
	}
	sock = sock ? sock : c->socket;
	if (strncmp(sock, "unix:/", 6) && strncmp(sock, "local:/", 7) &&
	    strncmp(sock, "inet:", 5) && strncmp(sock, "inet6:", 6))
		return fail(sock, "not a socket unix:/path or inet:PORT@HOST");

	/* every thread started from here on leaves these signals to their waiters */
	sigemptyset(&all);
	sigaddset(&all, SIGHUP), sigaddset(&all, SIGTERM), sigaddset(&all, SIGINT);
	sigaddset(&all, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	signal(SIGPIPE, SIG_IGN);

	vxd_log_open(PROG, c->facility, fg);
	if (smfi_register(vxm_desc) != MI_SUCCESS || smfi_setconn((char *)sock) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS)
		return fail(sock, "the socket cannot be opened (see the log)");
	if (vxd_privs_socket(c, sock, err, sizeof err) || vxd_privs_dirs(c, err, sizeof err))
		return fail(err, NULL);
	if (!fg && daemonize())
		return fail("cannot become a daemon", strerror(errno));
	if (vxd_privs_pidfile(c, err, sizeof err) || vxd_privs_drop(c, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "%s", err);
		return 1;
	}
	/* the stores are opened as the user that will write them */
	if (vxd_runtime_new(c, 1, &rt, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "%s", err);
		return 1;
	}
	vxd_runtime_install(rt);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (vxd_outbound_start(reload) || pthread_create(&sigthread, NULL, signals, &usr1)) {
		vxd_log(LOG_ERR, NULL, "cannot start threads: %s", strerror(errno));
		return 1;
	}
	vxd_log(LOG_INFO, NULL, "started on %s: %zu node(s)", sock, rt->nnodes);
	rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	vxd_outbound_stop();
	rt = vxd_runtime_get();
	if (rt && rt->conf->pidfile)
		unlink(rt->conf->pidfile); /* may fail once root is gone: harmless */
	vxd_runtime_put(rt);
	vxd_runtime_install(NULL);
	vxd_log(LOG_INFO, NULL, "stopped");
	return rc;
}
