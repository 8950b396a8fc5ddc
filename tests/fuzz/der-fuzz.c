/*
 * der-fuzz.c - libFuzzer target over the checked DER layer and the printer:
 * vx_der_detect, vx_der_decode for every type (freed on success) and
 * vx_print of every accepted value to /dev/null.
 * fuzz-extra-sources: vortex/print.c
 * Seeds: tests/fuzz/corpus/der/ (the golden .der files).
 */
#include <stdio.h>
#include <stdlib.h>

#include "der.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	void *v;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	(void)vx_der_detect(data, size);
	for (unsigned t = 0; t < VX_DER_TYPE_MAX; t++) {
		if (!(v = malloc(vx_der_size((vx_der_type)t))))
			return 0;
		if (vx_der_decode((vx_der_type)t, data, size, v) == VX_OK) {
			vx_print(devnull, (vx_der_type)t, v, 0);
			vx_der_free((vx_der_type)t, v);
		}
		free(v);
	}
	return 0;
}
