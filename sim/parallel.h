/*
 * parallel: `mxsim run -j N`, scenarios in worker processes.
 *
 * The parent forks N workers; each enters its own user, network and
 * mount namespaces (core/netns.h), so every worker has its own
 * 127.0.0.0/8 and the world addresses of sim/world.h never collide.
 * The parent hands out scenarios one at a time over a socketpair (the
 * next one to whichever worker finishes first); a worker loads and runs
 * the scenario and leaves its results (sim/res_io.h), log and capture in
 * a work folder inside the output folder.  When every scenario is done
 * the parent reads the parts back in scenario order: the results model,
 * mxsim.log and the capture (sim/capcat.h) come out as a serial run
 * writes them, and the work folder is removed.
 *
 * A worker that dies (a crash, a signal) costs the scenario it was
 * running, which gets the verdict "error" with the cause as reason, and
 * is replaced while scenarios remain; the processes it left are killed.
 *
 * Interrupted (the caller's SIGINT/SIGTERM handler is loop_stop_handler,
 * core/loop.h): the signal goes on to the workers,
 * whose running scenarios end as errors "interrupted by SIG..."; the
 * scenarios handed out so far are gathered as usual, the others are left
 * out, and par_run() returns 0.  The work folder is removed in any case.
 */
#ifndef MXSIM_PARALLEL_H
#define MXSIM_PARALLEL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/result.h"
#include "core/util.h"

struct par_job {
	const char *file;       /* scenario file */
	const char *id;         /* scenario id */
	unsigned slot;          /* its position in the whole (unsharded) run */
};

/* Called in the parent as scenarios finish: done of total, failures so
 * far, the id of the one that just finished. */
typedef void par_progress_cb(size_t done, size_t total, unsigned failed,
	const char *id, void *arg);

struct par_opts {
	uint64_t seed;
	const char *sender;
	unsigned total;         /* scenarios of the whole run (results.bin) */
	const char *out;        /* output folder (must exist) */
	bool capture;           /* write out/capture.pcap, keylog.txt, capture.json */
	bool faketime;          /* run_opts.faketime for real senders */
	unsigned workers;       /* >= 1 */
	par_progress_cb *progress;
	void *arg;
};

/* Run jobs[0..n) and append one res_scenario per job to run, in job
 * order; append the scenario logs to logf (may be NULL).  0, or -1 with
 * a message in err when the run itself failed (no work folder, no
 * process); scenario failures are results, not errors. */
int par_run(const struct par_job *jobs, size_t n, const struct par_opts *po,
	struct res_run *run, FILE *logf, char *err, size_t errlen) WUR;

#endif
