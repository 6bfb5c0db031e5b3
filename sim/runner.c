/*
 * runner: one scenario against one sender.  See runner.h.
 */
#include "sim/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sandbox.h"
#include "core/capture.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "core/util.h"
#include "senders/builtin/sender.h"
#include "senders/builtin/snd_msg.h"
#include "senders/ext/ext.h"
#include "sim/runner_int.h"
#include "sim/tlsrpt_recv.h"
#include "sim/verdict.h"
#include "sim/world.h"

#define SETTLE_MS 60000   /* virtual time for connections to wind down */

struct delivery {
	bool done;
	enum snd_result res;
	char why[512];
};

int
runner_check_sender(const char *name, char *err, size_t errlen)
{
	enum snd_mode mode;

	if (strcmp(name, "builtin") == 0 || strcmp(name, "builtin:trust-ad") == 0)
		return 0;
	if (strncmp(name, "builtin:", 8) == 0) {
		if (snd_mode_parse(name + 8, &mode) == 0)
			return 0;
		snprintf(err, errlen, "unknown mode of the reference sender: \"%s\" "
		    "(builtin, builtin:opportunistic, builtin:no-verify, "
		    "builtin:trust-ad)", name);
		return -1;
	}
	/* a real sender: a profile in senders/profiles (senders/ext) */
	return ext_check(name, err, errlen);
}

static void
delivery_done(enum snd_result res, const char *why, void *arg)
{
	struct delivery *d = arg;

	d->done = true;
	d->res = res;
	snprintf(d->why, sizeof(d->why), "%s", why ? why : "");
}

static void
report_done(unsigned accepted, void *arg)
{
	struct delivery *d = arg;

	d->done = true;
	snprintf(d->why, sizeof(d->why), "%u report(s) accepted", accepted);
}

static bool
delivery_finished(void *arg)
{
	return ((struct delivery *)arg)->done;
}

static bool
world_quiet(void *arg)
{
	return world_busy(arg) == 0;
}

struct drain {
	struct loop *l;
};

static bool
loop_empty(void *arg)
{
	struct drain *d = arg;
	return loop_nfds(d->l) == 0 && loop_ntimers(d->l) == 0;
}

char *
runner_make_body(const struct scenario *scn, unsigned phase, unsigned msg, time_t now)
{
	char date[64];
	struct tm tm;
	/* RFC 8689 4.2.2: one header field, never two (CONFORMANCE L133) */
	bool no = phase >= 1 && phase <= scn->nphases &&
	    scn->phases[phase - 1].world.message.tls_required_no;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return xasprintf("From: <sender@mxsim.test>\n"
	    "To: <user@%s>\n"
	    "Subject: mxsim %s, phase %u, message %u\n"
	    "Date: %s\n"
	    "Message-ID: <%u.%u.%s@mxsim.test>\n"
	    "%s"
	    "\n"
	    "mxsim test message %u of phase %u of scenario %s.\n"
	    "Whoever reads this text without TLS has broken the sender's promise.\n"
	    ".leading dot to exercise dot-stuffing\n",
	    scn->domain, scn->id, phase, msg, date, phase, msg, scn->id,
	    no ? "TLS-Required: No\n" : "", msg, phase, scn->id);
}

void
runner_mark_interrupted(struct res_scenario *rs)
{
	free(rs->verdict);
	rs->verdict = xstrdup("error");
	free(rs->reason);
	rs->reason = xasprintf("interrupted by %s before the scenario finished",
	    loop_stop_signal_name());
}

void
runner_load_error(const char *id, const char *path, const char *err,
    const char *sender, struct res_scenario *rs)
{
	rec_set(&rs->id, id);
	rec_set(&rs->path, path);
	rec_set(&rs->title, "(scenario failed to load)");
	rec_set(&rs->sender, sender);
	rec_set(&rs->verdict, "error");
	rec_set(&rs->reason, err);
}

void
runner_fill_header(const struct scenario *scn, const struct run_opts *o, struct res_scenario *rs)
{
	rec_set(&rs->id, scn->id);
	rec_set(&rs->path, scn->path);
	rec_set(&rs->title, scn->title);
	for (size_t i = 0; i < scn->nrefs; i++)
		res_strv_push(&rs->refs, &rs->nrefs, scn->refs[i]);
	rec_set(&rs->domain, scn->domain);
	rec_set(&rs->sender, o->sender);
	rs->clock = scn->clock;
}

/* The trust anchor the reference sender validates DNSSEC with, or NULL:
 * builtin:trust-ad trusts the AD bit of its resolver instead (RFC 7672
 * 2.1.1 allows it over a trusted channel; the last mile here is not),
 * builtin:opportunistic ignores DNSSEC as it ignores DANE, and an
 * unsigned world has no anchor.  Free it. */
