/* t-blend.c - PLAIN offsets, message location and carrier files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <isa-l/crc.h>
#include <openssl/rand.h>

#include "blend.h"
#include "carrier.h"
#include "tap.h"

static void test_parse(void)
{
	unsigned off[VX_BLEND_MAX_OFFSETS];
	size_t n;

	ok(vx_blend_parse_plain("plain:0,256", off, 16, &n) == VX_OK && n == 2 && off[0] == 0 &&
	       off[1] == 256,
	   "plain:0,256");
	ok(vx_blend_parse_plain("(plain:1024)", off, 16, &n) == VX_OK && n == 1 && off[0] == 1024,
	   "(plain:1024)");
	ok(vx_blend_parse_plain("encoding=plain:0,256", off, 16, &n) == VX_OK && n == 2,
	   "encoding=plain:0,256");
	const char *bad[] = {"",          "plain:",   "plain:,1", "plain:1,",          "plain:x",
	                     "(plain:1",  "plain:1)", "f5:pw",    "plain:99999999999", "plain:-1",
	                     "plain:1 ,2"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok(vx_blend_parse_plain(bad[i], off, 16, &n) == VX_EDECODE, "refused: '%s'",
		   bad[i]);
	ok(vx_blend_parse_plain("plain:1,2,3", off, 2, &n) == VX_ELIMIT, "too many offsets");
}

/* A DER SEQUENCE with body random bytes; *len receives its total size. */
static uint8_t *fake_message(size_t body, size_t *len)
{
	uint8_t *m = malloc(body + 6);
	size_t k = body < 0x80 ? 0 : body < 0x100 ? 1 : body < 0x10000 ? 2 : 3;

	m[0] = 0x30;
	m[1] = k ? 0x80 | (uint8_t)k : (uint8_t)body;
	for (size_t i = 0; i < k; i++)
		m[2 + i] = (uint8_t)(body >> (8 * (k - 1 - i)));
	RAND_bytes(m + 2 + k, (int)body);
	*len = 2 + k + body;
	return m;
}

