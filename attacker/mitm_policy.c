/*
 * mitm_policy: the path to the MTA-STS policy host and the tamper_policy
 * attack.  See mitm_policy.h.
 *
 * Ownership: the path owns its listener, its sessions (two conns each:
 * the sender's and the leg it opened) and, when an attack serves a
 * policy, the attacker's own web server (fake-https, the same server the
 * real host runs) with the body it serves.  A session is freed when both
 * of its conns are done, at the end of the callback that ended the last
 * one; conns are closed, never freed, inside their callbacks.
 *
 * The relay is a byte pipe: whatever one side reads is written to the
 * other; an end of file is passed on as a FIN once the output is flushed
 * (conn_close), an error or reset as a RST.  The attacker's legs go
 * through the loop's wiretap like every conn, so the capture has them.
 */
#include "attacker/mitm_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/util.h"
#include "fake-https/https.h"
#include "fake-https/sts.h"

struct psess {
	struct mitm_policy *m;
	struct psess *next;
	struct conn *cli;
	struct conn *up;
	bool cli_done, up_done;
	unsigned n;               /* connection number, from 1 */
};

struct mitm_policy {
	struct loop *l;
	char *host, *listen_addr, *up_addr, *src_addr, *evil_addr, *mode;
	uint16_t port;
	unsigned nth;
	uint64_t timeout_ms;
	int lfd;
	char *served;             /* what the attacker's server serves */
	struct https_srv *evil;
	struct psess *sessions;
	unsigned nsessions, nconn, nattacked;
	struct rec *rec;
	const struct pki_cert *cert;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* ---- the downgrade ---- */

char *
mitm_policy_downgrade(const char *body, const char *mode)
{
	struct buf b;
	const char *p = body;

	buf_init(&b);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		size_t content = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		if (content >= 5 && strncmp(p, "mode:", 5) == 0) {
			buf_append(&b, "mode: ", 6);
			buf_append(&b, mode, strlen(mode));
			buf_append(&b, p + content, n - content);   /* the CR */
		} else
			buf_append(&b, p, n);
		if (nl != NULL)
			buf_append(&b, "\n", 1);
		p += n + (nl != NULL);
	}
	buf_append(&b, "", 1);
	return (char *)b.data;
}

/* ---- sessions ---- */

static void
sess_maybe_free(struct psess *ps)
{
	struct mitm_policy *m = ps->m;
	struct psess **pp;

	if (!ps->cli_done || !ps->up_done)
		return;
	for (pp = &m->sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	m->nsessions--;
	free(ps);
}

/* Pass what `from` read to `to`. */
static void
pipe_data(struct conn *from, struct conn *to)
{
	size_t len;
	const uint8_t *p = conn_peek(from, &len);

	if (len == 0)
		return;
	if (to != NULL)
		conn_write(to, p, len);
	conn_consume(from, len);
}

/* One side ended (ev); end the other accordingly. */
static void
side_ended(struct psess *ps, bool cli_side, enum conn_ev ev)
{
	struct conn **self = cli_side ? &ps->cli : &ps->up;
	struct conn **other = cli_side ? &ps->up : &ps->cli;
	bool *self_done = cli_side ? &ps->cli_done : &ps->up_done;
	bool *other_done = cli_side ? &ps->up_done : &ps->cli_done;

	if (ev == CONN_EOF)
		conn_close(*self);
	else
		conn_reset(*self);
	*self = NULL;
	*self_done = true;
	if (*other != NULL) {
		if (ev == CONN_EOF)
			conn_close(*other);   /* flushes what is pending, then FIN */
		else
			conn_reset(*other);
		*other = NULL;
		*other_done = true;
	}
	sess_maybe_free(ps);
}

static void
leg_cb(struct conn *c, enum conn_ev ev, void *arg, bool cli_side)
{
	struct psess *ps = arg;

	switch (ev) {
	case CONN_DATA:
		pipe_data(c, cli_side ? ps->up : ps->cli);
		break;
	case CONN_CONNECTED:
	case CONN_DRAINED:
	case CONN_TLS_OK:
	case CONN_TLS_FAILED:
		break;
	case CONN_ERROR:
		if (!cli_side)
			log_info(ps->m->host, "policy path: connection %u: upstream: %s",
			    ps->n, conn_errstr(c));
		side_ended(ps, cli_side, ev);
		break;
	case CONN_TIMEOUT:
	case CONN_EOF:
		side_ended(ps, cli_side, ev);
		break;
	}
}

static void
cli_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	leg_cb(c, ev, arg, true);
}

