/* digest.c - the MAC algorithms of section 5.3 (OpenSSL EVP). */
#include <openssl/evp.h>

#include "digest.h"

const EVP_MD *vx_digest_evp(MacAlgorithm alg)
{
	switch (alg) {
	case sha256:
		return EVP_sha256();
	case sha384:
		return EVP_sha384();
	case sha512:
		return EVP_sha512();
	case ripemd160:
		return EVP_ripemd160();
	default:
		return NULL; /* ripemd256/320: in neither library (README point 7) */
	}
}

size_t vx_digest_len(MacAlgorithm alg)
{
	const EVP_MD *md = vx_digest_evp(alg);

	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

vx_status vx_digest(MacAlgorithm alg, const uint8_t *in, size_t len, uint8_t *out, size_t *outlen)
{
	const EVP_MD *md = vx_digest_evp(alg);
	unsigned n = 0;

	if (!md)
		return VX_EMACUNKNOWN;
	if (!EVP_Digest(in, len, out, &n, md, NULL))
		return VX_ECRYPTO;
	*outlen = n;
	return VX_OK;
}
