/* carrier.c - ZIP and JPEG carrier files for PLAIN blending. */
#include <stdio.h>
#include <string.h>

#include <isa-l/crc.h>
#include <openssl/rand.h>

#include "carrier.h"

static unsigned rnd(unsigned n)
{
	unsigned v = 0;

	if (RAND_bytes((unsigned char *)&v, sizeof v) != 1)
		return 0;
	return n ? v % n : 0;
}

static uint8_t *le16(uint8_t *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	return p + 2;
}

static uint8_t *le32(uint8_t *p, uint32_t v)
{
	p = le16(p, v & 0xffff);
	return le16(p, v >> 16);
}

static uint8_t *be16(uint8_t *p, unsigned v)
{
	p[0] = v >> 8 & 0xff;
	p[1] = v & 0xff;
	return p + 2;
}

/*
 * ZIP, stored (method 0): local header, the member's data (the message),
 * central directory, end record. The local header's extra field is sized
 * with the zipalign padding record (0xD935) so the data starts at offset.
 * At offset 0 the message comes first and the archive, holding a short
 * note, follows it: unzip reads an archive from its end record and accepts
 * leading bytes, as it does for self-extracting archives.
 */
#define ZIP_LOCAL   30
#define ZIP_CENTRAL 46
#define ZIP_END     22

static vx_status build_zip(const uint8_t *msg, size_t len, size_t offset, vx_bytes *file,
                           char *filename, size_t fnsize)
{
	static const char *const stems[] = {"scan", "IMG", "backup", "invoice", "report"};
	static const char *const exts[] = {"pdf", "dat", "bin", "pdf", "xlsx"};
	unsigned which = rnd(5);
	static const char note[] = "Files as discussed. Password as usual.\r\n";
	char name[32];
	const uint8_t *data = msg;
	size_t nlen, extra, lead, total;
	uint32_t crc;
	uint8_t *p;
	vx_status st;

	if (len > UINT32_MAX - 65536)
		return VX_ELIMIT;
	nlen = (size_t)snprintf(name, sizeof name, "%s_%04u.%s", stems[which], 1000 + rnd(9000),
	                        exts[which]);
	if (offset >= ZIP_LOCAL + nlen + 4) {
		extra = offset - ZIP_LOCAL - nlen;
		lead = 0;
		if (extra > 0xffff)
			return VX_EINVAL;
	} else if (offset == 0) {
		extra = 0;
		lead = len;
		data = (const uint8_t *)note;
		len = sizeof note - 1;
		nlen = (size_t)snprintf(name, sizeof name, "readme.txt");
	} else {
		return VX_EINVAL;
	}
	total = lead + ZIP_LOCAL + nlen + extra + len + ZIP_CENTRAL + nlen + ZIP_END;
	if ((st = vx_bytes_alloc(file, total)) != VX_OK)
		return st;
	crc = crc32_gzip_refl(0, data, len);
	p = file->data;
	if (lead) {
		memcpy(p, msg, lead);
		p += lead;
	}
	/* local file header */
	p = le32(p, 0x04034b50);
	p = le16(p, 10), p = le16(p, 0), p = le16(p, 0);
	p = le16(p, 0x6000 + rnd(0x800)), p = le16(p, 0x5960 + rnd(0x100)); /* time, date */
	p = le32(p, crc), p = le32(p, (uint32_t)len), p = le32(p, (uint32_t)len);
	p = le16(p, (unsigned)nlen), p = le16(p, (unsigned)extra);
	memcpy(p, name, nlen), p += nlen;
	if (extra) {
		p = le16(p, 0xd935), p = le16(p, (unsigned)extra - 4);
		memset(p, 0, extra - 4), p += extra - 4;
	}
	memcpy(p, data, len);
	p += len;
	/* central directory entry, pointing back at the local header */
	uint8_t *cd = p;
	p = le32(p, 0x02014b50);
	p = le16(p, 0x031e), p = le16(p, 10), p = le16(p, 0), p = le16(p, 0);
	memcpy(p, file->data + lead + 10, 4), p += 4; /* same time and date */
	p = le32(p, crc), p = le32(p, (uint32_t)len), p = le32(p, (uint32_t)len);
	p = le16(p, (unsigned)nlen), p = le16(p, 0), p = le16(p, 0), p = le16(p, 0);
	p = le16(p, 0), p = le32(p, 0100644u << 16), p = le32(p, (uint32_t)lead);
	memcpy(p, name, nlen), p += nlen;
	/* end of central directory */
	p = le32(p, 0x06054b50);
	p = le16(p, 0), p = le16(p, 0), p = le16(p, 1), p = le16(p, 1);
	p = le32(p, (uint32_t)(p - cd - 12)), p = le32(p, (uint32_t)(cd - file->data));
	p = le16(p, 0);
	snprintf(filename, fnsize, "%s.zip", name);
	return VX_OK;
}

