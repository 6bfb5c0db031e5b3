/*
 * proc: supervised child processes.  See proc.h.
 *
 * Each proc owns three fds: the pidfd (readable when the child has
 * exited), the read end of the output pipe (drained into out_path, at
 * most out_cap bytes) and the output file.  The exit callback runs after
 * the child is reaped and its pending output drained; the pipe stays
 * registered until proc_free() because a daemon the child left behind may
 * still hold it.  Logs (where "proc"): start, exit status, deadline kills.
 */
#include "core/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"

extern char **environ;

struct proc {
	struct loop *l;
	pid_t pid;
	int pidfd;
	int outfd;           /* pipe read end, -1 when closed */
	int filefd;          /* out_path, -1: discard */
	size_t cap, kept, dropped;
	uint64_t deadline_timer, kill_timer;
	bool done, timed_out;
	bool noted;          /* the "dropped" note is written */
	int status;
	proc_cb *cb;
	void *arg;
};

/* --- the child, after fork: only async-signal-safe calls --- */

static void
child_fail(const char *what, const char *arg)
{
	const char *e = strerror(errno);

	/* stderr is the pipe (or the terminal): the caller reads it there */
	(void)!write(2, "mxsim proc: ", 12);
	(void)!write(2, what, strlen(what));
	if (arg != NULL) {
		(void)!write(2, " ", 1);
		(void)!write(2, arg, strlen(arg));
	}
	(void)!write(2, ": ", 2);
	(void)!write(2, e, strlen(e));
	(void)!write(2, "\n", 1);
	_exit(127);
}

static void
child_mounts(const struct proc_spec *s)
{
	if (s->nmounts == 0)
		return;
	if (unshare(CLONE_NEWNS) < 0)
		child_fail("unshare(CLONE_NEWNS)", NULL);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail("mount --make-rprivate", "/");
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct proc_mount *m = &s->mounts[i];
		int r = m->kind == PROC_TMPFS ?
		    mount("tmpfs", m->dst, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") :
		    mount(m->src, m->dst, NULL, MS_BIND, NULL);
		if (r < 0)
			child_fail("mount", m->dst);
	}
}

static void __attribute__((noreturn))
child_run(const struct proc_spec *s, int pipew, char **envp)
{
	sigset_t all;
	int fd;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	(void)setpgid(0, 0);
	if (!s->inherit_stdio) {
		fd = open(s->stdin_path ? s->stdin_path : "/dev/null", O_RDONLY);
		if (fd < 0 || dup2(pipew, 1) < 0 || dup2(pipew, 2) < 0)
			child_fail("cannot open stdin", s->stdin_path);
		if (dup2(fd, 0) < 0)
			child_fail("dup2", NULL);
	}
	(void)syscall(SYS_close_range, 3U, ~0U, 0U);
	child_mounts(s);
	if (s->cwd != NULL && chdir(s->cwd) < 0)
		child_fail("chdir", s->cwd);
	execvpe(s->argv[0], (char *const *)s->argv, envp);
	child_fail("exec", s->argv[0]);
	_exit(127);
}

/* environ plus the spec's "K=V" (which replace same-named variables). */
static char **
build_env(const char *const *extra)
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (extra != NULL && extra[m] != NULL)
		m++;
	env = xcalloc(n + m + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t j = 0; j < m && !replaced; j++) {
			const char *eq = strchr(extra[j], '=');
			size_t kl = eq ? (size_t)(eq - extra[j]) + 1 : strlen(extra[j]);
			replaced = strncmp(environ[i], extra[j], kl) == 0;
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++)
		env[k++] = (char *)extra[j];
	return env;
}

/* --- the parent --- */

