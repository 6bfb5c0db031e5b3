/*
 * scenario_world: reading the world keys of a scenario (or of a phase's
 * `set`): dnssec, mx (with certificates, reply overrides, EHLO lists),
 * dns, attack (read by scenario_attack.c), submit, sender_tls, tlsrpt,
 * tlsa; mta_sts and tlsrpt.txt are read by scenario_sts.c.  See
 * scenario.h for the schema and scenario_int.h for the conversion
 * contract.
 *
 * Defaults filled here: pref 10*i, certificate "valid" (an attack's
 * "attacker"), sender_tls "may", dnssec "insecure", submit tls
 * "starttls" with port 587 (465 for implicit).  An MX address not given
 * stays NULL: the world builder assigns it.  Without mx, a submit host
 * is the one MX.
 */
#include "sim/scenario_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <lauxlib.h>

#include "core/tlsa.h"
#include "sim/world.h"

#define MAX_MX 64
#define MAX_DNS 1000
#define MAX_SAN 15      /* world.c passes at most 15 names to the PKI */
#define MAX_EHLO 32
#define MAX_RUA 10
#define MAX_TLSA_HOSTS 64
#define MAX_TLSA_RRS 32

static const char *const mx_keys[] = {
	"host", "pref", "cert", "addr", "replies", "ehlo", "requiretls", "tls",
	NULL,
};
static const char *const cert_keys[] = {
	"variant", "san", "cn", "no_san", "not_before", "not_after", "key",
	"issuer", "key_id", "staple", NULL,
};
/* The fields that only a "custom" certificate takes (key is for all). */
static const char *const cert_custom[] = {
	"san", "cn", "no_san", "not_before", "not_after", "issuer", NULL,
};
/* core/pki.h says what each is */
#define CERT_VARIANTS "valid", "expired", "not-yet-valid", "wrong-host", \
	"self-signed", "untrusted-ca", "attacker", "bad-signature", "leaf-as-ca", \
	"intermediate", "missing-intermediate", "wrong-chain-order", "wildcard", \
	"wildcard-two-labels", "cn-only", "weak-rsa", "sha1", "domain-only", \
	"revoked"
static const char *const cert_variants[] = { CERT_VARIANTS, NULL };
static const char *const cert_variants_table[] = { CERT_VARIANTS, "custom", NULL };
static const char *const key_types[] = { "ec", "rsa", NULL };
static const char *const issuers[] = { "root", "untrusted", "self", NULL };
static const char *const reply_steps[] = {
	"banner", "EHLO", "HELO", "STARTTLS", "MAIL", "RCPT", "DATA", "DOT",
	"RSET", "NOOP", "QUIT", "VRFY", "HELP", "BDAT", "AUTH", "error",
	"errors", "timeout", NULL,
};
static const char *const submit_keys[] = { "host", "port", "tls", "auth", NULL };
static const char *const auth_keys[] = { "user", "pass", "mech", NULL };
static const char *const auth_mechs[] = { "plain", "login", NULL };
static const char *const tlsrpt_keys[] = { "rua", "txt", "cert", NULL };
static const char *const dnssec_values[] = {
	"insecure", "secure", "bogus", "bogus:signature", "bogus:wrong-key",
	"bogus:expired", "bogus:not-yet-valid", "bogus:ds-mismatch",
	"bogus:missing-rrsig", NULL,
};
static const char *const sender_tls_values[] = {
	"may", "encrypt", "secure", "dane", NULL,
};
static const char *const submit_tls_values[] = {
	"implicit", "starttls", "optional", NULL,
};

static bool
present(struct cv *cv, int t, const char *key)
{
	bool yes;

	lua_pushstring(cv->L, key);
	yes = lua_rawget(cv->L, t) != LUA_TNIL;
	lua_pop(cv->L, 1);
	return yes;
}

/* ---- certificates ---- */

static time_t
conv_time(struct cv *cv, int idx)
{
	const char *s = cv_cstring(cv, idx);
	int64_t t = scenario_parse_time(s);

	if (t < 0)
		cv_fail(cv, NULL, "bad time \"%.40s\" (expected "
		    "\"YYYY-MM-DDTHH:MM:SSZ\")", s);
	return (time_t)t;
}

