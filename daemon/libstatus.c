/* libstatus.c - library statuses into actions; see libstatus.h. */
#include "libstatus.h"
#include "log.h"

static vxd_action by_policy(vxd_policy p)
{
	return p == VXD_POLICY_ACCEPT ? VXD_PASS : VXD_TEMPFAIL;
}

vxd_action vxd_libstatus(const vxd_conf *c, vxd_context ctx, vx_status st, const char *prefix,
                         const char *what)
{
	vxd_action a;

	if (ctx == VXD_CTX_ACCOUNT) {
		/* credentials and certificates need the admin; the network may heal itself */
		vxd_log(st == VX_ECERT || st == VX_ELOGIN || st == VX_EINVAL ? LOG_ERR
		                                                             : LOG_WARNING,
		        prefix, "%s; reconnecting after a backoff", what);
		return VXD_RETRY;
	}
	if (ctx == VXD_CTX_ENGINE) {
		/* nothing the engine holds is ever dropped: it stays stored and is retried */
		vxd_log(LOG_WARNING, prefix, "%s: %s; retried at the next run", what,
		        vx_strerror(st));
		return VXD_RETRY;
	}
	switch (st) {
	case VX_EMIME:
		/* not parseable as MIME: it cannot carry a Vortex message we could read */
		a = VXD_PASS;
		break;
	case VX_ELIMIT:
		a = by_policy(c->on_limit);
		break;
	default:
		a = by_policy(c->on_internal_error);
	}
	vxd_log(st == VX_EMIME ? LOG_INFO : LOG_ERR, prefix, "%s: %s; %s", what, vx_strerror(st),
	        a == VXD_PASS ? "passed unchanged" : "temporary failure");
	return a;
}