static void
drain(struct proc *p)
{
	char chunk[16384];
	ssize_t n;

	while (p->outfd >= 0) {
		n = read(p->outfd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;   /* EAGAIN: later */
		if (n == 0) {
			loop_del_fd(p->l, p->outfd);
			close(p->outfd);
			p->outfd = -1;
			return;
		}
		size_t keep = p->kept < p->cap ? p->cap - p->kept : 0;
		if (keep > (size_t)n)
			keep = (size_t)n;
		if (keep > 0 && p->filefd >= 0 && write(p->filefd, chunk, keep) < 0)
			keep = 0;
		p->kept += keep;
		p->dropped += (size_t)n - keep;
	}
}

static void
on_output(int fd, uint32_t events, void *arg)
{
	drain(arg);
}

static void
note_dropped(struct proc *p)
{
	if (p->noted || p->dropped == 0)
		return;
	p->noted = true;
	log_info("proc", "pid %d: %zu bytes of output over the cap dropped",
	    (int)p->pid, p->dropped);
	if (p->filefd >= 0) {
		char note[128];
		int n = snprintf(note, sizeof(note), "\n[mxsim: %zu more bytes of "
		    "output dropped]\n", p->dropped);
		(void)!write(p->filefd, note, (size_t)n);
	}
}

static void
reaped(struct proc *p, const siginfo_t *si, bool known)
{
	p->done = true;
	if (!known)
		p->status = 128 + SIGKILL;   /* reaped by proc_kill_descendants */
	else if (si->si_code == CLD_EXITED)
		p->status = si->si_status;
	else
		p->status = 128 + si->si_status;
	loop_del_fd(p->l, p->pidfd);
	loop_timer_cancel(p->l, p->deadline_timer);
	loop_timer_cancel(p->l, p->kill_timer);
	p->deadline_timer = p->kill_timer = 0;
	log_debug("proc", "pid %d exited with status %d%s", (int)p->pid, p->status,
	    p->timed_out ? " (deadline)" : "");
}

/* Reap if exited; blocking waits for the exit.  true when done. */
static bool
try_reap(struct proc *p, bool block)
{
	siginfo_t si;

	if (p->done)
		return true;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED | (block ? 0 : WNOHANG)) < 0) {
		if (errno == EINTR)
			return false;
		reaped(p, &si, false);   /* ECHILD: someone reaped it */
		return true;
	}
	if (si.si_pid == 0)
		return false;
	reaped(p, &si, true);
	return true;
}

static void
on_exit_fd(int fd, uint32_t events, void *arg)
{
	struct proc *p = arg;

	if (!try_reap(p, false))
		return;
	drain(p);
	note_dropped(p);
	if (p->cb != NULL)
		p->cb(p, p->arg);
}

static void
on_kill(void *arg)
{
	struct proc *p = arg;

	p->kill_timer = 0;
	if (!p->done)
		(void)kill(-p->pid, SIGKILL);
}

void
proc_kill(struct proc *p)
{
	if (p == NULL || p->done)
		return;
	(void)kill(-p->pid, SIGTERM);
	(void)kill(p->pid, SIGTERM);   /* in case it left its group */
	if (p->kill_timer == 0)
		p->kill_timer = loop_timer_add(p->l, PROC_GRACE_MS, on_kill, p);
}

static void
on_deadline(void *arg)
{
	struct proc *p = arg;

	p->deadline_timer = 0;
	p->timed_out = true;
	log_info("proc", "pid %d passed its deadline: SIGTERM, SIGKILL in %d ms",
	    (int)p->pid, PROC_GRACE_MS);
	proc_kill(p);
}

int
proc_spawn(struct loop *l, const struct proc_spec *s, proc_cb *cb, void *arg,
    struct proc **out, char *err, size_t errlen)
{
	int pipefd[2] = { -1, -1 }, filefd = -1, pidfd;
	char **envp;
	pid_t pid;

