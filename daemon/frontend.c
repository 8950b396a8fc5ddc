/* frontend.c - the daemons' common main() steps; see frontend.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "log.h"
#include "outbound.h"
#include "privs.h"

int vxd_front_args(vxd_front *f, int argc, char **argv, const char *optstring)
{
	int opt;

	f->conf_path = VXD_CONF_DEFAULT;
	while ((opt = getopt(argc, argv, optstring)) != -1) {
		switch (opt) {
		case 'c':
			f->conf_path = optarg;
			break;
		case 'f':
			f->fg = 1;
			break;
		case 'n':
			f->check = 1;
			break;
		case 'p':
			f->socket = optarg;
			break;
		case 'V':
			printf("%s " PACKAGE_VERSION "\n", f->prog);
			return 0;
		case 'h':
			fputs(f->usage, stdout);
			return 0;
		default:
			fputs(f->usage, stderr);
			return 2;
		}
	}
	if (optind == argc)
		return -1;
	fputs(f->usage, stderr);
	return 2;
}

int vxd_front_fail(const vxd_front *f, const char *what, const char *why)
{
	fprintf(stderr, "%s: %s%s%s\n", f->prog, what, why ? ": " : "", why ? why : "");
	return 1;
}

int vxd_front_load(const vxd_front *f, vxd_conf **c, char *err, size_t errlen)
{
	if (vxd_conf_load(f->conf_path, c, err, errlen))
		return -1;
	if (!f->accept || !f->accept(*c, err, errlen))
		return 0;
	vxd_conf_free(*c);
	*c = NULL;
	return -1;
}

int vxd_front_check(const vxd_front *f, vxd_conf *c)
{
	char err[512];
	vxd_runtime *rt;

	/* the keys too, but no store: a check changes nothing on disk */
	if (vxd_runtime_new(c, 0, &rt, err, sizeof err))
		return vxd_front_fail(f, err, NULL);
	printf("%s: %s: configuration OK, %zu node(s), %zu account(s)\n", f->prog, f->conf_path,
	       rt->nnodes, rt->conf->naccounts);
	vxd_runtime_put(rt);
	return 0;
}

void vxd_front_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP), sigaddset(set, SIGTERM), sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is an error, not the end */
}

int vxd_front_start(const vxd_front *f, vxd_conf *c)
{
	char err[512];
	vxd_runtime *rt;

	if (!f->fg && vxd_privs_daemonize()) {
		vxd_log(LOG_ERR, NULL, "cannot become a daemon: %s", strerror(errno));
		vxd_conf_free(c);
		return -1;
	}
	if (vxd_privs_pidfile(c, err, sizeof err) || vxd_privs_drop(c, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "%s", err);
		vxd_conf_free(c);
		return -1;
	}
	/* the stores are opened as the user that will write them */
	if (vxd_runtime_new(c, VXD_RT_STORES | f->flags, &rt, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "%s", err);
		return -1;
	}
	vxd_runtime_install(rt);
	return 0;
}

int vxd_front_reload(const vxd_front *f)
{
	char err[512];
	vxd_conf *c;
	vxd_runtime *rt, *old;

	if (vxd_front_load(f, &c, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "reload: %s; the running configuration stays", err);
		return -1;
	}
	old = vxd_runtime_get();
	if (old && (strcmp(old->conf->socket, c->socket) ||
	            (old->conf->user && (!c->user || strcmp(old->conf->user, c->user)))))
		vxd_log(LOG_NOTICE, NULL, "reload: socket and user change only at a restart");
	vxd_runtime_put(old);
	if (vxd_runtime_new(c, VXD_RT_STORES | f->flags, &rt, err, sizeof err)) {
		vxd_log(LOG_ERR, NULL, "reload: %s; the running configuration stays", err);
		return -1;
	}
	vxd_log_facility(rt->conf->facility);
	vxd_runtime_install(rt);
	vxd_log(LOG_INFO, NULL, "reloaded %s: %zu node(s), %zu account(s)", f->conf_path,
	        rt->nnodes, rt->conf->naccounts);
	return 0;
}

void vxd_front_stop(void)
{
	vxd_runtime *rt;

	vxd_outbound_stop();
	rt = vxd_runtime_get();
	if (rt && rt->conf->pidfile)
		unlink(rt->conf->pidfile); /* may fail once root is gone: harmless */
	vxd_runtime_put(rt);
	vxd_runtime_install(NULL);
	vxd_log(LOG_INFO, NULL, "stopped");
}
