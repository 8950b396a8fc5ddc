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

#define ACCOUNT(keys)                                                                              \
	NODE "account \"a1\" { host = \"imap.example.org\" user = \"u\" node = "                   \
	     "\"vortex@node1.test\" password_file = \"/etc/vortex/pw\" " keys " }\n"

/* The poller's account sections: every key, the defaults, each refusal. */
static void account_checks(void)
{
	char err[512];
	vxd_conf *c;
	const vxd_account_conf *a;

	c = load(NODE "node \"vortex@node2.test\" { host_key = \"/k2\" }\n"
	              "reconnect_min = 2\nreconnect_max = 60\n"
	              "account \"gmx\" { host = \"imap.gmx.net\" port = 1993 tls = starttls "
	              "allow_plain = yes ca_file = \"/etc/ssl/ca.pem\" verify_name = \"gmx.net\" "
	              "user = \"someone\" password_command = \"/usr/bin/pass show gmx\" "
	              "xoauth2 = yes mailbox = \"Vortex\" processed = move move_to = \"Done\" "
	              "flag = \"\\\\Seen\" idle = no poll_interval = 30 timeout = 20 "
	              "batch_messages = 10 batch_bytes = 1048576 node = \"Vortex@Node2.test\" "
	              "smtp_host = \"mail.gmx.net\" smtp_port = 2465 smtp_tls = implicit "
	              "smtp_user = \"someone\" smtp_password_file = \"/etc/vortex/gmx.pw\" }\n"
	              "account \"second\" { host = \"h\" user = \"u\" password_file = \"/p\" "
	              "node = \"vortex@node2.test\" }\n",
	         err, sizeof err);
	if (!ok(c != NULL, "a configuration with accounts loads"))
		tap_diag("%s", err);
	if (c) {
		a = &c->accounts[0];
		ok(c->naccounts == 2 && !strcmp(a->name, "gmx") &&
		       !strcmp(a->host, "imap.gmx.net") && a->port == 1993 &&
		       a->tls == VXD_TLS_STARTTLS && a->allow_plain &&
		       !strcmp(a->ca_file, "/etc/ssl/ca.pem") && !strcmp(a->verify_name, "gmx.net"),
		   "account connection keys");
		ok(!strcmp(a->user, "someone") && !a->password.file && a->password.command &&
		       !strcmp(a->password.command[0], "/usr/bin/pass") &&
		       !strcmp(a->password.command[2], "gmx") && !a->password.command[3] &&
		       a->xoauth2,
		   "credentials: the command is split into arguments, no shell");
		ok(!strcmp(a->mailbox, "Vortex") && a->processed == VXD_PROCESSED_MOVE &&
		       !strcmp(a->move_to, "Done") && !strcmp(a->flag, "\\Seen") && !a->idle &&
		       a->poll_interval == 30 && a->timeout == 20 && a->batch_messages == 10 &&
		       a->batch_bytes == 1048576,
		   "mailbox, action and bounds");
		ok(!strcmp(a->smtp_host, "mail.gmx.net") && a->smtp_port == 2465 &&
		       a->smtp_tls == VXD_TLS_IMPLICIT && !strcmp(a->smtp_user, "someone") &&
		       !strcmp(a->smtp_password.file, "/etc/vortex/gmx.pw"),
		   "submission keys");
		ok(c->reconnect_min == 2 && c->reconnect_max == 60, "reconnect backoff");
		ok(!c->nodes[0].remote && !c->nodes[0].submission && c->nodes[1].remote &&
		       c->nodes[1].submission == a,
		   "the account's node is remote and sends through the first account with "
		   "smtp_host");
		a = &c->accounts[1];
		ok(a->port == 0 && a->tls == VXD_TLS_IMPLICIT && !a->allow_plain && !a->ca_file &&
		       !a->verify_name && !a->xoauth2 && !strcmp(a->mailbox, "INBOX") &&
		       a->processed == VXD_PROCESSED_DELETE &&
		       !strcmp(a->flag, "$VortexProcessed") && a->idle && a->poll_interval == 60 &&
		       a->timeout == 60 && a->batch_messages == 50 && a->batch_bytes == 32u << 20 &&
		       !a->smtp_host && a->smtp_port == 0 && a->smtp_tls == VXD_TLS_STARTTLS &&
		       !a->smtp_user,
		   "account defaults");
		vxd_conf_free(c);
	}
	c = load(NODE, err, sizeof err);
	ok(c && c->naccounts == 0 && c->reconnect_min == 5 && c->reconnect_max == 900 &&
	       !c->nodes[0].remote,
	   "no account is fine for the configuration (the milter's)");
	vxd_conf_free(c);

	refused(NODE "account \"a1\" { host = \"h\" user = \"u\" password_file = \"/p\" "
	             "node = \"vortex@node9.test\" }\n",
	        "account \"a1\": node is not the address of a node section");
	refused(NODE "account \"a1\" { host = \"h\" user = \"u\" node = \"vortex@node1.test\" }\n",
	        "needs exactly one of password_file and password_command");
	refused(ACCOUNT("password_command = \"/bin/echo x\""),
	        "needs exactly one of password_file and password_command");
	refused(ACCOUNT("tls = plain"), "tls = plain sends the password unencrypted");
	refused(ACCOUNT("tls = ssl"), "tls: \"ssl\" is not one of implicit, starttls, plain");
	refused(ACCOUNT("processed = move"), "processed = move needs move_to");
	refused(ACCOUNT("processed = archive"), "processed: \"archive\" is not one of");
	refused(ACCOUNT("mailbox = \"\""), "mailbox must be 1 to 255 printable ASCII");
	refused(ACCOUNT("flag = \"two words\""), "flag must be one system flag or keyword");
	refused(ACCOUNT("port = 70000"), "port: 70000 is out of range (0 to 65535)");
	refused(ACCOUNT("batch_messages = 0"), "batch_messages: 0 is out of range");
	refused(ACCOUNT("smtp_tls = plain"),
	        "smtp_tls: \"plain\" is not one of starttls, implicit");
	refused(ACCOUNT("smtp_user = \"u\""), "smtp_user and smtp_password_file go together");
	refused(ACCOUNT("smtp_user = \"u\" smtp_password_file = \"/p\""),
	        "smtp_user needs smtp_host");
	refused(ACCOUNT("smtp_password_file = \"pw\""),
	        "smtp_password_file: \"pw\" is not an absolute path");
	refused(NODE "account \"a1\" { host = \"h\" user = \"u\" password_file = \"rel\" "
	             "node = \"vortex@node1.test\" }\n",
	        "password_file: \"rel\" is not an absolute path");
	refused("reconnect_min = 100\nreconnect_max = 10\n" NODE,
	        "reconnect_min (100) is above reconnect_max (10)");
	refused(ACCOUNT("") "account \"a1\" { host = \"h\" user = \"u\" password_file = \"/p\" "
	                    "node = \"vortex@node1.test\" }\n",
	        "a1");
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

	account_checks();

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
