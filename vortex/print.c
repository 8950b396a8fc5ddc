/* print.c - the text form of the schema types (see print.h). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "print.h"

#define HEX_MAX 32

static void ind(FILE *f, int n)
{
	fprintf(f, "%*s", 2 * n, "");
}

/* structured values: "{", fields at in + 1, "}" at in */
#define OPEN() fputs("{\n", f)
#define CLOSE()                                                                                    \
	do {                                                                                       \
		ind(f, in);                                                                        \
		fputs("}\n", f);                                                                   \
	} while (0)
#define NAME(name)           (ind(f, in + 1), fputs(name " ", f))
#define FIELD(name, fn, ptr) (NAME(name), fn(f, (ptr), in + 1))
#define OPT(name, fn, ptr)                                                                         \
	do {                                                                                       \
		if (ptr)                                                                           \
			FIELD(name, fn, ptr);                                                      \
	} while (0)
/* a CHOICE value: at in when the CHOICE is the type, at in + 1 in a field */
#define ALT(name, fn, ptr)       (fputs(name ": ", f), fn(f, (ptr), in))
#define FIELD_ALT(name, fn, ptr) (fputs(name ": ", f), fn(f, (ptr), in + 1))
/* a SEQUENCE OF: one element per line at in + 2 */
#define LIST(name, fn, lst)                                                                        \
	do {                                                                                       \
		NAME(name);                                                                        \
		fputs((lst).len ? "{\n" : "{", f);                                                 \
		for (unsigned i_ = 0; i_ < (lst).len; i_++) {                                      \
			ind(f, in + 2);                                                            \
			fn(f, &(lst).val[i_], in + 2);                                             \
		}                                                                                  \
		if ((lst).len)                                                                     \
			ind(f, in + 1);                                                            \
		fputs("}\n", f);                                                                   \
	} while (0)

/* A private key is never printed, not even in a debugging dump. */
static void p_secret(FILE *f, const heim_octet_string *v, int in)
{
	(void)in;
	fprintf(f, "(%zu bytes, not shown)\n", v->length);
}

static void p_int(FILE *f, const int *v, int in)
{
	(void)in;
	fprintf(f, "%d\n", *v);
}

static void p_uint(FILE *f, const unsigned *v, int in)
{
	(void)in;
	fprintf(f, "%u\n", *v);
}

static void p_int64(FILE *f, const int64_t *v, int in)
{
	(void)in;
	fprintf(f, "%" PRId64 "\n", *v);
}

/* unbounded INTEGER: decimal of any size */
static void p_bigint(FILE *f, const heim_integer *v, int in)
{
	BIGNUM *bn = BN_bin2bn(v->data, (int)v->length, NULL);
	char *dec = bn ? BN_bn2dec(bn) : NULL;

	(void)in;
	if (dec)
		fprintf(f, "%s%s\n", v->negative && !BN_is_zero(bn) ? "-" : "", dec);
	else
		fputs("(out of memory)\n", f);
	OPENSSL_free(dec);
	BN_free(bn);
}

static void p_hex(FILE *f, const uint8_t *p, size_t n, const char *unit, size_t count)
{
	if (!n) {
		fprintf(f, "(0 %s)\n", unit);
		return;
	}
	for (size_t i = 0; i < n && i < HEX_MAX; i++)
		fprintf(f, "%02x", p[i]);
	if (n > HEX_MAX)
		fprintf(f, "... (%zu %s)", count, unit);
	fputc('\n', f);
}

static void p_octets(FILE *f, const heim_octet_string *v, int in)
{
	(void)in;
	p_hex(f, v->data, v->length, "bytes", v->length);
}

static void p_bits(FILE *f, const heim_bit_string *v, int in)
{
	size_t bytes = (v->length + 7) / 8;

	(void)in;
	p_hex(f, v->data, bytes, "bits", v->length);
}

