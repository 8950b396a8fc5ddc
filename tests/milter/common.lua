-- common.lua - shared by the tests/milter/t-*.lua scripts, run by tests/t-milter.sh:
-- the milter's socket is $VX_SOCKET, the test's files are under $VX_DIR.

function fail(msg)
	error("FAIL: " .. msg)
end

function expect(conn, want, step)
	local got = mt.getreply(conn)
	if got ~= want then
		fail(step .. ": reply " .. tostring(got) .. ", want " .. tostring(want))
	end
end

-- A new connection with a message started: MAIL FROM and every recipient.
function start(from, rcpts)
	local conn = mt.connect(os.getenv("VX_SOCKET"), 40, 0.25)
	if conn == nil then
		fail("cannot connect to " .. os.getenv("VX_SOCKET"))
	end
	-- no conninfo or helo: the milter negotiates them away (SMFIP_NOCONNECT, NOHELO)
	mt.macro(conn, SMFIC_MAIL, "i", "TESTQID")
	if mt.mailfrom(conn, from) ~= nil then
		fail("mailfrom")
	end
	for _, r in ipairs(rcpts) do
		if mt.rcptto(conn, r) ~= nil then
			fail("rcptto " .. r)
		end
	end
	return conn
end

-- Send a mail file's header fields one by one; returns its body (CRLF line ends).
function headers_of(conn, path)
	local f = io.open(path, "rb")
	if f == nil then
		fail("cannot read " .. path)
	end
	local text = f:read("*a")
	f:close()
	text = text:gsub("\r\n", "\n")
	local head, body = text:match("^(.-)\n\n(.*)$")
	local name, value
	local function flush()
		if name ~= nil and mt.header(conn, name, value) ~= nil then
			fail("header " .. name)
		end
	end
	for line in (head .. "\n"):gmatch("(.-)\n") do
		if line:match("^[ \t]") then
			value = value .. "\n" .. line
		else
			flush()
			name, value = line:match("^([^:]+):[ \t]?(.*)$")
		end
	end
	flush()
	return (body:gsub("\n", "\r\n"))
end

-- The whole message from a file, up to the end-of-message reply.
function send_file(conn, path)
	local body = headers_of(conn, path)
	if mt.eoh(conn) ~= nil then
		fail("eoh")
	end
	expect(conn, SMFIR_CONTINUE, "eoh")
	if mt.bodystring(conn, body) ~= nil then
		fail("body")
	end
	if mt.eom(conn) ~= nil then
		fail("eom")
	end
end

-- No modification at all; recipient checks need the address (miltertest's rule).
function no_changes(conn, rcpt)
	for _, op in ipairs({MT_HDRADD, MT_HDRINSERT, MT_HDRCHANGE, MT_HDRDELETE, MT_BODYCHANGE,
	                     MT_QUARANTINE}) do
		if mt.eom_check(conn, op) then
			fail("the milter changed the message (operation " .. tostring(op) .. ")")
		end
	end
	if mt.eom_check(conn, MT_RCPTDELETE, rcpt) or mt.eom_check(conn, MT_RCPTADD, rcpt) then
		fail("the milter changed the recipients")
	end
end
