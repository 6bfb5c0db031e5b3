#!/bin/sh
# End-to-end checks of the run's capture (capture.pcap, keylog.txt,
# capture.json) with a real reader: tshark decodes every leg (sender to
# path, path to MX, DNS), decrypts the TLS sessions with the key log so
# the SMTP commands inside TLS show, finds no malformed packets, no bad
# checksums and no TCP analysis problems (the only expert warnings allowed
# are the resets that really happened); the same seed gives the same
# bytes; the notes sidecar points at the packets the attacker changed.
# Then prints the capture overhead (library run time with and without the
# capture).  Prints one line per check; exits 1 if any failed.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   capture: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL capture: $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/out" | head -40; fi; }
# tshark -r FILE [ARGS...]: packet lines only (no root warning)
ts() { f=$1; shift; tshark -r "$f" "$@" 2>/dev/null; }
count() { ts "$@" | wc -l; }

if ! command -v tshark >/dev/null 2>&1; then
	ko "tshark is not installed (Debian package tshark; make deps)"
	exit 1
fi

$MXSIM run --seed 3 --out "$T/a" scenarios >"$T/run.out" 2>&1
rc=$?
$MXSIM run --seed 3 --out "$T/b" scenarios >/dev/null 2>&1
check "the library runs with the capture on (exit 0)" sh -c "test $rc -eq 0 || { tail -5 '$T/run.out'; exit 1; }"
P=$T/a/capture.pcap
K="-o tls.keylog_file:$T/a/keylog.txt"
check "capture.pcap, keylog.txt and capture.json written" \
	test -s "$P" -a -s "$T/a/keylog.txt" -a -s "$T/a/capture.json"
check "tshark reads the whole file" sh -c "tshark -r '$P' >/dev/null 2>'$T/err' && ! grep -qi 'cut short\|appears to be damaged' '$T/err'"
check "file type: pcap, Ethernet" sh -c "capinfos -t -E '$P' | grep -q 'Ethernet' && capinfos -t '$P' | grep -q 'pcap'"

# every leg is there
check "leg sender -> path (127.1.0.1 -> 127.25.0.x:25)" \
	test "$(count "$P" -Y 'ip.src == 127.1.0.1 && ip.dst == 127.25.0.0/16 && tcp.dstport == 25')" -gt 0
check "leg path -> MX (127.66.0.1 -> 127.26.0.x:25)" \
	test "$(count "$P" -Y 'ip.src == 127.66.0.1 && ip.dst == 127.26.0.0/16 && tcp.dstport == 25')" -gt 0
check "submission legs (465, 587)" \
	test "$(count "$P" -Y 'tcp.dstport == 465 || tcp.dstport == 587')" -gt 0
check "DNS over UDP decodes: queries and answers" sh -c "
	test \$(tshark -r '$P' -Y 'dns && udp && dns.flags.response == 0' 2>/dev/null | wc -l) -gt 0 &&
	test \$(tshark -r '$P' -Y 'dns && udp && dns.flags.response == 1 && dns.count.answers > 0' 2>/dev/null | wc -l) -gt 0"
check "MTA-STS: the policy body decrypts on both legs (sender -> path, path -> host)" sh -c "
	tshark -r '$P' $K -Y 'http.response.code == 200 && ip.src == 127.43.0.1' -T fields -e http.file_data 2>/dev/null | grep -q 'version: STSv1' &&
	tshark -r '$P' $K -Y 'http.response.code == 200 && ip.src == 127.44.0.1' -T fields -e http.file_data 2>/dev/null | grep -q 'version: STSv1'"
check "SMTP decodes (banner, EHLO, STARTTLS)" sh -c "
	tshark -r '$P' -Y smtp 2>/dev/null | grep -q 'S: 220 ' &&
	tshark -r '$P' -Y smtp 2>/dev/null | grep -q 'C: EHLO ' &&
	tshark -r '$P' -Y smtp 2>/dev/null | grep -q 'C: STARTTLS'"

