/*
 * outputs: the report files of an output folder, and shard arithmetic.
 * See outputs.h.
 */
#include "sim/outputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/report.h"

typedef int writer_fn(const struct res_run *run, const char *path);

static int
tlsrpt_all(const struct res_run *run, const char *path)
{
	return report_tlsrpt(run, path) < 0 ? -1 : 0;
}

static int
tlsrpt_received(const struct res_run *run, const char *path)
{
	return report_tlsrpt_received(run, path) < 0 ? -1 : 0;
}

int
outputs_write(const struct res_run *run, const char *out,
    const struct resio_place *place)
{
	static const struct {
		const char *name;
		writer_fn *fn;
	} files[] = {
		{ "results.json", report_results_json },
		{ "tlsrpt", tlsrpt_all },
		{ "tlsrpt-received", tlsrpt_received },
		{ "junit.xml", report_junit },
		{ "report.tap", report_tap },
		{ "report.html", report_html },
	};
	char err[1024];
	int rc = 0;

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *path = xasprintf("%s/%s", out, files[i].name);
		if (files[i].fn(run, path) < 0) {
			fprintf(stderr, "mxsim: cannot write %s: %s\n", path,
			    strerror(errno));
			rc = -1;
		}
		free(path);
	}
	char *path = xasprintf("%s/results.bin", out);
	char *tmp = xasprintf("%s/.results.bin.tmp", out);
	if (resio_save(tmp, run, place, err, sizeof(err)) < 0 ||
	    (rename(tmp, path) < 0 && snprintf(err, sizeof(err), "%s",
	    strerror(errno)) >= 0)) {
		fprintf(stderr, "mxsim: cannot write %s: %s\n", path, err);
		(void)unlink(tmp);
		rc = -1;
	}
	free(tmp);
	free(path);
	return rc;
}

int
shard_parse(const char *s, unsigned *k, unsigned *n, char *err, size_t errlen)
{
	unsigned long a, b;
	char *end;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno == 0 && end != s && *end == '/' && s[0] != '-' && end[1] != '-') {
		const char *p = end + 1;
		b = strtoul(p, &end, 10);
		if (errno == 0 && end != p && *end == '\0' && a >= 1 && a <= b &&
		    b <= 100000) {
			*k = (unsigned)a;
			*n = (unsigned)b;
			return 0;
		}
	}
	snprintf(err, errlen, "--shard wants K/N with 1 <= K <= N (e.g. 2/4), "
	    "got \"%s\"", s);
	return -1;
}

void
shard_range(size_t total, unsigned k, unsigned n, size_t *lo, size_t *hi)
{
	*lo = total * (k - 1) / n;
	*hi = total * k / n;
}
