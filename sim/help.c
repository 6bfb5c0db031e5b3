/*
 * help: per-command help texts.  See help.h.  Keep these in step with
 * man/mxsim.1 (the man page says more; this is the summary).
 */
#include "sim/help.h"

#include <string.h>

static const struct {
	const char *cmd;
	const char *text;
} helps[] = {
	{ "", "usage: mxsim COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Deterministic test harness and man-in-the-middle simulator for email\n"
	    "transport security (STARTTLS, MTA-STS, DANE, TLSRPT).\n"
	    "\n"
	    "Commands:\n"
	    "  run     run scenarios against a sender, judge, write the reports\n"
	    "  list    print the scenarios: title, refs, expectations (--markdown)\n"
	    "  zone    print the signed DNS zones of a scenario's world\n"
	    "  shell   open a shell (or run a command) inside a scenario's world\n"
	    "  merge   combine the output folders of sharded runs into one\n"
	    "  replay  judge a capture (pcap), or replay its server or client\n"
	    "\n"
	    "`mxsim COMMAND --help` describes a command; man mxsim(1) and\n"
	    "mxsim-scenario(5) say everything.\n"
	    "Exit: 0 all passed, 1 some failed, 2 usage or scenario errors.\n" },
	{ "run", "usage: mxsim run [--sender NAME[:MODE]] [--seed N] [--out DIR] [--no-capture]\n"
	    "                 [--format text|json|junit|tap] [-j N] [--shard K/N]\n"
	    "                 [-q] [-v] PATH...\n"
	    "\n"
	    "Runs every scenario of PATH (files or folders; default scenarios/)\n"
	    "against a sender in a private network namespace and judges from the wire.\n"
	    "\n"
	    "  -s, --sender NAME   builtin (default), builtin:opportunistic,\n"
	    "                      builtin:no-verify, builtin:trust-ad (trusts its\n"
	    "                      resolver's AD bit, no local DNSSEC validation),\n"
	    "                      or a real sender from a profile\n"
	    "                      (senders/profiles/NAME.conf, or a path to one) as\n"
	    "                      NAME[:MODE]: postfix:dane, postfix:mta-sts,\n"
	    "                      swaks:tls, curl:ssl-reqd, msmtp:starttls, exim:dane...\n"
	    "      --faketime      run a real sender under libfaketime at the\n"
	    "                      scenario clock\n"
	    "  -S, --seed N        seed of every key, certificate and random byte (1)\n"
	    "  -o, --out DIR       output folder (mxsim-out): results.json, results.bin,\n"
	    "                      junit.xml, report.tap, report.html, tlsrpt/,\n"
	    "                      capture.pcap, keylog.txt, capture.json, mxsim.log\n"
	    "      --no-capture    no capture.pcap/keylog.txt/capture.json\n"
	    "      --format F      what stdout gets: text (default), json, junit, tap\n"
	    "  -j, --jobs N        run scenarios in N worker processes, each in its own\n"
	    "                      namespaces; the output folder is the same, byte for\n"
	    "                      byte, as a serial run's (mxsim.log times aside)\n"
	    "      --shard K/N     run only part K of N (contiguous parts of the stable\n"
	    "                      scenario order); `mxsim merge` joins the parts\n"
	    "  -q, --quiet         no progress line (shown only when stderr is a terminal)\n"
	    "  -v, --verbose       log to stderr (-vv: debug)\n"
	    "\n"
	    "Exit: 0 all passed, 1 some failed, 2 usage or scenario errors.\n" },
	{ "list", "usage: mxsim list [--markdown] [PATH...]\n"
	    "\n"
	    "Prints every scenario of PATH (default scenarios/): id, title, the RFC\n"
	    "references and what each phase expects.  --markdown prints the\n"
	    "conformance table (docs/scenarios.md is its output).\n"
	    "Exit: 0, or 2 when a scenario does not load.\n" },
	{ "zone", "usage: mxsim zone [--seed N] [--dnssec secure|insecure|bogus[:KIND]] SCENARIO\n"
	    "\n"
	    "Prints the signed zones of the scenario's first phase and the trust\n"
	    "anchor of \".\"; --dnssec overrides the scenario's dnssec state.\n" },
	{ "shell", "usage: mxsim shell [--seed N] [--out DIR] [--no-capture] [--scenario-clock]\n"
	    "                   [-q] SCENARIO [-- CMD [ARG...]]\n"
	    "\n"
	    "Builds the world of SCENARIO (first phase, attacks active) and runs an\n"
	    "interactive shell ($SHELL, else /bin/sh) inside its namespaces, or CMD\n"
	    "instead (its exit code becomes mxsim's).  Inside: /etc/resolv.conf names\n"
	    "the world's resolver (nameserver 127.53.0.1, options trust-ad) and\n"
	    "  MXSIM_CA            PEM file of the world's root CA\n"
	    "  MXSIM_TRUST_ANCHOR  the DS of \".\" (dig/delv: delv -a FILE +root=.)\n"
	    "  MXSIM_OUT           the output folder\n"
	    "  MXSIM_SCENARIO      the scenario id\n"
	    "The world keeps serving (real time) while the child runs; sessions are\n"
	    "logged on stderr as they end (not with -q).  When the child exits, the\n"
	    "sessions are judged and the output folder written as by `mxsim run`.\n"
	    "The world's clock starts at the real time (real tools check dates against\n"
	    "it); --scenario-clock keeps the scenario's clock.\n" },
	{ "replay", "usage: mxsim replay [--judge] CAPTURE [--out DIR] [--format text|json|junit|tap]\n"
	    "                    [--notes capture.json] [--scenarios DIR] [--expect D[,D]]\n"
	    "                    [--keylog FILE] [-q]\n"
	    "       mxsim replay --as-server CAPTURE SCENARIO [--out DIR] [--seed N]\n"
	    "                    [--sender builtin|builtin:opportunistic|builtin:no-verify]\n"
	    "       mxsim replay --as-client CAPTURE SCENARIO [--seed N]\n"
	    "\n"
	    "--judge (default) rebuilds every SMTP session of a capture (pcap or\n"
	    "pcapng: Ethernet, Linux cooked, raw IP, loopback) with a TCP reassembler\n"
	    "and judges it with the verdict engine of a live run; the output folder\n"
	    "gets results.json, tlsrpt/, junit.xml, report.tap, report.html.  An\n"
	    "mxsim capture is judged per scenario (capture.json beside it or\n"
	    "--notes) against scenarios/<id>.lua (--scenarios DIR); a foreign one\n"
	    "against --expect.  TLS is not decrypted (--keylog is not needed): with\n"
	    "the certificate invisible, verified and tls look the same.\n"
	    "--as-server: the scenario's MX answers with the recorded server's\n"
	    "banner and replies while the reference sender delivers to it.\n"
	    "--as-client: sends the recorded client's commands (up to STARTTLS) to\n"
	    "the scenario's MX and prints the replies that differ (exit 1 if any).\n"
	    "Exit: 0 passed or no expectation, 1 failed or differed, 2 bad capture.\n" },
	{ "merge", "usage: mxsim merge [--out DIR] [-q] DIR...\n"
	    "\n"
	    "Combines the output folders of `mxsim run --shard K/N` runs (same seed,\n"
	    "sender and scenarios) into one folder that is the same as one run's:\n"
	    "results.json, results.bin, junit.xml, report.tap, report.html, tlsrpt/,\n"
	    "mxsim.log and, when every folder has one, the capture.  Every shard must\n"
	    "be there exactly once.  Prints the text summary (not with -q).\n"
	    "Exit: as `mxsim run`; 2 when the folders do not make one run.\n" },
};

bool
help_print(FILE *f, const char *cmd)
{
	if (cmd == NULL)
		cmd = "";
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if (strcmp(helps[i].cmd, cmd) == 0) {
			fputs(helps[i].text, f);
			return true;
		}
	}
	return false;
}