/*
 * JPEG: SOI, APP0 (JFIF), a comment as the usual encoder banner (sized so
 * the scan data starts at offset), DQT, SOF0, DHT, SOS, the message as
 * entropy-coded data, EOI.
 */
static const uint8_t jfif[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I',  'F',
                               0x00, 0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00};
static const uint8_t jpeg_tail[] = {
    /* SOF0: 8 bits, height, width, one component, 1x1 sampling, table 0 */
    0xff, 0xc0, 0x00, 0x0b, 0x08, 0x03, 0x00, 0x04, 0x00, 0x01, 0x01, 0x11, 0x00,
    /* DHT: DC table 0 and AC table 0 */
    0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0xff, 0xc4, 0x00, 0x19, 0x10, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x11, 0x12,
    /* SOS: one component, tables 0/0, full spectral selection */
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00};
#define JPEG_DQT_LEN (4 + 1 + 64)
#define JPEG_COM_MIN 4

size_t vx_carrier_jpeg_min_offset(void)
{
	return sizeof jfif + JPEG_COM_MIN + JPEG_DQT_LEN + sizeof jpeg_tail;
}

/* The IJG quantisation table scaled for quality q (zig-zag order). */
static void dqt(uint8_t *p, unsigned q)
{
	static const uint8_t base[64] = {
	    16, 11, 12,  14,  12,  10, 16, 14,  13,  14,  18,  17,  16, 19,  24,  40,
	    26, 24, 22,  22,  24,  49, 35, 37,  29,  40,  58,  51,  61, 60,  57,  51,
	    56, 55, 64,  72,  92,  78, 64, 68,  87,  69,  55,  56,  80, 109, 81,  87,
	    95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99};
	unsigned scale = q < 50 ? 5000 / q : 200 - 2 * q;

	p = be16(p, 0xffdb);
	p = be16(p, JPEG_DQT_LEN - 2);
	*p++ = 0;
	for (int i = 0; i < 64; i++) {
		unsigned v = (base[i] * scale + 50) / 100;

		*p++ = (uint8_t)(v < 1 ? 1 : v > 255 ? 255 : v);
	}
}

static vx_status build_jpeg(const uint8_t *msg, size_t len, size_t offset, vx_bytes *file,
                            char *filename, size_t fnsize)
{
	unsigned q = 75 + rnd(21);
	size_t com, total;
	uint8_t *p, *sof;
	vx_status st;
	char banner[80];
	int blen;

	if (offset < vx_carrier_jpeg_min_offset())
		return VX_EINVAL;
	com = offset - (sizeof jfif + JPEG_DQT_LEN + sizeof jpeg_tail);
	if (com > 0xffff || len > SIZE_MAX - offset - 2)
		return VX_EINVAL;
	total = offset + len + 2;
	if ((st = vx_bytes_alloc(file, total)) != VX_OK)
		return st;
	p = file->data;
	memcpy(p, jfif, sizeof jfif), p += sizeof jfif;
	p = be16(p, 0xfffe);
	p = be16(p, (unsigned)com - 2);
	blen = snprintf(banner, sizeof banner,
	                "CREATOR: gd-jpeg v1.0 (using IJG JPEG v80), quality = %u\n", q);
	memset(p, ' ', com - 4);
	memcpy(p, banner, (size_t)blen < com - 4 ? (size_t)blen : com - 4);
	p += com - 4;
	dqt(p, q);
	p += JPEG_DQT_LEN;
	sof = p;
	memcpy(p, jpeg_tail, sizeof jpeg_tail), p += sizeof jpeg_tail;
	/* a plausible size for the amount of scan data */
	be16(sof + 5, 480 + rnd(4) * 120);
	be16(sof + 7, 640 + rnd(4) * 160);
	memcpy(p, msg, len), p += len;
	be16(p, 0xffd9);
	snprintf(filename, fnsize, "IMG_%04u.jpg", 1000 + rnd(9000));
	return VX_OK;
}

vx_status vx_carrier_build(const uint8_t *msg, size_t len, size_t offset, vx_carrier_type type,
                           vx_bytes *file, const char **mime_type, char *filename, size_t fnsize)
{
	file->data = NULL;
	file->len = 0;
	if (type == VX_CARRIER_ANY)
		type = offset >= vx_carrier_jpeg_min_offset() && rnd(2) ? VX_CARRIER_JPEG
		                                                        : VX_CARRIER_ZIP;
	switch (type) {
	case VX_CARRIER_JPEG:
		*mime_type = "image/jpeg";
		return build_jpeg(msg, len, offset, file, filename, fnsize);
	case VX_CARRIER_ZIP:
		*mime_type = "application/zip";
		return build_zip(msg, len, offset, file, filename, fnsize);
	default:
		return VX_EINVAL;
	}
}
