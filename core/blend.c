/* blend.c - PLAIN blending: locating messages and parsing offset lists. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blend.h"

vx_status vx_blend_extract(const uint8_t *part, size_t len, size_t offset, const uint8_t **msg,
                           size_t *msglen)
{
	const uint8_t *p;
	size_t avail, head = 2, body;

	if (offset >= len || len - offset < 2)
		return VX_ENOTFOUND;
	p = part + offset;
	avail = len - offset;
	if (p[0] != 0x30)
		return VX_ENOTFOUND;
	if (p[1] < 0x80) {
		body = p[1];
	} else {
		size_t k = p[1] & 0x7f;

		/* DER: 1..4 length bytes, no leading zero, long form only when needed */
		if (k == 0 || k > 4 || avail < 2 + k || p[2] == 0)
			return VX_ENOTFOUND;
		body = 0;
		for (size_t i = 0; i < k; i++)
			body = body << 8 | p[2 + i];
		if (body < 0x80)
			return VX_ENOTFOUND;
		head += k;
	}
	if (body > avail - head)
		return VX_ENOTFOUND;
	*msg = p;
	*msglen = head + body;
	return VX_OK;
}

vx_status vx_blend_parse_plain(const char *spec, unsigned *offsets, size_t max, size_t *n)
{
	const char *s = spec;
	size_t count = 0;
	int paren = 0;

	*n = 0;
	if (!strncasecmp(s, "encoding=", 9))
		s += 9;
	if (*s == '(') {
		paren = 1;
		s++;
	}
	if (strncasecmp(s, "plain:", 6))
		return VX_EDECODE;
	s += 6;
	for (;;) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*s))
			return VX_EDECODE;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || v > UINT32_MAX)
			return VX_EDECODE;
		if (count == max)
			return VX_ELIMIT;
		offsets[count++] = (unsigned)v;
		s = end;
		if (*s != ',')
			break;
		s++;
	}
	if (paren && *s++ != ')')
		return VX_EDECODE;
	if (*s)
		return VX_EDECODE;
	*n = count;
	return VX_OK;
}
