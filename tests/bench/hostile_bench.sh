#!/bin/sh
# Bench figures for hostile input (issue 8), printed, never asserted:
#  - peak memory of the world under the hostile sender's 1,000 parallel
#    connections (and the whole abuse matrix before them);
#  - executions per second of each fuzz target, BENCH_FUZZ_SECONDS
#    (default 10) each, when the targets are built (make fuzz-build).
set -u
HOSTILE=${HOSTILE:-build/hostile}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
if [ -x "$HOSTILE" ]; then
	out=$("$HOSTILE" --parallel "${BENCH_PARALLEL:-1000}" 2>&1)
	echo "$out" | sed -n 's/^parallel: /bench: hostile: /p'
	echo "$out" | awk '$1 == "hostile:" { print "bench: " $0 }'
else
	echo "bench: $HOSTILE not built (make $HOSTILE)"
fi
if [ -d "$FUZZ_BUILD/fuzz" ]; then
	FUZZ_SECONDS=${BENCH_FUZZ_SECONDS:-10} FUZZ_BUILD=$FUZZ_BUILD \
	    sh tests/fuzz/run.sh | sed 's/^/bench: fuzz: /'
else
	echo "bench: fuzz targets not built (make fuzz-build): no executions/s"
fi