void
conv_cert(struct cv *cv, int idx, struct scn_cert *c, const char *dflt)
{
	const char *custom_field = NULL;
	size_t nsan;

	idx = lua_absindex(cv->L, idx);
	switch (lua_type(cv->L, idx)) {
	case LUA_TNIL:
		c->variant = xstrdup(dflt);
		return;
	case LUA_TSTRING:
		if (strcmp(lua_tostring(cv->L, idx), "custom") == 0)
			cv_fail(cv, NULL, "\"custom\" takes a table: { variant = "
			    "\"custom\", san = { ... }, ... }");
		c->variant = cv_enum(cv, idx, cert_variants);
		return;
	case LUA_TTABLE:
		break;
	default:
		cv_fail(cv, NULL, "expected a certificate variant (%s) or a table, "
		    "got %s", cv_join(cv, cert_variants), cv_typename(cv, idx));
	}
	cv_keys(cv, idx, cert_keys, 0);
	for (size_t i = 0; cert_custom[i] != NULL && custom_field == NULL; i++)
		if (present(cv, idx, cert_custom[i]))
			custom_field = cert_custom[i];
	if (cv_field(cv, idx, "variant") != LUA_TNIL)
		c->variant = cv_enum(cv, -1, cert_variants_table);
	cv_leave(cv);
	if (c->variant == NULL)
		c->variant = xstrdup(custom_field != NULL ? "custom" : dflt);
	if (custom_field != NULL && strcmp(c->variant, "custom") != 0) {
		cv_field(cv, idx, custom_field);
		cv_fail(cv, NULL, "only a \"custom\" certificate takes this field "
		    "(this one is \"%s\")", c->variant);
	}
	if (cv_field(cv, idx, "san") != LUA_TNIL)
		cv_string_list(cv, -1, 1, MAX_SAN, &c->san, &nsan);
	cv_leave(cv);
	if (cv_field(cv, idx, "cn") != LUA_TNIL)
		c->cn = cv_string(cv, -1, false);
	cv_leave(cv);
	if (cv_field(cv, idx, "no_san") != LUA_TNIL) {
		c->no_san = cv_boolean(cv, -1);
		if (c->no_san && c->san != NULL)
			cv_fail(cv, NULL, "no_san = true contradicts the san list");
	}
	cv_leave(cv);
	if (cv_field(cv, idx, "not_before") != LUA_TNIL)
		c->not_before = conv_time(cv, -1);
	cv_leave(cv);
	if (cv_field(cv, idx, "not_after") != LUA_TNIL) {
		c->not_after = conv_time(cv, -1);
		if (c->not_before != 0 && c->not_after < c->not_before)
			cv_fail(cv, NULL, "not_after is before not_before");
	}
	cv_leave(cv);
	if (cv_field(cv, idx, "key") != LUA_TNIL)
		c->key = cv_enum(cv, -1, key_types);
	cv_leave(cv);
	if (cv_field(cv, idx, "key_id") != LUA_TNIL)
		c->key_id = cv_hostname(cv, -1);   /* a label: letters, digits, - */
	cv_leave(cv);
	if (cv_field(cv, idx, "issuer") != LUA_TNIL)
		c->issuer = cv_enum(cv, -1, issuers);
	cv_leave(cv);
	if (cv_field(cv, idx, "staple") != LUA_TNIL)   /* pki_revoke.c */
		c->staple = cv_boolean(cv, -1) != 0;
	cv_leave(cv);
}

/* ---- MX hosts ---- */

/* "NNN text" lines (NNN 200-599) separated by "\n", or "" (no reply). */
static bool
valid_reply(const char *s)
{
	if (*s == '\0')
		return true;
	for (;;) {
		if (s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
		    s[2] < '0' || s[2] > '9')
			return false;
		s += 3;
		if (*s != '\0' && *s != '\n' && *s != ' ' && *s != '-')
			return false;
		while (*s != '\0' && *s != '\n')
			if (*s++ == '\r')
				return false;
		if (*s == '\0')
			return true;
		s++;
	}
}

