/* cmd_keygen.c - placeholder until this subcommand lands. */
#include "cmd.h"

int cmd_keygen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vx_fail("keygen: not implemented yet");
}
