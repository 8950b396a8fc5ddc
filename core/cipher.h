/*
 * cipher.h - symmetric encryption with the schema's SymmetricKey.
 *
 * Owns the whole symmetric matrix of the spec (sections 5.1, 5.4, 5.5 and
 * spec README point 5): AES-128/192/256, Camellia-128/192/256 and, where
 * libgcrypt has them, Twofish; modes ECB, CBC, CTR, OFB, GCM, CCM, OCB,
 * EAX and NONE; paddings PKCS#7 and none. OpenSSL EVP where it has the
 * combination, libgcrypt where it does not.
 *
 * A SymmetricKey carries everything needed: keyType, the key octets and
 * parameter.mode / parameter.padding / parameter.initialisationVector /
 * parameter.nonce. For authenticated modes the 16-byte tag is appended to
 * the ciphertext. See docs/protocol-notes.md, "Symmetric ciphers".
 */
#ifndef VX_CIPHER_H
#define VX_CIPHER_H

#include "asn1.h"
#include "bytes.h"

/* Flags for vx_sym_encrypt/decrypt. */
enum {
	VX_SYM_ALLOW_NONE = 1 << 0, /* accept mode NONE (identity), 7.4.4 only */
	VX_SYM_ALLOW_ECB = 1 << 1,  /* accept ECB (spec: SHOULD NOT use) */
};

/* Encrypt in[0..inlen) under key into out (overwritten, not freed; empty on error). */
vx_status vx_sym_encrypt(const SymmetricKey *key, const uint8_t *in, size_t inlen, unsigned flags,
                         vx_bytes *out);
/* Decrypt and authenticate; VX_EAUTH on a wrong key, tag or padding. */
vx_status vx_sym_decrypt(const SymmetricKey *key, const uint8_t *in, size_t inlen, unsigned flags,
                         vx_bytes *out);

/*
 * Fill key with a fresh random key of algorithm alg in the given mode and
 * padding, with a random IV or nonce as the mode needs. free_SymmetricKey
 * releases it.
 */
vx_status vx_sym_generate(SymmetricAlgorithm alg, CipherMode mode, CipherPadding padding,
                          SymmetricKey *key);

/* Wipe the key octets, then free_SymmetricKey (which does not wipe). */
void vx_sym_free(SymmetricKey *key);

/* Check that key is complete and supported, without using it. */
vx_status vx_sym_check(const SymmetricKey *key, unsigned flags);

/* Block size in bytes of the key's cipher (16 for AES/Camellia/Twofish; 1 for NONE). */
size_t vx_sym_block_size(const SymmetricKey *key);

/* Ciphertext length for a plaintext of inlen bytes under key. */
vx_status vx_sym_ciphertext_len(const SymmetricKey *key, size_t inlen, size_t *outlen);

/* Backends for vx_sym_opts.backend. */
enum {
	VX_SYM_BACKEND_AUTO = 0, /* OpenSSL where it has the combination, else libgcrypt */
	VX_SYM_BACKEND_OPENSSL,  /* VX_EUNSUPPORTED where OpenSSL lacks it */
	VX_SYM_BACKEND_GCRYPT,
};

/*
 * Extra knobs, mainly for known-answer tests: associated data, a tag
 * length other than 16 (4..16), any nonce length the mode allows (CCM
 * 7..13, OCB 1..15, GCM/EAX 1..64) and a forced backend. NULL means none.
 */
struct vx_sym_opts {
	const uint8_t *aad;
	size_t aadlen;
	size_t taglen;
	int any_nonce_len;
	int backend;
};

vx_status vx_sym_encrypt_ex(const SymmetricKey *key, const uint8_t *in, size_t inlen,
                            unsigned flags, const struct vx_sym_opts *opts, vx_bytes *out);
vx_status vx_sym_decrypt_ex(const SymmetricKey *key, const uint8_t *in, size_t inlen,
                            unsigned flags, const struct vx_sym_opts *opts, vx_bytes *out);

/*
 * Nonzero when alg in mode works without flags, which is what a node
 * advertises in its capabilities (7.2.6): never ECB or NONE.
 */
int vx_sym_supported(SymmetricAlgorithm alg, CipherMode mode);

#endif
