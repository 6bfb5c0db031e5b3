/*
 * rp_cli: the command line of `mxsim replay` (see replay.h) and the
 * output files of --judge, the same as a live run's: results.json,
 * tlsrpt/, junit.xml, report.tap, report.html in --out.
 */
#include "replay/replay.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/result.h"
#include "core/util.h"
#include "replay/rp_int.h"
#include "reports/report.h"
#include "sim/runner.h"

const char replay_usage[] =
    "       mxsim replay [--judge] CAPTURE [--out DIR] [--format text|json|junit|tap]\n"
    "                    [--notes capture.json] [--scenarios DIR] [--expect D[,D]]\n"
    "                    [--keylog FILE] [--ca FILE] [--seed N] [-q]\n"
    "       mxsim replay --as-server CAPTURE SCENARIO [--out DIR] [--seed N]\n"
    "                    [--sender builtin|builtin:opportunistic|builtin:no-verify|PROFILE]\n"
    "                    [--keylog FILE]\n"
    "       mxsim replay --as-client CAPTURE SCENARIO [--seed N] [--keylog FILE]\n";

static int
write_one(int rc, const char *out, const char *name, int wrc)
{
	if (wrc < 0) {
		fprintf(stderr, "mxsim: cannot write %s/%s: %s\n", out, name,
		    strerror(errno));
		return -1;
	}
	return rc;
}

int
rp_write_outputs(const struct res_run *run, const char *out)
{
	char *p;
	int rc = 0;

	if (report_mkdirs(out) < 0) {
		fprintf(stderr, "mxsim: cannot create %s: %s\n", out, strerror(errno));
		return -1;
	}
	p = xasprintf("%s/results.json", out);
	rc = write_one(rc, out, "results.json", report_results_json(run, p));
	free(p);
	p = xasprintf("%s/tlsrpt", out);
	rc = write_one(rc, out, "tlsrpt", report_tlsrpt(run, p));
	free(p);
	p = xasprintf("%s/junit.xml", out);
	rc = write_one(rc, out, "junit.xml", report_junit(run, p));
	free(p);
	p = xasprintf("%s/report.tap", out);
	rc = write_one(rc, out, "report.tap", report_tap(run, p));
	free(p);
	p = xasprintf("%s/report.html", out);
	rc = write_one(rc, out, "report.html", report_html(run, p));
	free(p);
	return rc;
}

static void
print_format(const struct res_run *run, const char *format)
{
	char *text = NULL;

	if (strcmp(format, "json") == 0)
		text = report_results_json_text(run);
	else if (strcmp(format, "tap") == 0)
		text = report_tap_text(run);
	if (text != NULL) {
		fputs(text, stdout);
		free(text);
		return;
	}
	report_text(run, stdout, isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
}

static int
usage_err(void)
{
	fprintf(stderr, "usage: %s", replay_usage + strlen("       "));
	return 2;
}

static int
parse_seed(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int
replay_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "judge", no_argument, NULL, 'J' },
		{ "as-server", no_argument, NULL, 'S' },
		{ "as-client", no_argument, NULL, 'C' },
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "notes", required_argument, NULL, 'n' },
		{ "scenarios", required_argument, NULL, 'd' },
		{ "expect", required_argument, NULL, 'e' },
		{ "keylog", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "sender", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rp_judge_opts o = { 0 };
	const char *out = "mxsim-out", *format = "text", *sender = "builtin";
	char mode = 'J', err[1024];
	uint64_t seed = 1;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
		case 'S':
		case 'C':
			mode = (char)c;
			break;
		case 'o':
			out = optarg;
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
		case 'n':
			o.notes = optarg;
			break;
		case 'd':
			o.scenarios = optarg;
			break;
		case 'e':
			o.expect = optarg;
			break;
		case 'k':
		case 'c':
			if (access(optarg, R_OK) != 0) {
				fprintf(stderr, "mxsim: --%s %s: %s\n", c == 'k' ? "keylog" :
				    "ca", optarg, strerror(errno));
				return 2;
			}
			if (c == 'k')
				o.keylog = optarg;
			else
				o.ca = optarg;
			break;
		case 's':
			if (parse_seed(optarg, &seed) < 0) {
				fprintf(stderr, "mxsim: --seed wants a non-negative integer, "
				    "got \"%s\"\n", optarg);
				return 2;
			}
			o.seed = seed;
			o.seed_set = true;
			break;
		case 'm':
			sender = optarg;
			if (runner_check_sender(sender, err, sizeof(err)) < 0) {
				fprintf(stderr, "mxsim: %s\n", err);
				return 2;
			}
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			printf("usage: %s", replay_usage + strlen("       "));
			return 0;
		default:
			return usage_err();
		}
	}
	if (o.expect != NULL) {
		char *copy = xstrdup(o.expect), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (strcmp(t, "verified") != 0 && strcmp(t, "tls") != 0 &&
			    strcmp(t, "plaintext") != 0 && strcmp(t, "refused") != 0) {
				fprintf(stderr, "mxsim: --expect: unknown delivery \"%s\" "
				    "(verified, tls, plaintext, refused)\n", t);
				free(copy);
				return 2;
			}
		}
		free(copy);
	}
	if (mode == 'S' || mode == 'C') {
		if (argc - optind != 2)
			return usage_err();
		return mode == 'S' ?
		    rp_as_server(argv[optind], o.keylog, argv[optind + 1], out, seed, sender) :
		    rp_as_client(argv[optind], o.keylog, argv[optind + 1], seed);
	}
	if (argc - optind != 1)
		return usage_err();
	o.capture = argv[optind];
	struct res_run *run = res_run_new(0, "replay");
	if (rp_judge(&o, run, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		res_run_free(run);
		return 2;
	}
	res_run_count(run);
	int rc = rp_write_outputs(run, out) < 0 ? 2 : res_run_exit_code(run);
	if (strcmp(format, "junit") == 0) {
		char *p = xasprintf("%s/junit.xml", out), chunk[8192];
		FILE *f = fopen(p, "r");
		size_t n;
		free(p);
		while (f != NULL && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, stdout);
		if (f != NULL)
			fclose(f);
	} else {
		print_format(run, format);
	}
	res_run_free(run);
	return rc;
}
