#!/bin/sh
# End-to-end checks of the scale and lab front doors:
#   -j N        the output folder of `run -j 2` is byte-identical to a
#               serial run's (results, JUnit, TAP, HTML, TLSRPT, the
#               capture; mxsim.log differs in real ports and times only)
#   --shard     shards merged with `mxsim merge` give the same folder;
#               broken merges (missing, doubled, foreign shards) are errors
#   JUnit       junit.xml validates against the Jenkins xUnit plugin's
#               junit-10.xsd with xmllint (passing and failing runs)
#   shell       `mxsim shell SCENARIO -- CMD`: swaks delivers through the
#               world (and is refused under a STARTTLS strip), dig and delv
#               validate with the exported trust anchor, the child's exit
#               code is mxsim's, the outputs show the session
# One line per check; exit 1 if any failed.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   scale: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL scale: $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/out" | head -30; fi; }
same() { diff -r -x mxsim.log "$1" "$2"; }
# a private copy of the library: every run below must see the same files
cp -r scenarios "$T/lib" || exit 1
L=$T/lib
# Its 1 MiB policy makes capture frames follow the kernel's partial
# writes, whose sizes follow TCP's buffer autotuning, which runs on real
# time (a capture.c limitation, see core/capture.h): it cannot be part of
# a byte compare.
rm -f "$L/mta-sts/fetch-oversize.lua"

# --- -j and shards against a serial run of the whole library ---
$MXSIM run -q --seed 5 --out "$T/serial" "$L" >/dev/null 2>&1
rc_serial=$?
$MXSIM run -q --seed 5 -j 2 --out "$T/j2" "$L" >/dev/null 2>&1
rc_j2=$?
check "-j 2 exits as the serial run ($rc_serial)" test "$rc_j2" -eq "$rc_serial"
check "serial run wrote results.json, results.bin, junit.xml, capture.pcap" \
	test -s "$T/serial/results.json" -a -s "$T/serial/results.bin" -a \
	-s "$T/serial/junit.xml" -a -s "$T/serial/capture.pcap"
check "-j 2: results.json byte-identical to serial" cmp "$T/serial/results.json" "$T/j2/results.json"
check "-j 2: junit.xml byte-identical to serial" cmp "$T/serial/junit.xml" "$T/j2/junit.xml"
check "-j 2: capture.pcap, keylog.txt, capture.json byte-identical" sh -c \
	"cmp '$T/serial/capture.pcap' '$T/j2/capture.pcap' && cmp '$T/serial/keylog.txt' '$T/j2/keylog.txt' && cmp '$T/serial/capture.json' '$T/j2/capture.json'"
check "-j 2: the whole folder is identical but mxsim.log" same "$T/serial" "$T/j2"
check "-j 2: no work folder left behind" sh -c "! ls -a '$T/j2' | grep -q mxsim-work"
check "-j 2: mxsim.log has every scenario, in order" sh -c \
	"grep '^== scenario' '$T/serial/mxsim.log' >'$T/l1' && grep '^== scenario' '$T/j2/mxsim.log' >'$T/l2' && cmp '$T/l1' '$T/l2'"

# --- a late kernel: packets held back by a token bucket on the world's
# loopback (core/netns.h) reach their socket after the send returned, as
# on a loaded machine whose softirqs run late.  The loop quiesces the
# kernel before every callback, so the outputs must not change.
# (a kernel without sch_tbf cannot make one: said, and skipped)
if ! command -v tc >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
	ko "late kernel: no tc or ip (iproute2) here"
elif ! unshare -rn sh -c 'ip link set lo up && tc qdisc add dev lo root tbf rate 5mbit burst 1600 latency 10s' >/dev/null 2>&1; then
	echo "skip scale: late kernel: this kernel has no token bucket filter (sch_tbf) or no namespaces"
else
	MXSIM_TEST_LATE_LO=5mbit $MXSIM run -q --seed 5 -j 2 --out "$T/late" "$L" >/dev/null 2>"$T/late.err"
	rc_late=$?
	check "late kernel (5 Mbit/s bucket on lo), -j 2: exits as the serial run ($rc_serial)" \
		sh -c "test $rc_late -eq $rc_serial || { tail -5 '$T/late.err'; exit 1; }"
	check "late kernel, -j 2: the whole folder is identical to the serial run's but mxsim.log" \
		same "$T/serial" "$T/late"
	rm -rf "$T/late"
fi

