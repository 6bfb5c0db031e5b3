#!/bin/sh
# Benchmark: the cost of settling the virtual clock (core/loop.c: no jump
# while loopback packets are in flight) and of the reference sender's
# local DNSSEC validation (senders/builtin/snd_dnssec.c).  Runs the
# library serially as builtin (validating) and as builtin:trust-ad (the
# resolver's AD trusted, no extra DS/DNSKEY queries) and prints the wall
# time of each, the clock jumps and the real-time waits for packets in
# flight, and the DNS queries the sender made; then the validating run
# again under a late kernel (MXSIM_TEST_LATE_LO=5mbit, core/netns.h: a
# token bucket holds loopback packets back), where the loop waits for the
# kernel before every callback.  A figure, not a test.
#   MXSIM=./build-x/mxsim sh tests/bench/clock_bench.sh [PATH...]
set -u
MXSIM=${MXSIM:-./mxsim}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
if [ $# -gt 0 ]; then SET="$*"; else SET=scenarios; fi
for s in builtin builtin:trust-ad builtin+late; do
	d="$OUT/$(echo "$s" | tr :+ __)"
	late=
	[ "$s" = builtin+late ] && late=5mbit
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	MXSIM_TEST_LATE_LO=$late $MXSIM run -q -vv --sender "${s%+late}" --out "$d" $SET >/dev/null 2>"$d.log"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v s="$s" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
	/clock jumps, / { for (i = 1; i <= NF; i++) { if ($(i+1) == "clock") j += $i; if ($(i+1) == "real-time") w += $i } }
	/\[sender\] dns .* type [0-9]+: / { q++ }
	END { printf "bench: %-17s %.2f s wall, %d clock jumps, %d real-time waits for packets in flight, %d DNS queries by the sender (load %s)\n", s, b - a, j, w, q, load }' "$d.log"
done
