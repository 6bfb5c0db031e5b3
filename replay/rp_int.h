/*
 * rp_int: what the files of replay/ share (not for other modules).
 */
#ifndef MXSIM_RP_INT_H
#define MXSIM_RP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "core/result.h"
#include "core/util.h"

struct rp_judge_opts {
	const char *capture;
	const char *notes;      /* capture.json; NULL: beside the capture if there */
	const char *scenarios;  /* where scenario ids are looked up; NULL: "scenarios" */
	const char *expect;     /* "plaintext,tls": expectation for every message */
	bool quiet;
};

/* Judge a capture into run (one res_scenario per scenario of the capture,
 * or one for the whole of a foreign capture).  0, or -1 with a message in
 * err when the capture cannot be read or holds no SMTP session (run may
 * hold partial results then).  Warnings (truncation, damage) go to
 * stderr unless quiet. */
int rp_judge(const struct rp_judge_opts *o, struct res_run *run, char *err,
	size_t errlen) WUR;

/* The recorded server, as reply overrides: step names of
 * fake-mx/smtp.h ("banner", "EHLO", "MAIL", ..., "DOT") and the reply
 * text (lines joined by "\n"), first occurrence of each step; and the
 * client's plaintext commands in order (up to and including STARTTLS). */
struct rp_script {
	char **steps, **texts;
	size_t n;
	char **cmds;            /* commands; "." stands for a message */
	char **replies;         /* the reply each got ("" if none), joined by "\n" */
	size_t ncmds;
	char *banner;
};

int rp_script_load(const char *capture, struct rp_script *sc, char *err,
	size_t errlen) WUR;
void rp_script_free(struct rp_script *sc);

/* results.json, tlsrpt/, junit.xml, report.tap, report.html in out. */
int rp_write_outputs(const struct res_run *run, const char *out) WUR;

int rp_as_server(const char *capture, const char *scenario, const char *out,
	uint64_t seed, const char *sender);
int rp_as_client(const char *capture, const char *scenario, uint64_t seed);

#endif
