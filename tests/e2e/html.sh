#!/bin/sh
# report.html in a real browser: run the STARTTLS strip scenario, render
# its report in headless Chromium (Debian's chromium, inside an empty
# network namespace when we may make one, so neither the page nor the
# browser can reach any network), take a screenshot and dump the DOM after
# the page's script ran, and check that the stripped STARTTLS line, the
# attacker's note and the verdict are there; that the DNS and HTTPS
# lanes show the lookups, the policy fetch and a spoofed answer (an
# MTA-STS, a DANE and a DNS attack scenario); that the page references
# nothing outside itself; that the same run gives the same bytes; that
# report.tap is read by prove.  Prints ok/FAIL lines, exits non-zero on any
# failure.
set -u
MXSIM=${MXSIM:-./mxsim}
SCN=scenarios/starttls/strip-secure.lua
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   html: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL html: $1"; }
check() { name=$1; shift; if "$@" >"$T/check.out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/check.out" | head -20; fi; }
has() { grep -qF -- "$2" "$1" || { echo "missing in $1: $2"; return 1; }; }

if ! command -v chromium >/dev/null 2>&1; then
	echo "FAIL html: chromium is not installed (apt-get install chromium)"
	exit 1
fi

$MXSIM run --out "$T/out" "$SCN" >"$T/run.out" 2>&1
check "mxsim run $SCN passes" test $? -eq 0
check "report.html and report.tap written" test -s "$T/out/report.html" -a -s "$T/out/report.tap"

# no network: not a single http(s) reference, no src attribute, links are
# fragments only
check "report.html has no http(s):// reference" sh -c "! grep -Eq 'https?://' '$T/out/report.html'"
check "report.html loads nothing (no src=, only #fragment links)" sh -c \
    "! grep -Eq '(src|srcset|action)=' '$T/out/report.html' && ! grep -Eo 'href=\"[^\"]*\"' '$T/out/report.html' | grep -qv 'href=\"#'"

# Chromium, as root without its sandbox, in its own empty network
# namespace where possible
NET=""
if unshare -n true 2>/dev/null; then NET="unshare -n"; fi
browse() {
	prof=$(mktemp -d "$T/profile.XXXXXX")
	$NET chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --enable-logging=stderr \
	    --user-data-dir="$prof" "$@" "file://$T/out/report.html"
}
browse --screenshot="$T/out/shot.png" --window-size=1280,2000 >"$T/shot.log" 2>&1
check "chromium takes a screenshot" test -s "$T/out/shot.png"
check "the screenshot is a 1280x2000 PNG" sh -c \
    "test \"\$(od -A n -t x1 -N 8 '$T/out/shot.png' | tr -d ' \n')\" = 89504e470d0a1a0a && \
     test \"\$(od -A n -t u1 -j 16 -N 8 '$T/out/shot.png' | tr -s ' ' | sed 's/^ //')\" = '0 0 5 0 0 0 7 208'"
# an empty page of that size is about 12 kB; the report is far more
check "the screenshot is not an empty page (> 40 kB)" test "$(wc -c <"$T/out/shot.png")" -gt 40000
browse --dump-dom >"$T/dom.html" 2>"$T/dom.log"
check "chromium dumps the DOM" test -s "$T/dom.html"
check "the page script ran without errors" sh -c \
    "grep -qF 'data-js=\"ok\"' '$T/dom.html' && ! grep -q 'Uncaught' '$T/dom.log'"
check "DOM: the verdict PASS is shown" has "$T/dom.html" \
    '<div class="verdict pass"><div class="vw">PASS</div>'
check "DOM: the delivery 'refused' is shown" has "$T/dom.html" \
    '<span class="dl d-refused">refused</span>'
check "DOM: the stripped 250 STARTTLS line is shown as dropped by the attacker" has "$T/dom.html" \
    'data-hop="dropped"><span class="tx">250 STARTTLS</span><span class="tag">dropped: never passed on to the sender</span>'
check "DOM: the attacker's note is shown on its lifeline" has "$T/dom.html" \
    '<div class="nt atk">attacker: removed STARTTLS from the EHLO reply</div>'
check "DOM: the reply the attacker closed early is shown as changed" has "$T/dom.html" \
    '<span class="tx">250 ENHANCEDSTATUSCODES</span><span class="tag">changed by the attacker</span>'
check "DOM: the references are shown" has "$T/dom.html" '<span class="ref">RFC 3207 6</span>'

# DNS and HTTPS lanes: an MTA-STS scenario's ladder shows the policy
# fetch and the _mta-sts TXT lookup, a DANE scenario's the TLSA query
# answered with AD, a spoofed MX answer is drawn as the attacker's change;
# asserted on the DOM Chromium built, one scenario section at a time
LANES="scenarios/mta-sts/enforce-ok.lua scenarios/dane/ee-match.lua scenarios/dns/spoof-mx-insecure.lua"
$MXSIM run --out "$T/lanes" $LANES >"$T/lanes.out" 2>&1
check "mxsim run (MTA-STS, DANE, DNS spoof) passes" test $? -eq 0
$NET chromium --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" \
    --dump-dom "file://$T/lanes/report.html" >"$T/lanes.dom" 2>"$T/lanes.log"
