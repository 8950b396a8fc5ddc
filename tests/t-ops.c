/* t-ops.c - the payload operations of section 7.4 on a workspace. */
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "ops.h"
#include "tap.h"
#include "workspace.h"

static vx_workspace *ws;

static int slot_is(unsigned id, const char *want)
{
	const vx_bytes *b = vx_ws_get(ws, id, NULL);
	size_t n = strlen(want);

	return b && b->len == n && (!n || !memcmp(b->data, want, n));
}

static PayloadOperation split_abs(int from, long long to, int a, int b)
{
	PayloadOperation op;

	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_splitPayload;
	op.u.splitPayload.originalId = 10;
	op.u.splitPayload.firstSize.size.element = choice_SizeBlock_size_absolute;
	op.u.splitPayload.firstSize.size.u.absolute.fromAbsolute = (unsigned)from;
	op.u.splitPayload.firstSize.size.u.absolute.toAbsolute = to;
	op.u.splitPayload.newFirstId = a;
	op.u.splitPayload.newSecondId = b;
	return op;
}

static PayloadOperation split_pct(int from, int to)
{
	PayloadOperation op = split_abs(0, 0, 11, 12);

	op.u.splitPayload.firstSize.size.element = choice_SizeBlock_size_percent;
	op.u.splitPayload.firstSize.size.u.percent.fromPercent = from;
	op.u.splitPayload.firstSize.size.u.percent.toPercent = to;
	return op;
}

static void test_split_merge(void)
{
	PayloadOperation op;

	vx_ws_new(1 << 20, &ws);
	vx_ws_put(ws, 10, (const uint8_t *)"0123456789", 10, 500);
	op = split_abs(0, 3, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "012") && slot_is(12, "3456789"),
	   "split at absolute 3");
	op = split_abs(0, -4, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "012345") && slot_is(12, "6789"),
	   "negative toAbsolute counts from the end");
	op = split_abs(0, 99, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "0123456789") && slot_is(12, ""),
	   "beyond the block: all in the first, the second empty");
	op = split_abs(0, -99, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "") && slot_is(12, "0123456789"),
	   "negative beyond the block: all in the second, the first empty");
	op = split_abs(0, 10, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "0123456789") && slot_is(12, ""),
	   "exactly the block's length: all in the first");
	op = split_abs(20, 30, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "") && slot_is(12, "0123456789"),
	   "a slice wholly beyond the block is empty");
	op = split_abs(6, -6, 11, 12);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "an end before the start fails");
	op = split_abs(2, 5, 11, 12);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "234") && slot_is(12, "0156789"),
	   "a slice from 2 to 5, the rest in the second");
	op = split_pct(0, 30);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "012") && slot_is(12, "3456789"),
	   "split at 30 percent");
	op = split_pct(0, 99);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "012345678") && slot_is(12, "9"),
	   "99 percent of 10 bytes is floor(9.9) = 9");
	op = split_pct(20, 50);
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(11, "234") && slot_is(12, "0156789"),
	   "percent slice from 20 to 50");
	op = split_pct(0, 30);
	vx_op_execute(ws, &op);
	op = split_pct(0, 0);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "0 percent fails (7.4.2)");
	op = split_pct(40, 40);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "an empty percent range fails");
	op = split_pct(60, 40);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "a negative percent range fails");
	op = split_pct(0, 100);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "100 percent fails (7.4.2)");
	op = split_pct(0, 150);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "above 100 percent fails");
	op = split_pct(-10, 20);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "a negative percentage fails");
	ok(slot_is(11, "012") && slot_is(12, "3456789"),
	   "failed splits left the targets unchanged");
	op = split_abs(0, 3, 11, 11);
	is(vx_op_execute(ws, &op), VX_EBADPARAM, "two targets on one ID refused");
	op = split_abs(0, 3, 0, 12);
	is(vx_op_execute(ws, &op), VX_ERANGE, "split into ID 0 refused (1..maxID)");
	op = split_abs(0, 3, 11, 65536);
	is(vx_op_execute(ws, &op), VX_ERANGE, "split into ID 65536 refused");
	ok(slot_is(11, "012") && slot_is(12, "3456789"), "and the targets are unchanged");
	op = split_abs(0, 3, 11, 12);
	op.u.splitPayload.originalId = 77;
	is(vx_op_execute(ws, &op), VX_ENOTFOUND, "split of an empty slot fails");
	op.u.splitPayload.originalId = -1;
	is(vx_op_execute(ws, &op), VX_ERANGE, "split of ID -1 refused");

	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_mergePayload;
	op.u.mergePayload.originalFirstId = 11;
	op.u.mergePayload.originalSecondId = 12;
	op.u.mergePayload.newId = 13;
	vx_ws_put(ws, 12, (const uint8_t *)"3456789", 7, 900);
	int64_t e;
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(13, "0123456789"), "merge undoes the split");
	ok(vx_ws_get(ws, 13, &e) && e == 900, "the target inherits the furthest expiry");
	op.u.mergePayload.originalSecondId = 99;
	is(vx_op_execute(ws, &op), VX_ENOTFOUND, "merge with a missing source fails");
	ok(slot_is(13, "0123456789"), "and leaves its target unchanged");

	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_map;
	op.u.map.originalId = 13;
	op.u.map.newId = 40000 - 32768;
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(40000 - 32768, "0123456789"), "map copies");
	ok(vx_ws_get(ws, 40000 - 32768, &e) && e == 900, "map keeps the expiry");
	op.u.map.newId = 0;
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(0, "0123456789"),
	   "map may hand content to the user's ID 0");
	op.u.map.originalId = 40000;
	op.u.map.newId = 40001;
	is(vx_op_execute(ws, &op), VX_ENOTFOUND, "map of an empty slot fails");
	ok(!vx_ws_get(ws, 40001, NULL), "and writes nothing");

	/* a source without expiry outlives any date */
	vx_ws_put(ws, 20, (const uint8_t *)"ab", 2, 0);
	vx_ws_put(ws, 21, (const uint8_t *)"cd", 2, 700);
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_mergePayload;
	op.u.mergePayload = (MergePayloadOperation){21, 20, 22};
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(22, "cdab") && vx_ws_get(ws, 22, &e) &&
	       e == 0,
	   "merging with a source without expiry gives none");
	op.u.mergePayload = (MergePayloadOperation){21, 21, 23};
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(23, "cdcd") && vx_ws_get(ws, 23, &e) &&
	       e == 700,
	   "a block merged with itself");
	vx_ws_free(ws);
}

