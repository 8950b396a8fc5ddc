/*
 * imap.c - one IMAP account connection of vortex-poller (imap.h).
 *
 * libetpan does the protocol, except two things it cannot be trusted
 * with in Debian's 1.9.4 (a GnuTLS build): certificate checks, done here
 * with OpenSSL after the handshake and before any credential, and IDLE,
 * spoken here directly on the stream with poll() and deadlines, since
 * mailimap_idle blocks on an untagged response that comes before "+ idling"
 * and drops what it says. The socket is ours (connect with a deadline,
 * SO_RCVTIMEO/SO_SNDTIMEO), so even a read inside GnuTLS cannot hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <libetpan/libetpan.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "imap.h"

#define DEFAULT_TIMEOUT     30
#define IDLE_ROUND          1500 /* 25 min: RFC 2177 wants a new IDLE within 29 */
#define IDLE_ROUND_MAX      1740
#define DEFAULT_MESSAGES    50
#define DEFAULT_BATCH_BYTES (32u * 1024 * 1024)
#define DEFAULT_MESSAGE     (16u * 1024 * 1024)
#define MAX_CHAIN           16
#define LINE_HEAD           256 /* what we keep of a response line during IDLE */
#define NAME_MAX_LEN        255
#define CRED_MAX            4096

struct vx_imap {
	vx_imap_opts o; /* host, ca_file and verify_name point to the copies below */
	char *host, *ca_file, *verify_name;
	mailimap *imap; /* NULL when not connected */
	unsigned tag;   /* our own tags, for IDLE */
	int wakeable;   /* in a wait that o.wake_fd may end */
	int woken;      /* o.wake_fd ended the last wait */
	char line[LINE_HEAD];
	char said[200];
	char err[512];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static vx_status fail(vx_imap *h, vx_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static vx_status fail(vx_imap *h, vx_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof h->err, fmt, ap);
	va_end(ap);
	return st;
}

/* The server's last response text, printable and short: it goes into logs. */
static const char *server_said(vx_imap *h, const char *secret)
{
	const char *r = h->imap && h->imap->imap_response ? h->imap->imap_response : "";
	size_t i;
	char *p;

	for (i = 0; r[i] && i < sizeof h->said - 1; i++) {
		unsigned char c = (unsigned char)r[i];

		h->said[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	h->said[i] = '\0';
	/* a hostile server could echo what we sent it */
	if (secret && *secret && (p = strstr(h->said, secret)))
		memset(p, '*', strlen(secret));
	return i ? h->said : "(no text)";
}

/* Forget the connection: its state is unknown after a network or parse error. */
static void drop(vx_imap *h)
{
	if (h->imap)
		mailimap_free(h->imap);
	h->imap = NULL;
}

static int broken(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
	case MAILIMAP_ERROR_SSL:
	case MAILIMAP_ERROR_STARTTLS:
		return 1;
	default:
		return 0;
	}
}

/* A libetpan failure of command what: the connection is dropped when broken. */
static vx_status etpan_fail(vx_imap *h, int r, const char *what)
{
	if (r == MAILIMAP_ERROR_MEMORY)
		return fail(h, VX_ENOMEM, "%s: out of memory", what);
	if (broken(r)) {
		drop(h);
		return fail(
		    h, VX_EIO,
		    "%s: connection to %s lost, timed out or unreadable (libetpan error %d)", what,
		    h->host, r);
	}
	return fail(h, VX_EIO, "%s refused by %s: %s", what, h->host, server_said(h, NULL));
}

static vx_status need_connection(vx_imap *h)
{
	h->err[0] = '\0';
	if (!h->imap)
		return fail(h, VX_EINVAL, "not connected to %s", h->host ? h->host : "the server");
	return VX_OK;
}

/* --- the handle ------------------------------------------------------------ */

vx_status vx_imap_new(const vx_imap_opts *opts, vx_imap **out)
{
	vx_imap *h;

	*out = NULL;
	if (!opts || !opts->host || !*opts->host || strlen(opts->host) > NAME_MAX_LEN ||
	    opts->port > 65535 || opts->tls > VX_IMAP_PLAIN)
		return VX_EINVAL;
	if (!(h = calloc(1, sizeof *h)))
		return VX_ENOMEM;
	h->o = *opts;
	h->host = strdup(opts->host);
	h->ca_file = opts->ca_file ? strdup(opts->ca_file) : NULL;
	h->verify_name = strdup(opts->verify_name ? opts->verify_name : opts->host);
	if (!h->host || (opts->ca_file && !h->ca_file) || !h->verify_name) {
		vx_imap_free(h);
		return VX_ENOMEM;
	}
	h->o.host = h->host;
	h->o.ca_file = h->ca_file;
	h->o.verify_name = h->verify_name;
	if (!h->o.port)
		h->o.port = h->o.tls == VX_IMAP_TLS ? 993 : 143;
	if (!h->o.timeout)
		h->o.timeout = DEFAULT_TIMEOUT;
	if (!h->o.idle_round || h->o.idle_round > IDLE_ROUND_MAX)
		h->o.idle_round = IDLE_ROUND;
	*out = h;
	return VX_OK;
}

void vx_imap_close(vx_imap *h)
{
	if (h->imap)
		mailimap_logout(h->imap); /* bounded by the stream's timeout */
	drop(h);
}

void vx_imap_free(vx_imap *h)
{
	if (!h)
		return;
	vx_imap_close(h);
	free(h->host);
	free(h->ca_file);
	free(h->verify_name);
	free(h);
}

const char *vx_imap_error(const vx_imap *h)
{
	return h->err;
}

int vx_imap_connected(const vx_imap *h)
{
	return h->imap != NULL;
}

int vx_imap_has(const vx_imap *h, const char *capability)
{
	return h->imap && mailimap_has_extension(h->imap, capability);
}

/* --- connecting ------------------------------------------------------------ */

static int is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* TCP connection with a deadline; every later blocking read or write is bounded too. */
static vx_status tcp_connect(vx_imap *h, int *out)
{
	struct addrinfo hints = {0}, *res = NULL, *ai;
	struct timeval tv = {(time_t)h->o.timeout, 0};
	int64_t deadline = now_ms() + (int64_t)h->o.timeout * 1000;
	char port[8];
	int fd = -1, rc, err = ETIMEDOUT;

	*out = -1;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%u", h->o.port);
	/* getaddrinfo has no timeout of its own: resolv.conf's bounds it */
	if ((rc = getaddrinfo(h->host, port, &hints, &res)))
		return fail(h, VX_EIO, "cannot resolve %s: %s", h->host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		socklen_t len = sizeof err;
		int64_t left;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS) {
			p = (struct pollfd){fd, POLLOUT, 0};
			do {
				left = deadline - now_ms();
				rc = left > 0 ? poll(&p, 1, (int)(left > INT_MAX ? INT_MAX : left))
				              : 0;
			} while (rc < 0 && errno == EINTR);
			err = rc == 0 ? ETIMEDOUT : rc < 0 ? errno : 0;
			if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
				err = errno;
			if (!err)
				break;
		}
		close(fd);
		fd = -1;
		if (now_ms() >= deadline)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fail(h, VX_EIO, "cannot connect to %s port %u: %s", h->host, h->o.port,
		            strerror(err));
	/* libetpan waits with select() and then reads: a blocking socket, bounded */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv)) {
		err = errno;
		close(fd);
		return fail(h, VX_EIO, "socket setup for %s: %s", h->host, strerror(err));
	}
	*out = fd;
	return VX_OK;
}

