/*
 * parallel: scenarios in worker processes.  See parallel.h.
 *
 * Protocol on each worker's SOCK_SEQPACKET socketpair: the parent sends a
 * job number (u32), the worker answers with the job number and whether
 * the scenario failed (u32 each) once the scenario's files are complete.
 * The parent closing its end tells the worker to exit.  Files of job k in
 * the work folder: k.res (results), k.log, and when capturing k.pcap,
 * k.keylog, k.json.
 *
 * Workers leave with _exit(): they share the parent's stdio buffers
 * (flushed before each fork) and must not flush them a second time.
 * Errors of a worker go to stderr as "mxsim: ..." lines.
 *
 * Interrupts: the caller's SIGINT/SIGTERM handler asks every loop to stop
 * (core/loop.h).  The parent then dispatches nothing more and passes the
 * signal on to the workers; each winds its scenario down through the
 * normal teardown (a real sender's processes killed), marks it
 * interrupted and answers.  Workers still busy STOP_GRACE_MS later are
 * killed (their scenarios become errors).  A worker also gets SIGTERM
 * when the parent dies (PR_SET_PDEATHSIG).  The parent is the subreaper
 * of its workers' descendants: whatever a dead worker left behind is
 * re-parented to it and killed (proc_kill_orphans()).
 */
#include "sim/parallel.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/loop.h"
#include "core/netns.h"
#include "core/proc.h"
#include "sim/capcat.h"
#include "sim/res_io.h"
#include "sim/runner.h"
#include "sim/scenario.h"

#define NONE ((size_t)-1)
#define STOP_GRACE_MS 20000    /* an interrupted worker's teardown */
#define ORPHAN_GRACE_MS 1000   /* SIGTERM -> SIGKILL for orphans */

struct worker {
	pid_t pid;              /* 0 once reaped */
	int fd;                 /* parent's end, -1 when gone */
	size_t job;             /* running job, NONE when idle */
};

struct pool {
	const struct par_job *jobs;
	size_t n;
	const struct par_opts *po;
	char *work;             /* the work folder */
	struct worker *w;
	size_t nw;
	char **died;            /* per job: why its worker died, or NULL */
	size_t next, done;
	unsigned failed;
	bool stopping;          /* interrupted: the signal was passed on */
	bool killed;            /* ... and the late workers were killed */
	uint64_t stop_at;       /* CLOCK_MONOTONIC ms of the interrupt */
};

static const char *const exts[] = { "res", "log", "pcap", "keylog", "json" };
#define NEXTS (sizeof(exts) / sizeof(exts[0]))

static char *
part(const struct pool *p, size_t k, const char *ext)
{
	return xasprintf("%s/%zu.%s", p->work, k, ext);
}

/* --- the worker --- */

/* SIGINT/SIGTERM stop the running scenario (not the worker: it still
 * answers for it); repeated signals change nothing. */
static void
worker_signals(pid_t parent)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_stop_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)   /* it died before prctl */
		loop_stop_handler(SIGTERM);
}

static bool
failed_verdict(const char *v)
{
	return v == NULL || (strcmp(v, "pass") != 0 && strcmp(v, "unsupported") != 0);
}

static int
save_result(const char *path, const struct par_opts *po,
    const struct res_scenario *rs, unsigned slot)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL)
		return -1;
	rc = resio_write_scenario(f, po->seed, po->sender, rs, slot, po->total);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Run job k; 1 if the scenario failed, 0 if it passed, -1 when its files
 * could not be written. */
