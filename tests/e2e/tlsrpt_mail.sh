#!/bin/sh
# TLSRPT reports by mail (RFC 8460 5.3), checked with peers mxsim did not
# write: run the mail scenarios, have tshark decrypt the capture with the
# key log and export the mails it saw (IMF objects), then read each
# report mail with Python's email package (multipart/report,
# report-type=tlsrpt, the gzip part inflates to the report JSON) and
# verify its DKIM signature with dkimpy in its RFC 8460 mode against the
# key record `mxsim zone` prints.  A tampered copy must fail dkimpy.
# Prints ok/FAIL lines, exits non-zero on any failure.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   tlsrpt-mail: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL tlsrpt-mail: $1"; }
check() { name=$1; shift; if "$@" >"$T/check.out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/check.out" | head -20; fi; }
PY=/usr/bin/python3   # Debian's, with python3-dkim and python3-nacl

$MXSIM run --out "$T/out" scenarios/tlsrpt/mail-dkim.lua \
    scenarios/tlsrpt/several-rua.lua scenarios/tlsrpt/report-mx-broken.lua \
    >"$T/run.out" 2>&1
check "mxsim run of the mail scenarios passes" test $? -eq 0
check "results.json: report mails read back with DKIM pass" sh -c \
    "grep -c 'DKIM pass' '$T/out/results.json' | grep -qx 3"
$MXSIM zone scenarios/tlsrpt/mail-dkim.lua 2>/dev/null |
    awk '$1 == "tlsrpt._domainkey.sender.mxsim.test." && $4 == "TXT"' |
    sed 's/^[^"]*"//; s/"$//' >"$T/key.txt"
check "the world publishes the DKIM key (mxsim zone)" grep -q "k=ed25519" "$T/key.txt"
mkdir "$T/imf"
tshark -r "$T/out/capture.pcap" -o "tls.keylog_file:$T/out/keylog.txt" \
    --export-objects "imf,$T/imf" -q >/dev/null 2>&1
check "tshark decrypts and exports the report mails" sh -c \
    "ls '$T/imf' | grep -q 'Report Domain'"

cat >"$T/check.py" <<'PYEOF'
import email, email.policy, gzip, json, os, sys, dkim
d, key = sys.argv[1], open(sys.argv[2], 'rb').read().strip()
n = 0
for f in sorted(os.listdir(d)):
    if not f.startswith('Report Domain'):
        continue
    raw = open(os.path.join(d, f), 'rb').read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert m.get_content_type() == 'multipart/report', f
    assert m.get_param('report-type') == 'tlsrpt', f
    assert m['TLS-Report-Domain'] and m['TLS-Report-Submitter'], f
    parts = list(m.iter_parts())
    assert parts[0].get_content_maintype() == 'text', f
    gz = [p for p in parts if p.get_content_type() == 'application/tlsrpt+gzip']
    assert len(gz) == 1, f
    rep = json.loads(gzip.decompress(gz[0].get_payload(decode=True)))
    assert rep['contact-info'].split('@')[1] == str(m['TLS-Report-Submitter']), f
    assert gz[0].get_filename().endswith('.json.gz'), f
    ok = dkim.verify(raw, dnsfunc=lambda name, timeout=5: key, tlsrpt='strict')
    assert ok, 'dkimpy rejects ' + f
    bad = raw.replace(b'TLS-Report-Domain: example.test',
                      b'TLS-Report-Domain: evil.test')
    assert bad != raw and not dkim.verify(bad,
        dnsfunc=lambda name, timeout=5: key, tlsrpt='strict'), f
    n += 1
assert n >= 3, 'only %d report mails' % n
print(n, 'report mails ok')
PYEOF
check "Python email + dkimpy accept every report mail, reject a tampered one" \
    $PY "$T/check.py" "$T/imf" "$T/key.txt"

echo "tlsrpt-mail: $pass passed, $fail failed"
test "$fail" -eq 0
