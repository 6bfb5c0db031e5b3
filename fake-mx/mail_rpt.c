/*
 * mail_rpt: a TLSRPT report mail taken apart and checked against RFC 8460
 * 5.3 (CONFORMANCE N150).  See mail.h.
 *
 * What is checked, each miss a finding: the top-level Content-Type is
 * multipart/report with report-type "tlsrpt" and a boundary; the first
 * part is human-readable (a text/ type, RFC 6522 3); one part is
 * application/tlsrpt+gzip or application/tlsrpt+json; TLS-Report-Domain
 * and TLS-Report-Submitter appear once each; the submitter is the domain
 * of the report's contact-info; the Subject reads "Report Domain: D
 * Submitter: S Report-ID: <id>" with the same D and S; the report part's
 * filename is S!D!begin!end[!id].json (.json.gz for gzip).  The report
 * part is decoded (base64 or identity) and inflated with a cap
 * (MAIL_MAX_REPORT): a gzip bomb is a finding, not an allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "core/util.h"
#include "fake-mx/mail.h"
#include "fake-https/sts.h"

struct part {
	struct mail_hdr h;
	char *type;           /* lowercased type/subtype */
	int depth;            /* 1: a part of the top-level multipart */
	size_t index;         /* its place among its siblings, from 0 */
};

struct walk {
	struct part parts[MAIL_MAX_PARTS];
	size_t n;
	bool too_many;
	bool unterminated;    /* a multipart without its close delimiter */
};

static void
finding(struct mail_rpt *r, const char *fmt, ...) PRINTF(2, 3);

static void
finding(struct mail_rpt *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->findings = xrealloc(r->findings, (r->nfindings + 1) *
	    sizeof(*r->findings));
	r->findings[r->nfindings++] = xstrdup(buf);
}

/* ---- decoding ---- */

int
mail_b64_decode(const char *in, size_t inlen, unsigned char **out,
    size_t *outlen)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char *clean = xmalloc(inlen + 1);
	size_t n = 0, pad = 0;
	int got;

	for (size_t i = 0; i < inlen; i++) {
		char c = in[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=')
			pad++;
		else if (pad > 0 || c == '\0' || strchr(alpha, c) == NULL)
			goto bad;   /* data after padding, or not base64 */
		clean[n++] = c;
	}
	if (n % 4 != 0 || pad > 2)
		goto bad;
	*out = xmalloc(n / 4 * 3 + 1);
	got = n ? EVP_DecodeBlock(*out, (const unsigned char *)clean, (int)n) : 0;
	free(clean);
	if (got < 0 || (size_t)got < pad) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*outlen = (size_t)got - pad;
	return 0;
bad:
	free(clean);
	return -1;
}

/* ---- MIME structure ---- */

/* Whether line p (n bytes) is the delimiter of boundary bd; *close when
 * it is the closing one.  Trailing WSP is allowed (RFC 2046 5.1.1). */
static bool
delimiter(const char *p, size_t n, const char *bd, size_t bdl, bool *close)
{
	if (n < bdl + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, bd, bdl) != 0)
		return false;
	p += bdl + 2;
	n -= bdl + 2;
	*close = n >= 2 && p[0] == '-' && p[1] == '-';
	if (*close) {
		p += 2;
		n -= 2;
	}
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++, n--;
	return n == 0;
}

static void walk_entity(struct walk *w, const char *msg, size_t len,
	int depth, size_t index);

/* The parts of a multipart body, each walked. */
static void
walk_multipart(struct walk *w, const char *body, size_t len,
    const char *bd, int depth)
{
	const char *p = body, *end = body + len, *start = NULL;
	size_t bdl = strlen(bd), index = 0;
	bool closed = false;

	while (p < end && !closed) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		size_t n = (size_t)((nl ? nl : end) - p);
		bool close;

		if (delimiter(p, n, bd, bdl, &close)) {
			if (start != NULL) {
				/* the line end before the delimiter belongs to it */
				const char *e = p;
				if (e > start && e[-1] == '\n')
					e--;
				if (e > start && e[-1] == '\r')
					e--;
				walk_entity(w, start, (size_t)(e - start), depth, index++);
			}
			start = next;
			closed = close;
		}
		p = next;
	}
	if (!closed)
		w->unterminated = true;
}