static int
run_job(const struct pool *p, size_t k)
{
	const struct par_job *j = &p->jobs[k];
	struct run_opts o = { .seed = p->po->seed, .sender = p->po->sender,
		.out = p->po->out, .faketime = p->po->faketime, .slot = j->slot };
	char *logpath = part(p, k, "log"), *respath = part(p, k, "res");
	struct res_run *run = res_run_new(o.seed, o.sender);
	struct res_scenario *rs = res_run_add(run);
	FILE *logf = fopen(logpath, "w");
	struct scenario *s;
	char err[1024];
	int rc = 0;

	if (logf != NULL)
		log_add_file(logf);
	if (scenario_load(j->file, j->id, &s, err, sizeof(err)) < 0) {
		runner_load_error(j->id, j->file, err, o.sender, rs);
		fprintf(stderr, "mxsim: %s\n", err);
	} else {
		char *pcap = part(p, k, "pcap"), *keys = part(p, k, "keylog");
		char *notes = part(p, k, "json");
		if (p->po->capture && capture_open(&o.capture, pcap, keys, notes,
		    err, sizeof(err)) < 0) {
			fprintf(stderr, "mxsim: cannot write the capture: %s\n", err);
			rc = -1;
		}
		if (logf != NULL)
			fprintf(logf, "== scenario %s\n", s->id);
		(void)runner_run(s, &o, rs);
		if (loop_stop_requested())
			runner_mark_interrupted(rs);
		if (logf != NULL)
			fprintf(logf, "== done %s %.2f ms real, %llu ms virtual: %s\n",
			    s->id, rs->real_ms, (unsigned long long)rs->virtual_ms,
			    rs->verdict ? rs->verdict : "?");
		if (capture_close(o.capture, err, sizeof(err)) < 0) {
			fprintf(stderr, "mxsim: %s\n", err);
			rc = -1;
		}
		scenario_free(s);
		free(pcap);
		free(keys);
		free(notes);
	}
	if (save_result(respath, p->po, rs, j->slot) < 0) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", respath, strerror(errno));
		rc = -1;
	}
	if (logf != NULL) {
		log_add_file(NULL);
		if (fclose(logf) != 0)
			rc = -1;
	}
	if (rc == 0)
		rc = failed_verdict(rs->verdict) ? 1 : 0;
	res_run_free(run);
	free(logpath);
	free(respath);
	return rc;
}

static void __attribute__((noreturn))
worker_main(const struct pool *p, int fd, pid_t parent)
{
	uint32_t msg[2];
	char err[512];
	ssize_t got;

	worker_signals(parent);
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: worker %d: %s\n", (int)getpid(), err);
		_exit(3);
	}
	/* interrupted while idle: wait for a last job (run as interrupted)
	 * or for the parent to close the socket */
	while ((got = recv(fd, msg, sizeof(msg), 0)) == (ssize_t)sizeof(uint32_t) ||
	    (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		if (msg[0] >= p->n)
			_exit(4);
		int rc = run_job(p, msg[0]);
		if (rc < 0)
			_exit(5);
		msg[1] = (uint32_t)rc;
		if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg))
			_exit(6);
	}
	_exit(got == 0 ? 0 : 7);
}

/* --- the parent --- */

static int
spawn(struct pool *p, struct worker *w, char *err, size_t errlen)
{
	pid_t parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (w->pid == 0) {
		log_add_file(NULL);   /* the parent's mxsim.log is not ours */
		for (size_t i = 0; i < p->nw; i++)
			if (p->w[i].fd >= 0)
				close(p->w[i].fd);
		close(sv[0]);
		worker_main(p, sv[1], parent);
	}
	close(sv[1]);
	w->fd = sv[0];
	w->job = NONE;
	return 0;
}

