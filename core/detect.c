/* detect.c - finding Vortex messages in mail (section 6.2). */
#include <string.h>

#include "blend.h"
#include "detect.h"
#include "message.h"
#include "mime.h"

struct scan {
	const vx_pkey *const *hosts;
	size_t nhosts;
	const unsigned *offsets;
	size_t noffsets;
	int (*fn)(const vx_found *, void *);
	void *arg;
	vx_detect_stats *stats;
};

/*
 * A message we could open starts with SEQUENCE and then the [10012] tag
 * of an encrypted prefix (BF CE 1C): checking it first keeps random
 * attachment bytes from costing a private-key operation.
 */
static int looks_like_message(const uint8_t *m, size_t len)
{
	size_t i = 1;

	if (len < 8 || m[0] != 0x30)
		return 0;
	i += (m[1] & 0x80) ? 1 + (m[1] & 0x7f) : 1;
	return i + 3 <= len && m[i] == 0xbf && m[i + 1] == 0xce && m[i + 2] == 0x1c;
}

static int on_part(const uint8_t *part, size_t len, unsigned partno, void *arg)
{
	struct scan *s = arg;

	s->stats->parts++;

	for (size_t o = 0; o < s->noffsets; o++) {
		const uint8_t *msg;
		size_t mlen;

		if (vx_blend_extract(part, len, s->offsets[o], &msg, &mlen) != VX_OK ||
		    !looks_like_message(msg, mlen))
			continue;
		for (size_t h = 0; h < s->nhosts; h++) {
			vx_found f = {h, partno, s->offsets[o], msg, mlen, NULL, VX_OK};
			vx_msg *m;
			int for_host, stop;

			s->stats->trials++;
			f.why = vx_msg_open_for(msg, mlen, s->hosts[h], &m, &for_host);
			if (!for_host)
				continue;
			s->stats->found++;
			f.msg = m;
			stop = s->fn(&f, s->arg);
			vx_msg_free(m);
			if (stop)
				return 1;
			break;
		}
	}
	return 0;
}

vx_status vx_detect(const uint8_t *mail, size_t len, const vx_pkey *const *hosts, size_t nhosts,
                    const unsigned *offsets, size_t noffsets, size_t max_part,
                    int (*fn)(const vx_found *f, void *arg), void *arg, vx_detect_stats *stats)
{
	vx_detect_stats local;
	struct scan s = {hosts, nhosts, offsets, noffsets, fn, arg, stats ? stats : &local};
	unsigned nparts = 0;

	memset(s.stats, 0, sizeof *s.stats);
	return vx_mime_scan(mail, len, max_part, on_part, &s, &nparts);
}
