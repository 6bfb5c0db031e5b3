/*
 * replay: `mxsim replay`, judging and replaying captures (issue 6).
 *
 *   mxsim replay [--judge] CAPTURE [--out DIR] [--format F] [--notes JSON]
 *                [--scenarios DIR] [--expect D[,D...]] [--keylog FILE]
 *                [--ca FILE] [--seed N]
 *   mxsim replay --as-server CAPTURE SCENARIO [--out DIR] [--seed N]
 *   mxsim replay --as-client CAPTURE SCENARIO [--seed N]
 *
 * --judge reads the capture (replay/rp_pkt.h), reassembles TCP
 * (rp_tcp.h), rebuilds the SMTP sessions in a recorder (rp_smtp.h) and
 * judges them with the live verdict engine (sim/verdict.h); outputs are
 * those of a live run.  --as-server serves the recorded server's replies
 * from the scenario's MX (reply overrides, fake-mx/smtp.h) to the
 * reference sender; --as-client sends the recorded client's plaintext
 * commands to the scenario's MX and diffs the replies.
 *
 * --keylog FILE (NSS key log) decrypts TLS 1.3 (rp_tls.h); --ca FILE or
 * the run's seed (--seed, results.json) gives the trust anchors.
 *
 * Exit codes: 0 every judged scenario passed (or had no expectation), 1
 * some failed or a replay differed, 2 usage errors and bad captures.
 */
#ifndef MXSIM_REPLAY_H
#define MXSIM_REPLAY_H

/* argv[0] is "replay". */
int replay_main(int argc, char **argv);

/* The usage text (for mxsim --help). */
extern const char replay_usage[];

#endif