static void
walk_entity(struct walk *w, const char *msg, size_t len, int depth,
    size_t index)
{
	struct part *pt;
	const char *ct;
	char *bd;

	if (w->n == MAIL_MAX_PARTS) {
		w->too_many = true;
		return;
	}
	pt = &w->parts[w->n++];
	mail_hdr_parse(msg, len, &pt->h);
	ct = mail_hdr_get(&pt->h, "Content-Type", NULL);
	pt->type = ct ? mail_ct_type(ct) : xstrdup("text/plain");
	pt->depth = depth;
	pt->index = index;
	if (strncmp(pt->type, "multipart/", 10) != 0 || depth >= MAIL_MAX_DEPTH)
		return;
	bd = mail_ct_param(ct, "boundary");
	if (bd != NULL && bd[0] != '\0' && strlen(bd) <= 70)
		walk_multipart(w, pt->h.body, pt->h.bodylen, bd, depth + 1);
	free(bd);
}

static void
walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		mail_hdr_free(&w->parts[i].h);
		free(w->parts[i].type);
	}
}

/* ---- the checks ---- */

/* The report part's content, decoded and inflated, into r. */
static void
read_report(struct mail_rpt *r, const struct part *pt)
{
	const char *cte = mail_hdr_get(&pt->h, "Content-Transfer-Encoding", NULL);
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char err[256];

	if (cte != NULL && strncasecmp(cte, "base64", 6) == 0) {
		if (mail_b64_decode(pt->h.body, pt->h.bodylen, &raw, &rawlen) < 0) {
			finding(r, "the report part is not valid base64");
			return;
		}
	} else if (cte == NULL || strncasecmp(cte, "7bit", 4) == 0 ||
	    strncasecmp(cte, "8bit", 4) == 0 || strncasecmp(cte, "binary", 6) == 0) {
		if (r->gzip)
			finding(r, "the gzip report part is not base64-encoded "
			    "(Content-Transfer-Encoding: %s)", cte ? cte : "none");
		raw = xmalloc(pt->h.bodylen + 1);
		memcpy(raw, pt->h.body, pt->h.bodylen);
		rawlen = pt->h.bodylen;
	} else {
		finding(r, "the report part has Content-Transfer-Encoding \"%.40s\", "
		    "which mxsim does not decode", cte);
		return;
	}
	if (r->gzip) {
		if (sts_gunzip(raw, rawlen, MAIL_MAX_REPORT, &r->json, &r->json_len,
		    err, sizeof(err)) < 0)
			finding(r, "application/tlsrpt+gzip part: %s", err);
	} else if (rawlen > MAIL_MAX_REPORT) {
		finding(r, "the report part is larger than %d bytes", MAIL_MAX_REPORT);
	} else {
		r->json = xstrndup((const char *)raw, rawlen);
		r->json_len = rawlen;
	}
	free(raw);
	if (r->json != NULL && strlen(r->json) != r->json_len) {
		finding(r, "the report contains NUL bytes");
		free(r->json);
		r->json = NULL;
	}
}

/* The next whitespace-separated word of *p (into w, cut to wlen). */
static bool
word(const char **p, char *w, size_t wlen)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	if (n == 0 || n >= wlen)
		return false;
	memcpy(w, s, n);
	w[n] = '\0';
	*p = s + n;
	return true;
}

