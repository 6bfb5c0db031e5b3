#!/bin/sh
# End-to-end tests: run the scenario library with the reference sender in
# each mode and compare verdicts with tests/e2e/expected.txt; check that
# reruns with the same seed are byte-identical; validate the TLSRPT reports
# with a real JSON Schema validator; check malformed-scenario errors.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/out" | head -40; fi; }
PY="python3 tests/e2e/check_results.py"

# 1. the reference sender passes the whole library (exit 0)
check "builtin passes every scenario (exit 0)" $MXSIM run --out "$T/a" scenarios
check "builtin verdicts match expected.txt" $PY verdicts "$T/a" 0 tests/e2e/expected.txt

# 2. weakened modes fail exactly where expected
$MXSIM run --sender builtin:opportunistic --out "$T/opp" scenarios >/dev/null 2>&1
rc=$?
check "builtin:opportunistic exits 1" test "$rc" -eq 1
check "builtin:opportunistic verdicts match expected.txt" $PY verdicts "$T/opp" 1 tests/e2e/expected.txt
$MXSIM run --sender builtin:no-verify --out "$T/nov" scenarios >/dev/null 2>&1
check "builtin:no-verify verdicts match expected.txt" $PY verdicts "$T/nov" 2 tests/e2e/expected.txt
check "every attack scenario is failed by a weakened sender" $PY weak tests/e2e/expected.txt scenarios

# 3. determinism: same seed, same bytes
$MXSIM run --seed 7 --out "$T/d1" scenarios >/dev/null 2>&1
$MXSIM run --seed 7 --out "$T/d2" scenarios >/dev/null 2>&1
check "same seed: results.json byte-identical" cmp "$T/d1/results.json" "$T/d2/results.json"
check "same seed: TLSRPT reports byte-identical" diff -r "$T/d1/tlsrpt" "$T/d2/tlsrpt"
check "same seed: junit.xml byte-identical" cmp "$T/d1/junit.xml" "$T/d2/junit.xml"
# ... and under load: the clock waits for loopback packets in flight
# (core/loop.c settling; tests/e2e/determinism.sh runs a subset twice
# with every CPU busy)
if MXSIM=$MXSIM sh tests/e2e/determinism.sh >"$T/det" 2>&1; then ok "same seed under CPU load: same bytes (tests/e2e/determinism.sh)"; else ko "same seed under CPU load: same bytes (tests/e2e/determinism.sh)"; sed 's/^/     /' "$T/det" | head -20; fi
$MXSIM run --seed 8 --out "$T/d3" scenarios >/dev/null 2>&1
check "another seed: other certificates (results.json differs)" sh -c "! cmp -s '$T/d1/results.json' '$T/d3/results.json'"
check "another seed: the same verdicts" $PY verdicts "$T/d3" 0 tests/e2e/expected.txt

# 4. outputs are valid
check "TLSRPT reports validate against the RFC 8460 schema" $PY tlsrpt "$T/a" reports/tlsrpt.schema.json
# the reference sender's own reports say what mxsim saw (tlsrpt_recv.c
# writes findings.txt beside a report that does not)
check "builtin's TLSRPT reports agree with mxsim (no findings.txt)" sh -c \
	"test -d '$T/a/tlsrpt-received' && ! find '$T/a/tlsrpt-received' -name findings.txt | grep ."
check "TLSRPT reports the sender POSTed validate against the schema" $PY received "$T/a" reports/tlsrpt.schema.json
check "same seed: received TLSRPT reports byte-identical" diff -r "$T/d1/tlsrpt-received" "$T/d2/tlsrpt-received"
check "junit.xml is well-formed XML" python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$T/a/junit.xml"

# 5. bad input: clear errors, exit 2
mkdir -p "$T/bad"
printf 'return {\n  title = "x",\n  refs = {},\n  domain = "example.test",\n  colour = "red",\n  mx = { { host = "mx1.example.test" } },\n  expect = { delivery = "verified" },\n}\n' >"$T/bad/unknown-key.lua"
$MXSIM run --out "$T/b" "$T/bad" >"$T/bout" 2>&1
rc=$?
check "malformed scenario exits 2" test "$rc" -eq 2
check "malformed scenario error names file:line" grep -q "unknown-key.lua:5:" "$T/bout"
$MXSIM run --sender nosuch scenarios >/dev/null 2>&1
rc=$?
check "unknown sender exits 2" test "$rc" -eq 2
check "mxsim list shows every scenario" sh -c "test \$($MXSIM list scenarios | grep -c '^[a-z]') -eq \$(grep -c '^[a-z]' tests/e2e/expected.txt)"

