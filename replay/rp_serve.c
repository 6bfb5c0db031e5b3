/*
 * rp_serve: `mxsim replay --as-server` (and the script both it and
 * --as-client read from a capture).
 *
 * The recorded server becomes reply overrides of the scenario's MX hosts
 * (fake-mx's one mechanism for faults: "Faults are data"): its banner,
 * and its reply to each command of the recorded dialogue as an override
 * for that occurrence of that step (the 2nd EHLO, the 3rd RCPT: override
 * steps "EHLO#2", "RCPT#3" of fake-mx/smtp.h), plus the first reply of each verb for occurrences
 * past the recording.  Occurrences, not positions: a client that
 * pipelines, or sends a NOOP the recorded one did not, still gets the
 * recorded reply to its 3rd RCPT.  The scenario's world, attacker
 * included, is otherwise unchanged.  The reference sender (or --sender)
 * then delivers as in `mxsim run`; the dialogue the MX had with it
 * (what the MX heard and served, inside TLS too) is compared with the
 * recorded one turn by turn, and where its commands first depart
 * from the recording is said on stderr and in its session transcript
 * ("diverged at command N: client sent X, recording has Y").
 */
#include "replay/rp_int.h"
#include "replay/rp_dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/netns.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "sim/runner.h"
#include "sim/scenario.h"

/* The dialogue of a recorded session, and its flat arrays. */
static void
script_from(const struct rec_session *s, struct rp_script *sc)
{
	rp_dialog_init(&sc->d);
	rp_dialog_from_session(s, false, &sc->d);
	sc->banner = xstrdup(sc->d.banner ? sc->d.banner : "");
	for (size_t i = 0; i < sc->d.n; i++) {
		const struct rp_turn *t = &sc->d.t[i];
		res_strv_push(&sc->cmds, &sc->ncmds, t->cmd);
		sc->ncmds--;
		res_strv_push(&sc->replies, &sc->ncmds, t->reply ? t->reply : "");
	}
}

int
rp_script_load(const char *capture, const char *keylog, struct rp_script *sc,
    char *err, size_t errlen)
{
	struct rp_judge_opts o = { .capture = capture, .keylog = keylog, .quiet = true };
	struct res_run *run = res_run_new(0, "replay");
	const struct rec_session *first = NULL;

	memset(sc, 0, sizeof(*sc));
	if (rp_judge(&o, run, err, errlen) < 0) {
		res_run_free(run);
		return -1;
	}
	for (size_t k = 0; k < run->nscenarios && first == NULL; k++) {
		struct rec *r = run->scenarios[k]->rec;
		for (size_t i = 0; r != NULL && i < rec_count(r); i++) {
			const struct rec_session *s = rec_get(r, i);
			if (s->via == 0 && s->banner) {
				first = s;
				break;
			}
		}
	}
	if (first == NULL) {
		snprintf(err, errlen, "%s: no SMTP session with a server greeting", capture);
		res_run_free(run);
		return -1;
	}
	script_from(first, sc);
	res_run_free(run);
	return 0;
}

void
rp_script_free(struct rp_script *sc)
{
	rp_dialog_free(&sc->d);
	res_strv_free(sc->cmds, sc->ncmds);
	res_strv_free(sc->replies, sc->ncmds);
	free(sc->banner);
	memset(sc, 0, sizeof(*sc));
}

/* At most this many overrides from a recording (fake MX: 256 in all). */
#define RP_MAX_OVERRIDES 200

static bool
has_step(const struct scn_reply *v, size_t n, const char *step)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i].step, step) == 0)
			return true;
	return false;
}

/* The recorded replies as overrides: the banner; each turn's reply for
 * its occurrence (nth); the first reply of each step for every other
 * occurrence (not for "error": bad input keeps its own answers). */
static struct scn_reply *
script_replies(const struct rp_script *sc, size_t *np)
{
	struct scn_reply *v = xcalloc(2 * sc->d.n + 1, sizeof(*v));
	size_t n = 0, skipped = 0;

	v[n++] = (struct scn_reply){ xstrdup("banner"), xstrdup(sc->banner) };
	for (size_t i = 0; i < sc->d.n; i++) {
		const struct rp_turn *t = &sc->d.t[i];
		if (t->reply == NULL)
			continue;
		if (n + 2 > RP_MAX_OVERRIDES) {
			skipped++;
			continue;
		}
		if (strcmp(t->step, "error") != 0 && !has_step(v, n, t->step))
			v[n++] = (struct scn_reply){ xstrdup(t->step), xstrdup(t->reply) };
		v[n++] = (struct scn_reply){ xasprintf("%s#%u", t->step, t->nth),
		    xstrdup(t->reply) };
	}
	if (skipped > 0)
		fprintf(stderr, "mxsim: replay: %zu recorded replies past the first %d "
		    "are not served (the MX gets its own)\n", skipped, RP_MAX_OVERRIDES);
	*np = n;
	return v;
}

/* The script's replies first, then the scenario's own for other steps. */
static void
override_mx(struct scn_mx *m, const struct scn_reply *ov, size_t nov)
{
	struct scn_reply *v = xcalloc(nov + m->nreplies + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < nov; i++)
		v[n++] = (struct scn_reply){ xstrdup(ov[i].step), xstrdup(ov[i].text) };
	for (size_t i = 0; i < m->nreplies; i++) {
		if (has_step(ov, nov, m->replies[i].step)) {
			free(m->replies[i].step);
			free(m->replies[i].text);
		} else {
			v[n++] = m->replies[i];
		}
	}
	free(m->replies);
	m->replies = v;
	m->nreplies = n;
}

