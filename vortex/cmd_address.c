/* cmd_address.c - placeholder until this subcommand lands. */
#include "cmd.h"

int cmd_address(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vx_fail("address: not implemented yet");
}
