/*
 * privs.h - what the daemon does as root before it gives root up: the
 * milter socket made accessible to the MTA's group (mode 0660), the state
 * and spool directories created for the configured user (mode 0700), the
 * pidfile; then the drop to user and group with initgroups, and the umask.
 * Each returns 0, or -1 with why in err.
 */
#ifndef VXD_PRIVS_H
#define VXD_PRIVS_H

#include <stddef.h>

#include "conf.h"

/* A unix: or local: socket path of a milter socket spec, or NULL for inet. */
const char *vxd_socket_path(const char *spec);

/*
 * Give the bound unix socket its group (socket_group; by default postfix
 * when that group exists) and mode 0660, owned by the configured user.
 */
int vxd_privs_socket(const vxd_conf *c, const char *spec, char *err, size_t errlen);

/* Create state_dir and spool_dir (0700), owned by the configured user. */
int vxd_privs_dirs(const vxd_conf *c, char *err, size_t errlen);

/* Write the pid to c->pidfile, if one is configured. */
int vxd_privs_pidfile(const vxd_conf *c, char *err, size_t errlen);

/* Drop to user/group (if configured) and set the umask. */
int vxd_privs_drop(const vxd_conf *c, char *err, size_t errlen);

/* Fork into the background: a new session, cwd /, standard streams on /dev/null. */
int vxd_privs_daemonize(void);

#endif
