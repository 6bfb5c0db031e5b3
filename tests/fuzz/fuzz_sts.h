/*
 * fuzz_sts: the MTA-STS and TLSRPT parsers (fake-https/sts_policy.c,
 * sts_txt.c, tlsrpt_parse.c), sans I/O.
 *
 * Input: one byte choosing the parser (low 3 bits), then its input:
 *   0  a policy body (sts_policy_parse), rendered again with
 *      sts_policy_text and parsed back
 *   1  _mta-sts TXT records, one per line (sts_txt_parse, _select)
 *   2  _smtp._tls TXT records, one per line (sts_tlsrpt_txt_parse, _select)
 *   3  a TLSRPT JSON report, strict (sts_tlsrpt_report_parse)
 *   4  the same, lenient
 *   5  a gzip stream (sts_gunzip), then the report it inflates to
 *   6  MX patterns and host names, alternate lines (sts_mx_match)
 *   7  as 0
 *
 * Invariants: a failed parse leaves no output and says why; a policy
 * respects the RFC's constraints (mode, max_age cap, an mx unless mode
 * is none) and survives rendering and parsing again; a valid id is 1-32
 * letters and digits; inflated data stays under its limit and is
 * NUL-terminated; a malformed pattern matches nothing.
 */
#ifndef MXSIM_FUZZ_STS_H
#define MXSIM_FUZZ_STS_H

#include <ctype.h>

#include "fake-https/sts.h"
#include "tests/fuzz/fuzz_common.h"

#define FST_GUNZIP_MAX (256u << 10)

static void
fst_init(void)
{
	fuzz_setup(false);
}

static void
fst_policy(const char *body, size_t len)
{
	struct sts_policy *p = NULL, *q = NULL;
	struct sts_policy_spec spec;
	char err[256], age[16], *text;
	const char **mx;

	err[0] = '\0';
	if (sts_policy_parse(body, len, &p, err, sizeof(err)) < 0) {
		if (getenv("FUZZ_DEBUG") != NULL)
			fprintf(stderr, "policy: %s\n", err);
		FUZZ_CHECK(p == NULL && err[0] != '\0');
		return;
	}
	FUZZ_CHECK(p != NULL);
	FUZZ_CHECK(p->max_age <= STS_MAX_AGE_CAP);
	FUZZ_CHECK(p->mode == STS_MODE_NONE || p->nmx > 0);
	FUZZ_CHECK(p->nmx_bad <= p->nmx);
	(void)sts_policy_match(p, "mx1.example.test");
	(void)sts_policy_match(p, "MX1.EXAMPLE.TEST.");

	/* what a policy host would serve for it parses back the same */
	mx = xcalloc(p->nmx + 1, sizeof(*mx));
	for (size_t i = 0; i < p->nmx; i++)
		mx[i] = p->mx[i];
	snprintf(age, sizeof(age), "%u", (unsigned)p->max_age);
	memset(&spec, 0, sizeof(spec));
	spec.mode = sts_mode_name(p->mode);
	spec.max_age = age;
	spec.mx = mx;
	text = sts_policy_text(&spec);
	if (sts_policy_parse(text, strlen(text), &q, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: rendered policy does not parse: %s\n%s",
		    err, text);
		FUZZ_CHECK(!"the rendered policy parses");
	}
	FUZZ_CHECK(q->mode == p->mode && q->max_age == p->max_age);
	FUZZ_CHECK(q->nmx == p->nmx && q->nmx_bad == p->nmx_bad);
	for (size_t i = 0; i < p->nmx; i++)
		FUZZ_CHECK(strcmp(q->mx[i], p->mx[i]) == 0);
	sts_policy_free(q);
	free(text);
	free(mx);
	sts_policy_free(p);
}

/* Splits z (NUL-terminated, writable) at LF into at most max lines. */
static size_t
fst_lines(char *z, char **lines, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *nl = strchr(z, '\n');

		lines[n++] = z;
		if (nl == NULL)
			break;
		*nl = '\0';
		z = nl + 1;
	}
	return n;
}

static void
fst_check_id(const char *id)
{
	size_t n = strlen(id);

	FUZZ_CHECK(n >= 1 && n <= STS_ID_MAX);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(isalnum((unsigned char)id[i]));
}