static void p_ia5(FILE *f, const heim_ia5_string *v, int in)
{
	const unsigned char *s = v->data;

	(void)in;
	fputc('"', f);
	for (size_t i = 0; i < v->length; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] > 0x7e)
			fprintf(f, "\\x%02x", s[i]);
		else
			fputc(s[i], f);
	}
	fputs("\"\n", f);
}

static void p_time(FILE *f, const time_t *v, int in)
{
	struct tm tm;
	char buf[64];

	(void)in;
	if (gmtime_r(v, &tm) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		fprintf(f, "%s\n", buf);
	else
		fprintf(f, "%lld (seconds since 1970)\n", (long long)*v);
}

/* ENUMERATED: the name, or the number for a value the schema lacks */
struct ename {
	int v;
	const char *n;
};

static void p_enum(FILE *f, const struct ename *t, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v) {
			fprintf(f, "%s\n", t[i].n);
			return;
		}
	fprintf(f, "%d\n", v);
}

#define E(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
#define ENUM(T, ...)                                                                               \
	void vx_print_##T(FILE *f, const T *v, int indent)                                         \
	{                                                                                          \
		static const struct ename names[] = {__VA_ARGS__};                                 \
		(void)indent;                                                                      \
		p_enum(f, names, sizeof names / sizeof *names, (int)*v);                           \
	}

ENUM(CipherUsage, E(sign), E(encrypt))
ENUM(PRNGType, E(mrg32k3a), E(blumMicali))
ENUM(SymmetricAlgorithm, E(aes128), E(aes192), E(aes256), E(camellia128), E(camellia192),
     E(camellia256), E(twofish128), E(twofish192), E(twofish256))
ENUM(CipherMode, E(ecb), E(cbc), E(eax), E(ctr), E(ccm), E(gcm), E(ocb), E(ofb), E(modeNone))
ENUM(CipherPadding, E(paddingNone), E(pkcs1), E(pkcs7))
ENUM(AsymmetricAlgorithm, E(rsa), E(dsa), E(ec), E(ntru))
ENUM(MacAlgorithm, E(sha256), E(sha384), E(sha512), E(ripemd160), E(ripemd256), E(ripemd320))
ENUM(ECCurveType, E(secp384r1), E(sect409k1), E(secp521r1))
ENUM(Protocol, E(smtp), E(xmmp))
ENUM(Currency, E(btc), E(eth), E(zec))
ENUM(StatusCode, E(ok), E(quotaStatus), E(puzzleRequired), E(transferQuotaExceeded),
     E(messageQuotaExceeded), E(requestedQuotaOutOfBand), E(identityUnknown),
     E(messageChunkMissing), E(messageLifeExpired), E(puzzleUnknown), E(macAlgorithmUnknown),
     E(symmetricAlgorithmUnknown), E(asymmetricAlgorithmUnknown), E(prngAlgorithmUnknown),
     E(missingParameters), E(badParameters), E(hostError))

/* --- MessageVortex-Ciphers */
void vx_print_AlgorithmParameters(FILE *f, const AlgorithmParameters *v, int in)
{
	OPEN();
	OPT("keySize", p_int, v->keySize);
	OPT("curveType", vx_print_ECCurveType, v->curveType);
	OPT("initialisationVector", p_octets, v->initialisationVector);
	OPT("nonce", p_octets, v->nonce);
	OPT("mode", vx_print_CipherMode, v->mode);
	OPT("padding", vx_print_CipherPadding, v->padding);
	OPT("n", p_bigint, v->n);
	OPT("p", p_bigint, v->p);
	OPT("q", p_bigint, v->q);
	OPT("k", p_bigint, v->k);
	OPT("t", p_bigint, v->t);
	CLOSE();
}

void vx_print_SymmetricAlgorithmSpec(FILE *f, const SymmetricAlgorithmSpec *v, int in)
{
	OPEN();
	FIELD("algorithm", vx_print_SymmetricAlgorithm, &v->algorithm);
	OPT("padding", vx_print_CipherPadding, v->padding);
	OPT("mode", vx_print_CipherMode, v->mode);
	OPT("parameter", vx_print_AlgorithmParameters, v->parameter);
	CLOSE();
}

