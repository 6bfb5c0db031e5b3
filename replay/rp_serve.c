/*
 * rp_serve: `mxsim replay --as-server` (and the script both it and
 * --as-client read from a capture).
 *
 * The recorded server becomes reply overrides of the scenario's MX hosts
 * (fake-mx's one mechanism for faults: "Faults are data"): its banner and
 * its first reply to each verb (EHLO, MAIL, RCPT, DATA, the message,
 * QUIT, ...) replace the MX's own, in every phase; the scenario's world,
 * attacker included, is otherwise unchanged.  The reference sender then
 * delivers as in `mxsim run`, and the replies it got are compared with
 * the recorded ones.  One reply per verb: a server that answered the
 * same verb differently twice (two RCPTs) is served its first answer.
 */
#include "replay/rp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/netns.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "sim/runner.h"
#include "sim/scenario.h"

static void
script_step(struct rp_script *sc, const char *step, const char *text)
{
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->steps[i], step) == 0)
			return;   /* the first answer counts */
	res_strv_push(&sc->steps, &sc->n, step);
	sc->n--;
	res_strv_push(&sc->texts, &sc->n, text);
}

/* The first sender session's commands and replies, paired in order. */
static void
script_from(const struct rec_session *s, struct rp_script *sc)
{
	struct smtp_reply rp;
	struct buf text = { 0 };
	size_t *pend = xcalloc(s->nlines + 1, sizeof(*pend)), npend = 0, head = 0;
	bool greeted = false;

	smtp_reply_init(&rp);
	for (size_t i = 0; i < s->nlines; i++) {
		const struct rec_line *ln = &s->lines[i];
		if (ln->dir == '>') {
			if (strncmp(ln->text, "[message content", 16) == 0)
				continue;
			res_strv_push(&sc->cmds, &sc->ncmds, ln->text);
			sc->ncmds--;
			res_strv_push(&sc->replies, &sc->ncmds, "");
			pend[npend++] = sc->ncmds - 1;
			continue;
		}
		if (ln->dir != '<')
			continue;
		if (text.len > 0)
			buf_append(&text, "\n", 1);
		buf_append(&text, ln->text, strlen(ln->text));
		int rc = smtp_reply_feed(&rp, ln->text, strlen(ln->text));
		if (rc < 0) {
			buf_reset(&text);
			smtp_reply_clear(&rp);
			continue;
		}
		if (rc == 0)
			continue;
		const char *t = buf_cstr(&text);
		if (!greeted) {
			greeted = true;
			sc->banner = xstrdup(t);
			script_step(sc, "banner", t);
		} else if (head < npend) {
			size_t c = pend[head++];
			struct smtp_cmd cmd;
			free(sc->replies[c]);
			sc->replies[c] = xstrdup(t);
			if (strcmp(sc->cmds[c], ".") == 0)
				script_step(sc, "DOT", t);
			else if (smtp_cmd_parse(sc->cmds[c], strlen(sc->cmds[c]), &cmd) == 0 &&
			    cmd.verb != SMTP_V_UNKNOWN)
				script_step(sc, smtp_verb_name(cmd.verb), t);
		}
		buf_reset(&text);
	}
	smtp_reply_clear(&rp);
	buf_free(&text);
	free(pend);
}

int
rp_script_load(const char *capture, struct rp_script *sc, char *err, size_t errlen)
{
	struct rp_judge_opts o = { capture, NULL, NULL, NULL, true };
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
	res_strv_free(sc->steps, sc->n);
	res_strv_free(sc->texts, sc->n);
	res_strv_free(sc->cmds, sc->ncmds);
	res_strv_free(sc->replies, sc->ncmds);
	free(sc->banner);
	memset(sc, 0, sizeof(*sc));
}

/* The script's replies first, then the scenario's own for other steps. */
static void
override_mx(struct scn_mx *m, const struct rp_script *sc)
{
	struct scn_reply *v = xcalloc(sc->n + m->nreplies + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++)
		v[n++] = (struct scn_reply){ xstrdup(sc->steps[i]), xstrdup(sc->texts[i]) };
	for (size_t i = 0; i < m->nreplies; i++) {
		bool dup = false;
		for (size_t k = 0; k < sc->n; k++)
			if (strcasecmp(sc->steps[k], m->replies[i].step) == 0)
				dup = true;
		if (dup) {
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

/* Did the sender get this reply (its lines, in a row)? */
static bool
sender_got(const struct rec *r, const char *text)
{
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		if (s->via != 0)
			continue;
		for (size_t k = 0; k < s->nlines; k++) {
			const char *t = text;
			size_t j = k;
			while (j < s->nlines) {
				const char *nl = strchr(t, '\n');
				size_t len = nl ? (size_t)(nl - t) : strlen(t);
				while (j < s->nlines && s->lines[j].dir != '<')
					j++;
				if (j >= s->nlines || strlen(s->lines[j].text) != len ||
				    strncmp(s->lines[j].text, t, len) != 0)
					break;
				if (nl == NULL)
					return true;
				t = nl + 1;
				j++;
			}
		}
	}
	return false;
}

int
rp_as_server(const char *capture, const char *scenario, const char *out,
    uint64_t seed, const char *sender)
{
	struct rp_script sc;
	struct scenario *scn;
	char err[1024];
	int rc;

	if (rp_script_load(capture, &sc, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	if (scenario_load(scenario, scenario, &scn, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		rp_script_free(&sc);
		return 2;
	}
	for (size_t p = 0; p < scn->nphases; p++)
		for (size_t i = 0; i < scn->phases[p].world.nmx; i++)
			override_mx(&scn->phases[p].world.mx[i], &sc);
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
	rc = rp_write_outputs(run, out) < 0 ? 2 : 0;
	size_t same = 0;
	for (size_t i = 0; i < sc.n; i++) {
		bool got = rs->rec != NULL && sender_got(rs->rec, sc.texts[i]);
		same += got;
		printf("%-8s %s  %s\n", sc.steps[i], got ? "served" : "not reached",
		    strchr(sc.texts[i], '\n') ? "(multi-line)" : sc.texts[i]);
	}
	printf("as-server: %zu of %zu recorded replies reached the sender; "
	    "scenario %s: %s%s%s\n", same, sc.n, rs->id, rs->verdict ? rs->verdict : "?",
	    rs->reason ? ": " : "", rs->reason ? rs->reason : "");
	if (rc == 0 && (rs->rec == NULL || sc.banner == NULL ||
	    !sender_got(rs->rec, sc.banner)))
		rc = 1;
	res_run_free(run);
	scenario_free(scn);
	rp_script_free(&sc);
	return rc;
}
