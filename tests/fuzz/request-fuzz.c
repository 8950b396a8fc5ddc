/*
 * request-fuzz.c - libFuzzer target: arbitrary bytes as a HeaderBlock,
 * its requests answered for a known identity (7.2) on a store made once.
 * Each input runs in a store batch that is aborted, so every input sees
 * the same identity and address book. A reply that does not survive the
 * strict DER round trip is a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "der.h"
#include "pkey.h"
#include "request.h"

/* The public key of the seed corpus's headers (tests/fuzz/corpus/request). */
static const uint8_t IDENTITY_KEY[] = {
    0x30, 0x81, 0x80, 0x0a, 0x02, 0x08, 0x98, 0xa2, 0x7a, 0x04, 0x78, 0x30, 0x76, 0x30, 0x10,
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00,
    0x22, 0x03, 0x62, 0x00, 0x04, 0xff, 0x93, 0x9c, 0x6f, 0x20, 0xbd, 0xa8, 0x22, 0xb6, 0x75,
    0xd8, 0x7c, 0x27, 0x07, 0x3e, 0x18, 0xf5, 0x73, 0xe0, 0x32, 0x77, 0x36, 0xd8, 0xef, 0x62,
    0xbc, 0x8b, 0x58, 0xbc, 0xe2, 0x12, 0xf6, 0x87, 0x63, 0x6e, 0xb0, 0x9a, 0xf3, 0xf3, 0xfc,
    0x4a, 0xdc, 0x80, 0xb1, 0xc0, 0x23, 0xe1, 0x91, 0x3d, 0x47, 0xfe, 0xc7, 0x42, 0x14, 0x7f,
    0x2b, 0x55, 0xff, 0x8d, 0x05, 0xec, 0x5d, 0xef, 0xf9, 0xf3, 0xc8, 0x3c, 0x95, 0x12, 0xfe,
    0x3d, 0x66, 0xa5, 0x64, 0xcc, 0xaf, 0xcd, 0x48, 0x89, 0xd9, 0x27, 0xa6, 0xfd, 0x98, 0x61,
    0xc6, 0x20, 0xbc, 0x56, 0xf2, 0x79, 0x48, 0x8b, 0x40, 0xc7, 0xd0,
};

static char dir[] = "/tmp/vx-request-fuzz-XXXXXX";
static vx_store *store;
static vx_pkey *host;
static uint8_t fp[VX_FINGERPRINT_LEN];
static const unsigned offsets[] = {0, 256};
static vx_request_policy pol = {1000, 1u << 24, 1000, 255, 86400, "node@example.org",
                                NULL, offsets,  2};

static void cleanup(void)
{
	char path[sizeof dir + 16];

	vx_store_close(store);
	vx_pkey_free(host);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}

static int add_peer(const char *addr)
{
	NodeSpec n = {.transportProtocol = smtp};
	vx_bytes der = {0};
	int r;

	n.recipientAddress.data = (void *)addr;
	n.recipientAddress.length = strlen(addr);
	r = vx_der_encode(VX_DER_NodeSpec, &n, &der) == VX_OK &&
	    vx_store_peer_put(store, der.data, der.len) == VX_OK;
	vx_bytes_free(&der);
	return r;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	vx_identity id = {4000000000, 10, 1 << 20, 0};
	vx_pkey *k;

	(void)argc, (void)argv;
	if (!mkdtemp(dir) || vx_store_open(dir, NULL, &store) != VX_OK ||
	    vx_pkey_from_der(IDENTITY_KEY, sizeof IDENTITY_KEY, &k) != VX_OK)
		return 1;
	atexit(cleanup);
	if (vx_pkey_fingerprint(k, fp) != VX_OK || vx_store_identity_put(store, fp, &id) != VX_OK ||
	    vx_pkey_generate(ec, secp384r1, &host) != VX_OK || !add_peer("a@example.org") ||
	    !add_peer("b@example.org"))
		abort();
	vx_pkey_free(k);
	pol.key = host;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	HeaderBlock hb;
	SpecialBlock reply, back;
	vx_bytes der = {0};
	int have = 0;

	if (vx_der_decode(VX_DER_HeaderBlock, data, size, &hb) != VX_OK)
		return 0;
	if (vx_store_batch_begin(store) != VX_OK)
		abort();
	if (vx_request_answer(store, &pol, &hb, fp, 1800000000, &reply, &have) == VX_OK && have) {
		if (vx_der_encode(VX_DER_SpecialBlock, &reply, &der) != VX_OK ||
		    vx_der_decode(VX_DER_SpecialBlock, der.data, der.len, &back) != VX_OK)
			abort(); /* the node must never send what it would refuse itself */
		free_SpecialBlock(&back);
		vx_bytes_free(&der);
		free_SpecialBlock(&reply);
	}
	vx_store_batch_abort(store);
	free_HeaderBlock(&hb);
	return 0;
}
