/*
 * ext_run: set-up, phases and teardown of a real sender (ext_msg.c has
 * the message in flight).  See ext.h.
 *
 * Every command is "sh -c TEMPLATE" after ${VAR} expansion, run with
 * core/proc in a private mount namespace (resolv.conf, /dev/shm, the
 * profile's binds), in WORK, with its output appended to
 * WORK/commands.log (daemons: WORK/daemon-N.log).  A message is written
 * to WORK/msg-P-N.eml and given on stdin to the `relay` or `submission`
 * command; then `wait` is polled every poll_ms until it exits 0 (or the
 * submit command's exit ends the message when there is no `wait`).  The
 * outcome comes from the `delivered` / `deferred` / `bounced` patterns on
 * the evidence lines, else from the submit command's exit code.
 *
 * Logs (where "ext"): each command with its exit status.
 */
#include "senders/ext/ext.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/proc.h"
#include "core/util.h"
#include "senders/ext/ext_int.h"

#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"



const char *
ext_result_name(enum ext_result r)
{
	static const char *const names[] = { "delivered", "deferred", "bounced",
		"failed", "still trying at the deadline" };
	return (unsigned)r < ARRAY_LEN(names) ? names[r] : "?";
}

double
ext_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
ext_setvar(struct strv *v, const char *name, const char *val)
{
	char *kv = xasprintf("%s=%s", name, val ? val : "");
	size_t nl = strlen(name);

	for (size_t i = 0; i < v->n; i++) {
		if (strncmp(v->v[i], name, nl) == 0 && v->v[i][nl] == '=') {
			free(v->v[i]);
			v->v[i] = kv;
			return;
		}
	}
	strv_push(v, kv);
	free(kv);
}

/* base + phase + extra, in that order (later wins in ext_expand: no,
 * first wins: so the most specific goes first). */
static struct strv
all_vars(struct ext *e, const struct strv *extra)
{
	struct strv v = { 0 };

	for (size_t i = 0; extra != NULL && i < extra->n; i++)
		strv_push(&v, extra->v[i]);
	for (size_t i = 0; i < e->phasev.n; i++)
		strv_push(&v, e->phasev.v[i]);
	for (size_t i = 0; i < e->base.n; i++)
		strv_push(&v, e->base.v[i]);
	return v;
}

char *
ext_vexpand(struct ext *e, const char *tmpl, const struct strv *extra)
{
	struct strv v = all_vars(e, extra);
	char *s = ext_expand(tmpl, &v);

	/* variables may hold templates (var = CMD=... ${RCPT}): a few rounds */
	for (int round = 0; round < 4 && strstr(s, "${") != NULL; round++) {
		char *t = ext_expand(s, &v);
		bool same = strcmp(s, t) == 0;
		free(s);
		s = t;
		if (same)
			break;
	}
	strv_free(&v);
	return s;
}

char *
ext_work_path(const struct ext *e, const char *name)
{
	return xasprintf("%s/%s", e->work, name);
}

void
ext_log_line(const struct ext *e, const char *file, const char *fmt, const char *arg)
{
	char *path = ext_work_path(e, file);
	FILE *f = fopen(path, "a");

	if (f != NULL) {
		fprintf(f, fmt, arg);
		fclose(f);
	}
	free(path);
}

void
ext_spec_for(struct ext *e, struct proc_spec *s, const char **argv, const char *out,
    const char *in, unsigned timeout_s)
{
	memset(s, 0, sizeof(*s));
	s->argv = argv;
	s->env = (const char *const *)e->env.v;
	s->cwd = e->work;
	s->out_path = out;
	s->stdin_path = in;
	s->timeout_ms = (uint64_t)timeout_s * 1000;
	/* a bind whose source does not exist yet (a setup command makes it)
	 * is left out of this command's view */
	size_t n = 0;
	for (size_t i = 0; i < e->nmounts; i++) {
		if (e->mounts[i].kind == PROC_BIND && access(e->mounts[i].src, F_OK) != 0)
			continue;
		e->live[n++] = e->mounts[i];
	}
	s->mounts = e->live;
	s->nmounts = n;
}

