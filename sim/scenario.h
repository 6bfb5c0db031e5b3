/*
 * scenario: loading and validating scenario files (DESIGN.md "Scenarios").
 *
 * A scenario is Lua run in the sandbox that returns a table.  The loader
 * checks it against the schema (unknown keys, wrong types, missing fields,
 * bad values are errors naming file and line) and turns it into plain C
 * data: one struct scn_world per phase, fully resolved (each phase's `set`
 * applied on top of the previous phase's world).
 *
 * Schema (keys beyond DESIGN.md's are marked +):
 *   title     string, required
 *   refs      list of strings, required (may be empty)
 *   domain    string, required (recipient domain)
 *   clock   + "YYYY-MM-DDTHH:MM:SSZ" scenario clock, default 2026-06-01T00:00:00Z
 *   dnssec    "insecure" (default) | "secure" | "bogus" | "bogus:KIND": the
 *             state of the domain's zone and its MX hosts' zones (KIND:
 *             signature, wrong-key, expired, not-yet-valid, ds-mismatch,
 *             missing-rrsig; see fake-dns/dns.h)
 *   mx        list, required unless submit: { host = string (required),
 *             pref = int (default 10*i), cert = variant string or table,
 *             addr + = "127.x.y.z" (default assigned),
 *             replies + = { [step] = "NNN text" | false (drop) },
 *             ehlo + = { "PIPELINING", ... } capability list override }
 *             steps: banner, EHLO, HELO, STARTTLS, MAIL, RCPT, DATA, DOT,
 *             RSET, NOOP, QUIT
 *   cert table: { variant = string (default "valid"), san = {..}, cn = s,
 *             no_san = bool, not_before = clock string, not_after = clock
 *             string, key = "ec"|"rsa", issuer = "root"|"untrusted"|"self" }
 *   dns     + list of extra RRs in zone-file syntax ("www.example.test. 300 IN A 127.0.0.80")
 *   tlsa      { ["mx1.example.test"] = { "3 1 1 auto", "2 0 1 ca",
 *             "3 1 1 <hex>", ... } }: the TLSA RRset published at
 *             _25._tcp.<host> for each MX host.  "auto" is computed from
 *             the host's certificate, "ca" from the certificate that
 *             issued it (the host's own for a self-signed one); any
 *             usage, selector and matching type parse (unusable ones are
 *             test data), see core/tlsa.h
 *   mta_sts   accepted shape, but rejected until its issue lands
 *   tlsrpt    { rua = string or list }
 *   sender_tls + "may" (default) | "encrypt" | "secure" | "dane": the
 *             sender's local policy for the domain (RFC 3207 6,
 *             CONFORMANCE A8; "dane": DANE required, RFC 7672 6, H86)
 *   submit    { host = string, port = 587|465|25, tls = "implicit" |
 *             "starttls" | "optional" }
 *   attack    list of { [1] = name, host = string, port = int (0 = any),
 *             mode = string, code = int, text = string, cert = cert,
 *             relay = bool (default true), step = string, set/add/remove
 *             = lists of strings, nth = int >= 1, after_verified = bool }
 *             names (attacker/mitm.h has what each does):
 *             strip_starttls; starttls_error (mode "reply"|"close"|
 *             "drop", code 200-599 default 454, text); swap_cert (cert,
 *             relay); block (mode "refuse"|"reset"|"blackhole");
 *             starttls_inject (mode "reply"|"command", text = lines
 *             separated by \n, code 400-599 in reply mode);
 *             ehlo_reject (code 500-599 default 502, text); reply (step
 *             banner|EHLO|HELO|STARTTLS|MAIL|RCPT|DATA|DOT|RSET|NOOP|
 *             QUIT|AUTH, code 200-599 default 421, text); caps (mode
 *             "tls" (needs a swap_cert on the host)|"plain"|"any", set,
 *             add, remove); handshake_fail (mode "alert"|"reset"|
 *             "garbage"|"close"|"hang", text = the garbage).  Every
 *             attack takes nth and after_verified.
 *   messages  int >= 1 (default 1), or phases
 *   phases    list of { advance = seconds | "30s"/"2h"/"3d", set = { key = value },
 *             deliver = int (default 1), expect = expect }
 *   expect    { delivery = string or list, tlsrpt = list of result-types,
 *             leak = bool }
 *   timeout + seconds the sender has per phase (virtual), default 3600
 */