static bool
reply_step_key(const char *k, const char **step)
{
	for (size_t i = 0; reply_steps[i] != NULL; i++)
		if (strcasecmp(k, reply_steps[i]) == 0) {
			*step = reply_steps[i];
			return true;
		}
	return false;
}

static void
conv_replies(struct cv *cv, int t, struct scn_mx *m)
{
	lua_State *L = cv->L;
	char bad[64] = "", key[32];
	const char *step;
	size_t n = 0, k = 0;

	t = lua_absindex(L, t);
	cv_table(cv, t, "a table of reply overrides { STARTTLS = \"454 4.7.0 "
	    "...\" }");
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		const char *ks = lua_type(L, -2) == LUA_TSTRING ?
		    lua_tostring(L, -2) : NULL;
		n++;
		if (ks == NULL) {
			if (bad[0] == '\0')
				snprintf(bad, sizeof(bad), "(a %s)",
				    luaL_typename(L, -2));
		} else if (!reply_step_key(ks, &step) &&
		    (bad[0] == '\0' || bad[0] == '(' || strcmp(ks, bad) < 0))
			str_sanitize(bad, sizeof(bad), ks, strlen(ks));
		lua_pop(L, 1);
	}
	if (bad[0] != '\0') {
		struct scn_key ek = { bad, 0 };
		cv_fail(cv, bad[0] == '(' ? NULL : &ek, "unknown step %s%s%s "
		    "(allowed, any case: %s)", bad[0] == '(' ? "" : "\"", bad,
		    bad[0] == '(' ? "" : "\"", cv_join(cv, reply_steps));
	}
	m->replies = xcalloc(n, sizeof(*m->replies));
	m->nreplies = n;
	/* in the fixed order of reply_steps, so the result is stable */
	for (size_t i = 0; reply_steps[i] != NULL; i++) {
		int found = 0;
		lua_pushnil(L);
		while (lua_next(L, t) != 0) {
			const char *ks = lua_tostring(L, -2);  /* all strings */
			if (strcasecmp(ks, reply_steps[i]) == 0 && found++ == 0)
				snprintf(key, sizeof(key), "%s", ks);
			lua_pop(L, 1);
		}
		if (found == 0)
			continue;
		if (found > 1)
			cv_fail(cv, NULL, "step %s is given twice (keys are "
			    "case-insensitive)", reply_steps[i]);
		cv_field(cv, t, key);
		m->replies[k].step = xstrdup(reply_steps[i]);
		k++;
		if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
			m->replies[k - 1].text = NULL;      /* drop */
		else if (lua_type(L, -1) == LUA_TSTRING) {
			const char *txt = cv_cstring(cv, -1);
			if (!valid_reply(txt))
				cv_fail(cv, NULL, "bad reply \"%.60s\" (lines \"NNN "
				    "text\" with NNN from 200 to 599, separated by "
				    "\\n; \"\" for no reply at all)", txt);
			m->replies[k - 1].text = xstrdup(txt);
		} else
			cv_fail(cv, NULL, "expected a reply string \"NNN text\" or "
			    "false (drop the connection), got %s",
			    cv_typename(cv, -1));
		cv_leave(cv);
	}
}

static void
conv_addr(struct cv *cv, int idx, struct scn_mx *m)
{
	const char *s = cv_cstring(cv, idx);
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127)
		cv_fail(cv, NULL, "\"%.40s\" is not an IPv4 address in 127.0.0.0/8 "
		    "(the world lives on the loopback network only)", s);
	if (strcmp(s, WORLD_DNS_ADDR) == 0 || strcmp(s, WORLD_SENDER_ADDR) == 0 ||
	    strcmp(s, WORLD_ATTACKER_ADDR) == 0 || strncmp(s, "127.26.0.", 9) == 0)
		cv_fail(cv, NULL, "%s is reserved (DNS %s, sender %s, attacker %s, "
		    "MX backends 127.26.0.x)", s, WORLD_DNS_ADDR, WORLD_SENDER_ADDR,
		    WORLD_ATTACKER_ADDR);
	m->addr = xstrdup(s);
}