static char *
sender_anchor(const struct world *w, const struct run_opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (strcmp(o->sender, "builtin:trust-ad") == 0 ||
	    strcmp(o->sender, "builtin:opportunistic") == 0)
		return NULL;
	f = open_memstream(&text, &len);
	if (f == NULL)
		fatal("open_memstream: out of memory");
	if (world_print_anchor(w, false, f) < 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

static struct sender *
make_sender(struct loop *l, SSL_CTX *ctx, const struct run_opts *o,
    const struct scn_world *w, struct snd_state *st, const char *anchor)
{
	struct snd_config cfg;
	enum snd_mode mode = SND_STRICT;

	if (strncmp(o->sender, "builtin:", 8) == 0 &&
	    strcmp(o->sender, "builtin:trust-ad") != 0 &&
	    snd_mode_parse(o->sender + 8, &mode) < 0)
		return NULL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = mode;
	cfg.dns_anchor = anchor;
	cfg.src_ip = WORLD_SENDER_ADDR;
	cfg.resolver_ip = WORLD_DNS_ADDR;
	cfg.resolver_port = 53;
	cfg.local_tls = w->sender_tls;
	if (w->submit != NULL) {
		cfg.submit_host = w->submit->host;
		cfg.submit_port = (uint16_t)w->submit->port;
		cfg.submit_tls = w->submit->tls;
		if (w->submit->auth_user[0] != '\0') {   /* RFC 4954 AUTH */
			cfg.auth_user = w->submit->auth_user;
			cfg.auth_pass = w->submit->auth_pass;
			cfg.auth_mech = w->submit->auth_mech[0] != '\0' ?
			    w->submit->auth_mech : NULL;
		}
	}
	cfg.tls = ctx;
	cfg.helo = "sender.mxsim.test";
	cfg.state = st;   /* MTA-STS cache and TLSRPT results: whole scenario */
	cfg.relay = w->relay[0] != '\0' ? w->relay : NULL;   /* smart host */
	return snd_new(l, &cfg);
}

void
runner_dane_note(struct dane_log *dl, const struct world *w, unsigned phase,
    bool required)
{
	for (size_t i = 0; i < world_dane_count(w); i++) {
		size_t n;
		const char *const *rrs = world_dane_rrs(w, i, &n);
		char **copy = xcalloc(n + 1, sizeof(*copy));
		for (size_t k = 0; k < n; k++)
			copy[k] = xstrdup(rrs[k]);
		dl->v = xrealloc(dl->v, (dl->n + 1) * sizeof(*dl->v));
		dl->v[dl->n++] = (struct verdict_dane){ phase,
			xstrdup(world_dane_host(w, i)), (const char *const *)copy, n,
			world_dane_state(w, i), required };
	}
}

void
runner_dane_log_free(struct dane_log *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		for (size_t k = 0; k < dl->v[i].nrrs; k++)
			free((char *)dl->v[i].rrs[k]);
		free((char **)dl->v[i].rrs);
		free((char *)dl->v[i].host);
	}
	free(dl->v);
}

/* Run one phase; returns -1 when its world could not be built. */
static int
run_phase(const struct scenario *scn, const struct run_opts *o, size_t pi,
    struct loop *l, struct pki *pki, struct rec *rec, SSL_CTX *ctx,
    struct dane_log *dl, struct snd_state *st, struct res_scenario *rs)
{
	const struct scn_phase *sp = &scn->phases[pi];
	struct res_phase *ph = &rs->phases[pi];
	char err[1024];
	struct world *w;
	struct sender *snd;
	char *anchor;

	ph->index = (unsigned)pi + 1;
	loop_advance(l, sp->advance_s * 1000);
	w = world_new(l, pki, rec, scn, &sp->world, err, sizeof(err));
	if (w == NULL) {
		rec_set(&rs->reason, err);
		return -1;
	}
	runner_dane_note(dl, w, ph->index, sp->world.sender_tls != NULL &&
	    strcmp(sp->world.sender_tls, "dane") == 0);
	struct verdict_ctx vc = { scn->domain, dl->v, dl->n, scn };
	anchor = sender_anchor(w, o);
	snd = make_sender(l, ctx, o, &sp->world, st, anchor);
	if (snd == NULL) {
		free(anchor);
		world_free(w);
		rec_set(&rs->reason, "the reference sender rejected its configuration");
		return -1;
	}
	ph->nmsgs = (size_t)sp->deliver;
	ph->msgs = xcalloc(ph->nmsgs ? ph->nmsgs : 1, sizeof(*ph->msgs));
	for (unsigned m = 1; m <= (unsigned)sp->deliver; m++) {
		struct delivery d = { 0 };
		char rcpt[300], *body;
		struct res_message *rm = &ph->msgs[m - 1];

		rec_set_message(rec, ph->index, m);
		if (sp->world.message.rcpt[0] != '\0')
			snprintf(rcpt, sizeof(rcpt), "%s", sp->world.message.rcpt);
		else
			snprintf(rcpt, sizeof(rcpt), "user@%s", scn->domain);
		body = runner_make_body(scn, ph->index, m, loop_wallclock(l));
		if (sp->world.message.smime) {
			/* end-to-end protected: the transport carries ciphertext */
			char serr[256], *enc = snd_msg_smime_for(pki, scn->domain,
			    body, serr, sizeof(serr));
			if (enc == NULL)
				fatal("%s: %s", scn->id, serr);
			free(body);
			body = enc;
		}
		struct snd_msg_opts mo = { .requiretls = sp->world.message.requiretls };
		if (snd_send_opt(snd, "sender@mxsim.test", rcpt, body, &mo,
		    delivery_done, &d) == 0)
			(void)loop_run_until(l, delivery_finished, &d,
			    loop_now(l) + scn->timeout_s * 1000);
		free(body);
		if (!d.done) {
			/* still trying at the deadline: cancel it (no callback
			 * may reach d later) and start the next message afresh */
			snd_free(snd);
			snd = make_sender(l, ctx, o, &sp->world, st, anchor);
		}
		(void)loop_run_until(l, world_quiet, w, loop_now(l) + SETTLE_MS);
		verdict_message_ctx(pki, rec, loop_wallclock(l), ph->index, m, &vc, rm);
		char *why = xasprintf("%s; the sender said: %s%s%s", rm->reason,
		    d.done ? snd_result_name(d.res) : "nothing (still trying at the deadline)",
		    d.done && d.why[0] ? ", " : "", d.done ? d.why : "");
		rec_set(&rm->reason, why);
		free(why);
	}
	if (pi + 1 == scn->nphases) {
		/* the report period ends with the scenario: the sender sends
		 * its TLSRPT reports while the world still stands */
		struct delivery rd = { 0 };
		rec_set_message(rec, ph->index, 0);   /* not a message's session */
		if (snd_report(snd, report_done, &rd) == 0)
			(void)loop_run_until(l, delivery_finished, &rd,
			    loop_now(l) + scn->timeout_s * 1000);
		(void)loop_run_until(l, world_quiet, w, loop_now(l) + SETTLE_MS);
		tlsrpt_recv_collect(w, rs);
	}
	snd_free(snd);
	free(anchor);
	world_free(w);
	struct drain dr = { l };
	(void)loop_run_until(l, loop_empty, &dr, loop_now(l) + SETTLE_MS);
	verdict_phase_ctx(pki, rec, loop_wallclock(l), &sp->expect, &vc, ph);
	return 0;
}

int
runner_run(const struct scenario *scn, const struct run_opts *o, struct res_scenario *rs)
{
	struct timespec t0, t1;
	struct pki *pki;
	struct loop *l;
	struct rec *rec;
	SSL_CTX *ctx;
	struct dane_log dl = { NULL, 0 };
	struct snd_state *st;
	int rc = 0;

	if (!runner_is_builtin(o->sender))
		return runner_ext_run(scn, o, rs);
	st = snd_state_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	runner_fill_header(scn, o, rs);
	pki = pki_new(o->seed, scn->clock);
	pki_rand_reset(o->seed, scn->id);
	/* report mail is DKIM-signed with the key the world publishes */
	snd_state_set_dkim(st, pki_named_key(pki, SND_DKIM_KEY_ID, "ed25519"));
	l = loop_new(LOOP_SKIP, scn->clock);
	rec = rec_new(l);
	if (o->capture != NULL)
		capture_begin_slot(o->capture, l, rec, scn->id, o->slot);
	ctx = pki_client_ctx(pki);
	rs->rec = rec;
	rs->nphases = scn->nphases;
	rs->phases = xcalloc(scn->nphases, sizeof(*rs->phases));
	for (size_t i = 0; i < scn->nphases; i++) {
		if (run_phase(scn, o, i, l, pki, rec, ctx, &dl, st, rs) < 0) {
			rec_set(&rs->verdict, "error");
			rc = -1;
			break;
		}
		if (scn->lua != NULL && sandbox_error(scn->lua) != NULL) {
			/* a hook of the scenario failed: the scenario did */
			char *why = xasprintf("phase %zu: %s", i + 1, sandbox_error(scn->lua));
			rec_set(&rs->verdict, "error");
			rec_set(&rs->reason, why);
			free(why);
			rc = -1;
			break;
		}
	}
	if (rc == 0) {
		rec_set(&rs->verdict, "pass");
		for (size_t i = 0; i < rs->nphases; i++) {
			if (strcmp(rs->phases[i].verdict, "pass") != 0) {
				char *why = xasprintf("phase %zu: %s", i + 1, rs->phases[i].reason);
				rec_set(&rs->verdict, rs->phases[i].verdict);
				rec_set(&rs->reason, why);
				free(why);
				break;
			}
		}
		struct verdict_ctx vc = { scn->domain, dl.v, dl.n, scn };
		verdict_tlsrpt_ctx(pki, rec, loop_wallclock(l), &vc, WORLD_SENDER_ADDR, rs);
		tlsrpt_recv_compare(rs);
		tlsrpt_recv_judge(&scn->phases[scn->nphases - 1].expect, rs);
	}
	rs->virtual_ms = loop_now(l);
	if (o->capture != NULL)
		capture_end(o->capture);
	SSL_CTX_free(ctx);
	runner_dane_log_free(&dl);
	snd_state_free(st);
	loop_free(l);
	pki_free(pki);
	pki_rand_restore();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rs->real_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return rc;
}
