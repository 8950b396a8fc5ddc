/* conf.c - vortex.conf(5) into a vxd_conf; see conf.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <confuse.h>

#include "conf.h"

/* libconfuse's error callback has no user pointer: one load at a time per thread */
static __thread char *err_buf;
static __thread size_t err_len;

static void on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];
	int n = 0;

	if (!err_buf || err_buf[0])
		return; /* the first message is the one that matters */
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (cfg && cfg->filename)
		n = snprintf(err_buf, err_len, "%s:%d: ", cfg->filename, cfg->line);
	if (n >= 0 && (size_t)n < err_len)
		snprintf(err_buf + n, err_len - (size_t)n, "%s", msg);
}

/* Integer keys with their range; the default is in the option table. */
struct range {
	const char *name;
	long min, max;
};
static const struct range ranges[] = {
    {"umask", 0, 0777},
    {"memory_threshold", 0, 1L << 30},
    {"max_message_size", 1024, 1L << 30},
    {"run_interval", 1, 86400},
    {"expire_interval", 60, 7 * 86400},
    {"slot", 1, 86400},
    {"smtp_port", 1, 65535},
    {"transport_timeout", 1, 3600},
    {"retry_min", 1, 86400},
    {"retry_max", 1, 30 * 86400},
    {"store_map_size", 1L << 20, 1L << 40},
    {"store_max_identities", 1, 100000000},
    {"store_max_workspace_bytes", 1024, 1L << 34},
    {"store_max_combos", 1, 100000000},
    {"store_max_queue_bytes", 1L << 16, 1L << 40},
    {"store_max_readers", 8, 4096},
    {"combo_workspace", 1L << 16, 1L << 32},
    {"puzzle_bits", 0, 32},
    {"identity_lifetime", 60, 10L * 365 * 86400},
    {"message_quota", 0, 1L << 40},
    {"transfer_quota", 0, 1L << 50},
    {"max_message_quota", 0, 1L << 40},
    {"max_transfer_quota", 0, 1L << 50},
    {"max_header_serials", 1, 1L << 31},
    {"max_build_ops", 1, 1L << 31},
    {"max_header_live", 60, 10L * 365 * 86400},
    {"node|offsets", 0, 1L << 20},
    {"reconnect_min", 1, 3600},
    {"reconnect_max", 1, 86400},
    {"account|port", 0, 65535},
    {"account|poll_interval", 1, 86400},
    {"account|timeout", 1, 3600},
    {"account|batch_messages", 1, 10000},
    {"account|batch_bytes", 1L << 16, 1L << 31},
    {"account|smtp_port", 0, 65535},
};

/* String keys with a fixed set of values, first one the default. */
struct choice {
	const char *name, *values[4];
};
static const struct choice choices[] = {
    {"on_internal_error", {"tempfail", "accept"}},
    {"on_limit", {"tempfail", "accept"}},
    {"carrier", {"discard", "strip", "deliver"}},
    {"reinject", {"sendmail", "smtp"}},
    {"account|tls", {"implicit", "starttls", "plain"}},
    {"account|processed", {"delete", "move", "flag"}},
    {"account|smtp_tls", {"starttls", "implicit"}},
};

