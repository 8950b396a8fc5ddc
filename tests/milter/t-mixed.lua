-- The same carrier also addressed to someone else: only the node recipient is removed.
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<alice@node0.test>", {"<vortex@node1.test>", "<erin@example.test>"})
send_file(conn, os.getenv("VX_DIR") .. "/hop.eml")
expect(conn, SMFIR_CONTINUE, "eom")
if not mt.eom_check(conn, MT_RCPTDELETE, "<vortex@node1.test>") then
	fail("the node recipient was not removed")
end
if mt.eom_check(conn, MT_BODYCHANGE) then
	fail("the body was changed")
end
mt.disconnect(conn)
