/*
 * ops.h - the payload operations of section 7.4 on a workspace: split,
 * merge, encrypt, decrypt, addRedundancy, removeRedundancy and map.
 *
 * An operation either succeeds and writes all its targets, or fails and
 * leaves every target as it was (7.1.2, 7.5). A target inherits the
 * furthest expiry of its sources (7.4).
 */
#ifndef VX_OPS_H
#define VX_OPS_H

#include "asn1.h"
#include "workspace.h"

vx_status vx_op_execute(vx_workspace *ws, const PayloadOperation *op);
/*
 * The work an operation costs against its workspace's bound
 * (vx_ws_set_work), in field multiplications: building and inverting a
 * redundancy matrix takes about k*k*(n + 4k) of them whatever the payload
 * (about 0.1 s at k = m = 254), coding the stripes one per 128 bytes of
 * each. Every other operation is bounded by its bytes and costs 0.
 */
uint64_t vx_op_work(const PayloadOperation *op, size_t input_len);

#endif
