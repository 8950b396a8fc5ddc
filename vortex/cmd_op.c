/* cmd_op.c - placeholder until this subcommand lands. */
#include "cmd.h"

int cmd_op(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vx_fail("op: not implemented yet");
}
