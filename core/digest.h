/*
 * digest.h - the MAC algorithms of the schema (section 5.3): SHA-256,
 * SHA-384, SHA-512 and RIPEMD-160. RIPEMD-256/320 are in neither OpenSSL
 * nor libgcrypt: VX_EMACUNKNOWN (spec README point 7).
 */
#ifndef VX_DIGEST_H
#define VX_DIGEST_H

#include <openssl/evp.h>

#include "asn1.h"
#include "bytes.h"

#define VX_DIGEST_MAX 64

/* Digest length in bytes, 0 if unsupported. */
size_t vx_digest_len(MacAlgorithm alg);
/* out must hold VX_DIGEST_MAX bytes; *outlen receives the length. */
vx_status vx_digest(MacAlgorithm alg, const uint8_t *in, size_t len, uint8_t *out, size_t *outlen);

/* The OpenSSL digest behind a MAC algorithm, NULL if unsupported (for core/pkey.c). */
const EVP_MD *vx_digest_evp(MacAlgorithm alg);

#endif
