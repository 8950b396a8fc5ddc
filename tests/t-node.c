/*
 * t-node.c - four nodes, each with its own store, joined by an in-memory
 * transport that carries real blended mail: a message built by Alice's
 * node travels node1 -> node2 -> node3 with redundancy, every hop waiting
 * inside its combo's process window, and reaches Bob exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder.h"
#include "cipher.h"
#include "compose.h"
#include "node.h"
#include "tap.h"

#define N 4
static const char *addr[N] = {"alice@node0.test", "vortex@node1.test", "vortex@node2.test",
                              "bob@node3.test"};
static const unsigned offsets[] = {0, 256};
static vx_pkey *host[N], *ident[N];
static vx_store *store[N];
static vx_node_config cfg[N];
static char dirs[N][32];
static char got[256];
static int deliveries;
static int64_t delivered_at, clock_now;

static void deliver(const vx_bytes *msg)
{
	deliveries++;
	delivered_at = clock_now;
	snprintf(got, sizeof got, "%.*s", (int)msg->len, (const char *)msg->data);
}

int main(void)
{
	SymmetricKey k0, k4, red[3];
	PayloadOperation ops1[2], ops2[2], ops3[2];
	RoutingCombo c1, c2, c3;
	BlendingSpec to2, to3;
	vx_bytes wire = {0}, mail = {0}, chunk = {0};
	const char *text = "Bob, this went through three stores and three timers.";
	int64_t start = 1800000000;
	uint64_t id;
	int ok_all = 1;

	for (int i = 0; i < N; i++) {
		snprintf(dirs[i], sizeof dirs[i], "/tmp/vx-node%d-XXXXXX", i);
		ok_all &= mkdtemp(dirs[i]) && vx_store_open(dirs[i], NULL, &store[i]) == VX_OK &&
		          vx_pkey_generate(ec, secp384r1, &host[i]) == VX_OK &&
		          vx_pkey_generate(ec, secp384r1, &ident[i]) == VX_OK;
		cfg[i] = (vx_node_config){.hosts = (const vx_pkey *const *)&host[i],
		                          .nhosts = 1,
		                          .addresses = &addr[i],
		                          .offsets = offsets,
		                          .noffsets = 2,
		                          .slot = 60,
		                          .policy = {8, 86400, 100, 1 << 24}};
		/* the builder's identity on node i, set up beforehand (its puzzle is t-reply's) */
		uint8_t fp[32];
		vx_identity id_rec = {start + 86400, 100, 1 << 24, 0};
		vx_pkey_fingerprint(ident[i], fp);
		ok_all &= vx_store_identity_put(store[i], fp, &id_rec) == VX_OK;
	}
	if (!ok(ok_all, "four nodes with stores, host keys and identities"))
		return tap_done();

	vx_sym_generate(camellia256, gcm, paddingNone, &k0);
	vx_sym_generate(aes256, cbc, pkcs7, &k4);
	for (int i = 0; i < 3; i++)
		vx_sym_generate(aes256, gcm, paddingNone, &red[i]);
	vx_blending_spec_plain(addr[2], host[2], &offsets[1], 1, &to2);
	vx_blending_spec_plain(addr[3], host[3], &offsets[0], 1, &to3);

	/* node3: decrypt, map to ID 0 for Bob */
	vx_op_crypt(&ops3[0], 0, 1, 200, &k4);
	vx_op_map(&ops3[1], 200, 0);
	memset(&c3, 0, sizeof c3);
	c3.minProcessTime = 60, c3.maxProcessTime = 300;
	c3.assembly.len = 2, c3.assembly.val = ops3;
	vx_hop h3 = {.host = host[3],
	             .identity = ident[3],
	             .serial = 3,
	             .max_replays = 0,
	             .not_before = start - 60,
	             .not_after = start + 86400,
	             .combos = &c3,
	             .ncombos = 1};
	/* node2: remove redundancy, encrypt for node3 */
	memset(ops2, 0, sizeof ops2);
	ops2[0].element = choice_PayloadOperation_removeRedundancy;
	ops2[0].u.removeRedundancy = (RemoveRedundancyOperation){1, 2, 1, {3, red}, 200, 8};
	vx_op_crypt(&ops2[1], 1, 200, 1, &k4);
	vx_hop_seal(&h3);
	vx_hop_combo(&h3, &to3, ops2, 2, 120, 600, &c2);
	vx_hop h2 = {.host = host[2],
	             .identity = ident[2],
	             .serial = 2,
	             .max_replays = 0,
	             .not_before = start - 60,
	             .not_after = start + 86400,
	             .combos = &c2,
	             .ncombos = 1};
	/* node1: decrypt, add redundancy */
	vx_op_crypt(&ops1[0], 0, 1, 200, &k0);
	memset(&ops1[1], 0, sizeof ops1[1]);
	ops1[1].element = choice_PayloadOperation_addRedundancy;
	ops1[1].u.addRedundancy = (AddRedundancyOperation){200, 2, 1, {3, red}, 1, 8};
	vx_hop_seal(&h2);
	vx_hop_combo(&h2, &to2, ops1, 2, 60, 300, &c1);
	vx_hop h1 = {.host = host[1],
	             .identity = ident[1],
	             .serial = 1,
	             .max_replays = 0,
	             .not_before = start - 60,
	             .not_after = start + 86400,
	             .combos = &c1,
	             .ncombos = 1};
	vx_hop_seal(&h1);

	/* Alice's node encrypts her message and queues the first mail */
	BlendingSpec to1;
	vx_bytes sealed = {0};
	vx_blending_spec_plain(addr[1], host[1], &offsets[1], 1, &to1);
	vx_sym_encrypt(&k0, (const uint8_t *)text, strlen(text), 0, &sealed);
	ok(vx_hop_message(&h1, &sealed, 1, &wire) == VX_OK &&
	       vx_compose_mail(wire.data, wire.len, &to1, addr[0], &mail) == VX_OK &&
	       vx_store_queue_put(store[0], addr[1], mail.data, mail.len, start, 0, &id) == VX_OK,
	   "Alice's node queued the first mail");

	/* the transport: every 30 s, run due combos, then carry queued mail */
	int carried = 0, early = 0;
	for (clock_now = start; clock_now < start + 3600; clock_now += 30) {
		for (int i = 0; i < N; i++) {
			vx_queue_item it;

			vx_node_run_due(store[i], &cfg[i], clock_now, NULL);
			while (vx_store_queue_next(store[i], clock_now, &it) == VX_OK) {
				if (it.flags & VX_QUEUE_LOCAL) {
					ok(i == 3 && !strcmp(it.recipient, addr[3]),
					   "a local delivery, at Bob's node for Bob");
					deliver(&it.data);
				}
				for (int j = 0; j < N && !(it.flags & VX_QUEUE_LOCAL); j++)
					if (!strcmp(it.recipient, addr[j])) {
						vx_node_stats st;

						vx_node_receive(store[j], &cfg[j], it.data.data,
						                it.data.len, clock_now, &st);
						carried++;
					}
				vx_store_queue_done(store[i], it.id);
				vx_bytes_free(&it.data);
			}
		}
		early += deliveries && delivered_at < start + 60 + 120 + 60;
	}
	is(carried, 3, "three mails crossed the transport");
	is(deliveries, 1, "Bob got the message exactly once");
	ok(!strcmp(got, text), "and it is the message Alice sent");
	ok(delivered_at >= start + 240, "after every hop's minimum wait (at %lld s)",
	   (long long)(delivered_at - start));
	is(early, 0, "never before");
	uint64_t items, bytes;
	int empty = 1;
	for (int i = 0; i < N; i++) {
		vx_combo_rec r[4];
		size_t n;

		vx_store_queue_stat(store[i], &items, &bytes);
		vx_store_combo_due(store[i], start + 100000, r, 4, &n);
		empty &= items == 0 && n == 0;
	}
	ok(empty, "no queued mail and no pending combo is left anywhere");

	/* the same first mail again: its header allows no replay */
	vx_node_stats st;
	vx_node_receive(store[1], &cfg[1], mail.data, mail.len, clock_now, &st);
	ok(st.found == 1 && st.processed == 0 && st.ignored == 1 && st.combos == 0,
	   "a replayed message is refused and keeps no combo");

	vx_bytes_free(&wire);
	vx_bytes_free(&mail);
	vx_bytes_free(&chunk);
	vx_bytes_free(&sealed);
	vx_hop_clear(&h1), vx_hop_clear(&h2), vx_hop_clear(&h3);
	free_RoutingCombo(&c1), free_RoutingCombo(&c2);
	free_BlendingSpec(&to1), free_BlendingSpec(&to2), free_BlendingSpec(&to3);
	vx_sym_free(&k0), vx_sym_free(&k4);
	for (int i = 0; i < 3; i++)
		vx_sym_free(&red[i]);
	for (int i = 0; i < N; i++) {
		vx_store_close(store[i]);
		vx_pkey_free(host[i]);
		vx_pkey_free(ident[i]);
		tap_remove_store(dirs[i]);
	}
	return tap_done();
}
