-- The Lua hook plays the last-mile attacker: it drops the RRSIGs from
-- the answers and clears AD.  Results.json and capture.json carry what it
-- changed.  The reference sender validates locally (RFC 7672 2.1.1): the
-- root's DNSKEY RRset comes without its signature, so every answer of
-- the signed tree is bogus and the message is deferred; a sender that
-- trusts AD (builtin:trust-ad) or ignores DNSSEC delivers without DANE.
return {
  title  = "Lua hook on the last mile clears AD and drops RRSIGs: bogus for a validating sender",
  refs   = { "RFC 7672 2.1.1", "RFC 4035 4.9.3", "CONFORMANCE H74" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "dns_hook", at = "last-mile",
      on_dns_answer = function(q, a)
        local keep = {}
        for _, rr in ipairs(a.answer) do
          if not rr:find("%sRRSIG%s") then keep[#keep + 1] = rr end
        end
        return { answer = keep, ad = false }
      end },
  },
  expect = { delivery = "refused" },
}
