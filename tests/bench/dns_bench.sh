#!/bin/sh
# DNS benchmark, run inside a world by tests/bench/run.sh:
#   mxsim shell -q --no-capture --scenario-clock SCENARIO -- sh tests/bench/dns_bench.sh SCENARIO
# Queries per second, measured with dnsperf (a client nobody here wrote),
# of mxsim's resolver face (127.53.0.1: recursive queries, DO set, each
# answer validated against the trust anchor) and of nsd, a real
# authoritative server, loaded with the same signed zones (exported with
# `mxsim zone`) on 127.53.0.2, with the same query mix, in the same
# namespace and the same run.  Prints both figures and the ratio; never
# fails on slowness, and says so when dnsperf or nsd is missing.
set -u
SCN=$1
SECS=${MXSIM_BENCH_DNS_SECS:-3}
MX=${MXSIM:-./mxsim}
NSD_ADDR=127.53.0.2
T=$(mktemp -d)
trap 'kill $(cat "$T/nsd.pid" 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT

for tool in dnsperf nsd dig; do
	command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
	command -v "$tool" >/dev/null 2>&1 || {
		echo "dns-bench: $tool is not installed (make deps); skipped"
		exit 0
	}
done

# the signed zones, one file each ("; zone NAME (dnssec STATE)" headers)
mkdir -p "$T/z"
"$MX" zone "$SCN" >"$T/all.zone" || { echo "dns-bench: mxsim zone failed"; exit 0; }
awk -v dir="$T/z" '
	/^; trust anchor/ { out = ""; next }
	/^; zone / { name = $3; f = (name == ".") ? "root" : substr(name, 1, length(name) - 1)
		out = dir "/" f ".zone"; print name > (dir "/list"); next }
	out != "" { print > out }
' "$T/all.zone"
{
	printf 'server:\n  ip-address: %s\n  port: 53\n  username: ""\n  chroot: ""\n' "$NSD_ADDR"
	printf '  zonesdir: "%s/z"\n  database: ""\n  pidfile: "%s/nsd.pid"\n' "$T" "$T"
	printf '  xfrdfile: "%s/xfrd.state"\n  zonelistfile: "%s/zone.list"\n' "$T" "$T"
	printf '  logfile: "%s/nsd.log"\n  server-count: 1\n  verbosity: 0\n' "$T"
	printf '  rrl-ratelimit: 0\n'   # no response rate limiting: one client
	printf 'remote-control:\n  control-enable: no\n'
	while read -r name; do
		f=$([ "$name" = "." ] && echo root || echo "${name%.}")
		printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$name" "$f"
	done <"$T/z/list"
} >"$T/nsd.conf"
nsd -c "$T/nsd.conf" || { echo "dns-bench: nsd did not start:"; cat "$T/nsd.log" 2>/dev/null; exit 0; }
# wait until nsd answers (a condition, not a sleep)
i=0
until dig @"$NSD_ADDR" example.test SOA +norec +tries=1 +time=1 2>/dev/null | grep -q 'status: NOERROR'; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || { echo "dns-bench: nsd does not answer"; cat "$T/nsd.log"; exit 0; }
done

# the mix: what a DANE sender asks, and the failures it meets
cat >"$T/mix" <<MIX
example.test MX
mx1.example.test A
_25._tcp.mx1.example.test TLSA
mx1.example.test AAAA
nosuch.example.test A
example.test DNSKEY
_smtp._tls.example.test TXT
MIX

qps() {
	dnsperf -s "$1" -d "$T/mix" -l "$SECS" -D -c 1 -q 20 2>/dev/null |
	    awk '/Queries per second/ { print $4 } /Queries lost/ { lost = $3 }
	         END { if (lost != "" && lost != "0") print "lost " lost > "/dev/stderr" }'
}
m=$(qps 127.53.0.1)
n=$(qps "$NSD_ADDR")
echo "dns-bench: $SCN, $(wc -l <"$T/mix") query types, ${SECS}s each, dnsperf -D (DO), 1 client, 20 outstanding"
echo "dns-bench:   mxsim resolver face (recursive, validating): ${m:-?} queries/s"
echo "dns-bench:   nsd $(nsd -v 2>&1 | head -1 | awk '{print $NF}') (authoritative, same signed zones): ${n:-?} queries/s"
awk -v m="${m:-0}" -v n="${n:-0}" 'BEGIN {
	if (m > 0 && n > 0) printf "dns-bench:   ratio nsd / mxsim = %.1f\n", n / m
}'
exit 0