static void
conv_mx(struct cv *cv, int t, struct scn_mx *m, size_t i)
{
	size_t n;

	cv_table(cv, t, "an MX table { host = \"mx1.example.test\", pref = 10 }");
	cv_keys(cv, t, mx_keys, 0);
	m->line = cv_line(cv, NULL);
	if (cv_field(cv, t, "host") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (the MX host name)");
	m->host = cv_hostname(cv, -1);
	cv_leave(cv);
	m->pref = (int)(10 * i);
	if (cv_field(cv, t, "pref") != LUA_TNIL)
		m->pref = (int)cv_integer(cv, -1, 0, 65535);
	cv_leave(cv);
	cv_field(cv, t, "cert");
	conv_cert(cv, -1, &m->cert, "valid");
	cv_leave(cv);
	if (cv_field(cv, t, "addr") != LUA_TNIL)
		conv_addr(cv, -1, m);
	cv_leave(cv);
	if (cv_field(cv, t, "replies") != LUA_TNIL)
		conv_replies(cv, -1, m);
	cv_leave(cv);
	if (cv_field(cv, t, "ehlo") != LUA_TNIL) {
		int l = lua_gettop(cv->L);
		cv_string_list(cv, l, 0, MAX_EHLO, &m->ehlo, &n);
		for (size_t k = 0; k < n; k++)
			if (strpbrk(m->ehlo[k], "\r\n") != NULL) {
				cv_index(cv, l, k + 1);
				cv_fail(cv, NULL, "a capability is one line");
			}
	}
	cv_leave(cv);
	if (cv_field(cv, t, "requiretls") != LUA_TNIL)
		m->requiretls = conv_mx_reqtls(cv, -1);   /* scenario_msg.c */
	cv_leave(cv);
	if (cv_field(cv, t, "tls") != LUA_TNIL)
		m->tls = conv_mx_tls(cv, -1);   /* scenario_msg.c */
	cv_leave(cv);
}

static void
conv_mx_list(struct cv *cv, int t, struct scn_world *w)
{
	char dflt[32];
	size_t n;

	t = lua_absindex(cv->L, t);
	n = cv_list(cv, t, MAX_MX);
	if (n == 0)
		cv_fail(cv, NULL, "at least one MX host is needed");
	for (size_t i = 0; i < w->nmx; i++)
		scn_mx_clear(&w->mx[i]);
	free(w->mx);
	w->mx = xcalloc(n, sizeof(*w->mx));
	w->nmx = n;
	for (size_t i = 0; i < n; i++) {
		cv_index(cv, t, i + 1);
		conv_mx(cv, lua_gettop(cv->L), &w->mx[i], i + 1);
		cv_leave(cv);
	}
	for (size_t j = 0; j < n; j++) {
		const struct scn_mx *m = &w->mx[j];
		for (size_t i = 0; i < n; i++) {
			if (i < j && strcasecmp(w->mx[i].host, m->host) == 0) {
				cv_push_key(cv, NULL, (long)j + 1);
				cv_push_key(cv, "host", 0);
				cv_fail(cv, NULL, "duplicate MX host \"%s\" (also mx[%zu])",
				    m->host, i + 1);
			}
			if (m->addr == NULL || i == j)
				continue;
			/* world.c gives the k-th MX 127.25.0.(10+k) by default */
			snprintf(dflt, sizeof(dflt), "127.25.0.%zu", 10 + i + 1);
			if ((i < j && w->mx[i].addr != NULL &&
			    strcmp(w->mx[i].addr, m->addr) == 0) ||
			    (w->mx[i].addr == NULL && strcmp(dflt, m->addr) == 0)) {
				cv_push_key(cv, NULL, (long)j + 1);
				cv_push_key(cv, "addr", 0);
				cv_fail(cv, NULL, "address %s is also the address of "
				    "mx[%zu]", m->addr, i + 1);
			}
		}
	}
}

/* ---- submit, tlsrpt, dns ---- */

/* One credential field into out (1-255 bytes, printable, no spaces
 * needed by SASL's base64 but no controls either). */
static void
conv_cred(struct cv *cv, int t, const char *key, char *out, size_t outlen)
{
	const char *v;

	if (cv_field(cv, t, key) == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (submit.auth needs user "
		    "and pass)");
	v = cv_cstring(cv, -1);
	if (v[0] == '\0' || strlen(v) >= outlen)
		cv_fail(cv, NULL, "must be 1 to %zu bytes", outlen - 1);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			cv_fail(cv, NULL, "no control characters");
	snprintf(out, outlen, "%s", v);
	cv_leave(cv);
}

/* submit.auth = { user, pass, mech } */
static void
conv_auth(struct cv *cv, int t, struct scn_submit *sm)
{
	cv_table(cv, t, "a table { user = \"u\", pass = \"p\" }");
	cv_keys(cv, t, auth_keys, 0);
	conv_cred(cv, t, "user", sm->auth_user, sizeof(sm->auth_user));
	conv_cred(cv, t, "pass", sm->auth_pass, sizeof(sm->auth_pass));
	if (cv_field(cv, t, "mech") != LUA_TNIL) {
		char *m = cv_enum(cv, -1, auth_mechs);
		snprintf(sm->auth_mech, sizeof(sm->auth_mech), "%s", m);
		free(m);
	}
	cv_leave(cv);
}

static void
conv_submit(struct cv *cv, int t, struct scn_world *w)
{
	struct scn_submit *sm;
	bool implicit;

	t = lua_absindex(cv->L, t);
	cv_table(cv, t, "a table { host = \"mx1.example.test\", port = 587, "
	    "tls = \"starttls\" }");
	cv_keys(cv, t, submit_keys, 0);
	if (w->submit != NULL) {
		free(w->submit->host);
		free(w->submit->tls);
		free(w->submit);
	}
	sm = w->submit = xcalloc(1, sizeof(*w->submit));
	if (cv_field(cv, t, "host") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (the MX host to submit "
		    "to)");
	sm->host = cv_hostname(cv, -1);
	cv_leave(cv);
	if (cv_field(cv, t, "tls") != LUA_TNIL)
		sm->tls = cv_enum(cv, -1, submit_tls_values);
	else
		sm->tls = xstrdup("starttls");
	cv_leave(cv);
	implicit = strcmp(sm->tls, "implicit") == 0;
	sm->port = implicit ? 465 : 587;
	if (cv_field(cv, t, "port") != LUA_TNIL) {
		sm->port = (int)cv_integer(cv, -1, 0, 65535);
		if (sm->port != 587 && sm->port != 465 && sm->port != 25)
			cv_fail(cv, NULL, "port %d (allowed: 587, 465, 25)", sm->port);
		if (implicit && sm->port != 465)
			cv_fail(cv, NULL, "implicit TLS is served on port 465 only");
		if (!implicit && sm->port == 465)
			cv_fail(cv, NULL, "port 465 is implicit TLS: use tls = "
			    "\"implicit\"");
	}
	cv_leave(cv);
	if (cv_field(cv, t, "auth") != LUA_TNIL)
		conv_auth(cv, lua_gettop(cv->L), sm);
	cv_leave(cv);
}

static void
conv_tlsrpt(struct cv *cv, int t, struct scn_world *w)
{
	int r;

	t = lua_absindex(cv->L, t);
	cv_table(cv, t, "a table { rua = \"https://...\" }");
	cv_keys(cv, t, tlsrpt_keys, 0);
	scn_strv_free(w->tlsrpt_rua, w->ntlsrpt_rua);
	w->tlsrpt_rua = NULL;
	w->ntlsrpt_rua = 0;
	if (cv_field(cv, t, "rua") == LUA_TNIL && !present(cv, t, "txt"))
		cv_fail(cv, NULL, "missing required field (\"mailto:...\" or "
		    "\"https://...\", or a list of them)");
	r = lua_gettop(cv->L);
	if (lua_type(cv->L, r) == LUA_TNIL)
		;   /* only the raw txt */
	else if (lua_type(cv->L, r) == LUA_TSTRING) {
		w->tlsrpt_rua = xcalloc(2, sizeof(*w->tlsrpt_rua));
		w->ntlsrpt_rua = 1;
		w->tlsrpt_rua[0] = cv_string(cv, r, false);
	} else if (lua_type(cv->L, r) == LUA_TTABLE)
		cv_string_list(cv, r, 1, MAX_RUA, &w->tlsrpt_rua, &w->ntlsrpt_rua);
	else
		cv_fail(cv, NULL, "expected a string or a list of strings, got %s",
		    cv_typename(cv, r));
	for (size_t i = 0; i < w->ntlsrpt_rua; i++) {
		const char *u = w->tlsrpt_rua[i];
		if (strncmp(u, "mailto:", 7) == 0 || strncmp(u, "https://", 8) == 0)
			continue;
		if (lua_type(cv->L, r) == LUA_TTABLE)
			cv_push_key(cv, NULL, (long)i + 1);
		cv_fail(cv, NULL, "\"%.60s\": a TLSRPT rua is a mailto: or https: "
		    "URI (RFC 8460 3)", u);
	}
	cv_leave(cv);
	scn_strv_free(w->tlsrpt_txt, w->ntlsrpt_txt);
	w->tlsrpt_txt = NULL;
	w->ntlsrpt_txt = 0;
	w->tlsrpt_txt_set = false;
	if (cv_field(cv, t, "txt") != LUA_TNIL) {
		conv_txt_rrs(cv, -1, &w->tlsrpt_txt, &w->ntlsrpt_txt);
		w->tlsrpt_txt_set = true;
	}
	cv_leave(cv);
	scn_cert_clear(&w->tlsrpt_cert);
	cv_field(cv, t, "cert");
	conv_cert(cv, -1, &w->tlsrpt_cert, "valid");
	cv_leave(cv);
}

static void
conv_dns(struct cv *cv, int t, struct scn_world *w)
{
	t = lua_absindex(cv->L, t);
	scn_strv_free(w->dns, w->ndns);
	w->dns = NULL;
	w->ndns = 0;
	cv_string_list(cv, t, 0, MAX_DNS, &w->dns, &w->ndns);
	for (size_t i = 0; i < w->ndns; i++)
		if (strpbrk(w->dns[i], "\r\n") != NULL) {
			cv_push_key(cv, NULL, (long)i + 1);
			cv_fail(cv, NULL, "one resource record per string, on one "
			    "line");
		}
}

/* ---- tlsa ---- */

static int
tlsa_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scn_tlsa *)a)->host,
	    ((const struct scn_tlsa *)b)->host);
}

