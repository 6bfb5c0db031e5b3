/*
 * snd_int: the reference sender's internals, shared by its .c files only
 * (snd_sender.c: the API; snd_smtp.c: MX iteration and connections;
 * snd_session.c: the SMTP dialogue, STARTTLS and certificate checks;
 * snd_dane.c: DANE, RFC 7672; snd_sts.c: MTA-STS, RFC 8461, with
 * snd_sts_cache.c and snd_http.c; snd_tlsrpt.c: TLSRPT, RFC 8460;
 * snd_reqtls.c: REQUIRETLS, RFC 8689).
 * Nothing outside senders/builtin/ includes this.
 */
#ifndef MXSIM_SND_INT_H
#define MXSIM_SND_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/tlsa.h"
#include "core/util.h"
#include "fake-mx/smtp.h"
#include "senders/builtin/sender.h"
#include "senders/builtin/snd_dns.h"
#include "senders/builtin/snd_http.h"
#include "senders/builtin/snd_sts.h"

/* What outlives one sender (sender.h). */
struct snd_state {
	struct snd_sts_cache *cache;
	struct snd_rpt *rpt;
};

/* What the TLS policy in force requires of a connection. */
enum snd_tls_req {
	TLS_MAY,       /* STARTTLS when offered, plaintext otherwise */
	TLS_ENCRYPT,   /* STARTTLS required */
	TLS_IMPLICIT,  /* TLS from the first byte (submissions on 465) */
};

struct sender {
	struct loop *l;
	struct snd_config cfg;   /* strings point to the copies below */
	char *src_ip, *resolver_ip, *local_tls, *submit_host, *submit_tls, *helo;
	char *auth_user, *auth_pass, *auth_mech;
	char *relay;             /* smart host domain (cfg.relay) or NULL */
	struct snd_dns *dns;
	struct job *jobs;
	bool submit;             /* submission client, not a relay */
	enum snd_tls_req req;
	bool verify;             /* check the certificate (chain and name) */
	bool dane_required;      /* local_tls "dane": only DANE hosts (strict) */
	uint16_t port;           /* port of every connection */
	struct snd_state *state; /* cfg.state or own_state */
	struct snd_state *own_state;
	struct snd_http *http;   /* policy fetches and reports */
	struct rpt_run *reporting; /* snd_report() in progress (snd_tlsrpt.c) */
	bool internal_send;      /* snd_send_opt from inside: a report mail */
};

enum job_state {
	J_RESOLVE,   /* waiting for DNS */
	J_CONNECT,
	J_TLS,       /* handshake in progress (STARTTLS or implicit) */
	J_BANNER,
	J_EHLO,
	J_HELO,
	J_STARTTLS,
	J_AUTH,      /* AUTH and its SASL responses (snd_session.c) */
	J_MAIL,
	J_RCPT,
	J_DATA,
	J_DOT,
	J_QUIT,
	J_DONE,
};

struct host {
	char *name;          /* MX host, implicit MX, submission host or IP */
	uint16_t pref;
	bool tls_failed;     /* a TLS handshake with it failed (pass 2) */
	/* DANE (snd_dane.c), decided after its address lookup */
	bool dane;           /* a secure TLSA RRset applies: TLS is mandatory */
	char *dane_base;     /* the TLSA base domain: SNI, first reference id */
	struct tlsa_rr *tlsa;
	size_t ntlsa;
	/* MTA-STS (snd_sts.c), decided at its first connection */
	bool sts_gated;
	bool sts;            /* an enforce or testing policy applies */
	bool sts_enforce;    /* ... enforce: TLS and a valid certificate */
};

struct job {
	struct sender *s;
	struct job *next;
	char *from, *rcpt, *domain;
	char *body;              /* dot-stuffed, CRLF, with the final ".\r\n" */
	snd_done_cb *done;
	void *arg;

	struct host *hosts;
	size_t nhosts, ihost;
	bool implicit_mx;
	char **addrs;            /* addresses of hosts[ihost] */
	size_t naddrs, iaddr;
	int pass;                /* 1: the plaintext pass after TLS failures */
	bool mx_secure;          /* the MX answer was DNSSEC-validated (AD) */
	char *tlsa_base[2];      /* TLSA base domains to try for hosts[ihost] */
	size_t ntlsa_base, itlsa_base;

	enum job_state st;
	uint64_t dnsq;           /* query in flight */
	uint64_t timer;          /* the current wait */
	uint64_t done_timer;
	struct conn *c;
	struct smtp_reply rep;
	char peer[320];          /* "host[addr]:port" for logs */

	/* per connection */
	bool tls_on;
	bool tls_verified;
	bool starttls_sent;      /* never twice */
	bool helo;               /* fell back to HELO */
	bool plain_only;         /* no STARTTLS on this connection */
	bool opp_retry;          /* OPPORTUNISTIC: reconnect in plaintext next */
	bool opp_plain;          /* ... and this connection is that retry */
	bool quit_final;         /* after QUIT: finish, not next server */
	bool authed;             /* AUTH succeeded on this connection */
	bool auth_login;         /* AUTH LOGIN (else PLAIN) */
	int auth_step;           /* SASL responses sent so far */

