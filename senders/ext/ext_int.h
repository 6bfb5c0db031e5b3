/*
 * ext internals: the parsed sender profile (ext_profile.c) and template
 * expansion, shared by ext_run.c.
 */
#ifndef MXSIM_EXT_INT_H
#define MXSIM_EXT_INT_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v;
	size_t n;
};

struct ext_file {
	char *name;     /* below WORK */
	char *text;     /* template */
};

struct ext_profile {
	char *path;
	char *name;            /* profile name (file name without .conf) */
	char *mode;            /* the chosen mode */
	char *description;
	struct strv modes;
	struct strv requires;  /* programs that must be installed */
	struct strv supports;  /* features (README) */
	struct strv env;       /* "K=V" for every command (templates) */
	struct strv vars;      /* "NAME=value" template variables (var = ...) */
	struct strv binds;     /* "SRC DST" bind mounts (templates) */
	struct strv setup, daemon, phase, teardown;   /* commands (templates) */
	char *relay;           /* submit a message as an MTA: MX lookup */
	char *submission;      /* submit to SUBMIT_HOST:SUBMIT_PORT */
	char *wait;            /* exits 0 when the message is finished; NULL:
	                        * the submit command's exit is the end */
	char *queue_id;        /* ERE, one group: the sender's id for the message
	                        * in an evidence line (${QUEUE_ID} in finished) */
	char *finished;        /* ERE on new evidence lines: the message is
	                        * finished (read natively, no command) */
	struct strv evidence;  /* log files (templates), relative to WORK */
	char *evidence_match;  /* ERE; NULL: every new line */
	char *delivered_match, *deferred_match, *bounced_match; /* EREs on evidence */
	unsigned timeout_s;    /* per message: submit + wait */
	unsigned cmd_timeout_s;/* setup, daemon start, teardown commands */
	unsigned poll_ms;
	struct ext_file *files;
	size_t nfiles;
};

void strv_push(struct strv *s, const char *v);
void strv_free(struct strv *s);
bool strv_has(const struct strv *s, const char *v);

/* Load profile name[:mode] ("postfix:dane", "path/x.conf:tls").  The
 * default mode is the first of `modes`.  NULL with err. */
struct ext_profile *ext_profile_load(const char *name, char *err, size_t errlen);
void ext_profile_free(struct ext_profile *p);

/* ${VAR} expansion; vars is "NAME=value" strings.  Unknown names are
 * left as they are (the shell may know them). */
char *ext_expand(const char *tmpl, const struct strv *vars);

#include <stdint.h>
#include <sys/types.h>

#include "core/loop.h"
#include "core/proc.h"
#include "senders/ext/ext.h"

/* One real sender for one scenario (ext.h).  ext_run.c: set-up, phases,
 * teardown; ext_msg.c: the message in flight. */
struct ext {
	struct loop *l;
	struct ext_profile *p;
	char *work, *state;
	bool faketime;
	struct strv base;         /* variables for the whole scenario */
	struct strv phasev;       /* variables of the current phase */
	struct strv env;          /* expanded env for commands */
	struct proc_mount *mounts;
	size_t nmounts;
	struct proc_mount *live;  /* the mounts of the command being started */
	char **bind_src, **bind_dst;
	struct proc **daemons;
	size_t ndaemons;
	int phase;
	bool submitting;          /* this phase: submission, not relay */
	bool started;             /* files written, setup run (first phase) */
	unsigned nmsgs;           /* messages submitted so far */
	bool stopped;             /* ext_stop() ran */
	double t_send;            /* when the message in flight was submitted */
	struct strv msgv;         /* variables of the message in flight */
	char unsup[512];
	struct ext_times times;   /* the sender's own time, by kind */
	/* the message in flight */
	struct proc *submit;
	uint64_t poll_timer, deadline_timer;
	struct proc *waitp;
	bool busy, submit_done;
	int submit_status;
	ext_done_cb *done;
	void *done_arg;
	off_t *ev_off;            /* per evidence file: size at submission */
	off_t *scan_off;          /* per evidence file: read up to here (finished) */
	char *queue_id;           /* the message's id once queue_id matched */
	struct strv evidence;
};

/* ext_run.c helpers shared with ext_msg.c */
double ext_mono_ms(void);
void ext_setvar(struct strv *v, const char *name, const char *val);
/* ${VAR} expansion with the scenario's, phase's and extra variables */
char *ext_vexpand(struct ext *e, const char *tmpl, const struct strv *extra);
char *ext_work_path(const struct ext *e, const char *name);
/* ext_msg.c: the path of the profile's evidence file i (expanded; under
 * WORK unless absolute) */
char *ext_evidence_path(struct ext *e, size_t i);
void ext_log_line(const struct ext *e, const char *file, const char *fmt, const char *arg);
/* a command's spec: env, cwd WORK, the mounts whose sources exist */
void ext_spec_for(struct ext *e, struct proc_spec *s, const char **argv,
	const char *out, const char *in, unsigned timeout_s);
int ext_write_file(const char *path, const char *text, char *err, size_t errlen);
/* stop the message in flight (no callback) */
void ext_stop_message(struct ext *e);
/* ext_scan.c: the profile's `finished` read from the evidence files */
void ext_scan_reset(struct ext *e);
bool ext_scan_finished(struct ext *e);

#endif
