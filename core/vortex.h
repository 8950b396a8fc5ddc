/*
 * vortex.h - the status codes of the vortex core library.
 *
 * Every function of the library returns a vx_status; none logs, exits or
 * keeps global state. Front ends turn a status into an action in one place.
 * The codes that the protocol itself names (section 7.3.1 StatusCode) map
 * onto it with vx_status_code().
 */
#ifndef VX_VORTEX_H
#define VX_VORTEX_H

typedef enum vx_status {
	VX_OK = 0,
	VX_ENOMEM,        /* allocation failed */
	VX_EINVAL,        /* caller passed an invalid argument */
	VX_EDECODE,       /* input is not valid DER for the expected type */
	VX_ETRAILING,     /* valid DER followed by trailing bytes */
	VX_ERANGE,        /* a value violates a constraint of the schema */
	VX_ELIMIT,        /* a configured or protocol limit was exceeded */
	VX_ECRYPTO,       /* the crypto library failed unexpectedly */
	VX_EAUTH,         /* authentication tag, padding or key check failed */
	VX_ESIGNATURE,    /* signature does not verify */
	VX_EMACUNKNOWN,   /* macAlgorithmUnknown (3801) */
	VX_ESYMUNKNOWN,   /* symmetricAlgorithmUnknown (3802) */
	VX_EASYMUNKNOWN,  /* asymmetricAlgorithmUnknown (3803) */
	VX_EPRNGUNKNOWN,  /* prngAlgorithmUnknown (3804) */
	VX_EMISSINGPARAM, /* missingParameters (3820) */
	VX_EBADPARAM,     /* badParameters (3821) */
	VX_ENOTFOUND,     /* no such slot, key or embedded message */
	VX_EFWDSECRET,    /* forward secrets differ: discard silently (4.3) */
	VX_EEXPIRED,      /* outside the validity period */
	VX_EMIME,         /* the mail could not be parsed as MIME */
	VX_EIO,           /* a file or system call failed (errno is kept) */
	VX_EUNSUPPORTED,  /* valid but not implemented by this node */
	VX_ECERT,         /* a peer's TLS certificate was refused */
	VX_ELOGIN,        /* a server refused our credentials */
	VX_STATUS_MAX
} vx_status;

/* A short English description, never NULL. */
const char *vx_strerror(vx_status st);

/*
 * The protocol StatusCode (section 7.3.1) to report for a status, for
 * error blocks sent back over a reply block; hostError (5001) where the
 * protocol has no specific code.
 */
int vx_status_code(vx_status st);

#endif