void vx_print_AsymmetricAlgorithmSpec(FILE *f, const AsymmetricAlgorithmSpec *v, int in)
{
	OPEN();
	FIELD("algorithm", vx_print_AsymmetricAlgorithm, &v->algorithm);
	OPT("parameter", vx_print_AlgorithmParameters, v->parameter);
	CLOSE();
}

void vx_print_MacAlgorithmSpec(FILE *f, const MacAlgorithmSpec *v, int in)
{
	OPEN();
	FIELD("algorithm", vx_print_MacAlgorithm, &v->algorithm);
	FIELD("parameter", vx_print_AlgorithmParameters, &v->parameter);
	CLOSE();
}

void vx_print_CipherSpec(FILE *f, const CipherSpec *v, int in)
{
	OPEN();
	OPT("asymmetric", vx_print_AsymmetricAlgorithmSpec, v->asymmetric);
	OPT("symmetric", vx_print_SymmetricAlgorithmSpec, v->symmetric);
	OPT("mac", vx_print_MacAlgorithmSpec, v->mac);
	FIELD("cipherUsage", vx_print_CipherUsage, &v->cipherUsage);
	CLOSE();
}

void vx_print_PRNGAlgorithmSpec(FILE *f, const PRNGAlgorithmSpec *v, int in)
{
	OPEN();
	FIELD("type", vx_print_PRNGType, &v->type);
	FIELD("seed", p_octets, &v->seed);
	CLOSE();
}

void vx_print_SymmetricKey(FILE *f, const SymmetricKey *v, int in)
{
	OPEN();
	FIELD("keyType", vx_print_SymmetricAlgorithm, &v->keyType);
	FIELD("parameter", vx_print_AlgorithmParameters, &v->parameter);
	FIELD("key", p_octets, &v->key);
	CLOSE();
}

void vx_print_AsymmetricKey(FILE *f, const AsymmetricKey *v, int in)
{
	OPEN();
	FIELD("keyType", vx_print_AsymmetricAlgorithm, &v->keyType);
	FIELD("publicKey", p_octets, &v->publicKey);
	OPT("privateKey", p_secret, v->privateKey);
	CLOSE();
}

/* --- MessageVortex-Helpers */
void vx_print_UsagePeriod(FILE *f, const UsagePeriod *v, int in)
{
	OPEN();
	OPT("notBefore", p_time, v->notBefore);
	OPT("notAfter", p_time, v->notAfter);
	CLOSE();
}

void vx_print_NodeSpec(FILE *f, const NodeSpec *v, int in)
{
	OPEN();
	FIELD("transportProtocol", vx_print_Protocol, &v->transportProtocol);
	FIELD("recipientAddress", p_ia5, &v->recipientAddress);
	OPT("recipientKey", vx_print_AsymmetricKey, v->recipientKey);
	CLOSE();
}

void vx_print_BlendingParameter(FILE *f, const BlendingParameter *v, int in)
{
	switch (v->element) {
	case choice_BlendingParameter_offset:
		ALT("offset", p_uint, &v->u.offset);
		break;
	case choice_BlendingParameter_symmetricKey:
		ALT("symmetricKey", vx_print_SymmetricKey, &v->u.symmetricKey);
		break;
	case choice_BlendingParameter_asymmetricKey:
		ALT("asymmetricKey", vx_print_AsymmetricKey, &v->u.asymmetricKey);
		break;
	case choice_BlendingParameter_passphrase:
		ALT("passphrase", p_octets, &v->u.passphrase);
		break;
	default:
		fputs("(unknown alternative)\n", f);
	}
}

