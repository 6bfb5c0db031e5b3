#!/bin/sh
# Run every libFuzzer target built by `make fuzz-build` for FUZZ_SECONDS
# each, on its seed corpus and regression inputs, and print a table of
# executions per second.  Exits 1 when a target found a crash, a leak or
# a timeout (the input is in $FUZZ_BUILD/artifacts/).
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_BUILD     build folder (default build-fuzz)
#   FUZZ_TARGETS   space-separated subset, e.g. "smtp_cmd dns" (default all)
set -u
secs=${FUZZ_SECONDS:-60}
b=${FUZZ_BUILD:-build-fuzz}
src=$(cd "$(dirname "$0")" && pwd)
targets=${FUZZ_TARGETS:-$(cd "$b/fuzz" && ls fuzz_* | sed 's/^fuzz_//')}

# max_len and per-input timeout (seconds) of each target
opts() {
	case $1 in
	smtp_cmd) echo "-max_len=4096 -timeout=10" ;;
	smtp_srv|mitm) echo "-max_len=4096 -timeout=30" ;;
	dns|snd_dns) echo "-max_len=2048 -timeout=10" ;;
	dns_srv) echo "-max_len=4096 -timeout=30" ;;
	dns_zone) echo "-max_len=2048 -timeout=10" ;;
	scenario) echo "-max_len=16384 -timeout=30" ;;
	http|sts) echo "-max_len=8192 -timeout=10" ;;
	replay) echo "-max_len=65536 -timeout=30" ;;
	*) echo "-max_len=4096 -timeout=30" ;;
	esac
}

# The scenario target's memory bombs fill the sandbox's 64 MiB cap in
# many size classes; ASan keeps freed memory cached, so give it back to
# the system often or the RSS limit is reached with a small live heap.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_release_to_os_interval_ms=500:quarantine_size_mb=64}"

mkdir -p "$b/artifacts" "$b/logs"
fail=0
printf '%-10s %8s %10s %8s %6s  %s\n' target seconds execs exec/s new result
for t in $targets; do
	bin=$b/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "no $bin (make fuzz-build)"; fail=1; continue; }
	mkdir -p "$b/corpus/$t"
	case $t in
	smtp_cmd|smtp_srv|mitm) dict=-dict=$src/smtp.dict ;;
	scenario) dict=-dict=$src/scenario.dict ;;
	*) dict= ;;
	esac
	log=$b/logs/$t.log
	dirs=
	for d in "$src/corpus/$t" "$src/regress/$t"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	# shellcheck disable=SC2046
	"$bin" $(opts "$t") $dict -max_total_time="$secs" -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$b/artifacts/$t-" \
	    "$b/corpus/$t" $dirs >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
	if [ "$rc" = 0 ]; then res=ok; else res="FAILED (rc $rc, see $log)"; fail=1; fi
	printf '%-10s %8s %10s %8s %6s  %s\n' "$t" "$secs" "${execs:-?}" \
	    "${rate:-?}" "${new:-?}" "$res"
done
exit $fail
