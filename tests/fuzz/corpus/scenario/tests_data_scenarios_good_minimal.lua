-- The smallest scenario: everything else takes its default.
return {
  title = "Minimal",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" }, { host = "mx2.example.test" } },
  expect = { delivery = "verified" },
}
