/*
 * outputs: the files of an output folder that come from the results
 * model, written the same way by `mxsim run` (serial or -j), `mxsim
 * merge` and `mxsim shell`: results.json, tlsrpt/, junit.xml, report.tap,
 * report.html and results.bin (the lossless model that `mxsim merge`
 * reads, sim/res_io.h).  The capture files and mxsim.log are written by
 * their owners (core/capture.h, sim/capcat.h, the CLI).
 *
 * Sharding (`--shard K/N`): the scenarios, in their stable order (the
 * order of `mxsim list`), are cut into N contiguous parts of sizes that
 * differ by at most one; shard K (1-based) runs part K.  A scenario keeps
 * its position in the whole run (its slot) whatever shard runs it, so
 * the shards' captures and results merge into what one run writes.
 */
#ifndef MXSIM_OUTPUTS_H
#define MXSIM_OUTPUTS_H

#include <stddef.h>

#include "core/result.h"
#include "core/util.h"
#include "sim/res_io.h"

/* Write every report file of run into out (which exists); place may be
 * NULL (a whole run).  Messages "mxsim: cannot write PATH: ..." go to
 * stderr; 0, or -1 if any file failed. */
int outputs_write(const struct res_run *run, const char *out,
	const struct resio_place *place) WUR;

/* Parse "K/N" (1 <= K <= N <= 100000): 0, or -1 with a message. */
int shard_parse(const char *s, unsigned *k, unsigned *n, char *err,
	size_t errlen) WUR;
/* The slots [*lo, *hi) of shard k of n for a run of total scenarios. */
void shard_range(size_t total, unsigned k, unsigned n, size_t *lo, size_t *hi);

#endif
