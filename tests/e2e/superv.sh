#!/bin/sh
# Supervision of external senders and of -j workers (issues 7 and 8).
# The sender is tests/superv/chaos.conf: a profile whose relay command
# (tests/superv/chaos.sh) dies of SIGSEGV, hangs (ignoring SIGTERM, with
# a setsid daemon that ignores it too) or floods GBs on stdout, depending
# on the scenario, and is swaks --tls otherwise.  Its deadline is 5 s
# (mode tls) or 60 s (mode patient: the tests that stop the hang
# themselves, so that good scenarios beside it never hit it).
#  1. serial: the crash, hang and flood scenarios are errors naming the
#     cause, the good ones pass; nothing the sender started survives; the
#     flood leaves 1 MiB of log and mxsim's memory stays bounded;
#  2. -j 2 with the worker running the hang scenario killed by SIGSEGV:
#     that scenario is an error naming the signal, the run goes on, the
#     processes the dead worker left are killed, the work folder is gone;
#  3. SIGINT during -j 2 and SIGTERM during a serial run while the hang
#     runs: exit 130/143, every worker and sender process gone, no
#     .mxsim-work folder, results.json and junit.xml hold the scenarios
#     handed out so far, the running ones marked interrupted.
# Prints its figures; exits non-zero when a check fails.
set -u
MXSIM=${MXSIM:-./mxsim}
PROFILE=$(pwd)/tests/superv/chaos.conf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else ko "$d"; fi; }

# processes whose command line names a path of this test (the sender's
# scripts, swaks, the daemon all get $T/... arguments), mxsim excluded
leftovers() { pgrep -f "$T/" | grep -v "^$$\$" | while read -r p; do
	grep -qa mxsim "/proc/$p/cmdline" 2>/dev/null || echo "$p"; done; }
no_leftovers() {
	left=$(leftovers)
	[ -z "$left" ] && return 0
	echo "left behind:"; for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done
	return 1
}
# the pids chaos.sh wrote are all dead
pids_dead() {
	for f in "$1"/senders/*/chaos.pids; do
		[ -f "$f" ] || continue
		for p in $(cat "$f"); do
			if kill -0 "$p" 2>/dev/null; then echo "pid $p of $f alive"; return 1; fi
		done
	done
	return 0
}
no_workdir() { ! ls -d "$1"/.mxsim-work.* >/dev/null 2>&1; }
# results.json: ID=VERDICT[:REASON-SUBSTRING] ... for each listed id
verdicts() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {s["id"]: s for s in d["scenarios"]}
ok = True
for want in sys.argv[2:]:
    sid, rest = want.split("=", 1)
    verdict, _, why = rest.partition(":")
    s = got.get(sid)
    if s is None or s["verdict"] != verdict or why not in (s.get("reason") or ""):
        print("%s: got %s, want %s" % (sid, s and (s["verdict"], s.get("reason")), rest))
        ok = False
sys.exit(0 if ok else 1)
PY
}

mkdir -p "$T/lib" "$T/libj" "$T/lib2"
for n in crash flood hang good-strip; do cp scenarios/starttls/strip-secure.lua "$T/lib/$n.lua"; done
# -j: no flood beside the others (it takes both cores for its 5 s)
cp "$T/lib/crash.lua" "$T/lib/hang.lua" "$T/lib/good-strip.lua" "$T/libj/"
cp scenarios/starttls/baseline.lua "$T/libj/good-baseline.lua"
CRASH='crash=error:killed by signal 11 (Segmentation fault)'
FLOOD="flood=error:timeout and was killed"
HANG="hang=error:timeout and was killed"
GOOD='good-strip=pass'

# 1. serial
start=$(date +%s.%N)
python3 - "$T/rss" $MXSIM run -q --no-capture --sender "$PROFILE" --out "$T/s" "$T/lib" \
    >"$T/s.out" 2>"$T/s.err" <<'PY'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
PY
rc=$?
end=$(date +%s.%N)
check "serial: exit 2 (errors)" test "$rc" -eq 2
check "serial: crash, hang, flood are errors naming the cause; the others pass" \
    verdicts "$T/s/results.json" "$CRASH" "$FLOOD" "$HANG" $GOOD
check "serial: the JUnit report has the 3 errors" python3 -c '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
e = d.getElementsByTagName("error")
sys.exit(0 if len(e) == 3 and "Segmentation fault" in d.toxml() else 1)' "$T/s/junit.xml"
check "serial: no process of the sender left" no_leftovers
check "serial: the hang and its setsid daemon are dead" pids_dead "$T/s"
log=$(wc -c <"$T/s/senders/flood/commands.log")
dropped=$(sed -n 's/.*\[mxsim: \([0-9]*\) more bytes of output dropped\].*/\1/p' "$T/s/senders/flood/commands.log")
check "serial: the flood kept 1 MiB of log ($log bytes), dropped the rest" \
    test "$log" -le $((1024 * 1024 + 4096)) -a "${dropped:-0}" -gt 0
du=$(du -sk "$T/s" | cut -f1)
rss=$(cat "$T/rss")
check "serial: output folder ${du} KiB (< 8 MiB), peak RSS ${rss} KiB (< 256 MiB)" \
    test "$du" -lt 8192 -a "$rss" -lt 262144
awk -v s="$start" -v e="$end" -v d="${dropped:-0}" 'BEGIN {
	printf "superv: serial run %.1f s wall; the flood wrote %.2f GB in its 5 s, %.0f MB/s drained\n",
	    e - s, d / 1e9, d / 5e6 }'