$MXSIM run -q --seed 5 --shard 1/3 --out "$T/s1" "$L" >/dev/null 2>&1
$MXSIM run -q --seed 5 --shard 2/3 -j 2 --out "$T/s2" "$L" >/dev/null 2>&1
$MXSIM run -q --seed 5 --shard 3/3 --out "$T/s3" "$L" >/dev/null 2>&1
n1=$(grep -c '"id": ' "$T/s1/results.json" 2>/dev/null || echo 0)
check "a shard runs a part of the library ($n1 scenario entries in 1/3)" sh -c \
	"test $n1 -gt 0 && ! cmp -s '$T/s1/results.json' '$T/serial/results.json'"
$MXSIM merge -q --out "$T/merged" "$T/s3" "$T/s1" "$T/s2" >/dev/null 2>"$T/merge.err"
rc_merge=$?
check "merge exits as the serial run ($rc_serial)" sh -c "test $rc_merge -eq $rc_serial || { cat '$T/merge.err'; exit 1; }"
check "3 shards merged: results.json byte-identical to serial" cmp "$T/serial/results.json" "$T/merged/results.json"
check "3 shards merged: junit.xml byte-identical to serial" cmp "$T/serial/junit.xml" "$T/merged/junit.xml"
check "3 shards merged: the whole folder is identical but mxsim.log" same "$T/serial" "$T/merged"
check "merge prints the text summary" sh -c "$MXSIM merge --out '$T/m2' '$T/s1' '$T/s2' '$T/s3' | tail -1 | grep -q 'passed'"

check "merge with a shard missing is an error (exit 2)" sh -c \
	"$MXSIM merge -q --out '$T/bad1' '$T/s1' '$T/s3' 2>'$T/e'; test \$? -eq 2 && grep -q 'shard is missing' '$T/e'"
check "merge with a shard twice is an error (exit 2)" sh -c \
	"$MXSIM merge -q --out '$T/bad2' '$T/s1' '$T/s1' '$T/s2' '$T/s3' 2>'$T/e'; test \$? -eq 2 && grep -q 'same shard twice' '$T/e'"
$MXSIM run -q --seed 6 --shard 2/3 --out "$T/s2b" "$L" >/dev/null 2>&1
check "merge of shards of different runs is an error (exit 2)" sh -c \
	"$MXSIM merge -q --out '$T/bad3' '$T/s1' '$T/s2b' '$T/s3' 2>'$T/e'; test \$? -eq 2 && grep -q 'another run' '$T/e'"
check "merge into one of its inputs is an error (exit 2)" sh -c \
	"$MXSIM merge -q --out '$T/s1' '$T/s1' '$T/s2' '$T/s3' 2>/dev/null; test \$? -eq 2"
check "merge of a folder without results.bin is an error (exit 2)" sh -c \
	"mkdir -p '$T/empty'; $MXSIM merge -q --out '$T/bad4' '$T/empty' 2>'$T/e'; test \$? -eq 2 && grep -q 'results.bin' '$T/e'"
check "--shard 0/2, 3/2 and x are usage errors (exit 2)" sh -c \
	"for s in 0/2 3/2 x 1/0; do $MXSIM run -q --shard \$s --out '$T/x' scenarios/starttls/baseline.lua 2>/dev/null; test \$? -eq 2 || exit 1; done"
check "-j 0 and -j x are usage errors (exit 2)" sh -c \
	"for j in 0 x; do $MXSIM run -q -j \$j --out '$T/x' scenarios/starttls/baseline.lua 2>/dev/null; test \$? -eq 2 || exit 1; done"
check "-j 4 with one scenario works" sh -c \
	"$MXSIM run -q -j 4 --out '$T/one' scenarios/starttls/baseline.lua >/dev/null && grep -q '\"verdict\": \"pass\"' '$T/one/results.json'"

# --- JUnit against a real schema ---
if command -v xmllint >/dev/null 2>&1; then
	check "junit.xml validates against junit-10.xsd (xmllint)" \
		xmllint --noout --schema tests/e2e/junit-10.xsd "$T/serial/junit.xml"
	$MXSIM run -q --sender builtin:opportunistic --no-capture --out "$T/opp" "$L/starttls" >/dev/null 2>&1
	check "junit.xml of a failing run validates and has failures" sh -c \
		"xmllint --noout --schema tests/e2e/junit-10.xsd '$T/opp/junit.xml' && grep -q '<failure ' '$T/opp/junit.xml'"
	check "junit.xml: one testcase per scenario" sh -c \
		"test \$(xmllint --xpath 'count(//testcase)' '$T/serial/junit.xml') -eq \$($MXSIM list '$L' | grep -c '^[^ ]')"
else
	ko "xmllint is not installed (Debian package libxml2-utils; make deps)"
