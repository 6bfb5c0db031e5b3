-- expect: bad-attack-name.lua:8: attack[1]: unknown attack "mitm" (allowed: strip_starttls, starttls_error, swap_cert, block, starttls_inject, ehlo_reject, reply, caps, handshake_fail
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "mitm", host = "mx1.example.test" },
  },
  expect = { delivery = "verified" },
}
