-- A mail carrying a Vortex message for node1: taken, and the carrier discarded.
dofile(os.getenv("VX_DIR") .. "/common.lua")
local conn = start("<alice@node0.test>", {"<vortex@node1.test>"})
send_file(conn, os.getenv("VX_DIR") .. "/" .. os.getenv("VX_MAIL"))
expect(conn, SMFIR_DISCARD, "eom")
mt.disconnect(conn)
