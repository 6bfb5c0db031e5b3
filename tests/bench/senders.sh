#!/bin/sh
# Benchmark: per-scenario wall time with a real sender (default Postfix
# with DANE), split into the sender's own time (start: its setup commands
# and daemons; messages: from submission to finished, as the sender's log
# says; stop: teardown and killing what is left) and mxsim's overhead
# (world building, settling, verdicts, state removal).  The last line
# takes the whole `mxsim run` process (namespaces, process start,
# outputs) as the wall time.  Figures, not a test.
#   MXSIM_BENCH_SENDERS   senders to measure (postfix:dane)
#   MXSIM_BENCH_SCENARIOS scenario files
# The first Postfix scenario of an output folder runs `postfix check`
# once (seconds) and caches its spool for the next ones: its start is
# printed as the "first" figure, the others show the steady state.
set -eu
MXSIM=${MXSIM:-./mxsim}
SENDERS=${MXSIM_BENCH_SENDERS:-postfix:dane}
SCN=${MXSIM_BENCH_SCENARIOS:-scenarios/starttls/baseline.lua scenarios/starttls/strip-secure.lua scenarios/dane/ee-match.lua scenarios/dane/ee-wrong-tlsa.lua scenarios/certs/swap-attacker.lua}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
chmod 755 "$OUT"   # Postfix's daemons run as the postfix user
for s in $SENDERS; do
	d="$OUT/$(echo "$s" | tr ':/' '__')"
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	$MXSIM run -q --sender "$s" --no-capture --out "$d" $SCN >"$d.txt" 2>&1 || true
	t1=$(date +%s%N)
	if [ ! -f "$d/mxsim.log" ]; then
		echo "bench senders: $s skipped: $(head -n 1 "$d.txt")"
		continue
	fi
	echo "bench senders: $s, per scenario (ms): total = sender (start + messages + stop) + mxsim"
	awk -v wall="$(( (t1 - t0) / 1000000 ))" '
	/^info \[runner\] .* with .*ms real, of which the sender/ {
		id = $3; total = $6 + 0
		# "... commands S ms (start A, phases B, messages C, stop D)"
		snd = $(NF - 9) + 0; st = $(NF - 6) + 0; ph = $(NF - 4) + 0
		msg = $(NF - 2) + 0; stop = $NF + 0
		over = total - snd; n++
		if (n == 1) first = st
		else { S1 += st; n1++ }
		T += total; S += snd; M += msg; P += stop
		printf "  %-30s %6.0f = %6.0f (%5.0f + %5.0f + %4.0f) + %4.0f  (mxsim %4.1f%%)\n",
		    id, total, snd, st + ph, msg, stop, over, 100 * over / total
	}
	END {
		if (T == 0) { print "  no scenario ran"; exit }
		printf "  %-30s %6.0f = %6.0f + %4.0f  (mxsim %4.1f%% of the scenarios)\n", "all", T, S, T - S, 100 * (T - S) / T
		if (first > 0)
			printf "  start: first scenario %.0f ms (makes the cache), then %.0f ms on average\n", first, n1 ? S1 / n1 : 0
		printf "  messages %.0f ms, stop %.0f ms on average per scenario\n", M / n, P / n
		printf "  whole run: %d ms wall for %d scenarios, of which the sender %.0f ms: mxsim (namespaces, worlds, verdicts, outputs) %.0f ms = %.1f%% (goal < 10%%)\n",
		    wall, n, S, wall - S, 100 * (wall - S) / wall
	}' "$d/mxsim.log"
done
