/*
 * mime-fuzz.c - libFuzzer target: the MIME walk, PLAIN extraction at the
 * usual offsets and blending-spec parsing, on arbitrary mail.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blend.h"
#include "mime.h"

static int each_part(const uint8_t *part, size_t len, unsigned index, void *arg)
{
	static const size_t offsets[] = {0, 256, 1024};
	const uint8_t *msg;
	size_t n;

	(void)arg, (void)index;
	for (size_t i = 0; i < 3; i++)
		if (vx_blend_extract(part, len, offsets[i], &msg, &n) == VX_OK &&
		    (msg < part || msg + n > part + len))
			abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned offsets[VX_BLEND_MAX_OFFSETS], nparts;
	size_t n;
	char *spec = malloc(size + 1);

	static const unsigned strip[] = {2, 1};
	vx_bytes out = {0};

	vx_mime_scan(data, size, 1u << 20, each_part, NULL, &nparts);
	/* what replaces a part is short: the mail never grows by more than that */
	if (vx_mime_strip(data, size, strip, 2, "removed", &out) == VX_OK && out.len > size + 256)
		abort();
	vx_bytes_free(&out);
	if (spec) {
		memcpy(spec, data, size);
		spec[size] = '\0';
		vx_blend_parse_plain(spec, offsets, VX_BLEND_MAX_OFFSETS, &n);
		free(spec);
	}
	return 0;
}
