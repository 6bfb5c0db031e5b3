-- strip_starttls written as a Lua hook: the same attack as
-- scenarios/starttls/strip-secure.lua, with the same verdicts and the
-- same lines on the wire (tests/unit/check_mitm_hook.c compares them).
-- The hook drops the STARTTLS line of the MX's EHLO reply (the path
-- re-joins the reply's continuation marks) and answers a STARTTLS the
-- sender sends anyway with 502 itself, so the MX never sees it.
return {
  title  = "Hook: STARTTLS stripped from EHLO, sender requires verified TLS",
  refs   = { "RFC 3207 6", "CONFORMANCE A8", "RFC 8460 4.3.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "hook", host = "mx1.example.test",
    on_server_line = function(line, ctx)
      if ctx.command == "EHLO" and line:upper():match("^250[ -]STARTTLS$") then
        return false
      end
    end,
    on_client_line = function(line, ctx)
      if not ctx.tls and line:upper() == "STARTTLS" then
        ctx:inject_client("502 5.5.1 Error: command not implemented")
        return false
      end
    end,
  } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
