/*
 * routing-fuzz.c - libFuzzer target: running routing combos. The input is
 * decoded as a RoutingBlock, whose plain combos (and reply combo) run, and
 * as a single RoutingCombo, which runs too, so that mutations reach the
 * combo executor without first having to keep a whole block valid.
 * Each run gets a fresh 1 MiB workspace holding payload at IDs 1..4 and
 * in the shared space (32768), so that the operations have input.
 * Seeds: tests/fuzz/corpus/routing/ (a block and a combo per operation).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "der.h"
#include "routing.h"
#include "workspace.h"

#define SHARED_ID 32768u
#define WS_BYTES  (1u << 20)
/*
 * Work allowed per input (vx_op_work: GF multiplications, about 60 ns each
 * under ASan), as a node bounds each combo; operations past it fail, so
 * that one input stays well under a second.
 */
#define GF_BUDGET (2u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t budget;

static void run(RoutingCombo *c)
{
	/* uneven sizes: odd stripe lengths, splits with little to split */
	static const size_t len[] = {1, 97, 1000, 4099, 3000};
	static uint8_t fill[4099];
	vx_workspace *ws;
	vx_combo_out *out;

	if (!fill[1])
		for (size_t i = 0; i < sizeof fill; i++)
			fill[i] = (uint8_t)(i * 131 + 7);
	if (vx_ws_new(WS_BYTES, &ws) != VX_OK)
		return;
	if (!(out = calloc(1, sizeof *out))) {
		vx_ws_free(ws);
		return;
	}
	vx_ws_set_work(ws, budget);
	for (unsigned id = 1; id <= 4; id++)
		vx_ws_put(ws, id, fill, len[id - 1], 0);
	vx_ws_put(ws, SHARED_ID, fill, len[4], 0);
	vx_combo_run(c, ws, out);
	budget = vx_ws_work_left(ws); /* one budget for the whole input */
	vx_combo_out_free(out);
	free(out);
	vx_ws_free(ws);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	RoutingBlock rb;
	RoutingCombo c;

	budget = GF_BUDGET;
	if (vx_der_decode(VX_DER_RoutingBlock, data, size, &rb) == VX_OK) {
		if (rb.routing.element == choice_RoutingBlock_routing_plain)
			for (unsigned i = 0; i < rb.routing.u.plain.len; i++)
				run(&rb.routing.u.plain.val[i]);
		if (rb.replyBlock)
			run(&rb.replyBlock->murb);
		free_RoutingBlock(&rb);
	}
	if (vx_der_decode(VX_DER_RoutingCombo, data, size, &c) == VX_OK) {
		run(&c);
		free_RoutingCombo(&c);
	}
	return 0;
}
