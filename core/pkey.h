/*
 * pkey.h - asymmetric keys: host identity keys, prefix encryption and
 * identity signatures (sections 2.3, 2.6.1, 5.2).
 *
 * RSA (>= 2048 bits) and EC on secp384r1, sect409k1 and secp521r1, held in
 * an opaque vx_pkey. The schema's AsymmetricKey carries the public key as
 * X.509 SubjectPublicKeyInfo DER and the private key as PKCS#8 DER.
 * Encryption: RSA with PKCS#1 v1.5 (the spec's default) or OAEP; EC keys
 * use ECIES as in SEC 1 (see docs/protocol-notes.md). Signatures: RSA
 * PKCS#1 v1.5 or ECDSA over the hash named by a MacAlgorithm.
 */
#ifndef VX_PKEY_H
#define VX_PKEY_H

#include "asn1.h"
#include "bytes.h"

typedef struct vx_pkey vx_pkey;

typedef enum vx_rsa_padding {
	VX_RSA_PKCS1 = 0, /* PKCS#1 v1.5, the spec's default */
	VX_RSA_OAEP       /* OAEP with SHA-256 and MGF1-SHA-256 */
} vx_rsa_padding;

/*
 * Generate a key. alg rsa: param is the modulus size in bits (>= 2048).
 * alg ec: param is an ECCurveType value.
 */
vx_status vx_pkey_generate(AsymmetricAlgorithm alg, unsigned param, vx_pkey **out);
/* Import from an AsymmetricKey (private part used when present). */
vx_status vx_pkey_from_asn1(const AsymmetricKey *ak, vx_pkey **out);
/* Export; with_private adds the PKCS#8 private key. free_AsymmetricKey releases it. */
vx_status vx_pkey_to_asn1(const vx_pkey *k, int with_private, AsymmetricKey *ak);
/* DER of the AsymmetricKey (public only unless with_private). */
vx_status vx_pkey_to_der(const vx_pkey *k, int with_private, vx_bytes *der);
/* Import from the DER of an AsymmetricKey. */
vx_status vx_pkey_from_der(const uint8_t *der, size_t len, vx_pkey **out);
void vx_pkey_free(vx_pkey *k);

int vx_pkey_has_private(const vx_pkey *k);
AsymmetricAlgorithm vx_pkey_algorithm(const vx_pkey *k);
/* Key size in bits (modulus or field size). */
unsigned vx_pkey_bits(const vx_pkey *k);
/* SHA-256 of the public key DER (SubjectPublicKeyInfo): a stable key id. */
vx_status vx_pkey_fingerprint(const vx_pkey *k, uint8_t fp[32]);
/* Nonzero if a and b hold the same public key. */
int vx_pkey_equal(const vx_pkey *a, const vx_pkey *b);

/* Encrypt to the public key (RSA padding ignored for EC keys). */
vx_status vx_pkey_encrypt(const vx_pkey *k, vx_rsa_padding pad, const uint8_t *in, size_t inlen,
                          vx_bytes *out);
/* Decrypt with the private key; VX_EAUTH when the input is not for this key. */
vx_status vx_pkey_decrypt(const vx_pkey *k, vx_rsa_padding pad, const uint8_t *in, size_t inlen,
                          vx_bytes *out);
/*
 * Length in bytes of every ciphertext vx_pkey_encrypt produces for a
 * plaintext of inlen bytes (fixed for RSA, inlen + overhead for ECIES).
 */
size_t vx_pkey_ciphertext_len(const vx_pkey *k, size_t inlen);

/* Sign / verify with the hash that mac names (sha256/384/512, ripemd160). */
vx_status vx_pkey_sign(const vx_pkey *k, MacAlgorithm mac, const uint8_t *msg, size_t len,
                       vx_bytes *sig);
vx_status vx_pkey_verify(const vx_pkey *k, MacAlgorithm mac, const uint8_t *msg, size_t len,
                         const uint8_t *sig, size_t siglen);

#endif
