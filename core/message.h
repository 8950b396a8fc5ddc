/*
 * message.h - the Vortex message of section 4.
 *
 * On the wire a Vortex message is the DER of the schema's VortexMessage:
 * the MPREFIX (PrefixBlock with the peer key sk_p, encrypted to the
 * receiving host key) and the InnerMessageBlock encrypted with sk_p. The
 * InnerMessageBlock holds the padding of 4.3, the CPREFIX (PrefixBlock with
 * the sender key sk_s, encrypted to the host key), the HeaderBlock and the
 * RoutingBlock (both under sk_s), the identity signature and the payload.
 *
 * This module owns three things:
 *  - sealing the parts a routing-block builder precomputes (prefixes,
 *    header with its signature, routing block), exactly the octets a
 *    RoutingCombo carries in mPrefix, cPrefix, header and routing;
 *  - assembling a message from sealed parts, a peer key and payload
 *    chunks: what a node does for the next hop without reading its parts;
 *  - opening a received message with a host key: decrypt, decode, check
 *    the forward secrets and the identity signature.
 * See docs/protocol-notes.md, "The Vortex message".
 */
#ifndef VX_MESSAGE_H
#define VX_MESSAGE_H

#include "asn1.h"
#include "bytes.h"
#include "pkey.h"

/* The padding of 4.3: 16 bytes for each of the first four payload chunks. */
#define VX_MSG_PADDING_LEN 64
/* Protocol limits of the schema (Heimdal drops them; enforced here). */
#define VX_MAX_PAYLOAD_BLOCKS 127

/* Seal a PrefixBlock {fs, key} to a host public key (MPREFIX or CPREFIX). */
vx_status vx_msg_seal_prefix(const vx_pkey *host, uint32_t fs, const SymmetricKey *key,
                             vx_bytes *out);
/*
 * Seal a HeaderBlock: encrypt its DER under the sender key and sign the DER
 * with the identity's private key (the hash named by hb->signAlgorithm).
 * out holds the two InnerMessageBlock fields `identity` ([11022]
 * alternative) and `identitySignature`, DER-encoded back to back: the
 * content of RoutingCombo.header.
 */
vx_status vx_msg_seal_header(const SymmetricKey *sender_key, const vx_pkey *identity,
                             const HeaderBlock *hb, vx_bytes *out);
/* Seal a RoutingBlock: its DER under the sender key. */
vx_status vx_msg_seal_routing(const SymmetricKey *sender_key, const RoutingBlock *rb,
                              vx_bytes *out);

typedef struct vx_msg_parts {
	const uint8_t *mprefix; /* sealed MPREFIX */
	size_t mprefix_len;
	const SymmetricKey *peer_key; /* the key inside the MPREFIX */
	const uint8_t *cprefix;       /* sealed CPREFIX */
	size_t cprefix_len;
	const uint8_t *header; /* sealed header (vx_msg_seal_header) */
	size_t header_len;
	const uint8_t *routing; /* sealed routing block */
	size_t routing_len;
	const vx_bytes *payload; /* chunks; position i is workspace ID i+1 */
	size_t npayload;
} vx_msg_parts;

/* Assemble the DER VortexMessage from sealed parts. */
vx_status vx_msg_assemble(const vx_msg_parts *p, vx_bytes *wire);

/* The 4.3 padding for a payload list (random where chunks are missing). */
vx_status vx_msg_padding(const vx_bytes *payload, size_t n, uint8_t pad[VX_MSG_PADDING_LEN]);

typedef struct vx_msg vx_msg;

/*
 * Open a message fully. Fails with VX_EFWDSECRET when the forward secrets
 * differ (the caller discards silently, 4.3) and VX_ESIGNATURE when the
 * identity signature does not verify.
 */
vx_status vx_msg_open(const uint8_t *wire, size_t len, const vx_pkey *host, vx_msg **out);
/*
 * The same, and *for_host says whether the MPREFIX opened with host: the
 * message is for this host even when a later stage fails, so that a
 * scan tries each host key once.
 */
vx_status vx_msg_open_for(const uint8_t *wire, size_t len, const vx_pkey *host, vx_msg **out,
                          int *for_host);
void vx_msg_free(vx_msg *m);

const HeaderBlock *vx_msg_header(const vx_msg *m);
/* The DER of the HeaderBlock as received (signed bytes; puzzle MAC input). */
const vx_bytes *vx_msg_header_der(const vx_msg *m);
const RoutingBlock *vx_msg_routing(const vx_msg *m);
const SymmetricKey *vx_msg_peer_key(const vx_msg *m);
uint32_t vx_msg_forward_secret(const vx_msg *m);
size_t vx_msg_payload_count(const vx_msg *m);
/* Payload chunk i (0-based; workspace ID i+1). */
const heim_octet_string *vx_msg_payload(const vx_msg *m, size_t i);

#endif