/* Called by libetpan before the handshake: SNI only, verification comes after. */
static void tls_setup(struct mailstream_ssl_context *ctx, void *arg)
{
	vx_imap *h = arg;

	if (!is_ip_literal(h->verify_name))
		mailstream_ssl_set_server_name(ctx, h->verify_name);
}

static vx_status cert_fail(vx_imap *h, const char *why)
{
	ERR_clear_error();
	drop(h);
	return fail(h, VX_ECERT, "certificate of %s refused, nothing sent: %s", h->host, why);
}

/*
 * The chain the server sent against the trust anchors (CA file or system
 * store), for a TLS server, then the name (an iPAddress for an address
 * literal: X509_check_host never matches those).
 */
static vx_status verify_peer(vx_imap *h)
{
	mailstream *s = h->imap->imap_stream;
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	X509 *leaf = NULL;
	unsigned char *der = NULL;
	carray *chain = NULL;
	const char *why = NULL;
	char buf[300];
	vx_status st;
	int named;

	/* libetpan's GnuTLS chain call returns garbage for a server without one */
	if (mailstream_ssl_get_certificate(s, &der) <= 0) {
		free(der);
		return cert_fail(h, "the server sent no certificate");
	}
	free(der);
	if (!(chain = mailstream_get_certificate_chain(s)) || !carray_count(chain)) {
		why = "the server sent no certificate chain";
		goto out;
	}
	if (carray_count(chain) > MAX_CHAIN) {
		why = "certificate chain too long";
		goto out;
	}
	if (!(untrusted = sk_X509_new_null()))
		goto nomem;
	for (unsigned i = 0; i < carray_count(chain); i++) {
		MMAPString *m = carray_get(chain, i);
		const unsigned char *p = (const unsigned char *)m->str;
		X509 *x = m->len <= LONG_MAX ? d2i_X509(NULL, &p, (long)m->len) : NULL;

		if (!x || p != (const unsigned char *)m->str + m->len) {
			X509_free(x);
			why = "a certificate of the chain is not valid DER";
			goto out;
		}
		if (!i)
			leaf = x;
		else if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			goto nomem;
		}
	}
	if (!(store = X509_STORE_new()) || !(ctx = X509_STORE_CTX_new()))
		goto nomem;
	if (h->ca_file ? X509_STORE_load_file(store, h->ca_file) != 1
	               : X509_STORE_set_default_paths(store) != 1) {
		snprintf(buf, sizeof buf, "cannot load %s%s",
		         h->ca_file ? "CA file " : "the system CA store",
		         h->ca_file ? h->ca_file : "");
		why = buf;
		goto out;
	}
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1 ||
	    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) != 1)
		goto nomem;
	if (X509_verify_cert(ctx) != 1) {
		snprintf(buf, sizeof buf, "chain does not verify: %s",
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		why = buf;
		goto out;
	}
	named = is_ip_literal(h->verify_name)
	            ? X509_check_ip_asc(leaf, h->verify_name, 0)
	            : X509_check_host(leaf, h->verify_name, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
	                              NULL);
	if (named != 1) {
		snprintf(buf, sizeof buf, "it does not name %.255s", h->verify_name);
		why = buf;
	}
	goto out;
nomem:
	why = "out of memory";
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	if (chain)
		mailstream_certificate_chain_free(chain);
	st = why ? cert_fail(h, why) : VX_OK;
	return st;
}

/* Ask for CAPABILITY: the ones seen before TLS or before login may be stale or forged. */
static vx_status refresh_capabilities(vx_imap *h)
{
	struct mailimap_capability_data *cap = NULL;
	int r = mailimap_capability(h->imap, &cap);

	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(h, r, "CAPABILITY");
	mailimap_capability_data_free(cap);
	return VX_OK;
}

