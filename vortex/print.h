/*
 * print.h - ASN.1-value-like text of every MessageVortex schema type, for
 * `vortex dump`, `vortex address` and debugging output of the lead's
 * commands.
 *
 * One printer per schema type, named vx_print_<Type>. A printer writes the
 * value starting at the current column and ends the line; structured
 * values open "{", print their fields by schema name one per line at
 * indent + 1 (two spaces a level) and close "}" at indent. INTEGERs are
 * decimal, ENUMERATEDs by name, OCTET STRINGs hex (the first 32 bytes,
 * then "... (N bytes)"), IA5Strings quoted, GeneralizedTime ISO-8601 UTC,
 * CHOICEs "alternative: value"; absent OPTIONALs are omitted.
 */
#ifndef VX_PRINT_H
#define VX_PRINT_H

#include <stdio.h>

#include "der.h"

#define VX_PRINT_TYPES(X)                                                                          \
	X(CipherUsage)                                                                             \
	X(PRNGType)                                                                                \
	X(SymmetricAlgorithm)                                                                      \
	X(CipherMode)                                                                              \
	X(CipherPadding)                                                                           \
	X(AsymmetricAlgorithm)                                                                     \
	X(MacAlgorithm)                                                                            \
	X(ECCurveType)                                                                             \
	X(AlgorithmParameters)                                                                     \
	X(SymmetricAlgorithmSpec)                                                                  \
	X(AsymmetricAlgorithmSpec)                                                                 \
	X(MacAlgorithmSpec)                                                                        \
	X(CipherSpec)                                                                              \
	X(PRNGAlgorithmSpec)                                                                       \
	X(SymmetricKey)                                                                            \
	X(AsymmetricKey)                                                                           \
	X(UsagePeriod)                                                                             \
	X(Protocol)                                                                                \
	X(NodeSpec)                                                                                \
	X(BlendingParameter)                                                                       \
	X(BlendingSpec)                                                                            \
	X(PercentSizeBlock)                                                                        \
	X(AbsoluteSizeBlock)                                                                       \
	X(SizeBlock)                                                                               \
	X(AddRedundancyOperation)                                                                  \
	X(RemoveRedundancyOperation)                                                               \
	X(SplitPayloadOperation)                                                                   \
	X(MergePayloadOperation)                                                                   \
	X(EncryptPayloadOperation)                                                                 \
	X(DecryptPayloadOperation)                                                                 \
	X(MapBlockOperation)                                                                       \
	X(PayloadOperation)                                                                        \
	X(Currency)                                                                                \
	X(RequirementPuzzleRequired)                                                               \
	X(RequirementPaymentRequired)                                                              \
	X(RequirementBlock)                                                                        \
	X(HeaderRequestIdentity)                                                                   \
	X(HeaderRequestReplaceIdentity)                                                            \
	X(HeaderRequestQuota)                                                                      \
	X(HeaderRequestNodes)                                                                      \
	X(HeaderRequestIncreaseMessageQuota)                                                       \
	X(HeaderRequestIncreaseTransferQuota)                                                      \
	X(HeaderRequestCapability)                                                                 \
	X(HeaderRequest)                                                                           \
	X(ChainSecret)                                                                             \
	X(PuzzleIdentifier)                                                                        \
	X(PrefixBlock)                                                                             \
	X(RoutingCombo)                                                                            \
	X(HeaderBlock)                                                                             \
	X(RoutingBlock)                                                                            \
	X(InnerMessageBlock)                                                                       \
	X(StatusCode)                                                                              \
	X(StatusBlock)                                                                             \
	X(ReplyNodes)                                                                              \
	X(ReplyCapability)                                                                         \
	X(ReplyCurrentQuota)                                                                       \
	X(SpecialBlock)                                                                            \
	X(VortexMessage)                                                                           \
	X(MemoryPayloadChunk)                                                                      \
	X(IdentityReplayBlock)                                                                     \
	X(IdentityReplayStore)                                                                     \
	X(IdentityStoreBlock)                                                                      \
	X(IdentityStore)

#define VX_PRINT_DECL(T) void vx_print_##T(FILE *f, const T *v, int indent);
VX_PRINT_TYPES(VX_PRINT_DECL)
#undef VX_PRINT_DECL

/*
 * Print "TypeName value" at indent for a decoded value of type t (as
 * from vx_der_decode). Nothing for an unknown t.
 */
void vx_print(FILE *f, vx_der_type t, const void *v, int indent);

#endif
