/*
 * mxsim: the command line.
 *
 *   mxsim run [--sender NAME] [--seed N] [--out DIR] [--no-capture]
 *             [--format text|json|junit|tap] [-q] [-v] PATH...
 *   mxsim list [PATH...]
 *   mxsim zone SCENARIO
 *
 * Exit codes: 0 every result passed, 1 some failed, 2 usage or scenario
 * errors (DESIGN.md).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/loop.h"
#include "core/netns.h"
#include "core/pki.h"
#include "core/result.h"
#include "core/util.h"
#include "replay/replay.h"
#include "reports/report.h"
#include "sim/help.h"
#include "sim/list_md.h"
#include "sim/merge.h"
#include "sim/outputs.h"
#include "sim/parallel.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/shell.h"
#include "sim/world.h"

#define DEFAULT_OUT "mxsim-out"

/*
 * SIGINT/SIGTERM during `mxsim run`: the handler records the signal and
 * asks every loop to stop (core/loop.h), so the running scenario winds
 * down through its normal teardown (children killed, sockets closed),
 * is marked interrupted, and the outputs of the scenarios done so far are
 * written; the exit code is 128 + the signal (130, 143).  The handler is
 * one-shot (SA_RESETHAND): a second signal kills at once.  The network
 * namespaces go away with the process.
 */
static void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_stop_handler;
	sa.sa_flags = SA_RESETHAND;     /* no SA_RESTART: epoll_wait returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
usage(FILE *f)
{
	(void)help_print(f, "");
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int
find(int argc, char **argv, char ***files, char ***ids)
{
	static char *dflt[] = { "scenarios" };
	char err[512];
	int n;

	if (argc == 0)
		n = scenario_find(dflt, 1, files, ids, err, sizeof(err));
	else
		n = scenario_find(argv, (size_t)argc, files, ids, err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "mxsim: %s\n", err);
	else if (n == 0)
		fprintf(stderr, "mxsim: no scenario files found\n");
	return n;
}

static void
free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
cmd_list(int argc, char **argv)
{
	char **files, **ids, err[1024];
	bool md = false;
	int n, rc = 0, k = 0;

	/* --markdown anywhere: the conformance table (sim/list_md.h) */
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--markdown") == 0)
			md = true;
		else
			argv[k++] = argv[i];
	}
	n = find(k, argv, &files, &ids);
	if (n <= 0)
		return 2;
	if (md)
		list_md_head(stdout, (size_t)n);
	for (int i = 0; i < n; i++) {
		struct scenario *s;
		if (scenario_load(files[i], ids[i], &s, err, sizeof(err)) < 0) {
			if (md)
				list_md_error(stdout, ids[i], err, i ? ids[i - 1] : NULL);
			else
				printf("%-40s ERROR %s\n", ids[i], err);
			rc = 2;
			continue;
		}
		if (md) {
			list_md_row(stdout, s, i ? ids[i - 1] : NULL);
			scenario_free(s);
			continue;
		}
		printf("%-40s %s\n", s->id, s->title);
		printf("%-40s   refs:", "");
		for (size_t j = 0; j < s->nrefs; j++)
			printf(" %s%s", s->refs[j], j + 1 < s->nrefs ? ";" : "");
		printf("\n");
		for (size_t p = 0; p < s->nphases; p++) {
			const struct scn_expect *e = &s->phases[p].expect;
			printf("%-40s   phase %zu: %d message%s, expect", "", p + 1,
			    s->phases[p].deliver, s->phases[p].deliver == 1 ? "" : "s");
			for (size_t j = 0; j < e->ndelivery; j++)
				printf(" %s%s", e->delivery[j], j + 1 < e->ndelivery ? " |" : "");
			for (size_t j = 0; j < e->ntlsrpt; j++)
				printf("%s%s", j ? ", " : "; tlsrpt ", e->tlsrpt[j]);
			if (e->leak == 0)
				printf("; no leak");
			printf("\n");
		}
		scenario_free(s);
	}
	free_list(files, n);
	free_list(ids, n);
	return rc;
}

/* --format for stdout: text (the table), json, junit, tap.  The files are
 * written whatever the format; junit is copied from the folder. */
