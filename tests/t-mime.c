/* t-mime.c - composing carrier mail and walking every MIME part. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "mime.h"
#include "tap.h"

struct seen {
	unsigned index[16]; /* as vx_mime_scan numbers the parts */
	unsigned n;
	size_t len[16];
	uint8_t *copy[16];
};

static int collect(const uint8_t *part, size_t len, unsigned index, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->index[s->n] = index;
		s->len[s->n] = len;
		s->copy[s->n] = malloc(len ? len : 1);
		memcpy(s->copy[s->n], part, len);
	}
	s->n++;
	return 0;
}

static void seen_free(struct seen *s)
{
	for (unsigned i = 0; i < s->n && i < 16; i++)
		free(s->copy[i]);
	memset(s, 0, sizeof *s);
}

static int has_part(const struct seen *s, const void *data, size_t len)
{
	for (unsigned i = 0; i < s->n && i < 16; i++)
		if (s->len[i] == len && !memcmp(s->copy[i], data, len))
			return 1;
	return 0;
}

static void test_compose_scan(void)
{
	uint8_t a1[5000], a2[3];
	vx_mime_attachment att[2] = {{"IMG_1234.jpg", "image/jpeg", a1, sizeof a1},
	                             {"x.bin", "application/octet-stream", a2, sizeof a2}};
	vx_mime_mail m = {"alice@node0.test",
	                  "bob@node1.test",
	                  "photos",
	                  "Hi Bob,\nhere.\n",
	                  0,
	                  "node0.test",
	                  att,
	                  2};
	vx_bytes mail = {0};
	struct seen s = {0};
	unsigned n;

	RAND_bytes(a1, sizeof a1);
	memcpy(a2, "\0\1\2", 3);
	ok(vx_mime_compose(&m, &mail) == VX_OK, "mail composed");
	ok(mail.len > sizeof a1 && strstr((char *)mail.data, "\r\nMIME-Version: 1.0\r\n") &&
	       strstr((char *)mail.data, "Message-ID: <"),
	   "headers present");
	ok(vx_mime_scan(mail.data, mail.len, 1 << 20, collect, &s, &n) == VX_OK, "scanned");
	is(n, 3, "three parts: text and two attachments");
	ok(has_part(&s, a1, sizeof a1), "first attachment decoded byte for byte");
	ok(has_part(&s, a2, sizeof a2), "second attachment decoded byte for byte");
	seen_free(&s);
	ok(vx_mime_scan(mail.data, mail.len, 1000, collect, &s, &n) == VX_OK &&
	       !has_part(&s, a1, sizeof a1),
	   "parts above max_part are skipped");
	seen_free(&s);
	m.subject = "evil\r\nBcc: x@y";
	vx_bytes_free(&mail);
	ok(vx_mime_compose(&m, &mail) == VX_EINVAL, "header injection refused");
}

static const char nested[] =
    "From: a@b\r\nTo: c@d\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
    "--inner\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    "caf=C3=A9 =3D ok\r\n"
    "--inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--inner--\r\n"
    "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
    "From: x@y\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"deep\"\r\n\r\n"
    "--deep\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "SGVsbG8sIFZvcnRleCE=\r\n--deep--\r\n"
    "--outer--\r\n";

/* Base64 the fast decoder refuses (stray characters, RFC 2045 6.8) still decodes. */
static void test_base64_forms(void)
{
	static const char lax[] = "Content-Type: application/octet-stream\r\n"
	                          "Content-Transfer-Encoding: base64\r\n\r\n"
	                          "SGVs!bG8s\r\n  IHdv*cmxk\r\n";
	static const char clean[] = "Content-Type: application/octet-stream\r\n"
	                            "Content-Transfer-Encoding: base64\r\n\r\n"
	                            "SGVsbG8s\r\nIHdvcmxkIQ==\r\n";
	struct seen s = {0};
	unsigned n;

	ok(vx_mime_scan((const uint8_t *)lax, sizeof lax - 1, 1 << 20, collect, &s, &n) == VX_OK &&
	       has_part(&s, "Hello, world", 12),
	   "base64 with stray characters decodes, ignoring them");
	seen_free(&s);
	ok(vx_mime_scan((const uint8_t *)clean, sizeof clean - 1, 1 << 20, collect, &s, &n) ==
	           VX_OK &&
	       has_part(&s, "Hello, world!", 13),
	   "base64 across lines decodes");
	seen_free(&s);
}

