/*
 * report_tlsrpt: RFC 8460 aggregate reports (section 4.4), one per scenario
 * and report domain (below), describing the sender's sessions as a compliant sender
 * must report them.  The verdict engine fills res_policy entries; this file
 * only lays them out, with the JSON keys of reports/tlsrpt.schema.json and
 * in this order:
 *
 *   { "organization-name": "mxsim",
 *     "date-range": { "start-datetime", "end-datetime" },
 *     "contact-info": "tlsrpt@mxsim.test",
 *     "report-id",
 *     "policies": [ { "policy": { "policy-type", "policy-string",
 *                                 "policy-domain", "mx-host" },
 *                     "summary": { "total-successful-session-count",
 *                                  "total-failure-session-count" },
 *                     "failure-details": [ { "result-type",
 *                         "sending-mta-ip", "receiving-mx-hostname",
 *                         "receiving-ip", "failed-session-count",
 *                         "failure-reason-code" } ] } ] }
 *
 * Reports are per report domain, the recipient domain whose _smtp._tls
 * record says where they go (RFC 8460 3): its sts and no-policy-found
 * entries, and the tlsa entries of its MX hosts, one per TLSA RRset, each
 * with its own policy-domain, the TLSA base domain (RFC 8460 1.1 and 4.4;
 * CONFORMANCE ambiguity 9).  A policy whose scenario has no domain is its
 * own report domain.
 *
 * Optional members are left out when the model has nothing for them
 * (policy-string, mx-host, failure-details, and the per-failure addresses
 * and reason code).  The date range is the whole UTC day of the scenario
 * clock (RFC 8460 4.1); the report-id is derived from that day, the scenario
 * id and the domain, so reruns give the same bytes.
 *
 * File names come from scenario data, so each path segment is reduced to
 * [A-Za-z0-9._-] and "." / ".." are neutralised: a report never lands
 * outside the output folder.
 */
#include "reports/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DAY_SECONDS 86400

/* The same fatal-on-failure setter as report_json.c; jansson only fails on
 * OOM or bad UTF-8, and values here are checked strings. */
static void
set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		fatal("report: cannot set TLSRPT key %s", key);
}

static json_t *
jstr(const char *s)
{
	json_t *j;
	char *clean;

	if ((j = json_string(s != NULL ? s : "")) != NULL)
		return j;
	clean = report_utf8_clean(s);
	j = json_string(clean);
	free(clean);
	return j;
}

json_t *
report_tlsrpt_policy_json(const struct res_policy *p)
{
	json_t *entry = json_object(), *pol = json_object(), *sum, *a, *f;
	const struct res_failure *rf;
	size_t i;

	set(pol, "policy-type", jstr(p->type));
	if (p->nstrings > 0) {
		a = json_array();
		for (i = 0; i < p->nstrings; i++)
			json_array_append_new(a, jstr(p->strings[i]));
		set(pol, "policy-string", a);
	}
	set(pol, "policy-domain", jstr(p->domain));
	if (p->nmx_patterns > 0) {
		a = json_array();
		for (i = 0; i < p->nmx_patterns; i++)
			json_array_append_new(a, jstr(p->mx_patterns[i]));
		set(pol, "mx-host", a);
	}
	set(entry, "policy", pol);

	sum = json_object();
	set(sum, "total-successful-session-count", json_integer(p->success));
	set(sum, "total-failure-session-count", json_integer(p->failure));
	set(entry, "summary", sum);

	if (p->nfailures == 0)
		return entry;
	a = json_array();
	for (i = 0; i < p->nfailures; i++) {
		rf = &p->failures[i];
		f = json_object();
		set(f, "result-type", jstr(rf->result_type));
		if (rf->sending_ip != NULL)
			set(f, "sending-mta-ip", jstr(rf->sending_ip));
		if (rf->receiving_mx != NULL)
			set(f, "receiving-mx-hostname", jstr(rf->receiving_mx));
		if (rf->receiving_ip != NULL)
			set(f, "receiving-ip", jstr(rf->receiving_ip));
		set(f, "failed-session-count", json_integer(rf->count));
		if (rf->reason_code != NULL)
			set(f, "failure-reason-code", jstr(rf->reason_code));
		json_array_append_new(a, f);
	}
	set(entry, "failure-details", a);
	return entry;
}

/* The report a policy entry goes into: a tlsa entry into the recipient
 * domain's, the others into their policy domain's. */
static const char *
report_domain(const struct res_scenario *s, const struct res_policy *p)
{
	if (p->type != NULL && strcmp(p->type, "tlsa") == 0 &&
	    s->domain != NULL && s->domain[0] != '\0')
		return s->domain;
	return p->domain;
}