vx_status vx_imap_connect(vx_imap *h)
{
	mailstream *stream;
	vx_status st;
	int fd, r;

	vx_imap_close(h);
	h->err[0] = '\0';
	if (h->o.tls == VX_IMAP_PLAIN && !h->o.allow_plain)
		return fail(h, VX_EINVAL, "plaintext IMAP to %s is not allowed", h->host);
	if ((st = tcp_connect(h, &fd)) != VX_OK)
		return st;
	if (!(h->imap = mailimap_new(0, NULL))) {
		close(fd);
		return fail(h, VX_ENOMEM, "out of memory");
	}
	mailimap_set_timeout(h->imap, (time_t)h->o.timeout);
	if (h->o.tls == VX_IMAP_TLS)
		stream = mailstream_ssl_open_with_callback_timeout(fd, (time_t)h->o.timeout,
		                                                   tls_setup, h);
	else
		stream = mailstream_socket_open_timeout(fd, (time_t)h->o.timeout);
	if (!stream) {
		close(fd);
		drop(h);
		return fail(h, VX_EIO, "%s with %s port %u failed",
		            h->o.tls == VX_IMAP_TLS ? "TLS handshake" : "stream setup", h->host,
		            h->o.port);
	}
	/* on failure mailimap_connect closes the stream, and the socket with it */
	r = mailimap_connect(h->imap, stream);
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		drop(h);
		return fail(h, VX_EIO, "no IMAP greeting from %s port %u (libetpan error %d)",
		            h->host, h->o.port, r);
	}
	if (h->o.tls == VX_IMAP_STARTTLS) {
		/* PREAUTH leaves no moment for STARTTLS: a stripping attack or a bad setup */
		if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
			drop(h);
			return fail(h, VX_EIO, "%s greeted PREAUTH: no STARTTLS possible", h->host);
		}
		r = mailimap_socket_starttls_with_callback(h->imap, tls_setup, h);
		if (r != MAILIMAP_NO_ERROR) {
			st = fail(h, VX_EIO, "STARTTLS with %s failed: %s (libetpan error %d)",
			          h->host, server_said(h, NULL), r);
			drop(h);
			return st;
		}
	}
	if (h->o.tls != VX_IMAP_PLAIN && (st = verify_peer(h)) != VX_OK)
		return st;
	if (h->o.tls == VX_IMAP_STARTTLS && (st = refresh_capabilities(h)) != VX_OK)
		return st;
	return VX_OK;
}

/* --- logging in ------------------------------------------------------------ */

static int bad_credential(const char *s, int may_be_empty)
{
	size_t n = strlen(s);

	return (!n && !may_be_empty) || n > CRED_MAX || strpbrk(s, "\r\n");
}

vx_status vx_imap_login(vx_imap *h, const char *user, const char *password)
{
	vx_status st;
	int r;

	if ((st = need_connection(h)) != VX_OK)
		return st;
	if (bad_credential(user, 0) || bad_credential(password, 1))
		return fail(h, VX_EINVAL,
		            "user name or password unusable (empty, too long or CR/LF)");
	if (mailimap_has_extension(h->imap, "LOGINDISABLED"))
		return fail(h, VX_ELOGIN,
		            "%s refuses LOGIN on this connection (LOGINDISABLED); nothing sent",
		            h->host);
	r = mailimap_login(h->imap, user, password);
	if (r == MAILIMAP_ERROR_LOGIN)
		return fail(h, VX_ELOGIN, "LOGIN as %.64s refused by %s: %s", user, h->host,
		            server_said(h, password));
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(h, r, "LOGIN");
	return refresh_capabilities(h);
}

vx_status vx_imap_login_xoauth2(vx_imap *h, const char *user, const char *token)
{
	vx_status st;
	int r;

	if ((st = need_connection(h)) != VX_OK)
		return st;
	if (bad_credential(user, 0) || bad_credential(token, 0))
		return fail(h, VX_EINVAL, "user name or token unusable (empty, too long or CR/LF)");
	if (!mailimap_has_xoauth2(h->imap))
		return fail(h, VX_EUNSUPPORTED, "%s does not offer AUTH=XOAUTH2; nothing sent",
		            h->host);
	r = mailimap_oauth2_authenticate(h->imap, user, token);
	if (r != MAILIMAP_NO_ERROR && !broken(r) && r != MAILIMAP_ERROR_MEMORY)
		return fail(h, VX_ELOGIN, "XOAUTH2 as %.64s refused by %s: %s", user, h->host,
		            server_said(h, token));
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(h, r, "AUTHENTICATE XOAUTH2");
	return refresh_capabilities(h);
}

/* --- the mailbox ----------------------------------------------------------- */

/* Printable ASCII only: non-ASCII names need modified UTF-7, the caller's to give. */
static int bad_mailbox(const char *m)
{
	size_t n = strlen(m);

	if (!n || n > NAME_MAX_LEN)
		return 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] >= 0x7f)
			return 1;
	return 0;
}

vx_status vx_imap_select(vx_imap *h, const char *mailbox, uint32_t *uidvalidity, uint32_t *uidnext)
{
	vx_status st;
	int r;

	*uidvalidity = *uidnext = 0;
	if ((st = need_connection(h)) != VX_OK)
		return st;
	if (bad_mailbox(mailbox))
		return fail(h, VX_EINVAL, "mailbox name unusable (empty, too long or not ASCII)");
	if ((r = mailimap_select(h->imap, mailbox)) != MAILIMAP_NO_ERROR)
		return etpan_fail(h, r, "SELECT");
	if (!h->imap->imap_selection_info || !h->imap->imap_selection_info->sel_uidvalidity)
		return fail(h, VX_EIO, "%s sent no UIDVALIDITY for %.255s", h->host, mailbox);
	*uidvalidity = h->imap->imap_selection_info->sel_uidvalidity;
	*uidnext = h->imap->imap_selection_info->sel_uidnext;
	return VX_OK;
}

