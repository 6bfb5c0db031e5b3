/*
 * snd_smtp: the reference sender's delivery engine: MX iteration and the
 * connections it makes.  The dialogue on each connection (the reply
 * handlers, STARTTLS and the certificate check) is in snd_session.c; the
 * API and the TLS policy in snd_sender.c.  See sender.h for the contract.
 *
 * One struct job per snd_send().  A job walks its host list (the MX set
 * sorted by preference then name, the implicit MX, or the submission
 * host) and each host's addresses in answer order, one connection at a
 * time; every wait (connect, each reply, the TLS handshake, QUIT) has a
 * timer on the loop.
 *
 * Failures of one server (refused, reset, timeout, 4xx, 421, TLS trouble)
 * move on to the next address, then the next host; a 5xx to MAIL, RCPT or
 * DATA bounces the message; NXDOMAIN for the domain or a null MX bounces,
 * SERVFAIL or a DNS timeout defers.  Under local_tls "may" in strict mode,
 * hosts whose TLS handshake failed get one more pass in plaintext (RFC
 * 7672 2.2), except hosts where DANE applied; in opportunistic mode the
 * same address is retried in plaintext at once.  Between a host's
 * address lookup and its first connection, snd_dane.c may look up its
 * TLSA records.
 *
 * Lifetime: a finished job lingers until a zero-delay timer calls done, so
 * no caller up the stack ever touches freed memory, and done may free the
 * sender.  Conns are only ever closed (never freed) here.  Every decision
 * is logged with log_info("sender"), and the last one is done's `why`.
 */
#include "senders/builtin/sender.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "core/util.h"
#include "fake-mx/smtp.h"
#include "senders/builtin/snd_dns.h"
#include "senders/builtin/snd_int.h"

#define QUIT_WAIT_MS 10000   /* how long a QUIT reply is waited for */

/* --- jobs --- */

static void job_next_host(struct job *j);
static void job_next_addr(struct job *j);
static void job_connect(struct job *j);
static void conn_ev_cb(struct conn *c, enum conn_ev ev, void *arg);
static void snd_timeout_cb(void *arg);

void
snd_job_log(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->why, sizeof(j->why), fmt, ap);
	va_end(ap);
	log_info("sender", "%s", j->why);
}

static void
job_done_timer(void *arg)
{
	struct job *j = arg;
	struct sender *s = j->s;
	snd_done_cb *done = j->done;
	void *darg = j->arg;
	enum snd_result res = j->result;
	char why[sizeof(j->why)];

	j->done_timer = 0;
	memcpy(why, j->why, sizeof(why));
	snd_job_unlink(s, j);
	snd_job_free(j);
	done(res, why, darg);   /* may free the sender: nothing after this */
}

static void
job_stop_io(struct job *j, bool abort)
{
	struct loop *l = j->s->l;

	loop_timer_cancel(l, j->timer);
	j->timer = 0;
	snd_dns_cancel(j->s->dns, j->dnsq);
	j->dnsq = 0;
	snd_http_cancel(j->s->http, j->httpq);
	j->httpq = 0;
	if (j->c != NULL) {
		if (abort)
			conn_abort(j->c);
		else
			conn_close(j->c);
		j->c = NULL;
	}
	smtp_reply_clear(&j->rep);
}

/* The result is decided; done runs from the loop. */
void
snd_job_finish(struct job *j, enum snd_result res)
{
	if (j->st == J_DONE)
		return;
	job_stop_io(j, false);
	j->st = J_DONE;
	j->result = res;
	log_info("sender", "%s -> %s: %s", j->from, j->rcpt,
	    snd_result_name(res));
	j->done_timer = loop_timer_add(j->s->l, 0, job_done_timer, j);
}

void
snd_arm(struct job *j, uint64_t ms)
{
	struct loop *l = j->s->l;

	loop_timer_cancel(l, j->timer);
	j->timer = loop_timer_add(l, ms, snd_timeout_cb, j);
}

