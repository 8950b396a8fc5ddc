/*
 * mime.h - mail as the transport sees it (sections 2.5, 6.2): composing an
 * ordinary MIME mail around attachments, and walking every MIME part of a
 * received mail with its transfer encoding undone. Parsing is libetpan's
 * (mailmime); this module bounds what a hostile mail can make it do.
 */
#ifndef VX_MIME_H
#define VX_MIME_H

#include <time.h>

#include "bytes.h"

/* Limits of the walk: nesting depth and number of parts. */
#define VX_MIME_MAX_DEPTH 32
#define VX_MIME_MAX_PARTS 1024

typedef struct vx_mime_attachment {
	const char *filename, *mime_type;
	const uint8_t *data;
	size_t len;
} vx_mime_attachment;

typedef struct vx_mime_mail {
	const char *from, *to, *subject, *body; /* body: plain text, UTF-8 */
	time_t date;                            /* 0: now */
	const char *msgid_domain;               /* right-hand side of the Message-ID */
	const vx_mime_attachment *att;
	size_t natt;
} vx_mime_mail;

/* RFC 5322 mail, multipart/mixed, base64 attachments, CRLF line ends. */
vx_status vx_mime_compose(const vx_mime_mail *m, vx_bytes *out);

/*
 * Call fn with the decoded body of every leaf part of mail, in order,
 * including parts of attached messages, and the leaf's index (1-based, in
 * walk order, counting also the leaves skipped); fn returns nonzero to
 * stop. Parts whose decoded size could exceed max_part are skipped. One
 * decoded part is held at a time. VX_EMIME when libetpan cannot parse the
 * mail, VX_ELIMIT beyond the depth or part limits.
 */
vx_status vx_mime_scan(const uint8_t *mail, size_t len, size_t max_part,
                       int (*fn)(const uint8_t *part, size_t partlen, unsigned index, void *arg),
                       void *arg, unsigned *nparts);

/*
 * mail with the leaf parts of these indexes (as vx_mime_scan numbers them)
 * replaced by a short text/plain part saying note, every other byte
 * unchanged. Only parts of a multipart can go: VX_EUNSUPPORTED for a part
 * that is the whole body of its message, VX_ENOTFOUND for an index that
 * is no leaf.
 */
vx_status vx_mime_strip(const uint8_t *mail, size_t len, const unsigned *parts, size_t nparts,
                        const char *note, vx_bytes *out);

#endif
