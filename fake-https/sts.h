/*
 * sts: sans-I/O parsers for MTA-STS (RFC 8461) and SMTP TLS reporting
 * (RFC 8460), shared by the policy host, the reference sender, the
 * attacker and the report comparison.  No I/O, no global state: every
 * function takes bytes and gives plain data or an error string.
 *
 *   sts_policy_*     the policy body (RFC 8461 3.2) and its rendering
 *   sts_mx_*         MX patterns and matching (RFC 8461 4.1)
 *   sts_txt_*        the _mta-sts TXT record (RFC 8461 3.1)
 *   sts_tlsrpt_txt_* the _smtp._tls TXT record (RFC 8460 3)
 *   sts_tlsrpt_*     received aggregate reports (RFC 8460 4.4) as the
 *                    results model's struct res_policy (core/result.h)
 *
 * Errors: a parse returns 0, or -1 with one sentence in err ("line 3:
 * mode: \"Enforce\" is not enforce, testing or none").  Outputs are owned
 * by the caller and freed with the matching _free (NULL is a no-op).
 */
#ifndef MXSIM_STS_H
#define MXSIM_STS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/result.h"

#define STS_MAX_AGE_CAP 31557600u   /* RFC 8461 3.2: about one year */
#define STS_ID_MAX 32               /* sts-id: 1*32(ALPHA / DIGIT) */
#define STS_POLICY_PATH "/.well-known/mta-sts.txt"
#define STS_CONTENT_TYPE "text/plain"

/* ---- the policy body ---- */

enum sts_mode { STS_MODE_ENFORCE, STS_MODE_TESTING, STS_MODE_NONE };

struct sts_policy {
	enum sts_mode mode;
	uint32_t max_age;     /* seconds, after the cap */
	bool capped;          /* the body said more than STS_MAX_AGE_CAP */
	char **mx;            /* every mx value as served, in order */
	size_t nmx;
	size_t nmx_bad;       /* how many of them are malformed (never match) */
	char **strings;       /* RFC 8460 4.5 policy-string: each non-empty
	                       * line as served, without its terminator */
	size_t nstrings;
	char warning[160];    /* first tolerated oddity ("" if none): a capped
	                       * max_age, a malformed mx, a duplicate field */
};

/* Parse a policy body (RFC 8461 3.2 ABNF): fields in any order, names
 * and the version/mode values case-sensitive, `:` then optional WSP,
 * trailing WSP, LF or CRLF line ends; version STSv1, mode and max_age
 * (1-10 digits, capped at STS_MAX_AGE_CAP) required; at least one mx
 * unless mode is none; of other repeated fields the first counts;
 * unknown fields that fit the extension syntax are ignored.  Empty lines
 * are accepted (the ABNF's mx alternative 0*(...) matches nothing).  A
 * malformed mx pattern (ambiguity P.11) does not void the policy: it is
 * kept, counted in nmx_bad, and never matches; the caller decides. */
