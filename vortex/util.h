/* util.h - file helpers shared by the vortex subcommands. */
#ifndef VX_UTIL_H
#define VX_UTIL_H

#include <stdio.h>

#include "bytes.h"

/* Largest input file a subcommand reads. */
#define VX_MAX_FILE (64u << 20)

/* Read a whole file ("-" is stdin) of at most VX_MAX_FILE bytes. */
vx_status vx_read_file(const char *path, vx_bytes *out);
/*
 * Write data to path with mode (e.g. 0600 for keys, regardless of the
 * umask). Refuses an existing file unless overwrite.
 */
vx_status vx_write_file(const char *path, const void *data, size_t len, unsigned mode,
                        int overwrite);

/* Print a subcommand's usage text to f and return rc (0 for --help, 2 on misuse). */
int vx_usage(FILE *f, const char *text, int rc);

#endif
