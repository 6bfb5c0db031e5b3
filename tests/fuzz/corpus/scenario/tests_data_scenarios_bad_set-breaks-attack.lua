-- expect: set-breaks-attack.lua:11: phases[2].set: attack[1] targets "mx1.example.test", which is not an MX host in this phase (MX hosts: mx3.example.test)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "refused" } },
    { advance = "2h",
      set = { mx = { { host = "mx3.example.test" } } },
      expect = { delivery = "verified" } },
  },
}