void vx_print_BlendingSpec(FILE *f, const BlendingSpec *v, int in)
{
	OPEN();
	FIELD("target", vx_print_NodeSpec, &v->target);
	FIELD("blendingType", p_ia5, &v->blendingType);
	LIST("parameter", vx_print_BlendingParameter, v->parameter);
	CLOSE();
}

/* --- MessageVortex-Operations */
void vx_print_PercentSizeBlock(FILE *f, const PercentSizeBlock *v, int in)
{
	OPEN();
	FIELD("fromPercent", p_int, &v->fromPercent);
	FIELD("toPercent", p_int, &v->toPercent);
	CLOSE();
}

void vx_print_AbsoluteSizeBlock(FILE *f, const AbsoluteSizeBlock *v, int in)
{
	OPEN();
	FIELD("fromAbsolute", p_uint, &v->fromAbsolute);
	FIELD("toAbsolute", p_int64, &v->toAbsolute);
	CLOSE();
}

void vx_print_SizeBlock(FILE *f, const SizeBlock *v, int in)
{
	OPEN();
	NAME("size");
	switch (v->size.element) {
	case choice_SizeBlock_size_percent:
		FIELD_ALT("percent", vx_print_PercentSizeBlock, &v->size.u.percent);
		break;
	case choice_SizeBlock_size_absolute:
		FIELD_ALT("absolute", vx_print_AbsoluteSizeBlock, &v->size.u.absolute);
		break;
	default:
		fputs("(unknown alternative)\n", f);
	}
	CLOSE();
}

/* add and remove share their fields; so do encrypt and decrypt */
#define REDUNDANCY_OP(T)                                                                           \
	void vx_print_##T(FILE *f, const T *v, int in)                                             \
	{                                                                                          \
		OPEN();                                                                            \
		FIELD("inputId", p_int, &v->inputId);                                              \
		FIELD("dataStripes", p_int, &v->dataStripes);                                      \
		FIELD("redundancy", p_int, &v->redundancy);                                        \
		LIST("keys", vx_print_SymmetricKey, v->keys);                                      \
		FIELD("outputId", p_int, &v->outputId);                                            \
		FIELD("gfSize", p_int, &v->gfSize);                                                \
		CLOSE();                                                                           \
	}
REDUNDANCY_OP(AddRedundancyOperation)
REDUNDANCY_OP(RemoveRedundancyOperation)

#define CRYPT_OP(T)                                                                                \
	void vx_print_##T(FILE *f, const T *v, int in)                                             \
	{                                                                                          \
		OPEN();                                                                            \
		FIELD("originalId", p_int, &v->originalId);                                        \
		FIELD("key", vx_print_SymmetricKey, &v->key);                                      \
		FIELD("newId", p_int, &v->newId);                                                  \
		CLOSE();                                                                           \
	}
CRYPT_OP(EncryptPayloadOperation)
CRYPT_OP(DecryptPayloadOperation)

void vx_print_SplitPayloadOperation(FILE *f, const SplitPayloadOperation *v, int in)
{
	OPEN();
	FIELD("originalId", p_int, &v->originalId);
	FIELD("firstSize", vx_print_SizeBlock, &v->firstSize);
	FIELD("newFirstId", p_int, &v->newFirstId);
	FIELD("newSecondId", p_int, &v->newSecondId);
	CLOSE();
}

void vx_print_MergePayloadOperation(FILE *f, const MergePayloadOperation *v, int in)
{
	OPEN();
	FIELD("originalFirstId", p_int, &v->originalFirstId);
	FIELD("originalSecondId", p_int, &v->originalSecondId);
	FIELD("newId", p_int, &v->newId);
	CLOSE();
}

void vx_print_MapBlockOperation(FILE *f, const MapBlockOperation *v, int in)
{
	OPEN();
	FIELD("originalId", p_int, &v->originalId);
	FIELD("newId", p_int, &v->newId);
	CLOSE();
}