/* A carrier part replaced by a short note; every other byte stays. */
static void test_strip(void)
{
	uint8_t a1[3000], a2[100];
	vx_mime_attachment att[2] = {{"IMG_1.jpg", "image/jpeg", a1, sizeof a1},
	                             {"notes.txt", "text/plain", a2, sizeof a2}};
	vx_mime_mail m = {"a@x.test", "b@y.test", "photos", "Hi.\n", 0, "x.test", att, 2};
	static const char single[] = "Subject: s\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
	vx_bytes mail = {0}, out = {0};
	struct seen s = {0};
	unsigned n, two = 2, nine = 9, zero = 0, one = 1;

	memset(a1, 'j', sizeof a1), memset(a2, 't', sizeof a2);
	vx_mime_compose(&m, &mail);
	vx_mime_scan(mail.data, mail.len, 1 << 20, collect, &s, &n);
	ok(s.n == 3 && s.index[0] == 1 && s.index[1] == 2 && s.index[2] == 3 &&
	       s.len[1] == sizeof a1,
	   "the scan numbers its parts 1, 2, 3");
	seen_free(&s);
	ok(vx_mime_strip(mail.data, mail.len, &two, 1, "(attachment removed)", &out) == VX_OK,
	   "the second part is stripped");
	vx_mime_scan(out.data, out.len, 1 << 20, collect, &s, &n);
	ok(s.n == 3 && has_part(&s, a2, sizeof a2) && !has_part(&s, a1, sizeof a1) &&
	       has_part(&s, "(attachment removed)\r\n", 22),
	   "the others are intact and a note stands in its place");
	seen_free(&s);
	const uint8_t *p = memmem(mail.data, mail.len, "IMG_1.jpg", 9);
	size_t head = p ? (size_t)(p - mail.data) - 40 : 0, tail = 200;
	ok(p && out.len < mail.len && !memcmp(out.data, mail.data, head) &&
	       !memcmp(out.data + out.len - tail, mail.data + mail.len - tail, tail),
	   "bytes before and after the part are unchanged");
	vx_bytes_free(&out);
	is(vx_mime_strip(mail.data, mail.len, &nine, 1, "x", &out), VX_ENOTFOUND,
	   "a part that does not exist is refused");
	is(vx_mime_strip(mail.data, mail.len, &zero, 1, "x", &out), VX_ENOTFOUND,
	   "part 0 does not exist");
	is(vx_mime_strip(mail.data, mail.len, &two, 1, "bad\r\nBcc: x@y", &out), VX_EINVAL,
	   "a note that would add a header is refused");
	is(vx_mime_strip((const uint8_t *)single, sizeof single - 1, &one, 1, "x", &out),
	   VX_EUNSUPPORTED, "the whole body of a mail is not stripped");
	vx_bytes_free(&mail);
}

static void test_nested(void)
{
	struct seen s = {0};
	unsigned n;

	ok(vx_mime_scan((const uint8_t *)nested, sizeof nested - 1, 1 << 20, collect, &s, &n) ==
	       VX_OK,
	   "nested mail scanned");
	is(n, 3, "three leaf parts across three levels");
	ok(has_part(&s, "caf\xc3\xa9 = ok", 10) || has_part(&s, "caf\xc3\xa9 = ok\r\n", 12),
	   "quoted-printable decoded");
	ok(has_part(&s, "Hello, Vortex!", 14), "base64 inside an attached message decoded");
	seen_free(&s);

	const char plain[] = "From: a@b\r\nSubject: hi\r\n\r\nJust text.\r\n";
	ok(vx_mime_scan((const uint8_t *)plain, sizeof plain - 1, 1 << 20, collect, &s, &n) ==
	           VX_OK &&
	       n == 1,
	   "a mail without MIME is one part");
	seen_free(&s);
}

static int stop_first(const uint8_t *part, size_t len, unsigned index, void *arg)
{
	(void)part, (void)len, (void)index;
	++*(unsigned *)arg;
	return 1;
}