/* --- fetching -------------------------------------------------------------- */

static uint32_t att_uid(struct mailimap_msg_att *ma)
{
	for (clistiter *it = clist_begin(ma->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
			return item->att_data.att_static->att_data.att_uid;
	}
	return 0;
}

/*
 * FETCH by message number, or UID FETCH: takes set and ft, freed here
 * also when either could not be made; free *res when VX_OK returns.
 */
static vx_status run_fetch(vx_imap *h, int by_uid, struct mailimap_set *set,
                           struct mailimap_fetch_type *ft, const char *what, clist **res)
{
	int made = set && ft, r = MAILIMAP_NO_ERROR;

	*res = NULL;
	if (made)
		r = by_uid ? mailimap_uid_fetch(h->imap, set, ft, res)
		           : mailimap_fetch(h->imap, set, ft, res);
	if (set)
		mailimap_set_free(set);
	if (ft)
		mailimap_fetch_type_free(ft);
	if (!made)
		return fail(h, VX_ENOMEM, "out of memory");
	return r == MAILIMAP_NO_ERROR ? VX_OK : etpan_fail(h, r, what);
}

/*
 * The UID of message number seq, 0 for the last ("*"), and its number.
 * Other FETCH responses the server sends along are not taken for it.
 */
static vx_status uid_at(vx_imap *h, uint32_t seq, uint32_t *num, uint32_t *uid)
{
	clist *res;
	vx_status st;

	*num = *uid = 0;
	if ((st = run_fetch(h, 0, mailimap_set_new_single(seq),
	                    mailimap_fetch_type_new_fetch_att(mailimap_fetch_att_new_uid()),
	                    "FETCH (UID)", &res)) != VX_OK)
		return st;
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		uint32_t u = att_uid(ma);

		if (u && (seq ? ma->att_number == seq : ma->att_number > *num)) {
			*num = ma->att_number;
			*uid = u;
		}
	}
	mailimap_fetch_list_free(res);
	if (!*uid)
		return fail(h, VX_EIO, "%s sent no UID for message %u", h->host, seq);
	return VX_OK;
}

/*
 * The UID range [from, *hi] that holds the first max messages with UID >=
 * from, found by message numbers (a few round trips) rather than by a
 * "from:*" that would list every new message at once. *hi = 0: none.
 */
static vx_status find_window(vx_imap *h, uint32_t from, unsigned max, uint32_t *hi, int *more)
{
	uint32_t n, un, lo, top, s, num, u;
	vx_status st;

	*hi = 0;
	*more = 0;
	/* FETCH * is an error in an empty mailbox */
	if (!h->imap->imap_selection_info || !h->imap->imap_selection_info->sel_exists)
		return VX_OK;
	if ((st = uid_at(h, 0, &n, &un)) != VX_OK)
		return st;
	if (un < from)
		return VX_OK;
	/* UIDs ascend with message numbers: message j has UID <= un - (n - j) */
	lo = un - from < n ? n - (un - from) : 1;
	top = n;
	if (lo < top) {
		if ((st = uid_at(h, lo, &num, &u)) != VX_OK)
			return st;
		if (u >= from)
			top = lo;
		else
			lo++;
	}
	while (lo < top) {
		uint32_t mid = lo + (top - lo) / 2;

		if ((st = uid_at(h, mid, &num, &u)) != VX_OK)
			return st;
		if (u >= from)
			top = mid;
		else
			lo = mid + 1;
	}
	s = lo;
	if (max >= n - s + 1) {
		*hi = un;
		return VX_OK;
	}
	*more = 1;
	if ((st = uid_at(h, s + max - 1, &num, hi)) != VX_OK)
		return st;
	/* messages expunged meanwhile shifted the numbers: try again next time */
	if (*hi < from)
		*hi = 0;
	return VX_OK;
}

static unsigned att_flags(struct mailimap_msg_att_dynamic *dyn, const char *mark)
{
	unsigned f = 0;

	if (!dyn || !dyn->att_list)
		return 0;
	for (clistiter *it = clist_begin(dyn->att_list); it; it = clist_next(it)) {
		struct mailimap_flag_fetch *ff = clist_content(it);
		struct mailimap_flag *fl;

		if (ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER || !(fl = ff->fl_flag))
			continue;
		switch (fl->fl_type) {
		case MAILIMAP_FLAG_SEEN:
			f |= VX_IMAP_F_SEEN;
			break;
		case MAILIMAP_FLAG_FLAGGED:
			f |= VX_IMAP_F_FLAGGED;
			break;
		case MAILIMAP_FLAG_DELETED:
			f |= VX_IMAP_F_DELETED;
			break;
		case MAILIMAP_FLAG_KEYWORD:
			if (mark && fl->fl_data.fl_keyword &&
			    !strcasecmp(fl->fl_data.fl_keyword, mark))
				f |= VX_IMAP_F_MARK;
			break;
		default:
			break;
		}
	}
	if (mark && *mark == '\\') {
		static const struct {
			const char *name;
			unsigned bit;
		} sys[] = {{"\\Seen", VX_IMAP_F_SEEN},
		           {"\\Flagged", VX_IMAP_F_FLAGGED},
		           {"\\Deleted", VX_IMAP_F_DELETED}};

		for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
			if (!strcasecmp(mark, sys[i].name) && (f & sys[i].bit))
				f |= VX_IMAP_F_MARK;
	}
	return f;
}