static const struct {
	const char *name;
	int facility;
} facilities[] = {
    {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},     {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

/*
 * A section's option is registered as "section|name" but called as "name"
 * with the section's cfg: 1 when that is the option named full.
 */
static int is_option(const char *full, cfg_t *cfg, const char *name)
{
	const char *bar = strchr(full, '|');

	if (!bar)
		return (!cfg->name || !strcmp(cfg->name, "root")) && !strcmp(full, name);
	return cfg->name && strlen(cfg->name) == (size_t)(bar - full) &&
	       !strncmp(full, cfg->name, (size_t)(bar - full)) && !strcmp(bar + 1, name);
}

static const struct range *range_of(cfg_t *cfg, const char *name)
{
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (is_option(ranges[i].name, cfg, name))
			return &ranges[i];
	return NULL;
}

static int check_int(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct range *r = range_of(cfg, opt->name);
	long v = cfg_opt_getnint(opt, cfg_opt_size(opt) - 1);

	if (r && (v < r->min || v > r->max)) {
		cfg_error(cfg, "%s: %ld is out of range (%ld to %ld)", opt->name, v, r->min,
		          r->max);
		return -1;
	}
	return 0;
}

static int choice_index(const struct choice *c, const char *v)
{
	for (int i = 0; i < 4 && c->values[i]; i++)
		if (!strcasecmp(c->values[i], v))
			return i;
	return -1;
}

/* The index of the value of choice full (as in choices[]) of option name in cfg. */
static int chosen(cfg_t *cfg, const char *full, const char *name)
{
	for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++)
		if (!strcmp(choices[i].name, full))
			return choice_index(&choices[i], cfg_getstr(cfg, name));
	return -1;
}

static int check_choice(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
		const struct choice *c = &choices[i];

		if (!is_option(c->name, cfg, opt->name) || choice_index(c, v) >= 0)
			continue;
		cfg_error(cfg, "%s: \"%s\" is not one of %s%s%s%s%s", opt->name, v, c->values[0],
		          c->values[1] ? ", " : "", c->values[1] ? c->values[1] : "",
		          c->values[2] ? ", " : "", c->values[2] ? c->values[2] : "");
		return -1;
	}
	return 0;
}

static int facility_of(const char *name)
{
	for (size_t i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
		if (!strcasecmp(facilities[i].name, name))
			return facilities[i].facility;
	return -1;
}

static int check_facility(cfg_t *cfg, cfg_opt_t *opt)
{
	if (facility_of(cfg_opt_getnstr(opt, 0)) >= 0)
		return 0;
	cfg_error(cfg, "%s: unknown facility \"%s\" (mail, daemon, user, local0..local7)",
	          opt->name, cfg_opt_getnstr(opt, 0));
	return -1;
}

/* local@domain: one '@', both sides present, no blanks or angle brackets */
static int valid_address(const char *a)
{
	const char *at = strchr(a, '@');

	if (!at || at == a || !at[1] || strchr(at + 1, '@') || strlen(a) > 320)
		return 0;
	for (const char *p = a; *p; p++)
		if (isspace((unsigned char)*p) || *p == '<' || *p == '>' || *p == '/' ||
		    (unsigned char)*p < 0x20)
			return 0;
	return 1;
}

static int check_address(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!v || valid_address(v))
		return 0;
	cfg_error(cfg, "%s: \"%s\" is not an address local@domain", opt->name, v);
	return -1;
}

static int check_path(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!v || v[0] == '/')
		return 0;
	cfg_error(cfg, "%s: \"%s\" is not an absolute path", opt->name, v);
	return -1;
}

static int check_socket(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!strncmp(v, "unix:/", 6) || !strncmp(v, "local:/", 7) ||
	    (!strncmp(v, "inet:", 5) && strchr(v, '@')) ||
	    (!strncmp(v, "inet6:", 6) && strchr(v, '@')))
		return 0;
	cfg_error(cfg, "%s: \"%s\" is not unix:/path or inet:PORT@HOST", opt->name, v);
	return -1;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Split a command line on blanks (no shell, no quoting) into a NULL-terminated argv. */
static char **split_argv(const char *line)
{
	size_t n = 0, cap = 4;
	char **v = calloc(cap, sizeof *v);
	const char *p = line;

	while (v && *p) {
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (n + 2 > cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof *v);

			if (!nv)
				break;
			v = nv;
		}
		if (!(v[n] = strndup(p, len)))
			break;
		v[++n] = NULL;
		p += len;
	}
	if (v && (*p || !n)) { /* out of memory, or empty */
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	return v;
}