int sts_policy_parse(const char *body, size_t len, struct sts_policy **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
void sts_policy_free(struct sts_policy *p);
const char *sts_mode_name(enum sts_mode m);  /* "enforce", ... */
/* Whether host matches one of the policy's patterns. */
bool sts_policy_match(const struct sts_policy *p, const char *host);

/* What a policy host serves, as data: values are written as given, so
 * bad ones ("Enforce", "-1", "mx*.example.test") are scenario data.
 * NULL takes the default, "" leaves the line out. */
struct sts_policy_spec {
	const char *version;      /* NULL = "STSv1" */
	const char *mode;         /* NULL = "enforce" */
	const char *max_age;      /* NULL = "604800" */
	const char *const *mx;    /* NULL-terminated patterns, or NULL */
	const char *const *extra; /* more lines, verbatim, after the rest */
	bool lf;                  /* end lines with LF instead of CRLF */
};

/* The body text (version, mode, mx..., max_age, extra...), xmalloc'd. */
char *sts_policy_text(const struct sts_policy_spec *s);

/* ---- MX patterns ---- */

/* ["*."] Domain (RFC 5321 Domain: LDH labels of 1-63 characters, at most
 * 253 in all, A-labels only, no trailing dot). */
bool sts_mx_pattern_valid(const char *pattern);
/* RFC 8461 4.1: case-insensitive; a trailing dot on host is ignored;
 * "*.example.test" matches exactly one extra non-empty label; malformed
 * patterns and malformed hosts (U-labels too) never match. */
bool sts_mx_match(const char *pattern, const char *host);

/* ---- the _mta-sts TXT record ---- */

/* One record (its strings already joined without spaces, as RFC 8461 3.1
 * asks).  Fills id (NUL-terminated).  -1 when the record does not begin
 * with "v=STSv1" and a ";", or does not fit the ABNF. */
int sts_txt_parse(const char *rec, char id[STS_ID_MAX + 1], char *err,
	size_t errlen) __attribute__((warn_unused_result));

enum sts_txt_result {
	STS_TXT_OK = 0,
	STS_TXT_NONE = -1,     /* no record begins with the version */
	STS_TXT_MANY = -2,     /* more than one does: no usable record */
	STS_TXT_INVALID = -3,  /* exactly one, and it is malformed */
};

/* RFC 8461 3.1 discovery over every TXT record of the name: records that
 * do not begin with "v=STSv1" (then optional WSP and ";") are discarded;
 * exactly one must remain and parse.  Fills id on STS_TXT_OK. */
enum sts_txt_result sts_txt_select(const char *const *recs, size_t n,
	char id[STS_ID_MAX + 1], char *err, size_t errlen);

/* ---- the _smtp._tls TXT record ---- */

struct sts_tlsrpt_txt {
	char **rua;           /* the mailto: and https: URIs, in order */
	size_t nrua;
	size_t nignored;      /* URIs of other schemes, ignored */
};

/* "v=TLSRPTv1; rua=mailto:a@x.test,https://r.example.test/v1" (RFC 8460
 * 3 ABNF: version first, rua required, extensions ignored, commas between
 * URIs with optional WSP).  -1 when malformed or when no mailto: or
 * https: URI is left. */
int sts_tlsrpt_txt_parse(const char *rec, struct sts_tlsrpt_txt **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
/* Discovery over several records, as sts_txt_select (returns the same
 * codes; *out set on STS_TXT_OK). */
enum sts_txt_result sts_tlsrpt_txt_select(const char *const *recs, size_t n,
	struct sts_tlsrpt_txt **out, char *err, size_t errlen);
void sts_tlsrpt_txt_free(struct sts_tlsrpt_txt *t);

/* ---- received TLSRPT reports ---- */

struct sts_tlsrpt_report {
	char *org;            /* organization-name */
	char *contact;        /* contact-info */
	char *report_id;
	time_t start, end;    /* date-range */
	struct res_policy *policies;
	size_t npolicies;
	bool mx_host_string;  /* some mx-host was a bare string (lenient) */
};

/* Parse and validate a report against reports/tlsrpt.schema.json:
 * I-JSON object, required keys, types, no unknown keys, result-types from
 * the registry, RFC 3339 dates, IP addresses, policy-type rules (no
 * policy-string or mx-host for no-policy-found).  mx-host given as a bare
 * string (the RFC's Appendix B form, ambiguity P.2) is accepted only when
 * lenient is true.  The res_policy entries use the model's field names:
 * type, domain, strings, mx_patterns, success, failure, failures. */
int sts_tlsrpt_report_parse(const char *json, size_t len, bool lenient,
	struct sts_tlsrpt_report **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void sts_tlsrpt_report_free(struct sts_tlsrpt_report *r);

/* Inflate a gzip stream (application/tlsrpt+gzip) into a NUL-terminated
 * xmalloc'd buffer of at most max bytes.  -1 with a message when the data
 * is not gzip, is truncated or inflates beyond max. */
int sts_gunzip(const uint8_t *in, size_t len, size_t max, char **out,
	size_t *outlen, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
