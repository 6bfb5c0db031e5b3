/*
 * ext_msg: one message through a real sender (ext_send() and the
 * polling of `wait`), and its evidence.  See ext.h; struct ext is in
 * ext_int.h, shared with ext_run.c (set-up, phases, teardown).
 */
#include "senders/ext/ext.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/proc.h"
#include "core/util.h"
#include "senders/ext/ext_int.h"

#define MAX_EVIDENCE 200

char *
ext_evidence_path(struct ext *e, size_t i)
{
	char *rel = ext_vexpand(e, e->p->evidence.v[i], NULL);
	char *path = rel[0] == '/' ? xstrdup(rel) : ext_work_path(e, rel);

	free(rel);
	return path;
}

static void
evidence_mark(struct ext *e)
{
	free(e->ev_off);
	e->ev_off = xcalloc(e->p->evidence.n ? e->p->evidence.n : 1, sizeof(*e->ev_off));
	for (size_t i = 0; i < e->p->evidence.n; i++) {
		char *path = ext_evidence_path(e, i);
		struct stat st;
		e->ev_off[i] = stat(path, &st) == 0 ? st.st_size : 0;
		free(path);
	}
}

/* Lines of the evidence files written since evidence_mark(), filtered. */
static void
evidence_collect(struct ext *e)
{
	regex_t re;
	bool have_re = e->p->evidence_match != NULL &&
	    regcomp(&re, e->p->evidence_match, REG_EXTENDED | REG_NOSUB) == 0;

	strv_free(&e->evidence);
	for (size_t i = 0; i < e->p->evidence.n; i++) {
		char *path = ext_evidence_path(e, i);
		FILE *f = fopen(path, "r");
		char *ln = NULL;
		size_t cap = 0;
		ssize_t n;

		free(path);
		if (f == NULL)
			continue;
		if (e->ev_off != NULL)
			(void)fseeko(f, e->ev_off[i], SEEK_SET);
		while ((n = getline(&ln, &cap, f)) > 0 && e->evidence.n < MAX_EVIDENCE) {
			char clean[1024];
			while (n > 0 && (ln[n - 1] == '\n' || ln[n - 1] == '\r'))
				ln[--n] = '\0';
			if (have_re && regexec(&re, ln, 0, NULL, 0) != 0)
				continue;
			str_sanitize(clean, sizeof(clean), ln, (size_t)n);
			strv_push(&e->evidence, clean);
		}
		free(ln);
		fclose(f);
	}
	if (have_re)
		regfree(&re);
}