void vx_print_PayloadOperation(FILE *f, const PayloadOperation *v, int in)
{
	switch (v->element) {
	case choice_PayloadOperation_splitPayload:
		ALT("splitPayload", vx_print_SplitPayloadOperation, &v->u.splitPayload);
		break;
	case choice_PayloadOperation_mergePayload:
		ALT("mergePayload", vx_print_MergePayloadOperation, &v->u.mergePayload);
		break;
	case choice_PayloadOperation_encryptPayload:
		ALT("encryptPayload", vx_print_EncryptPayloadOperation, &v->u.encryptPayload);
		break;
	case choice_PayloadOperation_decryptPayload:
		ALT("decryptPayload", vx_print_DecryptPayloadOperation, &v->u.decryptPayload);
		break;
	case choice_PayloadOperation_addRedundancy:
		ALT("addRedundancy", vx_print_AddRedundancyOperation, &v->u.addRedundancy);
		break;
	case choice_PayloadOperation_removeRedundancy:
		ALT("removeRedundancy", vx_print_RemoveRedundancyOperation, &v->u.removeRedundancy);
		break;
	case choice_PayloadOperation_map:
		ALT("map", vx_print_MapBlockOperation, &v->u.map);
		break;
	default:
		fputs("(unknown alternative)\n", f);
	}
}

/* --- MessageVortex-Requirements */
void vx_print_RequirementPuzzleRequired(FILE *f, const RequirementPuzzleRequired *v, int in)
{
	OPEN();
	FIELD("challenge", p_bits, &v->challenge);
	FIELD("mac", vx_print_MacAlgorithmSpec, &v->mac);
	FIELD("valid", vx_print_UsagePeriod, &v->valid);
	FIELD("identifier", p_uint, &v->identifier);
	CLOSE();
}

void vx_print_RequirementPaymentRequired(FILE *f, const RequirementPaymentRequired *v, int in)
{
	OPEN();
	FIELD("account", p_octets, &v->account);
	/* a REAL kept opaque (asn1/README): its content octets */
	FIELD("ammount", p_octets, &v->ammount);
	FIELD("currency", vx_print_Currency, &v->currency);
	CLOSE();
}

void vx_print_RequirementBlock(FILE *f, const RequirementBlock *v, int in)
{
	switch (v->element) {
	case choice_RequirementBlock_puzzle:
		ALT("puzzle", vx_print_RequirementPuzzleRequired, &v->u.puzzle);
		break;
	case choice_RequirementBlock_payment:
		ALT("payment", vx_print_RequirementPaymentRequired, &v->u.payment);
		break;
	default:
		fputs("(unknown alternative)\n", f);
	}
}

/* --- MessageVortex-Requests */
#define PERIOD_REQUEST(T)                                                                          \
	void vx_print_##T(FILE *f, const T *v, int in)                                             \
	{                                                                                          \
		OPEN();                                                                            \
		FIELD("period", vx_print_UsagePeriod, &v->period);                                 \
		CLOSE();                                                                           \
	}
PERIOD_REQUEST(HeaderRequestIdentity)
PERIOD_REQUEST(HeaderRequestCapability)

void vx_print_HeaderRequestReplaceIdentity(FILE *f, const HeaderRequestReplaceIdentity *v, int in)
{
	OPEN();
	FIELD("old", vx_print_NodeSpec, &v->old);
	FIELD("new", vx_print_NodeSpec, &v->new);
	CLOSE();
}

void vx_print_HeaderRequestQuota(FILE *f, const HeaderRequestQuota *v, int in)
{
	OPEN();
	OPT("reserved", p_int, v->reserved);
	CLOSE();
}

void vx_print_HeaderRequestNodes(FILE *f, const HeaderRequestNodes *v, int in)
{
	OPEN();
	FIELD("numberOfNodes", p_int, &v->numberOfNodes);
	CLOSE();
}

void vx_print_HeaderRequestIncreaseMessageQuota(FILE *f, const HeaderRequestIncreaseMessageQuota *v,
                                                int in)
{
	OPEN();
	FIELD("messages", p_uint, &v->messages);
	CLOSE();
}

