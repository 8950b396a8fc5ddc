/*
 * io.h - the daemons' bounded I/O with other processes and sockets: a
 * monotonic clock, waiting on a descriptor until a deadline, writing all
 * of a buffer before one, and reaping a child that is killed at one. Used
 * by the transports and by password commands, so that no wait is unbounded.
 */
#ifndef VXD_IO_H
#define VXD_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Milliseconds of CLOCK_MONOTONIC. */
long long vxd_now_ms(void);

/* Wait until fd is ready for events (POLLIN, POLLOUT); -1 once deadline passed. */
int vxd_wait_fd(int fd, short events, long long deadline);

/* Write everything to a non-blocking fd before the deadline; 0 or -1. */
int vxd_write_all(int fd, const void *data, size_t len, long long deadline);

/* The child's wait status; -2 when it was killed at the deadline, -1 on error. */
int vxd_reap(pid_t pid, long long deadline);

#endif