static int
print_format(const struct res_run *run, const char *out, const char *format)
{
	char *text = NULL, *path, chunk[8192];
	size_t len;
	FILE *f;

	if (strcmp(format, "json") == 0)
		text = report_results_json_text(run);
	else if (strcmp(format, "tap") == 0)
		text = report_tap_text(run);
	if (text != NULL) {
		fputs(text, stdout);
		free(text);
		return 0;
	}
	if (strcmp(format, "junit") == 0) {
		path = xasprintf("%s/junit.xml", out);
		f = fopen(path, "r");
		free(path);
		if (f == NULL)
			return -1;
		while ((len = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, len, stdout);
		fclose(f);
		return 0;
	}
	report_text(run, stdout, isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
	return 0;
}

/* The progress line on a terminal (stderr): done/total, failures so far,
 * ETA from the mean real time per scenario, the scenario now running.
 * Rewritten in place; progress_end() erases it. */
static void
progress(int done, int total, int failed, double elapsed_s, const char *id)
{
	char line[256], clean[128];
	struct winsize ws;
	int cols = 80, n;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		cols = ws.ws_col;
	str_sanitize(clean, sizeof(clean), id, strlen(id));
	n = snprintf(line, sizeof(line), "[%d/%d] %d failed", done, total, failed);
	if (done > 0 && n > 0 && (size_t)n < sizeof(line)) {
		double eta = elapsed_s / done * (total - done);
		n += eta < 1 ? snprintf(line + n, sizeof(line) - (size_t)n,
		    ", ETA <1s") : snprintf(line + n, sizeof(line) - (size_t)n,
		    ", ETA %.0fs", eta);
	}
	if (n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "  %s", clean);
	if ((int)strlen(line) >= cols)
		line[cols - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
}

static void
progress_end(void)
{
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* <out>/capture.pcap, keylog.txt and capture.json: one capture per run,
 * the scenarios in the order they ran.  With --no-capture (want false)
 * the files of an earlier run are removed, so none is mistaken for this
 * run's. */
static int
open_capture(const char *out, bool want, struct capture **cap)
{
	char *pcap = xasprintf("%s/capture.pcap", out);
	char *keylog = xasprintf("%s/keylog.txt", out);
	char *notes = xasprintf("%s/capture.json", out);
	char err[1024];
	int rc = 0;

	*cap = NULL;
	if (want)
		rc = capture_open(cap, pcap, keylog, notes, err, sizeof(err));
	else
		(void)(unlink(pcap) + unlink(keylog) + unlink(notes));
	if (rc < 0)
		fprintf(stderr, "mxsim: cannot write the capture: %s\n", err);
	free(pcap);
	free(keylog);
	free(notes);
	return rc;
}

struct par_show {
	bool show;
	struct timespec t0;
};

static void
par_progress(size_t done, size_t total, unsigned failed, const char *id, void *arg)
{
	struct par_show *ps = arg;
	struct timespec t1;

	if (!ps->show)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	progress((int)done, (int)total, (int)failed, (double)(t1.tv_sec -
	    ps->t0.tv_sec) + (double)(t1.tv_nsec - ps->t0.tv_nsec) / 1e9, id);
}

/* -j N: scenarios [lo, hi) in worker processes (sim/parallel.h); the
 * parent stays outside the namespaces. */
static int
run_parallel(char **files, char **ids, size_t lo, size_t hi,
    const struct run_opts *o, const char *out, bool capture, unsigned jobs,
    bool show, struct res_run *run, FILE *logf)
{
	struct par_job *pj = xcalloc(hi - lo + 1, sizeof(*pj));
	struct par_show ps = { show, { 0, 0 } };
	struct capture *none;
	char err[1024];
	int rc;

	for (size_t i = lo; i < hi; i++)
		pj[i - lo] = (struct par_job){ files[i], ids[i], (unsigned)i };
	if (!capture && open_capture(out, false, &none) < 0) {
		free(pj);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ps.t0);
	struct par_opts po = { .seed = o->seed, .sender = o->sender,
		.out = out, .capture = capture, .faketime = o->faketime,
		.workers = jobs, .progress = par_progress, .arg = &ps };
	rc = par_run(pj, hi - lo, &po, run, logf, err, sizeof(err));
	if (show)
		progress_end();
	if (rc < 0)
		fprintf(stderr, "mxsim: %s\n", err);
	free(pj);
	return rc;
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sender", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-capture", no_argument, NULL, 'N' },
		{ "faketime", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .seed = 1, .sender = "builtin" };
	unsigned jobs = 1, shard = 0, nshards = 0;
	uint64_t u;
	bool capture = true, quiet = false, show;
	const char *format = "text";
	struct timespec t0, t1;
	int failed = 0;
	const char *out = DEFAULT_OUT;
	char **files, **ids, err[1024];
	int c, n, verbose = 0;
	FILE *logf;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:S:o:vqhj:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (parse_u64(optarg, &u) < 0 || u < 1 || u > 1024) {
				fprintf(stderr, "mxsim: -j wants a number of worker "
				    "processes from 1 to 1024, got \"%s\"\n", optarg);
				return 2;
			}
			jobs = (unsigned)u;
			break;
		case 'K':
			if (shard_parse(optarg, &shard, &nshards, err, sizeof(err)) < 0) {
				fprintf(stderr, "mxsim: %s\n", err);
				return 2;
			}
			break;
		case 's':
			o.sender = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, &o.seed) < 0) {
				fprintf(stderr, "mxsim: --seed wants a non-negative integer, "
				    "got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			o.out = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'N':
			capture = false;
			break;
		case 'T':
			o.faketime = true;
			break;
		case 'F':
			format = optarg;
			if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
			    strcmp(format, "junit") != 0 && strcmp(format, "tap") != 0) {
				fprintf(stderr, "mxsim: --format wants text, json, junit "
				    "or tap, got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			(void)help_print(stdout, "run");
			return 0;
		default:
			(void)help_print(stderr, "run");
			return 2;
		}
	}
	if (runner_check_sender(o.sender, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	n = find(argc - optind, argv + optind, &files, &ids);
	if (n <= 0)
		return 2;
	if (report_mkdirs(out) < 0) {
		fprintf(stderr, "mxsim: cannot create %s: %s\n", out, strerror(errno));
		return 2;
	}
	char *logpath = xasprintf("%s/mxsim.log", out);
	logf = fopen(logpath, "w");
	free(logpath);
	log_set(stderr, verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_ERR);
	if (logf != NULL)
		log_add_file(logf);
	size_t lo = 0, hi = (size_t)n;
	if (nshards > 0)
		shard_range((size_t)n, shard, nshards, &lo, &hi);
	struct resio_place place = { xcalloc(hi - lo + 1, sizeof(unsigned)),
		hi - lo, (unsigned)n };
	for (size_t i = lo; i < hi; i++)
		place.slots[i - lo] = (unsigned)i;
	struct res_run *run = res_run_new(o.seed, o.sender);
	show = !quiet && verbose == 0 && isatty(STDERR_FILENO) &&
	    getenv("NO_COLOR") == NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (jobs > 1) {
		catch_stop_signals();   /* par_run passes them on to the workers */
		int prc = run_parallel(files, ids, lo, hi, &o, out, capture, jobs,
		    show, run, logf);
		if (prc < 0) {
			free(place.slots);
			res_run_free(run);
			return 2;
		}
		goto written;
	}
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}

	if (open_capture(out, capture, &o.capture) < 0)
		return 2;
	catch_stop_signals();
	for (size_t i = lo; i < hi && !loop_stop_signal(); i++) {
		struct res_scenario *rs = res_run_add(run);
		struct scenario *s;
		size_t r = i - lo;
		if (r > 0 && (run->scenarios[r - 1]->verdict == NULL ||
		    (strcmp(run->scenarios[r - 1]->verdict, "pass") != 0 &&
		    strcmp(run->scenarios[r - 1]->verdict, "unsupported") != 0)))
			failed++;
		if (show) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			progress((int)r, (int)(hi - lo), failed, (double)(t1.tv_sec - t0.tv_sec) +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ids[i]);
		}
		if (scenario_load(files[i], ids[i], &s, err, sizeof(err)) < 0) {
			runner_load_error(ids[i], files[i], err, o.sender, rs);
			if (show)
				progress_end();
			fprintf(stderr, "mxsim: %s\n", err);
			continue;
		}
		if (logf != NULL)
			fprintf(logf, "== scenario %s\n", s->id);
		o.slot = (unsigned)i;
		(void)runner_run(s, &o, rs);
		if (loop_stop_signal())
			runner_mark_interrupted(rs);
		if (logf != NULL)
			fprintf(logf, "== done %s %.2f ms real, %llu ms virtual: %s\n", s->id,
			    rs->real_ms, (unsigned long long)rs->virtual_ms,
			    rs->verdict ? rs->verdict : "?");
		scenario_free(s);
	}
	if (show)
		progress_end();
written:
	res_run_count(run);
	int werr = outputs_write(run, out, &place);
	free(place.slots);
	if (capture_close(o.capture, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		werr = -1;
	}
	if (print_format(run, out, format) < 0)
		werr = -1;
	int rc = werr < 0 ? 2 : res_run_exit_code(run);
	if (loop_stop_signal()) {
		fprintf(stderr, "mxsim: interrupted by %s: %zu scenario%s written "
		    "to %s (the running one%s marked interrupted)\n",
		    loop_stop_signal_name(), run->nscenarios,
		    run->nscenarios == 1 ? "" : "s", out, jobs > 1 ? "s" : "");
		rc = 128 + loop_stop_signal();
	}
	res_run_free(run);
	free_list(files, n);
	free_list(ids, n);
	if (logf != NULL) {
		log_add_file(NULL);
		fclose(logf);
	}
	return rc;
}

/*
 * mxsim zone [--seed N] [--dnssec STATE] SCENARIO: the zones of the
 * scenario's first phase, signed, and the trust anchor for ".".  --dnssec
 * overrides the scenario's dnssec (secure, insecure, bogus, bogus:KIND).
 */
static int
cmd_zone(int argc, char **argv)
{
	const char *dnssec = NULL, *file = NULL;
	uint64_t seed = 1;
	char err[1024];
	struct scenario *s;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (parse_u64(argv[++i], &seed) < 0) {
				fprintf(stderr, "mxsim: --seed wants a non-negative "
				    "integer, got \"%s\"\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--dnssec") == 0 && i + 1 < argc) {
			dnssec = argv[++i];
		} else if (argv[i][0] != '-' && file == NULL) {
			file = argv[i];
		} else {
			fprintf(stderr, "usage: mxsim zone [--seed N] [--dnssec "
			    "secure|insecure|bogus[:KIND]] SCENARIO\n");
			return 2;
		}
	}
	if (file == NULL) {
		usage(stderr);
		return 2;
	}
	if (scenario_load(file, file, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		scenario_free(s);
		return 2;
	}
	struct scn_world sw = s->phases[0].world; /* shallow: not freed */
	if (dnssec != NULL)
		sw.dnssec = (char *)dnssec;
	struct loop *l = loop_new(LOOP_SKIP, s->clock);
	struct pki *p = pki_new(seed, s->clock);
	struct rec *r = rec_new(l);
	struct world *w = world_new(l, p, r, s, &sw, err, sizeof(err));
	int rc = 0;
	if (w == NULL) {
		fprintf(stderr, "mxsim: %s\n", err);
		rc = 2;
	} else {
		world_print_zones(w, stdout);
		world_free(w);
	}
	rec_free(r);
	pki_free(p);
	loop_free(l);
	pki_rand_restore();
	scenario_free(s);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) &&
	    help_print(stdout, argv[1]))
		return 0;
	if (strcmp(argv[1], "help") == 0) {
		if (help_print(stdout, argc > 2 ? argv[2] : ""))
			return 0;
		fprintf(stderr, "mxsim: no command \"%s\"\n", argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "merge") == 0)
		return merge_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "shell") == 0)
		return shell_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 2, argv + 2);
	if (strcmp(argv[1], "zone") == 0)
		return cmd_zone(argc - 2, argv + 2);
	if (strcmp(argv[1], "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mxsim: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