/* Run one command template to its end.  Returns its status, -1 when it
 * could not start. */
static int
run_cmd(struct ext *e, const char *tmpl, double *acct, unsigned timeout_s,
    char *err, size_t errlen)
{
	char *cmd = ext_vexpand(e, tmpl, NULL), *out = ext_work_path(e, "commands.log");
	const char *argv[] = { "sh", "-c", cmd, NULL };
	struct proc_spec s;
	double t0 = ext_mono_ms();
	int st;

	ext_log_line(e, "commands.log", "$ %s\n", cmd);
	ext_spec_for(e, &s, argv, out, NULL, timeout_s);
	st = proc_run(e->l, &s, err, errlen);
	*acct += ext_mono_ms() - t0;
	char note[96];
	snprintf(note, sizeof(note), "# exit %d after %.0f ms\n", st, ext_mono_ms() - t0);
	ext_log_line(e, "commands.log", "%s", note);
	log_info("ext", "%s: \"%s\" exited %d", e->p->name, cmd, st);
	if (st != 0 && st != -1)
		snprintf(err, errlen, "the command \"%s\" of profile %s exited with "
		    "status %d (output in %s)", cmd, e->p->path, st, out);
	free(cmd);
	free(out);
	return st;
}

int
ext_write_file(const char *path, const char *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	int bad = fputs(text, f) < 0;
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
mkdir_p(const char *path)
{
	char *copy = xstrdup(path);

	for (char *s = copy + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			(void)mkdir(copy, 0755);
			*s = '/';
		}
	}
	int rc = mkdir(copy, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(copy);
	return rc;
}

static int
program_exists(const char *prog)
{
	const char *path = getenv("PATH");
	char *list, *save = NULL;
	int found = 0;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	list = xstrdup(path ? path : "/usr/bin:/bin");
	/* sbin folders count too: root's tools (postfix) live there */
	char *all = xasprintf("%s:/usr/sbin:/sbin:/usr/local/sbin", list);
	for (char *d = strtok_r(all, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, prog);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(all);
	free(list);
	return found;
}

static int
check_requires(const struct ext_profile *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->requires.n; i++) {
		if (!program_exists(p->requires.v[i])) {
			snprintf(err, errlen, "sender %s:%s needs \"%s\", which is not "
			    "installed (make deps installs the Debian packages; %s says "
			    "what the profile needs)", p->name, p->mode, p->requires.v[i],
			    p->path);
			return -1;
		}
	}
	return 0;
}

int
ext_check(const char *name, char *err, size_t errlen)
{
	struct ext_profile *p = ext_profile_load(name, err, errlen);
	int rc;

	if (p == NULL)
		return -1;
	rc = check_requires(p, err, errlen);
	ext_profile_free(p);
	return rc;
}

/* The offset of the loop's wall clock from the real one, for libfaketime. */
static void
write_faketime(struct ext *e)
{
	char off[64];
	long d = (long)(loop_wallclock(e->l) - time(NULL));
	char *path = ext_work_path(e, "faketime");
	char *tmp = xasprintf("%s.new", path);

	snprintf(off, sizeof(off), "%+ld\n", d);
	char err[128];
	/* senders run with FAKETIME_NO_CACHE=1: a long-lived process (a
	 * Postfix smtp(8) kept idle between phases) reads the offset at its
	 * next clock call, so the file is replaced whole, never seen half
	 * written */
	if (ext_write_file(tmp, off, err, sizeof(err)) == 0 && rename(tmp, path) != 0)
		(void)unlink(tmp);
	free(tmp);
	free(path);
}

static void
base_vars(struct ext *e, const struct ext_config *cfg)
{
	char *dir = xstrdup(e->p->path), *slash = strrchr(dir, '/');

	if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	char *absdir = realpath(dir, NULL);
	ext_setvar(&e->base, "WORK", e->work);
	ext_setvar(&e->base, "STATE", e->state);
	/* shared by the scenarios (and -j workers) of one output folder:
	 * set-up that costs and does not depend on the scenario */
	char *cache = xstrdup(e->work), *cslash = strrchr(cache, '/');
	if (cslash != NULL && cslash != cache)
		*cslash = '\0';
	char *cdir = xasprintf("%s/.cache", cache);
	(void)mkdir(cdir, 0755);
	ext_setvar(&e->base, "CACHE", cdir);
	free(cdir);
	free(cache);
	ext_setvar(&e->base, "PROFILE_DIR", absdir ? absdir : dir);
	char *ca = ext_work_path(e, "ca.pem");
	ext_setvar(&e->base, "CA", ca);
	free(ca);
	ext_setvar(&e->base, "DNS", cfg->dns_ip);
	ext_setvar(&e->base, "SENDER_IP", cfg->sender_ip);
	ext_setvar(&e->base, "MODE", e->p->mode);
	ext_setvar(&e->base, "HELO", "sender.mxsim.test");
	if (cfg->faketime) {
		char *ts = ext_work_path(e, "faketime");
		char *envs = xasprintf("LD_PRELOAD=%s FAKETIME_TIMESTAMP_FILE=%s "
		    "FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1",
		    FAKETIME_LIB, ts);
		ext_setvar(&e->base, "FAKETIME_ENV", envs);
		ext_setvar(&e->base, "FAKETIME_LIB", FAKETIME_LIB);
		ext_setvar(&e->base, "FAKETIME_FILE", ts);
		free(envs);
		free(ts);
	} else {
		ext_setvar(&e->base, "FAKETIME_ENV", "");
		ext_setvar(&e->base, "FAKETIME_LIB", "");
		ext_setvar(&e->base, "FAKETIME_FILE", "");
	}
	free(absdir);
	free(dir);
	/* the profile's own variables, expanded in order */
	for (size_t i = 0; i < e->p->vars.n; i++) {
		char *kv = ext_vexpand(e, e->p->vars.v[i], NULL), *eq = strchr(kv, '=');
		*eq = '\0';
		ext_setvar(&e->base, kv, eq + 1);
		free(kv);
	}
}

static void
build_env(struct ext *e)
{
	strv_free(&e->env);
	strv_push(&e->env, "LANG=C");
	strv_push(&e->env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (size_t i = 0; i < e->p->env.n; i++) {
		char *s = ext_vexpand(e, e->p->env.v[i], NULL);
		strv_push(&e->env, s);
		free(s);
	}
	if (e->faketime) {
		char *ts = ext_work_path(e, "faketime");
		char *a = xasprintf("FAKETIME_TIMESTAMP_FILE=%s", ts);
		strv_push(&e->env, "LD_PRELOAD=" FAKETIME_LIB);
		strv_push(&e->env, a);
		strv_push(&e->env, "FAKETIME_NO_CACHE=1");
		strv_push(&e->env, "FAKETIME_DONT_FAKE_MONOTONIC=1");
		free(a);
		free(ts);
	}
}

static int
build_mounts(struct ext *e, char *err, size_t errlen)
{
	char *resolv = ext_work_path(e, "resolv.conf");
	char *dns = ext_vexpand(e, "${DNS}", NULL);
	char *text = xasprintf("nameserver %s\noptions trust-ad\n", dns);
	free(dns);
	int rc = ext_write_file(resolv, text, err, errlen);
	free(text);
	if (rc < 0) {
		free(resolv);
		return -1;
	}
	e->nmounts = 2 + e->p->binds.n;
	e->mounts = xcalloc(e->nmounts, sizeof(*e->mounts));
	e->live = xcalloc(e->nmounts, sizeof(*e->live));
	e->bind_src = xcalloc(e->nmounts, sizeof(char *));
	e->bind_dst = xcalloc(e->nmounts, sizeof(char *));
	e->bind_src[0] = resolv;
	e->bind_dst[0] = xstrdup("/etc/resolv.conf");
	e->mounts[0] = (struct proc_mount){ PROC_BIND, e->bind_src[0], e->bind_dst[0] };
	e->bind_dst[1] = xstrdup("/dev/shm");
	e->mounts[1] = (struct proc_mount){ PROC_TMPFS, NULL, e->bind_dst[1] };
	for (size_t i = 0; i < e->p->binds.n; i++) {
		char *b = ext_vexpand(e, e->p->binds.v[i], NULL), *sp = strchr(b, ' ');
		if (sp == NULL) {
			snprintf(err, errlen, "%s: bind wants \"SRC DST\", got \"%s\"",
			    e->p->path, b);
			free(b);
			return -1;
		}
		*sp = '\0';
		e->bind_src[2 + i] = xstrdup(b);
		e->bind_dst[2 + i] = xstrdup(sp + 1);
		e->mounts[2 + i] = (struct proc_mount){ PROC_BIND, e->bind_src[2 + i],
			e->bind_dst[2 + i] };
		free(b);
	}
	return 0;
}

static int
start_daemons(struct ext *e, char *err, size_t errlen)
{
	for (size_t i = 0; i < e->p->daemon.n; i++) {
		char *cmd = ext_vexpand(e, e->p->daemon.v[i], NULL);
		char name[64];
		snprintf(name, sizeof(name), "daemon-%zu.log", i + 1);
		char *out = ext_work_path(e, name);
		const char *argv[] = { "sh", "-c", cmd, NULL };
		struct proc_spec s;
		struct proc *p;

		ext_log_line(e, name, "$ %s\n", cmd);
		ext_spec_for(e, &s, argv, out, NULL, 0);
		int rc = proc_spawn(e->l, &s, NULL, NULL, &p, err, errlen);
		free(cmd);
		free(out);
		if (rc < 0)
			return -1;
		e->daemons = xrealloc(e->daemons, (e->ndaemons + 1) * sizeof(*e->daemons));
		e->daemons[e->ndaemons++] = p;
	}
	return 0;
}

static void rm_rf(struct ext *e, const char *path);

struct ext *
ext_new(struct loop *l, const struct ext_config *cfg, char *err, size_t errlen)
{
	struct ext_profile *p = ext_profile_load(cfg->name, err, errlen);
	struct ext *e;

	if (p == NULL)
		return NULL;
	if (check_requires(p, err, errlen) < 0) {
		ext_profile_free(p);
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	e->l = l;
	e->p = p;
	e->faketime = cfg->faketime;
	/* a fresh folder: nothing of an earlier run may pass for this one's */
	char *stale = realpath(cfg->work, NULL);
	if (stale != NULL)
		rm_rf(e, stale);
	free(stale);
	if (mkdir_p(cfg->work) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", cfg->work, strerror(errno));
		ext_free(e);
		return NULL;
	}
	e->work = realpath(cfg->work, NULL);
	e->state = xasprintf("%s/state", e->work);
	(void)mkdir(e->state, 0755);
	base_vars(e, cfg);
	build_env(e);
	char *ca = ext_work_path(e, "ca.pem");
	int rc = ext_write_file(ca, cfg->ca_pem, err, errlen);
	free(ca);
	if (cfg->faketime)
		write_faketime(e);
	if (rc < 0) {
		ext_free(e);
		return NULL;
	}
	(void)proc_subreaper();
	return e;
}

/* First phase: the files (with the phase's variables), the mounts, the
 * daemons (first, so that setup can wait for them), then setup. */
static int
start(struct ext *e, char *err, size_t errlen)
{
	struct ext_profile *p = e->p;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < p->nfiles; i++) {
		char *path = ext_work_path(e, p->files[i].name);
		char *text = ext_vexpand(e, p->files[i].text, NULL);
		char *slash = strrchr(path, '/');
		*slash = '\0';
		(void)mkdir_p(path);
		*slash = '/';
		rc = ext_write_file(path, text, err, errlen);
		free(path);
		free(text);
	}
	if (rc == 0)
		rc = build_mounts(e, err, errlen);
	double t0 = ext_mono_ms();
	if (rc == 0)
		rc = start_daemons(e, err, errlen);
	e->times.setup += ext_mono_ms() - t0;
	e->started = true;
	for (size_t i = 0; rc == 0 && i < p->setup.n; i++)
		rc = run_cmd(e, p->setup.v[i], &e->times.setup, p->cmd_timeout_s, err, errlen) == 0 ? 0 : -1;
	return rc;
}

const char *
ext_unsupported(struct ext *e, const struct ext_world *w)
{
	const struct strv *s = &e->p->supports;
	const char *need = NULL;

	if (w->submit_host == NULL) {
		if (e->p->relay == NULL)
			need = "relay";
		else if (w->nmx > 1 && !strv_has(s, "mx-fallback"))
			need = "mx-fallback";
	} else if (e->p->submission == NULL) {
		need = "submission";
	} else {
		static const char *const kinds[][2] = { { "implicit", "submit-implicit" },
			{ "starttls", "submit-starttls" }, { "optional", "submit-optional" } };
		for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
			if (w->submit_tls != NULL && strcmp(w->submit_tls, kinds[i][0]) == 0 &&
			    !strv_has(s, kinds[i][1]))
				need = kinds[i][1];
		/* a sender that does not authenticate would pass a credential
		 * scenario for nothing */
		if (need == NULL && w->submit_user != NULL && !strv_has(s, "submit-auth"))
			need = "submit-auth";
	}
	if (need == NULL && w->dane && !strv_has(s, "dane"))
		need = "dane";
	if (need == NULL && w->mta_sts && !strv_has(s, "mta-sts"))
		need = "mta-sts";
	/* the sender must be asked for these per message (RFC 8689 MAIL FROM
	 * REQUIRETLS; the S/MIME encryption of the body): a profile that
	 * cannot ask would be judged on a message it was never given */
	if (need == NULL && w->requiretls && !strv_has(s, "requiretls"))
		need = "requiretls";
	if (need == NULL && w->smime && !strv_has(s, "smime"))
		need = "smime";
	/* a relay's local policy for the domain (sender_tls): the mode must
	 * implement it, or a configuration mismatch would pass for a flaw */
	char policy[64];
	snprintf(policy, sizeof(policy), "policy-%s", w->sender_tls ? w->sender_tls : "may");
	if (need == NULL && w->submit_host == NULL && !strv_has(s, policy))
		need = policy;
	if (need == NULL)
		return NULL;
	snprintf(e->unsup, sizeof(e->unsup), "phase %d needs \"%s\", which sender "
	    "%s:%s does not claim (profile %s)", w->phase, need, e->p->name,
	    e->p->mode, e->p->path);
	return e->unsup;
}

/* s as one single-quoted shell word ("" for NULL) */
static char *
sh_quote(const char *s)
{
	if (s == NULL)
		return xstrdup("");
	char *o = xmalloc(4 * strlen(s) + 3), *d = o;
	*d++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(d, "'\\''", 4);
			d += 4;
		} else {
			*d++ = *s;
		}
	}
	*d++ = '\'';
	*d = '\0';
	return o;
}

