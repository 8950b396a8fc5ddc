/*
 * transport.h - handing finished mail back to the MTA: `sendmail -i -f
 * FROM -- RCPT` with the mail on standard input (exit status 0: the MTA
 * took it), or SMTP to a configured host and port (250 after the data),
 * e.g. Postfix's milter-free re-injection smtpd of FILTER_README, or a
 * remote node's submission server (TLS and AUTH). All are bounded by
 * transport_timeout. Owns no retry: daemon/outbound.c does.
 */
#ifndef VXD_TRANSPORT_H
#define VXD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/*
 * Send mail (RFC 5322, CRLF or LF line ends) from the envelope sender
 * from to rcpt. 0 when the MTA confirmed it; -1 otherwise, with why in
 * err (a reply line or an exit status, never mail content).
 */
int vxd_transport_send(const vxd_conf *c, const char *from, const char *rcpt, const uint8_t *mail,
                       size_t len, char *err, size_t errlen);

/*
 * The same through account a's submission server (a->smtp_host): TLS
 * from the first byte or STARTTLS as a->smtp_tls says (never the mail or
 * a password in the clear), the certificate verified against a->ca_file
 * or the system store and the name smtp_host, then AUTH PLAIN or LOGIN
 * with smtp_user and the password file when configured.
 */
int vxd_transport_submit(const vxd_conf *c, const vxd_account_conf *a, const char *from,
                         const char *rcpt, const uint8_t *mail, size_t len, char *err,
                         size_t errlen);

#endif
