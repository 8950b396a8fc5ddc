/* callbacks.c - the milter callbacks; see callbacks.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "callbacks.h"
#include "libstatus.h"
#include "mime.h"
#include "log.h"
#include "outbound.h"
#include "runtime.h"

/* The mail being rebuilt: in memory up to the threshold, then in a spool file. */
struct body {
	uint8_t *mem;
	size_t len, cap; /* of mem */
	size_t total;    /* bytes of the mail so far */
	int fd;          /* spool file (unlinked at once), -1 while in memory */
	int too_big;     /* over max_message_size: the rest was not kept */
	vx_status error; /* spooling failed */
};

struct rcpt {
	char *addr; /* as the MTA gave it, for smfi_delrcpt */
	vxd_node *node;
};

struct conn {
	unsigned long proto; /* the SMFIP_ flags negotiated */
	vxd_runtime *rt;     /* of the current mail, held from its first node recipient */
	struct rcpt *rcpts;  /* node recipients */
	size_t nrcpts, cap;
	unsigned others; /* recipients that are no node address */
	struct body body;
};

static struct conn *conn_of(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (!c && (c = calloc(1, sizeof *c))) {
		c->body.fd = -1;
		smfi_setpriv(ctx, c);
	}
	return c;
}

static void body_reset(struct body *b)
{
	free(b->mem);
	if (b->fd >= 0)
		close(b->fd);
	memset(b, 0, sizeof *b);
	b->fd = -1;
}

static void mail_reset(struct conn *c)
{
	for (size_t i = 0; i < c->nrcpts; i++)
		free(c->rcpts[i].addr);
	free(c->rcpts);
	c->rcpts = NULL, c->nrcpts = c->cap = 0, c->others = 0;
	body_reset(&c->body);
	vxd_runtime_put(c->rt);
	c->rt = NULL;
}

/* The reply for a step whose answer we negotiated away. */
static sfsistat noreply(const struct conn *c, unsigned long flag)
{
	return c && (c->proto & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, n -= (size_t)w;
	}
	return 0;
}

/* Move the mail to a spool file: mode 0600, unlinked, so a crash leaves nothing. */
static vx_status spool(struct body *b, const vxd_conf *conf)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/mail-XXXXXX", conf->spool_dir);
	if ((b->fd = mkostemp(path, O_CLOEXEC)) < 0)
		return VX_EIO;
	unlink(path);
	if (fchmod(b->fd, 0600) || write_all(b->fd, b->mem, b->len))
		return VX_EIO;
	free(b->mem);
	b->mem = NULL, b->len = b->cap = 0;
	return VX_OK;
}

static void body_add(struct body *b, const vxd_conf *conf, const void *data, size_t n)
{
	if (b->too_big || b->error)
		return;
	if (n > conf->max_message_size - b->total) {
		b->too_big = 1;
		return;
	}
	b->total += n;
	if (b->fd < 0 && b->len + n > conf->memory_threshold && (b->error = spool(b, conf)))
		return;
	if (b->fd >= 0) {
		if (write_all(b->fd, data, n))
			b->error = VX_EIO;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *m;

		while (cap < b->len + n)
			cap *= 2;
		if (cap > conf->memory_threshold)
			cap = conf->memory_threshold;
		if (!(m = realloc(b->mem, cap))) {
			b->error = VX_ENOMEM;
			return;
		}
		b->mem = m, b->cap = cap;
	}
	memcpy(b->mem + b->len, data, n);
	b->len += n;
}