static void secret_src_free(vxd_secret_src *src)
{
	free(src->file);
	for (size_t i = 0; src->command && src->command[i]; i++)
		free(src->command[i]);
	free(src->command);
}

void vxd_conf_free(vxd_conf *c)
{
	if (!c)
		return;
	free(c->path), free(c->socket), free(c->user), free(c->group), free(c->socket_group);
	free(c->pidfile), free(c->state_dir), free(c->spool_dir), free(c->smtp_host);
	free(c->smtp_helo);
	for (size_t i = 0; c->sendmail && c->sendmail[i]; i++)
		free(c->sendmail[i]);
	free(c->sendmail);
	for (size_t i = 0; i < c->nnotes; i++)
		free((char *)c->notes[i].subject), free((char *)c->notes[i].body);
	free(c->notes);
	for (size_t i = 0; i < c->nnodes; i++) {
		free(c->nodes[i].address), free(c->nodes[i].host_key);
		free(c->nodes[i].deliver_to), free(c->nodes[i].offsets);
	}
	free(c->nodes);
	for (size_t i = 0; i < c->naccounts; i++) {
		vxd_account_conf *a = &c->accounts[i];

		free(a->name), free(a->host), free(a->ca_file), free(a->verify_name);
		free(a->user), free(a->mailbox), free(a->move_to), free(a->flag), free(a->node);
		free(a->smtp_host), free(a->smtp_user);
		secret_src_free(&a->password), secret_src_free(&a->smtp_password);
	}
	free(c->accounts);
	free(c);
}

const vxd_node_conf *vxd_conf_node(const vxd_conf *c, const char *addr, size_t len)
{
	if (len >= 2 && addr[0] == '<' && addr[len - 1] == '>')
		addr++, len -= 2;
	for (size_t i = 0; i < c->nnodes; i++)
		if (strlen(c->nodes[i].address) == len &&
		    !strncasecmp(c->nodes[i].address, addr, len))
			return &c->nodes[i];
	return NULL;
}

