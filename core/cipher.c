/*
 * cipher.c - symmetric encryption with a SymmetricKey (spec 2.6.2, 5.1,
 * 5.4, 5.5). OpenSSL EVP for AES (all modes but EAX) and Camellia
 * (ECB/CBC/CTR/OFB), libgcrypt for the rest. Padding is done here, the
 * same way for every backend; the backends only ever see whole blocks.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cipher.h"

#define BLOCK   16
#define TAG_LEN 16

/* A SymmetricKey parsed and checked. */
struct sym {
	const char *ossl; /* OpenSSL name prefix, NULL if none */
	int gcry;         /* libgcrypt algorithm */
	size_t keylen;
	CipherMode mode;
	int pad; /* PKCS#7 */
	const uint8_t *key;
	const uint8_t *iv; /* IV or nonce, NULL for ECB/NONE */
	size_t ivlen;
	size_t taglen; /* 0 for non-AEAD modes */
};

static pthread_once_t gcry_once = PTHREAD_ONCE_INIT;
static int gcry_ready;

/* libgcrypt must be initialised once per process before any other call. */
static void gcry_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_ready = 1;
		return;
	}
	if (!gcry_check_version(GCRYPT_VERSION))
		return;
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	gcry_ready = 1;
}

static int is_aead(CipherMode m)
{
	return m == gcm || m == ccm || m == ocb || m == eax;
}

/* Algorithm table: key length and the names each backend uses. */
static vx_status sym_alg(SymmetricAlgorithm alg, struct sym *s)
{
	switch (alg) {
	case aes128:
		*s = (struct sym){.ossl = "AES", .gcry = GCRY_CIPHER_AES128, .keylen = 16};
		break;
	case aes192:
		*s = (struct sym){.ossl = "AES", .gcry = GCRY_CIPHER_AES192, .keylen = 24};
		break;
	case aes256:
		*s = (struct sym){.ossl = "AES", .gcry = GCRY_CIPHER_AES256, .keylen = 32};
		break;
	case camellia128:
		*s =
		    (struct sym){.ossl = "CAMELLIA", .gcry = GCRY_CIPHER_CAMELLIA128, .keylen = 16};
		break;
	case camellia192:
		*s =
		    (struct sym){.ossl = "CAMELLIA", .gcry = GCRY_CIPHER_CAMELLIA192, .keylen = 24};
		break;
	case camellia256:
		*s =
		    (struct sym){.ossl = "CAMELLIA", .gcry = GCRY_CIPHER_CAMELLIA256, .keylen = 32};
		break;
	case twofish128:
		*s = (struct sym){.gcry = GCRY_CIPHER_TWOFISH128, .keylen = 16};
		break;
	case twofish256:
		*s = (struct sym){.gcry = GCRY_CIPHER_TWOFISH, .keylen = 32};
		break;
	default: /* twofish192 is not in libgcrypt (spec MAY) */
		return VX_ESYMUNKNOWN;
	}
	return VX_OK;
}

/* Nonce length the public API requires; the test hook relaxes it. */
static size_t mode_ivlen(CipherMode m)
{
	switch (m) {
	case cbc:
	case ctr:
	case ofb:
	case eax:
		return 16;
	case gcm:
	case ccm:
	case ocb:
		return 12;
	default:
		return 0;
	}
}

static int ivlen_ok(CipherMode m, size_t len, int any)
{
	if (!any || m == cbc || m == ctr || m == ofb)
		return len == mode_ivlen(m);
	switch (m) {
	case ccm:
		return len >= 7 && len <= 13;
	case ocb:
		return len >= 1 && len <= 15;
	default: /* gcm, eax */
		return len >= 1 && len <= 64;
	}
}

/* The modes we run; ECB and NONE only when the flags ask for them (5.5). */
static vx_status mode_allowed(CipherMode mode, unsigned flags)
{
	switch (mode) {
	case ecb:
		return flags & VX_SYM_ALLOW_ECB ? VX_OK : VX_EBADPARAM;
	case modeNone:
		return flags & VX_SYM_ALLOW_NONE ? VX_OK : VX_EBADPARAM;
	case cbc:
	case ctr:
	case ofb:
	case gcm:
	case ccm:
	case ocb:
	case eax:
		return VX_OK;
	default:
		return VX_ESYMUNKNOWN;
	}
}