# decryption
nmail_clear=$(count "$P" -Y 'smtp.req.command == "MAIL"')
nmail_tls=$(count "$P" $K -Y 'tls && smtp.req.command == "MAIL"')
check "key log: MAIL FROM decrypted inside TLS ($nmail_tls frames; $nmail_clear without the key log)" \
	test "$nmail_tls" -gt "$nmail_clear"
check "key log: the decrypted MAIL FROM is the sender's" sh -c \
	"tshark -r '$P' $K -Y 'tls && smtp.req.command == \"MAIL\"' -T fields -e smtp.req.parameter 2>/dev/null | grep -q 'FROM:<sender@mxsim.test>'"
check "key log: message data decrypted (the test message text)" sh -c \
	"tshark -r '$P' $K -Y 'imf' -T fields -e imf.subject 2>/dev/null | grep -q 'mxsim '"
check "key log: every TLS application data record decrypts" sh -c "
	n=\$(tshark -r '$P' -Y 'tls.app_data' 2>/dev/null | wc -l)
	u=\$(tshark -r '$P' $K -Y 'tls.app_data && !smtp && !imf && !tls.segment.data && !http' 2>/dev/null | wc -l)
	echo \"records \$n, left encrypted \$u\"; test \"\$n\" -gt 0 -a \"\$u\" -eq 0"
check "key log: no line twice" sh -c "test \$(sort -u '$T/a/keylog.txt' | wc -l) -eq \$(wc -l <'$T/a/keylog.txt')"

# clean TCP
check "no malformed packets, no TCP analysis flags" \
	test "$(count "$P" $K -Y 'tcp.analysis.flags || _ws.malformed')" -eq 0
check "IPv4, TCP and UDP checksums all good" \
	test "$(count "$P" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	    -o udp.check_checksum:TRUE -Y 'ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad"')" -eq 0
# smtp.decryption: decode AUTH's base64 (submission scenarios); without it
# tshark warns on every AUTH that it did not
tshark -r "$P" $K -o smtp.decryption:TRUE -q -z expert,warn 2>/dev/null >"$T/expert"
check "expert warnings and errors: only real resets" sh -c "
	grep -q 'Connection reset (RST)' '$T/expert' &&
	! grep -E '^ +[0-9]+ +[A-Za-z]' '$T/expert' | grep -v 'Connection reset (RST)'"
