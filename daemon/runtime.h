/*
 * runtime.h - one loaded configuration with what its nodes need to run:
 * host keys (read, then the files closed), the library's node configs, and
 * the stores. A store is opened once per process and shared by every
 * runtime that names it, because LMDB must not open one environment twice
 * in a process; each has a mutex, because a store handle's batch is not
 * thread-safe. SIGUSR1 builds a new runtime and installs it; mail already
 * in progress finishes with the one it started with.
 */
#ifndef VXD_RUNTIME_H
#define VXD_RUNTIME_H

#include "conf.h"
#include "node.h"

typedef struct vxd_shared vxd_shared;

typedef struct vxd_node {
	const vxd_node_conf *conf;
	vx_pkey *key;
	const vx_pkey *hosts[1];
	const char *addresses[1];
	vx_request_policy requests;
	vx_node_config cfg; /* points into this struct and the conf */
	vxd_shared *shared; /* NULL when the stores were not opened */
	int engine;         /* this process's engine runs the node's combos and queue */
} vxd_node;

typedef struct vxd_runtime {
	vxd_conf *conf;
	vxd_node *nodes;
	size_t nnodes;
	unsigned refs;
} vxd_runtime;

/*
 * What a runtime is for. The engine of a node with an account section runs
 * in vortex-poller, that of the others in vortex-milter, so that two
 * processes on one store never send one queue item both; with neither
 * flag the engine runs every node (tests, tools).
 */
#define VXD_RT_STORES 1u /* open the stores */
#define VXD_RT_LOCAL  2u /* the engine runs the nodes without an account */
#define VXD_RT_REMOTE 4u /* the engine runs the nodes with an account */

/*
 * Build a runtime from conf, which it owns from then on (also on failure):
 * read every host key and, with VXD_RT_STORES, open (creating mode 0700)
 * state_dir/<address>/ for each node. -1 with err set on failure.
 */
int vxd_runtime_new(vxd_conf *conf, unsigned flags, vxd_runtime **out, char *err, size_t errlen);

/* The node of an address (case-insensitive, <> allowed), or NULL. */
vxd_node *vxd_runtime_node(vxd_runtime *rt, const char *addr, size_t len);

/* The node's store, locked for the caller's calls; unlock after. */
vx_store *vxd_node_lock(vxd_node *n);
void vxd_node_unlock(vxd_node *n);

/* The installed runtime with a reference for the caller, or NULL. */
vxd_runtime *vxd_runtime_get(void);
/* Drop a reference; the last one frees the runtime (and closes unused stores). */
void vxd_runtime_put(vxd_runtime *rt);
/* Install rt (its reference passes to the installation); the previous one is put. */
void vxd_runtime_install(vxd_runtime *rt);

#endif
