/*
 * runner internals shared by runner.c (the reference sender) and
 * runner_ext.c (real senders run from profiles, senders/ext).
 */
#ifndef MXSIM_RUNNER_INT_H
#define MXSIM_RUNNER_INT_H

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/result.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/verdict.h"
#include "sim/world.h"

/* DANE: what each MX host published in each phase, copied from the
 * worlds (each lives for one phase) for the verdict. */
struct dane_log {
	struct verdict_dane *v;
	size_t n;
};

void runner_dane_note(struct dane_log *dl, const struct world *w, unsigned phase,
	bool required);
void runner_dane_log_free(struct dane_log *dl);
/* The test message (Message-ID <PHASE.MSG.ID@mxsim.test>); caller frees. */
char *runner_make_body(const struct scenario *scn, unsigned phase, unsigned msg,
	time_t now);
void runner_fill_header(const struct scenario *scn, const struct run_opts *o,
	struct res_scenario *rs);

static inline bool
runner_is_builtin(const char *sender)
{
	return strcmp(sender, "builtin") == 0 || strncmp(sender, "builtin:", 8) == 0;
}

/* runner_run() for a real sender (runner_ext.c). */
int runner_ext_run(const struct scenario *scn, const struct run_opts *o,
	struct res_scenario *rs);

#endif
