/*
 * asn1.h - the generated MessageVortex ASN.1 types (Heimdal asn1_compile).
 *
 * Include this instead of the generated header: it pulls in what the
 * generated code expects before it. Types are named as in the schema
 * (asn1/MessageVortex.asn); the API is decode_T/encode_T/free_T/copy_T.
 * core/der.h adds the checks Heimdal cannot express.
 */
#ifndef VX_ASN1_H
#define VX_ASN1_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <krb5-types.h>

#include "MessageVortex_asn1.h"

#endif
