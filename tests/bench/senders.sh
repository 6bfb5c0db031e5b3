#!/bin/sh
# Benchmark: per-scenario wall time with a real sender (default Postfix
# with DANE), split into the sender's own time (its setup, start, the
# message from submission to its end, stop) and mxsim's overhead (world,
# settling, verdicts, teardown of leftovers, state removal).  Figures, not
# a test.  MXSIM_BENCH_SENDER and MXSIM_BENCH_SCENARIOS override.
set -eu
MXSIM=${MXSIM:-./mxsim}
SENDER=${MXSIM_BENCH_SENDER:-postfix:dane}
SCN=${MXSIM_BENCH_SCENARIOS:-scenarios/starttls/baseline.lua scenarios/starttls/strip-secure.lua scenarios/dane/ee-match.lua scenarios/dane/ee-wrong-tlsa.lua}
if ! command -v postfix >/dev/null 2>&1; then
	echo "bench senders: $SENDER not available, skipped"
	exit 0
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
chmod 755 "$OUT"   # Postfix's daemons run as the postfix user
# shellcheck disable=SC2086
$MXSIM run --sender "$SENDER" --no-capture --out "$OUT" $SCN >/dev/null 2>&1 || true
echo "bench senders: $SENDER, per scenario (ms): total = sender + mxsim"
awk '/^info \[runner\] .* with .*ms real, of which the sender/ {
	id = $3; total = $6 + 0; snd = $(NF - 1) + 0
	over = total - snd; T += total; S += snd
	printf "  %-32s %8.0f = %8.0f + %6.0f  (mxsim %4.1f%%)\n", id, total, snd, over, 100 * over / total
}
END { if (T > 0) printf "  %-32s %8.0f = %8.0f + %6.0f  (mxsim %4.1f%%, goal < 10%%)\n", "all", T, S, T - S, 100 * (T - S) / T }' "$OUT/mxsim.log"
