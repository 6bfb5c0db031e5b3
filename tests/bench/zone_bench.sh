#!/bin/sh
# Zone build + sign time per scenario (run by tests/bench/run.sh): the
# world logs, for each phase it builds, the real time it took to build
# the DNS tree (zones, records, TLSA data from the certificates, faults)
# and sign it (Ed25519 keys from the seed, RRSIGs, NSEC chains, DS
# links); this runs the DANE and DNS scenarios K times and prints the
# mean of each scenario's first phase.  A figure, not a test.
set -u
MX=${MXSIM:-./mxsim}
K=${MXSIM_BENCH_ZONE_RUNS:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
i=0
while [ "$i" -lt "$K" ]; do
	"$MX" run --no-capture --out "$T/r$i" ${MXSIM_BENCH_ZONE_SCENARIOS:-scenarios/dane scenarios/dns} >/dev/null 2>&1 || true
	i=$((i + 1))
done
cat "$T"/r*/mxsim.log | awk '
	/zones built and signed in/ {
		for (f = 1; f <= NF; f++) if ($f == "in") ms = $(f + 1)
		for (f = 1; f <= NF; f++) if ($f ~ /:$/ && $(f + 1) == "zones") id = substr($f, 1, length($f) - 1)
		sum[id] += ms; n[id]++
	}
	END {
		for (id in sum) { printf "  %8.3f  %s\n", sum[id] / n[id], id; tot += sum[id]; cnt += n[id] }
		if (cnt) printf "  %8.3f  (mean over %d world builds)\n", tot / cnt, cnt
	}' | sort -rn >"$T/out"
echo "bench: zone build+sign per scenario world (mean of every phase of $K runs, ms, real time):"
cat "$T/out"
