/*
 * capcat: one run capture (capture.pcap, keylog.txt, capture.json; see
 * core/capture.h) made from parts written elsewhere: the per-scenario
 * captures of -j workers, or the captures of shard output folders.
 *
 * Parts are added in run order.  Frames are copied as they are (each
 * scenario's numbering depends only on its slot, capture_begin_slot), key
 * log lines are written once across the whole file as core/capture does,
 * and the sidecar's frame numbers are renumbered by the frames before the
 * part, so the result is byte for byte the capture a serial run writes.
 */
#ifndef MXSIM_CAPCAT_H
#define MXSIM_CAPCAT_H

#include <stddef.h>

#include "core/util.h"

struct capcat;

/* Create the output files (pcap required, keylog and notes may be NULL):
 * 0, or -1 with a message in err. */
int capcat_open(struct capcat **out, const char *pcap, const char *keylog,
	const char *notes, char *err, size_t errlen) WUR;
/* Append a part; keylog and notes may be NULL or missing files (nothing
 * to add).  0, or -1 with a message (a damaged part). */
int capcat_add(struct capcat *cc, const char *pcap, const char *keylog,
	const char *notes, char *err, size_t errlen) WUR;
/* Write the sidecar, close, free.  NULL is a no-op returning 0. */
int capcat_close(struct capcat *cc, char *err, size_t errlen) WUR;

#endif
