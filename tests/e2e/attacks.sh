#!/bin/sh
# End-to-end checks of the TLS split attack and of submission credentials,
# read from the capture by tshark (no key log: what an observer of each
# leg sees) and from results.json:
#   tls_split sender-tls: the sender's MAIL/RCPT/DATA are invisible on the
#     sender's leg (TLS to the attacker) and in clear on the attacker's leg
#     to the MX;  mx-tls: the reverse;
#   AUTH with STARTTLS stripped: the weakened sender's AUTH crosses the
#     sender's leg in clear and results.json says credentials_leaked; the
#     reference sender sends no AUTH at all.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   attacks: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL attacks: $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/out" | head -20; fi; }

if ! command -v tshark >/dev/null 2>&1; then
	echo "FAIL attacks: tshark is not installed"
	exit 1
fi

# commands seen in clear on the capture: "src dst VERB" lines (tshark
# shows the first four letters: STARTTLS is "STAR")
cmds() {
	tshark -r "$1/capture.pcap" -Y smtp.req.command -T fields \
	    -e ip.src -e ip.dst -e smtp.req.command 2>/dev/null
}
# the sender's leg is 127.1.0.1 -> the path; the attacker's leg 127.66.0.1 -> MX
sender_leg_has() { cmds "$1" | grep -q "^127\.1\.0\.1	[0-9.]*	$2\$"; }
attacker_leg_has() { cmds "$1" | grep -q "^127\.66\.0\.1	127\.26\.[0-9.]*	$2\$"; }
not() { ! "$@"; }

$MXSIM run --sender builtin:opportunistic --out "$T/st" scenarios/starttls/split-sender-tls.lua >/dev/null 2>&1
check "sender-tls: no MAIL in clear on the sender's leg" not sender_leg_has "$T/st" MAIL
check "sender-tls: MAIL and DATA in clear on the attacker's leg to the MX" \
	sh -c "$(command -v tshark) -r '$T/st/capture.pcap' -Y 'ip.src==127.66.0.1 && smtp.req.command==\"DATA\"' 2>/dev/null | grep -q ."
check "sender-tls: the attacker never sent STARTTLS to the MX" not attacker_leg_has "$T/st" STAR
check "sender-tls: results.json says the MX got it in clear" \
	grep -q "relayed it to the MX in clear text" "$T/st/results.json"

$MXSIM run --sender builtin:opportunistic --out "$T/mt" scenarios/starttls/split-mx-tls.lua >/dev/null 2>&1
check "mx-tls: MAIL and DATA in clear on the sender's leg" sender_leg_has "$T/mt" DATA
check "mx-tls: the attacker's STARTTLS to the MX" attacker_leg_has "$T/mt" STAR
check "mx-tls: no MAIL in clear on the attacker's leg" not attacker_leg_has "$T/mt" MAIL
check "mx-tls: results.json says the MX logged TLS" \
	grep -q "inside its own TLS (the MX logs TLS)" "$T/mt/results.json"

$MXSIM run --sender builtin:opportunistic --out "$T/ao" scenarios/submission/auth-587-strip.lua >/dev/null 2>&1
check "AUTH stripped, weakened sender: AUTH in clear on its leg" sender_leg_has "$T/ao" AUTH
check "AUTH stripped, weakened sender: credentials_leaked" \
	grep -q '"credentials_leaked": true' "$T/ao/results.json"
$MXSIM run --out "$T/as" scenarios/submission/auth-587-strip-optional.lua scenarios/submission/auth-587.lua >/dev/null 2>&1
check "reference sender: no AUTH in clear anywhere" not sh -c "$(command -v tshark) -r '$T/as/capture.pcap' -Y 'smtp.req.command==\"AUTH\"' 2>/dev/null | grep -q ."
check "reference sender: no credential leak" not grep -q '"credentials_leaked": true' "$T/as/results.json"
check "reference sender: AUTH inside TLS recorded" grep -q '"auth_tls": true' "$T/as/results.json"

echo "attacks: $pass passed, $fail failed"
test "$fail" -eq 0
