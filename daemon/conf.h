/*
 * conf.h - the daemons' configuration (vortex.conf(5)): parsing the
 * libconfuse file into one immutable struct, validating every key with a
 * message naming the file, line and key, and the defaults. Owns nothing
 * else: keys are read and stores opened by daemon/runtime.c.
 */
#ifndef VXD_CONF_H
#define VXD_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "account.h"
#include "compose.h"
#include "store.h"

#define VXD_CONF_DEFAULT "/etc/vortex/vortex.conf"

typedef enum vxd_policy { VXD_POLICY_TEMPFAIL, VXD_POLICY_ACCEPT } vxd_policy;
typedef enum vxd_carrier {
	VXD_CARRIER_DISCARD, /* the node recipients' copy is dropped */
	VXD_CARRIER_STRIP,   /* delivered with the carrier attachment replaced by a note */
	VXD_CARRIER_DELIVER  /* delivered unchanged */
} vxd_carrier;
typedef enum vxd_reinject { VXD_REINJECT_SENDMAIL, VXD_REINJECT_SMTP } vxd_reinject;

typedef enum vxd_tls { VXD_TLS_IMPLICIT, VXD_TLS_STARTTLS, VXD_TLS_PLAIN } vxd_tls;
typedef enum vxd_processed {
	VXD_PROCESSED_DELETE,
	VXD_PROCESSED_MOVE,
	VXD_PROCESSED_FLAG
} vxd_processed;

/* Where a password or token comes from: a file (mode 0600 or stricter) or a command. */
typedef struct vxd_secret_src {
	char *file;
	char **command; /* argv, NULL-terminated; its standard output */
} vxd_secret_src;

/* An IMAP mailbox that is a node address (vortex-poller), and its submission. */
typedef struct vxd_account_conf {
	char *name; /* the section title; the store's key with mailbox */
	char *host;
	unsigned port; /* 0: 993 for implicit TLS, else 143 */
	vxd_tls tls;
	int allow_plain;
	char *ca_file, *verify_name; /* NULL: the system store, host */
	char *user;
	vxd_secret_src password;
	int xoauth2; /* the secret is an OAuth 2.0 access token */
	char *mailbox;
	vxd_processed processed;
	char *move_to, *flag;
	int idle;
	unsigned poll_interval, timeout, batch_messages;
	size_t batch_bytes;
	char *node; /* the configured node address this mailbox is */
	/* submission for the node's outbound mail; smtp_host NULL: the default transport */
	char *smtp_host;
	unsigned smtp_port; /* 0: 465 for implicit TLS, else 587 */
	vxd_tls smtp_tls;
	char *smtp_user; /* NULL: no AUTH */
	vxd_secret_src smtp_password;
} vxd_account_conf;

typedef struct vxd_node_conf {
	char *address;    /* local@domain, as written */
	char *host_key;   /* DER AsymmetricKey file (vortex keygen) */
	char *deliver_to; /* readable mail for the local user */
	unsigned *offsets;
	size_t noffsets;
	int remote;                         /* an account section names this node */
	const vxd_account_conf *submission; /* the first such account with smtp_host, or NULL */
} vxd_node_conf;

typedef struct vxd_conf {
	char *path;
	/* the daemon */
	char *socket, *user, *group, *socket_group, *pidfile, *state_dir, *spool_dir;
	mode_t umask;
	int facility; /* LOG_MAIL, LOG_LOCAL0, ... */
	/* mail */
	vxd_policy on_internal_error, on_limit;
	vxd_carrier carrier;
	size_t memory_threshold, max_message_size;
	/* engine and outbound */
	unsigned run_interval, expire_interval, slot;
	vxd_reinject reinject;
	char **sendmail; /* argv prefix, NULL-terminated; "-f FROM -- RCPT" follows */
	char *smtp_host, *smtp_helo;
	unsigned smtp_port, transport_timeout, retry_min, retry_max;
	/* the library's bounds and policy */
	vx_store_limits limits;
	vx_account_policy policy;
	uint64_t max_message_quota, max_transfer_quota;
	unsigned max_header_serials, max_build_ops, max_header_live;
	size_t combo_workspace;
	vx_carrier_note *notes; /* strings owned */
	size_t nnotes;
	vxd_node_conf *nodes;
	size_t nnodes;
	/* the poller */
	vxd_account_conf *accounts;
	size_t naccounts;
	unsigned reconnect_min, reconnect_max;
} vxd_conf;

/*
 * Load and validate path. On failure returns -1 and err holds one line
 * ("FILE:LINE: key: why"); nothing is allocated then.
 */
int vxd_conf_load(const char *path, vxd_conf **out, char *err, size_t errlen);
void vxd_conf_free(vxd_conf *c);

/* The node whose address is addr (case-insensitive, without <>), or NULL. */
const vxd_node_conf *vxd_conf_node(const vxd_conf *c, const char *addr, size_t len);

#endif