/* The sender's first session that the server greeted (not an attacker's
 * leg), or NULL. */
static struct rec_session *
live_session(const struct rec *r)
{
	for (size_t i = 0; r != NULL && i < rec_count(r); i++) {
		struct rec_session *s = rec_get(r, i);
		if (s->via == 0 && s->banner)
			return s;
	}
	return NULL;
}

/* The note goes into the transcript right after the command the MX heard
 * ('}') it is about (at the end when it heard no such command), with that line's
 * time.  The run's loop is gone: no recorder clock to ask. */
static void
note_divergence(struct rec_session *s, size_t cmdno, const char *msg)
{
	size_t at = s->nlines, seen = 0;

	for (size_t i = 0; i < s->nlines && at == s->nlines; i++)
		if (s->lines[i].dir == '}' && strncmp(s->lines[i].text, "[message", 8) != 0 &&
		    ++seen == cmdno)
			at = i + 1;
	size_t before = s->nlines;
	rec_line(NULL, s, '!', "replay: %s", msg);
	if (s->nlines != before + 1)
		return;   /* the transcript is full */
	struct rec_line ln = s->lines[before];
	if (at > 0) {
		ln.t_ms = s->lines[at - 1].t_ms;
		ln.seq = s->lines[at - 1].seq;
	}
	memmove(&s->lines[at + 1], &s->lines[at], (before - at) * sizeof(*s->lines));
	s->lines[at] = ln;
}

static const struct rp_turn *
turn_of(const struct rp_dialog *d, const char *step, unsigned nth)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->t[i].step, step) == 0 && d->t[i].nth == nth)
			return &d->t[i];
	return NULL;
}

/* One line per recorded reply: did the live client get it, for the same
 * occurrence of the same command?  Returns how many it got. */
static size_t
print_turns(const struct rp_script *sc, const struct rp_dialog *live)
{
	size_t same = 0;
	bool got = live->banner != NULL && strcmp(live->banner, sc->banner) == 0;
	char label[32];

	same += got;
	printf("%-11s %-11s %s\n", "banner", got ? "served" : "not reached", sc->banner);
	for (size_t i = 0; i < sc->d.n; i++) {
		const struct rp_turn *t = &sc->d.t[i];
		const struct rp_turn *l = turn_of(live, t->step, t->nth);
		const char *st = l == NULL || l->reply == NULL ? "not reached" :
		    t->reply != NULL && strcmp(l->reply, t->reply) == 0 ? "served" :
		    "differs";
		const char *rp = t->reply ? t->reply : "(no reply recorded)";
		const char *nl = strchr(rp, '\n');

		same += strcmp(st, "served") == 0;
		if (t->nth > 1)
			snprintf(label, sizeof(label), "%s#%u", t->step, t->nth);
		else
			snprintf(label, sizeof(label), "%s", t->step);
		printf("%-11s %-11s %.*s%s\n", label, st,
		    nl ? (int)(nl - rp) : (int)strlen(rp), rp, nl ? " (multi-line)" : "");
		if (strcmp(st, "differs") == 0)
			printf("%-11s %-11s got: %s\n", "", "", l->reply);
	}
	return same;
}

int
rp_as_server(const char *capture, const char *keylog, const char *scenario,
    const char *out, uint64_t seed, const char *sender)
{
	struct rp_script sc;
	struct scenario *scn;
	struct scn_reply *ov;
	size_t nov;
	char err[1024];
	int rc;

	if (rp_script_load(capture, keylog, &sc, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	if (scenario_load(scenario, scenario, &scn, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		rp_script_free(&sc);
		return 2;
	}
	ov = script_replies(&sc, &nov);
	for (size_t p = 0; p < scn->nphases; p++)
		for (size_t i = 0; i < scn->phases[p].world.nmx; i++)
			override_mx(&scn->phases[p].world.mx[i], ov, nov);
	for (size_t i = 0; i < nov; i++) {
		free(ov[i].step);
		free(ov[i].text);
	}
	free(ov);
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		scenario_free(scn);
		rp_script_free(&sc);
		return 2;
	}
	struct run_opts o = { .seed = seed, .sender = sender };
	struct res_run *run = res_run_new(seed, sender);
	struct res_scenario *rs = res_run_add(run);
	(void)runner_run(scn, &o, rs);
	res_run_count(run);

	struct rec_session *ls = live_session(rs->rec);
	struct rp_dialog live;
	char msg[1024];
	size_t div = 0;

	rp_dialog_init(&live);
	if (ls != NULL)
		rp_dialog_from_session(ls, true, &live);
	size_t same = print_turns(&sc, &live);
	if (ls != NULL && (div = rp_dialog_diverge(&sc.d, &live, msg, sizeof(msg))) > 0) {
		fprintf(stderr, "mxsim: replay: %s\n", msg);
		note_divergence(ls, div, msg);
	}
	rc = rp_write_outputs(run, out) < 0 ? 2 : 0;
	printf("as-server: %zu of %zu recorded replies reached the sender%s; "
	    "scenario %s: %s%s%s\n", same, sc.d.n + 1,
	    ls == NULL ? " (no session)" : div > 0 ? " (it diverged)" : " in order",
	    rs->id, rs->verdict ? rs->verdict : "?",
	    rs->reason ? ": " : "", rs->reason ? rs->reason : "");
	if (rc == 0 && (ls == NULL || live.banner == NULL || div > 0 ||
	    strcmp(live.banner, sc.banner) != 0))
		rc = 1;   /* not served the recorded banner, or diverged */
	rp_dialog_free(&live);
	res_run_free(run);
	scenario_free(scn);
	rp_script_free(&sc);
	return rc;
}
