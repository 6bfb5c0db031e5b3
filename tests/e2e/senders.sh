#!/bin/sh
# End-to-end: real senders run unmodified inside the world (sender
# profiles in senders/profiles/) through representative scenarios; the
# verdicts judged on the wire must be those in tests/e2e/senders.txt,
# which records what each real sender was observed to do (a sender's
# failure there is a finding about that sender, not a broken test).
#
#   SENDERS_SET=check (default): Postfix (DANE, MTA-STS), swaks, curl
#   SENDERS_SET=slow: Exim and msmtp too (make check-senders)
# Also checks the supervision contract: no process of a sender survives
# its scenario, the state folder is gone, the evidence is in results.json.
set -u
MXSIM=${MXSIM:-./mxsim}
SET=${SENDERS_SET:-check}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"   # Postfix's daemons run as the postfix user
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# sender, then its scenarios, from the table (set column: check or slow)
senders=$(awk -v set="$SET" '!/^#/ && NF >= 4 && ($1 == "check" || set == "slow") { print $2 }' \
    tests/e2e/senders.txt | sort -u)
for s in $senders; do
	list=$(awk -v s="$s" -v set="$SET" '!/^#/ && $2 == s && ($1 == "check" || set == "slow") \
	    { print "scenarios/" $3 ".lua" }' tests/e2e/senders.txt)
	out="$T/$(echo "$s" | tr ':/' '__')"
	# shellcheck disable=SC2086
	$MXSIM run --sender "$s" --out "$out" $list >"$out.log" 2>&1
	rc=$?
	if [ "$rc" -le 1 ] && [ -f "$out/results.json" ]; then ok "$s: ran ($(echo $list | wc -w) scenarios)"
	else ko "$s: mxsim exited $rc"; sed 's/^/     /' "$out.log" | head -20; continue; fi
	if python3 tests/e2e/check_senders.py "$out/results.json" "$s" tests/e2e/senders.txt "$SET" >"$T/c" 2>&1
	then ok "$s: wire verdicts match tests/e2e/senders.txt"
	else ko "$s: wire verdicts"; sed 's/^/     /' "$T/c"; fi
	# every command of a sender runs in its work folder, and Postfix's
	# daemons in its spool below it: a process whose cwd is there survived
	left=$(for p in /proc/[0-9]*; do readlink "$p/cwd" 2>/dev/null; done | grep -c "^$out/" || true)
	if [ "$left" -eq 0 ]; then ok "$s: no process left behind"
	else ko "$s: $left processes left behind"; fi
	if ls -d "$out"/senders/*/state >/dev/null 2>&1; then ko "$s: a state folder survived"
	else ok "$s: state folders removed, logs kept"; fi
done

# --faketime: the sender runs at the scenario clock (years ahead here):
# without it the certificates are not yet valid for a verifying sender
ft=tests/data/senders/future-clock.lua
$MXSIM run --sender swaks:tls --out "$T/ft0" "$ft" >/dev/null 2>&1
$MXSIM run --faketime --sender swaks:tls --out "$T/ft1" "$ft" >/dev/null 2>&1
if grep -q '"delivery": *"refused"' "$T/ft0/results.json" && grep -q '"delivery": *"verified"' "$T/ft1/results.json"
then ok "--faketime: swaks verifies certificates at the scenario clock"
else ko "--faketime with swaks"; fi
# a multi-phase scenario: Postfix keeps its state across phases, and its
# TLSA cache expires when the scenario clock advances a day (--faketime
# moves the sender's clock with the phase; without it the stale cached
# TLSA RRset is used in phase 2, which is not Postfix's fault)
$MXSIM run --faketime --sender postfix:dane --out "$T/mp" scenarios/dane/tlsa-rotation.lua >/dev/null 2>&1
if python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"][0]; sys.exit(0 if s["verdict"] == "pass" and [m["delivery"] for p in s["phases"] for m in p["messages"]] == ["verified", "verified", "refused"] else 1)' "$T/mp/results.json"
then ok "multi-phase with Postfix: state kept across phases, clock advanced (tlsa-rotation)"
else ko "multi-phase with Postfix (dane/tlsa-rotation --faketime)"; fi
if [ "$SET" = slow ]; then
	$MXSIM run --faketime --sender postfix:dane --out "$T/ft2" "$ft" >/dev/null 2>&1
	if grep -q '"delivery": *"verified"' "$T/ft2/results.json" && grep -q '^Mar 01 ' "$T"/ft2/senders/*/maillog
	then ok "--faketime: Postfix runs at the scenario clock (import_environment)"
	else ko "--faketime with Postfix"; fi
fi

# the host's view is untouched: the world's resolv.conf never leaks out
if grep -q "127.53.0.1" /etc/resolv.conf; then ko "host /etc/resolv.conf changed"
else ok "host /etc/resolv.conf untouched"; fi
# a sender that is not installed, or an unknown mode: exit 2, clear error
$MXSIM run --sender swaks:nosuch scenarios/starttls/baseline.lua >"$T/e" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'unknown mode "nosuch"' "$T/e"; then ok "unknown mode: exit 2 with the modes listed"
else ko "unknown mode: exit $rc"; cat "$T/e"; fi
printf 'requires = mxsim-no-such-program\nrelay = true\n' >"$T/missing.conf"
$MXSIM run --sender "$T/missing.conf" scenarios/starttls/baseline.lua >"$T/e" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'needs "mxsim-no-such-program", which is not installed' "$T/e"
then ok "missing program: exit 2, named"; else ko "missing program: exit $rc"; cat "$T/e"; fi

echo "senders: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
