/* vortex-bench.c - placeholder until the benchmark lands. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "vortex-bench: not implemented yet\n");
	return 1;
}
