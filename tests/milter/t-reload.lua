-- Mail to vortex@node2.test: accepted at DATA while node2 is not configured
-- ($VX_NODE2 = no), inspected after a SIGUSR1 reload added it ($VX_NODE2 = yes).
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<carol@example.test>", {"<vortex@node2.test>"})
if mt.data(conn) ~= nil then
	fail("data")
end
if os.getenv("VX_NODE2") == "yes" then
	expect(conn, SMFIR_CONTINUE, "data")
	mt.header(conn, "Subject", "hello")
	if mt.eoh(conn) ~= nil then
		fail("eoh")
	end
	expect(conn, SMFIR_CONTINUE, "eoh")
else
	expect(conn, SMFIR_ACCEPT, "data")
end
mt.disconnect(conn)