	*out = NULL;
	if (s->argv == NULL || s->argv[0] == NULL) {
		snprintf(err, errlen, "no command to run");
		return -1;
	}
	if (!s->inherit_stdio && pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (!s->inherit_stdio && s->out_path != NULL) {
		filefd = open(s->out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (filefd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", s->out_path, strerror(errno));
			close(pipefd[0]);
			close(pipefd[1]);
			return -1;
		}
	}
	envp = build_env(s->env);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child_run(s, pipefd[1], envp);
	free(envp);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	(void)setpgid(pid, pid);   /* no race with kill(-pid) before the child runs */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		snprintf(err, errlen, "pidfd_open: %s (Linux 5.3 or later needed)",
		    strerror(errno));
		(void)kill(-pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		goto fail;
	}
	struct proc *p = xcalloc(1, sizeof(*p));
	p->l = l;
	p->pid = pid;
	p->pidfd = pidfd;
	p->outfd = pipefd[0];
	p->filefd = filefd;
	p->cap = s->out_cap ? s->out_cap : PROC_OUT_CAP;
	p->cb = cb;
	p->arg = arg;
	if (loop_add_fd(l, pidfd, EPOLLIN, on_exit_fd, p) < 0)
		fatal("proc: cannot watch pidfd %d", pidfd);
	if (p->outfd >= 0) {
		(void)fcntl(p->outfd, F_SETFL, O_NONBLOCK);
		if (loop_add_fd(l, p->outfd, EPOLLIN, on_output, p) < 0)
			fatal("proc: cannot watch the output of pid %d", (int)pid);
	}
	if (s->timeout_ms > 0)
		p->deadline_timer = loop_timer_add(l, s->timeout_ms, on_deadline, p);
	log_debug("proc", "pid %d: %s", (int)pid, s->argv[0]);
	*out = p;
	return 0;
fail:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (filefd >= 0)
		close(filefd);
	return -1;
}

bool
proc_done(const struct proc *p)
{
	return p->done;
}

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

int
proc_status(const struct proc *p)
{
	return p->done ? p->status : -1;
}

bool
proc_timed_out(const struct proc *p)
{
	return p->timed_out;
}

size_t
proc_dropped(const struct proc *p)
{
	return p->dropped;
}

void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	if (!p->done) {
		(void)kill(-p->pid, SIGKILL);
		(void)kill(p->pid, SIGKILL);
		while (!try_reap(p, true))
			;
	}
	if (p->outfd >= 0) {
		drain(p);
		if (p->outfd >= 0) {
			loop_del_fd(p->l, p->outfd);
			close(p->outfd);
		}
	}
	note_dropped(p);
	loop_del_fd(p->l, p->pidfd);
	close(p->pidfd);
	if (p->filefd >= 0)
		close(p->filefd);
	loop_timer_cancel(p->l, p->deadline_timer);
	loop_timer_cancel(p->l, p->kill_timer);
	free(p);
}

static bool
proc_is_done(void *arg)
{
	return ((struct proc *)arg)->done;
}

int
proc_run(struct loop *l, const struct proc_spec *s, char *err, size_t errlen)
{
	struct proc *p;
	int st;

	if (proc_spawn(l, s, NULL, NULL, &p, err, errlen) < 0)
		return -1;
	(void)loop_run_until(l, proc_is_done, p, UINT64_MAX);
	if (!p->done)   /* the loop gave up (cannot happen: the pidfd is in it) */
		(void)try_reap(p, true);
	drain(p);
	note_dropped(p);
	st = p->status;
	proc_free(p);
	return st;
}

/* --- the teardown backstop --- */

int
proc_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* ppid and state of pid from /proc/PID/stat; -1 if gone. */
static int
stat_of(pid_t pid, pid_t *ppid, char *state)
{
	char path[64], line[512];
	FILE *f;
	char *rp;
	int pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	rp = fgets(line, sizeof(line), f);
	fclose(f);
	if (rp == NULL || (rp = strrchr(line, ')')) == NULL)
		return -1;
	if (sscanf(rp + 1, " %c %d", state, &pp) != 2)
		return -1;
	*ppid = (pid_t)pp;
	return 0;
}

/* A SIGKILL is pending for pid: it is dying, not left behind. */
static bool
dying(pid_t pid)
{
	char path[64], line[256];
	unsigned long long mask;
	bool hit = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return true;   /* gone */
	while (!hit && fgets(line, sizeof(line), f) != NULL)
		if ((sscanf(line, "ShdPnd: %llx", &mask) == 1 ||
		    sscanf(line, "SigPnd: %llx", &mask) == 1) &&
		    (mask & (1ULL << (SIGKILL - 1))) != 0)
			hit = true;
	fclose(f);
	return hit;
}

/* Is pid one of keep[0..nkeep)? */
static bool
kept(pid_t pid, const pid_t *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == pid)
			return true;
	return false;
}

/* Live descendants of this process, into *v, except the keep pids and
 * their own descendants; *ndying (may be NULL) counts those that are
 * dying (SIGKILL pending, not zombies yet); zombies among our direct
 * children that are not kept go to *z (may be NULL). */
