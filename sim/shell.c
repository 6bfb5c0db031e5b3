/*
 * shell: a live world and a child process in it.  See shell.h.
 *
 * Order of things: load the scenario, make the output folder and its
 * shell/ files (CA, trust anchor, resolv.conf), enter the namespaces,
 * build the world on a LOOP_REAL loop with the capture attached, spawn
 * the child (core/proc.h; on a terminal it gets the foreground), serve
 * until it exits, let the world settle, judge, write the outputs.
 * Ownership: everything is local to shell_main and freed on every path.
 * Logs go to OUT/mxsim.log as in `mxsim run`; the live transcript goes to
 * stderr.
 *
 * Teardown: mxsim is the subreaper of what the child starts, so after the
 * child exits anything it left (a background job, a setsid daemon) is
 * killed.  SIGTERM, SIGHUP (the terminal closed) or SIGINT sent to mxsim
 * itself (a terminal's Ctrl-C goes to the child, which has the
 * foreground) stop the shell: its process group is killed, the sessions
 * so far are judged and the scenario is marked interrupted, the outputs
 * are written, and mxsim exits with 128 + the signal.
 */
#include "sim/shell.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/loop.h"
#include "core/netns.h"
#include "core/pki.h"
#include "core/proc.h"
#include "core/record.h"
#include "core/result.h"
#include "reports/report.h"
#include "sim/help.h"
#include "sim/outputs.h"
#include "sim/scenario.h"
#include "sim/verdict.h"
#include "sim/world.h"

#define LIVE_TICK_MS 100       /* how often the live log looks for new lines */
#define SETTLE_MS 3000         /* for the world's sessions to end after the child */
#define LEFTOVER_GRACE_MS 1000 /* SIGTERM -> SIGKILL for what the child left */

static void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_stop_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct shell_opts {
	uint64_t seed;
	const char *out;
	bool capture, quiet;
	bool scenario_clock;    /* keep the scenario's clock (default: now) */
	const char *file;
	char **cmd;             /* NULL: an interactive shell */
};

/* The live log: new transcript lines of every session, on stderr. */
struct live {
	struct loop *l;
	struct rec *rec;
	size_t *seen;
	size_t nseen;
	uint64_t timer;
	bool quiet;
};

static void
live_print(struct live *lv)
{
	size_t n = rec_count(lv->rec);

	if (n > lv->nseen) {
		lv->seen = xrealloc(lv->seen, n * sizeof(*lv->seen));
		memset(lv->seen + lv->nseen, 0, (n - lv->nseen) * sizeof(*lv->seen));
		lv->nseen = n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rec_session *s = rec_get(lv->rec, i);
		for (size_t k = lv->seen[i]; k < s->nlines && !lv->quiet; k++)
			fprintf(stderr, "mxsim: #%u %s%s:%u %c %s\n", s->id,
			    s->via ? "(leg) " : "", s->host ? s->host : "?",
			    (unsigned)s->port, s->lines[k].dir, s->lines[k].text);
		lv->seen[i] = s->nlines;
	}
}

static void
live_tick(void *arg)
{
	struct live *lv = arg;

	live_print(lv);
	lv->timer = loop_timer_add(lv->l, LIVE_TICK_MS, live_tick, lv);
}

static bool
child_done(void *arg)
{
	return proc_done(arg);
}

static bool
world_quiet(void *arg)
{
	return world_busy(arg) == 0;
}

static void
child_exited(struct proc *p, void *arg)
{
	(void)p;
	(void)arg;
}

static int
parse(int argc, char **argv, struct shell_opts *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-capture", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "scenario-clock", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+S:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			errno = 0;
			o->seed = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-') {
				fprintf(stderr, "mxsim: --seed wants a non-negative integer, "
				    "got \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'N':
			o->capture = false;
			break;
		case 'C':
			o->scenario_clock = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			(void)help_print(stdout, "shell");
			return 1;
		default:
			(void)help_print(stderr, "shell");
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mxsim: shell: which scenario?\n");
		(void)help_print(stderr, "shell");
		return -1;
	}
	o->file = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind < argc)
		o->cmd = argv + optind;
	return 0;
}

