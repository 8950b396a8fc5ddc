/*
 * request.h - the header requests of an authenticated message (section
 * 7.2): capabilities, message and transfer quota increases, quota query,
 * nodes and identity replace. Owns what each request does to the store and
 * the special block that answers it; identity creation (7.2.1) belongs to
 * core/account.c, and sending the answer to core/reply.c.
 * See docs/protocol-notes.md, "Header requests".
 */
#ifndef VX_REQUEST_H
#define VX_REQUEST_H

#include "asn1.h"
#include "pkey.h"
#include "store.h"

/* At most this many nodes in one ReplyNodes (the schema's SIZE (1..5)). */
#define VX_REQUEST_MAX_NODES 5

typedef struct vx_request_policy {
	uint64_t max_message_quota;  /* the most an increase grants; beyond: out of band */
	uint64_t max_transfer_quota; /* bytes */
	/* figures the node advertises in its ReplyCapability (7.2.6) */
	uint32_t max_header_serials;
	uint32_t max_build_ops;
	uint32_t max_header_live; /* seconds */
	/* PLAIN blending the node reads (6.1.1); no address: none advertised */
	const char *address; /* the node's own local@domain */
	const vx_pkey *key;  /* its host key (public part used), may be NULL */
	const unsigned *plain_offsets;
	size_t nplain_offsets;
} vx_request_policy;

/*
 * Apply the requests of hb, an authenticated header of the identity fp
 * (accounting said VX_VERDICT_PROCESS), at time now: all of them in order
 * (quota changes, replace), each in its own store transaction (open a
 * store batch around the call to make them one). reply receives the answer
 * to the first request that has one (identity creation has none here,
 * 7.1.1) and *have = 1; *have = 0 when there is nothing to answer. Free
 * the reply with free_SpecialBlock. A request the node refuses is a status
 * reply, not an error; an error status (store, memory) leaves no reply.
 */
vx_status vx_request_answer(vx_store *s, const vx_request_policy *p, const HeaderBlock *hb,
                            const uint8_t fp[VX_FINGERPRINT_LEN], int64_t now, SpecialBlock *reply,
                            int *have);

/*
 * The node's ReplyCapability (7.2.6): every cipher, MAC and PRNG this
 * build implements, the policy's figures and blending. Free with
 * free_ReplyCapability.
 */
vx_status vx_request_capabilities(const vx_request_policy *p, ReplyCapability *out);

#endif