/* The end of the host list. */
void
snd_job_exhausted(struct job *j)
{
	struct sender *s = j->s;

	if (j->pass == 0 && j->any_tls_failed && s->req == TLS_MAY &&
	    s->cfg.mode != SND_OPPORTUNISTIC) {
		j->pass = 1;
		j->ihost = 0;
		log_info("sender", "%s: TLS handshakes failed; one more pass over "
		    "%s in plaintext, without STARTTLS (RFC 7672 2.2)", j->rcpt,
		    s->submit ? "the submission server" :
		    "the MX hosts where they failed");
		job_next_host(j);
		return;
	}
	char last[sizeof(j->why)];
	memcpy(last, j->why, sizeof(last));
	if (!s->submit && snd_sts_recheck(j))
		return;   /* a new policy may let the message go (RFC 8461 5.1) */
	if (snd_reqtls_exhausted(j))
		return;
	if (j->sts_nomatch && j->sts != NULL) {
		/* never a bounce for MTA-STS alone (RFC 8461 5.1) */
		snd_job_log(j, "%s: no MX host usable under the enforce MTA-STS "
		    "policy (%s); deferring", j->domain, last);
		snd_job_finish(j, SND_DEFERRED);
		return;
	}
	if (!j->soft && j->nhosts > 0 && !s->submit) {
		/* Only permanent failures (hosts with no address): RFC 5321
		 * 5.1 asks for an error report. */
		snd_job_log(j, "%s: no usable MX host (%s); bouncing", j->domain,
		    last);
		snd_job_finish(j, SND_BOUNCED);
		return;
	}
	snd_job_log(j, "%s: %s; deferring", s->submit ? "submission failed" :
	    "all MX hosts failed", last);
	snd_job_finish(j, SND_DEFERRED);
}

