#!/bin/sh
# `mxsim shell SCENARIO` used interactively (issue 7): the real shell runs
# on a pseudo-terminal (a tmux pane), gets the terminal's foreground, and
# is driven by keystrokes (tmux send-keys; the screen read back with
# capture-pane):
#  - the prompt names the scenario (PS1 set by mxsim; SHELL is bash
#    --norc, as /etc/bash.bashrc would set its own PS1);
#  - dig answers the MX query from the world's resolver;
#  - swaks (its own MX lookup) delivers over verified STARTTLS with $MXSIM_CA;
#  - Ctrl-C stops the shell's foreground job, not mxsim;
#  - the live log of the session shows on the terminal;
#  - after `exit`, mxsim exits 0 and its output folder has what `mxsim
#    run` writes (results.json with a pass, junit.xml, report.html,
#    capture.pcap that tshark decrypts with keylog.txt...);
#  - SIGTERM to mxsim while the shell runs a foreground job and a setsid
#    daemon: both are killed, the outputs are written with the scenario
#    marked interrupted, mxsim exits 143.
# Needs tmux (a DEBS dependency); skips without it, fails with MXSIM_CI=1.
set -u
MXSIM=${MXSIM:-./mxsim}
case $MXSIM in /*) ;; *) MXSIM=$(pwd)/$MXSIM ;; esac
SCN=starttls/baseline
T=$(mktemp -d)
S="mxsim-shell-tty-$$"
cleanup() {
	tmux -L "$S" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
if ! command -v tmux >/dev/null 2>&1; then
	if [ "${MXSIM_CI:-0}" = 1 ]; then
		echo "FAIL - shell_tty: tmux is missing (MXSIM_CI=1: no skipping)"
		exit 1
	fi
	echo "skip - shell_tty: needs tmux"
	exit 0
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else ko "$d"; fi; }
W=shell   # the tmux session screen(), wait_for and keys act on
screen() { tmux -L "$S" capture-pane -p -J -S - -E - -t "$W"; }
# wait (up to $2 tenths of a second) until the screen has a line matching $1
wait_for() {
	n=0
	while [ "$n" -lt "$2" ]; do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	echo "timed out waiting for: $1"
	screen | tail -15
	return 1
}
keys() { tmux -L "$S" send-keys -t "$W" "$@"; }

printf '#!/bin/sh\nexec bash --norc --noprofile "$@"\n' >"$T/bash-norc"
chmod 755 "$T/bash-norc"
start=$(date +%s.%N)
tmux -L "$S" new-session -d -s shell -x 200 -y 50 \
    "cd '$(pwd)' && SHELL='$T/bash-norc' '$MXSIM' shell --out '$T/out' scenarios/$SCN.lua; echo MXSIM-EXIT=\$?; sleep 600"
tmux -L "$S" set-option -t shell history-limit 20000 >/dev/null
check "the interactive shell shows its prompt naming the scenario" wait_for "^\[mxsim $SCN\] .*# *$" 150
ready=$(date +%s.%N)

keys 'dig +short MX example.test; echo DIG-$((40 + 2))' Enter
check "dig in the shell: it ran" wait_for "^DIG-42" 200
check "dig in the shell: the world's MX answer, 10 mx1.example.test." sh -c \
    "tmux -L '$S' capture-pane -p -J -S - -t shell | grep -q '^10 mx1.example.test.\$'"

keys 'swaks --to user@example.test --from me@mxsim.test --helo client.test --tls --tls-verify --tls-ca-path "$MXSIM_CA" --timeout 15 >"$MXSIM_OUT/swaks.txt" 2>&1; echo "SWAKS-RC:$?"' Enter
check "swaks in the shell: delivers (exit 0)" wait_for "^SWAKS-RC:0" 300
check "swaks in the shell: its transcript shows STARTTLS and 250 for the data" sh -c \
    "grep -q ' -> STARTTLS' '$T/out/swaks.txt' && grep -q '^<~  250 .*queued' '$T/out/swaks.txt'"
check "the live log of the session shows on the terminal" wait_for "mxsim: #[0-9]* mx1.example.test:25 .*STARTTLS" 50

keys 'sleep 300' Enter
sleep 1
keys C-c
keys 'echo ALIVE-$((1 + 1))' Enter
check "Ctrl-C stops the shell's foreground job, the shell and mxsim go on" wait_for "^ALIVE-2" 100

keys 'exit' Enter
check "after exit, mxsim says where the outputs are" wait_for "verdict pass; outputs in $T/out" 200
check "mxsim exits 0" wait_for "^MXSIM-EXIT=0" 100
end=$(date +%s.%N)

# the output folder is a run's, for the one scenario
$MXSIM run -q --out "$T/run" "scenarios/$SCN.lua" >/dev/null 2>&1
(cd "$T/run" && find . -maxdepth 1 ! -name senders | sort) >"$T/run.files"
(cd "$T/out" && find . -maxdepth 1 ! -name shell ! -name swaks.txt | sort) >"$T/shell.files"
check "the shell's outputs are the files mxsim run writes" diff "$T/run.files" "$T/shell.files"
check "results.json: the scenario, sender shell, verdict pass, the delivered session" \
    python3 - "$T/out/results.json" "$SCN" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scenarios"]
ok = len(s) == 1 and s[0]["id"] == sys.argv[2] and s[0]["verdict"] == "pass"
ok = ok and d.get("sender", s[0].get("sender")) == "shell"
txt = json.dumps(s[0])
ok = ok and "STARTTLS" in txt and "MAIL FROM:<me@mxsim.test>" in txt
if not ok:
    print(json.dumps(d, indent=1)[:2000])
sys.exit(0 if ok else 1)
PY
check "junit.xml is well-formed" python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$T/out/junit.xml"
if command -v tshark >/dev/null 2>&1; then
	check "tshark decrypts swaks's MAIL FROM in capture.pcap with keylog.txt" sh -c \
	    "tshark -r '$T/out/capture.pcap' -o 'tls.keylog_file:$T/out/keylog.txt' -Y 'smtp.req.command == \"MAIL\"' -T fields -e smtp.req.parameter 2>/dev/null | grep -q 'me@mxsim.test'"
fi
# SIGTERM to mxsim itself: the shell's jobs die, the outputs are written
W=shell2
tmux -L "$S" new-session -d -s shell2 -x 200 -y 50 \
    "cd '$(pwd)' && SHELL='$T/bash-norc' '$MXSIM' shell --out '$T/out2' scenarios/$SCN.lua; echo MXSIM-EXIT=\$?; sleep 600"
check "SIGTERM: a second shell is up" wait_for "^\[mxsim $SCN\] .*# *$" 150
# durations unique to this run: a leftover of another run is not ours
A="30$$.1" B="30$$.2"
keys "setsid sleep $A & sleep $B" Enter
n=0
until pgrep -f "^sleep $B" >/dev/null || [ "$n" -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
mx=$(pgrep -f "^$MXSIM shell --out $T/out2")
check "SIGTERM: found mxsim (pid ${mx:-none}) and the shell's jobs" sh -c \
    "test -n '$mx' && pgrep -f '^sleep $A' >/dev/null && pgrep -f '^sleep $B' >/dev/null"
[ -n "$mx" ] && kill -TERM $mx
check "SIGTERM: mxsim exits 143" wait_for "^MXSIM-EXIT=143" 150
check "SIGTERM: the foreground job and the setsid daemon are gone" sh -c \
    "! pgrep -f '^sleep 30$$[.][12]'"
check "SIGTERM: the outputs are written, the scenario marked interrupted" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"]
sys.exit(0 if len(s) == 1 and s[0]["verdict"] == "error" and "interrupted by SIGTERM" in s[0]["reason"] else 1)' "$T/out2/results.json"

awk -v s="$start" -v r="$ready" -v e="$end" \
    'BEGIN { printf "shell_tty: prompt after %.1f s, whole session %.1f s wall\n", r - s, e - s }'
echo "shell_tty e2e: $pass passed, $fail failed"
test "$fail" -eq 0
