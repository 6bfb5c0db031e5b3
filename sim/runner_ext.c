/*
 * runner_ext: one scenario against a real sender (senders/ext).
 *
 * Same shape as runner_run() for the reference sender, with these
 * differences: the loop is LOOP_REAL (the sender lives in real time, the
 * virtual clock follows it); one sender instance (struct ext) lives for
 * the whole scenario, so its queue, caches and retry databases carry over
 * between phases and never to the next scenario; a phase whose needs the
 * profile does not claim is "unsupported" (and so are the phases after
 * it, which build on it); the sender's own log lines about each message
 * are attached to it as evidence.  The verdict comes from the wire only.
 *
 * The sender's work folder is OUT/senders/<scenario id, '/' -> '_'>: its
 * configuration, commands.log and logs stay there; its state folder
 * (spool, queue) is removed at the end of the scenario.
 */
#include "sim/runner_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/capture.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/pki_rand.h"
#include "core/proc.h"
#include "core/record.h"
#include "core/util.h"
#include "senders/ext/ext.h"
#include "sim/tlsrpt_recv.h"

#define SETTLE_REAL_MS 3000   /* connections winding down after a message */

struct ext_delivery {
	bool done;
	enum ext_result res;
	char why[1200];
};

static void
ext_delivery_done(enum ext_result res, const char *why, void *arg)
{
	struct ext_delivery *d = arg;

	d->done = true;
	d->res = res;
	snprintf(d->why, sizeof(d->why), "%s", why ? why : "");
}

static bool
ext_delivery_finished(void *arg)
{
	return ((struct ext_delivery *)arg)->done;
}

static bool
quiet(void *arg)
{
	return world_busy(arg) == 0;
}

struct ext_drain {
	struct loop *l;
	struct ext *e;
};

static bool
drained(void *arg)
{
	struct ext_drain *d = arg;
	return loop_nfds(d->l) <= ext_loop_fds(d->e) &&
	    loop_ntimers(d->l) <= ext_loop_timers(d->e);
}

static void
ext_world_of(const struct scenario *scn, const struct scn_world *sw, int phase,
    struct ext_world *w)
{
	memset(w, 0, sizeof(*w));
	w->domain = scn->domain;
	w->nmx = sw->nmx;
	for (size_t i = 0; i < sw->nmx; i++)
		if (w->mx1 == NULL || sw->mx[i].pref < sw->mx[0].pref)
			w->mx1 = sw->mx[i].host;
	if (sw->submit != NULL) {
		w->submit_host = sw->submit->host;
		w->submit_port = sw->submit->port;
		w->submit_tls = sw->submit->tls;
		if (sw->submit->auth_user[0] != '\0') {
			w->submit_user = sw->submit->auth_user;
			w->submit_pass = sw->submit->auth_pass;
			w->submit_mech = sw->submit->auth_mech[0] ? sw->submit->auth_mech : NULL;
		}
	}
	w->sender_tls = sw->sender_tls;
	w->dane = sw->ntlsa > 0 || (sw->sender_tls != NULL &&
	    strcmp(sw->sender_tls, "dane") == 0);
	w->mta_sts = sw->sts != NULL;
	w->requiretls = sw->message.requiretls;
	w->smime = sw->message.smime;
	w->phase = phase;
}

static void
mark_unsupported(const struct scenario *scn, size_t from, const char *why,
    struct res_scenario *rs)
{
	for (size_t i = from; i < scn->nphases; i++) {
		struct res_phase *ph = &rs->phases[i];
		const struct scn_expect *e = &scn->phases[i].expect;
		ph->index = (unsigned)i + 1;
		for (size_t k = 0; k < e->ndelivery; k++)
			res_strv_push(&ph->expect, &ph->nexpect, e->delivery[k]);
		for (size_t k = 0; k < e->ntlsrpt; k++)
			res_strv_push(&ph->expect_tlsrpt, &ph->nexpect_tlsrpt, e->tlsrpt[k]);
		rec_set(&ph->verdict, "unsupported");
		rec_set(&ph->reason, i == from ? why : "an earlier phase is unsupported");
	}
}

/* A sender killed at its deadline or by a signal (a crash) decided
 * nothing: its message cannot be judged and the phase is an error whose
 * reason says so.  SIGPIPE is no crash: a command-line sender that does
 * not ignore it (swaks) dies of it when it writes to a connection the MX
 * or the attacker closed, its way of failing the submission, which is
 * judged.  NULL when the sender finished the message. */
