/* nodespec.c - smtpAlternateSpec and vortexsmtp:// addresses (section 2.1.2.1). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "der.h"
#include "nodespec.h"

#define LOCALHOST "@localhost"
/* far above the base64 of any supported key (RSA 16384: about 3 KiB) */
#define MAX_ADDR 16384

static int is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* RFC 5322 dot-atom: atext runs separated by single dots. */
static int is_dot_atom(const char *s, size_t n)
{
	if (!n || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' ? s[i + 1] == '.' : !is_atext(s[i]))
			return 0;
	return 1;
}

/* A host name: letters, digits and '-' in non-empty dot-separated labels. */
static int is_domain(const char *s, size_t n)
{
	if (!n || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.' ? s[i + 1] == '.'
		             : !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                 (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int is_b64(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Strict base64: whole quanta, '=' only as the last one or two characters. */
static vx_status b64_decode(const char *s, size_t n, vx_bytes *out)
{
	size_t pad = 0, i;
	vx_bytes tmp = {0};
	uint8_t *check = NULL;
	vx_status st = VX_EINVAL;
	int got;

	if (!n || n % 4)
		return VX_EINVAL;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (!is_b64(s[i]))
			return VX_EINVAL;
	if ((st = vx_bytes_alloc(&tmp, n / 4 * 3)) != VX_OK)
		return st;
	got = EVP_DecodeBlock(tmp.data, (const unsigned char *)s, (int)n);
	/* DecodeBlock counts the zero bytes that padding stands for */
	if (got < 0 || (size_t)got != tmp.len) {
		st = VX_EINVAL;
		goto out;
	}
	tmp.len -= pad;
	/* refuse non-zero bits after the last byte: one key, one spelling */
	if (!(check = malloc(n + 1))) {
		st = VX_ENOMEM;
		goto out;
	}
	st = (size_t)EVP_EncodeBlock(check, tmp.data, (int)tmp.len) == n && !memcmp(check, s, n)
	         ? VX_OK
	         : VX_EINVAL;
out:
	free(check);
	if (st == VX_OK)
		vx_bytes_move(out, &tmp);
	vx_bytes_free(&tmp);
	return st;
}

static vx_status public_der(const AsymmetricKey *key, vx_bytes *der)
{
	AsymmetricKey pub = *key;

	pub.privateKey = NULL;
	return vx_der_encode(VX_DER_AsymmetricKey, &pub, der);
}

static vx_status format(const char *prefix, const char *email, const AsymmetricKey *key,
                        vx_bytes *out)
{
	const char *at = email ? strchr(email, '@') : NULL;
	size_t plen = strlen(prefix), llen, dlen, blen, total;
	vx_bytes der = {0};
	vx_status st;
	char *p;

	out->data = NULL;
	out->len = 0;
	if (!at || !key)
		return VX_EINVAL;
	llen = (size_t)(at - email);
	dlen = strlen(at + 1);
	if (!is_dot_atom(email, llen) || !is_domain(at + 1, dlen))
		return VX_EINVAL;
	if ((st = public_der(key, &der)) != VX_OK)
		return st;
	blen = (der.len + 2) / 3 * 4;
	total = plen + llen + 2 + blen + 2 + dlen + strlen(LOCALHOST);
	if (total > MAX_ADDR) {
		st = VX_ELIMIT;
		goto out;
	}
	if ((st = vx_bytes_alloc(out, total + 1)) != VX_OK)
		goto out;
	p = (char *)out->data;
	memcpy(p, prefix, plen);
	p += plen;
	memcpy(p, email, llen);
	p += llen;
	memcpy(p, "..", 2);
	p += 2;
	p += EVP_EncodeBlock((unsigned char *)p, der.data, (int)der.len);
	memcpy(p, "..", 2);
	p += 2;
	memcpy(p, at + 1, dlen);
	p += dlen;
	memcpy(p, LOCALHOST, sizeof LOCALHOST);
	out->len = total;
out:
	vx_bytes_free(&der);
	return st;
}

vx_status vx_nodespec_format(const char *email, const AsymmetricKey *key, vx_bytes *out)
{
	return format("", email, key, out);
}

vx_status vx_nodespec_format_url(const char *email, const AsymmetricKey *key, vx_bytes *out)
{
	return format(VX_SMTP_URL_SCHEME, email, key, out);
}

static const char *find2dots(const char *s, const char *end)
{
	for (; s + 1 < end; s++)
		if (s[0] == '.' && s[1] == '.')
			return s;
	return NULL;
}

vx_status vx_nodespec_parse(const char *addr, size_t len, vx_bytes *email, AsymmetricKey *key)
{
	const size_t slen = strlen(VX_SMTP_URL_SCHEME), hlen = strlen(LOCALHOST);
	const char *end, *k, *d;
	vx_bytes der = {0};
	AsymmetricKey ak;
	vx_status st;

	if (email) {
		email->data = NULL;
		email->len = 0;
	}
	if (key)
		memset(key, 0, sizeof *key);
	if (!addr || len > MAX_ADDR || memchr(addr, 0, len))
		return VX_EINVAL;
	if (len >= slen && !strncasecmp(addr, VX_SMTP_URL_SCHEME, slen)) {
		addr += slen;
		len -= slen;
	}
	if (len < hlen || strncasecmp(addr + len - hlen, LOCALHOST, hlen))
		return VX_EINVAL;
	end = addr + len - hlen;
	/* a quoted local part would need its own grammar; the spec's form has none */
	if (!(k = find2dots(addr, end)) || !(d = find2dots(k + 2, end)))
		return VX_EINVAL;
	k += 2;
	if (!is_dot_atom(addr, (size_t)(k - 2 - addr)) || !is_domain(d + 2, (size_t)(end - d - 2)))
		return VX_EINVAL;
	if ((st = b64_decode(k, (size_t)(d - k), &der)) != VX_OK)
		return st;
	st = vx_der_decode(VX_DER_AsymmetricKey, der.data, der.len, &ak);
	vx_bytes_free(&der);
	if (st != VX_OK)
		return st;
	if (ak.privateKey) {
		/* an address never carries a private key: refuse, do not spread it */
		free_AsymmetricKey(&ak);
		return VX_EINVAL;
	}
	if (email) {
		size_t llen = (size_t)(k - 2 - addr), dlen = (size_t)(end - d - 2);

		if ((st = vx_bytes_alloc(email, llen + 1 + dlen + 1)) != VX_OK) {
			free_AsymmetricKey(&ak);
			return st;
		}
		memcpy(email->data, addr, llen);
		email->data[llen] = '@';
		memcpy(email->data + llen + 1, d + 2, dlen);
		email->data[llen + 1 + dlen] = 0;
		email->len = llen + 1 + dlen;
	}
	if (key)
		*key = ak;
	else
		free_AsymmetricKey(&ak);
	return VX_OK;
}

vx_status vx_nodespec_parse_node(const char *addr, size_t len, NodeSpec *out)
{
	vx_bytes email = {0};
	vx_status st;

	memset(out, 0, sizeof *out);
	if (!(out->recipientKey = calloc(1, sizeof *out->recipientKey)))
		return VX_ENOMEM;
	if ((st = vx_nodespec_parse(addr, len, &email, out->recipientKey)) != VX_OK) {
		free(out->recipientKey);
		out->recipientKey = NULL;
		return st;
	}
	out->transportProtocol = smtp;
	out->recipientAddress.data = email.data;
	out->recipientAddress.length = email.len;
	return VX_OK;
}
