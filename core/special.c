/* special.c - special blocks and the '\special' escape (section 7.3). */
#include <string.h>

#include "der.h"
#include "special.h"

static int has_magic(const uint8_t *in, size_t len)
{
	return len >= VX_SPECIAL_MAGIC_LEN && !memcmp(in, VX_SPECIAL_MAGIC, VX_SPECIAL_MAGIC_LEN);
}

/* The escaped form starts with "\\special": one extra backslash. */
static int has_escaped_magic(const uint8_t *in, size_t len)
{
	return len > VX_SPECIAL_MAGIC_LEN && in[0] == '\\' && has_magic(in + 1, len - 1);
}

vx_status vx_special_escape(const uint8_t *in, size_t len, vx_bytes *out)
{
	size_t extra = 0, j = 0;
	vx_status st;

	if (!has_magic(in, len))
		return vx_bytes_set(out, in, len);
	for (size_t i = 0; i < len; i++)
		extra += in[i] == '\\';
	if (len > SIZE_MAX - extra)
		return VX_ELIMIT;
	if ((st = vx_bytes_alloc(out, len + extra)) != VX_OK)
		return st;
	for (size_t i = 0; i < len; i++) {
		out->data[j++] = in[i];
		if (in[i] == '\\')
			out->data[j++] = '\\';
	}
	return VX_OK;
}

static vx_status unescape(const uint8_t *in, size_t len, vx_bytes *out)
{
	size_t j = 0;
	vx_status st;

	if ((st = vx_bytes_alloc(out, len)) != VX_OK)
		return st;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\\') {
			/* escaped content only ever holds doubled backslashes */
			if (i + 1 >= len || in[i + 1] != '\\') {
				vx_bytes_free(out);
				return VX_EDECODE;
			}
			i++;
		}
		out->data[j++] = in[i];
	}
	out->len = j;
	return VX_OK;
}

vx_status vx_special_classify(const uint8_t *in, size_t len, vx_payload_kind *kind, vx_bytes *out,
                              SpecialBlock *sb)
{
	if (has_magic(in, len)) {
		*kind = VX_PAYLOAD_SPECIAL;
		return vx_der_decode(VX_DER_SpecialBlock, in + VX_SPECIAL_MAGIC_LEN,
		                     len - VX_SPECIAL_MAGIC_LEN, sb);
	}
	*kind = VX_PAYLOAD_USER;
	if (has_escaped_magic(in, len))
		return unescape(in, len, out);
	return vx_bytes_set(out, in, len);
}

vx_status vx_special_encode(const SpecialBlock *sb, vx_bytes *out)
{
	vx_bytes der = {0};
	vx_status st;

	if ((st = vx_der_encode(VX_DER_SpecialBlock, sb, &der)) != VX_OK)
		return st;
	if ((st = vx_bytes_alloc(out, VX_SPECIAL_MAGIC_LEN + der.len)) == VX_OK) {
		memcpy(out->data, VX_SPECIAL_MAGIC, VX_SPECIAL_MAGIC_LEN);
		memcpy(out->data + VX_SPECIAL_MAGIC_LEN, der.data, der.len);
	}
	vx_bytes_free(&der);
	return st;
}
