/*
 * report: writers of the results model (core/result.h).
 *
 * Every writer is deterministic: the same model gives the same bytes (no
 * wall-clock time, no addresses, keys in a fixed order).  Files are written
 * atomically (a temporary file in the same folder, then rename), so a reader
 * never sees half a report.  The writers only read the model; the caller
 * keeps ownership of it.
 *
 *   results.json   report_results_json()   every scenario, phase, message,
 *                                          session and transcript
 *   <id>/<dom>.json report_tlsrpt()        RFC 8460 aggregate reports, one per
 *                                          scenario and policy domain
 *   junit.xml      report_junit()          one testcase per scenario
 *   stdout         report_text()           one line per scenario + a summary
 */
#ifndef MXSIM_REPORT_H
#define MXSIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/result.h"
#include "core/util.h"

#define REPORT_VERSION "0.1"
#define REPORT_ORG "mxsim"
#define REPORT_CONTACT "tlsrpt@mxsim.test"

/* Verdict tallies of a run, taken from the scenarios themselves (a missing
 * or unknown verdict counts as an error). */
struct report_counts {
	unsigned total, pass, fail, unsupported, error;
};
void report_count(const struct res_run *run, struct report_counts *c);

/* results.json: 0, or -1 (errno set) when the file cannot be written. */
int report_results_json(const struct res_run *run, const char *path) WUR;
/* The same document as text (ends with a newline); caller frees. */
char *report_results_json_text(const struct res_run *run);

/* RFC 8460 reports: <dir>/<scenario id>/<policy domain>.json for every
 * policy domain of every scenario (folders made as needed).  Returns the
 * number of files written, or -1. */
int report_tlsrpt(const struct res_run *run, const char *dir) WUR;
/* The reports of one scenario, <dir>/<policy domain>.json; count or -1. */
int report_tlsrpt_scenario(const struct res_scenario *s, const char *dir) WUR;
/* The report of one scenario for one policy domain as JSON text (ends with
 * a newline), NULL when the scenario has no policy for that domain; caller
 * frees. */
char *report_tlsrpt_json(const struct res_scenario *s, const char *domain);
/* The distinct policy domains of a scenario in order of first appearance
 * (pointers into the model; caller frees the array only). */
size_t report_tlsrpt_domains(const struct res_scenario *s, const char ***out);
/* One RFC 8460 policy entry {"policy", "summary", "failure-details"} as a
 * new jansson reference (results.json reuses it). */
json_t *report_tlsrpt_policy_json(const struct res_policy *p);

/* junit.xml: 0 or -1. */
int report_junit(const struct res_run *run, const char *path) WUR;
/* XML 1.0 escaping: & < > " ' become entities, CR always becomes &#13;
 * (parsers would fold it), tab and LF too when attr (attribute values are
 * normalised otherwise); characters XML 1.0 cannot carry at all (other C0
 * controls, U+FFFE, U+FFFF) and bytes that are not UTF-8 become the visible
 * text \xNN.  NULL gives "".  Caller frees. */
char *report_xml_escape(const char *s, bool attr);

/* Text table on out: one line per scenario, then the summary line
 * "N passed, N failed, N unsupported, N errors".  ANSI colour if color. */
void report_text(const struct res_run *run, FILE *out, bool color);

/* Helpers shared by the writers. */
/* Length (1-4) of the well-formed UTF-8 sequence at s, its code point in
 * *cp; 0 when s does not start one (overlong, surrogate, truncated, NUL). */
size_t report_utf8_len(const char *s, uint32_t *cp);
/* Copy of s that is valid UTF-8: invalid bytes become the text \xNN. */
char *report_utf8_clean(const char *s);
/* Write len bytes to path through a temporary file and rename: 0 or -1. */
int report_write_atomic(const char *path, const void *data, size_t len) WUR;
/* mkdir -p: 0 or -1. */
int report_mkdirs(const char *dir) WUR;

#endif