check "every TCP connection is opened with a full handshake" sh -c "
	s=\$(tshark -r '$P' -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)
	a=\$(tshark -r '$P' -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' 2>/dev/null | wc -l)
	r=\$(tshark -r '$P' -Y 'tcp.flags.reset == 1 && tcp.seq_raw == 0' 2>/dev/null | wc -l)
	echo \"SYN \$s SYN/ACK \$a refused \$r\"; test \"\$s\" -gt 0 -a \"\$s\" -eq \$((a + r))"

# determinism
check "same seed: capture.pcap byte-identical" cmp "$T/a/capture.pcap" "$T/b/capture.pcap"
check "same seed: keylog.txt byte-identical" cmp "$T/a/keylog.txt" "$T/b/keylog.txt"
check "same seed: capture.json byte-identical" cmp "$T/a/capture.json" "$T/b/capture.json"

# notes: each "removed STARTTLS" note points at a packet from the path to
# the sender (the EHLO reply it rewrote)
python3 - "$T/a/capture.json" >"$T/strip" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["notes"]:
    if "removed STARTTLS" in n["text"]:
        print(n["frame"])
EOF
check "notes: STARTTLS strips are annotated" test -s "$T/strip"
check "notes: each strip note is on a packet from the path to the sender" sh -c "
	for f in \$(cat '$T/strip'); do
		tshark -r '$P' -Y \"frame.number == \$f && ip.src == 127.25.0.0/16 && tcp.srcport == 25 || frame.number == \$f && tcp.srcport == 587\" 2>/dev/null | grep -q . || { echo \"frame \$f\"; exit 1; }
	done"
check "notes: scenario frame ranges cover the file" python3 -c "
import json, sys
d = json.load(open('$T/a/capture.json'))
s = d['scenarios']
assert s[0]['first_frame'] == 1, s[0]
assert s[-1]['last_frame'] == d['frames'], (s[-1], d['frames'])
for a, b in zip(s, s[1:]):
    assert b['first_frame'] == a['last_frame'] + 1, (a, b)
"

# DNS over TCP: an MX answer too large for UDP (truncated, retried on TCP)
mkdir -p "$T/tcpdns"
python3 - "$T/tcpdns/big-mx.lua" <<'EOF'
import sys
rrs = ",\n    ".join('"example.test. 300 IN MX 50 spare-%02d-with-a-long-name.example.test."' % i
                   for i in range(60))
open(sys.argv[1], "w").write('''return {
  title  = "DNS over TCP: a large MX answer",
  refs   = { "RFC 7766 5" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  dns    = { %s },
  expect = { delivery = "verified" },
}
''' % rrs)
EOF
$MXSIM run --out "$T/t" "$T/tcpdns" >/dev/null 2>&1
check "DNS over TCP decodes: truncated UDP answer, then query and answer on TCP" sh -c "
	test \$(tshark -r '$T/t/capture.pcap' -Y 'dns && udp && dns.flags.truncated == 1' 2>/dev/null | wc -l) -eq 1 &&
	test \$(tshark -r '$T/t/capture.pcap' -Y 'dns && tcp && dns.flags.response == 0' 2>/dev/null | wc -l) -eq 1 &&
	test \$(tshark -r '$T/t/capture.pcap' -Y 'dns && tcp && dns.count.answers > 50' 2>/dev/null | wc -l) -eq 1 &&
	test \$(tshark -r '$T/t/capture.pcap' -Y 'tcp.analysis.flags || _ws.malformed' 2>/dev/null | wc -l) -eq 0"

# --no-capture writes none (and removes an old one)
$MXSIM run --no-capture --seed 3 --out "$T/a" scenarios >/dev/null 2>&1
check "--no-capture: no capture files" test ! -e "$T/a/capture.pcap" -a ! -e "$T/a/keylog.txt" -a ! -e "$T/a/capture.json"

# overhead: N runs each way, interleaved; CPU time (user + system of the
# mxsim process, less disturbed by other load than wall time), the
# per-scenario real time from mxsim.log, and the wall time per run
N=${MXSIM_CAPTURE_RUNS:-3}
if [ -n "${ASAN_OPTIONS:-}" ]; then
	N=0   # a sanitized build: its timings say nothing
	echo "     capture overhead: not measured with a sanitized build"
fi
i=0
: >"$T/times"
while [ "$i" -lt "$N" ]; do
	for mode in capture no-capture; do
		flag=; [ "$mode" = no-capture ] && flag=--no-capture
		python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(sys.argv[1], (r.ru_utime + r.ru_stime) * 1000, w * 1000)
' "$mode" $MXSIM run $flag --out "$T/o" scenarios >"$T/one"
		s=$(awk '$1 == "==" && $2 == "done" { t += $4 } END { print t + 0 }' "$T/o/mxsim.log")
		awk -v s="$s" '{ print $1, $2, $3, s }' "$T/one" >>"$T/times"
	done
	i=$((i + 1))
done
size=$(stat -c %s "$T/b/capture.pcap")
frames=$(python3 -c "import json; print(json.load(open('$T/b/capture.json'))['frames'])")
[ "$N" -gt 0 ] && awk -v n="$N" -v size="$size" -v frames="$frames" '
	function pct(a, b) { return b > 0 ? 100 * (a - b) / b : 0 }
	{ cpu[$1] += $2; wall[$1] += $3; sc[$1] += $4 }
	END {
		c = cpu["capture"] / n; o = cpu["no-capture"] / n
		printf "     capture overhead, library run (%d runs each way): CPU %.0f ms with, %.0f ms without (%+.1f%%); ", n, c, o, pct(c, o)
		c = sc["capture"] / n; o = sc["no-capture"] / n
		printf "scenario time %.0f / %.0f ms (%+.1f%%); ", c, o, pct(c, o)
		c = wall["capture"] / n; o = wall["no-capture"] / n
		printf "wall %.0f / %.0f ms (%+.1f%%); the capture: %d frames, %d bytes\n", c, o, pct(c, o), frames, size
	}' "$T/times"

echo "capture: $pass passed, $fail failed"
test "$fail" -eq 0
