/* t-account.c - accounting of received messages (7.1.1, 7.2.1, 8.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "builder.h"
#include "puzzle.h"
#include "tap.h"

static vx_pkey *host, *ident;
static char dir[] = "/tmp/vx-account-XXXXXX";
static const int64_t now = 1800000000;

/* A message to host from ident; requests, puzzle and validity as given. */
static vx_msg *message(uint32_t serial, unsigned max_replays, int ask_identity,
                       const heim_bit_string *puzzle, int64_t not_after, int payload)
{
	HeaderRequest req;
	vx_hop h = {.host = host,
	            .identity = ident,
	            .serial = serial,
	            .max_replays = max_replays,
	            .not_before = now - 10,
	            .not_after = not_after};
	vx_bytes chunk = {0}, wire = {0};
	vx_msg *m = NULL;
	time_t until = (time_t)(now + 7200);

	memset(&req, 0, sizeof req);
	req.element = choice_HeaderRequest_identity;
	req.u.identity.period.notAfter = &until;
	if (ask_identity)
		h.requests = &req, h.nrequests = 1;
	h.puzzle = puzzle;
	vx_bytes_set(&chunk, "payload", 7);
	if (vx_hop_seal(&h) == VX_OK && vx_hop_message(&h, &chunk, payload ? 1 : 0, &wire) == VX_OK)
		vx_msg_open(wire.data, wire.len, host, &m);
	vx_bytes_free(&chunk);
	vx_bytes_free(&wire);
	vx_hop_clear(&h);
	return m;
}

static vx_verdict decide(vx_store *s, vx_msg *m, vx_account_result *r)
{
	vx_account_policy p = {8, 86400, 2, 1 << 20};

	if (!m || vx_account_message(s, &p, m, now, r) != VX_OK)
		return (vx_verdict)-1;
	return r->verdict;
}

int main(void)
{
	vx_account_policy pol = {8, 86400, 2, 1 << 20};
	vx_account_result r;
	heim_bit_string ch = {0, NULL};
	vx_store *s;
	vx_msg *m;

	if (!mkdtemp(dir) || vx_store_open(dir, NULL, &s) != VX_OK ||
	    vx_pkey_generate(ec, secp384r1, &host) != VX_OK ||
	    vx_pkey_generate(ec, secp384r1, &ident) != VX_OK)
		return 1;

	m = message(1, 0, 0, NULL, now + 3600, 1);
	is(decide(s, m, &r), VX_VERDICT_IGNORE, "unknown identity: ignored");
	is(r.status, 3101, "  identityUnknown");
	vx_msg_free(m);

	m = message(2, 0, 1, NULL, now + 3600, 1);
	is(decide(s, m, &r), VX_VERDICT_CREATE_IDENTITY, "an identity request is heard");
	ok(vx_account_create_identity(s, &pol, m, now, &ch) == VX_OK && ch.length == 9,
	   "temporary identity created with a 9-bit puzzle for two hours (one doubling past an "
	   "hour)");
	is(vx_account_create_identity(s, &pol, m, now, &(heim_bit_string){0, NULL}), VX_EINVAL,
	   "an existing identity is not created again");
	vx_msg_free(m);

	m = message(3, 0, 0, NULL, now + 3600, 1);
	is(decide(s, m, &r), VX_VERDICT_IGNORE, "temporary identity without a solution: ignored");
	is(r.status, 2201, "  puzzleRequired");
	vx_msg_free(m);

	m = message(4, 1, 0, &ch, now + 3600, 1);
	is(decide(s, m, &r), VX_VERDICT_PROCESS, "the header that solves the puzzle is processed");
	ok(r.solved, "  and made the identity permanent");
	is(decide(s, m, &r), VX_VERDICT_PROCESS, "one replay allowed (maxReplays 1)");
	is(decide(s, m, &r), VX_VERDICT_REPLAY, "the next replay is refused");
	vx_msg_free(m);

	m = message(5, 0, 0, NULL, now + 3600, 1);
	is(decide(s, m, &r), VX_VERDICT_QUOTA, "the message quota of 2 is used up");
	is(r.status, 3002, "  messageQuotaExceeded");
	vx_msg_free(m);
	m = message(6, 0, 0, NULL, now + 3600, 0);
	is(decide(s, m, &r), VX_VERDICT_PROCESS, "a message without payload costs no quota");
	vx_msg_free(m);
	m = message(7, 0, 0, NULL, now - 1, 1);
	is(decide(s, m, &r), VX_VERDICT_IGNORE, "an expired header is ignored");
	is(r.status, 3202, "  messageLifeExpired");
	vx_msg_free(m);

	vx_puzzle_challenge_free(&ch);
	vx_store_close(s);
	vx_pkey_free(host);
	vx_pkey_free(ident);
	tap_remove_store(dir);
	return tap_done();
}