static char *
status_text(int status)
{
	if (WIFSIGNALED(status))
		return xasprintf("killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	if (WIFEXITED(status))
		return xasprintf("exited with status %d", WEXITSTATUS(status));
	return xstrdup("ended");
}

/* Kill what dead workers left behind (re-parented to us, the
 * subreaper), sparing the workers not reaped yet and their subtrees. */
static void
kill_orphans(const struct pool *p)
{
	pid_t *keep = xcalloc(p->nw, sizeof(*keep));
	size_t nkeep = 0;
	unsigned found;

	for (size_t i = 0; i < p->nw; i++)
		if (p->w[i].pid > 0)
			keep[nkeep++] = p->w[i].pid;
	found = proc_kill_orphans(keep, nkeep, ORPHAN_GRACE_MS);
	if (found > 0)
		log_info("parallel", "killed %u process%s left by a dead worker",
		    found, found == 1 ? "" : "es");
	free(keep);
}

/* A worker's socket said EOF: reap it, charge its job. */
static void
reap(struct pool *p, struct worker *w)
{
	pid_t pid = w->pid;
	int status = 0;
	char *why;

	close(w->fd);
	w->fd = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;   /* reaped: no longer spared by kill_orphans() */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		kill_orphans(p);
	why = status_text(status);
	if (w->job != NONE) {
		p->died[w->job] = xasprintf("the worker process running this "
		    "scenario %s", why);
		fprintf(stderr, "mxsim: %s: worker %d %s\n", p->jobs[w->job].id,
		    (int)pid, why);
		p->done++;
		p->failed++;
		if (p->po->progress)
			p->po->progress(p->done, p->n, p->failed, p->jobs[w->job].id,
			    p->po->arg);
		w->job = NONE;
	}
	free(why);
}

static void
dispatch(struct pool *p, struct worker *w)
{
	uint32_t k;

	if (p->next >= p->n || w->fd < 0 || loop_stop_requested())
		return;
	k = (uint32_t)p->next;
	if (send(w->fd, &k, sizeof(k), MSG_NOSIGNAL) != (ssize_t)sizeof(k))
		return;   /* it died: the read side will say so */
	w->job = p->next++;
}

static void
on_reply(struct pool *p, struct worker *w)
{
	uint32_t msg[2];
	ssize_t got = recv(w->fd, msg, sizeof(msg), 0);

	if (got < 0 && errno == EINTR)
		return;
	if (got != (ssize_t)sizeof(msg) || w->job == NONE || msg[0] != w->job) {
		reap(p, w);
		return;
	}
	p->done++;
	p->failed += msg[1] != 0;
	if (p->po->progress)
		p->po->progress(p->done, p->n, p->failed, p->jobs[w->job].id,
		    p->po->arg);
	w->job = NONE;
	dispatch(p, w);
}

static size_t
running(const struct pool *p)
{
	size_t r = 0;

	for (size_t i = 0; i < p->nw; i++)
		r += p->w[i].fd >= 0;
	return r;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Interrupted: nothing more is dispatched; the workers get the signal
 * (the busy ones wind their scenario down and answer for it). */
static void
stop_workers(struct pool *p)
{
	int sig = loop_stop_signal() != 0 ? loop_stop_signal() : SIGTERM;

	p->stopping = true;
	p->stop_at = mono_ms();
	for (size_t i = 0; i < p->nw; i++)
		if (p->w[i].fd >= 0)
			(void)kill(p->w[i].pid, sig);
}

/* The poll timeout: none, or what is left of the interrupt's grace;
 * past it, the workers still busy are killed. */
static int
poll_timeout(struct pool *p)
{
	uint64_t spent;

	if (!p->stopping)
		return -1;
	spent = mono_ms() - p->stop_at;
	if (spent < STOP_GRACE_MS)
		return (int)(STOP_GRACE_MS - spent);
	if (!p->killed) {
		p->killed = true;
		for (size_t i = 0; i < p->nw; i++)
			if (p->w[i].fd >= 0 && p->w[i].job != NONE) {
				fprintf(stderr, "mxsim: %s: worker %d still busy %d s after "
				    "the interrupt: SIGKILL\n", p->jobs[p->w[i].job].id,
				    (int)p->w[i].pid, STOP_GRACE_MS / 1000);
				(void)kill(p->w[i].pid, SIGKILL);
			}
	}
	return 100;
}

static int
work(struct pool *p, char *err, size_t errlen)
{
	struct pollfd *pfd = xcalloc(p->nw, sizeof(*pfd));
	int rc = 0;

	for (size_t i = 0; i < p->nw && rc == 0; i++) {
		p->w[i].fd = -1;
		if ((rc = spawn(p, &p->w[i], err, errlen)) == 0)
			dispatch(p, &p->w[i]);
	}
	/* until every job is done, or when interrupted every job handed out */
	while (rc == 0 && p->done < (p->stopping ? p->next : p->n)) {
		if (!p->stopping && loop_stop_requested()) {
			stop_workers(p);
			continue;
		}
		for (size_t i = 0; i < p->nw; i++)
			pfd[i] = (struct pollfd){ p->w[i].fd, POLLIN, 0 };
		if (poll(pfd, p->nw, poll_timeout(p)) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		for (size_t i = 0; i < p->nw; i++)
			if (pfd[i].fd >= 0 && pfd[i].revents != 0)
				on_reply(p, &p->w[i]);
		/* replace workers that died while scenarios remain */
		for (size_t i = 0; i < p->nw && rc == 0 && p->next < p->n &&
		    !loop_stop_requested(); i++) {
			if (p->w[i].fd >= 0)
				continue;
			if ((rc = spawn(p, &p->w[i], err, errlen)) == 0)
				dispatch(p, &p->w[i]);
		}
		if (rc == 0 && running(p) == 0 && p->done < p->n && !p->stopping &&
		    !loop_stop_requested()) {
			snprintf(err, errlen, "every worker process died");
			rc = -1;
		}
	}
	for (size_t i = 0; i < p->nw; i++) {
		if (p->w[i].fd < 0)
			continue;
		p->w[i].job = NONE;
		reap(p, &p->w[i]);   /* EOF on their socket: they exit */
	}
	/* the backstop: nothing of the workers outlives the run */
	kill_orphans(p);
	free(pfd);
	return rc;
}

static void
append_file(FILE *to, const char *path)
{
	char chunk[8192];
	size_t n;
	FILE *f;

	if (to == NULL || (f = fopen(path, "r")) == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, to);
	fclose(f);
}

/* Read the parts back in job order (the jobs handed out: all of them
 * unless interrupted). */
static int
gather(struct pool *p, struct res_run *run, FILE *logf, char *err, size_t errlen)
{
	struct capcat *cc = NULL;
	char e[1024];
	int rc = 0;

	if (p->po->capture) {
		char *pcap = xasprintf("%s/capture.pcap", p->po->out);
		char *keys = xasprintf("%s/keylog.txt", p->po->out);
		char *notes = xasprintf("%s/capture.json", p->po->out);
		rc = capcat_open(&cc, pcap, keys, notes, err, errlen);
		free(pcap);
		free(keys);
		free(notes);
	}
	for (size_t k = 0; k < p->next; k++) {
		const struct par_job *j = &p->jobs[k];
		char *path[NEXTS];
		struct res_run *one = NULL;
		struct stat st;

		for (size_t i = 0; i < NEXTS; i++)
			path[i] = part(p, k, exts[i]);
		if (p->died[k] != NULL)
			runner_load_error(j->id, j->file, p->died[k], p->po->sender,
			    res_run_add(run));
		else if (resio_load(path[0], &one, NULL, e, sizeof(e)) < 0 ||
		    one->nscenarios != 1) {
			char *why = xasprintf("the worker's results are unreadable: %s",
			    one ? "not one scenario" : e);
			runner_load_error(j->id, j->file, why, p->po->sender,
			    res_run_add(run));
			free(why);
		} else {
			resio_append(run, one);
		}
		res_run_free(one);
		append_file(logf, path[1]);
		if (cc != NULL && rc == 0 && stat(path[2], &st) == 0)
			rc = capcat_add(cc, path[2], path[3], path[4], err, errlen);
		for (size_t i = 0; i < NEXTS; i++)
			free(path[i]);
	}
	if (capcat_close(cc, e, sizeof(e)) < 0 && rc == 0) {
		snprintf(err, errlen, "%s", e);
		rc = -1;
	}
	res_run_count(run);
	return rc;
}

int
par_run(const struct par_job *jobs, size_t n, const struct par_opts *po,
    struct res_run *run, FILE *logf, char *err, size_t errlen)
{
	struct pool p = { .jobs = jobs, .n = n, .po = po };
	int rc;

	p.work = xasprintf("%s/.mxsim-work.%d", po->out, (int)getpid());
	if (mkdir(p.work, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", p.work, strerror(errno));
		free(p.work);
		return -1;
	}
	p.nw = po->workers < n ? po->workers : n;
	if (p.nw == 0)
		p.nw = 1;
	p.w = xcalloc(p.nw, sizeof(*p.w));
	p.died = xcalloc(n ? n : 1, sizeof(*p.died));
	if (logf != NULL)
		fflush(logf);
	(void)proc_subreaper();   /* what a dead worker leaves comes to us */
	rc = work(&p, err, errlen);
	if (rc == 0)
		rc = gather(&p, run, logf, err, errlen);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < NEXTS; i++) {
			char *path = part(&p, k, exts[i]);
			(void)unlink(path);
			free(path);
		}
	if (rmdir(p.work) < 0 && rc == 0)
		log_warn("parallel", "cannot remove %s: %s", p.work, strerror(errno));
	for (size_t k = 0; k < n; k++)
		free(p.died[k]);
	free(p.died);
	free(p.w);
	free(p.work);
	return rc;
}
