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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/netns.h"
#include "core/pki.h"
#include "core/result.h"
#include "core/util.h"
#include "reports/report.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/world.h"

#define DEFAULT_OUT "mxsim-out"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mxsim run [--sender NAME] [--seed N] [--out DIR] [--no-capture]\n"
	    "                 [--format text|json|junit|tap] [-q] [-v] PATH...\n"
	    "       mxsim list [PATH...]\n"
	    "       mxsim zone SCENARIO\n"
	    "\n"
	    "PATH is a scenario file or a folder of them (default: scenarios/).\n"
	    "Senders: builtin (default), builtin:opportunistic, builtin:no-verify.\n"
	    "--format picks what stdout gets (default text); the output folder always\n"
	    "gets results.json, junit.xml, report.tap, report.html and tlsrpt/.\n"
	    "-q: no progress line (shown only when stderr is a terminal).\n"
	    "Exit: 0 all passed, 1 some failed, 2 usage or scenario errors.\n");
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
	int n = find(argc, argv, &files, &ids), rc = 0;

	if (n <= 0)
		return 2;
	for (int i = 0; i < n; i++) {
		struct scenario *s;
		if (scenario_load(files[i], ids[i], &s, err, sizeof(err)) < 0) {
			printf("%-40s ERROR %s\n", ids[i], err);
			rc = 2;
			continue;
		}
		printf("%-40s %s\n", s->id, s->title);
		printf("%-40s   refs:", "");
		for (size_t k = 0; k < s->nrefs; k++)
			printf(" %s%s", s->refs[k], k + 1 < s->nrefs ? ";" : "");
		printf("\n");
		for (size_t p = 0; p < s->nphases; p++) {
			const struct scn_expect *e = &s->phases[p].expect;
			printf("%-40s   phase %zu: %d message%s, expect", "", p + 1,
			    s->phases[p].deliver, s->phases[p].deliver == 1 ? "" : "s");
			for (size_t k = 0; k < e->ndelivery; k++)
				printf(" %s%s", e->delivery[k], k + 1 < e->ndelivery ? " |" : "");
			printf("\n");
		}
		scenario_free(s);
	}
	free_list(files, n);
	free_list(ids, n);
	return rc;
}

static int
write_outputs(const struct res_run *run, const char *out)
{
	char *path;
	int rc = 0;

	path = xasprintf("%s/results.json", out);
	if (report_results_json(run, path) < 0) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
	path = xasprintf("%s/tlsrpt", out);
	if (report_tlsrpt(run, path) < 0) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
	path = xasprintf("%s/junit.xml", out);
	if (report_junit(run, path) < 0) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
	path = xasprintf("%s/report.tap", out);
	if (report_tap(run, path) < 0) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
	path = xasprintf("%s/report.html", out);
	if (report_html(run, path) < 0) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
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

static int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sender", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-capture", no_argument, NULL, 'N' },
		{ "format", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .seed = 1, .sender = "builtin" };
	bool capture = true, quiet = false, show;
	const char *format = "text";
	struct timespec t0, t1;
	int failed = 0;
	const char *out = DEFAULT_OUT;
	char **files, **ids, err[1024];
	int c, n, verbose = 0;
	FILE *logf;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:S:o:vqh", longopts, NULL)) != -1) {
		switch (c) {
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
			break;
		case 'v':
			verbose++;
			break;
		case 'N':
			capture = false;
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
			usage(stdout);
			return 0;
		default:
			usage(stderr);
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
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}

	if (open_capture(out, capture, &o.capture) < 0)
		return 2;
	struct res_run *run = res_run_new(o.seed, o.sender);
	show = !quiet && verbose == 0 && isatty(STDERR_FILENO) &&
	    getenv("NO_COLOR") == NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		struct res_scenario *rs = res_run_add(run);
		struct scenario *s;
		if (i > 0 && (run->scenarios[i - 1]->verdict == NULL ||
		    (strcmp(run->scenarios[i - 1]->verdict, "pass") != 0 &&
		    strcmp(run->scenarios[i - 1]->verdict, "unsupported") != 0)))
			failed++;
		if (show) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			progress(i, n, failed, (double)(t1.tv_sec - t0.tv_sec) +
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
		(void)runner_run(s, &o, rs);
		if (logf != NULL)
			fprintf(logf, "== done %s %.2f ms real, %llu ms virtual: %s\n", s->id,
			    rs->real_ms, (unsigned long long)rs->virtual_ms,
			    rs->verdict ? rs->verdict : "?");
		scenario_free(s);
	}
	if (show)
		progress_end();
	res_run_count(run);
	int werr = write_outputs(run, out);
	if (capture_close(o.capture, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		werr = -1;
	}
	if (print_format(run, out, format) < 0)
		werr = -1;
	int rc = werr < 0 ? 2 : res_run_exit_code(run);
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
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 2, argv + 2);
	if (strcmp(argv[1], "zone") == 0)
		return cmd_zone(argc - 2, argv + 2);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mxsim: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
