/*
 * scenario: load a scenario file, check it against the schema in
 * scenario.h and convert it to plain C data.  See scenario.h.
 *
 * The file runs in a fresh sandbox and must return a table.  The
 * conversion then runs as a C function under lua_pcall in that same
 * state: a schema error formats "path:line: key.path: message" into the
 * caller's buffer and raises a Lua error, which unwinds straight back to
 * scenario_load_string().  That is safe for C memory because every
 * allocation is attached to the scenario at once (arrays are allocated
 * zeroed with their final count), so scenario_free() releases whatever
 * was built.  Tables are only read raw (lua_rawget, lua_next), so a
 * scenario's metatables never run during the conversion.
 *
 * Checks are done in a fixed order, and among several unknown keys the
 * smallest is reported, so the same file always gives the same message.
 * Lines come from scenario_src.c.  This module does not log.
 */
#include "sim/scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/sandbox.h"
#include "core/util.h"
#include "sim/scenario_int.h"

#define SCN_FILE_MAX (1u << 20)
#define SCN_CLOCK_DEFAULT "2026-06-01T00:00:00Z"

static const char *const top_keys[] = {
	"title", "refs", "domain", "clock", "dnssec", "mx", "dns", "tlsa",
	"mta_sts", "tlsrpt", "sender_tls", "submit", "attack", "messages",
	"phases", "expect", "timeout", "dns_faults", "zones", "message", "relay",
	NULL,
};
static const char *const phase_keys[] = {
	"advance", "set", "deliver", "expect", NULL,
};
static const char *const set_keys[] = {
	"mx", "dns", "attack", "submit", "sender_tls", "dnssec", "tlsrpt",
	"tlsa", "mta_sts", "dns_faults", "zones", "message", "relay", NULL,
};
static const char *const expect_keys[] = {
	"delivery", "tlsrpt", "leak", "fetches", "content", "reports", NULL,
};
static const char *const deliveries[] = {
	"verified", "tls", "plaintext", "refused", NULL,
};
/* RFC 8460 4.3 result types */
static const char *const result_types[] = {
	"starttls-not-supported", "certificate-host-mismatch",
	"certificate-expired", "certificate-not-trusted", "validation-failure",
	"tlsa-invalid", "dnssec-invalid", "dane-required",
	"sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
	NULL,
};

/* ---- the expectation ---- */

/* expect.content: "protected" | "exposed" (not with leak = false). */
static void
conv_content(struct cv *cv, int t, struct scn_expect *e)
{
	static const char *const contents[] = { "protected", "exposed", NULL };
	char *c;

	e->content = SCN_CONTENT_ANY;
	if (cv_field(cv, t, "content") != LUA_TNIL) {
		c = cv_enum(cv, -1, contents);
		e->content = strcmp(c, "exposed") == 0 ? SCN_CONTENT_EXPOSED :
		    SCN_CONTENT_PROTECTED;
		free(c);
		if (e->content == SCN_CONTENT_EXPOSED && e->leak == 0)
			cv_fail(cv, NULL, "\"exposed\" says the attacker reads the "
			    "content, which is a leak: not with leak = false");
	}
	cv_leave(cv);
}

/* expect.reports = { mail = N, https = N } */
static void
conv_reports(struct cv *cv, int t, struct scn_expect *e)
{
	static const char *const keys[] = { "mail", "https", NULL };

	t = lua_absindex(cv->L, t);
	cv_table(cv, t, "a table { mail = N, https = N }");
	cv_keys(cv, t, keys, 0);
	e->reports = true;
	if (cv_field(cv, t, "mail") != LUA_TNIL)
		e->reports_mail = (int)cv_integer(cv, -1, 0, 100);
	cv_leave(cv);
	if (cv_field(cv, t, "https") != LUA_TNIL)
		e->reports_https = (int)cv_integer(cv, -1, 0, 100);
	cv_leave(cv);
}

