/* compose.c - the carrier mail for an outbound Vortex message. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "carrier.h"
#include "compose.h"
#include "mime.h"

/*
 * Mail that reads like mail (section 11, [DeadParrot]): a short personal
 * note sent with the attachment, unless the node configures its own.
 */
static const vx_carrier_note builtin[] = {
    {"the file you asked for", "Hi,\n\nhere is the file from yesterday.\n\nBest\n"},
    {"photos", "Here are the pictures, sorry it took a while.\n"},
    {"Re: documents", "Attached, as promised. Let me know if anything is missing.\n"},
    {"scan", "Scanned copy attached.\n"},
    {"backup", "Latest backup attached. Please keep it somewhere safe.\n"},
};

static unsigned pick(unsigned n)
{
	unsigned v = 0;

	RAND_bytes((unsigned char *)&v, sizeof v);
	return v % n;
}

static int ia5_copy(char *dst, size_t size, const heim_ia5_string *s)
{
	if (s->length >= size || memchr(s->data, '\0', s->length))
		return -1;
	memcpy(dst, s->data, s->length);
	dst[s->length] = '\0';
	return 0;
}

vx_status vx_compose_mail(const uint8_t *wire, size_t len, const BlendingSpec *spec,
                          const char *from, vx_bytes *mail)
{
	return vx_compose_mail_notes(wire, len, spec, from, NULL, 0, mail);
}

vx_status vx_compose_mail_notes(const uint8_t *wire, size_t len, const BlendingSpec *spec,
                                const char *from, const vx_carrier_note *notes, size_t nnotes,
                                vx_bytes *mail)
{
	char to[320], type[32], fname[64];
	const char *at, *mime_type;
	unsigned offset = 0;
	vx_bytes file = {0};
	vx_mime_attachment att;
	vx_mime_mail m;
	unsigned which;
	vx_status st;

	if (!notes || !nnotes)
		notes = builtin, nnotes = sizeof builtin / sizeof builtin[0];
	which = pick((unsigned)nnotes);

	mail->data = NULL;
	mail->len = 0;
	if (!notes[which].subject || !notes[which].body)
		return VX_EINVAL;
	if (ia5_copy(to, sizeof to, &spec->target.recipientAddress) ||
	    ia5_copy(type, sizeof type, &spec->blendingType))
		return VX_EBADPARAM;
	/* PLAIN blending is the one every node supports (6); F5 is not ours */
	if (strcasecmp(type, "plain"))
		return VX_EUNSUPPORTED;
	for (unsigned i = 0; i < spec->parameter.len; i++)
		if (spec->parameter.val[i].element == choice_BlendingParameter_offset) {
			offset = spec->parameter.val[i].u.offset;
			break;
		}
	if ((st = vx_carrier_build(wire, len, offset, VX_CARRIER_ANY, &file, &mime_type, fname,
	                           sizeof fname)) != VX_OK)
		return st;
	at = strrchr(from, '@');
	att = (vx_mime_attachment){fname, mime_type, file.data, file.len};
	m = (vx_mime_mail){
	    from, to, notes[which].subject, notes[which].body, 0, at ? at + 1 : "localhost",
	    &att, 1};
	st = vx_mime_compose(&m, mail);
	vx_bytes_free(&file);
	return st;
}