	/* MTA-STS (snd_sts.c) */
	struct snd_sts_pol *sts; /* the policy in force (a reference), or NULL */
	uint64_t httpq;          /* policy fetch in flight */
	char sts_txt_id[STS_ID_MAX + 1];
	bool sts_nomatch;        /* an MX host was left out by the policy */
	bool sts_rechecked;      /* the re-check before giving up was made */
	bool sts_recheck;        /* ... and is in progress */
	struct snd_sts_pol *sts_before; /* ... the policy the hosts failed
	                          * under (a reference) */
	/* REQUIRETLS (snd_reqtls.c) and TLS-Required: No */
	bool requiretls;
	bool tls_optional;
	bool reqtls_missing;     /* an MX did not offer REQUIRETLS after TLS */
	bool reqtls_unvalidated; /* an MX could not be authenticated */
	bool no_report;          /* a TLSRPT report itself: not counted */

	bool soft;               /* a transient failure happened */
	bool any_tls_failed;
	enum snd_result result;
	char why[512];
};

/* snd_smtp.c */
void snd_job_start(struct job *j);
void snd_job_finish(struct job *j, enum snd_result res);
void snd_job_fail(struct job *j, bool quit, const char *fmt, ...)
	PRINTF(3, 4);
void snd_job_log(struct job *j, const char *fmt, ...) PRINTF(2, 3);
void snd_job_unlink(struct sender *s, struct job *j);
void snd_job_free(struct job *j);
void snd_send_cmd(struct job *j, enum job_state st, const char *fmt, ...)
	PRINTF(3, 4);
void snd_quit(struct job *j, bool final);
void snd_quit_done(struct job *j);
void snd_arm(struct job *j, uint64_t ms);
const char *snd_next_what(const struct job *j);

void snd_job_connect(struct job *j);    /* addresses known: connect */
void snd_job_skip_host(struct job *j);  /* go on with the next host */

/* snd_dane.c */
/* The address answer a of hosts[ihost] is in j->addrs: decide whether
 * DANE applies (TLSA lookup), then connect or skip the host. */
void snd_dane_addrs(struct job *j, const struct snd_dns_answer *a);
/* The SNI name under DANE (the TLSA base domain), or NULL. */
const char *snd_dane_sni(const struct job *j);
/* After the handshake with a DANE host: NULL when the certificate is
 * acceptable, else a reason with the detail in det. */
const char *snd_dane_check(struct job *j, char *det, size_t detlen);
void snd_dane_host_clear(struct host *h);
void snd_dane_job_clear(struct job *j);

/* snd_smtp.c, for snd_sts.c */
void snd_job_hosts_ready(struct job *j);   /* MX set and policy known */
/* Every host failed: the pass in plaintext, the re-check of the MTA-STS
 * policy, else the final result. */
void snd_job_exhausted(struct job *j);
/* Forget what the hosts' attempts decided and walk the list again. */
void snd_job_retry_hosts(struct job *j);

/* snd_sts.c */
/* After the MX lookup: discover and fetch the policy, then
 * snd_job_hosts_ready(). */
void snd_sts_begin(struct job *j);
/* Before the first connection to hosts[ihost] (DANE decided): false when
 * the policy in force excludes the host (the reason is logged). */
bool snd_sts_host_ok(struct job *j);
/* Every MX failed: under an enforce policy, look for a new one before
 * giving up (RFC 8461 5.1), once per job.  true: the re-check is under
 * way and ends in snd_job_retry_hosts() or snd_job_exhausted(). */
bool snd_sts_recheck(struct job *j);
void snd_sts_job_clear(struct job *j);

/* snd_tlsrpt.c */
/* One session's outcome for TLSRPT, under the policy of hosts[ihost]
 * (result_type NULL: success). */
void snd_rpt_session(struct job *j, const char *result_type,
	const char *reason);
/* A policy-level failure (sts-policy-fetch-error, ...) for the job's
 * domain. */
void snd_rpt_policy_failure(struct job *j, const char *type,
	const char *result_type, const char *reason);
/* hosts[ihost] could not be tried for want of its TLSA policy:
 * "dnssec-invalid" (the lookup failed) or "dane-required" (none, and the
 * local policy requires DANE); a tlsa entry for the host. */
void snd_rpt_host_failure(struct job *j, const char *result_type);
void snd_rpt_run_free(struct rpt_run *r);

/* snd_reqtls.c */
/* Before the first connection: false when REQUIRETLS rules out the host. */
bool snd_reqtls_host_ok(struct job *j);
/* After the post-TLS EHLO: false when the MX lacks REQUIRETLS (the job
 * has been failed over to the next host). */
bool snd_reqtls_ehlo_ok(struct job *j);
/* The result when every host failed: bounce with 5.7.30 / 5.7.10. */
bool snd_reqtls_exhausted(struct job *j);
/* Look for "TLS-Required: No" in the header section. */
bool snd_reqtls_header_no(const char *body);

/* snd_session.c */
void snd_on_reply(struct job *j);
void snd_tls_start(struct job *j);  /* failures are handled inside */
void snd_tls_ok(struct job *j);
void snd_tls_failed(struct job *j, const char *why);
/* RFC 8460 result type of the certificate check category. */
const char *snd_cert_result_type(const char *category);
/* snd_ocsp.c: ask for stapled OCSP responses on ctx; check the staple of
 * the job's TLS session: "certificate revoked" (detail in det) or NULL
 * (no staple, or one that says nothing against the certificate). */
void snd_ocsp_request(SSL_CTX *ctx);
const char *snd_ocsp_check(struct job *j, char *det, size_t detlen);
const char *snd_step_name(enum job_state st);

#endif