/* tlsa = { ["mx1.example.test"] = { "3 1 1 auto", ... }, ... }: the keys
 * are read first (lua_next, raw), then each value by its key. */
static void
conv_tlsa(struct cv *cv, int t, struct scn_world *w)
{
	size_t n = 0, i = 0;
	char err[256];

	t = lua_absindex(cv->L, t);
	cv_table(cv, t, "a table { [\"mx1.example.test\"] = { \"3 1 1 auto\" } }");
	lua_pushnil(cv->L);
	while (lua_next(cv->L, t) != 0) {
		lua_pop(cv->L, 1);
		if (lua_type(cv->L, -1) != LUA_TSTRING)
			cv_fail(cv, NULL, "the keys are MX host names (tlsa = { "
			    "[\"mx1.example.test\"] = { ... } }), got a %s key",
			    cv_typename(cv, -1));
		if (++n > MAX_TLSA_HOSTS)
			cv_fail(cv, NULL, "more than %d hosts", MAX_TLSA_HOSTS);
	}
	scn_tlsa_free(w->tlsa, w->ntlsa);
	w->tlsa = n ? xcalloc(n, sizeof(*w->tlsa)) : NULL;
	w->ntlsa = n;
	lua_pushnil(cv->L);
	while (lua_next(cv->L, t) != 0) {
		lua_pop(cv->L, 1);
		w->tlsa[i++].host = xstrdup(lua_tostring(cv->L, -1));
	}
	for (i = 0; i < n; i++) {
		struct scn_tlsa *e = &w->tlsa[i];
		char *key = e->host, *h;
		int v;

		if (cv_field(cv, t, key) != LUA_TTABLE)
			cv_fail(cv, NULL, "expected a list of TLSA records such as "
			    "{ \"3 1 1 auto\" }, got %s", cv_typename(cv, -1));
		v = lua_gettop(cv->L);
		cv_string_list(cv, v, 1, MAX_TLSA_RRS, &e->rrs, &e->nrrs);
		for (size_t k = 0; k < e->nrrs; k++) {
			struct tlsa_rr rr;
			enum tlsa_src src;
			char q[80];
			/* "U 1 M key:ID": the named key's data (sim/world_dns.c) */
			const char *sp = strrchr(e->rrs[k], ' ');
			char *chk = sp != NULL && strncmp(sp + 1, "key:", 4) == 0 &&
			    sp[5] != '\0' ? xasprintf("%.*s auto",
			    (int)(sp - e->rrs[k]), e->rrs[k]) : NULL;
			int bad = tlsa_parse(chk ? chk : e->rrs[k], &rr, &src, err,
			    sizeof(err)) < 0;
			free(chk);
			if (!bad && chk != NULL && rr.selector != 1) {
				tlsa_rr_clear(&rr);
				snprintf(err, sizeof(err), "key:ID data is a public key: "
				    "selector 1 (SPKI)");
				bad = 1;
			}
			if (bad) {
				str_sanitize(q, sizeof(q), e->rrs[k],
				    strlen(e->rrs[k]));
				cv_push_key(cv, NULL, (long)k + 1);
				cv_fail(cv, NULL, "\"%s\": %s", q, err);
			}
			tlsa_rr_clear(&rr);
		}
		lua_pushstring(cv->L, key);
		h = cv_hostname(cv, -1);
		lua_pop(cv->L, 1);
		cv_leave(cv);
		for (char *p = h; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		e->host = h;   /* nothing can fail between these two lines */
		free(key);
	}
	if (n > 1)
		qsort(w->tlsa, n, sizeof(*w->tlsa), tlsa_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(w->tlsa[i - 1].host, w->tlsa[i].host) == 0)
			cv_fail(cv, NULL, "\"%s\" is given twice (host names are "
			    "case-insensitive)", w->tlsa[i].host);
	}
}