static void
check_subject(struct mail_rpt *r)
{
	const char *p = r->subject;
	char w[7][300];
	bool ok = p != NULL;

	for (size_t i = 0; ok && i < 7; i++)
		ok = word(&p, w[i], sizeof(w[i]));
	while (ok && (*p == ' ' || *p == '\t'))
		p++;
	ok = ok && *p == '\0';
	/* "Report" "Domain:" D "Submitter:" S "Report-ID:" <id> */
	if (ok && strcmp(w[0], "Report") == 0 && strcmp(w[1], "Domain:") == 0 &&
	    strcmp(w[3], "Submitter:") == 0 && strcmp(w[5], "Report-ID:") == 0 &&
	    w[6][0] == '<' && w[6][strlen(w[6]) - 1] == '>' && strlen(w[6]) > 2) {
		if (ok && r->domain && strcasecmp(w[2], r->domain) != 0)
			finding(r, "the Subject names domain %s, TLS-Report-Domain "
			    "says %s", w[2], r->domain);
		if (ok && r->submitter && strcasecmp(w[4], r->submitter) != 0)
			finding(r, "the Subject names submitter %s, "
			    "TLS-Report-Submitter says %s", w[4], r->submitter);
	} else {
		ok = false;
	}
	if (!ok)
		finding(r, "the Subject is not \"Report Domain: <domain> Submitter: "
		    "<submitter> Report-ID: <<id>>\" (RFC 8460 5.3): %.120s",
		    r->subject ? r->subject : "(none)");
}

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void
check_filename(struct mail_rpt *r)
{
	const char *f = r->filename, *ext = r->gzip ? ".json.gz" : ".json";
	const char *fld[6];
	size_t len[6], nf = 0, el = strlen(ext), fl;

	if (f == NULL) {
		finding(r, "the report part has no filename (RFC 8460 5.3: "
		    "submitter!policy-domain!begin!end[!id]%s)", ext);
		return;
	}
	fl = strlen(f);
	if (fl <= el || strcasecmp(f + fl - el, ext) != 0 ||
	    (!r->gzip && fl > 8 && strcasecmp(f + fl - 8, ".json.gz") == 0)) {
		finding(r, "the filename \"%.120s\" does not end in %s", f, ext);
		return;
	}
	fl -= el;
	for (const char *p = f; nf < 6;) {
		const char *bang = memchr(p, '!', (size_t)(f + fl - p));
		fld[nf] = p;
		len[nf++] = bang ? (size_t)(bang - p) : (size_t)(f + fl - p);
		if (bang == NULL)
			break;
		p = bang + 1;
	}
	if ((nf != 4 && nf != 5) || !all_digits(fld[2], len[2]) ||
	    !all_digits(fld[3], len[3])) {
		finding(r, "the filename \"%.120s\" is not submitter!policy-domain!"
		    "begin!end[!id]%s (RFC 8460 5.3)", f, ext);
		return;
	}
	if (r->submitter && (len[0] != strlen(r->submitter) ||
	    strncasecmp(fld[0], r->submitter, len[0]) != 0))
		finding(r, "the filename names submitter %.*s, TLS-Report-Submitter "
		    "says %s", (int)len[0], fld[0], r->submitter);
	if (r->domain && (len[1] != strlen(r->domain) ||
	    strncasecmp(fld[1], r->domain, len[1]) != 0))
		finding(r, "the filename names policy domain %.*s, "
		    "TLS-Report-Domain says %s", (int)len[1], fld[1], r->domain);
}

/* The submitter must be the domain of contact-info (CONFORMANCE N150). */
static void
check_contact(struct mail_rpt *r)
{
	json_t *root;
	const char *ci, *at;

	if (r->json == NULL || r->submitter == NULL)
		return;
	root = json_loadb(r->json, r->json_len, 0, NULL);
	ci = json_string_value(json_object_get(root, "contact-info"));
	if (ci != NULL) {
		at = strrchr(ci, '@');
		if (at == NULL || strcasecmp(at + 1, r->submitter) != 0)
			finding(r, "TLS-Report-Submitter %s is not the domain of the "
			    "report's contact-info \"%.100s\"", r->submitter, ci);
	}
	json_decref(root);   /* an unreadable report is tlsrpt_recv's finding */
}

static void
check_headers(struct mail_rpt *r, const struct mail_hdr *h)
{
	static const char *const names[] = { "TLS-Report-Domain",
		"TLS-Report-Submitter" };
	char **slot[] = { &r->domain, &r->submitter };

	for (size_t i = 0; i < 2; i++) {
		size_t n;
		const char *v = mail_hdr_get(h, names[i], &n);
		if (v == NULL)
			finding(r, "no %s header (RFC 8460 5.3)", names[i]);
		else if (n > 1)
			finding(r, "%zu %s headers (RFC 8460 5.3: one)", n, names[i]);
		if (v != NULL)
			*slot[i] = xstrndup(v, strcspn(v, " \t"));
	}
	const char *s = mail_hdr_get(h, "Subject", NULL);
	r->subject = s ? xstrdup(s) : NULL;
	check_subject(r);
}