void vx_print_HeaderRequestIncreaseTransferQuota(FILE *f,
                                                 const HeaderRequestIncreaseTransferQuota *v,
                                                 int in)
{
	OPEN();
	FIELD("size", p_uint, &v->size);
	CLOSE();
}

void vx_print_HeaderRequest(FILE *f, const HeaderRequest *v, int in)
{
	switch (v->element) {
	case choice_HeaderRequest_identity:
		ALT("identity", vx_print_HeaderRequestIdentity, &v->u.identity);
		break;
	case choice_HeaderRequest_capabilities:
		ALT("capabilities", vx_print_HeaderRequestCapability, &v->u.capabilities);
		break;
	case choice_HeaderRequest_messageQuota:
		ALT("messageQuota", vx_print_HeaderRequestIncreaseMessageQuota, &v->u.messageQuota);
		break;
	case choice_HeaderRequest_transferQuota:
		ALT("transferQuota", vx_print_HeaderRequestIncreaseTransferQuota,
		    &v->u.transferQuota);
		break;
	case choice_HeaderRequest_quotaQuery:
		ALT("quotaQuery", vx_print_HeaderRequestQuota, &v->u.quotaQuery);
		break;
	case choice_HeaderRequest_nodeQuery:
		ALT("nodeQuery", vx_print_HeaderRequestNodes, &v->u.nodeQuery);
		break;
	case choice_HeaderRequest_replace:
		ALT("replace", vx_print_HeaderRequestReplaceIdentity, &v->u.replace);
		break;
	default:
		fputs("(unknown alternative)\n", f);
	}
}

/* --- MessageVortex-Schema */
void vx_print_ChainSecret(FILE *f, const ChainSecret *v, int in)
{
	p_uint(f, v, in);
}

void vx_print_PuzzleIdentifier(FILE *f, const PuzzleIdentifier *v, int in)
{
	p_octets(f, v, in);
}

void vx_print_PrefixBlock(FILE *f, const PrefixBlock *v, int in)
{
	OPEN();
	FIELD("forwardsecret", vx_print_ChainSecret, &v->forwardsecret);
	FIELD("key", vx_print_SymmetricKey, &v->key);
	OPT("version", p_int, v->version);
	CLOSE();
}

void vx_print_RoutingCombo(FILE *f, const RoutingCombo *v, int in)
{
	OPEN();
	FIELD("minProcessTime", p_int, &v->minProcessTime);
	FIELD("maxProcessTime", p_int, &v->maxProcessTime);
	OPT("messageKey", vx_print_SymmetricKey, v->messageKey);
	OPT("recipient", vx_print_BlendingSpec, v->recipient);
	OPT("mPrefix", p_octets, v->mPrefix);
	OPT("cPrefix", p_octets, v->cPrefix);
	OPT("header", p_octets, v->header);
	OPT("routing", p_octets, v->routing);
	LIST("assembly", vx_print_PayloadOperation, v->assembly);
	FIELD("validity", vx_print_UsagePeriod, &v->validity);
	OPT("id", p_uint, v->id);
	CLOSE();
}

void vx_print_HeaderBlock(FILE *f, const HeaderBlock *v, int in)
{
	OPEN();
	FIELD("identityKey", vx_print_AsymmetricKey, &v->identityKey);
	FIELD("serial", p_uint, &v->serial);
	FIELD("maxReplays", p_int, &v->maxReplays);
	FIELD("valid", vx_print_UsagePeriod, &v->valid);
	FIELD("forwardSecret", vx_print_ChainSecret, &v->forwardSecret);
	FIELD("signAlgorithm", vx_print_MacAlgorithmSpec, &v->signAlgorithm);
	LIST("requests", vx_print_HeaderRequest, v->requests);
	FIELD("requestReplyBlock", vx_print_RoutingCombo, &v->requestReplyBlock);
	OPT("identifier", vx_print_PuzzleIdentifier, v->identifier);
	OPT("proofOfWork", p_octets, v->proofOfWork);
	CLOSE();
}

