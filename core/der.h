/*
 * der.h - the checked DER layer over Heimdal's generated codec.
 *
 * Every decode is exact (no trailing bytes), strictly DER (the decoded
 * value must re-encode to the very same bytes, which rejects BER forms
 * Heimdal tolerates), and enforces the constraints of the schema that
 * Heimdal's dialect cannot express (see asn1/README): SIZE bounds on
 * OCTET STRINGs and SEQUENCE OFs, checked recursively through nesting.
 */
#ifndef VX_DER_H
#define VX_DER_H

#include "asn1.h"
#include "bytes.h"

#define VX_DER_TYPES(X)                                                                            \
	X(VortexMessage)                                                                           \
	X(PrefixBlock)                                                                             \
	X(InnerMessageBlock)                                                                       \
	X(HeaderBlock)                                                                             \
	X(RoutingBlock)                                                                            \
	X(RoutingCombo)                                                                            \
	X(PayloadOperation)                                                                        \
	X(SymmetricKey)                                                                            \
	X(AsymmetricKey)                                                                           \
	X(SpecialBlock)                                                                            \
	X(HeaderRequest)                                                                           \
	X(RequirementBlock)                                                                        \
	X(BlendingSpec)                                                                            \
	X(NodeSpec)                                                                                \
	X(UsagePeriod)                                                                             \
	X(MemoryPayloadChunk)                                                                      \
	X(IdentityStore)

typedef enum vx_der_type {
#define VX_DER_ENUM(T) VX_DER_##T,
	VX_DER_TYPES(VX_DER_ENUM)
#undef VX_DER_ENUM
	    VX_DER_TYPE_MAX
} vx_der_type;

/*
 * Decode exactly len bytes as type t into out (a T *). On failure out is
 * zeroed and holds nothing to free: VX_EDECODE (malformed or not DER),
 * VX_ETRAILING (bytes after the value), VX_ERANGE (a schema constraint).
 */
vx_status vx_der_decode(vx_der_type t, const uint8_t *buf, size_t len, void *out);
/* Encode *in (a const T *) into a fresh buffer. */
vx_status vx_der_encode(vx_der_type t, const void *in, vx_bytes *out);
/* free_T on a decoded value. */
void vx_der_free(vx_der_type t, void *v);
/* Size of the C structure of type t. */
size_t vx_der_size(vx_der_type t);
/* The schema name of type t ("HeaderBlock"), or NULL. */
const char *vx_der_name(vx_der_type t);
/* Type from its schema name (case-insensitive); VX_DER_TYPE_MAX if none. */
vx_der_type vx_der_lookup(const char *name);
/*
 * The first type, in the order of the enum, whose checked decode accepts
 * buf exactly; VX_DER_TYPE_MAX if none. Several types can share an
 * encoding; the order prefers the protocol's outer blocks.
 */
vx_der_type vx_der_detect(const uint8_t *buf, size_t len);

#endif
