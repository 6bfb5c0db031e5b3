-- weak-exempt: as starttls/inject-reply, every builtin mode discards
-- buffered plaintext at the switch to TLS.
-- starttls_inject (mode "reply") written as a Lua hook: the same attack
-- as scenarios/starttls/inject-reply.lua, with the same verdicts and the
-- same lines on the wire (tests/unit/check_mitm_hook.c compares them).
-- Behind the MX's 220 to STARTTLS the hook appends plaintext replies in
-- the same segment (CVE-2011-0411, client side).
return {
  title  = "Hook: plaintext replies injected right behind the 220 to STARTTLS",
  refs   = { "RFC 3207 4.2", "CONFORMANCE A3", "CVE-2011-0411" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "hook", host = "mx1.example.test",
    on_server_line = function(line, ctx)
      if ctx.command == "STARTTLS" and line:match("^220") then
        ctx:inject_client("250-evil.attacker.test\n250 PIPELINING")
      end
    end,
  } },
  expect = { delivery = { "verified", "refused" }, leak = false },
}