static bool
evidence_has(const struct ext *e, const char *pattern)
{
	regex_t re;
	bool hit = false;

	if (pattern == NULL || regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	for (size_t i = 0; i < e->evidence.n && !hit; i++)
		hit = regexec(&re, e->evidence.v[i], 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

void
ext_stop_message(struct ext *e)
{
	loop_timer_cancel(e->l, e->poll_timer);
	loop_timer_cancel(e->l, e->deadline_timer);
	e->poll_timer = e->deadline_timer = 0;
	proc_free(e->submit);
	proc_free(e->waitp);
	e->submit = e->waitp = NULL;
	e->busy = false;
}

static void
finish(struct ext *e, bool timed_out)
{
	enum ext_result r;
	char why[600];

	evidence_collect(e);
	if (timed_out)
		r = EXT_TIMEOUT;
	else if (evidence_has(e, e->p->delivered_match))
		r = EXT_DELIVERED;
	else if (evidence_has(e, e->p->bounced_match))
		r = EXT_BOUNCED;
	else if (evidence_has(e, e->p->deferred_match))
		r = EXT_DEFERRED;
	else
		r = e->submit_status == 0 ? EXT_DELIVERED : EXT_FAILED;
	if (r == EXT_FAILED && e->submit_status == 128 + SIGPIPE)
		snprintf(why, sizeof(why), "%s was killed by SIGPIPE (status %d): "
		    "it wrote to a connection its peer had closed", e->p->name,
		    e->submit_status);
	else if (r == EXT_FAILED)
		snprintf(why, sizeof(why), "%s exited with status %d", e->p->name,
		    e->submit_status);
	else
		snprintf(why, sizeof(why), "%zu log line%s kept", e->evidence.n,
		    e->evidence.n == 1 ? "" : "s");
	ext_done_cb *cb = e->done;
	void *arg = e->done_arg;
	e->times.msgs += ext_mono_ms() - e->t_send;
	ext_stop_message(e);
	cb(r, why, arg);
}

static void poll_wait(void *arg);

static void
wait_exited(struct proc *p, void *arg)
{
	struct ext *e = arg;

	/* freed from the poll timer, never inside its own callback */
	if (proc_status(p) == 0) {
		e->poll_timer = loop_timer_add(e->l, 0, poll_wait, e);
		return;
	}
	e->poll_timer = loop_timer_add(e->l, e->p->poll_ms, poll_wait, e);
}

static void
poll_wait(void *arg)
{
	struct ext *e = arg;
	char err[256];

	e->poll_timer = 0;
	if (e->waitp != NULL && proc_done(e->waitp)) {
		int st = proc_status(e->waitp);
		proc_free(e->waitp);
		e->waitp = NULL;
		if (st == 0 && e->submit_done) {
			finish(e, false);
			return;
		}
	}
	if (!e->submit_done) {
		e->poll_timer = loop_timer_add(e->l, e->p->poll_ms, poll_wait, e);
		return;
	}
	/* the submit command failed: the sender never took the message */
	if ((e->p->wait == NULL && e->p->finished == NULL) || e->submit_status != 0) {
		finish(e, false);
		return;
	}
	if (e->p->finished != NULL) {
		if (ext_scan_finished(e))
			finish(e, false);
		else
			e->poll_timer = loop_timer_add(e->l, e->p->poll_ms, poll_wait, e);
		return;
	}
	char *cmd = ext_vexpand(e, e->p->wait, &e->msgv);
	const char *argv[] = { "sh", "-c", cmd, NULL };
	struct proc_spec s;
	ext_spec_for(e, &s, argv, NULL, NULL, e->p->cmd_timeout_s);
	if (proc_spawn(e->l, &s, wait_exited, e, &e->waitp, err, sizeof(err)) < 0)
		e->poll_timer = loop_timer_add(e->l, e->p->poll_ms, poll_wait, e);
	free(cmd);
}

static void
submit_exited(struct proc *p, void *arg)
{
	struct ext *e = arg;

	e->submit_done = true;
	e->submit_status = proc_status(p);
	if (e->poll_timer == 0)
		e->poll_timer = loop_timer_add(e->l, 0, poll_wait, e);
}

static void
on_deadline(void *arg)
{
	struct ext *e = arg;

	e->deadline_timer = 0;
	finish(e, true);
}

int
ext_send(struct ext *e, const char *from, const char *rcpt, const char *msgid,
    const char *body, ext_done_cb *done, void *arg, char *err, size_t errlen)
{
	struct strv mv = { 0 };
	char name[64], num[32];
	const char *tmpl;

	if (e->busy) {
		snprintf(err, errlen, "a message is already in flight");
		return -1;
	}
	tmpl = e->submitting ? e->p->submission : e->p->relay;
	if (tmpl == NULL) {
		snprintf(err, errlen, "profile %s cannot %s", e->p->path,
		    e->p->relay ? "submit" : "relay");
		return -1;
	}
	snprintf(name, sizeof(name), "msg-%d-%u.eml", e->phase, ++e->nmsgs);
	char *msg = ext_work_path(e, name);
	if (ext_write_file(msg, body, err, errlen) < 0) {
		free(msg);
		return -1;
	}
	ext_setvar(&mv, "FROM", from);
	ext_setvar(&mv, "RCPT", rcpt);
	ext_setvar(&mv, "MSG", msg);
	ext_setvar(&mv, "MSGID", msgid);
	snprintf(num, sizeof(num), "%u", e->nmsgs);
	ext_setvar(&mv, "MSGNUM", num);
	evidence_mark(e);
	char *cmd = ext_vexpand(e, tmpl, &mv), *out = ext_work_path(e, "commands.log");
	const char *argv[] = { "sh", "-c", cmd, NULL };
	struct proc_spec s;
	ext_log_line(e, "commands.log", "$ %s\n", cmd);
	ext_spec_for(e, &s, argv, out, msg, e->p->timeout_s);
	int rc = proc_spawn(e->l, &s, submit_exited, e, &e->submit, err, errlen);
	free(cmd);
	free(out);
	free(msg);
	if (rc < 0) {
		strv_free(&mv);
		return -1;
	}
	/* the wait command sees the message variables too */
	strv_free(&e->msgv);
	e->msgv = mv;
	ext_scan_reset(e);
	e->busy = true;
	e->t_send = ext_mono_ms();
	e->submit_done = false;
	e->submit_status = -1;
	e->done = done;
	e->done_arg = arg;
	e->deadline_timer = loop_timer_add(e->l, (uint64_t)e->p->timeout_s * 1000,
	    on_deadline, e);
	return 0;
}

int
ext_submit_status(const struct ext *e)
{
	return e->submit_done ? e->submit_status : -1;
}
