-- Ordinary mail to an address that is no node address: accepted at DATA, so
-- the MTA sends none of its header fields or body.
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<carol@example.test>", {"<dave@example.test>"})
if mt.data(conn) ~= nil then
	fail("data")
end
expect(conn, SMFIR_ACCEPT, "data")
mt.disconnect(conn)
