/*
 * scenario_sts: reading the MTA-STS side of a scenario: the `mta_sts`
 * table (what the policy host and the _mta-sts TXT record publish), the
 * raw TXT records of `tlsrpt.txt`, and the parameters of the policy
 * attacks (tamper_policy, tamper_txt).  See scenario.h for the schema
 * and scenario_int.h for the conversion contract.
 *
 * Values that make a bad policy are data, not loader errors: mode =
 * "Enforce", max_age = "1e6", mx = { "mx*.example.test" } are served as
 * written, so the scenarios of CONFORMANCE.md D and F can be written.
 * What the loader refuses is what cannot be served at all: a CR or LF
 * inside a field, an id or TXT string that cannot go into a zone file,
 * an unknown variant.
 *
 * Defaults: mode "enforce", max_age "604800", id "mxsim1", variant "ok",
 * certificate "valid", mx = the MX hosts of the world where mta_sts is
 * given (sts_resolve, after the whole table of that level is read).
 */
#include "sim/scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#define MAX_MX_PATTERNS 32
#define MAX_TXT_RRS 8
#define MAX_TXT_STRINGS 8
#define MAX_FIELD 255
#define MAX_BODY (2u << 20)

static const char *const sts_keys[] = {
	"mode", "max_age", "mx", "id", "txt", "body", "variant", "cert",
	"domain", "cname", NULL,
};
static const char *const sts_variants[] = {
	"ok", "content-type", "charset", "no-content-type", "redirect",
	"redirect-302", "redirect-307", "404", "500", "204", "304", "slow",
	"stall", "oversize", "lf", "cache-headers", "reset", "unreachable",
	"no-host", NULL,
};
static const char *const policy_modes[] = {
	"block", "replace", "none", "testing", "cert", NULL,
};
static const char *const txt_modes[] = {
	"block", "nxdomain", "servfail", "rewrite", NULL,
};

/* ---- copies ---- */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct scn_sts *
scn_sts_copy(const struct scn_sts *src)
{
	struct scn_sts *d;

	if (src == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->mode = dup_or_null(src->mode);
	d->max_age = dup_or_null(src->max_age);
	d->mx = scn_strv_copy(src->mx, src->nmx);
	d->nmx = src->nmx;
	d->id = dup_or_null(src->id);
	d->txt = scn_strv_copy(src->txt, src->ntxt);
	d->ntxt = src->ntxt;
	d->txt_set = src->txt_set;
	d->body = dup_or_null(src->body);
	d->variant = dup_or_null(src->variant);
	scn_cert_copy(&d->cert, &src->cert);
	d->domain = dup_or_null(src->domain);
	d->cname = dup_or_null(src->cname);
	d->line = src->line;
	return d;
}

void
scn_sts_free(struct scn_sts *s)
{
	if (s == NULL)
		return;
	free(s->mode);
	free(s->max_age);
	scn_strv_free(s->mx, s->nmx);
	free(s->id);
	scn_strv_free(s->txt, s->ntxt);
	free(s->body);
	free(s->variant);
	scn_cert_clear(&s->cert);
	free(s->domain);
	free(s->cname);
	free(s);
}

/* ---- fields ---- */

/* One line of a policy, served as written: no CR, LF or NUL. */
static char *
conv_field(struct cv *cv, int idx, bool allow_empty)
{
	size_t len;
	const char *s;

	if (lua_type(cv->L, idx) != LUA_TSTRING)
		cv_fail(cv, NULL, "expected a string, got %s", cv_typename(cv, idx));
	s = lua_tolstring(cv->L, idx, &len);
	if (len > MAX_FIELD)
		cv_fail(cv, NULL, "longer than %d characters", MAX_FIELD);
	if (memchr(s, '\r', len) != NULL || memchr(s, '\n', len) != NULL ||
	    strlen(s) != len)
		cv_fail(cv, NULL, "one line, without CR, LF or NUL (use body = ... "
		    "for a raw policy)");
	return cv_string(cv, idx, allow_empty);
}

/* The TXT string s as zone-file character-strings: quoted, with " and \
 * escaped, non-printable bytes as \DDD, split every 255 bytes. */
static void
txt_quote(struct buf *b, const char *s, size_t len)
{
	char tmp[8];

	if (len == 0)
		buf_append(b, "\"\"", 2);
	for (size_t off = 0; off < len; off += 255) {
		size_t n = len - off < 255 ? len - off : 255;
		if (off > 0)
			buf_append(b, " ", 1);
		buf_append(b, "\"", 1);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[off + i];
			if (c == '"' || c == '\\') {
				tmp[0] = '\\';
				tmp[1] = (char)c;
				buf_append(b, tmp, 2);
			} else if (c < 0x20 || c > 0x7e) {
				snprintf(tmp, sizeof(tmp), "\\%03u", c);
				buf_append(b, tmp, 4);
			} else
				buf_append(b, (const char *)&c, 1);
		}
		buf_append(b, "\"", 1);
	}
}

