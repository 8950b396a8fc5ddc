/* t-detect.c - finding Vortex messages in blended mail (section 6.2). */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "builder.h"
#include "compose.h"
#include "detect.h"
#include "mime.h"
#include "tap.h"

struct hits {
	unsigned n;
	vx_found first;
	vx_bytes wire;
};

static int collect(const vx_found *f, void *arg)
{
	struct hits *h = arg;

	if (!h->n++) {
		h->first = *f;
		vx_bytes_set(&h->wire, f->wire, f->len);
	}
	return 0;
}

int main(void)
{
	vx_pkey *a, *b, *id;
	const unsigned offsets[] = {0, 256};
	vx_bytes chunk = {0}, wire = {0}, mail = {0};
	BlendingSpec spec;
	vx_detect_stats ds;
	struct hits h = {0};

	if (!ok(vx_pkey_generate(ec, secp384r1, &a) == VX_OK &&
	            vx_pkey_generate(rsa, 2048, &b) == VX_OK &&
	            vx_pkey_generate(ec, secp384r1, &id) == VX_OK,
	        "keys"))
		return tap_done();
	vx_hop hop = {.host = a, .identity = id, .serial = 5, .max_replays = 1};
	vx_hop_seal(&hop);
	vx_bytes_set(&chunk, "chunk", 5);
	ok(vx_hop_message(&hop, &chunk, 1, &wire) == VX_OK, "message for host A");

	for (int o = 0; o < 2; o++) {
		const vx_pkey *hosts[2] = {b, a};

		vx_blending_spec_plain("n@node.test", a, &offsets[o], 1, &spec);
		ok(vx_compose_mail(wire.data, wire.len, &spec, "x@y.test", &mail) == VX_OK,
		   "blended at offset %u", offsets[o]);
		memset(&h, 0, sizeof h);
		ok(vx_detect(mail.data, mail.len, hosts, 2, offsets, 2, 1 << 20, collect, &h,
		             &ds) == VX_OK,
		   "  scanned");
		is(h.n, 1, "  exactly one message found");
		is(h.first.host, 1, "  by the second host key");
		is(h.first.offset, offsets[o], "  at the offset it was blended at");
		ok(h.wire.len == wire.len && !memcmp(h.wire.data, wire.data, wire.len),
		   "  the message bytes are intact");
		ok(ds.trials <= 2, "  %u private-key trials", ds.trials);
		vx_bytes_free(&h.wire);
		/* only offset 256 advertised: a message at 0 is not looked for */
		memset(&h, 0, sizeof h);
		vx_detect(mail.data, mail.len, hosts, 2, &offsets[1], 1, 1 << 20, collect, &h, &ds);
		is(h.n, o == 1 ? 1 : 0, "  offsets not advertised are not tried");
		vx_bytes_free(&h.wire);
		/* only host B: nothing */
		memset(&h, 0, sizeof h);
		vx_detect(mail.data, mail.len, hosts, 1, offsets, 2, 1 << 20, collect, &h, &ds);
		is(h.n, 0, "  another node's key finds nothing");
		if (o == 1) {
			/* a node's own notes replace the built-in ones */
			vx_carrier_note note = {"minutes of the meeting", "Minutes attached.\n"};

			vx_bytes_free(&mail);
			ok(vx_compose_mail_notes(wire.data, wire.len, &spec, "x@y.test", &note, 1,
			                         &mail) == VX_OK &&
			       memmem(mail.data, mail.len, "Subject: minutes of the meeting\r\n",
			              33) &&
			       memmem(mail.data, mail.len, "Minutes attached.", 17),
			   "  with a configured note");
			note.body = NULL;
			vx_bytes_free(&mail);
			is(vx_compose_mail_notes(wire.data, wire.len, &spec, "x@y.test", &note, 1,
			                         &mail),
			   VX_EINVAL, "  a note without a body is refused");
		}
		vx_bytes_free(&mail);
		free_BlendingSpec(&spec);
	}

	/* ordinary mail with random attachments costs no private-key operation */
	uint8_t junk[3][4096];
	vx_mime_attachment att[3];
	for (int i = 0; i < 3; i++) {
		RAND_bytes(junk[i], sizeof junk[i]);
		att[i] = (vx_mime_attachment){"photo.jpg", "image/jpeg", junk[i], sizeof junk[i]};
	}
	/* even one that starts like DER at an advertised offset */
	junk[1][0] = 0x30, junk[1][1] = 0x82, junk[1][2] = 0x0f, junk[1][3] = 0x00;
	vx_mime_mail m = {"a@b.test", "c@d.test", "pics", "see attached", 0, "b.test", att, 3};
	const vx_pkey *hosts[2] = {a, b};
	vx_mime_compose(&m, &mail);
	memset(&h, 0, sizeof h);
	ok(vx_detect(mail.data, mail.len, hosts, 2, offsets, 2, 1 << 20, collect, &h, &ds) ==
	           VX_OK &&
	       h.n == 0 && ds.parts == 4,
	   "ordinary mail: four parts, no message");
	is(ds.trials, 0, "ordinary mail costs no private-key operation");
	is(vx_detect((const uint8_t *)"", 0, hosts, 2, offsets, 2, 1 << 20, collect, &h, &ds),
	   VX_EMIME, "an empty mail is refused");
	vx_bytes_free(&mail);
	vx_bytes_free(&chunk);
	vx_bytes_free(&wire);
	vx_hop_clear(&hop);
	vx_pkey_free(a);
	vx_pkey_free(b);
	vx_pkey_free(id);
	return tap_done();
}