/* The report part of the walk, or NULL; sets r->gzip. */
static const struct part *
report_part(struct mail_rpt *r, const struct walk *w)
{
	for (size_t i = 1; i < w->n; i++) {
		const struct part *pt = &w->parts[i];
		if (strcmp(pt->type, "application/tlsrpt+gzip") != 0 &&
		    strcmp(pt->type, "application/tlsrpt+json") != 0)
			continue;
		r->gzip = strcmp(pt->type, "application/tlsrpt+gzip") == 0;
		if (pt->depth != 1)
			finding(r, "the report part is nested %d levels deep, not a "
			    "part of the multipart/report", pt->depth);
		return pt;
	}
	finding(r, "no application/tlsrpt+gzip or application/tlsrpt+json part "
	    "(RFC 8460 5.3)");
	return NULL;
}

static void
check_structure(struct mail_rpt *r, const struct walk *w)
{
	const struct part *top = &w->parts[0];
	const char *ct = mail_hdr_get(&top->h, "Content-Type", NULL);
	char *rt = ct ? mail_ct_param(ct, "report-type") : NULL;
	bool human = false;

	if (strcmp(top->type, "multipart/report") != 0)
		finding(r, "the message is %s, not multipart/report (RFC 8460 5.3)",
		    ct ? top->type : "without a Content-Type");
	else if (rt == NULL || strcasecmp(rt, "tlsrpt") != 0)
		finding(r, "multipart/report without report-type=\"tlsrpt\"%s%.40s",
		    rt ? ": report-type=" : "", rt ? rt : "");
	free(rt);
	if (w->n == 1 && strncmp(top->type, "multipart/", 10) == 0)
		finding(r, "no MIME parts found (missing or wrong boundary)");
	if (w->unterminated)
		finding(r, "a multipart body does not end with its close delimiter");
	if (w->too_many)
		finding(r, "more than %d MIME parts: the rest were not read",
		    MAIL_MAX_PARTS);
	for (size_t i = 1; i < w->n; i++)
		if (w->parts[i].depth == 1 && w->parts[i].index == 0)
			human = strncmp(w->parts[i].type, "text/", 5) == 0;
	if (w->n > 1 && !human)
		finding(r, "the first part is not human-readable text (RFC 6522 3, "
		    "RFC 8460 5.3)");
}

struct mail_rpt *
mail_rpt_parse(const char *msg, size_t len)
{
	struct mail_rpt *r = xcalloc(1, sizeof(*r));
	struct walk w;
	const struct part *rp;

	memset(&w, 0, sizeof(w));
	walk_entity(&w, msg, len, 0, 0);
	check_structure(r, &w);
	check_headers(r, &w.parts[0].h);
	rp = report_part(r, &w);
	if (rp != NULL) {
		const char *cd = mail_hdr_get(&rp->h, "Content-Disposition", NULL);
		const char *ct = mail_hdr_get(&rp->h, "Content-Type", NULL);
		r->filename = cd ? mail_ct_param(cd, "filename") : NULL;
		if (r->filename == NULL && ct != NULL)
			r->filename = mail_ct_param(ct, "name");
		read_report(r, rp);
		check_filename(r);
		check_contact(r);
	}
	walk_free(&w);
	return r;
}

void
mail_rpt_free(struct mail_rpt *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nfindings; i++)
		free(r->findings[i]);
	free(r->findings);
	free(r->json);
	free(r->domain);
	free(r->submitter);
	free(r->subject);
	free(r->filename);
	free(r);
}

bool
mail_is_tlsrpt(const char *msg, size_t len)
{
	struct mail_hdr h;
	const char *ct;
	char *type = NULL, *rt = NULL;
	bool yes;

	mail_hdr_parse(msg, len, &h);
	ct = mail_hdr_get(&h, "Content-Type", NULL);
	if (ct != NULL) {
		type = mail_ct_type(ct);
		rt = mail_ct_param(ct, "report-type");
	}
	yes = type != NULL && strcmp(type, "multipart/report") == 0 &&
	    rt != NULL && strcasecmp(rt, "tlsrpt") == 0;
	free(type);
	free(rt);
	mail_hdr_free(&h);
	return yes;
}
