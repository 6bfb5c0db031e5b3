#!/bin/sh
# Benchmark of `mxsim replay --judge`: throughput in MB/s on a large
# capture the bench makes itself (one capture of the scenario library,
# concatenated COPIES times with mergecap), side by side with `tshark -r`
# reading the same file in the same run, and the ratio.  A figure, not a
# test.  MXSIM (default ./mxsim), MXSIM_BENCH_REPLAY_COPIES (default 8).
set -u
MXSIM=${MXSIM:-./mxsim}
COPIES=${MXSIM_BENCH_REPLAY_COPIES:-8}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! command -v mergecap >/dev/null 2>&1 || ! command -v tshark >/dev/null 2>&1; then
	echo "bench: replay: mergecap/tshark missing (Debian package tshark)"
	exit 0
fi
$MXSIM run -q --out "$T/lib" scenarios >/dev/null 2>&1 || true
files=""
i=0
while [ $i -lt "$COPIES" ]; do files="$files $T/lib/capture.pcap"; i=$((i + 1)); done
# shellcheck disable=SC2086
mergecap -a -F pcap -w "$T/big.pcap" $files
bytes=$(stat -c %s "$T/big.pcap")
frames=$(capinfos -c -M "$T/big.pcap" 2>/dev/null | sed -n 's/.*packets: *//p')
t0=$(date +%s.%N)
$MXSIM replay -q --judge "$T/big.pcap" --out "$T/r" >/dev/null 2>&1
t1=$(date +%s.%N)
tshark -r "$T/big.pcap" >/dev/null 2>&1
t2=$(date +%s.%N)
tshark -r "$T/big.pcap" -Y smtp >/dev/null 2>&1
t3=$(date +%s.%N)
sessions=$(grep -c '"transcript": \[' "$T/r/results.json" 2>/dev/null || echo 0)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$bytes" -v f="$frames" -v s="$sessions" 'BEGIN {
	mb = n / 1e6
	printf "bench: replay --judge on %.1f MB (%s frames, %d SMTP sessions): %.2f s, %.1f MB/s\n", mb, f, s, b - a, mb / (b - a)
	printf "bench: tshark -r on the same file: %.2f s, %.1f MB/s; with -Y smtp: %.2f s, %.1f MB/s\n", c - b, mb / (c - b), d - c, mb / (d - c)
	printf "bench: replay --judge is x%.1f the speed of tshark -r (x%.1f of tshark -Y smtp)\n", (c - b) / (b - a), (d - c) / (b - a)
}'