static vx_status sym_parse(const SymmetricKey *key, unsigned flags, const struct vx_sym_opts *o,
                           struct sym *s)
{
	const AlgorithmParameters *p;
	const heim_octet_string *iv;
	vx_status st;

	if (!key)
		return VX_EINVAL;
	p = &key->parameter;
	if ((st = sym_alg(key->keyType, s)) != VX_OK)
		return st;
	if (!p->mode || !p->padding)
		return VX_EMISSINGPARAM;
	s->mode = *p->mode;
	if ((st = mode_allowed(s->mode, flags)) != VX_OK)
		return st;
	switch (*p->padding) {
	case paddingNone:
		s->pad = 0;
		break;
	case pkcs1: /* on a symmetric key pkcs1 can only mean PKCS#7 */
	case pkcs7:
		s->pad = 1;
		break;
	default:
		return VX_EBADPARAM;
	}
	if (s->mode == modeNone) /* identity: key and IV are not used */
		return VX_OK;
	if (key->key.length != s->keylen)
		return VX_EBADPARAM;
	if (p->keySize && (size_t)*p->keySize != 8 * s->keylen)
		return VX_EBADPARAM;
	s->key = key->key.data;
	if (s->mode == ecb)
		return VX_OK;
	iv = p->initialisationVector;
	if (is_aead(s->mode)) {
		if (p->nonce)
			iv = p->nonce;
		s->taglen = o && o->taglen ? o->taglen : TAG_LEN;
		if (s->taglen < 4 || s->taglen > 16)
			return VX_EBADPARAM;
	}
	if (!iv)
		return VX_EMISSINGPARAM;
	if (!ivlen_ok(s->mode, iv->length, o && o->any_nonce_len))
		return VX_EBADPARAM;
	s->iv = iv->data;
	s->ivlen = iv->length;
	return VX_OK;
}

static int use_openssl(const struct sym *s, int backend)
{
	if (backend == VX_SYM_BACKEND_GCRYPT || !s->ossl || s->mode == eax)
		return 0;
	if (strcmp(s->ossl, "AES") == 0)
		return 1;
	return s->mode == ecb || s->mode == cbc || s->mode == ctr || s->mode == ofb;
}

static const char *mode_name(CipherMode m)
{
	switch (m) {
	case ecb:
		return "ECB";
	case cbc:
		return "CBC";
	case ctr:
		return "CTR";
	case ofb:
		return "OFB";
	case gcm:
		return "GCM";
	case ccm:
		return "CCM";
	case ocb:
		return "OCB";
	default:
		return "EAX";
	}
}

/*
 * Encrypt or decrypt buf[0..len) in place with OpenSSL. tag is written on
 * encryption and checked on decryption (AEAD modes only).
 */
static vx_status run_openssl(const struct sym *s, int enc, const uint8_t *aad, size_t aadlen,
                             uint8_t *buf, size_t len, uint8_t *tag)
{
	char name[32];
	EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	vx_status st = VX_ECRYPTO;
	uint8_t dummy[1];
	int outl, aead = is_aead(s->mode);
	size_t done;

	if (len > INT_MAX || aadlen > INT_MAX)
		return VX_ELIMIT;
	snprintf(name, sizeof(name), "%s-%zu-%s", s->ossl, 8 * s->keylen, mode_name(s->mode));
	if (!(c = EVP_CIPHER_fetch(NULL, name, NULL)))
		return VX_ECRYPTO;
	if (!(ctx = EVP_CIPHER_CTX_new()))
		goto out_c;
	if (!buf)
		buf = dummy;
	if (!EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL))
		goto out;
	if (aead) {
		if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)s->ivlen, NULL))
			goto out;
		/*
		 * CCM and OCB fix the tag length (and, decrypting, the tag) up front;
		 * OCB takes a tag only of the length already set.
		 */
		if ((s->mode == ccm || s->mode == ocb) &&
		    (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->taglen, NULL) ||
		     (!enc &&
		      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->taglen, tag))))
			goto out;
	}
	if (!EVP_CipherInit_ex2(ctx, NULL, s->key, s->iv, enc, NULL))
		goto out;
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	if (s->mode == ccm && !EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len))
		goto out;
	if (aadlen && !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aadlen))
		goto out;
	if (s->mode == gcm && !enc &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->taglen, tag))
		goto out;
	/* OCB holds back a partial block until Final. */
	outl = 0;
	if ((len || s->mode == ccm) && !EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len)) {
		st = aead && !enc ? VX_EAUTH : VX_ECRYPTO;
		goto out;
	}
	done = (size_t)outl;
	if (s->mode != ccm) {
		if (done > len || EVP_CipherFinal_ex(ctx, buf + done, &outl) <= 0) {
			st = aead && !enc ? VX_EAUTH : VX_ECRYPTO;
			goto out;
		}
		done += (size_t)outl;
	}
	if (done != len)
		goto out;
	if (aead && enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)s->taglen, tag))
		goto out;
	st = VX_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
