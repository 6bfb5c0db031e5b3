#!/bin/sh
# chaos: a misbehaving sender for tests/e2e/superv.sh (chaos.conf runs it
# as its relay command).  It picks a behaviour from the scenario id in the
# Message-ID (first argument) and otherwise hands the message to swaks:
#   *crash*  dies of SIGSEGV
#   *hang*   never exits: ignores SIGTERM, and leaves a daemon that left
#            its process group (setsid) and ignores SIGTERM too; both
#            write their pids to $2.pids for the test to check they died
#   *flood*  writes an endless stream on stdout (GBs in a few seconds)
#   *        swaks "$@" >>swaks.log (a normal, verified delivery attempt)
id=$1
pids=$2
shift 2
case $id in
*crash*)
	kill -SEGV $$
	;;
*hang*)
	setsid sh -c 'trap "" TERM HUP INT; echo $$ >>"$1"; while :; do sleep 1; done' \
	    chaos-daemon "$pids" </dev/null >/dev/null 2>&1 &
	trap '' TERM HUP INT
	echo $$ >>"$pids"
	while :; do sleep 1; done
	;;
*flood*)
	exec yes 'chaos flood: 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz'
	;;
*)
	exec swaks "$@" >>swaks.log 2>&1
	;;
esac
