-- weak-exempt: like dane/strip-dnssec-last-mile, the downgrade happens in the AD bit every sender mode trusts.
-- The Lua hook plays the last-mile attacker: it drops the RRSIGs from
-- the answers and clears AD.  Results.json and capture.json carry what it
-- changed.
return {
  title  = "Lua hook on the last mile clears AD and drops RRSIGs",
  refs   = { "RFC 7672 2.1.1", "CONFORMANCE H74" },
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
  expect = { delivery = { "verified", "tls" } },
}
