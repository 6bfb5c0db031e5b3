#!/usr/bin/env python3
"""Compare a real sender's results.json with tests/e2e/senders.txt.

senders.txt lines: SET SENDER SCENARIO VERDICT [DELIVERIES]
DELIVERIES is the observed delivery of each message, comma-separated,
phases separated by '/', or '-' (none: unsupported).  Also checks that
every judged message carries the sender's own log lines as evidence."""
import json
import sys


def main():
    results, sender, table, want_set = sys.argv[1:5]
    run = json.load(open(results))
    got = {s["id"]: s for s in run["scenarios"]}
    bad = 0
    for line in open(table):
        f = line.split()
        if not f or f[0].startswith("#") or f[1] != sender:
            continue
        if f[0] != "check" and want_set != "slow":
            continue
        scn, verdict = f[2], f[3]
        deliv = f[4] if len(f) > 4 else "-"
        s = got.get(scn)
        if s is None:
            print(f"{scn}: missing from results.json")
            bad += 1
            continue
        obs = "/".join(",".join(m["delivery"] for m in p.get("messages", []))
                       for p in s["phases"] if p.get("messages"))
        obs = obs or "-"
        if s["verdict"] != verdict or obs != deliv:
            print(f"{scn}: {s['verdict']} {obs}, expected {verdict} {deliv}: "
                  f"{s.get('reason', '')}")
            bad += 1
        for p in s["phases"]:
            for m in p.get("messages", []):
                if not m.get("sender_log") and s["verdict"] != "error":
                    print(f"{scn}: message {m['index']} has no sender_log evidence")
                    bad += 1
    return 1 if bad else 0


sys.exit(main())
