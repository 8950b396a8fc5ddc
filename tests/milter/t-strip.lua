-- carrier = strip: a Vortex-carrying mail is delivered with the carrier part replaced.
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<alice@node0.test>", {"<vortex@node1.test>"})
send_file(conn, os.getenv("VX_DIR") .. "/" .. os.getenv("VX_MAIL"))
local r = mt.getreply(conn)
if r ~= SMFIR_CONTINUE and r ~= SMFIR_ACCEPT then
	fail("eom: reply " .. tostring(r))
end
if not mt.eom_check(conn, MT_BODYCHANGE) then
	fail("the body was not replaced")
end
if mt.eom_check(conn, MT_RCPTDELETE, "<vortex@node1.test>") then
	fail("the recipient was removed")
end
mt.disconnect(conn)