/* OUT/shell/: ca.pem, trust-anchor.conf, resolv.conf; absolute paths. */
static int
write_files(const struct shell_opts *o, const struct pki *pki,
    const struct world *w, char **ca, char **anchor, char **resolv)
{
	char *dir = xasprintf("%s/shell", o->out), *abs;
	FILE *f;
	int rc = 0;

	if (report_mkdirs(dir) < 0 || (abs = realpath(dir, NULL)) == NULL) {
		fprintf(stderr, "mxsim: cannot create %s: %s\n", dir, strerror(errno));
		free(dir);
		return -1;
	}
	*ca = xasprintf("%s/ca.pem", abs);
	*anchor = xasprintf("%s/trust-anchor.conf", abs);
	*resolv = xasprintf("%s/resolv.conf", abs);
	if (pki_write_root(pki, *ca) < 0) {
		fprintf(stderr, "mxsim: cannot write %s\n", *ca);
		rc = -1;
	}
	if ((f = fopen(*anchor, "w")) != NULL) {
		if (world_print_anchor(w, true, f) < 0)
			fprintf(f, "# . is not signed in this scenario\n");
		if (fclose(f) != 0)
			rc = -1;
	} else {
		rc = -1;
	}
	if ((f = fopen(*resolv, "w")) != NULL) {
		fprintf(f, "nameserver %s\noptions trust-ad\n", WORLD_DNS_ADDR);
		if (fclose(f) != 0)
			rc = -1;
	} else {
		rc = -1;
	}
	if (rc < 0)
		fprintf(stderr, "mxsim: cannot write the files of %s\n", abs);
	free(abs);
	free(dir);
	return rc;
}

/* Give the terminal to the child's process group (or back to us). */
static void
terminal_to(pid_t pgrp)
{
	if (!isatty(STDIN_FILENO))
		return;
	signal(SIGTTOU, SIG_IGN);
	(void)tcsetpgrp(STDIN_FILENO, pgrp);
}

static int
run_child(struct loop *l, struct rec *rec, const struct shell_opts *o,
    const char *id, char *const paths[3])
{
	const char *sh = getenv("SHELL");
	const char *argv_sh[] = { sh && *sh ? sh : "/bin/sh", NULL };
	char *outabs = realpath(o->out, NULL);
	char *env[6];
	struct proc_mount m = { PROC_BIND, paths[2], "/etc/resolv.conf" };
	struct live lv = { l, rec, NULL, 0, 0, o->quiet };
	struct proc *p;
	char err[1024];
	int status;

	env[0] = xasprintf("MXSIM_CA=%s", paths[0]);
	env[1] = xasprintf("MXSIM_TRUST_ANCHOR=%s", paths[1]);
	env[2] = xasprintf("MXSIM_OUT=%s", outabs ? outabs : o->out);
	env[3] = xasprintf("MXSIM_SCENARIO=%s", id);
	env[4] = xasprintf("PS1=[mxsim %s] \\w\\$ ", id);
	env[5] = NULL;
	struct proc_spec spec = {
		.argv = o->cmd ? (const char *const *)o->cmd : argv_sh,
		.env = (const char *const *)env,
		.mounts = &m, .nmounts = 1, .inherit_stdio = true,
	};
	if (proc_spawn(l, &spec, child_exited, NULL, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: shell: %s\n", err);
		status = -1;
	} else {
		terminal_to(proc_pid(p));
		(void)kill(-proc_pid(p), SIGCONT);
		lv.timer = loop_timer_add(l, LIVE_TICK_MS, live_tick, &lv);
		(void)loop_run_until(l, child_done, p, UINT64_MAX / 2);
		terminal_to(getpgrp());
		status = proc_status(p);
		proc_free(p);   /* stopped: its group is killed */
		unsigned left = proc_kill_descendants(LEFTOVER_GRACE_MS);
		if (left > 0 && !o->quiet)
			fprintf(stderr, "mxsim: killed %u process%s the shell left "
			    "running\n", left, left == 1 ? "" : "es");
		loop_timer_cancel(l, lv.timer);
		live_print(&lv);
	}
	for (int i = 0; i < 5; i++)
		free(env[i]);
	free(outabs);
	free(lv.seen);
	return status;
}

/* Same as the runner's: what each MX host published, for the verdict. */
static void
dane_note(const struct world *w, struct verdict_dane **v, size_t *n, bool required)
{
	for (size_t i = 0; i < world_dane_count(w); i++) {
		size_t k;
		const char *const *rrs = world_dane_rrs(w, i, &k);
		char **copy = xcalloc(k + 1, sizeof(*copy));
		for (size_t j = 0; j < k; j++)
			copy[j] = xstrdup(rrs[j]);
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = (struct verdict_dane){ 1, xstrdup(world_dane_host(w, i)),
			(const char *const *)copy, k, world_dane_state(w, i), required };
	}
}

static void
dane_free(struct verdict_dane *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].nrrs; k++)
			free((char *)v[i].rrs[k]);
		free((char **)v[i].rrs);
		free((char *)v[i].host);
	}
	free(v);
}

