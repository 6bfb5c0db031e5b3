/*
 * shell: `mxsim shell [options] SCENARIO [-- CMD...]`, the world of a
 * scenario made live for people and for scripts.
 *
 * The process enters the world's namespaces (core/netns.h), builds the
 * first phase's world (attacks active) on a LOOP_REAL loop, and starts
 * the child (CMD, else $SHELL or /bin/sh) through core/proc.h with the
 * terminal as its stdio, a private mount namespace where
 * /etc/resolv.conf names the world's resolver, and MXSIM_CA,
 * MXSIM_TRUST_ANCHOR, MXSIM_OUT, MXSIM_SCENARIO in its environment (files
 * in OUT/shell/).  The loop serves the world until the child exits,
 * printing each transcript line on stderr as it is recorded (the live
 * log, not with -q).  Then every session is attributed to phase 1,
 * message 1 and judged against the phase's expectation; the output
 * folder gets what `mxsim run` writes (sim/outputs.h, the capture,
 * mxsim.log) and a summary line goes to stderr.  The exit code is the
 * child's (128 + signal when killed); 2 when the world cannot be built.
 */
#ifndef MXSIM_SHELL_H
#define MXSIM_SHELL_H

/* argv[0] is "shell". */
int shell_main(int argc, char **argv);

#endif
