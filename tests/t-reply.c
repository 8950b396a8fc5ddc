/*
 * t-reply.c - a header request answered over its reply combo: Alice asks
 * a node for an identity, the node answers with a puzzle over the path
 * Alice built, Alice's node finds the special block at ID 0, Alice solves
 * the puzzle and her next message is processed (7.2.1, 7.3.2.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "builder.h"
#include "puzzle.h"
#include "reply.h"
#include "routing.h"
#include "special.h"
#include "tap.h"

static const int64_t now = 1800000000;

int main(void)
{
	vx_pkey *alice_host, *alice_id, *node_host, *id_at_node;
	char dir[] = "/tmp/vx-reply-XXXXXX";
	vx_account_policy pol = {6, 86400, 10, 1 << 20};
	PayloadOperation map;
	RoutingCombo back, reply;
	BlendingSpec to_alice;
	HeaderRequest req;
	vx_store *s;
	vx_bytes wire = {0}, chunk = {0};
	vx_msg *m = NULL, *r = NULL;
	vx_account_result res;
	heim_bit_string ch;
	SpecialBlock sb;
	unsigned off = 256;

	if (!mkdtemp(dir) || vx_store_open(dir, NULL, &s) ||
	    vx_pkey_generate(ec, secp384r1, &alice_host) ||
	    vx_pkey_generate(ec, secp384r1, &alice_id) || vx_pkey_generate(rsa, 2048, &node_host) ||
	    vx_pkey_generate(ec, secp384r1, &id_at_node))
		return 1;

	/* the return path: Alice's node maps chunk 1 to ID 0 for her */
	memset(&map, 0, sizeof map);
	map.element = choice_PayloadOperation_map;
	map.u.map.originalId = 1;
	memset(&back, 0, sizeof back);
	back.assembly.len = 1;
	back.assembly.val = &map;
	vx_hop home = {.host = alice_host,
	               .identity = alice_id,
	               .serial = 90,
	               .max_replays = 0,
	               .combos = &back,
	               .ncombos = 1};
	vx_hop_seal(&home);
	/* the node will copy its answer from ID 0 to chunk 1 and send it home */
	PayloadOperation copy = map;
	copy.u.map.originalId = 0;
	copy.u.map.newId = 1;
	vx_blending_spec_plain("alice@node0.test", alice_host, &off, 1, &to_alice);
	ok(vx_hop_combo(&home, &to_alice, &copy, 1, 0, 0, &reply) == VX_OK, "reply combo built");

	/* Alice asks the node for an identity */
	time_t until = (time_t)(now + 3600);
	memset(&req, 0, sizeof req);
	req.element = choice_HeaderRequest_identity;
	req.u.identity.period.notAfter = &until;
	vx_hop ask = {.host = node_host,
	              .identity = id_at_node,
	              .serial = 1,
	              .max_replays = 0,
	              .requests = &req,
	              .nrequests = 1,
	              .reply = &reply};
	vx_hop_seal(&ask);
	vx_hop_message(&ask, NULL, 0, &wire);
	ok(vx_msg_open(wire.data, wire.len, node_host, &m) == VX_OK, "the node opens the request");
	vx_bytes_free(&wire);
	ok(vx_account_message(s, &pol, m, now, &res) == VX_OK &&
	       res.verdict == VX_VERDICT_CREATE_IDENTITY,
	   "it is an identity request");
	ok(vx_account_create_identity(s, &pol, m, now, &ch) == VX_OK,
	   "identity created, puzzle set");
	ok(vx_reply_puzzle(&ch, vx_msg_header(m)->signAlgorithm.algorithm, now + 3600, 7, &sb) ==
	       VX_OK,
	   "puzzle requirement built");
	ok(vx_reply_build(&vx_msg_header(m)->requestReplyBlock, &sb, &wire) == VX_OK,
	   "answer sent over the request's reply combo");
	free_SpecialBlock(&sb);

	/* Alice's node opens the answer and runs its combo */
	vx_workspace *ws = NULL;
	vx_combo_out out;
	ok(vx_msg_open(wire.data, wire.len, alice_host, &r) == VX_OK, "Alice's node opens it");
	vx_ws_new(1 << 20, &ws);
	const heim_octet_string *c1 = r ? vx_msg_payload(r, 0) : NULL;
	if (c1)
		vx_ws_put(ws, 1, c1->data, c1->length, 0);
	ok(r && vx_combo_run(&vx_msg_routing(r)->routing.u.plain.val[0], ws, &out) == VX_OK &&
	       out.to_user,
	   "its combo hands the answer to ID 0");
	const vx_bytes *at0 = vx_ws_get(ws, 0, NULL);
	vx_payload_kind kind;
	SpecialBlock got;
	vx_bytes user = {0};
	ok(at0 && vx_special_classify(at0->data, at0->len, &kind, &user, &got) == VX_OK &&
	       kind == VX_PAYLOAD_SPECIAL && got.element == choice_SpecialBlock_requirement &&
	       got.u.requirement.val[0].element == choice_RequirementBlock_puzzle,
	   "the answer is a special block with a puzzle requirement");
	const heim_bit_string *challenge = &got.u.requirement.val[0].u.puzzle.challenge;
	ok(challenge->length == ch.length && !memcmp(challenge->data, ch.data, (ch.length + 7) / 8),
	   "the challenge Alice receives is the node's");

	/* Alice solves it; her next message is processed */
	vx_hop solved = {.host = node_host,
	                 .identity = id_at_node,
	                 .serial = 2,
	                 .max_replays = 0,
	                 .puzzle = challenge};
	vx_hop_seal(&solved);
	vx_bytes_set(&chunk, "data", 4);
	vx_bytes_free(&wire);
	vx_hop_message(&solved, &chunk, 1, &wire);
	vx_msg_free(m);
	m = NULL;
	ok(vx_msg_open(wire.data, wire.len, node_host, &m) == VX_OK &&
	       vx_account_message(s, &pol, m, now + 5, &res) == VX_OK &&
	       res.verdict == VX_VERDICT_PROCESS && res.solved,
	   "the solving message is authenticated and processed");

	free_SpecialBlock(&got);
	vx_bytes_free(&user);
	vx_combo_out_free(&out);
	vx_ws_free(ws);
	vx_msg_free(m);
	vx_msg_free(r);
	vx_bytes_free(&wire);
	vx_bytes_free(&chunk);
	vx_puzzle_challenge_free(&ch);
	free_RoutingCombo(&reply);
	free_BlendingSpec(&to_alice);
	vx_hop_clear(&home);
	vx_hop_clear(&ask);
	vx_hop_clear(&solved);
	vx_store_close(s);
	vx_pkey_free(alice_host);
	vx_pkey_free(alice_id);
	vx_pkey_free(node_host);
	vx_pkey_free(id_at_node);
	tap_remove_store(dir);
	return tap_done();
}