/* ---- the world ---- */

static void
replace_enum(struct cv *cv, int t, const char *key, char **dst,
	const char *const *allowed, const char *dflt)
{
	if (cv_field(cv, t, key) != LUA_TNIL) {
		free(*dst);
		*dst = NULL;
		*dst = cv_enum(cv, -1, allowed);
	} else if (dflt != NULL)
		*dst = xstrdup(dflt);
	cv_leave(cv);
}

void
conv_world(struct cv *cv, int t, struct scn_world *w, bool is_set)
{
	struct scn_key sk = { "submit", 0 };
	int submit_line = cv_line(cv, &sk);

	t = lua_absindex(cv->L, t);
	replace_enum(cv, t, "dnssec", &w->dnssec, dnssec_values,
	    is_set ? NULL : "insecure");
	if (cv_field(cv, t, "tlsa") != LUA_TNIL)
		conv_tlsa(cv, -1, w);
	cv_leave(cv);
	if (cv_field(cv, t, "mta_sts") != LUA_TNIL)
		conv_sts(cv, -1, w);
	cv_leave(cv);

	if (cv_field(cv, t, "submit") != LUA_TNIL)
		conv_submit(cv, -1, w);
	cv_leave(cv);
	if (cv_field(cv, t, "mx") != LUA_TNIL)
		conv_mx_list(cv, -1, w);
	else if (!is_set && w->submit != NULL) {
		/* a submission scenario without mx: the submit host is the MX */
		w->mx = xcalloc(1, sizeof(*w->mx));
		w->nmx = 1;
		w->mx[0].host = xstrdup(w->submit->host);
		w->mx[0].pref = 10;
		w->mx[0].cert.variant = xstrdup("valid");
		w->mx[0].line = submit_line;
	} else if (!is_set)
		cv_fail(cv, NULL, "missing required field (a list of MX hosts: mx = "
		    "{ { host = \"mx1.example.test\" } })");
	cv_leave(cv);
	if (cv_field(cv, t, "dns") != LUA_TNIL)
		conv_dns(cv, -1, w);
	cv_leave(cv);
	if (cv_field(cv, t, "attack") != LUA_TNIL)
		conv_attacks(cv, -1, w);
	cv_leave(cv);
	conv_dns_world(cv, t, w);   /* dns_faults, zones: scenario_dns.c */
	replace_enum(cv, t, "sender_tls", &w->sender_tls, sender_tls_values,
	    is_set ? NULL : "may");
	if (cv_field(cv, t, "relay") != LUA_TNIL)
		conv_relay(cv, -1, w);   /* scenario_sts.c */
	cv_leave(cv);
	if (cv_field(cv, t, "tlsrpt") != LUA_TNIL)
		conv_tlsrpt(cv, -1, w);
	cv_leave(cv);
	if (cv_field(cv, t, "message") != LUA_TNIL)
		conv_message(cv, -1, &w->message);   /* scenario_msg.c */
	cv_leave(cv);
	sts_resolve(cv, w);
}