static int cmp_msg(const void *a, const void *b)
{
	uint32_t x = ((const vx_imap_msg *)a)->uid, y = ((const vx_imap_msg *)b)->uid;

	return x < y ? -1 : x > y;
}

void vx_imap_batch_free(vx_imap_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		vx_bytes_free(&b->msgs[i].body);
	free(b->msgs);
	b->msgs = NULL;
	b->n = 0;
}

static struct mailimap_fetch_type *fetch_type(int body)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_fetch_att *a[3] = {0};
	struct mailimap_section *sec;
	int i, n = 0;

	if (!ft)
		return NULL;
	a[n++] = mailimap_fetch_att_new_uid();
	if (body) {
		sec = mailimap_section_new(NULL);
		a[n] = sec ? mailimap_fetch_att_new_body_peek_section(sec) : NULL;
		if (sec && !a[n])
			mailimap_section_free(sec);
		n++;
	} else {
		a[n++] = mailimap_fetch_att_new_flags();
		a[n++] = mailimap_fetch_att_new_rfc822_size();
	}
	for (i = 0; i < n; i++)
		if (!a[i] ||
		    mailimap_fetch_type_new_fetch_att_list_add(ft, a[i]) != MAILIMAP_NO_ERROR)
			break;
	if (i == n)
		return ft;
	for (; i < n; i++)
		if (a[i])
			mailimap_fetch_att_free(a[i]);
	mailimap_fetch_type_free(ft);
	return NULL;
}

/* UID, flags and size of the messages in [from, hi], ascending, at most max. */
static vx_status fetch_meta(vx_imap *h, uint32_t from, uint32_t hi, unsigned max, const char *mark,
                            vx_imap_batch *b, int *more)
{
	clist *res;
	size_t cap;
	vx_status st;

	if ((st = run_fetch(h, 1, mailimap_set_new_interval(from, hi), fetch_type(0),
	                    "UID FETCH (FLAGS RFC822.SIZE)", &res)) != VX_OK)
		return st;
	cap = (size_t)clist_count(res);
	if (cap && !(b->msgs = calloc(cap, sizeof *b->msgs))) {
		mailimap_fetch_list_free(res);
		return fail(h, VX_ENOMEM, "out of memory");
	}
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		vx_imap_msg m = {0};
		int sized = 0;

		for (clistiter *a = clist_begin(ma->att_list); a; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
				m.flags |= att_flags(item->att_data.att_dyn, mark);
			} else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID) {
				m.uid = item->att_data.att_static->att_data.att_uid;
			} else if (item->att_data.att_static->att_type ==
			           MAILIMAP_MSG_ATT_RFC822_SIZE) {
				m.size = item->att_data.att_static->att_data.att_rfc822_size;
				sized = 1;
			}
		}
		/* responses outside the range are unsolicited or a server's quirk */
		if (m.uid < from || m.uid > hi)
			continue;
		if (!sized) {
			mailimap_fetch_list_free(res);
			return fail(h, VX_EIO, "%s sent no RFC822.SIZE for UID %u", h->host, m.uid);
		}
		b->msgs[b->n++] = m;
	}
	mailimap_fetch_list_free(res);
	qsort(b->msgs, b->n, sizeof *b->msgs, cmp_msg);
	/* drop duplicates, keep the first max */
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!k || b->msgs[i].uid != b->msgs[k - 1].uid)
			b->msgs[k++] = b->msgs[i];
	b->n = k;
	if (b->n > max) {
		b->next_uid = b->msgs[max].uid;
		b->n = max;
		*more = 1;
	}
	return VX_OK;
}

/* Fill in the bodies of msgs[0..n) that are not oversize, with one UID FETCH. */
static vx_status fetch_bodies(vx_imap *h, vx_imap_msg *msgs, size_t n, size_t max_message)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	struct mailimap_fetch_type *ft = fetch_type(1);
	clist *res = NULL;
	vx_status st = VX_OK;
	size_t wanted = 0;

	if (!set || !ft) {
		st = fail(h, VX_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!msgs[i].oversize) {
			if (mailimap_set_add_single(set, msgs[i].uid) != MAILIMAP_NO_ERROR) {
				st = fail(h, VX_ENOMEM, "out of memory");
				goto out;
			}
			wanted++;
		}
	if (!wanted)
		goto out;
	st = run_fetch(h, 1, set, ft, "UID FETCH (BODY.PEEK[])", &res);
	set = NULL, ft = NULL;
	if (st != VX_OK)
		goto out;
	for (clistiter *it = clist_begin(res); it && st == VX_OK; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		struct mailimap_msg_att_body_section *sec = NULL;
		uint32_t uid = att_uid(ma);
		vx_imap_msg *m;
		vx_imap_msg key = {.uid = uid};

		for (clistiter *a = clist_begin(ma->att_list); a; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
			    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				sec = item->att_data.att_static->att_data.att_body_section;
		}
		m = bsearch(&key, msgs, n, sizeof *msgs, cmp_msg);
		if (!sec || !m || m->oversize || m->body.data)
			continue;
		if (sec->sec_length > max_message) {
			/* the server said a smaller RFC822.SIZE */
			m->oversize = 1;
			m->size =
			    sec->sec_length > UINT32_MAX ? UINT32_MAX : (uint32_t)sec->sec_length;
			continue;
		}
		st = vx_bytes_set(&m->body, sec->sec_body_part, sec->sec_length);
	}
	mailimap_fetch_list_free(res);
out:
	if (set)
		mailimap_set_free(set);
	if (ft)
		mailimap_fetch_type_free(ft);
	return st;
}