int
ext_phase(struct ext *e, const struct ext_world *w, char *err, size_t errlen)
{
	char num[32];

	strv_free(&e->phasev);
	ext_setvar(&e->phasev, "DOMAIN", w->domain);
	ext_setvar(&e->phasev, "MX1", w->mx1 ? w->mx1 : w->domain);
	ext_setvar(&e->phasev, "SUBMIT_HOST", w->submit_host);
	snprintf(num, sizeof(num), "%d", w->submit_port);
	ext_setvar(&e->phasev, "SUBMIT_PORT", w->submit_host ? num : "");
	ext_setvar(&e->phasev, "SUBMIT_TLS", w->submit_tls);
	/* credentials come from the scenario: one shell word each, quoted */
	char *qu = sh_quote(w->submit_user), *qp = sh_quote(w->submit_pass);
	ext_setvar(&e->phasev, "SUBMIT_USER", qu);
	ext_setvar(&e->phasev, "SUBMIT_PASS", qp);
	free(qu);
	free(qp);
	ext_setvar(&e->phasev, "SUBMIT_MECH", w->submit_mech);
	ext_setvar(&e->phasev, "SENDER_TLS", w->sender_tls);
	snprintf(num, sizeof(num), "%d", w->phase);
	ext_setvar(&e->phasev, "PHASE", num);
	if (e->faketime)
		write_faketime(e);
	e->phase = w->phase;
	e->submitting = w->submit_host != NULL;
	if (!e->started)
		return start(e, err, errlen);
	for (size_t i = 0; i < e->p->phase.n; i++)
		if (run_cmd(e, e->p->phase.v[i], &e->times.phase, e->p->cmd_timeout_s, err, errlen) != 0)
			return -1;
	return 0;
}