#ifndef MXSIM_SCENARIO_H
#define MXSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct scn_cert {
	char *variant;        /* "valid" ... or "custom" when a table gave fields */
	char **san;           /* NULL-terminated or NULL */
	char *cn;
	bool no_san;
	time_t not_before;    /* 0 = default */
	time_t not_after;
	char *key;            /* NULL = ec */
	char *issuer;         /* NULL = root */
};

struct scn_reply {
	char *step;           /* "banner", "EHLO", "STARTTLS", ... upper case */
	char *text;           /* full reply line(s) "454 4.7.0 ..."; NULL = drop connection */
};

struct scn_mx {
	char *host;
	int pref;
	char *addr;           /* public address, assigned if not given */
	struct scn_cert cert;
	struct scn_reply *replies;
	size_t nreplies;
	char **ehlo;          /* capability override, NULL-terminated, or NULL */
	int line;
};

struct scn_attack {
	char *name;
	char *host;
	int port;             /* 0 = every port */
	char *mode;           /* NULL = the attack's default */
	int code;             /* 0 = default */
	char *text;
	struct scn_cert cert; /* swap_cert; variant NULL = "attacker" */
	bool relay;
	char *step;           /* reply: "banner", "EHLO", ... "DOT" */
	char **set;           /* caps: new list, NULL-terminated; NULL = keep */
	char **add;           /* caps: capabilities to append, or NULL */
	char **remove;        /* caps: keywords to remove, or NULL */
	int nth;              /* only the nth connection on its ports; 0 = all */
	bool after_verified;  /* only after a delivery over TLS on the path */
	int line;
};

struct scn_tlsa {
	char *host;           /* MX host, lower case: the TLSA base domain */
	char **rrs;           /* specs as written, NULL-terminated */
	size_t nrrs;
};

struct scn_submit {
	char *host;
	int port;
	char *tls;            /* "implicit" | "starttls" | "optional" */
};

struct scn_world {
	char *dnssec;
	struct scn_mx *mx;
	size_t nmx;
	char **dns;           /* extra RRs */
	size_t ndns;
	struct scn_attack *attacks;
	size_t nattacks;
	struct scn_submit *submit; /* NULL: relay as an MTA */
	char *sender_tls;     /* "may" | "encrypt" | "secure" | "dane" */
	char **tlsrpt_rua;
	size_t ntlsrpt_rua;
	struct scn_tlsa *tlsa;     /* sorted by host */
	size_t ntlsa;
};

struct scn_expect {
	char **delivery;
	size_t ndelivery;
	char **tlsrpt;
	size_t ntlsrpt;
	int leak;             /* -1 unspecified, 0 no leak allowed, 1 leak expected */
};

struct scn_phase {
	uint64_t advance_s;
	int deliver;
	struct scn_world world;
	struct scn_expect expect;
	int line;
};

struct scenario {
	char *id;             /* e.g. "starttls/strip-secure" */
	char *path;
	char *title;
	char **refs;
	size_t nrefs;
	char *domain;
	time_t clock;
	uint64_t timeout_s;
	struct scn_phase *phases;
	size_t nphases;
};

/* Load and validate.  Returns 0, or -1 with "path:line: message" in err. */
int scenario_load(const char *path, const char *id, struct scenario **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
/* Same, from a string (tests, fuzzing); name stands for the path. */
int scenario_load_string(const char *name, const char *src, size_t len,
	struct scenario **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Same, with the sandbox's memory cap (bytes) and instruction budget
 * instead of the defaults (0 keeps a default): the fuzz target uses
 * small ones so that loops and memory bombs end quickly. */
int scenario_load_string_limits(const char *name, const char *src,
	size_t len, size_t mem, uint64_t insns, struct scenario **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
void scenario_free(struct scenario *s);

/* Parse "30s", "2h", "3d", "90" into seconds.  -1 on bad input. */
int64_t scenario_parse_duration(const char *s);
/* Parse "YYYY-MM-DDTHH:MM:SSZ".  -1 on bad input. */
int64_t scenario_parse_time(const char *s);

/* Find scenario files under each path (a .lua file or a folder, recursed,
 * sorted).  Fills ids relative to the folder given.  Returns count or -1. */
int scenario_find(char *const *paths, size_t npaths, char ***files,
	char ***ids, char *err, size_t errlen);

#endif
