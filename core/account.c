/* account.c - accounting decisions for received messages (7.1.1, 8.1). */
#include <string.h>

#include "account.h"
#include "pkey.h"
#include "puzzle.h"

/* Reply codes (7.3.1) are the schema's StatusCode enumerators (ok, identityUnknown, ...). */

static vx_status fingerprint(const HeaderBlock *hb, uint8_t fp[VX_FINGERPRINT_LEN])
{
	vx_pkey *k;
	vx_status st;

	if ((st = vx_pkey_from_asn1(&hb->identityKey, &k)) != VX_OK)
		return st;
	st = vx_pkey_fingerprint(k, fp);
	vx_pkey_free(k);
	return st;
}

static const HeaderRequestIdentity *identity_request(const HeaderBlock *hb)
{
	for (unsigned i = 0; i < hb->requests.len; i++)
		if (hb->requests.val[i].element == choice_HeaderRequest_identity)
			return &hb->requests.val[i].u.identity;
	return NULL;
}

static int within(const UsagePeriod *p, int64_t now)
{
	return (!p->notBefore || *p->notBefore <= now) && (!p->notAfter || now < *p->notAfter);
}

/* A temporary identity becomes permanent when this header solves its puzzle. */
static vx_status try_puzzle(vx_store *s, const vx_msg *m, const uint8_t *fp, int64_t now,
                            vx_identity *id, int *solved)
{
	heim_bit_string ch;
	vx_status st;

	*solved = 0;
	if ((st = vx_store_puzzle_get(s, fp, now, &ch)) != VX_OK)
		return st == VX_ENOTFOUND ? VX_OK : st;
	st = vx_puzzle_check(vx_msg_header_der(m)->data, vx_msg_header_der(m)->len,
	                     vx_msg_header(m)->signAlgorithm.algorithm, &ch);
	vx_puzzle_challenge_free(&ch);
	if (st == VX_EAUTH)
		return VX_OK;
	if (st != VX_OK)
		return st;
	id->temporary = 0;
	if ((st = vx_store_identity_put(s, fp, id)) != VX_OK)
		return st;
	*solved = 1;
	return vx_store_puzzle_del(s, fp);
}

vx_status vx_account_message(vx_store *s, const vx_account_policy *p, const vx_msg *m, int64_t now,
                             vx_account_result *r)
{
	const HeaderBlock *hb = vx_msg_header(m);
	vx_identity id;
	int64_t expiry;
	int replay;
	vx_status st;

	(void)p;
	memset(r, 0, sizeof *r);
	if ((st = fingerprint(hb, r->fp)) != VX_OK)
		return st;
	r->verdict = VX_VERDICT_IGNORE;
	if (!within(&hb->valid, now)) {
		r->status = messageLifeExpired;
		return VX_OK;
	}
	st = vx_store_identity_get(s, r->fp, now, &id);
	if (st == VX_ENOTFOUND) {
		/* unauthenticated: only identity creation is heard (7.1.1) */
		if (identity_request(hb)) {
			r->verdict = VX_VERDICT_CREATE_IDENTITY;
			r->status = puzzleRequired;
		} else {
			r->status = identityUnknown;
		}
		return VX_OK;
	}
	if (st != VX_OK)
		return st;
	r->expiry = id.expiry;
	if (id.temporary && (st = try_puzzle(s, m, r->fp, now, &id, &r->solved)) != VX_OK)
		return st;
	if (id.temporary) {
		r->status = puzzleRequired;
		return VX_OK;
	}
	/* authenticated, unless the header's uses are spent (7.1.1) */
	expiry = hb->valid.notAfter ? *hb->valid.notAfter : id.expiry;
	if ((st = vx_store_replay(s, r->fp, hb->serial, (unsigned)hb->maxReplays, expiry, now,
	                          &replay)) == VX_ELIMIT) {
		r->verdict = VX_VERDICT_REPLAY;
		return VX_OK;
	}
	if (st != VX_OK)
		return st;
	/* a message with payload costs one from the message quota (7.1.1, 8.1.3) */
	if (vx_msg_payload_count(m)) {
		st = vx_store_identity_charge(s, r->fp, 1, 0, now);
		if (st == VX_ELIMIT) {
			r->verdict = VX_VERDICT_QUOTA;
			r->status = messageQuotaExceeded;
			return VX_OK;
		}
		if (st != VX_OK)
			return st;
	}
	r->verdict = VX_VERDICT_PROCESS;
	r->status = ok;
	return VX_OK;
}

vx_status vx_account_create_identity(vx_store *s, const vx_account_policy *p, const vx_msg *m,
                                     int64_t now, heim_bit_string *challenge)
{
	const HeaderBlock *hb = vx_msg_header(m);
	const HeaderRequestIdentity *req = identity_request(hb);
	uint8_t fp[VX_FINGERPRINT_LEN];
	vx_identity id = {0, p->message_quota, p->transfer_quota, 1};
	int64_t life = p->max_lifetime;
	vx_status st;

	memset(challenge, 0, sizeof *challenge);
	if (!req)
		return VX_EINVAL;
	if ((st = fingerprint(hb, fp)) != VX_OK)
		return st;
	/* an existing identity is never re-created (7.1.1) */
	if (vx_store_identity_get(s, fp, now, &id) == VX_OK)
		return VX_EINVAL;
	if (req->period.notAfter && *req->period.notAfter - now < life)
		life = *req->period.notAfter - now;
	if (life <= 0)
		return VX_EEXPIRED;
	id = (vx_identity){now + life, p->message_quota, p->transfer_quota, 1};
	if ((st = vx_puzzle_challenge(vx_puzzle_bits(p->puzzle_base_bits, life), challenge)) !=
	        VX_OK ||
	    (st = vx_store_identity_put(s, fp, &id)) != VX_OK ||
	    (st = vx_store_puzzle_put(s, fp, challenge, now + life)) != VX_OK)
		vx_puzzle_challenge_free(challenge);
	return st;
}