/* Header text with every line end as CRLF, as the body has it. */
static void header_add(struct body *b, const vxd_conf *conf, const char *s)
{
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\r\n");

		body_add(b, conf, p, n);
		p += n;
		if (*p == '\r' && p[1] == '\n')
			p++;
		if (*p) {
			body_add(b, conf, "\r\n", 2);
			p++;
		}
	}
}

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
                             unsigned long f3, unsigned long *pf0, unsigned long *pf1,
                             unsigned long *pf2, unsigned long *pf3)
{
	/* the steps we skip or answer nothing to, as far as the MTA offers it */
	const unsigned long want = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOUNKNOWN |
	                           SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
	                           SMFIP_NR_UNKN | SMFIP_NR_HDR | SMFIP_NR_BODY | SMFIP_HDR_LEADSPC;
	struct conn *c = conn_of(ctx);

	(void)f2, (void)f3;
	if (!c)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & (SMFIF_DELRCPT | SMFIF_CHGBODY | SMFIF_SETSYMLIST);
	*pf1 = c->proto = f1 & want;
	*pf2 = *pf3 = 0;
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	return SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);

	(void)argv;
	if (!c)
		return SMFIS_TEMPFAIL;
	mail_reset(c);
	return noreply(c, SMFIP_NR_MAIL);
}

/* A node recipient, or one more other recipient. VX_ENOMEM, VX_EINVAL (no runtime). */
static vx_status add_rcpt(struct conn *c, const char *addr)
{
	struct rcpt *r = c->rcpts;
	vxd_node *n;

	if (!c->rt && !(c->rt = vxd_runtime_get()))
		return VX_EINVAL;
	if (!addr || !(n = vxd_runtime_node(c->rt, addr, strlen(addr)))) {
		c->others++;
		return VX_OK;
	}
	if (c->nrcpts == c->cap &&
	    !(r = realloc(c->rcpts, (c->cap = c->cap ? 2 * c->cap : 4) * sizeof *r)))
		return VX_ENOMEM;
	c->rcpts = r;
	if (!(r[c->nrcpts].addr = strdup(addr)))
		return VX_ENOMEM;
	r[c->nrcpts++].node = n;
	return VX_OK;
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	vx_status st;

	if (!c)
		return SMFIS_TEMPFAIL;
	/* no answer is expected here (SMFIP_NR_RCPT): a failure is answered at end of header */
	if ((st = add_rcpt(c, argv[0])) != VX_OK && !c->body.error)
		c->body.error = st;
	return noreply(c, SMFIP_NR_RCPT);
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_of(ctx);

	if (c && c->nrcpts) {
		const vxd_conf *conf = c->rt->conf;

		header_add(&c->body, conf, name);
		/* without HDR_LEADSPC the MTA took the blank after the colon away */
		header_add(&c->body, conf, c->proto & SMFIP_HDR_LEADSPC ? ":" : ": ");
		header_add(&c->body, conf, value);
		body_add(&c->body, conf, "\r\n", 2);
	}
	return noreply(c, SMFIP_NR_HDR);
}

/*
 * Ordinary mail is accepted at DATA, when every recipient is known: Postfix
 * then sends none of its header fields. Mail without a DATA step (pickup)
 * is decided at end of header.
 */
static sfsistat on_data(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	return c && !c->body.error && !c->nrcpts ? SMFIS_ACCEPT : SMFIS_CONTINUE;
}

static sfsistat on_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c && c->body.error) {
		/* no runtime: shutting down; otherwise the policy, and a pass is an accept here */
		if (!c->rt)
			return SMFIS_TEMPFAIL;
		return vxd_libstatus(c->rt->conf, VXD_CTX_MAIL, c->body.error,
		                     smfi_getsymval(ctx, "i"), "recipients") == VXD_PASS
		           ? SMFIS_ACCEPT
		           : SMFIS_TEMPFAIL;
	}
	/* ordinary mail costs nothing more */
	if (!c || !c->nrcpts)
		return SMFIS_ACCEPT;
	body_add(&c->body, c->rt->conf, "\r\n", 2);
	return SMFIS_CONTINUE;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct conn *c = conn_of(ctx);

	if (c && c->nrcpts)
		body_add(&c->body, c->rt->conf, data, len);
	return noreply(c, SMFIP_NR_BODY);
}