# 6. the capture: tshark decodes and decrypts it (its own checks and the
# capture overhead are printed by tests/e2e/capture.sh)
if MXSIM=$MXSIM sh tests/e2e/capture.sh; then ok "capture (tests/e2e/capture.sh)"; else ko "capture (tests/e2e/capture.sh)"; fi

# 7. report.html in headless Chromium, report.tap through prove, --format
if MXSIM=$MXSIM sh tests/e2e/html.sh; then ok "report.html and TAP (tests/e2e/html.sh)"; else ko "report.html and TAP (tests/e2e/html.sh)"; fi

# 8. the signed DNS tree: ldns-verify-zone on mxsim zone's export
if MXSIM=$MXSIM sh tests/e2e/dnssec.sh; then ok "dnssec (tests/e2e/dnssec.sh)"; else ko "dnssec (tests/e2e/dnssec.sh)"; fi
# TLSRPT by mail: tshark exports the decrypted report mails, Python's
# email package and dkimpy check them (tests/e2e/tlsrpt_mail.sh)
if MXSIM=$MXSIM sh tests/e2e/tlsrpt_mail.sh; then ok "TLSRPT report mail (tests/e2e/tlsrpt_mail.sh)"; else ko "TLSRPT report mail (tests/e2e/tlsrpt_mail.sh)"; fi

# mxsim replay: live captures and tcpdump captures of swaks/smtp-sink
# judged, --as-server, bad captures (tests/e2e/replay.sh)
if MXSIM=$MXSIM sh tests/e2e/replay.sh; then ok "replay (tests/e2e/replay.sh)"; else ko "replay (tests/e2e/replay.sh)"; fi

# -j, shards and merge give a serial run's bytes; JUnit against junit-10.xsd;
# mxsim shell with swaks, dig, delv, openssl (tests/e2e/scale.sh)
if MXSIM=$MXSIM sh tests/e2e/scale.sh; then ok "scale and shell (tests/e2e/scale.sh)"; else ko "scale and shell (tests/e2e/scale.sh)"; fi
# man pages lint-clean and complete, --help, docs/scenarios.md current
if MXSIM=$MXSIM sh tests/e2e/man.sh; then ok "docs (tests/e2e/man.sh)"; else ko "docs (tests/e2e/man.sh)"; fi

# real senders (Postfix with DANE and MTA-STS, swaks, curl) judged from
# the wire; Exim and msmtp in `make check-senders` (tests/e2e/senders.sh)
if MXSIM=$MXSIM sh tests/e2e/senders.sh; then ok "real senders (tests/e2e/senders.sh)"; else ko "real senders (tests/e2e/senders.sh)"; fi

# 9. hostile input: the misbehaving sender, hostile scenarios, SIGINT/SIGTERM
# (tests/e2e/hostile.sh), and containment: tcpdump on the host sees nothing
# of the world (tests/e2e/containment.sh)
if MXSIM=$MXSIM sh tests/e2e/hostile.sh; then ok "hostile input (tests/e2e/hostile.sh)"; else ko "hostile input (tests/e2e/hostile.sh)"; fi
if MXSIM=$MXSIM sh tests/e2e/containment.sh; then ok "containment (tests/e2e/containment.sh)"; else ko "containment (tests/e2e/containment.sh)"; fi
# tls_split and AUTH as tshark sees each leg (tests/e2e/attacks.sh)
if MXSIM=$MXSIM sh tests/e2e/attacks.sh; then ok "attacks (tests/e2e/attacks.sh)"; else ko "attacks (tests/e2e/attacks.sh)"; fi
if MXSIM=$MXSIM sh tests/e2e/superv.sh; then ok "supervision: crash, hang, flood, -j crash and interrupts (tests/e2e/superv.sh)"; else ko "supervision (tests/e2e/superv.sh)"; fi
if MXSIM=$MXSIM sh tests/e2e/shell_tty.sh; then ok "interactive mxsim shell on a pty (tests/e2e/shell_tty.sh)"; else ko "interactive mxsim shell (tests/e2e/shell_tty.sh)"; fi

echo "e2e: $pass passed, $fail failed"
test "$fail" -eq 0
