/*
 * report_received: the TLSRPT reports a sender sent to the world, as
 * received, one file each: DIR/<scenario id>/<n>.json (n from 1, in the
 * order they arrived; gzip'd reports inflated), beside a findings.txt
 * with sim/tlsrpt_recv.c's comparison when there is any.  Scenarios
 * without received reports get no folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "reports/report.h"

/* DIR/id with every path segment made safe (no "..", no odd bytes). */
static char *
scenario_dir(const char *dir, const char *id)
{
	struct buf b = { 0 };
	const char *seg = id;

	buf_appendf(&b, "%s", dir);
	while (seg != NULL && *seg != '\0') {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		buf_append(&b, "/", 1);
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' &&
		    seg[1] == '.'))
			buf_append(&b, "_", 1);
		for (size_t i = 0; i < n; i++) {
			char c = seg[i];
			bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
			buf_append(&b, ok ? &c : "_", 1);
		}
		seg = slash ? slash + 1 : NULL;
	}
	return buf_cstr(&b);
}

int
report_tlsrpt_received(const struct res_run *run, const char *dir)
{
	int total = 0;

	for (size_t i = 0; i < run->nscenarios; i++) {
		const struct res_scenario *s = run->scenarios[i];
		char *sub;
		if (s->ntlsrpt_received == 0)
			continue;
		sub = scenario_dir(dir, s->id ? s->id : "scenario");
		if (report_mkdirs(sub) < 0) {
			free(sub);
			return -1;
		}
		for (size_t k = 0; k < s->ntlsrpt_received; k++) {
			char *path = xasprintf("%s/%zu.json", sub, k + 1);
			int rc = report_write_atomic(path, s->tlsrpt_received[k],
			    strlen(s->tlsrpt_received[k]));
			free(path);
			if (rc < 0) {
				free(sub);
				return -1;
			}
			total++;
		}
		if (s->ntlsrpt_findings > 0) {
			struct buf b = { 0 };
			for (size_t k = 0; k < s->ntlsrpt_findings; k++)
				buf_appendf(&b, "%s\n", s->tlsrpt_findings[k]);
			char *path = xasprintf("%s/findings.txt", sub);
			int rc = report_write_atomic(path, b.data, b.len);
			free(path);
			buf_free(&b);
			if (rc < 0) {
				free(sub);
				return -1;
			}
		}
		free(sub);
	}
	return total;
}