/* One TXT RR: a string (one character-string, split at 255 bytes) or a
 * list of strings (several character-strings, joined by the reader
 * without spaces: RFC 8461 3.1, CONFORMANCE B18). */
static char *
conv_txt_rr(struct cv *cv, int idx)
{
	struct buf b;
	size_t len, n;
	const char *s;

	idx = lua_absindex(cv->L, idx);
	if (lua_type(cv->L, idx) == LUA_TSTRING) {
		s = lua_tolstring(cv->L, idx, &len);
		if (len > 4 * MAX_FIELD)
			cv_fail(cv, NULL, "a TXT record of at most %d bytes", 4 * MAX_FIELD);
		buf_init(&b);
		txt_quote(&b, s, len);
		buf_append(&b, "", 1);
		return (char *)b.data;
	}
	if (lua_type(cv->L, idx) != LUA_TTABLE)
		cv_fail(cv, NULL, "expected a TXT string, or a list of strings (one "
		    "record of several character-strings), got %s",
		    cv_typename(cv, idx));
	n = cv_list(cv, idx, MAX_TXT_STRINGS);
	if (n == 0)
		cv_fail(cv, NULL, "a record needs at least one string");
	for (size_t i = 0; i < n; i++) {
		cv_index(cv, idx, i + 1);
		if (lua_type(cv->L, -1) != LUA_TSTRING)
			cv_fail(cv, NULL, "expected a string, got %s",
			    cv_typename(cv, -1));
		if (lua_rawlen(cv->L, -1) > 255)
			cv_fail(cv, NULL, "a character-string holds at most 255 bytes");
		cv_leave(cv);
	}
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(cv->L, idx, (lua_Integer)i + 1);
		s = lua_tolstring(cv->L, -1, &len);
		if (i > 0)
			buf_append(&b, " ", 1);
		txt_quote(&b, s, len);
		lua_pop(cv->L, 1);
	}
	buf_append(&b, "", 1);
	return (char *)b.data;
}

void
conv_txt_rrs(struct cv *cv, int idx, char ***out, size_t *n)
{
	size_t len;

	idx = lua_absindex(cv->L, idx);
	scn_strv_free(*out, *n);
	*out = NULL;
	*n = 0;
	if (lua_type(cv->L, idx) == LUA_TSTRING) {
		*out = xcalloc(2, sizeof(**out));
		*n = 1;
		(*out)[0] = conv_txt_rr(cv, idx);
		return;
	}
	if (lua_type(cv->L, idx) != LUA_TTABLE)
		cv_fail(cv, NULL, "expected a TXT string or a list of records "
		    "({} = no record), got %s", cv_typename(cv, idx));
	len = cv_list(cv, idx, MAX_TXT_RRS);
	*out = xcalloc(len + 1, sizeof(**out));
	*n = len;
	for (size_t i = 0; i < len; i++) {
		cv_index(cv, idx, i + 1);
		(*out)[i] = conv_txt_rr(cv, -1);
		cv_leave(cv);
	}
}

static void
conv_max_age(struct cv *cv, int idx, struct scn_sts *s)
{
	if (lua_type(cv->L, idx) == LUA_TNUMBER) {
		lua_Integer v = cv_integer(cv, idx, 0, 99999999999LL);
		s->max_age = xasprintf("%lld", (long long)v);
	} else if (lua_type(cv->L, idx) == LUA_TSTRING)
		s->max_age = conv_field(cv, idx, true);
	else
		cv_fail(cv, NULL, "expected seconds (an integer) or a string served "
		    "as is, got %s", cv_typename(cv, idx));
}

static void
conv_id(struct cv *cv, int idx, struct scn_sts *s)
{
	s->id = conv_field(cv, idx, false);
	for (const char *p = s->id; *p; p++)
		if (*p == '"' || *p == '\\' || *p == ';' || *p == ' ')
			cv_fail(cv, NULL, "an id goes into the TXT record: no quote, "
			    "backslash, space or ';' (give txt = \"...\" for a raw "
			    "record)");
}

/* A DNS owner name: labels of letters, digits, '-' and '_' (an
 * "_mta-sts." label), 1 to 63 bytes, no trailing dot. */
static char *
conv_owner(struct cv *cv, int idx)
{
	const char *s = cv_cstring(cv, idx);
	size_t label = 0, n = strlen(s);

	for (size_t i = 0; i <= n && n <= 253; i++) {
		char c = s[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63)
				break;
			if (c == '\0')
				return xstrdup(s);
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			break;
		label++;
	}
	cv_fail(cv, NULL, "not a DNS name (labels of letters, digits, '-' and "
	    "'_', no trailing dot)");
	return NULL;
}