static sfsistat by_action(vxd_action a)
{
	return a == VXD_PASS ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

/* Drop the node recipients whose node took a Vortex message from this mail. */
static sfsistat discard(SMFICTX *ctx, struct conn *c, const unsigned *found, const char *qid)
{
	size_t keep = c->others;

	for (size_t i = 0; i < c->nrcpts; i++)
		keep += !found[c->rcpts[i].node - c->rt->nodes];
	if (!keep)
		return SMFIS_DISCARD;
	for (size_t i = 0; i < c->nrcpts; i++)
		if (found[c->rcpts[i].node - c->rt->nodes] &&
		    smfi_delrcpt(ctx, c->rcpts[i].addr) != MI_SUCCESS) {
			/* the message is durable: delivering the carrier too loses nothing */
			vxd_log(LOG_WARNING, qid, "cannot remove recipient %s; carrier delivered",
			        c->rcpts[i].addr);
			return SMFIS_CONTINUE;
		}
	return SMFIS_CONTINUE;
}

/* Add a node's carrier parts to the mail's; (size_t)-1 once there are more than fit. */
static size_t add_carriers(unsigned *parts, size_t n, const vx_node_stats *st)
{
	if (n == (size_t)-1 || st->ncarriers > VX_NODE_MAX_CARRIERS)
		return (size_t)-1;
	for (unsigned i = 0; i < st->ncarriers; i++) {
		size_t j = 0;

		while (j < n && parts[j] != st->carriers[i])
			j++;
		if (j < n)
			continue;
		if (n == VX_NODE_MAX_CARRIERS)
			return (size_t)-1;
		parts[n++] = st->carriers[i];
	}
	return n;
}

/*
 * Deliver the mail with its carrier parts replaced by a note. Only when
 * every recipient is a node that took its message: other recipients must
 * get the mail as it was sent, and one milter transaction has one body.
 */
static sfsistat strip(SMFICTX *ctx, struct conn *c, const unsigned *found, const uint8_t *mail,
                      size_t len, const unsigned *parts, size_t nparts, const char *qid)
{
	static const char note[] = "(an attachment was removed by the mail server)";
	const uint8_t *body;
	vx_bytes out = {0};
	vx_status st;
	size_t keep = c->others;

	for (size_t i = 0; i < c->nrcpts; i++)
		keep += !found[c->rcpts[i].node - c->rt->nodes];
	if (keep || nparts == (size_t)-1) {
		vxd_log(LOG_INFO, qid, "carrier delivered unchanged: %s",
		        keep ? "it has other recipients" : "too many carrier parts");
		return SMFIS_CONTINUE;
	}
	if ((st = vx_mime_strip(mail, len, parts, nparts, note, &out)) != VX_OK) {
		vxd_log(LOG_INFO, qid, "carrier delivered unchanged: %s", vx_strerror(st));
		return SMFIS_CONTINUE;
	}
	/* the header fields are not touched: the new body starts where the old one did */
	body = memmem(out.data, out.len, "\r\n\r\n", 4);
	if (!body || smfi_replacebody(ctx, (unsigned char *)body + 4,
	                              (int)(out.len - (size_t)(body + 4 - out.data))) != MI_SUCCESS)
		vxd_log(LOG_WARNING, qid, "cannot replace the body; carrier delivered unchanged");
	else
		vxd_log(LOG_INFO, qid, "carrier delivered with %zu part(s) removed", nparts);
	vx_bytes_free(&out);
	return SMFIS_CONTINUE;
}

static sfsistat on_eom(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	const char *qid = smfi_getsymval(ctx, "i");
	const vxd_conf *conf;
	struct body *b;
	const uint8_t *mail;
	uint8_t *map = NULL;
	unsigned *found = NULL, any = 0, parts[VX_NODE_MAX_CARRIERS];
	size_t nparts = 0;
	sfsistat r = SMFIS_CONTINUE;

	if (!c || !c->nrcpts)
		return SMFIS_CONTINUE;
	conf = c->rt->conf, b = &c->body;
	qid = qid ? qid : "NOQUEUE";
	if (b->too_big) {
		vxd_log(LOG_NOTICE, qid, "mail for a node address over max_message_size (%zu)",
		        conf->max_message_size);
		r = by_action(vxd_libstatus(conf, VXD_CTX_MAIL, VX_ELIMIT, qid, "receiving"));
		goto out;
	}
	if (b->error) {
		r = by_action(vxd_libstatus(conf, VXD_CTX_MAIL, b->error, qid, "spooling"));
		goto out;
	}
	if (b->fd >= 0 &&
	    (map = mmap(NULL, b->total, PROT_READ, MAP_PRIVATE, b->fd, 0)) == MAP_FAILED) {
		map = NULL;
		r = by_action(vxd_libstatus(conf, VXD_CTX_MAIL, VX_EIO, qid, "mapping the spool"));
		goto out;
	}
	mail = map ? map : b->mem;
	if (!(found = calloc(c->rt->nnodes, sizeof *found))) {
		r = by_action(vxd_libstatus(conf, VXD_CTX_MAIL, VX_ENOMEM, qid, "receiving"));
		goto out;
	}
	for (size_t ni = 0; ni < c->rt->nnodes; ni++) {
		vxd_node *n = &c->rt->nodes[ni];
		int addressed = 0;
		vx_node_stats st;
		vx_status s;
		char what[400];

		/* each node once, however many of its spellings were recipients */
		for (size_t i = 0; i < c->nrcpts; i++)
			addressed |= c->rcpts[i].node == n;
		if (!addressed)
			continue;
		s = vx_node_receive(vxd_node_lock(n), &n->cfg, mail, b->total, time(NULL), &st);
		vxd_node_unlock(n);
		snprintf(what, sizeof what, "%s: receiving", n->conf->address);
		if (s == VX_EMIME) {
			vxd_libstatus(conf, VXD_CTX_MAIL, s, qid, what);
		} else if (s != VX_OK) {
			/* a node that took the mail before keeps it: the retry is a replay there */
			r = by_action(vxd_libstatus(conf, VXD_CTX_MAIL, s, qid, what));
			if (r != SMFIS_CONTINUE)
				goto out;
		} else if (st.found) {
			found[ni] = st.found, any++;
			nparts = add_carriers(parts, nparts, &st);
			vxd_log(LOG_INFO, qid,
			        "%s: %u Vortex message(s): %u taken, %u ignored, %u combo(s) kept, "
			        "%u answer(s)",
			        n->conf->address, st.found, st.processed, st.ignored, st.combos,
			        st.replies);
		}
	}
	if (any) {
		if (conf->carrier == VXD_CARRIER_DISCARD)
			r = discard(ctx, c, found, qid);
		else if (conf->carrier == VXD_CARRIER_STRIP)
			r = strip(ctx, c, found, mail, b->total, parts, nparts, qid);
		if (conf->carrier != VXD_CARRIER_STRIP)
			vxd_log(LOG_INFO, qid, "carrier %s",
			        conf->carrier == VXD_CARRIER_DISCARD
			            ? (r == SMFIS_DISCARD ? "discarded"
			                                  : "removed for the node recipients")
			            : "delivered");
		/* the engine runs the new combos when they are due */
		vxd_outbound_wake(0);
	}
out:
	free(found);
	if (map)
		munmap(map, b->total);
	mail_reset(c);
	return r;
}

static sfsistat on_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c)
		mail_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c) {
		mail_reset(c);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc vxm_desc = {
    .xxfi_name = "vortex-milter",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_DELRCPT | SMFIF_CHGBODY | SMFIF_SETSYMLIST,
    .xxfi_envfrom = on_envfrom,
    .xxfi_envrcpt = on_envrcpt,
    .xxfi_header = on_header,
    .xxfi_data = on_data,
    .xxfi_eoh = on_eoh,
    .xxfi_body = on_body,
    .xxfi_eom = on_eom,
    .xxfi_abort = on_abort,
    .xxfi_close = on_close,
    .xxfi_negotiate = on_negotiate,
};
