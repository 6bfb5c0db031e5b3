-- A scripted poisoning: the scenario's own Lua hook rewrites the TLSA
-- answer on its way to the validating resolver (the answer
-- replaced by a TLSA record of the attacker's choosing, unsigned).  Under
-- DNSSEC the resolver finds it bogus; the sender defers.
return {
  title  = "Lua hook on DNS answers rewrites TLSA upstream: bogus, defer",
  refs   = { "RFC 7672 2.1.2", "RFC 4035 5" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "dns_hook", type = "TLSA",
      on_dns_answer = function(q, a)
        if a.rcode ~= "NOERROR" then return nil end
        a.answer = { q.name .. " 300 IN TLSA 3 1 1 " .. string.rep("00", 32) }
        return a
      end },
    { "swap_cert", host = "mx1.example.test" },
  },
  -- (what a hook does is the hook's business: the verdict's TLSRPT view
  -- does not guess it, so no result type is expected here)
  expect = { delivery = "refused" },
}
