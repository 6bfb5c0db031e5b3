/*
 * snd_int: the reference sender's internals, shared by its .c files only
 * (snd_sender.c: the API; snd_smtp.c: MX iteration and connections;
 * snd_session.c: the SMTP dialogue, STARTTLS and certificate checks;
 * snd_dane.c: DANE, RFC 7672).
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
	struct snd_dns *dns;
	struct job *jobs;
	bool submit;             /* submission client, not a relay */
	enum snd_tls_req req;
	bool verify;             /* check the certificate (chain and name) */
	bool dane_required;      /* local_tls "dane": only DANE hosts (strict) */
	uint16_t port;           /* port of every connection */
};

enum job_state {
	J_RESOLVE,   /* waiting for DNS */
	J_CONNECT,
	J_TLS,       /* handshake in progress (STARTTLS or implicit) */
	J_BANNER,
	J_EHLO,
	J_HELO,
	J_STARTTLS,
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

/* snd_session.c */
void snd_on_reply(struct job *j);
void snd_tls_start(struct job *j);  /* failures are handled inside */
void snd_tls_ok(struct job *j);
void snd_tls_failed(struct job *j, const char *why);
const char *snd_step_name(enum job_state st);

#endif