#define OPT_INT(name, def) CFG_INT(name, def, CFGF_NONE)
static cfg_opt_t note_opts[] = {
    CFG_STR("subject", NULL, CFGF_NODEFAULT),
    CFG_STR("body", NULL, CFGF_NODEFAULT),
    CFG_END(),
};
static cfg_opt_t node_opts[] = {
    CFG_STR("host_key", NULL, CFGF_NODEFAULT),
    CFG_INT_LIST("offsets", "{0}", CFGF_NONE),
    CFG_STR("deliver_to", NULL, CFGF_NONE),
    CFG_END(),
};
static cfg_opt_t account_opts[] = {
    CFG_STR("host", NULL, CFGF_NODEFAULT),
    OPT_INT("port", 0),
    CFG_STR("tls", "implicit", CFGF_NONE),
    CFG_BOOL("allow_plain", cfg_false, CFGF_NONE),
    CFG_STR("ca_file", NULL, CFGF_NONE),
    CFG_STR("verify_name", NULL, CFGF_NONE),
    CFG_STR("user", NULL, CFGF_NODEFAULT),
    CFG_STR("password_file", NULL, CFGF_NONE),
    CFG_STR("password_command", NULL, CFGF_NONE),
    CFG_BOOL("xoauth2", cfg_false, CFGF_NONE),
    CFG_STR("mailbox", "INBOX", CFGF_NONE),
    CFG_STR("processed", "delete", CFGF_NONE),
    CFG_STR("move_to", NULL, CFGF_NONE),
    CFG_STR("flag", "$VortexProcessed", CFGF_NONE),
    CFG_BOOL("idle", cfg_true, CFGF_NONE),
    OPT_INT("poll_interval", 60),
    OPT_INT("timeout", 60),
    OPT_INT("batch_messages", 50),
    OPT_INT("batch_bytes", 32L << 20),
    CFG_STR("node", NULL, CFGF_NODEFAULT),
    CFG_STR("smtp_host", NULL, CFGF_NONE),
    OPT_INT("smtp_port", 0),
    CFG_STR("smtp_tls", "starttls", CFGF_NONE),
    CFG_STR("smtp_user", NULL, CFGF_NONE),
    CFG_STR("smtp_password_file", NULL, CFGF_NONE),
    CFG_END(),
};
static cfg_opt_t opts[] = {
    CFG_STR("socket", "unix:/run/vortex/milter.sock", CFGF_NONE),
    CFG_STR("user", NULL, CFGF_NONE),
    CFG_STR("group", NULL, CFGF_NONE),
    CFG_STR("socket_group", NULL, CFGF_NONE),
    OPT_INT("umask", 077),
    CFG_STR("pidfile", NULL, CFGF_NONE),
    CFG_STR("syslog_facility", "mail", CFGF_NONE),
    CFG_STR("state_dir", "/var/lib/vortex", CFGF_NONE),
    CFG_STR("spool_dir", NULL, CFGF_NONE),
    CFG_STR("on_internal_error", "tempfail", CFGF_NONE),
    CFG_STR("on_limit", "tempfail", CFGF_NONE),
    CFG_STR("carrier", "discard", CFGF_NONE),
    OPT_INT("memory_threshold", 1L << 20),
    OPT_INT("max_message_size", 64L << 20),
    OPT_INT("run_interval", 10),
    OPT_INT("expire_interval", 3600),
    OPT_INT("slot", 60),
    CFG_STR("reinject", "sendmail", CFGF_NONE),
    CFG_STR("sendmail", "/usr/sbin/sendmail -i", CFGF_NONE),
    CFG_STR("smtp_host", "127.0.0.1", CFGF_NONE),
    OPT_INT("smtp_port", 10026),
    CFG_STR("smtp_helo", "localhost", CFGF_NONE),
    OPT_INT("transport_timeout", 120),
    OPT_INT("retry_min", 60),
    OPT_INT("retry_max", 14400),
    OPT_INT("store_map_size", 1L << 30),
    OPT_INT("store_max_identities", 100000),
    OPT_INT("store_max_workspace_bytes", 16L << 20),
    OPT_INT("store_max_combos", 10000),
    OPT_INT("store_max_queue_bytes", 256L << 20),
    OPT_INT("store_max_readers", 126),
    OPT_INT("combo_workspace", 64L << 20),
    OPT_INT("puzzle_bits", 8),
    OPT_INT("identity_lifetime", 30L * 86400),
    OPT_INT("message_quota", 100),
    OPT_INT("transfer_quota", 16L << 20),
    OPT_INT("max_message_quota", 10000),
    OPT_INT("max_transfer_quota", 1L << 30),
    OPT_INT("max_header_serials", 1000),
    OPT_INT("max_build_ops", 255),
    OPT_INT("max_header_live", 86400),
    CFG_SEC("note", note_opts, CFGF_MULTI),
    CFG_SEC("node", node_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
    OPT_INT("reconnect_min", 5),
    OPT_INT("reconnect_max", 900),
    CFG_SEC("account", account_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
    CFG_END(),
};

static void register_checks(cfg_t *cfg)
{
	static const char *paths[] = {"pidfile",
	                              "state_dir",
	                              "spool_dir",
	                              "node|host_key",
	                              "account|ca_file",
	                              "account|password_file",
	                              "account|smtp_password_file"};
	static const char *addresses[] = {"node|deliver_to", "account|node"};

	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		cfg_set_validate_func(cfg, ranges[i].name, check_int);
	for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++)
		cfg_set_validate_func(cfg, choices[i].name, check_choice);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		cfg_set_validate_func(cfg, paths[i], check_path);
	for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
		cfg_set_validate_func(cfg, addresses[i], check_address);
	cfg_set_validate_func(cfg, "syslog_facility", check_facility);
	cfg_set_validate_func(cfg, "socket", check_socket);
}

/* A name the IMAP protocol and the store take: printable ASCII without quotes. */
static int imap_name_ok(const char *v, size_t max)
{
	if (!*v || strlen(v) > max)
		return 0;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '"' ||
		    *p == '\\')
			return 0;
	return 1;
}

