/*
 * rp_int: what the files of replay/ share (not for other modules).
 */
#ifndef MXSIM_RP_INT_H
#define MXSIM_RP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>
#include <time.h>

#include "core/result.h"
#include "core/util.h"
#include "replay/rp_dialog.h"

struct rp_judge_opts {
	const char *capture;
	const char *notes;      /* capture.json; NULL: beside the capture if there */
	const char *scenarios;  /* where scenario ids are looked up; NULL: "scenarios" */
	const char *expect;     /* "plaintext,tls": expectation for every message */
	const char *keylog;     /* NSS key log; NULL: keylog.txt beside the capture if there */
	const char *ca;         /* PEM trust anchors for the server certificates */
	bool seed_set;          /* seed: the mxsim run's (its root CA); else */
	uint64_t seed;          /* from results.json beside the capture */
	bool quiet;
};

/* Judge a capture into run (one res_scenario per scenario of the capture,
 * or one for the whole of a foreign capture).  0, or -1 with a message in
 * err when the capture cannot be read or holds no SMTP session (run may
 * hold partial results then).  Warnings (truncation, damage) go to
 * stderr unless quiet. */
int rp_judge(const struct rp_judge_opts *o, struct res_run *run, char *err,
	size_t errlen) WUR;

/* Trust anchors for the certificates a capture shows (rp_trust.c):
 * --ca FILE, else the root CA of the mxsim run that made the capture,
 * rebuilt from its seed (--seed, or results.json beside the capture),
 * as pki_new() built it for the live run. */
struct pki;
struct rp_trust {
	void *ca;               /* STACK_OF(X509) from --ca, or NULL */
	bool have_seed;
	uint64_t seed;
	char what[256];         /* "--ca FILE (2 certificates)", "..." */
};

int rp_trust_load(const struct rp_judge_opts *o, struct rp_trust *t, char *err,
	size_t errlen) WUR;
/* A pki whose store holds the trust anchors, for the verdict engine at
 * this clock; NULL when there are none. */
struct pki *rp_trust_pki(const struct rp_trust *t, time_t clock);
void rp_trust_free(struct rp_trust *t);
/* DIR/name where DIR is the capture's folder, if readable; else NULL. */
char *rp_beside(const char *capture, const char *name);

/* The first sender session of a capture: the whole dialogue (every
 * command with its reply and its occurrence number, after STARTTLS too
 * when the key log opened the TLS), and the same as flat arrays for
 * --as-client. */
struct rp_script {
	struct rp_dialog d;
	char **cmds;            /* commands; "." stands for a message */
	char **replies;         /* the reply each got ("" if none), joined by "\n" */
	size_t ncmds;
	char *banner;
};

/* keylog: --keylog, or NULL for keylog.txt beside an mxsim capture. */
int rp_script_load(const char *capture, const char *keylog, struct rp_script *sc,
	char *err, size_t errlen) WUR;
void rp_script_free(struct rp_script *sc);

/* results.json, tlsrpt/, junit.xml, report.tap, report.html in out. */
int rp_write_outputs(const struct res_run *run, const char *out) WUR;

int rp_as_server(const char *capture, const char *keylog, const char *scenario,
	const char *out, uint64_t seed, const char *sender);
int rp_as_client(const char *capture, const char *keylog, const char *scenario,
	uint64_t seed);

#endif
