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
 *   report.tap     report_tap()            TAP version 13, one test per scenario
 *   report.html    report_html()           one self-contained page: summary
 *                                          table, verdicts, session ladders
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

/* RFC 8460 reports: <dir>/<scenario id>/<report domain>.json for every
 * report domain of every scenario (folders made as needed): the
 * recipient domain's report holds its sts / no-policy-found entries and
 * the tlsa entries of its MX hosts (policy-domain: the TLSA base
 * domain).  Returns the number of files written, or -1. */
int report_tlsrpt(const struct res_run *run, const char *dir) WUR;
/* The reports of one scenario, <dir>/<report domain>.json; count or -1. */
int report_tlsrpt_scenario(const struct res_scenario *s, const char *dir) WUR;
/* The report of one scenario for one report domain as JSON text (ends
 * with a newline), NULL when the scenario has no policy for that domain;
 * caller frees. */
char *report_tlsrpt_json(const struct res_scenario *s, const char *domain);
/* The distinct report domains of a scenario in order of first appearance
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

/* report.tap: TAP version 13, "1..N", then per scenario "ok N - <id>:
 * <title>" or "not ok N - ..." (fail and error) with a YAML diagnostic block
 * (verdict, reason, refs, each message's delivery); unsupported scenarios
 * are "ok N - ... # SKIP <reason>".  0 or -1. */
int report_tap(const struct res_run *run, const char *path) WUR;
/* The same document as text; caller frees. */
char *report_tap_text(const struct res_run *run);

/* report.html: one self-contained page (inline CSS and SVG, a few lines of
 * inline JavaScript for expand/collapse, no external fetch): a summary table
 * of every scenario, then per scenario its verdict with reason and refs,
 * phases and messages, and a ladder diagram of every session.  All model
 * text is escaped.  0 or -1. */
int report_html(const struct res_run *run, const char *path) WUR;
/* The same page as text; caller frees. */
char *report_html_text(const struct res_run *run);

/* How the path treated one line of a ladder. */
enum report_hop {
	REPORT_HOP_NONE,      /* notes; lines the path cannot read */
	REPORT_HOP_RELAYED,   /* passed on unchanged (ref: the other copy) */
	REPORT_HOP_ORIGINAL,  /* received, passed on changed (ref: the copy) */
	REPORT_HOP_CHANGED,   /* the changed copy of line ref */
	REPORT_HOP_FORGED,    /* passed on, never received: the path's own */
	REPORT_HOP_DROPPED,   /* received, never passed on */
};

struct report_ladder_line {
	const struct rec_line *line;  /* points into the model */
	unsigned session;     /* the session it was recorded in */
	bool leg;             /* recorded on an attacker-to-MX leg */
	bool direct;          /* drawn sender <-> MX: the path saw no text */
	bool enc;             /* ... because TLS runs end to end */
	enum report_hop hop;
	size_t ref;           /* paired line, (size_t)-1 if none */
};

/* The ladder of session rs of s: its transcript merged with those of the
 * attacker-to-MX legs that carry it (sessions whose via is rs->id), in
 * order, each line classified.  Returns the line count; *out is an array
 * the caller frees (NULL when empty). */
size_t report_ladder(const struct res_scenario *s, const struct rec_session *rs,
	struct report_ladder_line **out);
/* Append the HTML of session rs (scenario number si, 0-based, of the run):
 * header, fact chips and its ladder, with the DNS and HTTPS lanes of the
 * exchanges lx draws with it (lx may be NULL); report.html calls it per
 * session. */
struct report_lanes;
void report_html_session(struct buf *b, const struct res_scenario *s,
	size_t si, const struct rec_session *rs, const struct report_lanes *lx);

/* The DNS and HTTPS lanes (report_lanes.c).  The exchanges of a scenario
 * (and the attacker's DNS and policy-path evidence) are each drawn with
 * the first sender session of their phase and message still open when
 * they began, or in a ladder of their own (report_lanes_rest). */
struct report_lane_line {
	const struct rec_line *line;  /* points into the model */
	const struct rec_session *x;  /* the exchange or evidence it is from */
	bool dns;                     /* DNS lane, else the web lane */
	bool evidence;                /* an attacker's note */
};
struct report_lanes *report_lanes_new(const struct res_scenario *s);
void report_lanes_free(struct report_lanes *lx);       /* NULL: no-op */
size_t report_lanes_count(const struct report_lanes *lx);  /* items */
/* The lines drawn with sender session rs, in recorder order; *out is
 * the caller's to free (NULL when none). */
size_t report_lanes_of(const struct report_lanes *lx,
	const struct rec_session *rs, struct report_lane_line **out);
/* One row of a ladder for l (last: the time shown on the row above). */
void report_lanes_line_html(struct buf *b, const struct report_lane_line *l,
	uint64_t *last, bool first);
void report_lanes_row(struct buf *b, const struct report_lane_line *l);
/* Header of a five-lane ladder: DNS resolver | sender | path | MX | web. */
void report_lanes_header(struct buf *b, const char *sender, const char *path,
	const char *path_small, bool atk, const char *mx, const char *web);
const char *report_lanes_web_host(const struct report_lane_line *v, size_t n);
/* Ladders of the exchanges no session took, per phase and message. */
void report_lanes_rest(struct buf *b, const struct report_lanes *lx,
	const struct res_scenario *s, size_t si);

/* Helpers shared by the writers. */
/* Length (1-4) of the well-formed UTF-8 sequence at s, its code point in
 * *cp; 0 when s does not start one (overlong, surrogate, truncated, NUL). */
size_t report_utf8_len(const char *s, uint32_t *cp);
/* Copy of s that is valid UTF-8: invalid bytes become the text \xNN. */
char *report_utf8_clean(const char *s);
/* Write len bytes to path through a temporary file and rename: 0 or -1. */
int report_write_atomic(const char *path, const void *data, size_t len) WUR;
/* DIR/<id>/<n>.json: the TLSRPT reports each scenario's sender sent,
 * as received, and findings.txt (report_received.c).  Returns the number
 * of reports written, -1 on error. */
int report_tlsrpt_received(const struct res_run *run, const char *dir) WUR;
/* mkdir -p: 0 or -1. */
int report_mkdirs(const char *dir) WUR;

#endif
