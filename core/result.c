/*
 * result: the results model.  See result.h.
 *
 * Plain data with one owner: the run owns its scenarios (each allocated on
 * its own so pointers handed out by res_run_add() stay valid while more are
 * added), a scenario owns every string, vector and its recorder.  Nothing
 * here logs; nothing here can fail except by running out of memory, which
 * dies in the x-allocators.
 */
#include "core/result.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct res_run *
res_run_new(uint64_t seed, const char *sender)
{
	struct res_run *run = xcalloc(1, sizeof(*run));

	run->seed = seed;
	run->sender = xstrdup(sender != NULL ? sender : "builtin");
	return run;
}

struct res_scenario *
res_run_add(struct res_run *run)
{
	struct res_scenario *s = xcalloc(1, sizeof(*s));

	run->scenarios = xrealloc(run->scenarios,
	    (run->nscenarios + 1) * sizeof(*run->scenarios));
	run->scenarios[run->nscenarios++] = s;
	return s;
}

void
res_run_count(struct res_run *run)
{
	size_t i;
	const char *v;

	run->npass = run->nfail = run->nunsupported = run->nerror = 0;
	for (i = 0; i < run->nscenarios; i++) {
		v = run->scenarios[i]->verdict;
		if (v != NULL && strcmp(v, "pass") == 0)
			run->npass++;
		else if (v != NULL && strcmp(v, "fail") == 0)
			run->nfail++;
		else if (v != NULL && strcmp(v, "unsupported") == 0)
			run->nunsupported++;
		else
			run->nerror++;  /* "error", or no verdict at all */
	}
}

int
res_run_exit_code(const struct res_run *run)
{
	bool failed = false;
	const char *v;
	size_t i;

	for (i = 0; i < run->nscenarios; i++) {
		v = run->scenarios[i]->verdict;
		if (v == NULL || strcmp(v, "error") == 0)
			return 2;
		if (strcmp(v, "pass") != 0 && strcmp(v, "unsupported") != 0)
			failed = true;
	}
	return failed ? 1 : 0;
}

static void
res_message_free(struct res_message *m)
{
	free(m->delivery);
	free(m->reason);
	free(m->mx_host);
	free(m->data_to);
	free(m->content);
	free(m->sessions);
	res_strv_free(m->sender_log, m->nsender_log);
}

static void
res_phase_free(struct res_phase *p)
{
	size_t i;

	res_strv_free(p->expect, p->nexpect);
	res_strv_free(p->expect_tlsrpt, p->nexpect_tlsrpt);
	free(p->verdict);
	free(p->reason);
	for (i = 0; i < p->nmsgs; i++)
		res_message_free(&p->msgs[i]);
	free(p->msgs);
}

static void
res_policy_free(struct res_policy *p)
{
	struct res_failure *f;
	size_t i;

	free(p->type);
	free(p->domain);
	res_strv_free(p->strings, p->nstrings);
	res_strv_free(p->mx_patterns, p->nmx_patterns);
	for (i = 0; i < p->nfailures; i++) {
		f = &p->failures[i];
		free(f->result_type);
		free(f->sending_ip);
		free(f->receiving_mx);
		free(f->receiving_ip);
		free(f->reason_code);
	}
	free(p->failures);
}

void
res_scenario_free(struct res_scenario *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->id);
	free(s->path);
	free(s->title);
	res_strv_free(s->refs, s->nrefs);
	free(s->domain);
	free(s->sender);
	free(s->verdict);
	free(s->reason);
	for (i = 0; i < s->nphases; i++)
		res_phase_free(&s->phases[i]);
	free(s->phases);
	for (i = 0; i < s->npolicies; i++)
		res_policy_free(&s->policies[i]);
	free(s->policies);
	res_strv_free(s->tlsrpt_received, s->ntlsrpt_received);
	res_strv_free(s->tlsrpt_via, s->ntlsrpt_via);
	res_strv_free(s->tlsrpt_findings, s->ntlsrpt_findings);
	rec_free(s->rec);
	memset(s, 0, sizeof(*s));
}

void
res_run_free(struct res_run *run)
{
	size_t i;

	if (run == NULL)
		return;
	for (i = 0; i < run->nscenarios; i++) {
		res_scenario_free(run->scenarios[i]);
		free(run->scenarios[i]);
	}
	free(run->scenarios);
	free(run->sender);
	free(run);
}

void
res_strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	/* A NULL entry would only push the problem onto every reader. */
	(*v)[(*n)++] = xstrdup(s != NULL ? s : "");
}

void
res_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
