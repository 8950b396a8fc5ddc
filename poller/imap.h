/*
 * imap.h - one IMAP account connection of vortex-poller (libetpan).
 *
 * Owns the conversation with one server: connecting (implicit TLS,
 * STARTTLS, or plaintext only when explicitly allowed), checking the
 * server's certificate chain and name itself before any credential is
 * sent (Debian's libetpan is a GnuTLS build that checks neither), logging
 * in, selecting a mailbox, fetching new messages by UID in bounded
 * batches, applying the mailbox action to a processed message and waiting
 * for new mail (IDLE where offered, a plain poll otherwise). Every network
 * wait is bounded by the configured timeout.
 *
 * Not here: which messages were processed (vx_store_imap_* in core/store.h),
 * configuration, logging, reconnecting and backoff (the daemon).
 *
 * Like the core library it never logs or exits: every call returns a
 * vx_status and leaves one line for the caller to log in vx_imap_error(),
 * which never holds a password or token. VX_ECERT: the certificate was
 * refused; VX_ELOGIN: the server (or we, seeing LOGINDISABLED) refused the
 * login; VX_EIO: the network or the server failed, see vx_imap_connected.
 * The process must ignore SIGPIPE (libetpan writes without MSG_NOSIGNAL);
 * one thread at a time uses a handle.
 */
#ifndef VX_POLLER_IMAP_H
#define VX_POLLER_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "vortex.h"

typedef struct vx_imap vx_imap;

typedef enum vx_imap_tls {
	VX_IMAP_TLS,      /* TLS from the first byte (port 993) */
	VX_IMAP_STARTTLS, /* STARTTLS before anything else (port 143) */
	VX_IMAP_PLAIN     /* no TLS at all: refused unless allow_plain */
} vx_imap_tls;

typedef struct vx_imap_opts {
	const char *host; /* name or address literal */
	unsigned port;    /* 0: 993 for VX_IMAP_TLS, else 143 */
	vx_imap_tls tls;
	int allow_plain;         /* permit VX_IMAP_PLAIN (loopback tests) */
	const char *ca_file;     /* PEM trust anchors; NULL: the system store */
	const char *verify_name; /* name the certificate must carry; NULL: host */
	unsigned timeout;        /* seconds for connecting and each network wait; 0: 30 */
	int no_idle;             /* poll even where IDLE is offered */
	unsigned idle_round;     /* seconds before IDLE is re-issued; 0 or over 1740: 1500 */
	int wake_fd;             /* readable: vx_imap_wait returns early; 0: none */
} vx_imap_opts;

/* A handle for one account; copies what opts points to. Not connected yet. */
vx_status vx_imap_new(const vx_imap_opts *opts, vx_imap **out);
/* Log out (bounded by the timeout) when connected, close, free. */
void vx_imap_free(vx_imap *h);
/* The last error in one line, "" after success. */
const char *vx_imap_error(const vx_imap *h);
/* 1 while the connection is usable; 0 before connect and after a network error. */
int vx_imap_connected(const vx_imap *h);
/* 1 when the server offers the capability (for example "IDLE", "MOVE"). */
int vx_imap_has(const vx_imap *h, const char *capability);

/*
 * Connect, set up TLS as opts say and verify the certificate chain and the
 * name. VX_ECERT when refused (nothing was sent but STARTTLS), VX_EINVAL for
 * VX_IMAP_PLAIN without allow_plain (nothing is sent at all). A connected
 * handle is closed first.
 */
vx_status vx_imap_connect(vx_imap *h);
/* LOGOUT and close; the handle may connect again. */
void vx_imap_close(vx_imap *h);
/*
 * LOGIN. VX_ELOGIN when refused, with the server's words in the error;
 * also, without sending anything, when the server says LOGINDISABLED.
 */