section() {  # the DOM of scenario $1's section, in $T/sec-$2
	python3 - "$T/lanes.dom" "$1" >"$T/sec-$2" <<'PY'
import re, sys
dom, sid = open(sys.argv[1]).read(), sys.argv[2]
for part in dom.split('<section class="scn')[1:]:
    if re.search(r'<span class="sid">' + re.escape(sid) + '</span>', part):
        print(part)
PY
}
section mta-sts/enforce-ok sts
section dane/ee-match dane
section dns/spoof-mx-insecure spoof
check "DOM: the MTA-STS ladder has five lanes (DNS resolver, web host)" sh -c \
    "grep -qF '<div class=\"lad w5\">' '$T/sec-sts' && grep -qF '<span class=\"act r\">DNS resolver' '$T/sec-sts' && grep -qF '<span class=\"act w\">Web host<small>mta-sts.example.test</small>' '$T/sec-sts'"
check "DOM: the MTA-STS ladder shows the policy fetch on the web lane" has "$T/sec-sts" \
    'data-lane="web" data-dir'
check "DOM: ... GET /.well-known/mta-sts.txt to the policy host" sh -c \
    "grep -qE 'class=\"a sh rt x-web\" data-lane=\"web\" data-dir=\"[^\"]*\"><span class=\"tx\">GET /.well-known/mta-sts.txt' '$T/sec-sts'"
check "DOM: the MTA-STS ladder shows the _mta-sts TXT lookup on the DNS lane" sh -c \
    "grep -qE 'class=\"a rs lt x-dns\" data-lane=\"dns\" data-dir=\"[^\"]*\"><span class=\"tx\">_mta-sts.example.test. TXT\\?</span>' '$T/sec-sts' && grep -qF '<span class=\"tx\">NOERROR: TXT \"v=STSv1; id=20260101\"</span>' '$T/sec-sts'"
check "DOM: the TXT lookup comes before the policy fetch, which comes before EHLO" sh -c \
    "grep -o '_mta-sts.example.test. TXT?\|GET /.well-known/mta-sts.txt\|>EHLO sender' '$T/sec-sts' | uniq | head -3 | tr '\n' '|' | grep -qxF '_mta-sts.example.test. TXT?|GET /.well-known/mta-sts.txt|>EHLO sender|'"
check "DOM: the DANE ladder shows the TLSA query" sh -c \
    "grep -qE 'class=\"a rs lt x-dns\" data-lane=\"dns\" data-dir=\"[^\"]*\"><span class=\"tx\">_25._tcp.mx1.example.test. TLSA\\?</span>' '$T/sec-dane'"
check "DOM: ... answered with AD and the TLSA record" sh -c \
    "grep -qE 'class=\"a rs rt x-dns\" data-lane=\"dns\" data-dir=\"[^\"]*\"><span class=\"tx\">NOERROR AD: TLSA 3 1 1 [0-9a-f]{64}' '$T/sec-dane'"
check "DOM: the spoofed MX answer is drawn as changed by the attacker" sh -c \
    "grep -qE 'class=\"a rs rt x-dns h-changed\" data-lane=\"dns\" data-dir=\"[^\"]*\"><span class=\"tx\">NOERROR: MX 10 evil.attacker.test.</span><span class=\"tag\">changed by the attacker \\(spoof_mx\\)</span>' '$T/sec-spoof'"
check "DOM: ... with the attacker's note on the DNS lane" has "$T/sec-spoof" \
    '<div class="nz rs" data-lane="dns"><div class="nt atk">attacker (spoof_mx, upstream of the resolver face)'
check "results.json: exchanges with the TLSA query (AD) and the policy fetch (200)" python3 -c "
import json, sys
d = json.load(open('$T/lanes/results.json'))
x = {s['id']: s['exchanges'] for s in d['scenarios']}
assert any(e['kind'] == 'dns' and e['type'] == 'TLSA' and e['ad'] and e['rcode'] == 'NOERROR' for e in x['dane/ee-match'])
assert any(e['kind'] == 'https' and e['status'] == 200 and e['request'].startswith('GET /.well-known/mta-sts.txt') for e in x['mta-sts/enforce-ok'])
assert any(e['kind'] == 'dns' and e['attack'] == 'spoof_mx' for e in x['dns/spoof-mx-insecure'])
assert all(s['port'] != 53 or s.get('dns') for sc in d['scenarios'] for s in sc['sessions']), 'DNS exchanges among the sessions'
"
$MXSIM run --out "$T/lanes2" $LANES >/dev/null 2>&1
check "same run with lanes: results.json byte-identical" cmp "$T/lanes/results.json" "$T/lanes2/results.json"
check "same run with lanes: report.html byte-identical" cmp "$T/lanes/report.html" "$T/lanes2/report.html"
$MXSIM run -j 2 --out "$T/lanes3" $LANES >/dev/null 2>&1
check "-j 2: report.html byte-identical to the serial run (seq survives results.bin)" cmp "$T/lanes/report.html" "$T/lanes3/report.html"

