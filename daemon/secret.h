/*
 * secret.h - reading a password or token (vxd_secret_src of conf.h) at
 * the moment it is needed: from a file that only its owner may access
 * (a group- or world-accessible file is refused, saying so), or from the
 * standard output of a command run without a shell and bounded in time
 * and size; and the same privacy check for host keys. Trailing line ends are dropped. The caller
 * wipes the buffer (explicit_bzero) after use; errors never contain the secret.
 */
#ifndef VXD_SECRET_H
#define VXD_SECRET_H

#include <stddef.h>
#include <sys/stat.h>

#include "conf.h"

/* The longest secret taken (an OAuth 2.0 access token is a few kilobytes at most). */
#define VXD_SECRET_MAX 8192

/*
 * 0 when a key or password file (its stat) is private to its owner;
 * otherwise -1 and err says so, naming path and the chmod that helps.
 */
int vxd_file_private(const struct stat *sb, const char *path, char *err, size_t errlen);

/* Read src into buf (len bytes, NUL-terminated) within timeout seconds; 0, or -1 with err. */
int vxd_secret_read(const vxd_secret_src *src, unsigned timeout, char *buf, size_t len, char *err,
                    size_t errlen);

#endif