vx_status vx_imap_fetch(vx_imap *h, uint32_t from_uid, const vx_imap_fetch_opts *o,
                        vx_imap_batch *b)
{
	vx_imap_fetch_opts d = o ? *o : (vx_imap_fetch_opts){0};
	uint32_t hi;
	size_t bytes = 0, keep = 0;
	vx_status st;
	int more;

	memset(b, 0, sizeof *b);
	b->next_uid = from_uid ? from_uid : 1;
	if ((st = need_connection(h)) != VX_OK)
		return st;
	if (!d.max_messages)
		d.max_messages = DEFAULT_MESSAGES;
	if (!d.max_bytes)
		d.max_bytes = DEFAULT_BATCH_BYTES;
	if (!d.max_message)
		d.max_message = DEFAULT_MESSAGE;
	if ((st = find_window(h, b->next_uid, d.max_messages, &hi, &more)) != VX_OK || !hi)
		return st;
	/* past every UID of the window, unless cut short below */
	b->next_uid = hi == UINT32_MAX ? hi : hi + 1;
	if ((st = fetch_meta(h, from_uid ? from_uid : 1, hi, d.max_messages, d.mark_flag, b,
	                     &more)) != VX_OK)
		return st;
	for (keep = 0; keep < b->n; keep++) {
		vx_imap_msg *m = &b->msgs[keep];

		if (m->size > d.max_message) {
			m->oversize = 1;
			continue;
		}
		/* a batch takes at least one message, however large */
		if (bytes && bytes + m->size > d.max_bytes) {
			b->next_uid = m->uid;
			more = 1;
			break;
		}
		bytes += m->size;
	}
	b->n = keep;
	b->more = more;
	if ((st = fetch_bodies(h, b->msgs, b->n, d.max_message)) != VX_OK)
		return st;
	/* a message expunged meanwhile has no body: it is gone, not skipped */
	keep = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->msgs[i].oversize || b->msgs[i].body.data)
			b->msgs[keep++] = b->msgs[i];
		else
			vx_bytes_free(&b->msgs[i].body);
	b->n = keep;
	return VX_OK;
}

/* --- marking --------------------------------------------------------------- */

/* A system flag by name, or a keyword (an atom: RFC 3501 9, flag-keyword). */
static struct mailimap_flag *parse_flag(const char *arg)
{
	static const char *const specials = "(){ %*\"\\]";
	char *kw;

	if (!arg || !*arg || strlen(arg) > 64)
		return NULL;
	if (*arg == '\\') {
		if (!strcasecmp(arg, "\\Seen"))
			return mailimap_flag_new_seen();
		if (!strcasecmp(arg, "\\Flagged"))
			return mailimap_flag_new_flagged();
		if (!strcasecmp(arg, "\\Answered"))
			return mailimap_flag_new_answered();
		if (!strcasecmp(arg, "\\Draft"))
			return mailimap_flag_new_draft();
		return NULL; /* \Deleted is VX_IMAP_DELETE's, \Recent nobody's */
	}
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr(specials, *p))
			return NULL;
	if (!(kw = strdup(arg)))
		return NULL;
	struct mailimap_flag *f = mailimap_flag_new_flag_keyword(kw);
	if (!f)
		free(kw);
	return f;
}

static vx_status store_flag(vx_imap *h, uint32_t uid, struct mailimap_flag *flag)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sa = NULL;
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	if (!fl || !set || mailimap_flag_list_add(fl, flag) != MAILIMAP_NO_ERROR) {
		mailimap_flag_free(flag);
		goto nomem;
	}
	if (!(sa = mailimap_store_att_flags_new_add_flags_silent(fl)))
		goto nomem;
	fl = NULL;
	r = mailimap_uid_store(h->imap, set, sa);
	mailimap_store_att_flags_free(sa);
	mailimap_set_free(set);
	return r == MAILIMAP_NO_ERROR ? VX_OK : etpan_fail(h, r, "UID STORE");
nomem:
	if (fl)
		mailimap_flag_list_free(fl);
	if (set)
		mailimap_set_free(set);
	return fail(h, VX_ENOMEM, "out of memory");
}

static vx_status delete_uid(vx_imap *h, uint32_t uid)
{
	struct mailimap_flag *f = mailimap_flag_new_deleted();
	struct mailimap_set *set;
	vx_status st;
	int r;

	if (!f)
		return fail(h, VX_ENOMEM, "out of memory");
	if ((st = store_flag(h, uid, f)) != VX_OK)
		return st;
	/* without UIDPLUS, EXPUNGE takes every \Deleted message of the mailbox */
	if (!mailimap_has_uidplus(h->imap)) {
		r = mailimap_expunge(h->imap);
		return r == MAILIMAP_NO_ERROR ? VX_OK : etpan_fail(h, r, "EXPUNGE");
	}
	if (!(set = mailimap_set_new_single(uid)))
		return fail(h, VX_ENOMEM, "out of memory");
	r = mailimap_uid_expunge(h->imap, set);
	mailimap_set_free(set);
	return r == MAILIMAP_NO_ERROR ? VX_OK : etpan_fail(h, r, "UID EXPUNGE");
}

static int move_or_copy(vx_imap *h, uint32_t uid, const char *folder, int move)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	if (!set)
		return MAILIMAP_ERROR_MEMORY;
	r = move ? mailimap_uid_move(h->imap, set, folder)
	         : mailimap_uid_copy(h->imap, set, folder);
	mailimap_set_free(set);
	return r;
}