static void test_extract(void)
{
	uint8_t buf[600] = {0}, *m;
	const uint8_t *msg;
	size_t n, mlen;

	m = fake_message(296, &mlen);
	memcpy(buf + 256, m, mlen);
	ok(vx_blend_extract(buf, sizeof buf, 256, &msg, &n) == VX_OK && msg == buf + 256 &&
	       n == mlen,
	   "message found at offset 256 with its DER length");
	ok(vx_blend_extract(buf, sizeof buf, 255, &msg, &n) != VX_OK, "not at offset 255");
	ok(vx_blend_extract(buf, 256 + mlen - 1, 256, &msg, &n) != VX_OK, "truncated: refused");
	ok(vx_blend_extract(buf, sizeof buf, 600, &msg, &n) != VX_OK, "offset at end refused");
	ok(vx_blend_extract(buf, sizeof buf, 9999, &msg, &n) != VX_OK, "offset past end refused");
	uint8_t nonmin[] = {0x30, 0x81, 0x05, 1, 2, 3, 4, 5};
	ok(vx_blend_extract(nonmin, sizeof nonmin, 0, &msg, &n) != VX_OK,
	   "non-minimal length refused");
	uint8_t indef[] = {0x30, 0x80, 1, 0, 0};
	ok(vx_blend_extract(indef, sizeof indef, 0, &msg, &n) != VX_OK,
	   "indefinite length refused");
	free(m);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned rd16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

/* The ZIP's own records agree with each other and with the data. */
static int zip_valid(const vx_bytes *f, const uint8_t *msg, size_t len, size_t offset)
{
	if (offset == 0) {
		/* the message leads; the archive after it holds something else */

		if (memcmp(f->data, msg, len))
			return 0;
		f = &(vx_bytes){f->data + len, f->len - len};
		return rd32(f->data) == 0x04034b50 && rd32(f->data + f->len - 22) == 0x06054b50 &&
		       rd32(f->data + 14) == crc32_gzip_refl(0, f->data + 30 + rd16(f->data + 26),
		                                             rd32(f->data + 18));
	}
	const uint8_t *eocd = f->data + f->len - 22, *cd, *lh;
	uint32_t crc = crc32_gzip_refl(0, msg, len);

	if (rd32(eocd) != 0x06054b50 || rd16(eocd + 10) != 1)
		return 0;
	cd = f->data + rd32(eocd + 16);
	if (rd32(cd) != 0x02014b50 || rd32(cd + 16) != crc || rd32(cd + 20) != len ||
	    rd32(cd + 24) != len)
		return 0;
	lh = f->data + rd32(cd + 42);
	if (rd32(lh) != 0x04034b50 || rd32(lh + 14) != crc || rd16(lh + 8) != 0)
		return 0;
	/* the member's data is the message, where it was asked to be */
	const uint8_t *data = lh + 30 + rd16(lh + 26) + rd16(lh + 28);
	return (offset == 0 || (size_t)(data - f->data) == offset) && !memcmp(data, msg, len);
}

static int unzip_ok(const vx_bytes *f)
{
	char path[] = "/tmp/vx-carrier-XXXXXX";
	int fd = mkstemp(path), rc;
	char cmd[128];

	if (fd < 0 || write(fd, f->data, f->len) != (ssize_t)f->len)
		return 0;
	close(fd);
	snprintf(cmd, sizeof cmd, "unzip -tq %s >/dev/null 2>&1", path);
	rc = system(cmd);
	unlink(path);
	/* 0: fine; 1: warnings only (leading bytes before the archive) */
	return WIFEXITED(rc) && WEXITSTATUS(rc) <= 1;
}

static int jpeg_valid(const vx_bytes *f, const uint8_t *msg, size_t len, size_t offset)
{
	const uint8_t *p = f->data, *end = f->data + f->len;

	if (p[0] != 0xff || p[1] != 0xd8 || end[-2] != 0xff || end[-1] != 0xd9)
		return 0;
	/* walk the marker segments up to SOS */
	p += 2;
	while (p + 4 <= end && p[0] == 0xff && p[1] != 0xda)
		p += 2 + (p[2] << 8 | p[3]);
	if (p + 4 > end || p[1] != 0xda)
		return 0;
	p += 2 + (p[2] << 8 | p[3]);
	return (size_t)(p - f->data) == offset && f->len == offset + len + 2 &&
	       !memcmp(p, msg, len);
}

static void test_carriers(void)
{
	static const size_t sizes[] = {100, 1000, 70000, 1u << 20};
	int have_unzip = access("/usr/bin/unzip", X_OK) == 0;

	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		size_t len;
		uint8_t *m = fake_message(sizes[s], &len);
		static const size_t offsets[] = {0, 256, 1024};

		for (size_t o = 0; o < 3; o++) {
			for (int t = VX_CARRIER_ZIP; t <= VX_CARRIER_JPEG; t++) {
				vx_bytes f = {0};
				const char *mt;
				char name[64];
				const uint8_t *msg;
				size_t n;
				vx_status st = vx_carrier_build(m, len, offsets[o], t, &f, &mt,
				                                name, sizeof name);

				if (t == VX_CARRIER_JPEG && offsets[o] == 0) {
					ok(st == VX_EINVAL, "JPEG cannot start with the message");
					continue;
				}
				if (!ok(st == VX_OK, "%s carrier, %zu bytes at %zu",
				        t == VX_CARRIER_ZIP ? "ZIP" : "JPEG", len, offsets[o]))
					continue;
				ok(vx_blend_extract(f.data, f.len, offsets[o], &msg, &n) == VX_OK &&
				       n == len && !memcmp(msg, m, len),
				   "  message extracted intact from %s", name);
				if (t == VX_CARRIER_ZIP) {
					ok(zip_valid(&f, m, len, offsets[o]) &&
					       !strcmp(mt, "application/zip"),
					   "  ZIP records, CRC and sizes agree");
					if (have_unzip && sizes[s] <= 70000)
						ok(unzip_ok(&f), "  unzip -t accepts it");
				} else {
					ok(jpeg_valid(&f, m, len, offsets[o]) &&
					       !strcmp(mt, "image/jpeg"),
					   "  JPEG segments lead to the scan data, EOI last");
				}
				vx_bytes_free(&f);
			}
		}
		free(m);
	}
	vx_bytes f = {0};
	const char *mt;
	char name[64];
	ok(vx_carrier_build((const uint8_t *)"\x30\x00", 2, 10, VX_CARRIER_JPEG, &f, &mt, name,
	                    sizeof name) == VX_EINVAL,
	   "offset too small for a JPEG header refused");
}

int main(void)
{
	test_parse();
	test_extract();
	test_carriers();
	return tap_done();
}