/* What an account section's options cannot say alone. */
static int check_account(cfg_t *cfg, cfg_t *a, char *err, size_t errlen)
{
	const char *path = cfg->filename, *t = cfg_title(a), *why = NULL;
	const char *flag = cfg_getstr(a, "flag"), *move_to = cfg_getstr(a, "move_to");
	int nodes = 0;

	for (unsigned j = 0; j < cfg_size(cfg, "node"); j++)
		nodes += !strcasecmp(cfg_title(cfg_getnsec(cfg, "node", j)), cfg_getstr(a, "node"));
	if (!*t || strlen(t) > VX_IMAP_ACCOUNT_MAX)
		why = "the name must have 1 to 128 characters";
	else if (!nodes)
		why = "node is not the address of a node section";
	else if (!cfg_getstr(a, "password_file") == !cfg_getstr(a, "password_command"))
		why = "needs exactly one of password_file and password_command";
	else if (chosen(a, "account|tls", "tls") == VXD_TLS_PLAIN && !cfg_getbool(a, "allow_plain"))
		why = "tls = plain sends the password unencrypted: only with allow_plain = yes "
		      "(loopback tests)";
	else if (!imap_name_ok(cfg_getstr(a, "mailbox"), VX_IMAP_MAILBOX_MAX))
		why = "mailbox must be 1 to 255 printable ASCII characters without quotes";
	else if (chosen(a, "account|processed", "processed") == VXD_PROCESSED_MOVE &&
	         (!move_to || !imap_name_ok(move_to, VX_IMAP_MAILBOX_MAX)))
		why = "processed = move needs move_to, a folder name";
	else if (!imap_name_ok(flag + (flag[0] == '\\'), 64) || strpbrk(flag, " ()[]{}%*"))
		why = "flag must be one system flag or keyword";
	else if (cfg_getstr(a, "password_command") &&
	         !cfg_getstr(a,
	                     "password_command")[strspn(cfg_getstr(a, "password_command"), " \t")])
		why = "password_command: no command";
	else if (!cfg_getstr(a, "smtp_user") != !cfg_getstr(a, "smtp_password_file"))
		why = "smtp_user and smtp_password_file go together";
	else if (cfg_getstr(a, "smtp_user") && !cfg_getstr(a, "smtp_host"))
		why = "smtp_user needs smtp_host";
	if (!why)
		return 0;
	snprintf(err, errlen, "%s: account \"%s\": %s", path, t, why);
	return -1;
}