static vx_status move_uid(vx_imap *h, uint32_t uid, const char *folder)
{
	int move = mailimap_has_extension(h->imap, "MOVE");
	int r = move_or_copy(h, uid, folder, move);

	/* the folder may not exist yet ([TRYCREATE]): create it, once */
	if (r != MAILIMAP_NO_ERROR && !broken(r) && r != MAILIMAP_ERROR_MEMORY) {
		int c = mailimap_create(h->imap, folder);

		if (broken(c))
			return etpan_fail(h, c, "CREATE");
		r = move_or_copy(h, uid, folder, move);
	}
	if (r != MAILIMAP_NO_ERROR)
		return etpan_fail(h, r, move ? "UID MOVE" : "UID COPY");
	return move ? VX_OK : delete_uid(h, uid);
}

vx_status vx_imap_mark(vx_imap *h, uint32_t uid, vx_imap_action action, const char *arg)
{
	struct mailimap_flag *f;
	vx_status st;

	if ((st = need_connection(h)) != VX_OK)
		return st;
	if (!uid)
		return fail(h, VX_EINVAL, "UID 0 names no message");
	switch (action) {
	case VX_IMAP_DELETE:
		return delete_uid(h, uid);
	case VX_IMAP_MOVE:
		if (!arg || bad_mailbox(arg))
			return fail(h, VX_EINVAL,
			            "folder name unusable (empty, too long or not ASCII)");
		return move_uid(h, uid, arg);
	case VX_IMAP_FLAG:
		if (!(f = parse_flag(arg)))
			return fail(
			    h, VX_EINVAL,
			    "flag unusable: \\Seen, \\Flagged, \\Answered, \\Draft or a keyword");
		return store_flag(h, uid, f);
	}
	return fail(h, VX_EINVAL, "unknown action %d", (int)action);
}

/* --- waiting --------------------------------------------------------------- */

