/* runtime.c - keys, node configs and shared stores; see runtime.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"
#include "secret.h"

/* A host key file is a DER AsymmetricKey: a few kilobytes at most. */
#define KEY_MAX (64u << 10)

struct vxd_shared {
	char *dir;
	vx_store *store;
	pthread_mutex_t lock; /* the store's batch state */
	unsigned refs;        /* runtimes naming it; under reg_lock */
	struct vxd_shared *next;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static vxd_shared *registry;
static vxd_runtime *current;

/* Read a host key and close the file; the buffer is wiped. */
static int read_key(const char *path, vx_pkey **key, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	struct stat sb;
	ssize_t got = 0;
	vx_status st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		snprintf(err, errlen, "host key %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size <= 0 || sb.st_size > KEY_MAX) {
		close(fd);
		snprintf(err, errlen, "host key %s: not a key file (a regular file up to %u bytes)",
		         path, KEY_MAX);
		return -1;
	}
	if (vxd_file_private(&sb, path, err, errlen)) {
		close(fd);
		return -1;
	}
	if ((buf = malloc((size_t)sb.st_size)))
		got = read(fd, buf, (size_t)sb.st_size);
	close(fd);
	if (!buf || got != sb.st_size) {
		free(buf);
		snprintf(err, errlen, "host key %s: cannot read it", path);
		return -1;
	}
	st = vx_pkey_from_der(buf, (size_t)got, key);
	explicit_bzero(buf, (size_t)got);
	free(buf);
	if (st != VX_OK || !vx_pkey_has_private(*key)) {
		if (st == VX_OK)
			vx_pkey_free(*key);
		*key = NULL;
		snprintf(err, errlen, "host key %s: %s", path,
		         st != VX_OK ? vx_strerror(st) : "holds no private key");
		return -1;
	}
	return 0;
}

/* The store of dir, opened once per process (under reg_lock). */
static vxd_shared *shared_open(const vxd_conf *c, const char *dir, char *err, size_t errlen)
{
	vxd_shared *sh;
	vx_status st;

	for (sh = registry; sh; sh = sh->next)
		if (!strcmp(sh->dir, dir)) {
			sh->refs++;
			return sh;
		}
	if (mkdir(c->state_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "state_dir %s: %s", c->state_dir, strerror(errno));
		return NULL;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "store %s: %s", dir, strerror(errno));
		return NULL;
	}
	if (!(sh = calloc(1, sizeof *sh)) || !(sh->dir = strdup(dir))) {
		free(sh);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((st = vx_store_open(dir, &c->limits, &sh->store)) != VX_OK) {
		snprintf(err, errlen, "store %s: %s%s%s", dir, vx_strerror(st),
		         st == VX_EIO ? ": " : "", st == VX_EIO ? strerror(errno) : "");
		free(sh->dir), free(sh);
		return NULL;
	}
	pthread_mutex_init(&sh->lock, NULL);
	sh->refs = 1;
	sh->next = registry, registry = sh;
	return sh;
}

/* Under reg_lock. */
static void shared_put(vxd_shared *sh)
{
	if (!sh || --sh->refs)
		return;
	for (vxd_shared **p = &registry; *p; p = &(*p)->next)
		if (*p == sh) {
			*p = sh->next;
			break;
		}
	vx_store_close(sh->store);
	pthread_mutex_destroy(&sh->lock);
	free(sh->dir), free(sh);
}

static void runtime_free(vxd_runtime *rt)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < rt->nnodes; i++)
		shared_put(rt->nodes[i].shared);
	pthread_mutex_unlock(&reg_lock);
	for (size_t i = 0; i < rt->nnodes; i++)
		vx_pkey_free(rt->nodes[i].key);
	free(rt->nodes);
	vxd_conf_free(rt->conf);
	free(rt);
}