static void test_hostile(void)
{
	unsigned calls = 0, n, crashes = 0;
	uint8_t junk[4096];

	ok(vx_mime_scan((const uint8_t *)nested, sizeof nested - 1, 1 << 20, stop_first, &calls,
	                &n) == VX_OK &&
	       calls == 1,
	   "the callback stops the walk");
	/* every truncation and random garbage: a status, never a crash */
	for (size_t len = 0; len < sizeof nested - 1; len += 7) {
		vx_status st =
		    vx_mime_scan((const uint8_t *)nested, len, 1 << 20, stop_first, &calls, &n);
		crashes += st != VX_OK && st != VX_EMIME && st != VX_ELIMIT;
	}
	for (int i = 0; i < 200; i++) {
		RAND_bytes(junk, sizeof junk);
		vx_status st = vx_mime_scan(junk, sizeof junk, 1 << 20, stop_first, &calls, &n);
		crashes += st != VX_OK && st != VX_EMIME && st != VX_ELIMIT;
	}
	is(crashes, 0, "truncated and random mails give a clean status");
	/* nesting deeper than the limit */
	size_t cap = 200000, len = 0;
	char *deep = malloc(cap);
	len += (size_t)sprintf(deep, "MIME-Version: 1.0\r\n");
	for (int i = 0; i < 60; i++)
		len += (size_t)sprintf(
		    deep + len, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n",
		    i, i);
	len += (size_t)sprintf(deep + len, "Content-Type: text/plain\r\n\r\nx\r\n");
	for (int i = 59; i >= 0; i--)
		len += (size_t)sprintf(deep + len, "--b%d--\r\n", i);
	ok(vx_mime_scan((const uint8_t *)deep, len, 1 << 20, stop_first, &calls, &n) == VX_ELIMIT,
	   "nesting beyond %d levels refused", VX_MIME_MAX_DEPTH);
	free(deep);
}

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int count_only(const uint8_t *part, size_t len, unsigned index, void *arg)
{
	(void)part, (void)index;
	*(size_t *)arg += len;
	return 0;
}

/*
 * 50 MB of mail around a 36 MB attachment. The mail is composed and
 * written to a file first; a child that starts small reads it and scans.
 * The scan holds the mail, libetpan's parse tree (pointing into it) and
 * one decoded part at a time, so the peak RSS growth while scanning must
 * stay below the attachment plus 16 MB of slack.
 */
static void test_large(void)
{
	size_t alen = 36u << 20;
	char path[] = "/tmp/vx-large-XXXXXX";
	int fds[2], fd = mkstemp(path);
	pid_t pid;
	long r[3] = {0, 0, 0};
	uint8_t *a = malloc(alen);
	vx_mime_attachment att = {"backup.zip", "application/zip", a, alen};
	vx_mime_mail m = {"a@b.test", "c@d.test", "backup", "see attachment", 0, "b.test", &att, 1};
	vx_bytes mail = {0};

	memset(a, 0x5a, alen);
	if (!ok(fd >= 0 && vx_mime_compose(&m, &mail) == VX_OK &&
	            write(fd, mail.data, mail.len) == (ssize_t)mail.len,
	        "50 MB mail composed"))
		return;
	r[2] = (long)(mail.len >> 10);
	free(a);
	vx_bytes_free(&mail);
	close(fd);
	if (pipe(fds) || (pid = fork()) < 0) {
		ok(0, "fork for the large-mail test");
		return;
	}
	if (pid == 0) {
		FILE *f = fopen(path, "rb");
		size_t len = (size_t)r[2] << 10, total = 0;
		uint8_t *buf = malloc(len + 65536);
		unsigned n;
		long before;

		len = f ? fread(buf, 1, len + 65536, f) : 0;
		before = rss_kb();
		r[0] = vx_mime_scan(buf, len, 64u << 20, count_only, &total, &n) == VX_OK &&
		       total >= alen;
		r[1] = rss_kb() - before;
		if (write(fds[1], r, sizeof r) != sizeof r)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], r, sizeof r) != sizeof r)
		r[0] = 0;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	unlink(path);
	ok(r[0], "50 MB mail scanned, attachment decoded");
	ok(r[1] < (long)(alen >> 10) + 16 * 1024, "peak RSS grew %ld KiB while scanning %ld KiB",
	   r[1], r[2]);
}

int main(void)
{
	test_compose_scan();
	test_base64_forms();
	test_strip();
	test_nested();
	test_hostile();
	test_large();
	return tap_done();
}
