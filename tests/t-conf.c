/*
 * t-conf.c - vortex.conf(5): a full configuration, the defaults, every
 * kind of bad key with its message, node lookup, and the failure policy
 * of daemon/libstatus.c that the configuration drives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "libstatus.h"
#include "tap.h"

static char path[64];

static vxd_conf *load(const char *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	vxd_conf *c = NULL;

	fputs(text, f);
	fclose(f);
	if (vxd_conf_load(path, &c, err, errlen))
		return NULL;
	return c;
}

#define NODE "node \"vortex@node1.test\" { host_key = \"/etc/vortex/node1.key\" }\n"

static void refused(const char *text, const char *want)
{
	char err[512];
	vxd_conf *c = load(text, err, sizeof err);

	ok(!c && strstr(err, want) && !strchr(err, '\n'), "refused with \"%s\"", want);
	if (c || !strstr(err, want))
		tap_diag("got: %s", c ? "(accepted)" : err);
	vxd_conf_free(c);
}

/* The failure policy of libstatus: defaults, then each policy set to accept. */
static void libstatus_checks(vxd_conf *c)
{
	static const struct {
		int set; /* 1: on_internal_error = accept before, 2: on_limit too */
		vxd_context ctx;
		vx_status st;
		vxd_action want;
		const char *what;
	} cases[] = {
	    {0, VXD_CTX_MAIL, VX_ENOMEM, VXD_TEMPFAIL, "internal error: tempfail by default"},
	    {0, VXD_CTX_MAIL, VX_EIO, VXD_TEMPFAIL, "I/O error: tempfail by default"},
	    {0, VXD_CTX_MAIL, VX_ELIMIT, VXD_TEMPFAIL, "limit: tempfail by default"},
	    {0, VXD_CTX_MAIL, VX_EMIME, VXD_PASS, "unparseable mail passes"},
	    {1, VXD_CTX_MAIL, VX_EIO, VXD_PASS, "on_internal_error = accept passes"},
	    {1, VXD_CTX_MAIL, VX_ELIMIT, VXD_TEMPFAIL, "and leaves limits to on_limit"},
	    {2, VXD_CTX_MAIL, VX_ELIMIT, VXD_PASS, "on_limit = accept passes"},
	    {2, VXD_CTX_ENGINE, VX_ELIMIT, VXD_RETRY, "engine work is always retried"},
	    {2, VXD_CTX_ENGINE, VX_EIO, VXD_RETRY, "engine I/O errors too"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c->on_internal_error = cases[i].set >= 1 ? VXD_POLICY_ACCEPT : VXD_POLICY_TEMPFAIL;
		c->on_limit = cases[i].set >= 2 ? VXD_POLICY_ACCEPT : VXD_POLICY_TEMPFAIL;
		is(vxd_libstatus(c, cases[i].ctx, cases[i].st, "Q1", "test"), cases[i].want, "%s",
		   cases[i].what);
	}
}

int main(void)
{
	char err[512];
	vxd_conf *c;
	int fd;

	snprintf(path, sizeof path, "/tmp/vx-conf-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);

	c = load("socket = \"inet:8891@127.0.0.1\"\n"
	         "user = vortex\n"
	         "socket_group = postfix\n"
	         "umask = 027\n"
	         "syslog_facility = local3\n"
	         "state_dir = \"/srv/vortex\"\n"
	         "on_internal_error = accept\n"
	         "on_limit = accept\n"
	         "carrier = deliver\n"
	         "memory_threshold = 4096\n"
	         "max_message_size = 1048576\n"
	         "reinject = smtp\n"
	         "sendmail = \"/usr/sbin/sendmail -C /tmp/x/etc -i\"\n"
	         "smtp_port = 10025\n"
	         "retry_min = 5\nretry_max = 50\n"
	         "puzzle_bits = 12\nmessage_quota = 7\n"
	         "note { subject = \"photos\" body = \"here\" }\n"
	         "note { subject = \"minutes\" body = \"attached\" }\n"
	         "node \"Vortex@Node1.test\" { host_key = \"/k1\" offsets = {0, 256} "
	         "deliver_to = \"bob@node1.test\" }\n"
	         "node \"vortex@node2.test\" { host_key = \"/k2\" }\n",
	         err, sizeof err);
	if (!ok(c != NULL, "a full configuration loads"))
		tap_diag("%s", err);
	if (c) {
		ok(!strcmp(c->socket, "inet:8891@127.0.0.1") && !strcmp(c->user, "vortex") &&
		       !strcmp(c->socket_group, "postfix") && c->umask == 027 &&
		       c->facility == LOG_LOCAL3,
		   "daemon keys");
		ok(!strcmp(c->state_dir, "/srv/vortex") &&
		       !strcmp(c->spool_dir, "/srv/vortex/spool"),
		   "spool_dir defaults to state_dir/spool");
		ok(c->on_internal_error == VXD_POLICY_ACCEPT && c->on_limit == VXD_POLICY_ACCEPT &&
		       c->carrier == VXD_CARRIER_DELIVER && c->reinject == VXD_REINJECT_SMTP,
		   "policies");
		ok(c->memory_threshold == 4096 && c->max_message_size == 1048576 &&
		       c->smtp_port == 10025 && c->retry_min == 5 && c->retry_max == 50,
		   "numbers");
		ok(c->sendmail && !strcmp(c->sendmail[0], "/usr/sbin/sendmail") &&
		       !strcmp(c->sendmail[1], "-C") && !strcmp(c->sendmail[2], "/tmp/x/etc") &&
		       !strcmp(c->sendmail[3], "-i") && !c->sendmail[4],
		   "the sendmail command is split into arguments");
		ok(c->policy.puzzle_base_bits == 12 && c->policy.message_quota == 7,
		   "account policy");
		ok(c->nnotes == 2 && !strcmp(c->notes[1].subject, "minutes") &&
		       !strcmp(c->notes[1].body, "attached"),
		   "carrier notes");
		ok(c->nnodes == 2 && c->nodes[0].noffsets == 2 && c->nodes[0].offsets[1] == 256 &&
		       !strcmp(c->nodes[0].deliver_to, "bob@node1.test"),
		   "node sections");
		ok(!strcmp(c->nodes[1].deliver_to, "vortex@node2.test") &&
		       c->nodes[1].noffsets == 1 && c->nodes[1].offsets[0] == 0,
		   "deliver_to defaults to the node address, offsets to {0}");
		ok(vxd_conf_node(c, "<vortex@NODE1.test>", 19) == &c->nodes[0] &&
		       vxd_conf_node(c, "vortex@node2.test", 17) == &c->nodes[1] &&
		       !vxd_conf_node(c, "vortex@node3.test", 17),
		   "node addresses match case-insensitively, with or without <>");
		vxd_conf_free(c);
	}

	c = load(NODE, err, sizeof err);
	if (ok(c != NULL, "a configuration of one node loads")) {
		ok(!strcmp(c->socket, "unix:/run/vortex/milter.sock") && !c->user && !c->pidfile &&
		       c->umask == 077 && c->facility == LOG_MAIL,
		   "daemon defaults");
		ok(!strcmp(c->state_dir, "/var/lib/vortex") &&
		       !strcmp(c->spool_dir, "/var/lib/vortex/spool"),
		   "directory defaults");
		ok(c->on_internal_error == VXD_POLICY_TEMPFAIL &&
		       c->on_limit == VXD_POLICY_TEMPFAIL && c->carrier == VXD_CARRIER_DISCARD &&
		       c->reinject == VXD_REINJECT_SENDMAIL,
		   "policy defaults: tempfail, discard, sendmail");
		ok(c->memory_threshold == 1u << 20 && c->max_message_size == 64u << 20 &&
		       c->retry_min == 60 && c->retry_max == 14400 && c->run_interval == 10,
		   "limit defaults");
		ok(!strcmp(c->sendmail[0], "/usr/sbin/sendmail") && !strcmp(c->sendmail[1], "-i"),
		   "sendmail default");
		ok(c->limits.map_size == 1u << 30 && c->limits.max_combos == 10000 &&
		       c->nnotes == 0,
		   "store defaults");

		libstatus_checks(c);
		vxd_conf_free(c);
	}

	refused("colour = blue\n" NODE, "no such option 'colour'");
	refused("on_internal_error = reject\n" NODE, "on_internal_error: \"reject\" is not one of");
	refused("carrier = bounce\n" NODE, "carrier: \"bounce\" is not one of");
	c = load("carrier = strip\n" NODE, err, sizeof err);
	ok(c && c->carrier == VXD_CARRIER_STRIP, "carrier = strip is taken");
	vxd_conf_free(c);
	refused("reinject = lmtp\n" NODE, "reinject: \"lmtp\"");
	refused("syslog_facility = kern7\n" NODE, "unknown facility \"kern7\"");
	refused("socket = \"/tmp/sock\"\n" NODE, "not unix:/path or inet:PORT@HOST");
	refused("state_dir = \"relative\"\n" NODE,
	        "state_dir: \"relative\" is not an absolute path");
	refused("umask = 01000\n" NODE, "umask: 512 is out of range");
	refused("smtp_port = 70000\n" NODE, "smtp_port: 70000 is out of range (1 to 65535)");
	refused("max_message_size = 10\n" NODE, "max_message_size: 10 is out of range");
	refused("retry_min = 100\nretry_max = 10\n" NODE,
	        "retry_min (100) is above retry_max (10)");
	refused("memory_threshold = 2000000\nmax_message_size = 1048576\n" NODE,
	        "memory_threshold is above max_message_size");
	refused("sendmail = \"  \"\n" NODE, "sendmail: no command");
	refused("puzzle_bits = 40\n" NODE, "puzzle_bits: 40 is out of range");
	refused("carrier = discard\n", "no node section");
	refused("node \"nobody\" { host_key = \"/k\" }\n", "node \"nobody\": not an address");
	refused("node \"a@b.test\" { offsets = {0} }\n", "node \"a@b.test\": host_key is missing");
	refused("node \"a@b.test\" { host_key = \"k\" }\n",
	        "host_key: \"k\" is not an absolute path");
	refused("node \"a@b.test\" { host_key = \"/k\" offsets = {-1} }\n",
	        "offsets: -1 is out of range");
	refused("node \"a@b.test\" { host_key = \"/k\" deliver_to = \"bob\" }\n",
	        "deliver_to: \"bob\" is not an address");
	refused(NODE "node \"Vortex@node1.test\" { host_key = \"/k\" }\n", "configured twice");
	refused("note { subject = \"x\" }\n" NODE, "note 1: needs both subject and body");
	refused("run_interval = x\n" NODE, ":1: invalid integer value for option 'run_interval'");
	unlink(path);
	ok(vxd_conf_load(path, &c, err, sizeof err) == -1 && strstr(err, "cannot read"),
	   "a missing file is refused: %s", err);
	return tap_done();
}