static void test_crypt(void)
{
	SymmetricKey k, other;
	PayloadOperation op;

	vx_ws_new(1 << 20, &ws);
	vx_sym_generate(aes256, gcm, paddingNone, &k);
	vx_sym_generate(aes256, gcm, paddingNone, &other);
	vx_ws_put(ws, 1, (const uint8_t *)"secret payload", 14, 0);
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_encryptPayload;
	op.u.encryptPayload = (EncryptPayloadOperation){1, k, 2};
	ok(vx_op_execute(ws, &op) == VX_OK && !slot_is(2, "secret payload"), "encrypted");
	op.element = choice_PayloadOperation_decryptPayload;
	op.u.decryptPayload = (DecryptPayloadOperation){2, k, 3};
	ok(vx_op_execute(ws, &op) == VX_OK && slot_is(3, "secret payload"), "decrypted");
	vx_ws_put(ws, 4, (const uint8_t *)"keep", 4, 0);
	op.u.decryptPayload = (DecryptPayloadOperation){2, other, 4};
	is(vx_op_execute(ws, &op), VX_EAUTH, "the wrong key fails");
	ok(slot_is(4, "keep"), "and leaves the target unchanged");
	free_SymmetricKey(&k);
	free_SymmetricKey(&other);
	vx_ws_free(ws);
}

