/* cmd_dump.c - placeholder until this subcommand lands. */
#include "cmd.h"

int cmd_dump(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vx_fail("dump: not implemented yet");
}
