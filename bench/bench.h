/* bench.h - the sections of vortex-bench that live in their own files. */
#ifndef VX_BENCH_H
#define VX_BENCH_H

/*
 * Messages per second through one node and where the time goes
 * (bench/node.c). Nonzero when the node did not do its work; a missed
 * target is reported, not failed.
 */
int bench_node(int quick);

#endif
