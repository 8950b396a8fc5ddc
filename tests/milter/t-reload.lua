-- Mail to vortex@node2.test: accepted at end of header while node2 is not configured
-- ($VX_NODE2 = no), inspected after a SIGUSR1 reload added it ($VX_NODE2 = yes).
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<carol@example.test>", {"<vortex@node2.test>"})
mt.header(conn, "Subject", "hello")
if mt.eoh(conn) ~= nil then
	fail("eoh")
end
expect(conn, os.getenv("VX_NODE2") == "yes" and SMFIR_CONTINUE or SMFIR_ACCEPT, "eoh")
mt.disconnect(conn)
