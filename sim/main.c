/*
 * mxsim: the command line.
 *
 *   mxsim run [--sender NAME] [--seed N] [--out DIR] [-v] PATH...
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
#include <sys/stat.h>
#include <unistd.h>

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
	    "usage: mxsim run [--sender NAME] [--seed N] [--out DIR] [-v] PATH...\n"
	    "       mxsim list [PATH...]\n"
	    "       mxsim zone SCENARIO\n"
	    "\n"
	    "PATH is a scenario file or a folder of them (default: scenarios/).\n"
	    "Senders: builtin (default), builtin:opportunistic, builtin:no-verify.\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .seed = 1, .sender = "builtin" };
	const char *out = DEFAULT_OUT;
	char **files, **ids, err[1024];
	int c, n, verbose = 0;
	FILE *logf;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:S:o:vh", longopts, NULL)) != -1) {
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

	struct res_run *run = res_run_new(o.seed, o.sender);
	for (int i = 0; i < n; i++) {
		struct res_scenario *rs = res_run_add(run);
		struct scenario *s;
		if (scenario_load(files[i], ids[i], &s, err, sizeof(err)) < 0) {
			runner_load_error(ids[i], files[i], err, o.sender, rs);
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
	res_run_count(run);
	int werr = write_outputs(run, out);
	report_text(run, stdout, isatty(STDOUT_FILENO));
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

static int
cmd_zone(int argc, char **argv)
{
	char err[1024];
	struct scenario *s;

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (scenario_load(argv[0], argv[0], &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		scenario_free(s);
		return 2;
	}
	struct loop *l = loop_new(LOOP_SKIP, s->clock);
	struct pki *p = pki_new(1, s->clock);
	struct rec *r = rec_new(l);
	struct world *w = world_new(l, p, r, s, &s->phases[0].world, err, sizeof(err));
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
