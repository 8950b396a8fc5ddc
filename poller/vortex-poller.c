/*
 * vortex-poller.c - MessageVortex node addresses on IMAP mailboxes
 * (vortex-poller(8)): options, the privilege drop, the engine thread for
 * the nodes with accounts, one thread per account (poller/account.c), and
 * the main thread waiting for signals: SIGHUP and SIGUSR1 reload the
 * configuration, SIGTERM and SIGINT stop (IMAP sessions logged out).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "conf.h"
#include "frontend.h"
#include "log.h"
#include "outbound.h"
#include "privs.h"
#include "runtime.h"
#include "secret.h"

static vxp_account **accounts;
static size_t naccounts;

/* The poller needs at least one account. */
static int accept_conf(const vxd_conf *c, char *err, size_t errlen)
{
	if (c->naccounts)
		return 0;
	snprintf(err, errlen, "%s: no account section: vortex-poller has no mailbox to poll",
	         c->path);
	return -1;
}

static vxd_front front = {
    .prog = "vortex-poller",
    .usage = "usage: vortex-poller [-c FILE] [-n] [-f] [-V]\n"
             "  -c FILE    configuration (default " VXD_CONF_DEFAULT ")\n"
             "  -n         check the configuration, host keys and password files, then exit\n"
             "  -f         stay in the foreground, log to standard error as well\n"
             "  -V         print the version and exit\n",
    .flags = VXD_RT_REMOTE,
    .accept = accept_conf,
};

/* -n: password files readable and private (commands are not run by a check). */
static int check_secrets(const vxd_conf *c, char *err, size_t errlen)
{
	char buf[VXD_SECRET_MAX], why[384];

	for (size_t i = 0; i < c->naccounts; i++) {
		const vxd_account_conf *a = &c->accounts[i];
		const vxd_secret_src *srcs[] = {&a->password, &a->smtp_password};

		for (size_t j = 0; j < 2; j++) {
			vxd_secret_src file = {srcs[j]->file, NULL};
			int r;

			if (!file.file)
				continue;
			r = vxd_secret_read(&file, a->timeout, buf, sizeof buf, why, sizeof why);
			explicit_bzero(buf, sizeof buf);
			if (r) {
				snprintf(err, errlen, "account \"%s\": %s", a->name, why);
				return -1;
			}
		}
	}
	return 0;
}

/* Every account of the installed runtime in its thread. */
static void start_accounts(void)
{
	vxd_runtime *rt = vxd_runtime_get();

	naccounts = rt ? rt->conf->naccounts : 0;
	accounts = calloc(naccounts ? naccounts : 1, sizeof *accounts);
	for (size_t i = 0; accounts && i < naccounts; i++)
		if (vxp_account_start(vxd_runtime_get(), &rt->conf->accounts[i], &accounts[i]))
			vxd_log(LOG_ERR, rt->conf->accounts[i].name, "cannot start its thread: %s",
			        strerror(errno));
	vxd_runtime_put(rt);
}

/* All stop at once, so their logouts run side by side. */
static void stop_accounts(void)
{
	for (size_t i = 0; accounts && i < naccounts; i++)
		if (accounts[i])
			vxp_account_stop(accounts[i]);
	for (size_t i = 0; accounts && i < naccounts; i++)
		if (accounts[i])
			vxp_account_join(accounts[i]);
	free(accounts);
	accounts = NULL, naccounts = 0;
}

int main(int argc, char **argv)
{
	int rc, sig = 0;
	sigset_t set;
	char err[512];
	vxd_conf *c;
	vxd_runtime *rt;

	if ((rc = vxd_front_args(&front, argc, argv, "c:fnVh")) >= 0)
		return rc;
	if (vxd_front_load(&front, &c, err, sizeof err))
		return vxd_front_fail(&front, err, NULL);
	if (front.check) {
		if (!check_secrets(c, err, sizeof err))
			return vxd_front_check(&front, c);
		vxd_conf_free(c);
		return vxd_front_fail(&front, err, NULL);
	}
	/* every thread started from here on leaves these signals to the main thread */
	vxd_front_signals(&set);
	vxd_log_open(front.prog, c->facility, front.fg);
	if (vxd_privs_dirs(c, err, sizeof err)) {
		vxd_conf_free(c);
		return vxd_front_fail(&front, err, NULL);
	}
	if (vxd_front_start(&front, c))
		return 1;
	if (vxd_outbound_start(NULL)) {
		vxd_log(LOG_ERR, NULL, "cannot start the engine: %s", strerror(errno));
		return 1;
	}
	start_accounts();
	rt = vxd_runtime_get();
	vxd_log(LOG_INFO, NULL, "started: %zu node(s), %zu account(s)", rt->nnodes, naccounts);
	vxd_runtime_put(rt);
	/* SIGHUP and SIGUSR1 reload: new accounts once the new runtime is in */
	while (sigwait(&set, &sig) || (sig != SIGTERM && sig != SIGINT)) {
		if (sig != SIGHUP && sig != SIGUSR1)
			continue;
		if (vxd_front_reload(&front))
			continue;
		stop_accounts();
		start_accounts();
		vxd_outbound_wake(0);
	}
	vxd_log(LOG_INFO, NULL, "stopping: logging out of %zu account(s)", naccounts);
	stop_accounts();
	vxd_front_stop();
	return 0;
}