vx_status vx_imap_login(vx_imap *h, const char *user, const char *password);
/*
 * AUTHENTICATE XOAUTH2 (libetpan 1.9.4's mailimap_oauth2_authenticate,
 * SASL-IR) with an OAuth 2.0 access token. VX_EUNSUPPORTED, sending
 * nothing, when the server does not offer AUTH=XOAUTH2.
 */
vx_status vx_imap_login_xoauth2(vx_imap *h, const char *user, const char *token);

/*
 * SELECT mailbox (ASCII, at most 255 bytes): its UIDVALIDITY and UIDNEXT
 * (0 when the server sends none). A change of UIDVALIDITY against the
 * store's vx_store_imap_get is the caller's to see and handle.
 */
vx_status vx_imap_select(vx_imap *h, const char *mailbox, uint32_t *uidvalidity, uint32_t *uidnext);

typedef struct vx_imap_fetch_opts {
	unsigned max_messages; /* per batch; 0: 50 */
	size_t max_bytes;      /* message bytes per batch; 0: 32 MiB */
	size_t max_message;    /* larger messages come without body; 0: 16 MiB */
	const char *mark_flag; /* report VX_IMAP_F_MARK for messages carrying it */
} vx_imap_fetch_opts;

#define VX_IMAP_F_SEEN    0x01u
#define VX_IMAP_F_FLAGGED 0x02u
#define VX_IMAP_F_DELETED 0x04u
#define VX_IMAP_F_MARK    0x08u /* carries fetch_opts.mark_flag */

typedef struct vx_imap_msg {
	uint32_t uid;
	uint32_t size;  /* RFC822.SIZE */
	unsigned flags; /* VX_IMAP_F_* */
	int oversize;   /* over max_message: body not fetched */
	vx_bytes body;  /* the whole message (BODY.PEEK[]: \Seen is not set) */
} vx_imap_msg;

typedef struct vx_imap_batch {
	vx_imap_msg *msgs; /* ascending UIDs */
	size_t n;
	uint32_t next_uid; /* where the next fetch starts: above every UID looked at */
	int more;          /* messages at or above next_uid are waiting */
} vx_imap_batch;

/*
 * The messages with UID >= from_uid in the selected mailbox, lowest UIDs
 * first, at most max_messages of them and max_bytes of bodies (at least
 * one message, so a message up to max_message always gets through). Only
 * messages the session knows are seen: after select, wait or a fetch.
 * Free with vx_imap_batch_free, also after an error.
 */
vx_status vx_imap_fetch(vx_imap *h, uint32_t from_uid, const vx_imap_fetch_opts *o,
                        vx_imap_batch *b);
void vx_imap_batch_free(vx_imap_batch *b);

typedef enum vx_imap_action {
	VX_IMAP_DELETE, /* \Deleted, then UID EXPUNGE (UIDPLUS) or EXPUNGE */
	VX_IMAP_MOVE,   /* to folder arg: MOVE where offered, else COPY and delete */
	VX_IMAP_FLAG    /* set flag arg: a system flag such as \Seen, or a keyword */
} vx_imap_action;

/*
 * Apply the action to message uid of the selected mailbox. A UID that is
 * gone already is no error, so the action may be repeated after a crash.
 * A missing MOVE/COPY target folder is created once.
 */
vx_status vx_imap_mark(vx_imap *h, uint32_t uid, vx_imap_action action, const char *arg);

/*
 * Wait up to seconds for the selected mailbox to change. With IDLE (offered
 * and not opts.no_idle): *changed = 1 as soon as the server announces a
 * new message, 0 after seconds without; the IDLE is re-issued every
 * idle_round seconds. Without: wait on the socket for seconds, then NOOP,
 * and *changed = 1 (the caller fetches to see). Either way the wait ends
 * early, with *changed = 0, once opts.wake_fd is readable (the daemon
 * stopping or reloading).
 */
vx_status vx_imap_wait(vx_imap *h, unsigned seconds, int *changed);

#endif