out_c:
	EVP_CIPHER_free(c);
	return st;
}

static int gcry_mode(CipherMode m)
{
	switch (m) {
	case ecb:
		return GCRY_CIPHER_MODE_ECB;
	case cbc:
		return GCRY_CIPHER_MODE_CBC;
	case ctr:
		return GCRY_CIPHER_MODE_CTR;
	case ofb:
		return GCRY_CIPHER_MODE_OFB;
	case gcm:
		return GCRY_CIPHER_MODE_GCM;
	case ccm:
		return GCRY_CIPHER_MODE_CCM;
	case ocb:
		return GCRY_CIPHER_MODE_OCB;
	default:
		return GCRY_CIPHER_MODE_EAX;
	}
}

/* As run_openssl, with libgcrypt. */
static vx_status run_gcrypt(const struct sym *s, int enc, const uint8_t *aad, size_t aadlen,
                            uint8_t *buf, size_t len, uint8_t *tag)
{
	gcry_cipher_hd_t h;
	gcry_error_t err;
	uint8_t dummy[1];
	vx_status st = VX_ECRYPTO;

	pthread_once(&gcry_once, gcry_init);
	if (!gcry_ready)
		return VX_ECRYPTO;
	if (gcry_cipher_open(&h, s->gcry, gcry_mode(s->mode), 0))
		return VX_ECRYPTO;
	if (!buf)
		buf = dummy;
	if (gcry_cipher_setkey(h, s->key, s->keylen))
		goto out;
	if (s->mode == ocb) {
		int tl = (int)s->taglen;

		if (gcry_cipher_ctl(h, GCRYCTL_SET_TAGLEN, &tl, sizeof(tl)))
			goto out;
	}
	if (s->mode == ctr)
		err = gcry_cipher_setctr(h, s->iv, s->ivlen);
	else if (s->iv)
		err = gcry_cipher_setiv(h, s->iv, s->ivlen);
	else
		err = 0;
	if (err)
		goto out;
	if (s->mode == ccm) {
		uint64_t lens[3] = {len, aadlen, s->taglen};

		if (gcry_cipher_ctl(h, GCRYCTL_SET_CCM_LENGTHS, lens, sizeof(lens)))
			goto out;
	}
	if (is_aead(s->mode) && gcry_cipher_authenticate(h, aadlen ? aad : dummy, aadlen))
		goto out;
	if (s->mode == ocb)
		gcry_cipher_final(h);
	err = enc ? gcry_cipher_encrypt(h, buf, len, NULL, 0)
	          : gcry_cipher_decrypt(h, buf, len, NULL, 0);
	if (err)
		goto out;
	if (is_aead(s->mode)) {
		err = enc ? gcry_cipher_gettag(h, tag, s->taglen)
		          : gcry_cipher_checktag(h, tag, s->taglen);
		if (err) {
			st = gcry_err_code(err) == GPG_ERR_CHECKSUM ? VX_EAUTH : VX_ECRYPTO;
			goto out;
		}
	}
	st = VX_OK;
out:
	gcry_cipher_close(h);
	return st;
}

static vx_status run(const struct sym *s, const struct vx_sym_opts *o, int enc, uint8_t *buf,
                     size_t len, uint8_t *tag)
{
	int backend = o ? o->backend : VX_SYM_BACKEND_AUTO;
	const uint8_t *aad = o ? o->aad : NULL;
	size_t aadlen = o ? o->aadlen : 0;

	/* CCM with an n-byte nonce counts the message length in 15-n bytes. */
	if (s->mode == ccm && s->ivlen > 7 && (uint64_t)len >> (8 * (15 - s->ivlen)))
		return VX_EBADPARAM;
	if (use_openssl(s, backend))
		return run_openssl(s, enc, aad, aadlen, buf, len, tag);
	if (backend == VX_SYM_BACKEND_OPENSSL)
		return VX_EUNSUPPORTED;
	return run_gcrypt(s, enc, aad, aadlen, buf, len, tag);
}

