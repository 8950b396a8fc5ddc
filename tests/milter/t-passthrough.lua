-- Mail to a node address without a Vortex message: passes unchanged.
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<carol@example.test>", {"<Vortex@Node1.test>"})
send_file(conn, os.getenv("VX_DIR") .. "/plain.eml")
local r = mt.getreply(conn)
if r ~= SMFIR_CONTINUE and r ~= SMFIR_ACCEPT then
	fail("eom: reply " .. tostring(r))
end
no_changes(conn, "<Vortex@Node1.test>")
mt.disconnect(conn)