fi

# --- mxsim shell ---
SW="swaks --to user@example.test --from a@mxsim.test --server mx1.example.test --tls --tls-verify --tls-ca-path"
$MXSIM shell -q --out "$T/sh1" scenarios/starttls/baseline.lua -- \
	sh -c "$SW \"\$MXSIM_CA\"" >"$T/sh1.out" 2>&1
rc=$?
check "shell: swaks delivers over verified TLS through the world (exit 0)" sh -c \
	"test $rc -eq 0 && grep -q '250 2.0.0 Ok: queued' '$T/sh1.out' || { tail -20 '$T/sh1.out'; exit 1; }"
check "shell: results.json shows the delivered session and a pass" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scenarios"][0]
sess = [x for x in s["sessions"] if x["via"] is None]
assert s["verdict"] == "pass", s["verdict"]
assert any(x["delivered"] and x["tls"] == "ok" for x in sess), sess
assert any("MAIL FROM:<a@mxsim.test>" in l for x in s["sessions"] for l in x["transcript"])
' "$T/sh1/results.json"
check "shell: junit.xml, report.html and capture.pcap written" \
	test -s "$T/sh1/junit.xml" -a -s "$T/sh1/report.html" -a -s "$T/sh1/capture.pcap"
$MXSIM shell -q --out "$T/sh2" scenarios/starttls/strip-secure.lua -- sh -c "$SW \"\$MXSIM_CA\"" >"$T/sh2.out" 2>&1
rc=$?
check "shell: under strip_starttls swaks cannot start TLS (exit $rc)" sh -c \
	"test $rc -ne 0 && grep -qi 'STARTTLS' '$T/sh2.out' && grep -q 'strip_starttls' '$T/sh2/results.json'"
check "shell: the child's exit code is mxsim's" sh -c \
	"$MXSIM shell -q --no-capture --out '$T/sh3' scenarios/starttls/baseline.lua -- sh -c 'exit 7'; test \$? -eq 7"
check "shell: /etc/resolv.conf inside names the world's resolver, outside unchanged" sh -c \
	"cp /etc/resolv.conf '$T/rc.before'; $MXSIM shell -q --no-capture --out '$T/sh4' scenarios/starttls/baseline.lua -- cat /etc/resolv.conf >'$T/rc.in' && grep -q '^nameserver 127.53.0.1' '$T/rc.in' && grep -q 'trust-ad' '$T/rc.in' && cmp /etc/resolv.conf '$T/rc.before'"
check "shell: dig gets an authenticated (ad) MX answer in a signed world" sh -c \
	"$MXSIM shell -q --no-capture --out '$T/sh5' scenarios/dane/dane-required.lua -- dig +dnssec MX example.test | grep -q 'flags: qr aa rd ra ad'"
check "shell: delv -a \$MXSIM_TRUST_ANCHOR fully validates the MX RRset" sh -c \
	"$MXSIM shell -q --no-capture --out '$T/sh6' scenarios/dane/dane-required.lua -- sh -c 'delv -a \"\$MXSIM_TRUST_ANCHOR\" +root=. MX example.test' 2>&1 | grep -q 'fully validated'"
check "shell: delv calls a bogus zone bogus" sh -c \
	"$MXSIM shell -q --no-capture --out '$T/sh7' scenarios/dane/bogus-zone.lua -- sh -c 'delv -a \"\$MXSIM_TRUST_ANCHOR\" +root=. MX example.test' 2>&1 | grep -q 'resolution failed'"
check "shell: openssl s_client verifies the MX certificate with \$MXSIM_CA" sh -c \
	"$MXSIM shell -q --no-capture --out '$T/sh8' scenarios/starttls/baseline.lua -- sh -c 'echo QUIT | openssl s_client -starttls smtp -connect mx1.example.test:25 -verify_hostname mx1.example.test -CAfile \"\$MXSIM_CA\" -verify_return_error 2>&1' | grep -q 'Verify return code: 0 (ok)'"
check "shell: the live log shows the session on stderr" sh -c \
	"$MXSIM shell --no-capture --out '$T/sh9' scenarios/starttls/baseline.lua -- sh -c 'echo QUIT | openssl s_client -starttls smtp -connect mx1.example.test:25 >/dev/null 2>&1' 2>&1 >/dev/null | grep -q 'mxsim: #1 mx1.example.test:25 .*STARTTLS'"
check "shell: a bad scenario is an error (exit 2)" sh -c \
	"$MXSIM shell -q --out '$T/sh10' /nonexistent.lua -- true 2>/dev/null; test \$? -eq 2"

echo "scale: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
