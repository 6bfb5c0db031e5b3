/*
 * res_io: a lossless file form of the results model (core/result.h), so
 * that results can cross process boundaries: -j workers hand each
 * scenario's results to the parent, and `mxsim merge` reads the
 * results.bin of sharded output folders.
 *
 * results.json is for people and tools and leaves things out (the file
 * path, the scenario clock, certificate DER, wall-clock time, bad UTF-8
 * is cleaned); this form keeps every field but the wall-clock time
 * (real_ms, which would make the file differ between identical runs), so
 * a model read back writes exactly the same reports as the one written.
 *
 * Format (all integers little-endian): the magic "MXSIMRES" and a format
 * version (u32), then the run (seed, sender, total, scenario count) and
 * each scenario in order, preceded by its slot.  Strings are a u32 length + 1 (0 for NULL) and the
 * bytes; vectors a u32 count and the items.  The reader checks every
 * length against what is left, so a truncated or corrupt file is an
 * error, never a crash.
 */
#ifndef MXSIM_RES_IO_H
#define MXSIM_RES_IO_H

#include <stddef.h>
#include <stdio.h>

#include "core/result.h"
#include "core/util.h"

/* Where the scenarios of a file sit in the whole run: slots[i] is the
 * position of scenario i in the unsharded scenario order, total the
 * number of scenarios of the whole run (a shard holds some of them). */
struct resio_place {
	unsigned *slots;
	size_t nslots;
	unsigned total;
};
void resio_place_free(struct resio_place *p);

/* Write a run to f: 0, or -1 (errno set) on a write error.  place may be
 * NULL (slots 0, 1, ..., total = the scenario count). */
int resio_write_run(FILE *f, const struct res_run *run,
	const struct resio_place *place) WUR;
/* Write a run of one scenario (what a worker hands back). */
int resio_write_scenario(FILE *f, uint64_t seed, const char *sender,
	const struct res_scenario *s, unsigned slot, unsigned total) WUR;

/* Read a run: 0 and *out (caller frees with res_run_free) and, when
 * place is not NULL, the slots (caller frees with resio_place_free); or
 * -1 with a message in err. */
int resio_read_run(FILE *f, struct res_run **out, struct resio_place *place,
	char *err, size_t errlen) WUR;

/* The same through files: path-named messages. */
int resio_save(const char *path, const struct res_run *run,
	const struct resio_place *place, char *err, size_t errlen) WUR;
int resio_load(const char *path, struct res_run **out,
	struct resio_place *place, char *err, size_t errlen) WUR;

/* Move the scenarios of src to the end of dst (src is left empty). */
void resio_append(struct res_run *dst, struct res_run *src);

#endif