# 2. -j 2, the worker running the hang dies of SIGSEGV
# (an ASan build would catch the SIGSEGV itself and exit 1: let it die)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0" \
    $MXSIM run -j 2 -q --no-capture --sender "$PROFILE:patient" --out "$T/j" "$T/libj" >"$T/j.out" 2>"$T/j.err" &
mx=$!
n=0
while [ "$n" -lt 300 ] && ! [ -s "$T/j/senders/hang/chaos.pids" ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.3
# the worker: the ancestor of the hang's pid whose parent is mxsim
p=$(head -1 "$T/j/senders/hang/chaos.pids" 2>/dev/null)
worker=
while [ -n "$p" ] && [ "$p" -gt 1 ]; do
	pp=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$p/stat" 2>/dev/null)
	[ "$pp" = "$mx" ] && { worker=$p; break; }
	p=$pp
done
check "-j 2: found the worker running the hang (pid ${worker:-none})" test -n "$worker"
[ -n "$worker" ] && kill -SEGV "$worker"
wait "$mx"
rc=$?
check "-j 2: the run goes on and exits 2" test "$rc" -eq 2
check "-j 2: the killed worker's scenario is an error naming SIGSEGV; the others as serial" \
    verdicts "$T/j/results.json" "$CRASH" $GOOD good-baseline=pass \
    "hang=error:the worker process running this scenario killed by signal 11"
check "-j 2: says so on stderr" grep -q "hang: worker $worker killed by signal 11" "$T/j.err"
check "-j 2: what the dead worker left was killed" no_leftovers
check "-j 2: the hang and its setsid daemon are dead" pids_dead "$T/j"
check "-j 2: no worker left" sh -c "! pgrep -P $mx >/dev/null"
check "-j 2: the work folder is removed" no_workdir "$T/j"

# 3. interrupts while the hang runs, with scenarios left to do
# more good scenarios than the other -j 2 worker can finish while the
# hang runs (a quiet machine did four in the half second before the signal)
for n in a-good $(seq -f "d-good%02g" 1 40); do cp scenarios/starttls/strip-secure.lua "$T/lib2/$n.lua"; done
cp scenarios/starttls/strip-secure.lua "$T/lib2/c-hang.lua"
for run in "INT -j2" "TERM -j1"; do
	set -- $run
	sig=$1
	j=$2
	o="$T/i$sig$j"
	start=$(date +%s.%N)
	$MXSIM run $j -q --no-capture --sender "$PROFILE:patient" --out "$o" "$T/lib2" >"$o.out" 2>"$o.err" &
	mx=$!
	n=0
	while [ "$n" -lt 300 ] && ! [ -s "$o/senders/c-hang/chaos.pids" ]; do sleep 0.1; n=$((n + 1)); done
	sleep 0.5
	kids=$(pgrep -P "$mx" | tr '\n' ' ')
	t0=$(date +%s.%N)
	kill -"$sig" "$mx"
	wait "$mx"
	rc=$?
	t1=$(date +%s.%N)
	want=130
	[ "$sig" = TERM ] && want=143
	check "SIG$sig $j: exit $want (got $rc)" test "$rc" -eq "$want"
	check "SIG$sig $j: mxsim's children are gone (${kids% })" sh -c "for w in $kids; do ! kill -0 \$w 2>/dev/null || exit 1; done"
	check "SIG$sig $j: no sender process left" no_leftovers
	check "SIG$sig $j: the hang and its setsid daemon are dead" pids_dead "$o"
	check "SIG$sig $j: no .mxsim-work folder" no_workdir "$o"
	check "SIG$sig $j: results.json has what was handed out, the hang interrupted" \
	    python3 - "$o/results.json" "$sig" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"]
ids = [x["id"] for x in s]
by = {x["id"]: x for x in s}
hang = by.get("c-hang", {})
# a-good ran beside the hang with -j 2: done or interrupted
a = by.get("a-good", {})
ok = ids[:2] == ["a-good", "c-hang"] and len(s) < 42 \
    and (a.get("verdict") == "pass" or "interrupted" in (a.get("reason") or "")) \
    and hang.get("verdict") == "error" \
    and "interrupted by SIG" + sys.argv[2] in (hang.get("reason") or "")
print("interrupted after %d of 42: %s" % (len(s), ", ".join("%s %s" % (x["id"], x["verdict"]) for x in s)))
if not ok:
    for x in s:
        print("  %s %s: %s" % (x["id"], x["verdict"], x.get("reason")))
sys.exit(0 if ok else 1)
PY
	check "SIG$sig $j: junit.xml is well-formed" python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$o/junit.xml"
	check "SIG$sig $j: says so on stderr" grep -q "interrupted by SIG$sig" "$o.err"
	awk -v a="$t0" -v b="$t1" -v s="$sig" -v j="$j" \
	    'BEGIN { printf "superv: SIG%s %s: the run ended %.1f s after the signal\n", s, j, b - a }'
done

echo "superv e2e: $pass passed, $fail failed"
test "$fail" -eq 0
