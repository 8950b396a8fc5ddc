/*
 * message-fuzz.c - libFuzzer target: opening arbitrary bytes as a Vortex
 * message with a host key, and classifying them as an ID 0 payload.
 */
#include <stddef.h>
#include <stdint.h>

#include "message.h"
#include "special.h"

static vx_pkey *host;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return vx_pkey_generate(ec, secp384r1, &host) == VX_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vx_msg *m = NULL;
	vx_payload_kind kind;
	vx_bytes user = {0};
	SpecialBlock sb;
	int for_host;

	if (vx_msg_open_for(data, size, host, &m, &for_host) == VX_OK)
		vx_msg_free(m);
	if (vx_special_classify(data, size, &kind, &user, &sb) == VX_OK &&
	    kind == VX_PAYLOAD_SPECIAL)
		free_SpecialBlock(&sb);
	vx_bytes_free(&user);
	return 0;
}
