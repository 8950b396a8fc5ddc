/*
 * localmail.h - what a local user receives: a payload that reached ID 0
 * (a VX_QUEUE_LOCAL queue item) made into ordinary readable mail. User
 * content that is an RFC 5322 message passes with the headers that could
 * bug the recipient removed (spec section 11); other content is wrapped
 * in a mail from the node; special blocks are attached so nothing is
 * lost. See docs/protocol-notes.md, "Front ends".
 */
#ifndef VXD_LOCALMAIL_H
#define VXD_LOCALMAIL_H

#include "bytes.h"

/* Build the mail for raw (the item's data) from the node address to deliver_to. */
vx_status vxd_localmail_build(const uint8_t *raw, size_t len, const char *node,
                              const char *deliver_to, vx_bytes *mail);

/* Nonzero for a header field name that could bug the recipient. */
int vxd_localmail_bugging(const char *name, size_t len);

#endif