void
conv_sts(struct cv *cv, int idx, struct scn_world *w)
{
	struct scn_sts *s;
	int l;

	idx = lua_absindex(cv->L, idx);
	scn_sts_free(w->sts);
	w->sts = NULL;
	if (lua_type(cv->L, idx) == LUA_TBOOLEAN && !lua_toboolean(cv->L, idx))
		return;   /* mta_sts = false: no MTA-STS from here on */
	cv_table(cv, idx, "a table { mode = \"enforce\", mx = { ... }, max_age = "
	    "604800, id = \"...\" } or false");
	cv_keys(cv, idx, sts_keys, 0);
	s = w->sts = xcalloc(1, sizeof(*s));
	s->line = cv_line(cv, NULL);
	if (cv_field(cv, idx, "mode") != LUA_TNIL)
		s->mode = conv_field(cv, -1, true);
	else
		s->mode = xstrdup("enforce");
	cv_leave(cv);
	if (cv_field(cv, idx, "max_age") != LUA_TNIL)
		conv_max_age(cv, -1, s);
	else
		s->max_age = xstrdup("604800");
	cv_leave(cv);
	if (cv_field(cv, idx, "mx") != LUA_TNIL) {
		l = lua_gettop(cv->L);
		cv_string_list(cv, l, 0, MAX_MX_PATTERNS, &s->mx, &s->nmx);
		for (size_t i = 0; i < s->nmx; i++) {
			cv_index(cv, l, i + 1);
			free(conv_field(cv, -1, false));
			cv_leave(cv);
		}
	}
	cv_leave(cv);
	if (cv_field(cv, idx, "id") != LUA_TNIL)
		conv_id(cv, -1, s);
	else
		s->id = xstrdup("mxsim1");
	cv_leave(cv);
	if (cv_field(cv, idx, "txt") != LUA_TNIL) {
		conv_txt_rrs(cv, -1, &s->txt, &s->ntxt);
		s->txt_set = true;
	}
	cv_leave(cv);
	if (cv_field(cv, idx, "body") != LUA_TNIL) {
		if (lua_type(cv->L, -1) != LUA_TSTRING)
			cv_fail(cv, NULL, "expected the policy text, got %s",
			    cv_typename(cv, -1));
		if (lua_rawlen(cv->L, -1) > MAX_BODY)
			cv_fail(cv, NULL, "a body of at most %u bytes", MAX_BODY);
		s->body = cv_string(cv, -1, true);
		if (strlen(s->body) != lua_rawlen(cv->L, -1))
			cv_fail(cv, NULL, "the body must not contain NUL bytes");
	}
	cv_leave(cv);
	if (cv_field(cv, idx, "variant") != LUA_TNIL)
		s->variant = cv_enum(cv, -1, sts_variants);
	else
		s->variant = xstrdup("ok");
	cv_leave(cv);
	cv_field(cv, idx, "cert");
	conv_cert(cv, -1, &s->cert, "valid");
	cv_leave(cv);
	if (cv_field(cv, idx, "domain") != LUA_TNIL) {
		s->domain = cv_hostname(cv, -1);
		if (strcasecmp(s->domain, cv->s->domain) == 0) {
			free(s->domain);   /* the default, said out loud */
			s->domain = NULL;
		}
	}
	cv_leave(cv);
	if (cv_field(cv, idx, "cname") != LUA_TNIL) {
		s->cname = conv_owner(cv, -1);
		if (s->txt_set && s->ntxt == 0)
			cv_fail(cv, NULL, "a CNAME to no TXT record: drop txt = {} "
			    "or cname");
	}
	cv_leave(cv);
}

void
conv_relay(struct cv *cv, int idx, struct scn_world *w)
{
	char *h;

	if (lua_type(cv->L, idx) == LUA_TBOOLEAN && !lua_toboolean(cv->L, idx)) {
		w->relay[0] = '\0';   /* relay = false: direct delivery again */
		return;
	}
	h = cv_hostname(cv, idx);
	if (strlen(h) >= sizeof(w->relay)) {
		free(h);
		cv_fail(cv, NULL, "a relay domain of at most %zu bytes",
		    sizeof(w->relay) - 1);
	}
	memcpy(w->relay, h, strlen(h) + 1);
	free(h);
}