# the same run, the same bytes
$MXSIM run --out "$T/again" "$SCN" >/dev/null 2>&1
check "same run: results.json byte-identical" cmp "$T/out/results.json" "$T/again/results.json"
check "same run: report.html byte-identical" cmp "$T/out/report.html" "$T/again/report.html"
check "same run: report.tap byte-identical" cmp "$T/out/report.tap" "$T/again/report.tap"

# TAP read by the real harness
check "prove reads report.tap (1 test, passing)" sh -c \
    "prove -e cat '$T/out/report.tap' >'$T/prove.out' 2>&1 && grep -q 'Result: PASS' '$T/prove.out'"

# --format on stdout is what the folder holds
$MXSIM run --out "$T/f" --format tap "$SCN" >"$T/stdout.tap" 2>/dev/null
check "--format tap prints report.tap" cmp "$T/stdout.tap" "$T/f/report.tap"
$MXSIM run --out "$T/f" --format json "$SCN" >"$T/stdout.json" 2>/dev/null
check "--format json prints results.json" cmp "$T/stdout.json" "$T/f/results.json"
$MXSIM run --out "$T/f" --format junit "$SCN" >"$T/stdout.xml" 2>/dev/null
check "--format junit prints junit.xml" cmp "$T/stdout.xml" "$T/f/junit.xml"
$MXSIM run --out "$T/f" --format yaml "$SCN" >/dev/null 2>&1
check "--format yaml is a usage error (exit 2)" test $? -eq 2
# a pipe gets no progress line; a terminal (script(1) makes one) does,
# erased before the table, with failures counted; NO_COLOR turns it off
$MXSIM run --out "$T/f" "$SCN" 2>"$T/stderr" >/dev/null
check "no progress line on a pipe" sh -c "! grep -q '\[0/1\]' '$T/stderr'"
if command -v script >/dev/null 2>&1; then
	script -qec "$MXSIM run --no-capture --sender builtin:opportunistic --out '$T/p' scenarios/starttls/strip-secure.lua scenarios/starttls/baseline.lua" /dev/null >"$T/pty" 2>&1
	check "a terminal gets a progress line, erased before the table" sh -c \
	    "grep -qF '[0/2] 0 failed' '$T/pty' && grep -qF '[1/2] 1 failed, ETA' '$T/pty' && \
	     grep -q \"\$(printf '\\r\\033\\[K\\033\\[1;31mFAIL')\" '$T/pty'"
	NO_COLOR=1 script -qec "$MXSIM run --no-capture --out '$T/p' $SCN" /dev/null >"$T/pty2" 2>&1
	check "NO_COLOR: no progress line, no colour" sh -c "! grep -q \"\$(printf '\\033')\" '$T/pty2' && grep -q '^PASS' '$T/pty2'"
fi

# mxsim(1): renders without a warning, and names every command and option
# that --help lists
check "man -l man/mxsim.1 renders without warnings" sh -c \
    "MANWIDTH=80 man -l man/mxsim.1 >'$T/man.out' 2>'$T/man.err' && test -s '$T/man.out' && ! test -s '$T/man.err'"
check "groff -ww finds nothing in man/mxsim.1" sh -c \
    "groff -mandoc -Tutf8 -ww -z man/mxsim.1 >'$T/groff.err' 2>&1 && ! test -s '$T/groff.err'"
if command -v mandoc >/dev/null 2>&1; then
	# (mxsim-scenario(5) is our own companion page: "not found" until installed)
	check "mandoc -Tlint finds nothing in man/mxsim.1" sh -c \
	    "mandoc -Tlint -W style man/mxsim.1 2>&1 | grep -v 'referenced manual not found: Xr mxsim-scenario 5' | grep . && exit 1; exit 0"
fi
groff -mandoc -Tascii man/mxsim.1 2>/dev/null | col -b >"$T/man.txt"
missing=""
for w in $($MXSIM --help | grep -oE 'mxsim [a-z]+|--[a-z][a-z-]*|[[ ]-[a-z]\b' | sed 's/^mxsim //; s/^\[//; s/^ //' | sort -u); do
	case $w in
	-*) grep -qE -- "(^|[^a-z-])$w([^a-z-]|\$)" "$T/man.txt" || missing="$missing $w" ;;
	*) grep -qE "^ +$w( |\$)" "$T/man.txt" || missing="$missing $w" ;;
	esac
done
check "mxsim(1) documents every command and option of --help" sh -c "test -z '$missing' || { echo 'not in mxsim(1):$missing'; exit 1; }"

echo "html: $pass passed, $fail failed"
test "$fail" -eq 0
