/*
 * libstatus.h - the one place where a status of the vortex library
 * becomes what the daemon does (in the manner of OpenDKIM's
 * dkimf_libstatus): the milter's reply to a mail, or a retry of engine
 * work, as the configuration's failure policy says. It logs the decision.
 */
#ifndef VXD_LIBSTATUS_H
#define VXD_LIBSTATUS_H

#include "conf.h"
#include "vortex.h"

typedef enum vxd_action {
	VXD_PASS,     /* let the mail through unchanged */
	VXD_TEMPFAIL, /* make the client try again later */
	VXD_RETRY     /* engine work: leave it where it is, do it again next run */
} vxd_action;

typedef enum vxd_context {
	VXD_CTX_MAIL,   /* a mail in an SMTP transaction */
	VXD_CTX_ENGINE, /* combos, expiry, the outbound queue */
	VXD_CTX_ACCOUNT /* an IMAP account's session (what: why it ended) */
} vxd_context;

/* st must not be VX_OK. prefix: the queue ID or node; what: the failed step. */
vxd_action vxd_libstatus(const vxd_conf *c, vxd_context ctx, vx_status st, const char *prefix,
                         const char *what);

#endif
