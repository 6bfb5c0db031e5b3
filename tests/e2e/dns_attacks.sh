#!/bin/sh
# DNS attacks and per-zone states, judged by a validator nobody here
# wrote: inside the world of a scenario (mxsim shell, real time), delv
# (bind9-dnsutils) validates from the exported trust anchor through the
# resolver face, and dig shows the flags on the wire.
#   two zones of different states: mx2.example.test fully validated,
#     mx1.other.test (bogus:expired) fails;
#   TLSA poisoned upstream of the resolver face: SERVFAIL from the resolver
#     face, and delv fails too; the MX host's A record still validates;
#   DNSSEC stripped on the last mile: the answer has neither AD nor RRSIG
#     (what an AD-trusting stub sees), and delv, validating itself, fails
#     (broken trust chain): a sender that validates is not downgraded.
# Exit 0 when every check passed.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
if ! command -v delv >/dev/null || ! command -v dig >/dev/null; then
	echo "FAIL delv and dig are not installed (Debian: bind9-dnsutils)"
	echo "dns-attacks: 0 passed, 1 failed"
	exit 1
fi
# in_world SCENARIO SCRIPT: run the script inside the scenario's world,
# its output in $T/out
in_world() {
	printf '%s\n' "$2" >"$T/probe.sh"
	"$MXSIM" shell -q --no-capture --out "$T/o" "$1" -- sh "$T/probe.sh" \
	    >"$T/out" 2>&1
}
expect() {   # NAME PATTERN: $T/out has a line matching PATTERN (grep -E)
	if grep -Eq "$2" "$T/out"; then pass=$((pass + 1)); echo "ok   $1"
	else fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/     /' "$T/out" | head -20; fi
}
DELV='delv -a "$MXSIM_TRUST_ANCHOR" +root=. @127.53.0.1'

in_world scenarios/dane/two-zones-bogus-first.lua "
echo A2; $DELV mx2.example.test A 2>&1
echo A1; $DELV mx1.other.test A 2>&1"
expect "delv: mx2.example.test (secure zone) fully validated" \
    '^; fully validated'
expect "delv: mx1.other.test (bogus:expired zone) fails" \
    '^;; resolution failed'

in_world scenarios/dane/poisoned-tlsa.lua "
$DELV _25._tcp.mx1.example.test TLSA 2>&1 | sed 's/^/tlsa: /'
$DELV mx1.example.test A 2>&1 | sed 's/^/a: /'
dig @127.53.0.1 +dnssec _25._tcp.mx1.example.test TLSA | sed 's/^/dig: /'"
expect "poison_tlsa: the resolver face answers SERVFAIL" \
    '^dig: .*status: SERVFAIL'
expect "poison_tlsa: delv finds the TLSA answer bogus" \
    '^tlsa: ;; resolution failed'
expect "poison_tlsa: the A record still validates" '^a: ; fully validated'

in_world scenarios/dane/strip-dnssec-last-mile.lua "
dig @127.53.0.1 +dnssec _25._tcp.mx1.example.test TLSA | sed 's/^/dig: /'
$DELV _25._tcp.mx1.example.test TLSA 2>&1 | sed 's/^/delv: /'"
expect "strip_dnssec (last mile): no AD on the wire" \
    '^dig: ;; flags: qr aa rd ra;'
expect "strip_dnssec (last mile): no RRSIG on the wire" \
    '^dig: ;; ANSWER SECTION:'
if grep -q '^dig: .*RRSIG' "$T/out"; then
	fail=$((fail + 1)); echo "FAIL strip_dnssec (last mile): an RRSIG got through"
else
	pass=$((pass + 1)); echo "ok   strip_dnssec (last mile): every RRSIG removed"
fi
expect "strip_dnssec (last mile): delv, validating itself, is not fooled" \
    '^delv: ;; resolution failed'
echo "dns-attacks: $pass passed, $fail failed"
test "$fail" -eq 0