static char *
sender_broke(const struct ext_delivery *d, int status, unsigned m)
{
	if (d->done && d->res == EXT_TIMEOUT)
		return xasprintf("message %u: the sender did not finish it before "
		    "the profile's timeout and was killed", m);
	if (status > 128 && status <= 128 + 64 && status != 128 + SIGPIPE)
		return xasprintf("message %u: the sender crashed: its submit "
		    "command was killed by signal %d (%s)", m, status - 128,
		    strsignal(status - 128));
	return NULL;
}

/* One message: submit, wait for the sender and for the wire to settle,
 * judge.  Returns why the sender broke (sender_broke()), or NULL. */
static char *
run_message(const struct scenario *scn, struct loop *l, struct pki *pki,
    struct rec *rec, struct world *w, struct ext *e, const struct verdict_ctx *vc,
    unsigned phase, unsigned m, struct res_message *rm)
{
	struct ext_delivery d = { 0 };
	char rcpt[300], msgid[400], err[1024];
	char *body;

	rec_set_message(rec, phase, m);
	snprintf(rcpt, sizeof(rcpt), "user@%s", scn->domain);
	snprintf(msgid, sizeof(msgid), "%u.%u.%s@mxsim.test", phase, m, scn->id);
	body = runner_make_body(scn, phase, m, loop_wallclock(l));
	if (ext_send(e, "sender@mxsim.test", rcpt, msgid, body, ext_delivery_done, &d,
	    err, sizeof(err)) == 0)
		(void)loop_run_until(l, ext_delivery_finished, &d, UINT64_MAX);
	else
		snprintf(d.why, sizeof(d.why), "could not submit: %s", err);
	free(body);
	uint64_t t_quiet = loop_now(l);
	(void)loop_run_until(l, quiet, w, loop_now(l) + SETTLE_REAL_MS);
	log_debug("runner", "message %u.%u: the world was quiet after %llu ms", phase, m,
	    (unsigned long long)(loop_now(l) - t_quiet));
	verdict_message_ctx(pki, rec, loop_wallclock(l), phase, m, vc, rm);
	char *why = xasprintf("%s; the sender said: %s%s%s", rm->reason,
	    d.done ? ext_result_name(d.res) : "nothing",
	    d.why[0] ? ", " : "", d.why);
	rec_set(&rm->reason, why);
	free(why);
	rm->sender_log = ext_take_evidence(e, &rm->nsender_log);
	return sender_broke(&d, d.done ? ext_submit_status(e) : -1, m);
}

static int
run_phase(const struct scenario *scn, size_t pi, struct loop *l, struct pki *pki,
    struct rec *rec, struct ext *e, struct dane_log *dl, struct res_scenario *rs)
{
	const struct scn_phase *sp = &scn->phases[pi];
	struct res_phase *ph = &rs->phases[pi];
	struct ext_world ew;
	char err[1024];
	struct world *w;

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
	ext_world_of(scn, &sp->world, (int)ph->index, &ew);
	if (ext_phase(e, &ew, err, sizeof(err)) < 0) {
		world_free(w);
		rec_set(&rs->reason, err);
		return -1;
	}
	ph->nmsgs = (size_t)sp->deliver;
	ph->msgs = xcalloc(ph->nmsgs ? ph->nmsgs : 1, sizeof(*ph->msgs));
	char *broke = NULL;
	for (unsigned m = 1; m <= (unsigned)sp->deliver; m++) {
		char *b = run_message(scn, l, pki, rec, w, e, &vc, ph->index, m,
		    &ph->msgs[m - 1]);
		if (broke == NULL)
			broke = b;
		else
			free(b);
	}
	/* TLSRPT reports a real sender posted or mailed to the world's
	 * receivers are read back and compared, as for the reference sender
	 * (most real MTAs leave reporting to a separate tool and send none) */
	if (pi + 1 == scn->nphases)
		tlsrpt_recv_collect(w, rs);
	world_free(w);
	struct ext_drain dr = { l, e };
	uint64_t t_drain = loop_now(l);
	(void)loop_run_until(l, drained, &dr, loop_now(l) + SETTLE_REAL_MS);
	log_debug("runner", "phase %u drained in %llu ms (%u fds, %u timers left)", ph->index,
	    (unsigned long long)(loop_now(l) - t_drain), loop_nfds(l), loop_ntimers(l));
	verdict_phase_ctx(pki, rec, loop_wallclock(l), &sp->expect, &vc, ph);
	if (broke != NULL) {
		rec_set(&ph->verdict, "error");
		rec_set(&ph->reason, broke);
		free(broke);
	}
	return 0;
}

