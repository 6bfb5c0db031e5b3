#!/usr/bin/env python3
"""Checks of an mxsim run's output folder, used by tests/e2e/run.sh.

usage: check_results.py verdicts OUT MODE_INDEX EXPECTED   (compare verdicts)
       check_results.py weak EXPECTED SCENARIO_DIR         (attack scenarios fail some weak mode)
       check_results.py tlsrpt OUT SCHEMA                  (every report validates)
       check_results.py received OUT SCHEMA                (so do those the sender POSTed)
Prints one line per problem; exit 1 if any.
"""
import json, os, re, sys

ATTACKS = {'strip_starttls', 'starttls_error', 'swap_cert', 'block', 'starttls_inject',
           'ehlo_reject', 'reply', 'caps', 'handshake_fail', 'hook', 'tamper_policy', 'tamper_txt',
           'poison_tlsa', 'spoof_mx', 'spoof_a', 'strip_dnssec', 'dns_hook'}

def load_expected(path):
    exp = {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        f = line.split()
        exp[f[0]] = f[1:]
    return exp

def verdicts(out, idx, expected):
    exp = load_expected(expected)
    res = json.load(open(os.path.join(out, 'results.json')))
    got = {s['id']: s for s in res['scenarios']}
    bad = 0
    for sid, modes in sorted(exp.items()):
        if sid not in got:
            print(f'{sid}: missing from results'); bad += 1; continue
        v = got[sid]['verdict']
        if v != modes[idx]:
            print(f'{sid}: verdict {v}, expected {modes[idx]} ({got[sid].get("reason")})'); bad += 1
    for sid in got:
        if sid not in exp:
            print(f'{sid}: not in {expected}: add its expected verdicts'); bad += 1
    return bad

def weak(expected, scen_dir):
    exp = load_expected(expected)
    bad = 0
    for sid, modes in sorted(exp.items()):
        # a sweep's variants ("file#STEP-CODE") share their file
        src = open(os.path.join(scen_dir, sid.split('#')[0] + '.lua')).read()
        names = set(re.findall(r'\{\s*"([a-z_]+)"\s*,', src)) & ATTACKS
        if not names or names <= {'block', 'reply'} or 'weak-exempt:' in src:
            continue   # availability only, or documented why no weak mode can fail it
        if 'fail' not in modes[1:]:
            print(f'{sid}: attacks {sorted(names)} but no weakened sender fails it: it tests nothing'); bad += 1
    return bad

def tlsrpt(out, schema_path, sub='tlsrpt'):
    import jsonschema
    schema = json.load(open(schema_path))
    v = jsonschema.Draft202012Validator(schema)
    n = bad = 0
    for root, _, files in os.walk(os.path.join(out, sub)):
        for f in files:
            if not f.endswith('.json'):
                continue   # findings.txt beside received reports
            n += 1
            doc = json.load(open(os.path.join(root, f)))
            for e in v.iter_errors(doc):
                print(f'{os.path.join(root, f)}: {e.message}'); bad += 1
    if n == 0:
        print('no TLSRPT reports written'); bad += 1
    return bad

if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'verdicts':
        bad = verdicts(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == 'weak':
        bad = weak(sys.argv[2], sys.argv[3])
    elif cmd == 'tlsrpt':
        bad = tlsrpt(sys.argv[2], sys.argv[3])
    elif cmd == 'received':   # the reports the sender POSTed to the world
        bad = tlsrpt(sys.argv[2], sys.argv[3], 'tlsrpt-received')
    else:
        sys.exit(__doc__)
    sys.exit(1 if bad else 0)
