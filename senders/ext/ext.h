/*
 * ext: real senders (Postfix, Exim, swaks, msmtp, curl, ...) run as child
 * processes inside the world, driven by a sender profile.
 *
 * A profile is data: senders/profiles/NAME.conf (format in
 * senders/profiles/README.md).  It says which programs it needs, what it
 * supports, which files to write, which commands set the sender up, start
 * its daemons, submit one message, tell when that message is finished,
 * and which log lines to keep as evidence.  `--sender NAME[:MODE]` picks
 * the profile and one of its modes; NAME may also be a path to a .conf.
 *
 * Life cycle (one struct ext per scenario, so queues, caches and retry
 * databases carry over between the phases of a scenario and never
 * between scenarios): ext_new() writes the files, runs `setup` and starts
 * the `daemon`s; ext_phase() before each phase; ext_send() per message;
 * ext_free() runs `teardown`, kills every process the sender left, removes
 * its state folder and keeps its logs in the work folder.
 *
 * Every command runs with proc_spawn() in a private mount namespace where
 * /etc/resolv.conf says "nameserver 127.53.0.1 / options trust-ad" and
 * /dev/shm is a fresh tmpfs, plus the profile's own bind mounts; output
 * goes to WORK/commands.log.  The loop must be LOOP_REAL.
 */
#ifndef MXSIM_EXT_H
#define MXSIM_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/loop.h"

struct ext;

/* What the scenario's phase needs from a sender. */
struct ext_world {
	const char *domain;
	const char *mx1;           /* highest-preference MX host, or NULL */
	size_t nmx;
	const char *submit_host;   /* NULL: relay as an MTA */
	int submit_port;
	const char *submit_tls;    /* "implicit" | "starttls" | "optional" */
	const char *submit_user;   /* AUTH (RFC 4954) credentials, or NULL */
	const char *submit_pass;
	const char *submit_mech;   /* "plain" | "login" | NULL: the sender picks */
	const char *sender_tls;    /* NULL or "may" | "encrypt" | "secure" | "dane" */
	bool dane;                 /* TLSA records are published */
	bool mta_sts;              /* an MTA-STS policy is published */
	bool requiretls;           /* messages are to be relayed with REQUIRETLS */
	bool smime;                /* messages are to be S/MIME-encrypted */
	int phase;                 /* 1-based */
};

struct ext_config {
	const char *name;          /* "postfix:dane", "./my.conf:mode", ... */
	const char *work;          /* the scenario's work folder (created) */
	const char *ca_pem;        /* the world's root CA, PEM */
	const char *sender_ip;     /* the sender's address, e.g. "127.1.0.1" */
	const char *dns_ip;        /* the world's resolver */
	bool faketime;             /* run under libfaketime at the loop's clock */
};

enum ext_result { EXT_DELIVERED, EXT_DEFERRED, EXT_BOUNCED, EXT_FAILED,
	EXT_TIMEOUT };

typedef void ext_done_cb(enum ext_result res, const char *why, void *arg);

/* Is name a usable sender: profile found, mode known, programs installed.
 * 0, or -1 with a message. */
int ext_check(const char *name, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Set the sender up (files, setup commands, daemons).  NULL with a
 * message in err; the work folder then holds the commands' output. */
struct ext *ext_new(struct loop *l, const struct ext_config *cfg, char *err,
	size_t errlen);
/* Teardown: the `teardown` commands, daemons killed, every process the
 * sender left killed, STATE removed.  No process of the sender survives
 * it.  Once; ext_free() calls it if needed.  NULL is a no-op. */
void ext_stop(struct ext *e);
void ext_free(struct ext *e);  /* NULL is a no-op */

/* NULL when the profile supports what the phase needs, else the reason
 * (borrowed from e, valid until the next call). */
const char *ext_unsupported(struct ext *e, const struct ext_world *w);
/* Before a phase: variables for the phase, the `phase` commands (from the
 * second phase on).  0 or -1 with err. */
int ext_phase(struct ext *e, const struct ext_world *w, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Submit one message (body with a Message-ID header msgid, without <>)
 * and follow it until finished; done is called once, from the loop.
 * 0, or -1 with err (done not called). */
int ext_send(struct ext *e, const char *from, const char *rcpt,
	const char *msgid, const char *body, ext_done_cb *done, void *arg,
	char *err, size_t errlen) __attribute__((warn_unused_result));
/* The evidence lines of the last message (the profile's `evidence`
 * logs, matching lines written since its submission): moved to the
 * caller, who frees each and the vector. */
char **ext_take_evidence(struct ext *e, size_t *n);
/* Exit status of the last message's submit command: its exit code, or
 * 128+N when a signal N killed it (as sh reports it); -1 when it had not
 * exited when the message ended (its deadline killed it). */
int ext_submit_status(const struct ext *e);
/* fds and timers the sender keeps in the loop between messages (its
 * daemons): the runner's "loop drained" check discounts them. */
unsigned ext_loop_fds(const struct ext *e);
unsigned ext_loop_timers(const struct ext *e);
/* Real ms spent in the sender's own commands, by kind: the bench
 * splits mxsim's overhead from them. */
struct ext_times {
	double setup;   /* setup commands and daemons: the sender's start */
	double phase;   /* phase commands */
	double msgs;    /* each message from submission to finished */
	double stop;    /* teardown commands, then killing what is left */
};
void ext_times(const struct ext *e, struct ext_times *t);
double ext_sender_ms(const struct ext *e);   /* the sum of ext_times */
const char *ext_result_name(enum ext_result r);

#endif
