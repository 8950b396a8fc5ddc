/*
 * callbacks.h - the milter callbacks of vortex-milter: which recipients
 * are node addresses (RCPT), accepting everything else at end of header,
 * rebuilding the mail within bounded memory (spooled beyond
 * memory_threshold), and at end of message committing it to each node's
 * store and answering by its status and the carrier disposition.
 */
#ifndef VXM_CALLBACKS_H
#define VXM_CALLBACKS_H

#include <libmilter/mfapi.h>

/* The filter description for smfi_register. */
extern struct smfiDesc vxm_desc;

#endif