static size_t
descendants(const pid_t *keep, size_t nkeep, pid_t **v, size_t *ndying,
    pid_t **z, size_t *nz)
{
	pid_t self = getpid(), *all = NULL, *par = NULL;
	size_t n = 0, cap = 0, nd = 0;
	char *zomb = NULL;
	struct dirent *de;
	DIR *d = opendir("/proc");

	*v = NULL;
	if (ndying != NULL)
		*ndying = 0;
	if (z != NULL)
		*z = NULL;
	if (nz != NULL)
		*nz = 0;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(de->d_name), pp;
		char st;
		if (pid <= 0 || pid == self || kept(pid, keep, nkeep) ||
		    stat_of(pid, &pp, &st) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			all = xrealloc(all, cap * sizeof(*all));
			par = xrealloc(par, cap * sizeof(*par));
			zomb = xrealloc(zomb, cap);
		}
		all[n] = pid;
		par[n] = pp;
		zomb[n++] = st == 'Z';
	}
	closedir(d);
	/* transitive closure: mark until nothing changes (kept pids are not
	 * in all[], so their subtrees are never reached) */
	bool *mark = xcalloc(n ? n : 1, sizeof(*mark)), changed = true;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (mark[i])
				continue;
			bool hit = par[i] == self;
			for (size_t j = 0; j < n && !hit; j++)
				hit = mark[j] && all[j] == par[i];
			if (hit)
				mark[i] = changed = true;
		}
	}
	*v = xcalloc(n ? n : 1, sizeof(**v));
	if (z != NULL)
		*z = xcalloc(n ? n : 1, sizeof(**z));
	for (size_t i = 0; i < n; i++) {
		if (!mark[i])
			continue;
		if (!zomb[i] && dying(all[i])) {
			if (ndying != NULL)
				(*ndying)++;
		} else if (!zomb[i]) {
			(*v)[nd++] = all[i];
		} else if (z != NULL && par[i] == self)
			(*z)[(*nz)++] = all[i];
	}
	free(mark);
	free(all);
	free(par);
	free(zomb);
	return nd;
}

/* Reap our zombie children: every one (keep == NULL), or only those
 * that are not kept (the caller reaps its kept children itself). */
static void
reap_zombies(const pid_t *keep, size_t nkeep)
{
	pid_t *v, *z;
	size_t nz;

	if (keep == NULL) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		return;
	}
	(void)descendants(keep, nkeep, &v, NULL, &z, &nz);
	for (size_t i = 0; i < nz; i++)
		(void)waitpid(z[i], NULL, WNOHANG);
	free(v);
	free(z);
}

/* Descendants not gone yet, the dying included. */
static size_t
count_left(const pid_t *keep, size_t nkeep)
{
	pid_t *v;
	size_t n, nd;

	reap_zombies(keep, nkeep);
	n = descendants(keep, nkeep, &v, &nd, NULL, NULL);
	free(v);
	return n + nd;
}

static unsigned
kill_tree(const pid_t *keep, size_t nkeep, unsigned grace_ms)
{
	pid_t *v;
	size_t n = descendants(keep, nkeep, &v, NULL, NULL, NULL);
	unsigned found = (unsigned)n;   /* the dying are not left behind */
	struct timespec tick = { 0, 20 * 1000000L };

	for (size_t i = 0; i < n; i++) {
		log_info("proc", "teardown: pid %d left behind, SIGTERM", (int)v[i]);
		(void)kill(v[i], SIGTERM);
	}
	free(v);
	for (unsigned waited = 0; found > 0 && waited < grace_ms; waited += 20) {
		if (count_left(keep, nkeep) == 0)
			break;
		nanosleep(&tick, NULL);
	}
	n = descendants(keep, nkeep, &v, NULL, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		log_info("proc", "teardown: pid %d ignored SIGTERM, SIGKILL", (int)v[i]);
		(void)kill(v[i], SIGKILL);
	}
	free(v);
	for (unsigned waited = 0; waited < 2000; waited += 20) {
		if ((n = count_left(keep, nkeep)) == 0)
			break;
		nanosleep(&tick, NULL);
	}
	reap_zombies(keep, nkeep);
	return found;
}

unsigned
proc_kill_descendants(unsigned grace_ms)
{
	return kill_tree(NULL, 0, grace_ms);
}

unsigned
proc_kill_orphans(const pid_t *keep, size_t nkeep, unsigned grace_ms)
{
	static const pid_t none = 0;

	return kill_tree(nkeep ? keep : &none, nkeep, grace_ms);
}
