#!/bin/sh
# Determinism under load: the virtual clock must not jump while loopback
# packets are still in flight (core/loop.c, settling), so two runs of the
# same scenarios with the same seed give the same bytes even when every
# CPU is busy and the kernel defers loopback delivery to ksoftirqd.
# Runs a subset of the library twice while busy loops (2 per CPU, at
# most 900 s, killed by pid on exit) load the machine, and compares
# results.json and capture.pcap.  Prints the wall time of each run and
# the real-time waits the loop made for packets in flight.
#   MXSIM=./build-x/mxsim sh tests/e2e/determinism.sh [PATH...]
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
# default: the DNS attacks, STARTTLS (timeouts, blackholes) and scenarios
# whose clock jumps over timeouts and cache lifetimes
if [ $# -gt 0 ]; then SUBSET="$*"; else SUBSET="scenarios/dns scenarios/starttls
	scenarios/dane/tlsa-timeout.lua scenarios/dane/strip-dnssec-last-mile.lua
	scenarios/mta-sts/cache-expiry.lua scenarios/mta-sts/fetch-fails-cached.lua
	scenarios/tlsrpt"; fi

n=$(nproc 2>/dev/null || echo 2)
i=0
while [ "$i" -lt $((2 * n)) ]; do
	timeout 900 sh -c 'while :; do :; done' &
	PIDS="$PIDS $!"
	i=$((i + 1))
done

for r in 1 2; do
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	$MXSIM run -vv --seed 5 --out "$T/r$r" $SUBSET >/dev/null 2>"$T/log$r"
	t1=$(date +%s.%N)
	waits=$(sed -n 's/.*clock jumps, \([0-9]*\) real-time waits.*/\1/p' "$T/log$r" |
	    awk '{ s += $1 } END { print s + 0 }')
	jumps=$(sed -n 's/.* \([0-9]*\) clock jumps,.*/\1/p' "$T/log$r" |
	    awk '{ s += $1 } END { print s + 0 }')
	echo "run $r under load ($((2 * n)) busy loops): $(echo "$t1 - $t0" | bc) s, $jumps clock jumps, $waits real-time waits for packets in flight"
done

if cmp "$T/r1/results.json" "$T/r2/results.json"; then
	ok "under load, same seed: results.json byte-identical"
else
	ko "under load, same seed: results.json byte-identical"
	diff "$T/r1/results.json" "$T/r2/results.json" | head -20
fi
if cmp "$T/r1/capture.pcap" "$T/r2/capture.pcap"; then
	ok "under load, same seed: capture.pcap byte-identical"
else
	ko "under load, same seed: capture.pcap byte-identical"
fi
echo "determinism: $pass passed, $fail failed"
test "$fail" -eq 0