static const char *
mx_hosts(const struct scn_world *w, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < w->nmx && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		    w->mx[i].host);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

static bool
is_mx(const struct scn_world *w, const char *host)
{
	for (size_t i = 0; i < w->nmx; i++)
		if (strcasecmp(w->mx[i].host, host) == 0)
			return true;
	return false;
}

void
world_check(struct cv *cv, const struct scn_world *w, bool in_set)
{
	char hosts[512];

	sts_check(cv, w, in_set);
	for (size_t i = 0; i < w->nattacks; i++) {
		const char *h = w->attacks[i].host;
		if (is_mx(w, h) || sts_attack_name(w->attacks[i].name))
			continue;
		if (in_set)
			cv_fail(cv, NULL, "attack[%zu] targets \"%s\", which is not an "
			    "MX host in this phase (MX hosts: %s)", i + 1, h,
			    mx_hosts(w, hosts, sizeof(hosts)));
		cv_push_key(cv, "attack", 0);
		cv_push_key(cv, NULL, (long)i + 1);
		cv_push_key(cv, "host", 0);
		cv_fail(cv, NULL, "\"%s\" is not an MX host of this scenario "
		    "(MX hosts: %s)", h, mx_hosts(w, hosts, sizeof(hosts)));
	}
	for (size_t i = 0; i < w->ntlsa; i++) {
		const char *h = w->tlsa[i].host;
		if (is_mx(w, h))
			continue;
		if (in_set)
			cv_fail(cv, NULL, "tlsa names \"%s\", which is not an MX "
			    "host in this phase (MX hosts: %s)", h,
			    mx_hosts(w, hosts, sizeof(hosts)));
		cv_push_key(cv, "tlsa", 0);
		cv_fail(cv, NULL, "\"%s\" is not an MX host of this scenario "
		    "(MX hosts: %s)", h, mx_hosts(w, hosts, sizeof(hosts)));
	}
	if (w->submit != NULL && !is_mx(w, w->submit->host)) {
		if (in_set)
			cv_fail(cv, NULL, "submit.host \"%s\" is not an MX host in this "
			    "phase (MX hosts: %s)", w->submit->host,
			    mx_hosts(w, hosts, sizeof(hosts)));
		cv_push_key(cv, "submit", 0);
		cv_push_key(cv, "host", 0);
		cv_fail(cv, NULL, "\"%s\" is not an MX host of this scenario "
		    "(MX hosts: %s)", w->submit->host,
		    mx_hosts(w, hosts, sizeof(hosts)));
	}
}