static void
up_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	leg_cb(c, ev, arg, false);
}

static bool
attacks(const struct mitm_policy *m, unsigned n)
{
	return m->mode != NULL && (m->nth == 0 || m->nth == n);
}

/* Evidence of the attack on connection n for the recorder (and through
 * it the capture's notes). */
static void
note_attack(struct mitm_policy *m, unsigned n)
{
	struct rec_session *s;

	if (m->rec == NULL)
		return;
	s = rec_session_new(m->rec, m->host, m->listen_addr, m->port);
	s->dns = true;   /* evidence, not an SMTP session of the sender */
	rec_set(&s->attack, "tamper_policy");
	rec_line(m->rec, s, '>', "policy fetch: connection %u to %s:%u (https://"
	    "%s" STS_POLICY_PATH ")", n, m->listen_addr, m->port, m->host);
	if (strcmp(m->mode, "block") == 0) {
		rec_line(m->rec, s, '!', "attacker (tamper_policy block): the "
		    "connection is reset: the policy fetch fails");
		rec_set(&s->end, "reset");
		return;
	}
	if (strcmp(m->mode, "replace") == 0)
		rec_line(m->rec, s, '!', "attacker (tamper_policy replace): the "
		    "attacker's server (%s) answers with a policy of its own, "
		    "certificate %s", m->evil_addr, m->cert ?
		    pki_cert_label(m->cert) : "?");
	else if (strcmp(m->mode, "cert") == 0)
		rec_line(m->rec, s, '!', "attacker (tamper_policy cert): the "
		    "attacker's server (%s) serves the genuine policy with "
		    "certificate %s", m->evil_addr, m->cert ?
		    pki_cert_label(m->cert) : "?");
	else
		rec_line(m->rec, s, '!', "attacker (tamper_policy %s): the "
		    "attacker's server (%s) serves the genuine policy downgraded "
		    "to mode: %s, certificate %s", m->mode, m->evil_addr, m->mode,
		    m->cert ? pki_cert_label(m->cert) : "?");
	rec_set(&s->end, "redirected");
}

static void
on_accept(struct mitm_policy *m, int fd)
{
	struct psess *ps;
	const char *to;
	bool act;

	m->nconn++;
	act = attacks(m, m->nconn);
	if (act) {
		m->nattacked++;
		note_attack(m, m->nconn);
	}
	if (act && strcmp(m->mode, "block") == 0) {
		struct conn *c = conn_new(m->l, fd, cli_cb, NULL);
		log_info(m->host, "attacker: tamper_policy: reset policy fetch "
		    "connection %u", m->nconn);
		conn_reset(c);
		return;
	}
	to = act ? m->evil_addr : m->up_addr;
	ps = xcalloc(1, sizeof(*ps));
	ps->m = m;
	ps->n = m->nconn;
	ps->next = m->sessions;
	m->sessions = ps;
	m->nsessions++;
	ps->cli = conn_new(m->l, fd, cli_cb, ps);
	conn_set_timeout(ps->cli, m->timeout_ms);
	if (act)
		log_info(m->host, "attacker: tamper_policy: connection %u goes to "
		    "the attacker's policy server (%s)", m->nconn, m->mode);
	if (to == NULL) {
		/* nothing listens behind the path: refuse as the host would */
		ps->up_done = true;
		side_ended(ps, true, CONN_ERROR);
		return;
	}
	ps->up = conn_connect(m->l, m->src_addr, to, m->port, up_cb, ps);
	if (ps->up == NULL) {
		ps->up_done = true;
		side_ended(ps, true, CONN_ERROR);
		return;
	}
	conn_set_timeout(ps->up, m->timeout_ms);
}

static void
accept_cb(int fd, uint32_t events, void *arg)
{
	struct mitm_policy *m = arg;

	(void)events;
	for (int k = 0; k < 64; k++) {
		int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn(m->host, "policy path: accept: %s",
				    strerror(errno));
			return;
		}
		on_accept(m, s);
	}
}

/* ---- the attacker's own policy server ---- */

