/*
 * account.h - the accounting decision for a received message (sections
 * 7.1.1, 8.1.3, 8.1.5): is it authenticated, a refused replay, a request
 * for a new identity, or to be ignored; and the quota it costs. The state
 * lives in the store, so every process of a node decides alike.
 */
#ifndef VX_ACCOUNT_H
#define VX_ACCOUNT_H

#include "message.h"
#include "store.h"

typedef enum vx_verdict {
	VX_VERDICT_PROCESS,         /* authenticated: routing and payload go to the workspace */
	VX_VERDICT_CREATE_IDENTITY, /* unauthenticated, asks for an identity (7.2.1) */
	VX_VERDICT_IGNORE,          /* unauthenticated: nothing is processed (7.1.1) */
	VX_VERDICT_REPLAY,          /* replays used up: discarded, costs nothing */
	VX_VERDICT_QUOTA            /* message quota exhausted (8.1.3) */
} vx_verdict;

typedef struct vx_account_policy {
	unsigned puzzle_base_bits; /* bits for an identity living up to an hour */
	int64_t max_lifetime;      /* longest identity granted, seconds */
	uint64_t message_quota;    /* quotas of a new identity */
	uint64_t transfer_quota;
} vx_account_policy;

typedef struct vx_account_result {
	vx_verdict verdict;
	int status;                     /* protocol StatusCode for a reply (7.3.1) */
	int solved;                     /* this message solved the identity's puzzle */
	uint8_t fp[VX_FINGERPRINT_LEN]; /* the header's identity */
	int64_t expiry;                 /* the identity's, when it is known */
} vx_account_result;

/*
 * Decide on an opened message at time now, updating the store: replay
 * records, the quota charge (one message when it carries payload and is
 * not refused), a solved puzzle making its identity permanent.
 */
vx_status vx_account_message(vx_store *s, const vx_account_policy *p, const vx_msg *m, int64_t now,
                             vx_account_result *r);

/*
 * Create the temporary identity a message asked for, with the lifetime it
 * requested (bounded by the policy), and the puzzle it must solve, which
 * the caller sends back in a RequirementPuzzleRequired.
 */
vx_status vx_account_create_identity(vx_store *s, const vx_account_policy *p, const vx_msg *m,
                                     int64_t now, heim_bit_string *challenge);

#endif
