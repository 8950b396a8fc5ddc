/* localmail.c - readable mail for the local user; see localmail.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "localmail.h"
#include "mime.h"
#include "special.h"

/*
 * Fields that make the recipient's software contact someone (read
 * receipts, DKIM/ARC key lookups in the signer's DNS, one-click
 * unsubscribe): each tells an observer that and when the mail was read.
 */
static const char *const bugging[] = {
    "Disposition-Notification-To",
    "Disposition-Notification-Options",
    "Return-Receipt-To",
    "Read-Receipt-To",
    "X-Confirm-Reading-To",
    "Generate-Delivery-Report",
    "DKIM-Signature",
    "DomainKey-Signature",
    "ARC-Seal",
    "ARC-Message-Signature",
    "ARC-Authentication-Results",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
};

int vxd_localmail_bugging(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof bugging / sizeof bugging[0]; i++)
		if (strlen(bugging[i]) == len && !strncasecmp(bugging[i], name, len))
			return 1;
	return 0;
}

/* Length of the field name of a header line starting at p, 0 if it is none. */
static size_t field_name(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p;

	while (q<end && * q> 32 && *q < 127 && *q != ':')
		q++;
	return q < end && *q == ':' && q > p ? (size_t)(q - p) : 0;
}

static const uint8_t *line_end(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

static int blank_line(const uint8_t *p, const uint8_t *end)
{
	return (p < end && *p == '\n') || (end - p >= 2 && p[0] == '\r' && p[1] == '\n');
}

/* An RFC 5322 message: header fields up to a blank line, one of them a usual one. */
static int is_message(const uint8_t *p, size_t len)
{
	static const char *const usual[] = {"From", "To",         "Subject",
	                                    "Date", "Message-ID", "MIME-Version"};
	const uint8_t *end = p + len;
	int fields = 0, known = 0;

	while (p < end && !blank_line(p, end)) {
		size_t n = field_name(p, end);

		if (!n && !(fields && (*p == ' ' || *p == '\t')))
			return 0;
		for (size_t i = 0; n && i < sizeof usual / sizeof usual[0]; i++)
			known |=
			    strlen(usual[i]) == n && !strncasecmp(usual[i], (const char *)p, n);
		fields += n != 0;
		p = line_end(p, end);
	}
	return p < end && fields && known;
}

/* The message without the bugging fields (with their continuation lines). */
static vx_status strip_bugging(const uint8_t *p, size_t len, vx_bytes *out)
{
	const uint8_t *end = p + len;
	uint8_t *o;
	int drop = 0;
	vx_status st;

	if ((st = vx_bytes_alloc(out, len)) != VX_OK)
		return st;
	o = out->data;
	while (p < end && !blank_line(p, end)) {
		const uint8_t *e = line_end(p, end);
		size_t n = field_name(p, end);

		if (n)
			drop = vxd_localmail_bugging((const char *)p, n);
		if (!drop)
			memcpy(o, p, (size_t)(e - p)), o += e - p;
		p = e;
	}
	memcpy(o, p, (size_t)(end - p)), o += end - p;
	out->len = (size_t)(o - out->data);
	return VX_OK;
}

/* UTF-8 text without control characters other than tab, CR, LF and FF. */
static int is_text(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint8_t c = p[i];
		size_t n = c < 0x80             ? 1
		           : (c & 0xe0) == 0xc0 ? 2
		           : (c & 0xf0) == 0xe0 ? 3
		           : (c & 0xf8) == 0xf0 ? 4
		                                : 0;

		if (!n || i + n > len || (c < 0x20 && (!c || !strchr("\t\r\n\f", c))) || c == 0x7f)
			return 0;
		for (size_t j = 1; j < n; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

static vx_status wrap(const char *node, const char *to, const char *subject, const char *body,
                      const vx_mime_attachment *att, vx_bytes *mail)
{
	const char *at = strchr(node, '@');
	vx_mime_mail m = {.from = node,
	                  .to = to,
	                  .subject = subject,
	                  .body = body,
	                  .msgid_domain = at ? at + 1 : node,
	                  .att = att,
	                  .natt = att != NULL};

	return vx_mime_compose(&m, mail);
}

vx_status vxd_localmail_build(const uint8_t *raw, size_t len, const char *node,
                              const char *deliver_to, vx_bytes *mail)
{
	vx_bytes user = {0};
	vx_payload_kind kind;
	SpecialBlock sb;
	vx_status st;

	memset(&sb, 0, sizeof sb);
	st = vx_special_classify(raw, len, &kind, &user, &sb);
	if (st == VX_OK && kind == VX_PAYLOAD_SPECIAL)
		free_SpecialBlock(&sb);
	if (st == VX_ENOMEM)
		return st;
	if (st != VX_OK || kind == VX_PAYLOAD_SPECIAL) {
		/* a block for the user's agent (or a broken one): attached as it came */
		vx_mime_attachment att = {"vortex-block.bin", "application/octet-stream", raw, len};

		return wrap(node, deliver_to, "MessageVortex: a block for your agent",
		            "A MessageVortex block for your agent arrived; it is attached as it "
		            "came.\r\n",
		            &att, mail);
	}
	if (is_message(user.data, user.len)) {
		st = strip_bugging(user.data, user.len, mail);
	} else if (is_text(user.data, user.len)) {
		char *body = strndup(user.len ? (const char *)user.data : "", user.len);

		st = body ? wrap(node, deliver_to, "MessageVortex message", body, NULL, mail)
		          : VX_ENOMEM;
		free(body);
	} else {
		vx_mime_attachment att = {"message.bin", "application/octet-stream", user.data,
		                          user.len};

		st = wrap(node, deliver_to, "MessageVortex message",
		          "A MessageVortex message arrived; its content is not text and is "
		          "attached.\r\n",
		          &att, mail);
	}
	vx_bytes_free(&user);
	return st;
}
