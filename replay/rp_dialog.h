/*
 * rp_dialog: one SMTP dialogue as the client saw it (the banner, then each
 * command paired with its reply), built from a recorded session's '>' and
 * '<' lines, and the comparison of two dialogues.
 *
 * Replies are paired with commands first come, first served: a client
 * that pipelines (MAIL, RCPT, RCPT, DATA in one write) gets its replies
 * in the order of its commands (RFC 2920 3.1), so a queue of commands
 * waiting for their reply is all the pairing needs.  Each turn is also
 * numbered per step ("the 2nd EHLO", "the 3rd RCPT"): that is how the
 * fake MX picks an override ("RCPT#3": fake-mx/smtp.h), so a live client
 * gets the recorded reply to the same occurrence of the same command even
 * when it pipelines or interleaves differently.
 */
#ifndef MXSIM_RP_DIALOG_H
#define MXSIM_RP_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "fake-mx/smtp.h"

struct rec_session;

struct rp_turn {
	char *cmd;          /* the command line; "." stands for a message */
	char *reply;        /* its reply, lines joined by "\n"; NULL: none came */
	const char *step;   /* fake-mx step: "EHLO", "RCPT", "DOT", "error"... */
	unsigned nth;       /* the how-many-th command of that step (from 1) */
};

struct rp_dialog {
	char *banner;       /* NULL until the server greeted */
	struct rp_turn *t;
	size_t n, cap;
	size_t head;        /* first turn still waiting for its reply */
	struct smtp_reply rp;   /* reply being read */
	struct buf text;
};

void rp_dialog_init(struct rp_dialog *d);
void rp_dialog_free(struct rp_dialog *d);
/* Feeds one line: dir '>' a client line (a command, "." or a
 * "[message ...]" note, which is skipped), '<' a server reply line;
 * other dirs are ignored.  A reply line that does not parse starts the
 * reply over; replies with nobody waiting for them are dropped. */
void rp_dialog_feed(struct rp_dialog *d, char dir, const char *line);
/* A recorded session as its client saw it ('>' and '<' lines: a capture
 * judged, or the attacker's view of the sender's side), or with mx_side
 * as the fake MX served it ('}' and '{': what it heard and answered,
 * inside TLS too, which an attacker that relays TLS cannot read; its
 * "[message: N bytes]" note stands for the "." command). */
void rp_dialog_from_session(const struct rec_session *s, bool mx_side,
	struct rp_dialog *d);

/* The fake MX step a command line answers to: "." -> "DOT", "RCPT TO:.."
 * -> "RCPT", an unknown verb or bad syntax -> "error". */
const char *rp_dialog_step(const char *cmd);

/* Where live first departs from rec (the recording): the 1-based number
 * of the first command whose step differs, or that one of them has and
 * the other has not; 0 when the live client sent the same sequence of
 * commands (arguments may differ: another client names other hosts and
 * addresses).  msg gets "diverged at command N: client sent X, recording
 * has Y" (X or Y "nothing" past the end). */
size_t rp_dialog_diverge(const struct rp_dialog *rec, const struct rp_dialog *live,
	char *msg, size_t msglen);

#endif
