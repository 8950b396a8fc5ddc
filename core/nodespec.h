/*
 * nodespec.h - the SMTP node addresses of section 2.1.2.1.
 *
 *   smtpAlternateSpec = localPart ".." keySpec ".." domain "@localhost"
 *   smtpUrl           = "vortexsmtp://" smtpAlternateSpec
 *
 * keySpec is the standard base64 (RFC 4648 section 4, with padding) of the
 * DER AsymmetricKey holding only the public key. This module formats and
 * parses that form and turns it into a NodeSpec (transportProtocol smtp).
 * See docs/protocol-notes.md "Addresses (NodeSpec)" for the decisions.
 */
#ifndef VX_NODESPEC_H
#define VX_NODESPEC_H

#include "asn1.h"
#include "bytes.h"

#define VX_SMTP_URL_SCHEME "vortexsmtp://"

/*
 * Format email ("local@domain") and the public part of key as an
 * smtpAlternateSpec (NUL-terminated, in out; the private part of key is
 * ignored). VX_EINVAL for an email that is not a plain local@domain.
 */
vx_status vx_nodespec_format(const char *email, const AsymmetricKey *key, vx_bytes *out);
/* The same with the "vortexsmtp://" prefix. */
vx_status vx_nodespec_format_url(const char *email, const AsymmetricKey *key, vx_bytes *out);
/*
 * Parse an smtpAlternateSpec, with or without the "vortexsmtp://" prefix,
 * of len bytes. email (may be NULL) receives "local@domain" NUL-terminated;
 * key (may be NULL) the decoded AsymmetricKey (free with free_AsymmetricKey).
 * VX_EINVAL for a malformed address, VX_EDECODE/VX_ERANGE for bad key DER.
 */
vx_status vx_nodespec_parse(const char *addr, size_t len, vx_bytes *email, AsymmetricKey *key);
/*
 * Parse into a NodeSpec: transportProtocol smtp, recipientAddress the
 * plain email, recipientKey the key. Free with free_NodeSpec.
 */
vx_status vx_nodespec_parse_node(const char *addr, size_t len, NodeSpec *out);

#endif