/* Judge the sessions as phase 1, message 1 of the scenario. */
static void
judge(const struct scenario *s, const struct pki *pki, struct loop *l,
    struct rec *rec, const struct verdict_ctx *vc, struct res_scenario *rs)
{
	struct res_phase *ph;

	rec_set(&rs->id, s->id);
	rec_set(&rs->path, s->path);
	rec_set(&rs->title, s->title);
	for (size_t i = 0; i < s->nrefs; i++)
		res_strv_push(&rs->refs, &rs->nrefs, s->refs[i]);
	rec_set(&rs->domain, s->domain);
	rec_set(&rs->sender, "shell");
	rs->clock = s->clock;
	rs->rec = rec;
	rs->nphases = 1;
	rs->phases = ph = xcalloc(1, sizeof(*ph));
	ph->index = 1;
	ph->nmsgs = 1;
	ph->msgs = xcalloc(1, sizeof(*ph->msgs));
	verdict_message_ctx(pki, rec, loop_wallclock(l), 1, 1, vc, &ph->msgs[0]);
	verdict_phase_ctx(pki, rec, loop_wallclock(l), &s->phases[0].expect, vc, ph);
	rec_set(&rs->verdict, ph->verdict);
	if (strcmp(ph->verdict, "pass") != 0) {
		char *why = xasprintf("phase 1: %s", ph->reason);
		rec_set(&rs->reason, why);
		free(why);
	}
	verdict_tlsrpt_ctx(pki, rec, loop_wallclock(l), vc, WORLD_SENDER_ADDR, rs);
	rs->virtual_ms = loop_now(l);
}