static vx_status padded_len(const struct sym *s, size_t inlen, size_t *outlen)
{
	size_t n = inlen;

	if (s->mode == modeNone) {
		*outlen = inlen;
		return VX_OK;
	}
	if (s->pad)
		n = inlen - inlen % BLOCK + BLOCK;
	else if ((s->mode == ecb || s->mode == cbc) && inlen % BLOCK)
		return VX_EBADPARAM;
	if (n < inlen || n + s->taglen < n)
		return VX_ELIMIT;
	*outlen = n + s->taglen;
	return VX_OK;
}

/* What both directions check first: the arguments, then the key. */
static vx_status sym_begin(const SymmetricKey *key, const uint8_t *in, size_t inlen, unsigned flags,
                           const struct vx_sym_opts *o, struct sym *s, vx_bytes *out)
{
	if (!out)
		return VX_EINVAL;
	*out = (vx_bytes){0};
	if (!in && inlen)
		return VX_EINVAL;
	return sym_parse(key, flags, o, s);
}

vx_status vx_sym_encrypt_ex(const SymmetricKey *key, const uint8_t *in, size_t inlen,
                            unsigned flags, const struct vx_sym_opts *o, vx_bytes *out)
{
	struct sym s;
	vx_bytes r = {0};
	size_t total, ptlen;
	vx_status st;

	if ((st = sym_begin(key, in, inlen, flags, o, &s, out)) != VX_OK)
		return st;
	if ((st = padded_len(&s, inlen, &total)) != VX_OK)
		return st;
	if ((st = vx_bytes_alloc(&r, total)) != VX_OK)
		return st;
	ptlen = total - s.taglen;
	if (inlen)
		memcpy(r.data, in, inlen);
	if (ptlen > inlen)
		memset(r.data + inlen, (int)(ptlen - inlen), ptlen - inlen);
	if (s.mode != modeNone) {
		st = run(&s, o, 1, r.data, ptlen, r.data ? r.data + ptlen : NULL);
		if (st != VX_OK) {
			vx_bytes_free(&r);
			return st;
		}
	}
	*out = r;
	return VX_OK;
}

/* Length of the PKCS#7 padding at the end of buf, 0 if malformed; reads only the last block. */
static size_t unpad_len(const uint8_t *buf, size_t len)
{
	size_t n = buf[len - 1], i;
	unsigned bad = (n == 0) | (n > BLOCK);

	for (i = 1; i <= BLOCK; i++) {
		unsigned in_pad = i <= n;

		bad |= in_pad & (buf[len - i] != n);
	}
	return bad ? 0 : n;
}

vx_status vx_sym_decrypt_ex(const SymmetricKey *key, const uint8_t *in, size_t inlen,
                            unsigned flags, const struct vx_sym_opts *o, vx_bytes *out)
{
	struct sym s;
	vx_bytes r = {0};
	size_t ctlen, n;
	uint8_t tag[TAG_LEN];
	vx_status st;

	if ((st = sym_begin(key, in, inlen, flags, o, &s, out)) != VX_OK)
		return st;
	if (s.mode == modeNone)
		return vx_bytes_set(out, in, inlen);
	if (inlen < s.taglen)
		return VX_EAUTH;
	ctlen = inlen - s.taglen;
	if ((s.mode == ecb || s.mode == cbc) && ctlen % BLOCK)
		return s.pad ? VX_EAUTH : VX_EBADPARAM;
	if (s.pad && (ctlen < BLOCK || ctlen % BLOCK)) /* PKCS#7 output is whole blocks */
		return VX_EAUTH;
	if ((st = vx_bytes_set(&r, in, ctlen)) != VX_OK)
		return st;
	if (s.taglen)
		memcpy(tag, in + ctlen, s.taglen);
	st = run(&s, o, 0, r.data, ctlen, tag);
	if (st == VX_OK && s.pad) {
		n = unpad_len(r.data, r.len);
		if (!n) {
			st = VX_EAUTH;
		} else {
			OPENSSL_cleanse(r.data + r.len - n, n);
			r.len -= n;
			if (!r.len)
				vx_bytes_free(&r);
		}
	}
	if (st != VX_OK) {
		vx_bytes_free(&r);
		return st;
	}
	*out = r;
	return VX_OK;
}