/* 1: bytes are buffered, 0: deadline passed, -1: the connection failed. */
static int stream_wait(vx_imap *h, int64_t deadline)
{
	mailstream *s = h->imap->imap_stream;
	struct pollfd p[2] = {{mailimap_idle_get_fd(h->imap), POLLIN, 0},
	                      {h->o.wake_fd, POLLIN, 0}};

	/* bytes libetpan buffered already never wake poll() */
	if (s->read_buffer_len)
		return 1;
	for (;;) {
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(p, h->wakeable ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		if (h->wakeable && (p[1].revents & POLLIN) && !(p[0].revents & POLLIN)) {
			h->woken = 1;
			return 0; /* as if the deadline passed: the wait ends normally */
		}
		/* one read, bounded by the stream's timeout and SO_RCVTIMEO */
		return mailstream_feed_read_buffer(s) > 0 ? 1 : -1;
	}
}

/* Take n buffered bytes (n <= read_buffer_len, so libetpan reads nothing more). */
static void consume(mailstream *s, size_t n)
{
	char junk[1024];

	while (n) {
		size_t c = n < sizeof junk ? n : sizeof junk;

		mailstream_read(s, junk, c);
		n -= c;
	}
}

/* A line ending in a literal's "{N}" or "{N+}" (RFC 7888): N, else -1. */
static long long literal_at_end(const char *t, size_t n)
{
	long long v = 0;
	size_t i;

	if (n && t[n - 1] == '\n')
		n--;
	if (n && t[n - 1] == '\r')
		n--;
	if (!n || t[--n] != '}')
		return -1;
	if (n && t[n - 1] == '+')
		n--;
	for (i = n; i && t[i - 1] >= '0' && t[i - 1] <= '9'; i--)
		;
	if (i == n || n - i > 10 || !i || t[i - 1] != '{')
		return -1;
	for (; i < n; i++)
		v = v * 10 + (t[i] - '0');
	return v;
}

/*
 * One response line into h->line (its first LINE_HEAD - 1 bytes, CRLF
 * cut), literals skipped. 1: a line, 0: deadline, -1: connection failed.
 */
static int read_line(vx_imap *h, int64_t deadline)
{
	char tail[24];
	size_t used = 0, tl = 0;

	h->line[0] = '\0';
	for (;;) {
		mailstream *s;
		char *nl;
		size_t n, take;
		long long lit;
		int w = stream_wait(h, deadline);

		if (w <= 0)
			return w;
		s = h->imap->imap_stream;
		nl = memchr(s->read_buffer, '\n', s->read_buffer_len);
		n = nl ? (size_t)(nl - s->read_buffer) + 1 : s->read_buffer_len;
		take = n < sizeof h->line - 1 - used ? n : sizeof h->line - 1 - used;
		memcpy(h->line + used, s->read_buffer, take);
		used += take;
		if (n >= sizeof tail) {
			memcpy(tail, s->read_buffer + n - sizeof tail, sizeof tail);
			tl = sizeof tail;
		} else {
			if (tl + n > sizeof tail) {
				memmove(tail, tail + tl + n - sizeof tail, sizeof tail - n);
				tl = sizeof tail - n;
			}
			memcpy(tail + tl, s->read_buffer, n);
			tl += n;
		}
		consume(s, n);
		if (!nl)
			continue;
		if ((lit = literal_at_end(tail, tl)) >= 0) {
			for (; lit > 0; lit -= (long long)take) {
				if ((w = stream_wait(h, deadline)) <= 0)
					return w;
				s = h->imap->imap_stream;
				take = (size_t)lit < s->read_buffer_len ? (size_t)lit
				                                        : s->read_buffer_len;
				consume(s, take);
			}
			tl = 0;
			continue;
		}
		while (used && (h->line[used - 1] == '\n' || h->line[used - 1] == '\r'))
			used--;
		h->line[used] = '\0';
		return 1;
	}
}

/* An untagged line during IDLE: count EXISTS and EXPUNGE as libetpan would. */
static void untagged(vx_imap *h, int *changed)
{
	struct mailimap_selection_info *si = h->imap->imap_selection_info;
	unsigned long n;
	char word[12];

	if (sscanf(h->line, "* %lu %11s", &n, word) != 2 || n > UINT32_MAX || !si)
		return;
	if (!strcasecmp(word, "EXISTS")) {
		si->sel_exists = (uint32_t)n;
		*changed = 1;
	} else if (!strcasecmp(word, "EXPUNGE") && si->sel_exists) {
		si->sel_exists--;
	}
}

static int is_tagged(const char *line, const char *tag)
{
	size_t n = strlen(tag);

	return !strncmp(line, tag, n) && line[n] == ' ';
}

/*
 * Read until the tagged response of tag (1: OK, 0: NO or BAD) or, when
 * cont, until "+"; untagged lines are noted. Deadline: -2 (< 0 as well).
 */
static int until_tagged(vx_imap *h, const char *tag, int cont, int64_t deadline, int *changed)
{
	size_t tl = strlen(tag);
	int r;

	while ((r = read_line(h, deadline)) == 1) {
		if (cont && h->line[0] == '+')
			return 1;
		if (!strncmp(h->line, "* BYE", 5))
			return -1;
		if (h->line[0] == '*') {
			untagged(h, changed);
			continue;
		}
		if (is_tagged(h->line, tag))
			return !strncasecmp(h->line + tl + 1, "OK", 2) ? 1 : 0;
	}
	return r == 0 ? -2 : -1;
}

static vx_status idle_lost(vx_imap *h, int r)
{
	char what[sizeof h->line];

	snprintf(what, sizeof what, "%s", h->line);
	for (char *p = what; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	drop(h);
	if (r == -2)
		return fail(h, VX_EIO, "IDLE: %s did not answer in time", h->host);
	return fail(h, VX_EIO, "IDLE: connection to %s lost%s%.200s", h->host, *what ? ": " : "",
	            what);
}

/* One IDLE command, ended by DONE at until or as soon as a message arrives. */
static vx_status idle_once(vx_imap *h, int64_t until, int *changed)
{
	mailstream *s = h->imap->imap_stream;
	int64_t net = (int64_t)h->o.timeout * 1000;
	char tag[16], cmd[32];
	int r, ended = 0;

	snprintf(tag, sizeof tag, "vx%u", ++h->tag);
	snprintf(cmd, sizeof cmd, "%s IDLE\r\n", tag);
	if (mailstream_write(s, cmd, strlen(cmd)) < 0 || mailstream_flush(s) < 0)
		return idle_lost(h, -1);
	/* EXISTS may come before "+ idling": noted, never a hang */
	r = until_tagged(h, tag, 1, now_ms() + net, changed);
	if (r == 0)
		return fail(h, VX_EIO, "IDLE refused by %s: %.200s", h->host, h->line);
	if (r < 0)
		return idle_lost(h, r);
	while (!*changed) {
		h->wakeable = h->o.wake_fd > 0;
		r = read_line(h, until);
		h->wakeable = 0;
		if (r == 0)
			break;
		if (r < 0 || !strncmp(h->line, "* BYE", 5))
			return idle_lost(h, -1);
		if (h->line[0] == '*') {
			untagged(h, changed);
		} else if (is_tagged(h->line, tag)) {
			ended = 1; /* the server ended the IDLE itself */
			break;
		}
	}
	if (!ended) {
		if (mailstream_write(s, "DONE\r\n", 6) < 0 || mailstream_flush(s) < 0)
			return idle_lost(h, -1);
		r = until_tagged(h, tag, 0, now_ms() + net, changed);
		if (r < 0)
			return idle_lost(h, r);
		if (r == 0)
			return fail(h, VX_EIO, "IDLE ended with an error by %s: %.200s", h->host,
			            h->line);
	}
	return VX_OK;
}

/* Without IDLE: wait on the socket (the server may speak first), then NOOP. */
static vx_status poll_once(vx_imap *h, int64_t until, int *changed)
{
	mailstream *s = h->imap->imap_stream;
	struct pollfd p[2] = {{mailimap_idle_get_fd(h->imap), POLLIN, 0},
	                      {h->o.wake_fd, POLLIN, 0}};
	int r;

	while (!s->read_buffer_len) {
		int64_t left = until - now_ms();

		if (left <= 0)
			break;
		r = poll(p, h->o.wake_fd > 0 ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0 && (p[1].revents & POLLIN) && !(p[0].revents & POLLIN)) {
			h->woken = 1;
			return VX_OK;
		}
		if (r > 0 || (r < 0 && errno != EINTR))
			break;
	}
	if ((r = mailimap_noop(h->imap)) != MAILIMAP_NO_ERROR)
		return etpan_fail(h, r, "NOOP");
	*changed = 1;
	return VX_OK;
}

vx_status vx_imap_wait(vx_imap *h, unsigned seconds, int *changed)
{
	int64_t end = now_ms() + (int64_t)seconds * 1000;
	vx_status st;

	*changed = 0;
	h->woken = 0;
	if ((st = need_connection(h)) != VX_OK)
		return st;
	if (!h->imap->imap_selection_info)
		return fail(h, VX_EINVAL, "no mailbox selected");
	if (h->o.no_idle || !mailimap_has_idle(h->imap))
		return poll_once(h, end, changed);
	do {
		int64_t round = now_ms() + (int64_t)h->o.idle_round * 1000;

		if ((st = idle_once(h, round < end ? round : end, changed)) != VX_OK)
			return st;
	} while (!*changed && !h->woken && now_ms() < end);
	return VX_OK;
}
