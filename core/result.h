/*
 * result: the results model.  What a run found, independent of how it is
 * written (reports/ turns it into JSON, JUnit, TLSRPT, text).  Plain data,
 * owned by the run: res_run_free() frees everything, sessions included.
 */
#ifndef MXSIM_RESULT_H
#define MXSIM_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/record.h"

/* Verdict of one message: what was observed, from the wire. */
struct res_message {
	unsigned phase;         /* 1-based */
	unsigned index;         /* 1-based within the phase */
	char *delivery;         /* "verified" | "tls" | "plaintext" | "refused" */
	char *reason;           /* one sentence: why this delivery value */
	char *mx_host;          /* where the data went, NULL if refused */
	char *data_to;          /* "mx" | "attacker" | NULL */
	bool leak;              /* the attacker saw content of this message */
	char *content;          /* with a leak: "protected" (what it saw was
	                         * S/MIME-encrypted, CMS enveloped-data) or
	                         * "exposed"; NULL without a leak */
	bool cred_leak;         /* the attacker read the submission
	                         * credentials (AUTH) of this message's
	                         * sessions */
	unsigned *sessions;     /* ids of the sessions of this message */
	size_t nsessions;
	char **sender_log;      /* a real sender's own log lines about this
	                         * message (evidence, not the verdict) */
	size_t nsender_log;
};

struct res_phase {
	unsigned index;         /* 1-based */
	char **expect;          /* acceptable deliveries */
	size_t nexpect;
	char **expect_tlsrpt;   /* result-types the report must carry */
	size_t nexpect_tlsrpt;
	char *verdict;          /* "pass" | "fail" | "unsupported" */
	char *reason;
	struct res_message *msgs;
	size_t nmsgs;
};

/* One failure-details entry of an RFC 8460 report. */
struct res_failure {
	char *result_type;
	char *sending_ip;
	char *receiving_mx;
	char *receiving_ip;
	char *reason_code;      /* failure-reason-code, may be NULL */
	unsigned count;
};

/* One policy entry of an RFC 8460 report. */
struct res_policy {
	char *type;             /* "sts" | "tlsa" | "no-policy-found" */
	char *domain;
	char **strings;         /* policy-string */
	size_t nstrings;
	char **mx_patterns;     /* mx-host */
	size_t nmx_patterns;
	unsigned success;
	unsigned failure;
	struct res_failure *failures;
	size_t nfailures;
};

struct res_scenario {
	char *id;               /* path below the library root, without .lua */
	char *path;
	char *title;
	char **refs;
	size_t nrefs;
	char *domain;
	char *sender;           /* e.g. "builtin", "builtin:opportunistic" */
	char *verdict;          /* "pass" | "fail" | "unsupported" | "error" */
	char *reason;           /* first failing phase's reason, or load error */
	time_t clock;           /* scenario clock at start (report date range) */
	struct res_phase *phases;
	size_t nphases;
	struct res_policy *policies;
	size_t npolicies;
	char **tlsrpt_received; /* TLSRPT reports the sender sent to the
	                         * world's receiver, as received (JSON) */
	size_t ntlsrpt_received;
	char **tlsrpt_via;      /* for each: "URI content-type" */
	size_t ntlsrpt_via;
	char **tlsrpt_findings; /* where they disagree with what mxsim saw */
	size_t ntlsrpt_findings;
	struct rec *rec;        /* sessions; may be NULL (load error) */
	double real_ms;         /* real time spent (not written to results.json) */
	uint64_t virtual_ms;    /* virtual time spent */
};

struct res_run {
	uint64_t seed;
	char *sender;
	struct res_scenario **scenarios;
	size_t nscenarios;
	unsigned npass, nfail, nunsupported, nerror;
};

struct res_run *res_run_new(uint64_t seed, const char *sender);
struct res_scenario *res_run_add(struct res_run *run);  /* zeroed, owned by run */
void res_run_count(struct res_run *run);                /* fill npass etc. */
void res_run_free(struct res_run *run);
void res_scenario_free(struct res_scenario *s);          /* frees contents only */
/* 0 when every scenario passed (or is unsupported), 1 otherwise; 2 on errors */
int res_run_exit_code(const struct res_run *run);

/* small helpers for building the model */
void res_strv_push(char ***v, size_t *n, const char *s);
void res_strv_free(char **v, size_t n);

#endif
