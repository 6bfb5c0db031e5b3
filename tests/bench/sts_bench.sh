#!/bin/sh
# MTA-STS policy host benchmark, run inside a world by tests/bench/run.sh:
#   mxsim shell -q --no-capture scenarios/mta-sts/enforce-ok.lua -- sh tests/bench/sts_bench.sh
# Policy fetches per second from mxsim's policy host (through the path,
# where the attacker sits, and directly at the real host) and from nginx
# serving the same body with TLS on loopback, in the same namespace and
# the same run: curl one fetch per process (what an MTA's fetch costs),
# and wrk (TLS, new connection per request) when installed.  Prints
# figures and the ratio; never fails on slowness.
set -u
N=${MXSIM_BENCH_FETCHES:-50}
SECS=${MXSIM_BENCH_WRK_SECS:-3}
HOST=mta-sts.example.test
P=/.well-known/mta-sts.txt
T=$(mktemp -d)
trap 'kill $(cat "$T/nginx.pid" 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT

curl -sS --cacert "$MXSIM_CA" -o "$T/body" "https://$HOST$P" || { echo "sts-bench: cannot fetch the policy"; exit 0; }

# nginx with the same body, an EC P-256 certificate like the world's
NG=127.45.0.1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj "/CN=$HOST" \
	-addext "subjectAltName=DNS:$HOST" >/dev/null 2>&1
mkdir -p "$T/www/.well-known" "$T/tmp"
cp "$T/body" "$T/www/.well-known/mta-sts.txt"
cat >"$T/nginx.conf" <<NGINX
daemon on;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $T/tmp; proxy_temp_path $T/tmp;
	fastcgi_temp_path $T/tmp; uwsgi_temp_path $T/tmp; scgi_temp_path $T/tmp;
	types { text/plain txt; }
	server {
		listen $NG:443 ssl;
		ssl_certificate $T/cert.pem;
		ssl_certificate_key $T/key.pem;
		ssl_session_cache off;
		ssl_session_tickets off;
		root $T/www;
	}
}
NGINX
have_nginx=0
if command -v nginx >/dev/null 2>&1 && nginx -c "$T/nginx.conf" -p "$T" 2>"$T/nginx.err"; then
	have_nginx=1
else
	echo "sts-bench: nginx not available ($(head -1 "$T/nginx.err" 2>/dev/null)); install it (make deps)"
fi

# curl, one process per fetch: fetches/s
curl_rate() {	# name, address
	s=$(date +%s.%N); i=0; ok=0
	while [ "$i" -lt "$N" ]; do
		if curl -s -k --resolve "$HOST:443:$2" -o /dev/null "https://$HOST$P"; then ok=$((ok + 1)); fi
		i=$((i + 1))
	done
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" -v n="$N" -v ok="$ok" -v name="$1" 'BEGIN {
		printf "sts-bench: curl x %d (%d ok) %-22s %7.1f fetches/s\n", n, ok, name, n / (e - s) }'
	awk -v s="$s" -v e="$e" -v n="$N" 'BEGIN { printf "%.3f\n", n / (e - s) }' >"$T/rate.$1"
}
curl_rate mxsim-path 127.43.0.1
curl_rate mxsim-direct 127.44.0.1
[ "$have_nginx" = 1 ] && curl_rate nginx "$NG"
if [ "$have_nginx" = 1 ]; then
	awk -v a="$(cat "$T/rate.mxsim-path")" -v b="$(cat "$T/rate.nginx")" -v c="$(cat "$T/rate.mxsim-direct")" 'BEGIN {
		printf "sts-bench: curl ratio mxsim/nginx: %.2f through the path, %.2f direct\n", a / b, c / b }'
fi

# wrk: TLS handshakes and requests as fast as the server goes (every
# request on a new connection: mxsim's policy host does not keep alive)
if command -v wrk >/dev/null 2>&1; then
	wrk_rate() {	# name, address
		# wrk has no --resolve: the address in the URL, the name in Host
		r=$(wrk -t1 -c4 -d"${SECS}s" -H "Host: $HOST" -H "Connection: close" \
			"https://$2$P" 2>/dev/null | awk '/Requests\/sec/ { print $2 }')
		echo "sts-bench: wrk -c4 ${SECS}s $1 ${r:-?} requests/s"
		echo "${r:-0}" >"$T/wrk.$1"
	}
	wrk_rate mxsim-path 127.43.0.1
	wrk_rate mxsim-direct 127.44.0.1
	if [ "$have_nginx" = 1 ]; then
		wrk_rate nginx "$NG"
		awk -v a="$(cat "$T/wrk.mxsim-path")" -v b="$(cat "$T/wrk.nginx")" -v c="$(cat "$T/wrk.mxsim-direct")" 'BEGIN {
			if (b > 0) printf "sts-bench: wrk ratio mxsim/nginx: %.2f through the path, %.2f direct\n", a / b, c / b }'
	fi
else
	echo "sts-bench: wrk not installed: no wrk figures"
fi
exit 0
