/*
 * reply.h - answers to header requests (sections 7.2, 7.3): a special block
 * placed at ID 0 and sent over the request's reply RoutingCombo, so the
 * answer travels the path the requester built and the node never learns
 * where it goes.
 */
#ifndef VX_REPLY_H
#define VX_REPLY_H

#include "asn1.h"
#include "bytes.h"

/* A status block (7.3.1). */
vx_status vx_reply_status(int code, SpecialBlock *sb);
/* A puzzle requirement (7.3.2.1): the challenge, the MAC and until when. */
vx_status vx_reply_puzzle(const heim_bit_string *challenge, MacAlgorithm mac, int64_t until,
                          uint32_t identifier, SpecialBlock *sb);

/*
 * Run the reply combo with the special block at ID 0; wire receives the
 * Vortex message for the combo's recipient. VX_ENOTFOUND when the combo
 * builds nothing (a requester without a usable reply path gets no answer).
 */
vx_status vx_reply_build(const RoutingCombo *reply, const SpecialBlock *sb, vx_bytes *wire);

#endif
