/*
 * snd_dns: the reference sender's asynchronous stub resolver.
 *
 * It asks one recursive resolver (the world's resolver face) and follows
 * nothing itself: CNAME chains are taken from the answer section as the
 * resolver gave them.  Queries go over UDP from the sender's source
 * address with EDNS0 (payload size 1232; DO and AD set, so a validating
 * resolver reports authenticated data with AD), are retried once after 5 s
 * of virtual time, and are repeated over TCP when the answer comes back
 * truncated.
 *
 * With a trust anchor (snd_dns_set_anchor) the stub validates DNSSEC
 * itself (snd_dnssec.c): the resolver's AD bit is ignored, AD in the
 * answer then means "validated by the sender", and data the validation
 * finds bogus (signatures missing or wrong in a zone the chain of trust
 * says is signed, as when an attacker strips them between the resolver
 * and the sender) comes back as SERVFAIL, why saying what failed.  The
 * extra DS and DNSKEY queries go to the same resolver.  Without an
 * anchor the stub trusts the resolver's AD, as RFC 7672 2.1.1 allows
 * over a trusted channel.
 *
 * Every query ends with exactly one callback, unless it is cancelled or
 * the resolver is freed first.  The answer passed to the callback is owned
 * by snd_dns and valid only during the callback.  The callback may cancel
 * other queries, start new ones and free the resolver.
 */
#ifndef MXSIM_SND_DNS_H
#define MXSIM_SND_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"

/* Transport failures, reported in place of a DNS rcode (rcodes are >= 0). */
#define SND_DNS_TIMEOUT  (-1)   /* no usable answer after every try */
#define SND_DNS_NETERR   (-2)   /* socket, connect or TCP failure */

#define SND_DNS_TRY_MS   5000   /* virtual ms per try */
#define SND_DNS_TRIES    2
#define SND_DNS_UDP_SIZE 1232

/* Record types the sender asks for (the DNS numbers). */
#define SND_DNS_A     1
#define SND_DNS_CNAME 5
#define SND_DNS_MX    15
#define SND_DNS_TXT   16
#define SND_DNS_AAAA  28
#define SND_DNS_DS    43
#define SND_DNS_TLSA  52
#define SND_DNS_DNSKEY 48

/* rcodes, as on the wire */
#define SND_DNS_NOERROR  0
#define SND_DNS_SERVFAIL 2
#define SND_DNS_NXDOMAIN 3

struct snd_dns_mx {
	uint16_t pref;
	char *host;          /* lower case, no trailing dot; "" for the root */
};

struct snd_dns_answer {
	int rcode;           /* DNS rcode, or SND_DNS_TIMEOUT / SND_DNS_NETERR */
	bool ad;             /* authenticated data: validated by the stub
	                      * (with an anchor), else the resolver's AD */
	bool tcp;            /* the answer came over TCP */
	const char *qname;   /* as asked */
	uint16_t qtype;
	const char *cname;   /* the end of the CNAME chain, or NULL if none */
	/* Records of the type asked for, owned by qname or by the chain of
	 * CNAMEs that starts there: A/AAAA give addresses, TXT the
	 * concatenated strings, other types the presentation rdata. */
	char **rdata;
	size_t nrdata;
	struct snd_dns_mx *mx;   /* MX answers, in answer order */
	size_t nmx;
	const char *why;     /* short text for logs: "NOERROR", "timeout", ... */
};

struct snd_dns;

typedef void snd_dns_cb(const struct snd_dns_answer *a, void *arg);

/* src_ip may be NULL (any).  Returns NULL when an address does not parse. */
struct snd_dns *snd_dns_new(struct loop *l, const char *src_ip,
	const char *server_ip, uint16_t server_port);
/* Validate locally from now on, with the DS/DNSKEY records of "." in
 * anchor (zone-file lines).  Returns 0, or -1 with err filled. */
int snd_dns_set_anchor(struct snd_dns *d, const char *anchor, char *err,
	size_t errlen) __attribute__((warn_unused_result));
/* Cancels every query in flight, without callbacks.  NULL is a no-op. */
void snd_dns_free(struct snd_dns *d);

/* Start a query.  Returns its id (never 0), or 0 when the name is not a
 * valid domain name; the callback is never called synchronously. */
uint64_t snd_dns_query(struct snd_dns *d, const char *name, uint16_t qtype,
	snd_dns_cb *cb, void *arg) __attribute__((warn_unused_result));
/* Cancel a query by id; unknown or finished ids are a no-op. */
void snd_dns_cancel(struct snd_dns *d, uint64_t id);
/* Queries in flight (tests). */
size_t snd_dns_pending(const struct snd_dns *d);

/* "NOERROR", "SERVFAIL", "NXDOMAIN", "timeout", ... */
const char *snd_dns_rcode_name(int rcode);

#endif
