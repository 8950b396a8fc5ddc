/* cmd_demo.c - placeholder until this subcommand lands. */
#include "cmd.h"

int cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vx_fail("demo: not implemented yet");
}
