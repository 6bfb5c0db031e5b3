/*
 * runner: runs one scenario against one sender and fills its results.
 *
 * Each scenario gets a fresh event loop (virtual clock starting at the
 * scenario clock), a fresh recorder and a PKI from the seed; the seeded RNG
 * is reset to (seed, scenario id) so that a scenario's bytes do not depend
 * on what ran before it.  Phases run in order; the world is rebuilt for
 * each phase from its resolved description.
 */
#ifndef MXSIM_RUNNER_H
#define MXSIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/result.h"
#include "sim/scenario.h"

struct capture;

struct run_opts {
	uint64_t seed;
	const char *sender;     /* "builtin", "builtin:opportunistic", ... */
	struct capture *capture; /* every scenario's traffic goes here; NULL: none */
	const char *out;        /* output folder: real senders' work folders go
	                         * to OUT/senders/<scenario>; NULL: mxsim-out */
	bool faketime;          /* real senders run under libfaketime at the
	                         * scenario clock (--faketime) */
	unsigned slot;          /* the scenario's position in the whole run: its
	                         * capture numbering (capture_begin_slot) */
};

/* Whether a sender name is known; fills a message otherwise. */
int runner_check_sender(const char *name, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Run the scenario; rs (from res_run_add) gets everything.  Returns 0, or
 * -1 when the world could not be built (rs->verdict "error"). */
int runner_run(const struct scenario *scn, const struct run_opts *o,
	struct res_scenario *rs);

/* Mark rs as cut short by the stop signal (core/loop.h): verdict
 * "error", the signal as reason. */
void runner_mark_interrupted(struct res_scenario *rs);

/* Fill rs for a scenario that failed to load. */
void runner_load_error(const char *id, const char *path, const char *err,
	const char *sender, struct res_scenario *rs);

#endif
