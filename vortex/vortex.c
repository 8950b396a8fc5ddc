/* vortex.c - the vortex command-line tool: dispatch to subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *summary;
} commands[] = {
    {"keygen", cmd_keygen, "generate a host identity key"},
    {"address", cmd_address, "print the NodeSpec and vortexsmtp:// address of a key"},
    {"dump", cmd_dump, "decode and print a DER block, Vortex message or blended mail"},
    {"op", cmd_op, "run one payload operation over files"},
    {"demo", cmd_demo, "carry a message over an in-process network of nodes"},
    {"identity", cmd_identity, "grant or show an identity on a node's store"},
    {"stats", cmd_stats, "print what a node's store holds and its counters"},
};

int vx_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vortex: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int usage(FILE *f)
{
	fprintf(f, "usage: vortex COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee vortex(1).\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("vortex %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "vortex: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
