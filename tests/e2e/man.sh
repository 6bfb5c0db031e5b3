#!/bin/sh
# The documentation checks: both man pages render without warnings
# (mandoc -Tlint at warning level, man --warnings through groff), the
# scenario page names every key, attack, mode and certificate variant the
# loader knows (taken from the tables in sim/scenario*.c and core/pki.c,
# so a new key fails here until man/mxsim-scenario.5 documents it),
# every command has --help, and docs/scenarios.md is what
# `mxsim list --markdown` prints.  One line per check; exit 1 if any failed.
set -u
MXSIM=${MXSIM:-./mxsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   man: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL man: $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/out" | head -30; fi; }

for page in man/mxsim.1 man/mxsim-scenario.5; do
	check "$page: mandoc -Tlint shows no warning or error" sh -c \
	    "mandoc -Tlint -W warning '$page' 2>&1 | grep -v 'outdated mandoc.db' | grep . && exit 1; exit 0"
	check "$page: man --warnings renders it silently" sh -c \
	    "MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null | grep . && exit 1; exit 0"
done

# every name of the loader's tables appears in the scenario page
check "mxsim-scenario(5) documents every key, attack, mode and variant" python3 - <<'EOF'
import re, sys
tables = {
    "sim/scenario.c": ["top_keys", "phase_keys", "set_keys", "expect_keys",
                       "deliveries"],
    "sim/scenario_attack.c": ["attack_keys", "attack_names", "reply_steps",
                              "m_error", "m_block", "m_inject", "m_caps",
                              "m_hsfail"],
    "sim/scenario_dns.c": ["dns_attack_names", "dns_attack_keys", "ats",
                           "block_modes", "fault_keys", "faults",
                           "zone_states"],
    "sim/scenario_sts.c": ["sts_keys", "sts_variants", "policy_modes",
                           "txt_modes"],
    "sim/scenario_world.c": ["mx_keys", "cert_keys"],
}
page = open("man/mxsim-scenario.5").read().replace("\\&", "")
names = {}
for path, arrays in tables.items():
    src = open(path).read()
    for a in arrays:
        m = re.search(r"static const char \*const %s\[\] = \{(.*?)\};" % a, src, re.S)
        if not m:
            print("%s: table %s not found (renamed? update tests/e2e/man.sh)" % (path, a))
            sys.exit(1)
        for n in re.findall(r'"([^"]+)"', m.group(1)):
            names.setdefault(n, "%s %s" % (path, a))
for n in re.findall(r'^\s*\{ "([a-z0-9-]+)",\s+ISS_', open("core/pki.c").read(), re.M):
    names.setdefault(n, "core/pki.c variants")
missing = [(n, w) for n, w in sorted(names.items())
           if not re.search(r"(?<![A-Za-z0-9_:-])%s(?![A-Za-z0-9_-])" % re.escape(n), page)]
for n, w in missing:
    print("not in man/mxsim-scenario.5: %s (from %s)" % (n, w))
print("%d names checked" % len(names))
sys.exit(1 if missing else 0)
EOF

for cmd in run list zone shell merge; do
	check "mxsim $cmd --help prints its usage (exit 0)" sh -c \
	    "$MXSIM $cmd --help | grep -q '^usage: mxsim $cmd'"
done
check "mxsim --help lists every command" sh -c \
    "$MXSIM --help >'$T/h' && for c in run list zone shell merge; do grep -q \"^  \$c \" '$T/h' || exit 1; done"
check "mxsim help CMD and unknown commands" sh -c \
    "$MXSIM help merge | grep -q 'usage: mxsim merge' && ! $MXSIM help nosuch 2>/dev/null && ! $MXSIM nosuch 2>/dev/null"
check "docs/scenarios.md is the output of mxsim list --markdown scenarios" sh -c \
    "$MXSIM list --markdown scenarios >'$T/md' && diff -u docs/scenarios.md '$T/md'"

echo "man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