void vx_print_RoutingBlock(FILE *f, const RoutingBlock *v, int in)
{
	OPEN();
	switch (v->routing.element) {
	case choice_RoutingBlock_routing_plain:
		LIST("routing plain:", vx_print_RoutingCombo, v->routing.u.plain);
		break;
	case choice_RoutingBlock_routing_encrypted:
		LIST("routing encrypted:", p_octets, v->routing.u.encrypted);
		break;
	default:
		NAME("routing");
		fputs("(unknown alternative)\n", f);
	}
	FIELD("forwardSecret", vx_print_ChainSecret, &v->forwardSecret);
	if (v->replyBlock) {
		NAME("replyBlock");
		in++;
		OPEN();
		FIELD("murb", vx_print_RoutingCombo, &v->replyBlock->murb);
		FIELD("maxReplay", p_uint, &v->replyBlock->maxReplay);
		FIELD("validity", vx_print_UsagePeriod, &v->replyBlock->validity);
		CLOSE();
		in--;
	}
	CLOSE();
}

/* a CHOICE between a plain block and its encrypted bytes */
#define PLAIN_OR(name, choice, fn, enc)                                                            \
	do {                                                                                       \
		NAME(name);                                                                        \
		if ((choice).element == 1)                                                         \
			FIELD_ALT("plain", fn, &(choice).u.plain);                                 \
		else if ((choice).element == 2)                                                    \
			FIELD_ALT(#enc, p_octets, &(choice).u.enc);                                \
		else                                                                               \
			fputs("(unknown alternative)\n", f);                                       \
	} while (0)

void vx_print_InnerMessageBlock(FILE *f, const InnerMessageBlock *v, int in)
{
	OPEN();
	FIELD("padding", p_octets, &v->padding);
	PLAIN_OR("prefix", v->prefix, vx_print_PrefixBlock, encrypted);
	PLAIN_OR("identity", v->identity, vx_print_HeaderBlock, encyrpted);
	FIELD("identitySignature", p_octets, &v->identitySignature);
	PLAIN_OR("routing", v->routing, vx_print_RoutingBlock, encyrpted);
	LIST("payload", p_octets, v->payload);
	CLOSE();
}

/* --- MessageVortex-Replies */
void vx_print_StatusBlock(FILE *f, const StatusBlock *v, int in)
{
	OPEN();
	FIELD("code", vx_print_StatusCode, &v->code);
	CLOSE();
}

void vx_print_ReplyNodes(FILE *f, const ReplyNodes *v, int in)
{
	OPEN();
	LIST("node", vx_print_NodeSpec, v->node);
	CLOSE();
}

void vx_print_ReplyCapability(FILE *f, const ReplyCapability *v, int in)
{
	OPEN();
	LIST("cipher", vx_print_CipherSpec, v->cipher);
	LIST("mac", vx_print_MacAlgorithm, v->mac);
	LIST("prng", vx_print_PRNGType, v->prng);
	FIELD("maxTransferQuota", p_uint, &v->maxTransferQuota);
	FIELD("maxMessageQuota", p_uint, &v->maxMessageQuota);
	FIELD("maxHeaderSerials", p_uint, &v->maxHeaderSerials);
	FIELD("maxBuildOps", p_uint, &v->maxBuildOps);
	FIELD("maxHeaderLive", p_uint, &v->maxHeaderLive);
	LIST("supportedBlendingIn", vx_print_BlendingSpec, v->supportedBlendingIn);
	CLOSE();
}

void vx_print_ReplyCurrentQuota(FILE *f, const ReplyCurrentQuota *v, int in)
{
	OPEN();
	FIELD("messages", p_uint, &v->messages);
	FIELD("size", p_uint, &v->size);
	CLOSE();
}

void vx_print_SpecialBlock(FILE *f, const SpecialBlock *v, int in)
{
	switch (v->element) {
	case choice_SpecialBlock_capabilities:
		ALT("capabilities", vx_print_ReplyCapability, &v->u.capabilities);
		break;
	case choice_SpecialBlock_requirement:
		/* an unnamed SEQUENCE OF: its elements directly inside the braces */
		fputs("requirement: {\n", f);
		for (unsigned i = 0; i < v->u.requirement.len; i++) {
			ind(f, in + 1);
			vx_print_RequirementBlock(f, &v->u.requirement.val[i], in + 1);
		}
		CLOSE();
		break;
	case choice_SpecialBlock_quota:
		ALT("quota", vx_print_ReplyCurrentQuota, &v->u.quota);
		break;
	case choice_SpecialBlock_nodes:
		ALT("nodes", vx_print_ReplyNodes, &v->u.nodes);
		break;
	case choice_SpecialBlock_status:
		ALT("status", vx_print_StatusBlock, &v->u.status);
		break;
	default:
		fputs("(unknown alternative)\n", f);
	}
}

/* --- MessageVortex-NonProtocolBlocks */
void vx_print_VortexMessage(FILE *f, const VortexMessage *v, int in)
{
	OPEN();
	PLAIN_OR("prefix", v->prefix, vx_print_PrefixBlock, encrypted);
	PLAIN_OR("innerMessage", v->innerMessage, vx_print_InnerMessageBlock, encrypted);
	CLOSE();
}

void vx_print_MemoryPayloadChunk(FILE *f, const MemoryPayloadChunk *v, int in)
{
	OPEN();
	FIELD("id", p_int, &v->id);
	FIELD("payload", p_octets, &v->payload);
	FIELD("validity", vx_print_UsagePeriod, &v->validity);
	CLOSE();
}

void vx_print_IdentityReplayBlock(FILE *f, const IdentityReplayBlock *v, int in)
{
	OPEN();
	FIELD("identity", vx_print_AsymmetricKey, &v->identity);
	FIELD("valid", vx_print_UsagePeriod, &v->valid);
	FIELD("replaysRemaining", p_uint, &v->replaysRemaining);
	CLOSE();
}

void vx_print_IdentityReplayStore(FILE *f, const IdentityReplayStore *v, int in)
{
	OPEN();
	LIST("replays", vx_print_IdentityReplayBlock, v->replays);
	CLOSE();
}

void vx_print_IdentityStoreBlock(FILE *f, const IdentityStoreBlock *v, int in)
{
	OPEN();
	FIELD("valid", vx_print_UsagePeriod, &v->valid);
	FIELD("messageQuota", p_uint, &v->messageQuota);
	FIELD("transferQuota", p_uint, &v->transferQuota);
	OPT("identity", vx_print_AsymmetricKey, v->identity);
	OPT("nodeAddress", vx_print_NodeSpec, v->nodeAddress);
	if (v->nodeKey)
		LIST("nodeKey", vx_print_AsymmetricKey, *v->nodeKey);
	if (v->routingBlocks)
		LIST("routingBlocks", vx_print_RoutingBlock, *v->routingBlocks);
	FIELD("replayStore", vx_print_IdentityReplayStore, &v->replayStore);
	OPT("requirement", vx_print_RequirementBlock, v->requirement);
	CLOSE();
}

void vx_print_IdentityStore(FILE *f, const IdentityStore *v, int in)
{
	OPEN();
	LIST("identities", vx_print_IdentityStoreBlock, v->identities);
	CLOSE();
}

void vx_print(FILE *f, vx_der_type t, const void *v, int indent)
{
	switch (t) {
#define PRINT_CASE(T)                                                                              \
	case VX_DER_##T:                                                                           \
		ind(f, indent);                                                                    \
		fputs(#T " ", f);                                                                  \
		vx_print_##T(f, v, indent);                                                        \
		break;
		VX_DER_TYPES(PRINT_CASE)
#undef PRINT_CASE
	default:
		break;
	}
}