static bool
is_ip(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static void
addrs_clear(struct job *j)
{
	for (size_t i = 0; i < j->naddrs; i++)
		free(j->addrs[i]);
	free(j->addrs);
	j->addrs = NULL;
	j->naddrs = j->iaddr = 0;
}

static void
on_a(const struct snd_dns_answer *a, void *arg)
{
	struct job *j = arg;
	struct host *h = &j->hosts[j->ihost];

	j->dnsq = 0;
	if (a->rcode == SND_DNS_NOERROR && a->nrdata > 0) {
		addrs_clear(j);
		j->addrs = xcalloc(a->nrdata, sizeof(*j->addrs));
		for (size_t i = 0; i < a->nrdata; i++)
			j->addrs[j->naddrs++] = xstrdup(a->rdata[i]);
		snd_dane_addrs(j, a);   /* TLSA lookup or connect */
		return;
	}
	if (a->rcode == SND_DNS_NOERROR || a->rcode == SND_DNS_NXDOMAIN) {
		snd_job_log(j, "%s: no address (A lookup: %s)", h->name,
		    a->rcode == SND_DNS_NXDOMAIN ? "NXDOMAIN" : "no A record");
		if (j->implicit_mx) {
			snd_job_log(j, "%s: no MX and no address record; bouncing",
			    j->domain);
			snd_job_finish(j, SND_BOUNCED);
			return;
		}
	} else {
		j->soft = true;
		snd_job_log(j, "%s: A lookup failed: %s", h->name, a->why);
	}
	j->ihost++;
	job_next_host(j);
}

/* Start on hosts[ihost] (or the next one this pass wants). */
static void
job_next_host(struct job *j)
{
	if (j->st == J_DONE)
		return;
	while (j->ihost < j->nhosts && j->pass == 1 &&
	    (!j->hosts[j->ihost].tls_failed || j->hosts[j->ihost].dane ||
	    j->hosts[j->ihost].sts_enforce || j->requiretls))
		j->ihost++;   /* never plaintext where DANE or MTA-STS applied */
	if (j->ihost >= j->nhosts) {
		snd_job_exhausted(j);
		return;
	}
	struct host *h = &j->hosts[j->ihost];
	addrs_clear(j);
	if (is_ip(h->name)) {
		j->addrs = xcalloc(1, sizeof(*j->addrs));
		j->addrs[j->naddrs++] = xstrdup(h->name);
		job_connect(j);
		return;
	}
	j->st = J_RESOLVE;
	j->dnsq = snd_dns_query(j->s->dns, h->name, SND_DNS_A, on_a, j);
	if (j->dnsq == 0) {
		snd_job_log(j, "%s: not a valid host name", h->name);
		j->ihost++;
		job_next_host(j);
	}
}

static int
host_cmp(const void *a, const void *b)
{
	const struct host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
add_host(struct job *j, const char *name, uint16_t pref)
{
	j->hosts = xrealloc(j->hosts, (j->nhosts + 1) * sizeof(*j->hosts));
	j->hosts[j->nhosts++] = (struct host){ .name = xstrdup(name),
		.pref = pref };
}

static void
on_mx(const struct snd_dns_answer *a, void *arg)
{
	struct job *j = arg;

	j->dnsq = 0;
	j->mx_secure = a->ad;   /* DANE needs a validated MX RRset */
	if (a->rcode == SND_DNS_NXDOMAIN) {
		snd_job_log(j, "%s: MX lookup: NXDOMAIN (the domain does not exist); "
		    "bouncing", j->domain);
		snd_job_finish(j, SND_BOUNCED);
		return;
	}
	if (a->rcode != SND_DNS_NOERROR) {
		snd_job_log(j, "%s: MX lookup failed: %s; deferring", j->domain, a->why);
		snd_job_finish(j, SND_DEFERRED);
		return;
	}
	if (a->nmx == 1 && a->mx[0].host[0] == '\0') {
		snd_job_log(j, "%s: null MX (RFC 7505): the domain accepts no mail; "
		    "bouncing", j->domain);
		snd_job_finish(j, SND_BOUNCED);
		return;
	}
	for (size_t i = 0; i < a->nmx; i++) {
		if (a->mx[i].host[0] != '\0')
			add_host(j, a->mx[i].host, a->mx[i].pref);
	}
	if (j->nhosts == 0) {
		j->implicit_mx = true;
		add_host(j, j->domain, 0);
		log_info("sender", "%s: no MX records; implicit MX (RFC 5321 5.1)",
		    j->domain);
	} else {
		qsort(j->hosts, j->nhosts, sizeof(*j->hosts), host_cmp);
		for (size_t i = 0; i < j->nhosts; i++)
			log_info("sender", "%s: MX %u %s", j->domain,
			    j->hosts[i].pref, j->hosts[i].name);
	}
	snd_sts_begin(j);   /* then snd_job_hosts_ready() */
}

void
snd_job_hosts_ready(struct job *j)
{
	job_next_host(j);
}

void
snd_job_retry_hosts(struct job *j)
{
	for (size_t i = 0; i < j->nhosts; i++) {
		struct host *h = &j->hosts[i];
		snd_dane_host_clear(h);
		h->tls_failed = h->sts_gated = h->sts = h->sts_enforce = false;
	}
	j->ihost = 0;
	j->pass = 0;
	j->any_tls_failed = j->sts_nomatch = false;
	job_next_host(j);
}

/* Resolve and deliver. */
void
snd_job_start(struct job *j)
{
	struct sender *s = j->s;
	size_t n = strlen(j->domain);

	if (s->submit) {
		add_host(j, s->submit_host, 0);
		job_next_host(j);
		return;
	}
	if (n > 2 && j->domain[0] == '[' && j->domain[n - 1] == ']') {
		char *lit = xstrndup(j->domain + 1, n - 2);
		if (is_ip(lit)) {
			add_host(j, lit, 0);
			free(lit);
			job_next_host(j);
			return;
		}
		free(lit);
		snd_job_log(j, "%s: unsupported address literal; bouncing", j->domain);
		snd_job_finish(j, SND_BOUNCED);
		return;
	}
	j->st = J_RESOLVE;
	j->dnsq = snd_dns_query(s->dns, j->domain, SND_DNS_MX, on_mx, j);
	if (j->dnsq == 0) {
		snd_job_log(j, "%s: not a valid domain name; bouncing", j->domain);
		snd_job_finish(j, SND_BOUNCED);
	}
}

/* --- connections --- */

/* Connect to addrs[iaddr] of the current host, or move on. */
static void
job_connect(struct job *j)
{
	struct sender *s = j->s;
	struct host *h = &j->hosts[j->ihost];

	if (j->iaddr >= j->naddrs) {
		j->ihost++;
		job_next_host(j);
		return;
	}
	if (j->iaddr == 0 && (!snd_sts_host_ok(j) || !snd_reqtls_host_ok(j))) {
		j->ihost++;
		job_next_host(j);
		return;
	}
	const char *addr = j->addrs[j->iaddr];
	snprintf(j->peer, sizeof(j->peer), "%s[%s]:%u", h->name, addr, s->port);
	j->tls_on = false;
	j->starttls_sent = false;
	j->helo = false;
	j->authed = j->auth_login = false;
	j->auth_step = 0;
	j->plain_only = j->pass == 1 || j->opp_plain;
	smtp_reply_clear(&j->rep);
	j->c = conn_connect(s->l, s->cfg.src_ip, addr, s->port, conn_ev_cb, j);
	if (j->c == NULL) {
		j->soft = true;
		snd_job_log(j, "%s: cannot connect (bad address or no socket)", j->peer);
		job_next_addr(j);
		return;
	}
	log_info("sender", "%s: connecting from %s%s", j->peer,
	    s->cfg.src_ip ? s->cfg.src_ip : "any",
	    j->plain_only ? " (plaintext only)" : "");
	j->st = J_CONNECT;
	snd_arm(j, s->cfg.connect_timeout_ms);
}

void
snd_job_connect(struct job *j)
{
	job_connect(j);
}

void
snd_job_skip_host(struct job *j)
{
	j->ihost++;
	job_next_host(j);
}

static void
job_next_addr(struct job *j)
{
	if (j->st == J_DONE)
		return;
	if (j->c != NULL)
		job_stop_io(j, false);
	if (j->opp_retry) {
		/* OPPORTUNISTIC: same address again, in plaintext */
		j->opp_retry = false;
		j->opp_plain = true;
	} else {
		j->opp_plain = false;
		j->iaddr++;
	}
	job_connect(j);
}

/* This server failed: the reason is logged; QUIT first when the session
 * is still in a state to hear it. */
void
snd_job_fail(struct job *j, bool quit, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->why, sizeof(j->why), fmt, ap);
	va_end(ap);
	j->soft = true;
	if (quit && j->c != NULL) {
		log_info("sender", "%s; QUIT, %s", j->why, snd_next_what(j));
		snd_quit(j, false);
		return;
	}
	log_info("sender", "%s; %s", j->why, snd_next_what(j));
	job_stop_io(j, true);
	job_next_addr(j);
}

const char *
snd_next_what(const struct job *j)
{
	if (j->opp_retry)
		return "reconnecting in plaintext";
	if (j->iaddr + 1 < j->naddrs)
		return "trying the next address";
	if (j->s->submit)
		return "giving up";
	if (j->ihost + 1 >= j->nhosts)
		return "no MX left";
	return "trying next MX";
}

/* Send QUIT and wait (briefly) for its reply; then finish (when the
 * result is decided) or go on with the next server. */
void
snd_quit(struct job *j, bool final)
{
	uint64_t ms = j->s->cfg.cmd_timeout_ms < QUIT_WAIT_MS ?
	    j->s->cfg.cmd_timeout_ms : QUIT_WAIT_MS;

	j->quit_final = final;
	log_debug("sender", "%s: > QUIT", j->peer);
	conn_printf(j->c, "QUIT\r\n");
	j->st = J_QUIT;
	snd_arm(j, ms);
}

/* The QUIT exchange is over (reply, EOF, error or timeout). */
void
snd_quit_done(struct job *j)
{
	job_stop_io(j, false);
	if (j->quit_final)
		snd_job_finish(j, j->result);
	else
		job_next_addr(j);
}

void
snd_send_cmd(struct job *j, enum job_state st, const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_debug("sender", "%s: > %s", j->peer, line);
	conn_printf(j->c, "%s\r\n", line);
	j->st = st;
	snd_arm(j, j->s->cfg.cmd_timeout_ms);
}

static void
snd_timeout_cb(void *arg)
{
	struct job *j = arg;

	j->timer = 0;
	switch (j->st) {
	case J_CONNECT:
		snd_job_fail(j, false, "%s: connect timed out after %llu ms", j->peer,
		    (unsigned long long)j->s->cfg.connect_timeout_ms);
		break;
	case J_QUIT:
		snd_quit_done(j);
		break;
	case J_TLS:
		snd_tls_failed(j, "timed out");
		break;
	case J_BANNER:
		snd_job_fail(j, false, "%s: no greeting within %llu ms", j->peer,
		    (unsigned long long)j->s->cfg.cmd_timeout_ms);
		break;
	default:
		snd_job_fail(j, false, "%s: timeout waiting for the %s reply (%llu ms)",
		    j->peer, snd_step_name(j->st),
		    (unsigned long long)j->s->cfg.cmd_timeout_ms);
		break;
	}
}

static void
on_connected(struct job *j)
{
	struct sender *s = j->s;

	if (s->req == TLS_IMPLICIT) {
		snd_tls_start(j);   /* failures are handled inside */
		return;
	}
	j->st = J_BANNER;
	snd_arm(j, s->cfg.cmd_timeout_ms);
}

static void
on_lines(struct job *j, struct conn *c)
{
	char *line;
	size_t len;
	int r;

	while (j->c == c && j->st != J_DONE && j->st != J_TLS &&
	    (r = conn_getline(c, &line, &len)) != 0) {
		if (r < 0) {
			if (j->st == J_QUIT)
				snd_quit_done(j);
			else
				snd_job_fail(j, false, "%s: over-long reply line",
				    j->peer);
			return;
		}
		char safe[256];
		str_sanitize(safe, sizeof(safe), line, len);
		log_debug("sender", "%s: < %s", j->peer, safe);
		if (j->st == J_CONNECT || j->st == J_RESOLVE) {
			continue;
		}
		r = smtp_reply_feed(&j->rep, line, len);
		if (r < 0) {
			if (j->st == J_QUIT) {
				snd_quit_done(j);
				return;
			}
			snd_job_fail(j, false, "%s: malformed reply line \"%s\"", j->peer,
			    safe);
			return;
		}
		if (r == 1)
			snd_on_reply(j);
	}
}

static void
conn_ev_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct job *j = arg;

	if (j->c != c || j->st == J_DONE)
		return;
	switch (ev) {
	case CONN_CONNECTED:
		on_connected(j);
		break;
	case CONN_DATA:
		on_lines(j, c);
		break;
	case CONN_DRAINED:
		break;
	case CONN_TLS_OK:
		snd_tls_ok(j);
		break;
	case CONN_TLS_FAILED:
		snd_tls_failed(j, conn_tls_error(c));
		break;
	case CONN_TIMEOUT:
	case CONN_EOF:
	case CONN_ERROR:
		if (j->st == J_QUIT) {
			snd_quit_done(j);
		} else if (j->st == J_TLS || j->st == J_STARTTLS) {
			/* a connection lost right after STARTTLS counts as a
			 * TLS failure, as in Postfix ("lost connection after
			 * STARTTLS"): it qualifies for the plaintext retry
			 * where one is allowed */
			snd_tls_failed(j, ev == CONN_ERROR ? conn_errstr(c) :
			    j->st == J_TLS ? "connection closed during the TLS handshake" :
			    "connection closed after STARTTLS");
		} else if (j->st == J_CONNECT) {
			snd_job_fail(j, false, "%s: %s", j->peer, conn_errstr(c));
		} else {
			snd_job_fail(j, false, "%s: %s while waiting for the %s reply",
			    j->peer, ev == CONN_EOF ? "connection closed" :
			    conn_errstr(c), snd_step_name(j->st));
		}
		break;
	}
}

/* --- the sender --- */

void
snd_job_unlink(struct sender *s, struct job *j)
{
	for (struct job **pp = &s->jobs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			return;
		}
	}
}

void
snd_job_free(struct job *j)
{
	if (j == NULL)
		return;
	job_stop_io(j, true);
	loop_timer_cancel(j->s->l, j->done_timer);
	for (size_t i = 0; i < j->nhosts; i++) {
		free(j->hosts[i].name);
		snd_dane_host_clear(&j->hosts[i]);
	}
	free(j->hosts);
	snd_dane_job_clear(j);
	snd_sts_job_clear(j);
	addrs_clear(j);
	free(j->from);
	free(j->rcpt);
	free(j->domain);
	free(j->body);
	free(j);
}
