/*
 * cmd.h - the subcommands of the vortex tool, one file each
 * (vortex/cmd_NAME.c). Each returns the process exit status:
 * 0 success, 1 failure of the operation, 2 usage error.
 */
#ifndef VX_CMD_H
#define VX_CMD_H

int cmd_keygen(int argc, char **argv);
int cmd_address(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_op(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_identity(int argc, char **argv);

/* Print "vortex: " and the message to stderr; returns 1. */
int vx_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
