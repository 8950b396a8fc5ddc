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

#endif