static void test_redundancy(void)
{
	SymmetricKey keys[3];
	PayloadOperation op;
	uint8_t data[5000];

	for (int i = 0; i < 3; i++)
		vx_sym_generate(camellia256, gcm, paddingNone, &keys[i]);
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	vx_ws_new(1 << 20, &ws);
	vx_ws_put(ws, 200, data, sizeof data, 0);
	memset(&op, 0, sizeof op);
	op.element = choice_PayloadOperation_addRedundancy;
	op.u.addRedundancy = (AddRedundancyOperation){200, 2, 1, {3, keys}, 1, 8};
	ok(vx_op_execute(ws, &op) == VX_OK && vx_ws_get(ws, 1, NULL) && vx_ws_get(ws, 2, NULL) &&
	       vx_ws_get(ws, 3, NULL),
	   "addRedundancy wrote IDs 1..3");
	vx_ws_remove(ws, 1);
	op.element = choice_PayloadOperation_removeRedundancy;
	op.u.removeRedundancy = (RemoveRedundancyOperation){1, 2, 1, {3, keys}, 300, 8};
	const vx_bytes *b;
	ok(vx_op_execute(ws, &op) == VX_OK && (b = vx_ws_get(ws, 300, NULL)) &&
	       b->len == sizeof data && !memcmp(b->data, data, sizeof data),
	   "removeRedundancy recovers the data without block 1");
	op.u.removeRedundancy.outputId = 0;
	is(vx_op_execute(ws, &op), VX_ERANGE, "removeRedundancy into ID 0 refused");
	op.u.removeRedundancy.outputId = 300;
	vx_ws_remove(ws, 2);
	vx_ws_remove(ws, 300);
	is(vx_op_execute(ws, &op), VX_ENOTFOUND, "one block of three is not enough");
	ok(!vx_ws_get(ws, 300, NULL), "and nothing was written");
	vx_ws_free(ws);
	/* a bound too small for the outputs: nothing is written */
	vx_ws_new(sizeof data + 100, &ws);
	vx_ws_put(ws, 200, data, sizeof data, 0);
	op.element = choice_PayloadOperation_addRedundancy;
	op.u.addRedundancy = (AddRedundancyOperation){200, 2, 1, {3, keys}, 1, 8};
	is(vx_op_execute(ws, &op), VX_ELIMIT, "outputs beyond the workspace bound refused");
	ok(!vx_ws_get(ws, 1, NULL) && vx_ws_bytes(ws) == sizeof data, "and nothing was written");
	op.u.addRedundancy.outputId = 65534;
	is(vx_op_execute(ws, &op), VX_ERANGE, "outputs running past ID 65535 refused");
	ok(!vx_ws_get(ws, 1, NULL) && vx_ws_bytes(ws) == sizeof data, "and nothing was written");
	vx_ws_free(ws);
	/* a work bound: the matrix of k = m = 200 costs far more than k = 2, m = 1 */
	vx_ws_new(1 << 20, &ws);
	vx_ws_put(ws, 200, data, sizeof data, 0);
	op.u.addRedundancy = (AddRedundancyOperation){200, 200, 200, {3, keys}, 1000, 8};
	ok(vx_op_work(&op, sizeof data) > 200ull * 200 * 1000, "a big code costs its matrix (%llu)",
	   (unsigned long long)vx_op_work(&op, sizeof data));
	vx_ws_set_work(ws, 10000);
	is(vx_op_execute(ws, &op), VX_ELIMIT, "beyond the work bound it is refused");
	ok(!vx_ws_get(ws, 1000, NULL) && vx_ws_work_left(ws) == 10000,
	   "before any work, and nothing is taken from the bound");
	op.u.addRedundancy = (AddRedundancyOperation){200, 2, 1, {3, keys}, 1, 8};
	ok(vx_op_execute(ws, &op) == VX_OK &&
	       vx_ws_work_left(ws) == 10000 - vx_op_work(&op, sizeof data),
	   "a small code fits and is charged");
	op.element = choice_PayloadOperation_map;
	op.u.map = (MapBlockOperation){200, 201};
	ok(vx_op_execute(ws, &op) == VX_OK && vx_op_work(&op, sizeof data) == 0,
	   "other operations cost no work");
	vx_ws_free(ws);
	for (int i = 0; i < 3; i++)
		free_SymmetricKey(&keys[i]);
}

int main(void)
{
	test_split_merge();
	test_crypt();
	test_redundancy();
	return tap_done();
}
