/*
 * proc: supervised child processes (real senders, daemons, `mxsim shell`).
 *
 * proc_spawn() forks and execs a command inside the caller's network
 * namespace (children inherit it).  Before exec the child gets a private
 * mount namespace of its own (unshare(CLONE_NEWNS)) where the spec's
 * mounts are made: bind mounts (a private /etc/resolv.conf, copies of
 * /etc/passwd) and tmpfs (/dev/shm); the caller's mounts never change and
 * nothing needs unmounting afterwards.  The child leads a new process
 * group; stdout and stderr go through a pipe that the loop drains into
 * out_path, at most out_cap bytes (the rest is counted and dropped, so a
 * flood of output cannot fill the disk or block the child).
 *
 * Exit is seen through a pidfd (pidfd_open) registered in the loop: no
 * signal handler, no global state; the loop keeps serving the world while
 * children run.  The loop must be a LOOP_REAL loop (a LOOP_SKIP loop would
 * jump its clock to the deadline).  Deadlines are on the loop's clock: at
 * the deadline the whole process group gets SIGTERM, and SIGKILL
 * PROC_GRACE_MS later.
 *
 * Daemons that leave their process group (setsid, double fork) are caught
 * by proc_subreaper() + proc_kill_descendants(): with the subreaper flag,
 * orphaned descendants are re-parented to this process instead of init, so
 * the teardown can find every one of them in /proc and kill it.
 *
 * Ownership: a struct proc belongs to the caller until proc_free(), which
 * kills a running child (group SIGKILL), reaps it and closes every fd.
 * The exit callback may not free its own proc (free it after dispatch).
 */
#ifndef MXSIM_PROC_H
#define MXSIM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/loop.h"

#define PROC_GRACE_MS 2000           /* SIGTERM -> SIGKILL */
#define PROC_OUT_CAP (1024 * 1024)   /* default bytes of output kept */

struct proc;

enum proc_mount_kind { PROC_BIND, PROC_TMPFS };

struct proc_mount {
	enum proc_mount_kind kind;
	const char *src;     /* PROC_BIND: the file or folder mounted; else NULL */
	const char *dst;     /* must exist */
};

struct proc_spec {
	const char *const *argv;     /* argv[0] is looked up in PATH */
	const char *const *env;      /* extra "K=V" on top of environ, NULL-terminated; or NULL */
	const char *cwd;             /* NULL: inherit */
	const char *stdin_path;      /* NULL: /dev/null */
	const char *out_path;        /* stdout+stderr appended here; NULL: discarded */
	size_t out_cap;              /* bytes kept in out_path; 0: PROC_OUT_CAP */
	uint64_t timeout_ms;         /* on the loop clock; 0: none */
	const struct proc_mount *mounts;
	size_t nmounts;
	bool inherit_stdio;          /* mxsim shell: the terminal, not a pipe */
};

/* Called once when the child has exited and been reaped (output drained). */
typedef void proc_cb(struct proc *p, void *arg);

/* Start a child.  0, or -1 with a message in err (fork/pipe/pidfd
 * failures; an exec or mount failure in the child shows up as exit code
 * 127 with the reason in out_path). */
int proc_spawn(struct loop *l, const struct proc_spec *spec, proc_cb *cb,
	void *arg, struct proc **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

bool proc_done(const struct proc *p);        /* exited and reaped */
pid_t proc_pid(const struct proc *p);
/* Exit status once done: exit code, or 128+signal when killed. */
int proc_status(const struct proc *p);
bool proc_timed_out(const struct proc *p);   /* the deadline killed it */
size_t proc_dropped(const struct proc *p);   /* output bytes over out_cap */

/* SIGTERM to the group now, SIGKILL PROC_GRACE_MS later (if still alive). */
void proc_kill(struct proc *p);
/* NULL is a no-op.  A running child's group is killed (SIGKILL) and reaped. */
void proc_free(struct proc *p);

/* Spawn and serve the loop until the child is done (or the deadline has
 * killed it).  Returns proc_status(), or -1 with err when it could not
 * start. */
int proc_run(struct loop *l, const struct proc_spec *spec, char *err,
	size_t errlen);

/* Make this process the reaper of its orphaned descendants.  0 or -1. */
int proc_subreaper(void);
/* Every descendant of this process still alive: SIGTERM, wait up to
 * grace_ms for them to exit, SIGKILL the rest, reap.  Returns how many
 * were found.  Procs still owned by the caller are killed too; free them
 * afterwards (their reaping is then a no-op). */
unsigned proc_kill_descendants(unsigned grace_ms);
/* The same for orphans only: every descendant except the keep pids
 * (children the caller still supervises, e.g. `mxsim run -j` workers)
 * and their own descendants.  With proc_subreaper(), what a dead child
 * left behind is re-parented to us and found here.  Only zombies that
 * are not kept are reaped.  Returns how many were found. */
unsigned proc_kill_orphans(const pid_t *keep, size_t nkeep, unsigned grace_ms);

#endif
