/*
 * builder.h - the routing-block builder's side: sealing everything one hop
 * needs (section 4) and wrapping it into the RoutingCombo that makes the
 * previous node send that hop's message (sections 7.1.2, 7.5).
 *
 * A path is built from its last hop backwards: each hop's combos are
 * known when it is sealed, and the sealed hop becomes a combo for the hop
 * before it.
 */
#ifndef VX_BUILDER_H
#define VX_BUILDER_H

#include <time.h>

#include "asn1.h"
#include "bytes.h"
#include "pkey.h"

typedef struct vx_hop {
	/* set by the caller */
	const vx_pkey *host;     /* the receiving node's host key (public part used) */
	const vx_pkey *identity; /* the builder's identity on that node (private) */
	uint32_t serial;
	unsigned max_replays;
	time_t not_before, not_after; /* validity of the header; 0 = open */
	const RoutingCombo *combos;   /* what that node is to do */
	size_t ncombos;
	const HeaderRequest *requests; /* header requests (7.2), at most 8 */
	size_t nrequests;
	const heim_bit_string *puzzle; /* a challenge to solve in the header (7.3.2.1) */
	const RoutingCombo *reply;     /* the header's requestReplyBlock; NULL: an empty one */
	/* set by vx_hop_seal */
	uint32_t fs;
	SymmetricKey peer_key;
	vx_bytes mprefix, cprefix, header, routing;
} vx_hop;

/*
 * Seal a hop: fresh forward secret, peer and sender keys (AES-256-GCM), the
 * prefixes to the host key, the signed header and the routing block.
 */
vx_status vx_hop_seal(vx_hop *h);
/* Free what vx_hop_seal made; the caller's fields are untouched. */
void vx_hop_clear(vx_hop *h);
/* The hop's Vortex message with these payload chunks (ID i+1 at i). */
vx_status vx_hop_message(const vx_hop *h, const vx_bytes *payload, size_t n, vx_bytes *wire);
/*
 * A RoutingCombo making the previous node run ops and send h's message to
 * recipient between min_time and max_time seconds after arrival. Deep
 * copies; free_RoutingCombo releases out.
 */
vx_status vx_hop_combo(const vx_hop *h, const BlendingSpec *recipient, const PayloadOperation *ops,
                       size_t nops, int min_time, int max_time, RoutingCombo *out);

/*
 * Operations for a combo's assembly. Keys are borrowed (a shallow copy):
 * vx_hop_combo deep-copies what it keeps, the caller frees its keys.
 */
void vx_op_crypt(PayloadOperation *op, int encrypt, int from, int to, const SymmetricKey *k);
void vx_op_map(PayloadOperation *op, int from, int to);

/* A BlendingSpec for PLAIN blending to address at the given offsets. */
vx_status vx_blending_spec_plain(const char *address, const vx_pkey *key, const unsigned *offsets,
                                 size_t noffsets, BlendingSpec *out);

#endif