static void
fst_txt(char *z, bool tlsrpt)
{
	char *lines[16], id[STS_ID_MAX + 1], err[256];
	struct sts_tlsrpt_txt *t;
	size_t n = fst_lines(z, lines, ARRAY_LEN(lines));
	enum sts_txt_result r;

	for (size_t i = 0; i < n; i++) {
		err[0] = '\0';
		t = NULL;
		if (!tlsrpt && sts_txt_parse(lines[i], id, err,
		    sizeof(err)) == 0)
			fst_check_id(id);
		else if (!tlsrpt)
			FUZZ_CHECK(err[0] != '\0');
		if (tlsrpt && sts_tlsrpt_txt_parse(lines[i], &t, err,
		    sizeof(err)) == 0) {
			FUZZ_CHECK(t != NULL && t->nrua > 0);
			for (size_t k = 0; k < t->nrua; k++)
				FUZZ_CHECK(t->rua[k] != NULL);
		} else if (tlsrpt) {
			FUZZ_CHECK(t == NULL && err[0] != '\0');
		}
		sts_tlsrpt_txt_free(t);
	}
	if (!tlsrpt) {
		r = sts_txt_select((const char *const *)lines, n, id, err,
		    sizeof(err));
		if (r == STS_TXT_OK)
			fst_check_id(id);
	} else {
		t = NULL;
		r = sts_tlsrpt_txt_select((const char *const *)lines, n, &t,
		    err, sizeof(err));
		FUZZ_CHECK((r == STS_TXT_OK) == (t != NULL));
		sts_tlsrpt_txt_free(t);
	}
	FUZZ_CHECK(r == STS_TXT_OK || r == STS_TXT_NONE ||
	    r == STS_TXT_MANY || r == STS_TXT_INVALID);
}

static void
fst_report(const char *json, size_t len, bool lenient)
{
	struct sts_tlsrpt_report *r = NULL;
	char err[256];

	err[0] = '\0';
	if (sts_tlsrpt_report_parse(json, len, lenient, &r, err,
	    sizeof(err)) < 0) {
		if (getenv("FUZZ_DEBUG") != NULL)
			fprintf(stderr, "report: %s\n", err);
		FUZZ_CHECK(r == NULL && err[0] != '\0');
		return;
	}
	FUZZ_CHECK(r != NULL && r->org != NULL && r->report_id != NULL);
	FUZZ_CHECK(lenient || !r->mx_host_string);
	sts_tlsrpt_report_free(r);
}

static void
fst_one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t sel = fuzz_byte(&in) & 7;
	/* exact-size copies: raw (not terminated) and NUL-terminated */
	char *raw = xmalloc(in.n ? in.n : 1), *z = xmalloc(in.n + 1);
	char *out = NULL, err[256], *lines[64];
	size_t outlen = 0, n;

	memcpy(raw, in.p, in.n);
	memcpy(z, in.p, in.n);
	z[in.n] = '\0';
	switch (sel) {
	case 0:
	case 7:
		fst_policy(raw, in.n);
		break;
	case 1:
	case 2:
		fst_txt(z, sel == 2);
		break;
	case 3:
	case 4:
		fst_report(raw, in.n, sel == 4);
		break;
	case 5:
		err[0] = '\0';
		if (sts_gunzip((const uint8_t *)raw, in.n, FST_GUNZIP_MAX, &out,
		    &outlen, err, sizeof(err)) < 0) {
			FUZZ_CHECK(err[0] != '\0');
			break;
		}
		FUZZ_CHECK(out != NULL && outlen <= FST_GUNZIP_MAX &&
		    out[outlen] == '\0');
		fst_report(out, outlen, true);
		break;
	case 6:
		n = fst_lines(z, lines, ARRAY_LEN(lines));
		for (size_t i = 0; i + 1 < n; i += 2) {
			bool m = sts_mx_match(lines[i], lines[i + 1]);

			if (!sts_mx_pattern_valid(lines[i]))
				FUZZ_CHECK(!m);
		}
		break;
	}
	free(out);
	free(raw);
	free(z);
}

#endif
