#!/bin/sh
# DNSSEC end to end: `mxsim zone` exports the signed tree of a scenario and
# the trust anchor for "."; ldns-verify-zone (ldnsutils) checks the root
# against that anchor and every other signed zone against the DS its parent
# publishes, at the scenario clock.  Same seed: byte-identical zones;
# another seed: other keys.  The insecure and bogus states show where they
# should.  Prints the time `mxsim zone` takes (world build + sign).
# Exit 0 when every check passed.  KEEP=1 keeps the work folder (printed).
set -u
MXSIM=${MXSIM:-./mxsim}
SCN=${SCN:-scenarios/starttls/baseline.lua}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ -n "${KEEP:-}" ]; then trap - EXIT; echo "     work folder: $T"; fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/out" | head -30; fi; }

if ! command -v ldns-verify-zone >/dev/null; then
	echo "FAIL ldns-verify-zone is not installed (Debian: ldnsutils)"
	echo "dnssec: 0 passed, 1 failed"
	exit 1
fi
[ -f "$SCN" ] || SCN=$(ls scenarios/starttls/*.lua | head -1)

# export DIR ARGS...: mxsim zone ARGS into DIR/all, split into DIR/<apex>
# (zone files, "root" for ".") and DIR/anchor; DIR/states lists
# "apex state" per zone.
export_zones() {
	d=$1; shift
	mkdir -p "$d"
	$MXSIM zone "$@" >"$d/all" 2>"$d/err" || return 1
	awk -v d="$d" '
		/^; zone / { a = $3; f = d "/" (a == "." ? "root" : a);
			s = $5; sub(/\)$/, "", s); if ($6 != "") s = s " " $6;
			sub(/\)$/, "", s); print a, s > (d "/states"); next }
		/^; trust anchor/ { f = d "/anchor"; next }
		/^;/ { next }
		{ print > f }' "$d/all"
}

# The time mxsim zone runs at: the RRSIG inception is the clock - 1 day.
clock_of() {
	inc=$(awk '$4 == "RRSIG" { print $10; exit }' "$1/root")
	t=$(date -u -d "$(echo "$inc" | sed 's/\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)/\1-\2-\3T\4:\5:\6Z/')" +%s)
	date -u -d "@$((t + 86400))" +%Y%m%d%H%M%S
}

# verify DIR APEX: ldns-verify-zone on one zone, "." against the anchor,
# the others against the DS records the rest of the export has for them.
verify() {
	d=$1; a=$2
	if [ "$a" = "." ]; then
		f=$d/root; k=$d/anchor
	else
		f=$d/$a; k=$d/ds-$a
		awk -v a="$a" '$1 == a && $4 == "DS"' "$d"/root "$d"/*. \
		    >"$k" 2>/dev/null
		[ -s "$k" ] || { echo "no DS for $a in its parent"; return 1; }
	fi
	ldns-verify-zone -V 1 -t "$(clock_of "$d")" -k "$k" "$f"
}

start=$(date +%s%N)
export_zones "$T/s" --seed 7 --dnssec secure "$SCN"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "mxsim zone --dnssec secure exits 0" test "$rc" -eq 0
echo "     mxsim zone (load, build, sign 4 zones, print): ${ms} ms"
check "the export has the trust anchor for ." grep -q "^\.	300	IN	DS	[0-9]* 15 2 " "$T/s/anchor"
check "every zone of the export is signed secure" \
    sh -c "! grep -v ' secure$' '$T/s/states'"
for a in $(awk '{ print $1 }' "$T/s/states"); do
	check "ldns-verify-zone: $a validates from the anchor" verify "$T/s" "$a"
done
check "the delegations carry NS, glue and DS" sh -c \
    "grep -q '^example.test.	300	IN	NS	' '$T/s/test.' &&
     grep -q '^ns1.example.test.	300	IN	A	' '$T/s/test.' &&
     grep -q '^example.test.	300	IN	DS	' '$T/s/test.'"
check "NSEC chains close on the apex" sh -c \
    "awk '\$4 == \"NSEC\" && \$5 == \"example.test.\"' '$T/s/example.test.' | grep -q ."

# determinism
export_zones "$T/s2" --seed 7 --dnssec secure "$SCN"
export_zones "$T/s3" --seed 8 --dnssec secure "$SCN"
check "same seed: byte-identical signed zones" cmp "$T/s/all" "$T/s2/all"
check "another seed: other keys" sh -c "! cmp -s '$T/s/all' '$T/s3/all'"
check "another seed: still valid" verify "$T/s3" example.test.

# insecure: signed root and TLD, unsigned delegation
export_zones "$T/i" --dnssec insecure "$SCN"
check "insecure: the domain's zone is unsigned" sh -c \
    "grep -q '^example.test. insecure$' '$T/i/states' &&
     ! grep -q '	RRSIG	' '$T/i/example.test.'"
check "insecure: no DS for it, an NSEC at the cut" sh -c \
    "! grep -q '^example.test.	300	IN	DS' '$T/i/test.' &&
     grep -q '^example.test.	300	IN	NSEC	[^ ]* NS RRSIG NSEC' '$T/i/test.'"
check "insecure: the parent still validates" verify "$T/i" test.

# bogus: ldns-verify-zone must reject what the resolver face calls bogus
# rejects DIR APEX: ldns-verify-zone runs and reports errors in the zone
rejects() { ! verify "$1" "$2" >"$T/rej" 2>&1 && grep -q "Error" "$T/rej"; }
for kind in signature expired wrong-key missing-rrsig not-yet-valid; do
	export_zones "$T/b-$kind" --dnssec "bogus:$kind" "$SCN"
	check "bogus:$kind: marked in the export" \
	    grep -q "^example.test. bogus: $kind$" "$T/b-$kind/states"
	check "bogus:$kind: ldns-verify-zone rejects the zone" \
	    rejects "$T/b-$kind" example.test.
	check "bogus:$kind: the parent still validates" verify "$T/b-$kind" test.
done
export_zones "$T/b-ds" --dnssec bogus:ds-mismatch "$SCN"
check "bogus:ds-mismatch: the zone fails against its parent's DS" \
    rejects "$T/b-ds" example.test.
awk '$4 == "DNSKEY"' "$T/b-ds/example.test." >"$T/b-ds/own-key"
check "bogus:ds-mismatch: the zone is fine against its own key" \
    ldns-verify-zone -V 1 -t "$(clock_of "$T/b-ds")" -k "$T/b-ds/own-key" \
    "$T/b-ds/example.test."
$MXSIM zone --dnssec sideways "$SCN" >"$T/bad" 2>&1
rc=$?
check "an unknown dnssec state exits 2" test "$rc" -eq 2
check "an unknown dnssec state is named" grep -q 'unknown state "sideways"' "$T/bad"

# per-zone states (zones = {...}): two zones of one scenario, each as set
export_zones "$T/z" --seed 7 scenarios/dane/two-zones-bogus-first.lua
check "zones: other.test. is bogus, example.test. secure" sh -c \
    "grep -q '^other.test. bogus' '$T/z/states' &&
     grep -q '^example.test. secure' '$T/z/states'"
check "zones: ldns-verify-zone accepts example.test." verify "$T/z" example.test.
refuted() { ! verify "$@"; }
check "zones: ldns-verify-zone rejects other.test. (expired)" refuted "$T/z" other.test.

# DNS attacks and states through the resolver face, judged by delv
if MXSIM=$MXSIM sh tests/e2e/dns_attacks.sh >"$T/atk" 2>&1; then
	ok "dns attacks (tests/e2e/dns_attacks.sh): $(tail -1 "$T/atk")"
else
	ko "dns attacks (tests/e2e/dns_attacks.sh)"
	sed 's/^/     /' "$T/atk" | head -30
fi

echo "dnssec: $pass passed, $fail failed"
test "$fail" -eq 0