static char *
work_folder(const struct run_opts *o, const char *id)
{
	char *w = xasprintf("%s/senders/%s", o->out ? o->out : "mxsim-out", id);
	size_t skip = strlen(w) - strlen(id);

	for (char *s = w + skip; *s; s++)
		if (*s == '/' || *s == ' ')
			*s = '_';
	return w;
}

static void
aggregate(struct res_scenario *rs)
{
	rec_set(&rs->verdict, "pass");
	for (size_t i = 0; i < rs->nphases; i++) {
		const char *v = rs->phases[i].verdict;
		if (v != NULL && strcmp(v, "pass") != 0) {
			char *why = xasprintf("phase %zu: %s", i + 1, rs->phases[i].reason);
			rec_set(&rs->verdict, v);
			rec_set(&rs->reason, why);
			free(why);
			break;
		}
	}
}

int
runner_ext_run(const struct scenario *scn, const struct run_opts *o,
    struct res_scenario *rs)
{
	struct timespec t0, t1;
	struct dane_log dl = { NULL, 0 };
	char err[1024];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	runner_fill_header(scn, o, rs);
	(void)proc_subreaper();   /* daemons that double-fork stay ours */
	struct pki *pki = pki_new(o->seed, scn->clock);
	pki_rand_reset(o->seed, scn->id);
	struct loop *l = loop_new(LOOP_REAL, scn->clock);
	struct rec *rec = rec_new(l);
	if (o->capture != NULL)
		capture_begin_slot(o->capture, l, rec, scn->id, o->slot);
	rs->rec = rec;
	rs->nphases = scn->nphases;
	rs->phases = xcalloc(scn->nphases, sizeof(*rs->phases));
	char *work = work_folder(o, scn->id);
	struct ext_config cfg = { o->sender, work, pki_root_pem(pki),
		WORLD_SENDER_ADDR, WORLD_DNS_ADDR, o->faketime };
	struct ext *e = ext_new(l, &cfg, err, sizeof(err));
	if (e == NULL) {
		rec_set(&rs->verdict, "error");
		rec_set(&rs->reason, err);
		rc = -1;
	}
	for (size_t i = 0; e != NULL && i < scn->nphases; i++) {
		struct ext_world ew;
		ext_world_of(scn, &scn->phases[i].world, (int)i + 1, &ew);
		const char *why = ext_unsupported(e, &ew);
		const struct scn_world *sw = &scn->phases[i].world;
		if (why == NULL && (sw->relay[0] != '\0' || sw->message.rcpt[0] != '\0'))
			why = "the scenario sets the reference sender's relay or the "
			    "recipient address (relay, message.rcpt): no profile "
			    "configures them yet";
		if (why != NULL) {
			mark_unsupported(scn, i, why, rs);
			break;
		}
		if (run_phase(scn, i, l, pki, rec, e, &dl, rs) < 0) {
			rec_set(&rs->verdict, "error");
			rc = -1;
			break;
		}
	}
	ext_stop(e);
	struct ext_times et = { 0 };
	if (e != NULL)
		ext_times(e, &et);
	double sender_ms = et.setup + et.phase + et.msgs + et.stop;
	ext_free(e);
	if (rc == 0) {
		aggregate(rs);
		struct verdict_ctx vc = { scn->domain, dl.v, dl.n, scn };
		verdict_tlsrpt_ctx(pki, rec, loop_wallclock(l), &vc, WORLD_SENDER_ADDR, rs);
	}
	rs->virtual_ms = loop_now(l);
	if (o->capture != NULL)
		capture_end(o->capture);
	runner_dane_log_free(&dl);
	free(work);
	loop_free(l);
	pki_free(pki);
	pki_rand_restore();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rs->real_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	log_info("runner", "%s with %s: %.0f ms real, of which the sender's own "
	    "commands %.0f ms (start %.0f, phases %.0f, messages %.0f, stop %.0f)",
	    scn->id, o->sender, rs->real_ms, sender_ms, et.setup, et.phase, et.msgs,
	    et.stop);
	return rc;
}
