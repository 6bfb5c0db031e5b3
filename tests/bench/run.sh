#!/bin/sh
# Benchmark: run the whole scenario library N times (default 5) with the
# reference sender and print scenarios per second and per-scenario time.
# A figure, not a test: nothing here fails on slowness.
set -eu
N=${MXSIM_BENCH_RUNS:-5}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
nscen=$(./mxsim list scenarios | grep -c '^[^ ]' || true)
start=$(date +%s.%N)
i=0
while [ "$i" -lt "$N" ]; do
	./mxsim run --out "$OUT/run$i" scenarios >/dev/null || true
	i=$((i + 1))
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$N" -v k="$nscen" 'BEGIN {
	t = e - s
	printf "bench: %d runs x %d scenarios in %.2f s: %.1f scenarios/s, %.2f ms per scenario (wall, incl. process start)\n", n, k, t, n * k / t, 1000 * t / (n * k)
}'
echo "bench: per-scenario real time of the last run (ms):"
grep '^== done' "$OUT/run$((N - 1))/mxsim.log" | awk '{ printf "  %8.2f  %s\n", $4, $3 }' | sort -rn

# -j: library wall time serial vs -j 2 (same output bytes, tests/e2e/scale.sh).
# The ratio depends on free cores: the load average is printed with it.
t0=$(date +%s.%N)
./mxsim run -q --no-capture --out "$OUT/serial" scenarios >/dev/null 2>&1 || true
t1=$(date +%s.%N)
./mxsim run -q --no-capture -j 2 --out "$OUT/j2" scenarios >/dev/null 2>&1 || true
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v k="$nscen" -v cpus="$(nproc)" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
	printf "bench: library (%d scenarios, no capture) serial %.2f s, -j 2 %.2f s: speed-up x%.2f (%d CPUs, load %s)\n", k, b - a, c - b, (b - a) / (c - b), cpus, load
}'

# report generation for a 1,000-session run: 100 phases x 10 messages over
# verified TLS, then `mxsim merge` of its folder, which loads results.bin and
# writes results.json, junit.xml, report.tap, report.html and tlsrpt/.
cat >"$OUT/bench1000.lua" <<'LUA'
local ph = {}
for i = 1, 100 do ph[i] = { deliver = 10, expect = { delivery = "verified" } } end
return { title = "bench: 1,000 messages", refs = {}, domain = "example.test",
  mx = { { host = "mx1.example.test" } }, phases = ph }
LUA
./mxsim run -q --no-capture --out "$OUT/s1000" "$OUT/bench1000.lua" >/dev/null 2>&1 || true
# sessions only: exchanges (DNS, HTTPS) have a transcript and a "kind"
nsess=$(( $(grep -c '"transcript": \[' "$OUT/s1000/results.json" 2>/dev/null || echo 0) - \
    $(grep -c '"kind": ' "$OUT/s1000/results.json" 2>/dev/null || echo 0) ))
t0=$(date +%s.%N)
./mxsim merge -q --out "$OUT/r1000" "$OUT/s1000" >/dev/null 2>&1 || true
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$nsess" -v h="$(wc -c <"$OUT/r1000/report.html" 2>/dev/null || echo 0)" 'BEGIN {
	printf "bench: report generation for %d sessions: %.0f ms (results.bin read, results.json + junit + tap + html (%.1f MB) + tlsrpt written)\n", n, 1000 * (b - a), h / 1e6
}'

# mxsim replay --judge throughput vs tshark -r on the same large capture
MXSIM=./mxsim sh tests/bench/replay_bench.sh || true

# DNS: zone build+sign time per scenario, and the resolver face's
# queries per second against nsd serving the same signed zones (dnsperf)
MXSIM=./mxsim sh tests/bench/zone_bench.sh || true
# virtual clock settling and local DNSSEC validation (tests/bench/clock_bench.sh)
MXSIM=./mxsim sh tests/bench/clock_bench.sh || true
MXSIM=./mxsim ./mxsim shell -q --no-capture --scenario-clock --out "$OUT/dns" \
	scenarios/dane/ee-match.lua -- sh tests/bench/dns_bench.sh scenarios/dane/ee-match.lua || true

# MTA-STS policy host vs nginx (same body, TLS, loopback, same namespace)
./mxsim shell -q --no-capture --out "$OUT/sts" scenarios/mta-sts/enforce-ok.lua -- \
	sh tests/bench/sts_bench.sh || true

# hostile input: peak memory under 1,000 parallel hostile connections,
# executions per second of each fuzz target (tests/bench/hostile_bench.sh)
sh tests/bench/hostile_bench.sh || true

# real senders: per-scenario wall time with Postfix, split into the
# sender's start, messages and stop and mxsim's own overhead
MXSIM=./mxsim sh tests/bench/senders.sh || true