size_t
report_tlsrpt_domains(const struct res_scenario *s, const char ***out)
{
	const char **v = NULL;
	size_t n = 0, i, j;

	for (i = 0; i < s->npolicies; i++) {
		const char *d = report_domain(s, &s->policies[i]);
		if (d == NULL)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(v[j], d) == 0)
				break;
		if (j < n)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = d;
	}
	*out = v;
	return n;
}

/* "%Y-%m-%dT%H:%M:%SZ" of t, and the day alone in day (may be NULL). */
static void
fmt_time(time_t t, char *out, size_t len, char *day, size_t daylen)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (day != NULL)
		strftime(day, daylen, "%Y-%m-%d", &tm);
}

char *
report_tlsrpt_json(const struct res_scenario *s, const char *domain)
{
	char start[32], end[32], day[16], *id, *p, *text, *out;
	json_t *doc, *range, *pols;
	time_t t0;
	size_t i;

	pols = json_array();
	for (i = 0; i < s->npolicies; i++)
		if (report_domain(s, &s->policies[i]) != NULL &&
		    strcmp(report_domain(s, &s->policies[i]), domain) == 0)
			json_array_append_new(pols,
			    report_tlsrpt_policy_json(&s->policies[i]));
	if (json_array_size(pols) == 0) {
		json_decref(pols);
		return NULL;
	}

	/* floor to the UTC day, also for clocks before 1970 */
	t0 = s->clock - (((s->clock % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS);
	fmt_time(t0, start, sizeof(start), day, sizeof(day));
	fmt_time(t0 + DAY_SECONDS, end, sizeof(end), NULL, 0);

	id = xasprintf("%s.%s.%s@mxsim.test", day,
	    s->id != NULL ? s->id : "scenario", domain);
	for (p = id; *p != '\0' && *p != '@'; p++)
		if (*p == '/')
			*p = '.';

	doc = json_object();
	set(doc, "organization-name", json_string(REPORT_ORG));
	range = json_object();
	set(range, "start-datetime", json_string(start));
	set(range, "end-datetime", json_string(end));
	set(doc, "date-range", range);
	set(doc, "contact-info", json_string(REPORT_CONTACT));
	set(doc, "report-id", jstr(id));
	set(doc, "policies", pols);
	free(id);

	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		fatal("report: cannot serialise a TLSRPT report");
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}

/* Append one path segment reduced to safe characters. */
static void
append_segment(struct buf *b, const char *seg, size_t n)
{
	size_t i;
	char c;

	if (n == 0 || (n == 1 && seg[0] == '.') ||
	    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
		buf_append(b, "_", 1);
		return;
	}
	for (i = 0; i < n; i++) {
		c = seg[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			c = '_';
		buf_append(b, &c, 1);
	}
}

int
report_tlsrpt_scenario(const struct res_scenario *s, const char *dir)
{
	const char **doms;
	struct buf path = { 0 };
	char *text;
	size_t n, i;
	int written = 0, rc = 0;

	n = report_tlsrpt_domains(s, &doms);
	if (n > 0 && report_mkdirs(dir) < 0) {
		free(doms);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		text = report_tlsrpt_json(s, doms[i]);
		if (text == NULL)
			continue;
		buf_reset(&path);
		buf_appendf(&path, "%s/", dir);
		append_segment(&path, doms[i], strlen(doms[i]));
		buf_appendf(&path, ".json");
		rc = report_write_atomic(buf_cstr(&path), text, strlen(text));
		if (rc == 0)
			written++;
		free(text);
	}
	free(doms);
	buf_free(&path);
	return rc == 0 ? written : -1;
}

int
report_tlsrpt(const struct res_run *run, const char *dir)
{
	const struct res_scenario *s;
	struct buf sub = { 0 };
	const char *id, *slash;
	size_t i;
	int n, total = 0;

	for (i = 0; i < run->nscenarios; i++) {
		s = run->scenarios[i];
		if (s->npolicies == 0)
			continue;
		buf_reset(&sub);
		buf_appendf(&sub, "%s", dir);
		id = s->id != NULL && s->id[0] != '\0' ? s->id : "scenario";
		for (;;) {
			slash = strchr(id, '/');
			buf_append(&sub, "/", 1);
			append_segment(&sub, id,
			    slash != NULL ? (size_t)(slash - id) : strlen(id));
			if (slash == NULL)
				break;
			id = slash + 1;
		}
		n = report_tlsrpt_scenario(s, buf_cstr(&sub));
		if (n < 0) {
			buf_free(&sub);
			return -1;
		}
		total += n;
	}
	buf_free(&sub);
	return total;
}