/* Checks across keys, and what a section's options cannot say alone. */
static int check_all(cfg_t *cfg, char *err, size_t errlen)
{
	const char *path = cfg->filename;

	if (cfg_getint(cfg, "retry_min") > cfg_getint(cfg, "retry_max")) {
		snprintf(err, errlen, "%s: retry_min (%ld) is above retry_max (%ld)", path,
		         cfg_getint(cfg, "retry_min"), cfg_getint(cfg, "retry_max"));
		return -1;
	}
	if (cfg_getint(cfg, "memory_threshold") > cfg_getint(cfg, "max_message_size")) {
		snprintf(err, errlen, "%s: memory_threshold is above max_message_size", path);
		return -1;
	}
	if (!cfg_getstr(cfg, "sendmail")[strspn(cfg_getstr(cfg, "sendmail"), " \t")]) {
		snprintf(err, errlen, "%s: sendmail: no command", path);
		return -1;
	}
	if (cfg_size(cfg, "node") == 0) {
		snprintf(err, errlen, "%s: no node section: the server has no node address", path);
		return -1;
	}
	for (unsigned i = 0; i < cfg_size(cfg, "node"); i++) {
		cfg_t *n = cfg_getnsec(cfg, "node", i);
		const char *a = cfg_title(n);

		if (!valid_address(a)) {
			snprintf(err, errlen, "%s: node \"%s\": not an address local@domain", path,
			         a);
			return -1;
		}
		if (!cfg_getstr(n, "host_key")) {
			snprintf(err, errlen, "%s: node \"%s\": host_key is missing", path, a);
			return -1;
		}
		for (unsigned j = 0; j < i; j++)
			if (!strcasecmp(cfg_title(cfg_getnsec(cfg, "node", j)), a)) {
				snprintf(err, errlen, "%s: node \"%s\" is configured twice", path,
				         a);
				return -1;
			}
	}
	if (cfg_getint(cfg, "reconnect_min") > cfg_getint(cfg, "reconnect_max")) {
		snprintf(err, errlen, "%s: reconnect_min (%ld) is above reconnect_max (%ld)", path,
		         cfg_getint(cfg, "reconnect_min"), cfg_getint(cfg, "reconnect_max"));
		return -1;
	}
	for (unsigned i = 0; i < cfg_size(cfg, "account"); i++)
		if (check_account(cfg, cfg_getnsec(cfg, "account", i), err, errlen))
			return -1;
	for (unsigned i = 0; i < cfg_size(cfg, "note"); i++) {
		cfg_t *n = cfg_getnsec(cfg, "note", i);

		if (!cfg_getstr(n, "subject") || !cfg_getstr(n, "body")) {
			snprintf(err, errlen, "%s: note %u: needs both subject and body", path,
			         i + 1);
			return -1;
		}
	}
	return 0;
}

static int fill_account(cfg_t *s, vxd_account_conf *a)
{
	const char *cmd = cfg_getstr(s, "password_command");

	a->name = strdup(cfg_title(s));
	a->host = strdup(cfg_getstr(s, "host"));
	a->port = (unsigned)cfg_getint(s, "port");
	a->tls = chosen(s, "account|tls", "tls");
	a->allow_plain = cfg_getbool(s, "allow_plain");
	a->ca_file = dup_or_null(cfg_getstr(s, "ca_file"));
	a->verify_name = dup_or_null(cfg_getstr(s, "verify_name"));
	a->user = strdup(cfg_getstr(s, "user"));
	a->password.file = dup_or_null(cfg_getstr(s, "password_file"));
	a->password.command = cmd ? split_argv(cmd) : NULL;
	a->xoauth2 = cfg_getbool(s, "xoauth2");
	a->mailbox = strdup(cfg_getstr(s, "mailbox"));
	a->processed = chosen(s, "account|processed", "processed");
	a->move_to = dup_or_null(cfg_getstr(s, "move_to"));
	a->flag = strdup(cfg_getstr(s, "flag"));
	a->idle = cfg_getbool(s, "idle");
	a->poll_interval = (unsigned)cfg_getint(s, "poll_interval");
	a->timeout = (unsigned)cfg_getint(s, "timeout");
	a->batch_messages = (unsigned)cfg_getint(s, "batch_messages");
	a->batch_bytes = (size_t)cfg_getint(s, "batch_bytes");
	a->node = strdup(cfg_getstr(s, "node"));
	a->smtp_host = dup_or_null(cfg_getstr(s, "smtp_host"));
	a->smtp_port = (unsigned)cfg_getint(s, "smtp_port");
	a->smtp_tls =
	    chosen(s, "account|smtp_tls", "smtp_tls") ? VXD_TLS_IMPLICIT : VXD_TLS_STARTTLS;
	a->smtp_user = dup_or_null(cfg_getstr(s, "smtp_user"));
	a->smtp_password.file = dup_or_null(cfg_getstr(s, "smtp_password_file"));
	return a->name && a->host && a->user && a->mailbox && a->flag && a->node &&
	               (!cmd || a->password.command)
	           ? 0
	           : -1;
}