static void node_setup(const vxd_conf *c, vxd_node *n)
{
	const vxd_node_conf *nc = n->conf;

	n->hosts[0] = n->key;
	n->addresses[0] = nc->address;
	n->requests = (vx_request_policy){
	    .max_message_quota = c->max_message_quota,
	    .max_transfer_quota = c->max_transfer_quota,
	    .max_header_serials = c->max_header_serials,
	    .max_build_ops = c->max_build_ops,
	    .max_header_live = c->max_header_live,
	    .address = nc->address,
	    .key = n->key,
	    .plain_offsets = nc->offsets,
	    .nplain_offsets = nc->noffsets,
	};
	n->cfg = (vx_node_config){
	    .hosts = n->hosts,
	    .nhosts = 1,
	    .addresses = n->addresses,
	    .offsets = nc->offsets,
	    .noffsets = nc->noffsets,
	    .slot = c->slot,
	    .policy = c->policy,
	    .requests = &n->requests,
	    .notes = c->notes,
	    .nnotes = c->nnotes,
	    .workspace_bytes = c->combo_workspace,
	};
}

int vxd_runtime_new(vxd_conf *conf, unsigned flags, vxd_runtime **out, char *err, size_t errlen)
{
	vxd_runtime *rt = calloc(1, sizeof *rt);
	int rc = 0;

	*out = NULL;
	if (!rt || !(rt->nodes = calloc(conf->nnodes, sizeof *rt->nodes))) {
		free(rt);
		vxd_conf_free(conf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rt->conf = conf;
	rt->refs = 1;
	for (size_t i = 0; !rc && i < conf->nnodes; i++) {
		vxd_node *n = &rt->nodes[i];
		char dir[4096];

		n->conf = &conf->nodes[i];
		rt->nnodes = i + 1;
		if ((rc = read_key(n->conf->host_key, &n->key, err, errlen)))
			break;
		node_setup(conf, n);
		n->engine = !(flags & (VXD_RT_LOCAL | VXD_RT_REMOTE)) ||
		            (flags & (n->conf->remote ? VXD_RT_REMOTE : VXD_RT_LOCAL));
		if (!(flags & VXD_RT_STORES))
			continue;
		/* one directory per address, whatever case the config writes it in */
		int len = snprintf(dir, sizeof dir, "%s/", conf->state_dir);
		for (const char *a = n->conf->address; *a && len + 1 < (int)sizeof dir; a++)
			dir[len++] = (char)tolower((unsigned char)*a);
		dir[len] = 0;
		pthread_mutex_lock(&reg_lock);
		n->shared = shared_open(conf, dir, err, errlen);
		pthread_mutex_unlock(&reg_lock);
		rc = n->shared ? 0 : -1;
	}
	if (rc) {
		runtime_free(rt);
		return -1;
	}
	*out = rt;
	return 0;
}

vxd_node *vxd_runtime_node(vxd_runtime *rt, const char *addr, size_t len)
{
	const vxd_node_conf *nc = vxd_conf_node(rt->conf, addr, len);

	return nc ? &rt->nodes[nc - rt->conf->nodes] : NULL;
}

vx_store *vxd_node_lock(vxd_node *n)
{
	pthread_mutex_lock(&n->shared->lock);
	return n->shared->store;
}

void vxd_node_unlock(vxd_node *n)
{
	pthread_mutex_unlock(&n->shared->lock);
}

vxd_runtime *vxd_runtime_get(void)
{
	vxd_runtime *rt;

	pthread_mutex_lock(&reg_lock);
	if ((rt = current))
		rt->refs++;
	pthread_mutex_unlock(&reg_lock);
	return rt;
}

void vxd_runtime_put(vxd_runtime *rt)
{
	int last;

	if (!rt)
		return;
	pthread_mutex_lock(&reg_lock);
	last = --rt->refs == 0;
	pthread_mutex_unlock(&reg_lock);
	if (last)
		runtime_free(rt);
}

void vxd_runtime_install(vxd_runtime *rt)
{
	vxd_runtime *old;

	pthread_mutex_lock(&reg_lock);
	old = current, current = rt;
	pthread_mutex_unlock(&reg_lock);
	vxd_runtime_put(old);
}