vx_status vx_sym_encrypt(const SymmetricKey *key, const uint8_t *in, size_t inlen, unsigned flags,
                         vx_bytes *out)
{
	return vx_sym_encrypt_ex(key, in, inlen, flags, NULL, out);
}

vx_status vx_sym_decrypt(const SymmetricKey *key, const uint8_t *in, size_t inlen, unsigned flags,
                         vx_bytes *out)
{
	return vx_sym_decrypt_ex(key, in, inlen, flags, NULL, out);
}

vx_status vx_sym_check(const SymmetricKey *key, unsigned flags)
{
	struct sym s;

	return sym_parse(key, flags, NULL, &s);
}

size_t vx_sym_block_size(const SymmetricKey *key)
{
	struct sym s;

	if (!key || sym_alg(key->keyType, &s) != VX_OK)
		return 0;
	return key->parameter.mode && *key->parameter.mode == modeNone ? 1 : BLOCK;
}

vx_status vx_sym_ciphertext_len(const SymmetricKey *key, size_t inlen, size_t *outlen)
{
	struct sym s;
	vx_status st;

	if (!outlen)
		return VX_EINVAL;
	st = sym_parse(key, VX_SYM_ALLOW_NONE | VX_SYM_ALLOW_ECB, NULL, &s);
	return st != VX_OK ? st : padded_len(&s, inlen, outlen);
}

void vx_sym_free(SymmetricKey *key)
{
	if (!key)
		return;
	if (key->key.data)
		OPENSSL_cleanse(key->key.data, key->key.length);
	free_SymmetricKey(key);
	memset(key, 0, sizeof(*key));
}

static vx_status rand_octets(heim_octet_string *o, size_t len)
{
	if (!(o->data = malloc(len)))
		return VX_ENOMEM;
	o->length = len;
	return RAND_bytes(o->data, (int)len) == 1 ? VX_OK : VX_ECRYPTO;
}

vx_status vx_sym_generate(SymmetricAlgorithm alg, CipherMode mode, CipherPadding padding,
                          SymmetricKey *key)
{
	AlgorithmParameters *p;
	struct sym s;
	vx_status st;

	if (!key)
		return VX_EINVAL;
	memset(key, 0, sizeof(*key));
	p = &key->parameter;
	key->keyType = alg;
	if (!(p->mode = malloc(sizeof(*p->mode))) || !(p->padding = malloc(sizeof(*p->padding))) ||
	    !(p->keySize = malloc(sizeof(*p->keySize)))) {
		st = VX_ENOMEM;
		goto fail;
	}
	*p->mode = mode;
	*p->padding = padding;
	*p->keySize = 0;
	/* Validates alg, mode and padding before any randomness is spent. */
	st = sym_alg(alg, &s);
	if (st != VX_OK)
		goto fail;
	*p->keySize = (int)(8 * s.keylen);
	if ((st = rand_octets(&key->key, s.keylen)) != VX_OK)
		goto fail;
	if (mode_ivlen(mode)) {
		heim_octet_string **iv = is_aead(mode) ? &p->nonce : &p->initialisationVector;

		if (!(*iv = calloc(1, sizeof(**iv)))) {
			st = VX_ENOMEM;
			goto fail;
		}
		if ((st = rand_octets(*iv, mode_ivlen(mode))) != VX_OK)
			goto fail;
	}
	if ((st = vx_sym_check(key, VX_SYM_ALLOW_NONE | VX_SYM_ALLOW_ECB)) != VX_OK)
		goto fail;
	return VX_OK;
fail:
	vx_sym_free(key);
	return st;
}

int vx_sym_supported(SymmetricAlgorithm alg, CipherMode mode)
{
	struct sym s;

	/* ECB and NONE exist only on request (flags), so they are not offered */
	return sym_alg(alg, &s) == VX_OK && mode_allowed(mode, 0) == VX_OK;
}