static int
live_world(const struct shell_opts *o, const struct scenario *s, FILE *logf)
{
	struct pki *pki = pki_new(o->seed, s->clock);
	struct loop *l;
	struct rec *rec;
	struct capture *cap = NULL;
	struct world *w;
	struct verdict_dane *dv = NULL;
	size_t ndv = 0;
	char err[1024], *paths[3] = { NULL, NULL, NULL };
	int status = 2;

	pki_rand_reset(o->seed, s->id);
	l = loop_new(LOOP_REAL, s->clock);
	rec = rec_new(l);
	rec_set_message(rec, 1, 1);
	if (o->capture) {
		char *a = xasprintf("%s/capture.pcap", o->out);
		char *b = xasprintf("%s/keylog.txt", o->out);
		char *c = xasprintf("%s/capture.json", o->out);
		if (capture_open(&cap, a, b, c, err, sizeof(err)) < 0)
			fprintf(stderr, "mxsim: cannot write the capture: %s\n", err);
		else
			capture_begin_slot(cap, l, rec, s->id, 0);
		free(a);
		free(b);
		free(c);
	}
	loop_advance(l, s->phases[0].advance_s * 1000);
	w = world_new(l, pki, rec, s, &s->phases[0].world, err, sizeof(err));
	if (w == NULL) {
		fprintf(stderr, "mxsim: %s\n", err);
	} else if (write_files(o, pki, w, &paths[0], &paths[1], &paths[2]) == 0) {
		if (logf != NULL)
			fprintf(logf, "== scenario %s (shell)\n", s->id);
		dane_note(w, &dv, &ndv, s->phases[0].world.sender_tls != NULL &&
		    strcmp(s->phases[0].world.sender_tls, "dane") == 0);
		status = run_child(l, rec, o, s->id, paths);
		if (status < 0)
			status = 2;
		(void)loop_run_until(l, world_quiet, w, loop_now(l) + SETTLE_MS);
	}
	struct res_run *run = res_run_new(o->seed, "shell");
	struct res_scenario *rs = res_run_add(run);
	struct verdict_ctx vc = { s->domain, dv, ndv, s };
	bool judged = w != NULL && paths[2] != NULL;
	if (judged)
		judge(s, pki, l, rec, &vc, rs);   /* rs owns rec from here */
	if (judged && loop_stop_signal() != 0) {
		char *why = xasprintf("interrupted by %s before the shell exited",
		    loop_stop_signal_name());
		rec_set(&rs->verdict, "error");
		rec_set(&rs->reason, why);
		free(why);
		status = 128 + loop_stop_signal();
	}
	world_free(w);
	if (cap != NULL) {
		capture_end(cap);
		if (capture_close(cap, err, sizeof(err)) < 0)
			fprintf(stderr, "mxsim: %s\n", err);
	} else {
		char *a = xasprintf("%s/capture.pcap", o->out);
		char *b = xasprintf("%s/keylog.txt", o->out);
		char *c = xasprintf("%s/capture.json", o->out);
		(void)(unlink(a) + unlink(b) + unlink(c));   /* not this run's */
		free(a);
		free(b);
		free(c);
	}
	if (!judged)
		rec_free(rec);
	if (rs->id != NULL) {
		res_run_count(run);
		if (outputs_write(run, o->out, NULL) < 0 && status == 0)
			status = 2;
		if (!o->quiet) {
			fprintf(stderr, "mxsim: %zu session%s recorded; ", rec_count(rec),
			    rec_count(rec) == 1 ? "" : "s");
			fprintf(stderr, "verdict %s%s%s; outputs in %s\n", rs->verdict,
			    rs->reason ? ": " : "", rs->reason ? rs->reason : "", o->out);
		}
	}
	res_run_free(run);
	dane_free(dv, ndv);
	for (int i = 0; i < 3; i++)
		free(paths[i]);
	loop_free(l);
	pki_free(pki);
	pki_rand_restore();
	return status;
}

int
shell_main(int argc, char **argv)
{
	struct shell_opts o = { .seed = 1, .out = "mxsim-out", .capture = true };
	char **files = NULL, **ids = NULL, err[1024];
	struct scenario *s;
	FILE *logf;
	int rc, n;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? 2 : 0;
	n = scenario_find((char *const *)&o.file, 1, &files, &ids, err, sizeof(err));
	if (n != 1) {
		fprintf(stderr, "mxsim: shell: %s\n", n < 0 ? err :
		    "give one scenario file");
		for (int i = 0; i < n; i++) {
			free(files[i]);
			free(ids[i]);
		}
		free(files);
		free(ids);
		return 2;
	}
	rc = scenario_load(files[0], ids[0], &s, err, sizeof(err));
	free(files[0]);
	free(ids[0]);
	free(files);
	free(ids);
	if (rc < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	/* Real tools (delv, openssl) check signatures and certificates
	 * against the system time: the world's clock starts now unless the
	 * scenario's own clock is asked for. */
	if (!o.scenario_clock)
		s->clock = time(NULL);
	if (report_mkdirs(o.out) < 0) {
		fprintf(stderr, "mxsim: cannot create %s: %s\n", o.out, strerror(errno));
		scenario_free(s);
		return 2;
	}
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		scenario_free(s);
		return 2;
	}
	catch_stop_signals();
	(void)proc_subreaper();   /* what the child leaves is ours to kill */
	char *logpath = xasprintf("%s/mxsim.log", o.out);
	logf = fopen(logpath, "w");
	free(logpath);
	if (logf != NULL)
		log_add_file(logf);
	rc = live_world(&o, s, logf);
	if (logf != NULL) {
		log_add_file(NULL);
		fclose(logf);
	}
	scenario_free(s);
	return rc;
}