static int
start_evil(struct mitm_policy *m, const struct mitm_policy_config *cfg,
    char *err, size_t errlen)
{
	char e[256];

	if (strcmp(m->mode, "replace") == 0)
		m->served = xstrdup(cfg->text != NULL ? cfg->text : "");
	else if (strcmp(m->mode, "none") == 0 || strcmp(m->mode, "testing") == 0)
		m->served = mitm_policy_downgrade(cfg->body ? cfg->body : "", m->mode);
	else
		m->served = xstrdup(cfg->body != NULL ? cfg->body : "");
	struct https_route rt = {
		.host = NULL, .path = STS_POLICY_PATH, .kind = HTTPS_GET,
		.resp = { .status = 200, .content_type = STS_CONTENT_TYPE,
			.body = m->served, .body_len = strlen(m->served) },
	};
	struct https_cert hc = { cfg->host, cfg->cert };
	struct https_srv_config sc = {
		.addr = m->evil_addr, .port_https = m->port, .cert = cfg->cert,
		.certs = &hc, .ncerts = 1, .routes = &rt, .nroutes = 1,
	};
	if (cfg->cert == NULL) {
		snprintf(err, errlen, "%s: tamper_policy needs a certificate",
		    m->host);
		return -1;
	}
	m->evil = https_srv_new(m->l, &sc, e, sizeof(e));
	if (m->evil == NULL) {
		snprintf(err, errlen, "%s: the attacker's policy server: %s",
		    m->host, e);
		return -1;
	}
	/* what it serves is drawn on the web lane of the ladder */
	if (m->rec != NULL)
		https_srv_set_rec(m->evil, m->rec, "attacker", "tamper_policy");
	return 0;
}

struct mitm_policy *
mitm_policy_new(struct loop *l, const struct mitm_policy_config *cfg,
    char *err, size_t errlen)
{
	struct mitm_policy *m = xcalloc(1, sizeof(*m));

	m->l = l;
	m->lfd = -1;
	m->host = xstrdup(cfg->host);
	m->listen_addr = xstrdup(cfg->listen_addr);
	m->up_addr = dup_or_null(cfg->upstream_addr);
	m->src_addr = dup_or_null(cfg->src_addr);
	m->evil_addr = dup_or_null(cfg->evil_addr);
	m->mode = dup_or_null(cfg->mode);
	m->port = cfg->port ? cfg->port : 443;
	m->nth = cfg->nth;
	m->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 600000;
	m->rec = cfg->rec;
	m->cert = cfg->cert;
	if (m->mode != NULL && strcmp(m->mode, "block") != 0) {
		if (m->evil_addr == NULL) {
			snprintf(err, errlen, "%s: tamper_policy needs the attacker's "
			    "address", m->host);
			mitm_policy_free(m);
			return NULL;
		}
		if (start_evil(m, cfg, err, errlen) < 0) {
			mitm_policy_free(m);
			return NULL;
		}
	}
	m->lfd = conn_listen(m->listen_addr, m->port);
	if (m->lfd < 0 || loop_add_fd(l, m->lfd, EPOLLIN, accept_cb, m) < 0) {
		snprintf(err, errlen, "%s: cannot listen on %s:%u: %s", m->host,
		    m->listen_addr, m->port, strerror(errno));
		mitm_policy_free(m);
		return NULL;
	}
	return m;
}

void
mitm_policy_free(struct mitm_policy *m)
{
	if (m == NULL)
		return;
	while (m->sessions != NULL) {
		struct psess *ps = m->sessions;
		if (ps->cli != NULL)
			conn_abort(ps->cli);
		if (ps->up != NULL)
			conn_abort(ps->up);
		m->sessions = ps->next;
		free(ps);
	}
	if (m->lfd >= 0) {
		loop_del_fd(m->l, m->lfd);
		close(m->lfd);
	}
	https_srv_free(m->evil);
	free(m->served);
	free(m->host);
	free(m->listen_addr);
	free(m->up_addr);
	free(m->src_addr);
	free(m->evil_addr);
	free(m->mode);
	free(m);
}

unsigned
mitm_policy_sessions(const struct mitm_policy *m)
{
	return m->nsessions + (m->evil != NULL ? https_srv_conns(m->evil) : 0);
}

unsigned
mitm_policy_attacked(const struct mitm_policy *m)
{
	return m->nattacked;
}
