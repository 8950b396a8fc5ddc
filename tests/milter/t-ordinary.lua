-- Ordinary mail to an address that is no node address: accepted at end of header.
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<carol@example.test>", {"<dave@example.test>"})
mt.header(conn, "From", "carol@example.test")
mt.header(conn, "Subject", "hello")
if mt.eoh(conn) ~= nil then
	fail("eoh")
end
expect(conn, SMFIR_ACCEPT, "eoh")
mt.disconnect(conn)
