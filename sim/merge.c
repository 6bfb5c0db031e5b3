/*
 * merge: sharded output folders into one.  See merge.h.
 *
 * Reading: every DIR/results.bin is loaded whole (runs are small), the
 * seeds, senders and run sizes must agree.  Ordering: a table of (slot,
 * folder, scenario) sorted by slot; the folders are then ordered by their
 * first slot for the capture and the log, which is the run's order when
 * each folder holds a contiguous range (what --shard makes).  Messages go
 * to stderr as "mxsim: merge: ..."; nothing else is logged.
 */
#include "sim/merge.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/report.h"
#include "sim/capcat.h"
#include "sim/help.h"
#include "sim/outputs.h"
#include "sim/res_io.h"

struct part {
	const char *dir;
	struct res_run *run;
	struct resio_place place;
	unsigned first;          /* its smallest slot */
	bool contiguous;         /* its slots are first, first + 1, ... */
};

struct entry {
	unsigned slot;
	size_t part, idx;
};

static int
by_slot(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int
by_first(const void *a, const void *b)
{
	const struct part *x = *(struct part *const *)a, *y = *(struct part *const *)b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int
load_parts(struct part *parts, size_t n)
{
	char err[1024];

	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/results.bin", parts[i].dir);
		int rc = resio_load(path, &parts[i].run, &parts[i].place, err, sizeof(err));
		free(path);
		if (rc < 0) {
			fprintf(stderr, "mxsim: merge: %s (is %s the output folder of "
			    "an `mxsim run`?)\n", err, parts[i].dir);
			return -1;
		}
		struct part *p = &parts[i], *q = &parts[0];
		if (p->run->seed != q->run->seed || strcmp(p->run->sender, q->run->sender) != 0 ||
		    p->place.total != q->place.total) {
			fprintf(stderr, "mxsim: merge: %s is another run than %s (seed %llu, "
			    "sender %s, %u scenarios; against seed %llu, sender %s, %u "
			    "scenarios)\n", p->dir, q->dir,
			    (unsigned long long)p->run->seed, p->run->sender, p->place.total,
			    (unsigned long long)q->run->seed, q->run->sender, q->place.total);
			return -1;
		}
		p->first = UINT_MAX;
		p->contiguous = true;
		for (size_t k = 0; k < p->place.nslots; k++) {
			if (p->place.slots[k] < p->first)
				p->first = p->place.slots[k];
			if (k > 0 && p->place.slots[k] != p->place.slots[k - 1] + 1)
				p->contiguous = false;
		}
	}
	return 0;
}

/* Every slot exactly once: the merged run in slot order, or NULL. */
static struct res_run *
assemble(struct part *parts, size_t n, struct resio_place *place)
{
	size_t total = 0, missing = 0;
	struct entry *e;
	struct res_run *run;
	unsigned want = parts[0].place.total;

	for (size_t i = 0; i < n; i++)
		total += parts[i].place.nslots;
	e = xcalloc(total + 1, sizeof(*e));
	total = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < parts[i].place.nslots; k++)
			e[total++] = (struct entry){ parts[i].place.slots[k], i, k };
	qsort(e, total, sizeof(*e), by_slot);
	for (size_t i = 0; i < total; i++) {
		if (i > 0 && e[i].slot == e[i - 1].slot) {
			fprintf(stderr, "mxsim: merge: scenario %s (slot %u) is in both "
			    "%s and %s: the same shard twice?\n",
			    parts[e[i].part].run->scenarios[e[i].idx]->id, e[i].slot,
			    parts[e[i - 1].part].dir, parts[e[i].part].dir);
			free(e);
			return NULL;
		}
		if (e[i].slot >= want) {
			fprintf(stderr, "mxsim: merge: %s: slot %u past the run's %u "
			    "scenarios\n", parts[e[i].part].dir, e[i].slot, want);
			free(e);
			return NULL;
		}
	}
	missing = want - total;
	if (missing > 0) {
		fprintf(stderr, "mxsim: merge: %zu of the run's %u scenarios are in "
		    "none of the folders (a shard is missing)\n", missing, want);
		free(e);
		return NULL;
	}
	run = res_run_new(parts[0].run->seed, parts[0].run->sender);
	*place = (struct resio_place){ xcalloc(total + 1, sizeof(unsigned)), total, want };
	for (size_t i = 0; i < total; i++) {
		struct res_run *from = parts[e[i].part].run;
		struct res_scenario *s = res_run_add(run);
		*s = *from->scenarios[e[i].idx];
		memset(from->scenarios[e[i].idx], 0, sizeof(*s));   /* moved */
		place->slots[i] = e[i].slot;
	}
	res_run_count(run);
	free(e);
	return run;
}