void
conv_fetches(struct cv *cv, int idx, struct scn_expect *e)
{
	const char *s;
	char *end;
	long v;

	if (lua_type(cv->L, idx) == LUA_TNUMBER) {
		e->fetches_min = e->fetches_max = (int)cv_integer(cv, idx, 0, 1000);
		return;
	}
	if (lua_type(cv->L, idx) != LUA_TSTRING)
		cv_fail(cv, NULL, "expected a count N or \"N+\" (at least N), got %s",
		    cv_typename(cv, idx));
	s = cv_cstring(cv, idx);
	v = strtol(s, &end, 10);
	if (end == s || strcmp(end, "+") != 0 || v < 0 || v > 1000)
		cv_fail(cv, NULL, "expected a count N or \"N+\" (at least N), "
		    "0 to 1000");
	e->fetches_min = (int)v;
	e->fetches_max = -1;
}

const char *
scn_sts_domain(const struct scenario *scn, const struct scn_sts *s)
{
	return s != NULL && s->domain != NULL ? s->domain : scn->domain;
}

void
sts_resolve(struct cv *cv, struct scn_world *w)
{
	struct scn_sts *s = w->sts;

	(void)cv;
	if (s == NULL || s->mx != NULL)
		return;
	s->mx = xcalloc(w->nmx + 1, sizeof(*s->mx));
	for (size_t i = 0; i < w->nmx; i++)
		s->mx[i] = xstrdup(w->mx[i].host);
	s->nmx = w->nmx;
}

/* ---- the policy attacks ---- */

bool
sts_attack_name(const char *name)
{
	return strcmp(name, "tamper_policy") == 0 ||
	    strcmp(name, "tamper_txt") == 0;
}

/* Parameters read here: host (default), mode, text, cert.  The common
 * ones (nth) are read by conv_attack; tamper_txt takes no nth. */
void
sts_attack(struct cv *cv, int t, struct scn_attack *a)
{
	const char *dom = cv->s->domain;
	bool policy = strcmp(a->name, "tamper_policy") == 0;

	if (a->host == NULL)
		a->host = xasprintf(policy ? "mta-sts.%s" : "_mta-sts.%s", dom);
	if (cv_field(cv, t, "mode") != LUA_TNIL)
		a->mode = cv_enum(cv, -1, policy ? policy_modes : txt_modes);
	else
		a->mode = xstrdup("block");
	cv_leave(cv);
	if (cv_field(cv, t, "text") != LUA_TNIL) {
		if (strcmp(a->mode, policy ? "replace" : "rewrite") != 0)
			cv_fail(cv, NULL, "text is the %s served in mode \"%s\" only",
			    policy ? "policy" : "record", policy ? "replace" :
			    "rewrite");
		if (policy)
			a->text = cv_string(cv, -1, true);
		else
			conv_txt_rrs(cv, -1, &a->set, &(size_t){ 0 });
	} else if (strcmp(a->mode, policy ? "replace" : "rewrite") == 0)
		cv_fail(cv, NULL, "mode \"%s\" needs text (the %s served instead)",
		    a->mode, policy ? "policy body" : "TXT record");
	cv_leave(cv);
	if (!policy)
		return;
	if (cv_field(cv, t, "cert") != LUA_TNIL && strcmp(a->mode, "block") == 0)
		cv_fail(cv, NULL, "mode \"block\" serves nothing, so no certificate");
	conv_cert(cv, -1, &a->cert, "attacker");
	cv_leave(cv);
}

void
sts_check(struct cv *cv, const struct scn_world *w, bool in_set)
{
	const char *dom = cv->s->domain;
	char want[300], want2[300];

	for (size_t i = 0; i < w->nattacks; i++) {
		const struct scn_attack *a = &w->attacks[i];
		bool policy;
		if (!sts_attack_name(a->name))
			continue;
		policy = strcmp(a->name, "tamper_policy") == 0;
		snprintf(want, sizeof(want), policy ? "mta-sts.%s" : "_mta-sts.%s",
		    dom);
		snprintf(want2, sizeof(want2), "_smtp._tls.%s", dom);
		if (strcasecmp(a->host, want) == 0 ||
		    (!policy && strcasecmp(a->host, want2) == 0)) {
			if (!policy || strcasecmp(a->host, want) != 0 || w->sts != NULL)
				continue;
		} else {
			if (!in_set) {
				cv_push_key(cv, "attack", 0);
				cv_push_key(cv, NULL, (long)i + 1);
				cv_push_key(cv, "host", 0);
			}
			cv_fail(cv, NULL, "%s%s targets \"%s\": it acts on %s%s%s only",
			    in_set ? "attack: " : "", a->name, a->host, want,
			    policy ? "" : " or ", policy ? "" : want2);
		}
		if (!in_set) {
			cv_push_key(cv, "attack", 0);
			cv_push_key(cv, NULL, (long)i + 1);
		}
		cv_fail(cv, NULL, "%s%s needs a policy host: give mta_sts",
		    in_set ? "attack: " : "", a->name);
	}
}
