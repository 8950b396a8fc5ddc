/* privs.c - socket, directories, pidfile and the privilege drop; see privs.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privs.h"

const char *vxd_socket_path(const char *spec)
{
	if (!strncmp(spec, "unix:", 5))
		return spec + 5;
	if (!strncmp(spec, "local:", 6))
		return spec + 6;
	return NULL;
}

/* The configured user and group; uid -1 when none is configured. */
static int lookup(const vxd_conf *c, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;

	*uid = (uid_t)-1, *gid = (gid_t)-1;
	if (c->user) {
		if (!(pw = getpwnam(c->user))) {
			snprintf(err, errlen, "user %s: no such user", c->user);
			return -1;
		}
		*uid = pw->pw_uid, *gid = pw->pw_gid;
	}
	if (c->group) {
		if (!(gr = getgrnam(c->group))) {
			snprintf(err, errlen, "group %s: no such group", c->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

int vxd_privs_socket(const vxd_conf *c, const char *spec, char *err, size_t errlen)
{
	const char *path = vxd_socket_path(spec);
	const char *gname = c->socket_group ? c->socket_group : "postfix";
	struct group *gr;
	uid_t uid;
	gid_t gid;

	if (!path)
		return 0;
	if (lookup(c, &uid, &gid, err, errlen))
		return -1;
	/* by default the MTA's group, when this system has Postfix's */
	if ((gr = getgrnam(gname)))
		gid = gr->gr_gid;
	else if (c->socket_group) {
		snprintf(err, errlen, "socket_group %s: no such group", c->socket_group);
		return -1;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid)) {
		snprintf(err, errlen, "socket %s: chown: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, 0660)) {
		snprintf(err, errlen, "socket %s: chmod: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int make_dir(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (uid != (uid_t)-1 && chown(dir, uid, gid)) {
		snprintf(err, errlen, "%s: chown: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int vxd_privs_dirs(const vxd_conf *c, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (lookup(c, &uid, &gid, err, errlen) || make_dir(c->state_dir, uid, gid, err, errlen))
		return -1;
	return make_dir(c->spool_dir, uid, gid, err, errlen);
}

int vxd_privs_pidfile(const vxd_conf *c, char *err, size_t errlen)
{
	char buf[32];
	int fd, n;

	if (!c->pidfile)
		return 0;
	if ((fd = open(c->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) <
	    0) {
		snprintf(err, errlen, "pidfile %s: %s", c->pidfile, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n || close(fd)) {
		snprintf(err, errlen, "pidfile %s: %s", c->pidfile, strerror(errno));
		return -1;
	}
	return 0;
}

int vxd_privs_drop(const vxd_conf *c, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	umask(c->umask);
	if (lookup(c, &uid, &gid, err, errlen))
		return -1;
	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	if (gid != (gid_t)-1 && setgid(gid)) {
		snprintf(err, errlen, "setgid %ld: %s", (long)gid, strerror(errno));
		return -1;
	}
	if (uid != (uid_t)-1) {
		if (initgroups(c->user, gid) || setuid(uid)) {
			snprintf(err, errlen, "user %s: %s", c->user, strerror(errno));
			return -1;
		}
		/* root must be gone for good */
		if (uid != 0 && setuid(0) == 0) {
			snprintf(err, errlen, "user %s: could regain root", c->user);
			return -1;
		}
	}
	return 0;
}

int vxd_privs_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/"))
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}