static bool
exists(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st;
	bool ok = stat(p, &st) == 0;

	free(p);
	return ok;
}

/* The capture and log, parts in slot order (sorted: ordered by first). */
static int
merge_files(struct part **sorted, size_t n, const char *out)
{
	struct capcat *cc = NULL;
	bool all = true, contiguous = true;
	char err[1024];
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		all = all && exists(sorted[i]->dir, "capture.pcap");
		contiguous = contiguous && sorted[i]->contiguous;
	}
	char *pcap = xasprintf("%s/capture.pcap", out);
	char *keys = xasprintf("%s/keylog.txt", out);
	char *notes = xasprintf("%s/capture.json", out);
	char *logp = xasprintf("%s/mxsim.log", out);
	if (!all || !contiguous) {
		if (!all)
			fprintf(stderr, "mxsim: merge: not every folder has a capture "
			    "(--no-capture?): no capture.pcap in %s\n", out);
		else
			fprintf(stderr, "mxsim: merge: the folders' slots interleave: "
			    "their captures cannot be put in run order, none written\n");
		(void)(unlink(pcap) + unlink(keys) + unlink(notes));
	} else if (capcat_open(&cc, pcap, keys, notes, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: merge: %s\n", err);
		rc = -1;
	}
	FILE *logf = fopen(logp, "w");
	for (size_t i = 0; i < n; i++) {
		const char *d = sorted[i]->dir;
		char *a = xasprintf("%s/capture.pcap", d), *b = xasprintf("%s/keylog.txt", d);
		char *c = xasprintf("%s/capture.json", d), *l = xasprintf("%s/mxsim.log", d);
		if (cc != NULL && rc == 0 && capcat_add(cc, a, b, c, err, sizeof(err)) < 0) {
			fprintf(stderr, "mxsim: merge: %s\n", err);
			rc = -1;
		}
		FILE *in = logf ? fopen(l, "r") : NULL;
		if (in != NULL) {
			char chunk[8192];
			size_t k;
			while ((k = fread(chunk, 1, sizeof(chunk), in)) > 0)
				fwrite(chunk, 1, k, logf);
			fclose(in);
		}
		free(a);
		free(b);
		free(c);
		free(l);
	}
	if (capcat_close(cc, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: merge: %s\n", err);
		rc = -1;
	}
	if (logf == NULL || fclose(logf) != 0) {
		fprintf(stderr, "mxsim: merge: cannot write %s\n", logp);
		rc = -1;
	}
	free(pcap);
	free(keys);
	free(notes);
	free(logp);
	return rc;
}

/* The output folder may not be one of the inputs (its files are read
 * while the merged ones are written). */
static bool
same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

int
merge_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "mxsim-out";
	struct resio_place place = { 0 };
	struct part *parts, **sorted;
	struct res_run *run = NULL;
	bool quiet = false;
	size_t n;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help_print(stdout, "merge");
			return 0;
		default:
			help_print(stderr, "merge");
			return 2;
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0) {
		fprintf(stderr, "mxsim: merge: no folders to merge\n");
		help_print(stderr, "merge");
		return 2;
	}
	if (report_mkdirs(out) < 0) {
		fprintf(stderr, "mxsim: merge: cannot create %s: %s\n", out, strerror(errno));
		return 2;
	}
	parts = xcalloc(n, sizeof(*parts));
	sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		parts[i].dir = argv[optind + (int)i];
		sorted[i] = &parts[i];
		if (same_dir(parts[i].dir, out)) {
			fprintf(stderr, "mxsim: merge: the output folder %s is one of the "
			    "folders to merge; pick another --out\n", out);
			goto done;
		}
	}
	if (load_parts(parts, n) < 0 || (run = assemble(parts, n, &place)) == NULL)
		goto done;
	qsort(sorted, n, sizeof(*sorted), by_first);
	int werr = outputs_write(run, out, &place);
	if (merge_files(sorted, n, out) < 0)
		werr = -1;
	if (!quiet)
		report_text(run, stdout, isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
	rc = werr < 0 ? 2 : res_run_exit_code(run);
done:
	for (size_t i = 0; i < n; i++) {
		res_run_free(parts[i].run);
		resio_place_free(&parts[i].place);
	}
	resio_place_free(&place);
	res_run_free(run);
	free(parts);
	free(sorted);
	return rc;
}
