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