static int fill(cfg_t *cfg, const char *path, vxd_conf *c)
{
	int ok = 1;

	c->path = strdup(path);
	c->socket = strdup(cfg_getstr(cfg, "socket"));
	c->user = dup_or_null(cfg_getstr(cfg, "user"));
	c->group = dup_or_null(cfg_getstr(cfg, "group"));
	c->socket_group = dup_or_null(cfg_getstr(cfg, "socket_group"));
	c->umask = (mode_t)cfg_getint(cfg, "umask");
	c->pidfile = dup_or_null(cfg_getstr(cfg, "pidfile"));
	c->facility = facility_of(cfg_getstr(cfg, "syslog_facility"));
	c->state_dir = strdup(cfg_getstr(cfg, "state_dir"));
	if (cfg_getstr(cfg, "spool_dir"))
		c->spool_dir = strdup(cfg_getstr(cfg, "spool_dir"));
	else if (c->state_dir && asprintf(&c->spool_dir, "%s/spool", c->state_dir) < 0)
		c->spool_dir = NULL;
	c->on_internal_error = chosen(cfg, "on_internal_error", "on_internal_error");
	c->on_limit = chosen(cfg, "on_limit", "on_limit");
	c->carrier = chosen(cfg, "carrier", "carrier");
	c->reinject = chosen(cfg, "reinject", "reinject");
	c->memory_threshold = (size_t)cfg_getint(cfg, "memory_threshold");
	c->max_message_size = (size_t)cfg_getint(cfg, "max_message_size");
	c->run_interval = (unsigned)cfg_getint(cfg, "run_interval");
	c->expire_interval = (unsigned)cfg_getint(cfg, "expire_interval");
	c->slot = (unsigned)cfg_getint(cfg, "slot");
	c->sendmail = split_argv(cfg_getstr(cfg, "sendmail"));
	c->smtp_host = strdup(cfg_getstr(cfg, "smtp_host"));
	c->smtp_port = (unsigned)cfg_getint(cfg, "smtp_port");
	c->smtp_helo = strdup(cfg_getstr(cfg, "smtp_helo"));
	c->transport_timeout = (unsigned)cfg_getint(cfg, "transport_timeout");
	c->retry_min = (unsigned)cfg_getint(cfg, "retry_min");
	c->retry_max = (unsigned)cfg_getint(cfg, "retry_max");
	c->limits = (vx_store_limits){
	    .map_size = (size_t)cfg_getint(cfg, "store_map_size"),
	    .max_identities = (unsigned)cfg_getint(cfg, "store_max_identities"),
	    .max_readers = (unsigned)cfg_getint(cfg, "store_max_readers"),
	    .max_queue_bytes = (uint64_t)cfg_getint(cfg, "store_max_queue_bytes"),
	    .max_workspace_bytes = (uint64_t)cfg_getint(cfg, "store_max_workspace_bytes"),
	    .max_combos = (unsigned)cfg_getint(cfg, "store_max_combos"),
	};
	c->combo_workspace = (size_t)cfg_getint(cfg, "combo_workspace");
	c->policy = (vx_account_policy){
	    .puzzle_base_bits = (unsigned)cfg_getint(cfg, "puzzle_bits"),
	    .max_lifetime = cfg_getint(cfg, "identity_lifetime"),
	    .message_quota = (uint64_t)cfg_getint(cfg, "message_quota"),
	    .transfer_quota = (uint64_t)cfg_getint(cfg, "transfer_quota"),
	};
	c->max_message_quota = (uint64_t)cfg_getint(cfg, "max_message_quota");
	c->max_transfer_quota = (uint64_t)cfg_getint(cfg, "max_transfer_quota");
	c->max_header_serials = (unsigned)cfg_getint(cfg, "max_header_serials");
	c->max_build_ops = (unsigned)cfg_getint(cfg, "max_build_ops");
	c->max_header_live = (unsigned)cfg_getint(cfg, "max_header_live");
	ok &= c->path && c->socket && c->state_dir && c->spool_dir && c->sendmail && c->smtp_host &&
	      c->smtp_helo;

	c->nnotes = cfg_size(cfg, "note");
	c->notes = calloc(c->nnotes ? c->nnotes : 1, sizeof *c->notes);
	ok &= c->notes != NULL;
	for (size_t i = 0; ok && i < c->nnotes; i++) {
		cfg_t *n = cfg_getnsec(cfg, "note", (unsigned)i);

		c->notes[i].subject = strdup(cfg_getstr(n, "subject"));
		c->notes[i].body = strdup(cfg_getstr(n, "body"));
		ok &= c->notes[i].subject && c->notes[i].body;
	}
	c->nnodes = cfg_size(cfg, "node");
	c->nodes = calloc(c->nnodes, sizeof *c->nodes);
	ok &= c->nodes != NULL;
	for (size_t i = 0; ok && i < c->nnodes; i++) {
		cfg_t *n = cfg_getnsec(cfg, "node", (unsigned)i);
		vxd_node_conf *nc = &c->nodes[i];
		const char *to = cfg_getstr(n, "deliver_to");

		nc->address = strdup(cfg_title(n));
		nc->host_key = strdup(cfg_getstr(n, "host_key"));
		nc->deliver_to = strdup(to ? to : cfg_title(n));
		nc->noffsets = cfg_size(n, "offsets");
		nc->offsets = calloc(nc->noffsets ? nc->noffsets : 1, sizeof *nc->offsets);
		ok &= nc->address && nc->host_key && nc->deliver_to && nc->offsets;
		for (size_t j = 0; ok && j < nc->noffsets; j++)
			nc->offsets[j] = (unsigned)cfg_getnint(n, "offsets", (unsigned)j);
	}
	c->reconnect_min = (unsigned)cfg_getint(cfg, "reconnect_min");
	c->reconnect_max = (unsigned)cfg_getint(cfg, "reconnect_max");
	c->naccounts = cfg_size(cfg, "account");
	c->accounts = calloc(c->naccounts ? c->naccounts : 1, sizeof *c->accounts);
	ok &= c->accounts != NULL;
	for (size_t i = 0; ok && i < c->naccounts; i++)
		ok &= fill_account(cfg_getnsec(cfg, "account", (unsigned)i), &c->accounts[i]) == 0;
	/* which nodes are mailboxes elsewhere, and through which account they send */
	for (size_t i = 0; ok && i < c->naccounts; i++) {
		vxd_node_conf *n = (vxd_node_conf *)vxd_conf_node(c, c->accounts[i].node,
		                                                  strlen(c->accounts[i].node));

		n->remote = 1;
		if (!n->submission && c->accounts[i].smtp_host)
			n->submission = &c->accounts[i];
	}
	return ok ? 0 : -1;
}

int vxd_conf_load(const char *path, vxd_conf **out, char *err, size_t errlen)
{
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);
	vxd_conf *c = NULL;
	int rc = -1, r;

	*out = NULL;
	err[0] = 0;
	err_buf = err, err_len = errlen;
	if (!cfg) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	cfg_set_error_function(cfg, on_error);
	register_checks(cfg);
	r = cfg_parse(cfg, path);
	if (r == CFG_FILE_ERROR) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (r != CFG_SUCCESS) {
		if (!err[0])
			snprintf(err, errlen, "%s: cannot be parsed", path);
		goto out;
	}
	if (check_all(cfg, err, errlen))
		goto out;
	if (!(c = calloc(1, sizeof *c)) || fill(cfg, path, c)) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	*out = c, c = NULL;
	rc = 0;
out:
	vxd_conf_free(c);
	err_buf = NULL;
	if (cfg)
		cfg_free(cfg);
	return rc;
}