static void
conv_expect(struct cv *cv, int t, struct scn_expect *e)
{
	int ty;

	cv_table(cv, t, "an expect table { delivery = ... }");
	cv_keys(cv, t, expect_keys, 0);
	ty = cv_field(cv, t, "delivery");
	if (ty == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (one of: %s, or a list "
		    "of them)", cv_join(cv, deliveries));
	cv_enum_list(cv, -1, deliveries, 1, 4, &e->delivery, &e->ndelivery);
	cv_leave(cv);
	if (cv_field(cv, t, "tlsrpt") != LUA_TNIL)
		cv_enum_list(cv, -1, result_types, 0, 16, &e->tlsrpt, &e->ntlsrpt);
	cv_leave(cv);
	e->leak = -1;
	if (cv_field(cv, t, "leak") != LUA_TNIL)
		e->leak = cv_boolean(cv, -1);
	cv_leave(cv);
	conv_content(cv, t, e);
	e->fetches_min = e->fetches_max = -1;
	if (cv_field(cv, t, "fetches") != LUA_TNIL)
		conv_fetches(cv, -1, e);   /* scenario_sts.c */
	cv_leave(cv);
	if (cv_field(cv, t, "reports") != LUA_TNIL)
		conv_reports(cv, -1, e);   /* judged by tlsrpt_recv_judge */
	cv_leave(cv);
}

/* ---- phases ---- */

/* Seconds from an integer or a duration string, min to 100 years. */
static uint64_t
conv_duration(struct cv *cv, int idx, int64_t min)
{
	const int64_t max = 100 * 365 * 86400LL;
	int64_t v;

	if (lua_type(cv->L, idx) == LUA_TSTRING) {
		const char *s = lua_tostring(cv->L, idx);
		v = scenario_parse_duration(s);
		if (v < 0)
			cv_fail(cv, NULL, "bad duration \"%.40s\" (seconds, or a number "
			    "with s, m, h or d: \"30s\", \"5m\", \"2h\", \"3d\")", s);
	} else if (lua_type(cv->L, idx) == LUA_TNUMBER)
		v = (int64_t)cv_integer(cv, idx, LUA_MININTEGER, LUA_MAXINTEGER);
	else
		cv_fail(cv, NULL, "expected seconds or a duration string like "
		    "\"30s\", got %s", cv_typename(cv, idx));
	if (v < min)
		cv_fail(cv, NULL, "must be at least %lld second%s, got %lld",
		    (long long)min, min == 1 ? "" : "s", (long long)v);
	if (v > max)
		cv_fail(cv, NULL, "longer than 100 years");
	return (uint64_t)v;
}

static void
conv_phase(struct cv *cv, int t, size_t i)
{
	struct scn_phase *ph = &cv->s->phases[i];

	cv_table(cv, t, "a phase table { deliver = ..., expect = ... }");
	cv_keys(cv, t, phase_keys, 0);
	ph->line = cv_line(cv, NULL);
	if (i > 0)
		scn_world_copy(&ph->world, &cv->s->phases[i - 1].world);
	if (cv_field(cv, t, "advance") != LUA_TNIL)
		ph->advance_s = conv_duration(cv, -1, 0);
	cv_leave(cv);
	if (cv_field(cv, t, "set") != LUA_TNIL) {
		cv_table(cv, -1, "a table of top-level keys to replace");
		cv_keys(cv, -1, set_keys, 0);
		conv_world(cv, lua_gettop(cv->L), &ph->world, true);
		world_check(cv, &ph->world, true);
	}
	cv_leave(cv);
	ph->deliver = 1;
	if (cv_field(cv, t, "deliver") != LUA_TNIL)
		ph->deliver = (int)cv_integer(cv, -1, 1, CV_MAX_MESSAGES);
	cv_leave(cv);
	if (cv_field(cv, t, "expect") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (each phase has its own "
		    "expect)");
	conv_expect(cv, lua_gettop(cv->L), &ph->expect);
	cv_leave(cv);
}

/* ---- the top level ---- */

static void
conv_refs(struct cv *cv, int t)
{
	struct scenario *s = cv->s;

	if (cv_field(cv, t, "refs") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (a list of strings such "
		    "as { \"RFC 3207 4\" }; may be empty)");
	cv_string_list(cv, -1, 0, 256, &s->refs, &s->nrefs);
	cv_leave(cv);
}

static void
conv_top(struct cv *cv, int t)
{
	struct scenario *s = cv->s;
	bool has_messages, has_phases, has_expect;
	size_t nph = 1;
	int64_t clock;

	cv_keys(cv, t, top_keys, 0);
	if (cv_field(cv, t, "title") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (a one-line title)");
	s->title = cv_string(cv, -1, false);
	cv_leave(cv);
	conv_refs(cv, t);
	if (cv_field(cv, t, "domain") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (the recipient domain, "
		    "e.g. \"example.test\")");
	s->domain = cv_hostname(cv, -1);
	cv_leave(cv);

	clock = scenario_parse_time(SCN_CLOCK_DEFAULT);
	if (cv_field(cv, t, "clock") != LUA_TNIL) {
		const char *c = cv_cstring(cv, -1);
		clock = scenario_parse_time(c);
		if (clock < 0)
			cv_fail(cv, NULL, "bad clock \"%s\" (expected "
			    "\"YYYY-MM-DDTHH:MM:SSZ\", e.g. \"%s\")", c,
			    SCN_CLOCK_DEFAULT);
	}
	cv_leave(cv);
	s->clock = (time_t)clock;
	s->timeout_s = 3600;
	if (cv_field(cv, t, "timeout") != LUA_TNIL)
		s->timeout_s = conv_duration(cv, -1, 1);
	cv_leave(cv);

	has_messages = cv_field(cv, t, "messages") != LUA_TNIL;
	cv_leave(cv);
	has_phases = cv_field(cv, t, "phases") != LUA_TNIL;
	cv_leave(cv);
	has_expect = cv_field(cv, t, "expect") != LUA_TNIL;
	if (has_phases && has_expect)
		cv_fail(cv, NULL, "with phases, each phase has its own expect: "
		    "move the top-level expect into the phases");
	if (!has_phases && !has_expect)
		cv_fail(cv, NULL, "missing required field (e.g. expect "
		    "= { delivery = \"verified\" })");
	cv_leave(cv);
	if (has_phases) {
		cv_field(cv, t, "phases");
		if (has_messages)
			cv_fail(cv, NULL, "messages and phases are exclusive: with "
			    "phases, give deliver = N in each phase");
		nph = cv_list(cv, -1, CV_MAX_PHASES);
		if (nph == 0)
			cv_fail(cv, NULL, "at least one phase is needed");
		cv_leave(cv);
	}

	s->phases = xcalloc(nph, sizeof(*s->phases));
	s->nphases = nph;
	for (size_t i = 0; i < nph; i++) {
		s->phases[i].expect.leak = -1;
		s->phases[i].expect.fetches_min = -1;
		s->phases[i].expect.fetches_max = -1;
	}
	conv_world(cv, t, &s->phases[0].world, false);
	world_check(cv, &s->phases[0].world, false);

	if (!has_phases) {
		struct scn_phase *ph = &s->phases[0];
		ph->line = cv_line(cv, NULL);
		ph->deliver = 1;
		if (cv_field(cv, t, "messages") != LUA_TNIL)
			ph->deliver = (int)cv_integer(cv, -1, 1, CV_MAX_MESSAGES);
		cv_leave(cv);
		cv_field(cv, t, "expect");
		conv_expect(cv, lua_gettop(cv->L), &ph->expect);
		cv_leave(cv);
		return;
	}
	cv_field(cv, t, "phases");
	for (size_t i = 0; i < nph; i++) {
		cv_index(cv, -1, i + 1);
		conv_phase(cv, lua_gettop(cv->L), i);
		cv_leave(cv);
	}
	cv_leave(cv);
}

/* [-2, +0, e] The protected conversion: cv (light userdata), the table. */
static int
conv_main(lua_State *L)
{
	struct cv *cv = lua_touserdata(L, 1);

	if (lua_type(L, 2) != LUA_TTABLE)
		cv_fail(cv, NULL, "a scenario file must return a table "
		    "(return { title = ..., ... }), got %s", cv_typename(cv, 2));
	conv_top(cv, 2);
	return 0;
}

/* The id when none was given: the base name without ".lua". */
static char *
default_id(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base != NULL ? base + 1 : name;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".lua") == 0)
		n -= 4;
	return xstrndup(base, n);
}

/* A sweep file (scenario_sweep.c): the variant the id names after '#',
 * or the first, which then names the scenario. */
static int
apply_sweep(struct cv *cv, const char *id)
{
	const char *hash = id != NULL ? strrchr(id, '#') : NULL;
	char *label;

	if (scn_sweep_apply(cv->L, cv->name, cv->src, hash ? hash + 1 : NULL,
	    &label, cv->err, cv->errlen) < 0)
		return -1;
	if (label != NULL && hash == NULL) {
		char *nid = xasprintf("%s#%s", cv->s->id, label);
		free(cv->s->id);
		cv->s->id = nid;
	}
	free(label);
	return 0;
}

static int
load(const char *name, const char *id, const char *src, size_t len,
	size_t mem, uint64_t insns, struct scenario **out, char *err,
	size_t errlen)
{
	struct sandbox *sb;
	struct cv cv;
	lua_State *L;
	int rc;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	sb = sandbox_new(mem, insns);   /* 0: the defaults */
	if (sb == NULL) {
		snprintf(err, errlen, "%s: cannot create the Lua sandbox", name);
		return -1;
	}
	if (sandbox_run_string(sb, name, src, len, err, errlen) < 0) {
		sandbox_free(sb);
		return -1;
	}
	L = sandbox_lua(sb);
	memset(&cv, 0, sizeof(cv));
	cv.L = L;
	cv.name = name;
	cv.src = scn_src_new(src, len);
	cv.err = err;
	cv.errlen = errlen;
	cv.s = xcalloc(1, sizeof(*cv.s));
	cv.s->path = xstrdup(name);
	cv.sb = sb;
	cv.s->id = id != NULL ? xstrdup(id) : default_id(name);
	if (apply_sweep(&cv, id) < 0) {
		scenario_free(cv.s);
		scn_src_free(cv.src);
		sandbox_free(sb);
		return -1;
	}

	/* no finalizer of the scenario may run (and touch the table) while
	 * it is being read */
	lua_gc(L, LUA_GCSTOP);
	lua_pushcfunction(L, conv_main);
	lua_pushlightuserdata(L, &cv);
	lua_rotate(L, -3, 2);       /* function, cv, result */
	rc = lua_pcall(L, 2, 0, 0);
	if (rc != LUA_OK) {
		if (!cv.failed)
			snprintf(err, errlen, "%s: %s", name,
			    rc == LUA_ERRMEM ? "memory limit exceeded while reading "
			    "the scenario" : lua_type(L, -1) == LUA_TSTRING ?
			    lua_tostring(L, -1) : "error while reading the scenario");
		scenario_free(cv.s);
		cv.s = NULL;
	}
	scn_src_free(cv.src);
	if (rc == LUA_OK && cv.keep) {
		/* hooks live in this state: the scenario owns it now */
		lua_settop(L, 0);
		lua_gc(L, LUA_GCRESTART);
		cv.s->lua = sb;
	} else
		sandbox_free(sb);
	*out = cv.s;
	return rc == LUA_OK ? 0 : -1;
}

int
scenario_load_string(const char *name, const char *src, size_t len,
	struct scenario **out, char *err, size_t errlen)
{
	return load(name, NULL, src, len, 0, 0, out, err, errlen);
}

int
scenario_load_string_limits(const char *name, const char *src, size_t len,
	size_t mem, uint64_t insns, struct scenario **out, char *err,
	size_t errlen)
{
	return load(name, NULL, src, len, mem, insns, out, err, errlen);
}

int
scenario_load(const char *path, const char *id, struct scenario **out,
	char *err, size_t errlen)
{
	char *text;
	size_t len = 0, n;
	FILE *f;
	int rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* one byte past the cap tells "exactly 1 MiB" from "larger" */
	text = xmalloc(SCN_FILE_MAX + 1);
	while ((n = fread(text + len, 1, SCN_FILE_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	} else if (len > SCN_FILE_MAX) {
		snprintf(err, errlen, "%s: file is larger than %u bytes (1 MiB), "
		    "refusing to load it", path, SCN_FILE_MAX);
		rc = -1;
	} else
		rc = load(path, id, text, len, 0, 0, out, err, errlen);
	fclose(f);
	free(text);
	return rc;
}
