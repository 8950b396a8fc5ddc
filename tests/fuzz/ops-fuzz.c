/*
 * ops-fuzz.c - libFuzzer target: the operation executor. The input is a
 * DER PayloadOperation followed by payload bytes that fill a few slots
 * (IDs 0..3 and the IDs the operation names), then the operation runs.
 */
#include <stddef.h>
#include <stdint.h>

#include "der.h"
#include "ops.h"
#include "workspace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PayloadOperation op;
	vx_workspace *ws;
	size_t oplen;

	/* the first two bytes say how long the operation's DER is */
	if (size < 2)
		return 0;
	oplen = (size_t)data[0] << 8 | data[1];
	if (oplen > size - 2)
		return 0;
	if (vx_der_decode(VX_DER_PayloadOperation, data + 2, oplen, &op) != VX_OK)
		return 0;
	if (vx_ws_new(1u << 20, &ws) == VX_OK) {
		const uint8_t *rest = data + 2 + oplen;
		size_t left = size - 2 - oplen, part = left / 4;

		for (unsigned id = 0; id < 4; id++)
			vx_ws_put(ws, id, rest + id * part, part, id);
		for (unsigned id = 200; id < 204; id++)
			vx_ws_put(ws, id, rest, left, 0);
		vx_op_execute(ws, &op);
		vx_op_execute(ws, &op);
		vx_ws_free(ws);
	}
	vx_der_free(VX_DER_PayloadOperation, &op);
	return 0;
}