char **
ext_take_evidence(struct ext *e, size_t *n)
{
	char **v = e->evidence.v;

	*n = e->evidence.n;
	e->evidence.v = NULL;
	e->evidence.n = 0;
	return v;
}

unsigned
ext_loop_fds(const struct ext *e)
{
	unsigned n = 0;

	for (size_t i = 0; i < e->ndaemons; i++)
		n += proc_done(e->daemons[i]) ? 1 : 2;   /* output pipe (+ pidfd) */
	return n;
}

unsigned
ext_loop_timers(const struct ext *e)
{
	return 0;
}

void
ext_times(const struct ext *e, struct ext_times *t)
{
	*t = e->times;
}

double
ext_sender_ms(const struct ext *e)
{
	return e->times.setup + e->times.phase + e->times.msgs + e->times.stop;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		log_warn("ext", "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

/* The state folder may hold sockets, fifos and files of other owners;
 * nftw removes every kind, depth first, never leaving the file system
 * or following a link. */
static void
rm_rf(struct ext *e, const char *path)
{
	double t0 = ext_mono_ms();

	(void)nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	log_info("ext", "removed %s in %.0f ms", path, ext_mono_ms() - t0);
	(void)e;
}

void
ext_stop(struct ext *e)
{
	char err[512];

	if (e == NULL || e->stopped)
		return;
	e->stopped = true;
	if (e->busy)
		ext_stop_message(e);
	for (size_t i = 0; e->started && i < e->p->teardown.n; i++)
		(void)run_cmd(e, e->p->teardown.v[i], &e->times.stop, e->p->cmd_timeout_s, err, sizeof(err));
	double t0 = ext_mono_ms();
	for (size_t i = 0; i < e->ndaemons; i++)
		proc_kill(e->daemons[i]);
	for (size_t i = 0; i < e->ndaemons; i++)
		proc_free(e->daemons[i]);
	free(e->daemons);
	e->daemons = NULL;
	e->ndaemons = 0;
	unsigned left = proc_kill_descendants(PROC_GRACE_MS);
	e->times.stop += ext_mono_ms() - t0;
	if (left > 0)
		log_info("ext", "%s: %u process%s left after teardown, killed", e->p->name,
		    left, left == 1 ? "" : "es");
	if (e->state != NULL)
		rm_rf(e, e->state);
}

void
ext_free(struct ext *e)
{
	if (e == NULL)
		return;
	ext_stop(e);
	for (size_t i = 0; i < e->nmounts; i++) {
		free(e->bind_src[i]);
		free(e->bind_dst[i]);
	}
	free(e->bind_src);
	free(e->bind_dst);
	free(e->mounts);
	free(e->live);
	free(e->ev_off);
	free(e->scan_off);
	free(e->queue_id);
	strv_free(&e->evidence);
	strv_free(&e->msgv);
	strv_free(&e->base);
	strv_free(&e->phasev);
	strv_free(&e->env);
	ext_profile_free(e->p);
	free(e->work);
	free(e->state);
	free(e);
}
