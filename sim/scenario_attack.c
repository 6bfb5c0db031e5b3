/*
 * scenario_attack: reading a scenario's attack list (or a phase's `set`
 * of one).  Each attack is { name, host = ..., parameters }; the table of
 * attack definitions below says which parameters each name takes, its
 * modes and its code range, so an unknown or misplaced parameter is an
 * error naming the file and line.  attacker/mitm.h says what each attack
 * does; scenario.h has the schema.
 *
 * Defaults filled here: the first mode of each list (starttls_error
 * "reply", block "refuse", starttls_inject "reply", caps "tls",
 * handshake_fail "alert", tls_split "sender-tls"); codes starttls_error 454, ehlo_reject 502,
 * reply 421; relay true.  Cross-checks of the whole list: caps in mode
 * "tls" needs a swap_cert on its host (only the attacker's own TLS lets
 * it read the post-TLS EHLO).
 */
#include "sim/scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#define MAX_ATTACKS 32
#define MAX_LINES 32        /* injected lines, capabilities */
#define MAX_LINE 510        /* RFC 5321 4.5.3.1.4/6, without the CRLF */
#define MAX_NTH 1000

static const char *const attack_keys[] = {
	"host", "port", "mode", "code", "text", "cert", "relay", "step", "set",
	"add", "remove", "nth", "after_verified", "on_client_line",
	"on_server_line", "on_tls", NULL,
};

#define COMMON "host", "port", "nth", "after_verified"
static const char *const p_strip[] = { COMMON, NULL };
static const char *const p_error[] = { COMMON, "mode", "code", "text", NULL };
static const char *const p_swap[] = { COMMON, "cert", "relay", NULL };
static const char *const p_block[] = { COMMON, "mode", NULL };
static const char *const p_inject[] = { COMMON, "mode", "code", "text", NULL };
static const char *const p_ehlo[] = { COMMON, "code", "text", NULL };
static const char *const p_reply[] = { COMMON, "step", "code", "text", NULL };
static const char *const p_caps[] = { COMMON, "mode", "set", "add", "remove", NULL };
static const char *const p_hsfail[] = { COMMON, "mode", "text", NULL };
static const char *const p_split[] = { COMMON, "mode", "cert", NULL };
static const char *const p_hook[] = { COMMON, "cert", "relay", "on_client_line",
	"on_server_line", "on_tls", NULL };
static const char *const p_policy[] = { "host", "nth", "mode", "text", "cert",
	NULL };   /* scenario_sts.c reads these */
static const char *const p_txt[] = { "host", "mode", "text", NULL };
#undef COMMON

static const char *const m_error[] = { "reply", "close", "drop", NULL };
static const char *const m_block[] = { "refuse", "reset", "blackhole", NULL };
static const char *const m_inject[] = { "reply", "command", NULL };
static const char *const m_caps[] = { "tls", "plain", "any", NULL };
static const char *const m_hsfail[] = {
	"alert", "reset", "garbage", "close", "hang", NULL,
};
static const char *const m_split[] = { "sender-tls", "mx-tls", NULL };
static const char *const reply_steps[] = {
	"banner", "EHLO", "HELO", "STARTTLS", "MAIL", "RCPT", "DATA", "DOT",
	"RSET", "NOOP", "QUIT", "AUTH", NULL,
};

enum text_kind { T_NONE, T_LINE, T_REPLIES, T_COMMANDS, T_BYTES };

static const struct attack_def {
	const char *name;
	const char *const *params;
	const char *const *modes;   /* NULL: takes no mode; [0] is the default */
	int code_min, code_max, code_default;   /* 0: no default */
} attack_defs[] = {
	{ "strip_starttls", p_strip, NULL, 0, 0, 0 },
	{ "starttls_error", p_error, m_error, 200, 599, 454 },
	{ "swap_cert", p_swap, NULL, 0, 0, 0 },
	{ "block", p_block, m_block, 0, 0, 0 },
	{ "starttls_inject", p_inject, m_inject, 400, 599, 0 },
	{ "ehlo_reject", p_ehlo, NULL, 500, 599, 502 },
	{ "reply", p_reply, NULL, 200, 599, 421 },
	{ "caps", p_caps, m_caps, 0, 0, 0 },
	{ "handshake_fail", p_hsfail, m_hsfail, 0, 0, 0 },
	{ "hook", p_hook, NULL, 0, 0, 0 },
	{ "tls_split", p_split, m_split, 0, 0, 0 },
	{ "tamper_policy", p_policy, NULL, 0, 0, 0 },
	{ "tamper_txt", p_txt, NULL, 0, 0, 0 },
};
static const char *const attack_names[] = {
	"strip_starttls", "starttls_error", "swap_cert", "block",
	"starttls_inject", "ehlo_reject", "reply", "caps", "handshake_fail",
	"hook", "tls_split", "tamper_policy", "tamper_txt", NULL,
};

static bool
listed(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static bool
has_key(struct cv *cv, int t, const char *key)
{
	bool yes;

	lua_pushstring(cv->L, key);
	yes = lua_rawget(cv->L, t) != LUA_TNIL;
	lua_pop(cv->L, 1);
	return yes;
}

static bool
is(const struct scn_attack *a, const char *name)
{
	return strcmp(a->name, name) == 0;
}

static bool
mode_is(const struct scn_attack *a, const char *mode)
{
	return a->mode != NULL && strcmp(a->mode, mode) == 0;
}

/* ---- text: one reply line, reply lines, command lines, bytes ---- */

/* "NNN text" with NNN 200-599; continuation lines "NNN-text" allowed
 * (last: whether it ends a reply). */
static bool
reply_line(const char *s, bool *last)
{
	if (s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return false;
	if (s[3] != '\0' && s[3] != ' ' && s[3] != '-')
		return false;
	*last = s[3] != '-';
	return true;
}

/* Check the lines of text (separated by "\n").  Fails at the current
 * path (the text field). */
static void
check_lines(struct cv *cv, const char *text, enum text_kind kind)
{
	const char *p = text;
	size_t nlines = 0;
	bool last = true;
	char line[MAX_LINE + 2];

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		nlines++;
		if (n > MAX_LINE)
			cv_fail(cv, NULL, "line %zu is longer than %d characters", nlines,
			    MAX_LINE);
		memcpy(line, p, n);
		line[n] = '\0';
		if (n == 0 || memchr(line, '\r', n) != NULL)
			cv_fail(cv, NULL, "line %zu is empty or has a CR (lines are "
			    "separated by \\n)", nlines);
		if (kind == T_REPLIES && !reply_line(line, &last))
			cv_fail(cv, NULL, "line %zu \"%.40s\" is not a reply line (\"NNN "
			    "text\" or \"NNN-text\", NNN from 200 to 599)", nlines, line);
		p += n + (nl != NULL);
	}
	if (nlines == 0)
		cv_fail(cv, NULL, "must not be empty");
	if (nlines > MAX_LINES)
		cv_fail(cv, NULL, "%zu lines (at most %d)", nlines, MAX_LINES);
	if (!last)
		cv_fail(cv, NULL, "the last line continues a reply (\"NNN-...\"): end it "
		    "with \"NNN text\"");
}

static enum text_kind
text_kind(const struct scn_attack *a)
{
	if (is(a, "starttls_inject"))
		return mode_is(a, "command") ? T_COMMANDS : T_REPLIES;
	if (is(a, "handshake_fail"))
		return mode_is(a, "garbage") ? T_BYTES : T_NONE;
	if (is(a, "starttls_error"))
		return mode_is(a, "drop") ? T_NONE : T_LINE;
	return T_LINE;
}

static void
conv_text(struct cv *cv, int t, struct scn_attack *a)
{
	enum text_kind kind = text_kind(a);

	if (cv_field(cv, t, "text") == LUA_TNIL) {
		cv_leave(cv);
		return;
	}
	if (kind == T_NONE)
		cv_fail(cv, NULL, "%s in mode \"%s\" sends no text", a->name, a->mode);
	a->text = cv_string(cv, -1, false);
	if (kind == T_LINE && strpbrk(a->text, "\r\n") != NULL)
		cv_fail(cv, NULL, "the reply text is one line");
	if (kind == T_REPLIES || kind == T_COMMANDS)
		check_lines(cv, a->text, kind);
	if (kind == T_BYTES && strlen(a->text) > 16384)
		cv_fail(cv, NULL, "at most 16384 bytes of garbage");
	cv_leave(cv);
}

static void
conv_code(struct cv *cv, int t, struct scn_attack *a, const struct attack_def *def)
{
	if (cv_field(cv, t, "code") != LUA_TNIL) {
		if (is(a, "starttls_error") && mode_is(a, "drop"))
			cv_fail(cv, NULL, "not with mode \"drop\" (it sends no reply)");
		if (is(a, "starttls_inject") && mode_is(a, "command"))
			cv_fail(cv, NULL, "only with mode \"reply\" (the attacker's own "
			    "answer to STARTTLS, before the injected replies)");
		a->code = (int)cv_integer(cv, -1, def->code_min, def->code_max);
		if (is(a, "reply") && a->step != NULL && strcmp(a->step, "DATA") == 0 &&
		    a->code == 354)
			cv_fail(cv, NULL, "a 354 to DATA from the attacker would take the "
			    "message: use swap_cert with relay = false to keep mail");
	} else if (!(is(a, "starttls_error") && mode_is(a, "drop")))
		a->code = def->code_default;
	cv_leave(cv);
}

static void
conv_caps_list(struct cv *cv, int t, const char *key, size_t min, char ***out)
{
	size_t n;

	if (cv_field(cv, t, key) != LUA_TNIL) {
		int l = lua_gettop(cv->L);
		cv_string_list(cv, l, min, MAX_LINES, out, &n);
		for (size_t k = 0; k < n; k++)
			if ((*out)[k][0] == '\0' || strpbrk((*out)[k], "\r\n") != NULL ||
			    strlen((*out)[k]) > MAX_LINE - 4) {
				cv_index(cv, l, k + 1);
				cv_fail(cv, NULL, "a capability is one non-empty line");
			}
	}
	cv_leave(cv);
}

static void
conv_step(struct cv *cv, int t, struct scn_attack *a)
{
	const char *s;

	if (cv_field(cv, t, "step") == LUA_TNIL)
		cv_fail(cv, NULL, "missing required field (the step the attacker "
		    "answers: %s)", cv_join(cv, reply_steps));
	s = cv_cstring(cv, -1);
	for (size_t i = 0; reply_steps[i] != NULL; i++)
		if (strcasecmp(s, reply_steps[i]) == 0)
			a->step = xstrdup(reply_steps[i]);
	if (a->step == NULL)
		cv_fail(cv, NULL, "unknown step \"%.40s\" (allowed, any case: %s)", s,
		    cv_join(cv, reply_steps));
	cv_leave(cv);
}

/* ---- Lua hooks (attacker/mitm_hook.c calls them) ---- */

static int
hook_fn(struct cv *cv, int t, const char *key)
{
	int ref = 0;

	if (cv_field(cv, t, key) != LUA_TNIL)
		ref = cv_function(cv, -1);
	cv_leave(cv);
	return ref;
}

static void
conv_hook(struct cv *cv, int t, struct scn_attack *a)
{
	a->on_client_line = hook_fn(cv, t, "on_client_line");
	a->on_server_line = hook_fn(cv, t, "on_server_line");
	a->on_tls = hook_fn(cv, t, "on_tls");
	if (a->on_client_line == 0 && a->on_server_line == 0 && a->on_tls == 0)
		cv_fail(cv, NULL, "a hook needs at least one of on_client_line, "
		    "on_server_line, on_tls (functions)");
}

/* ---- one attack ---- */

static const struct attack_def *
conv_name(struct cv *cv, int t, struct scn_attack *a)
{
	struct scn_key first = { NULL, 1 };
	const struct attack_def *def = NULL;
	const char *name;

	if (lua_rawgeti(cv->L, t, 1) != LUA_TSTRING)
		cv_fail(cv, lua_isnil(cv->L, -1) ? NULL : &first, "the first element "
		    "must be the attack name, e.g. { \"strip_starttls\", host = "
		    "... } (attacks: %s)", cv_join(cv, attack_names));
	name = lua_tostring(cv->L, -1);
	for (size_t i = 0; i < ARRAY_LEN(attack_defs); i++)
		if (strcmp(name, attack_defs[i].name) == 0)
			def = &attack_defs[i];
	if (def == NULL)
		cv_fail(cv, &first, "unknown attack \"%.40s\" (allowed: %s)", name,
		    cv_join(cv, attack_names));
	a->name = xstrdup(def->name);
	lua_pop(cv->L, 1);
	for (size_t i = 0; attack_keys[i] != NULL; i++)
		if (!listed(attack_keys[i], def->params) && has_key(cv, t, attack_keys[i])) {
			cv_push_key(cv, attack_keys[i], 0);
			cv_fail(cv, NULL, "%s takes no %s (its parameters: %s)",
			    def->name, attack_keys[i], cv_join(cv, def->params));
		}
	return def;
}

static void
conv_attack(struct cv *cv, int t, struct scn_attack *a)
{
	const struct attack_def *def;

	cv_table(cv, t, "an attack table { \"strip_starttls\", host = "
	    "\"mx1.example.test\" }");
	cv_keys(cv, t, attack_keys, 1);
	a->line = cv_line(cv, NULL);
	def = conv_name(cv, t, a);
	if (cv_field(cv, t, "host") != LUA_TNIL)
		a->host = sts_attack_name(a->name) ? cv_string(cv, -1, false) :
		    cv_hostname(cv, -1);   /* sts_check checks a policy host */
	else if (!sts_attack_name(a->name))
		cv_fail(cv, NULL, "missing required field (the MX host the "
		    "attacker sits in front of)");
	cv_leave(cv);
	if (cv_field(cv, t, "port") != LUA_TNIL) {
		a->port = (int)cv_integer(cv, -1, 0, 65535);
		if (a->port != 0 && a->port != 25 && a->port != 465 && a->port != 587)
			cv_fail(cv, NULL, "the attacker sits on ports 25, 465 and 587 "
			    "(0 = all of them), not %d", a->port);
	}
	cv_leave(cv);
	if (cv_field(cv, t, "nth") != LUA_TNIL)
		a->nth = (int)cv_integer(cv, -1, 1, MAX_NTH);
	cv_leave(cv);
	if (cv_field(cv, t, "after_verified") != LUA_TNIL)
		a->after_verified = cv_boolean(cv, -1);
	cv_leave(cv);
	if (sts_attack_name(a->name)) {
		sts_attack(cv, t, a);
		return;
	}
	if (def->modes != NULL) {
		if (cv_field(cv, t, "mode") != LUA_TNIL)
			a->mode = cv_enum(cv, -1, def->modes);
		else
			a->mode = xstrdup(def->modes[0]);
		cv_leave(cv);
	}
	if (is(a, "reply"))
		conv_step(cv, t, a);
	if (listed("code", def->params))
		conv_code(cv, t, a, def);
	if (listed("text", def->params))
		conv_text(cv, t, a);
	if (is(a, "hook"))
		conv_hook(cv, t, a);
	if (is(a, "tls_split") && mode_is(a, "mx-tls") && has_key(cv, t, "cert")) {
		cv_push_key(cv, "cert", 0);
		cv_fail(cv, NULL, "tls_split in mode \"mx-tls\" presents no "
		    "certificate: the sender stays in clear text (the attacker is "
		    "the TLS client towards the MX)");
	}
	if (is(a, "swap_cert") || is(a, "hook") || is(a, "tls_split")) {
		cv_field(cv, t, "cert");
		conv_cert(cv, -1, &a->cert, "attacker");
		cv_leave(cv);
	}
	if (is(a, "caps")) {
		conv_caps_list(cv, t, "set", 0, &a->set);
		conv_caps_list(cv, t, "remove", 1, &a->remove);
		conv_caps_list(cv, t, "add", 1, &a->add);
		if (a->set == NULL && a->remove == NULL && a->add == NULL)
			cv_fail(cv, NULL, "caps needs set, remove or add (set = {} "
			    "removes every capability)");
	}
	a->relay = true;
	if (cv_field(cv, t, "relay") != LUA_TNIL)
		a->relay = cv_boolean(cv, -1);
	cv_leave(cv);
}

/* caps in mode "tls" reads the EHLO inside the attacker's TLS. */
static void
check_caps(struct cv *cv, const struct scn_world *w)
{
	for (size_t i = 0; i < w->nattacks; i++) {
		const struct scn_attack *a = &w->attacks[i];
		bool swap = false;
		if (!is(a, "caps") || !mode_is(a, "tls"))
			continue;
		for (size_t k = 0; k < w->nattacks; k++)
			if ((is(&w->attacks[k], "swap_cert") ||
			    (is(&w->attacks[k], "tls_split") &&
			    mode_is(&w->attacks[k], "sender-tls"))) &&
			    strcasecmp(w->attacks[k].host, a->host) == 0 &&
			    (a->port == 0 || w->attacks[k].port == 0 ||
			    w->attacks[k].port == a->port))
				swap = true;
		if (swap)
			continue;
		cv_push_key(cv, NULL, (long)i + 1);
		cv_fail(cv, NULL, "caps in mode \"tls\" rewrites the EHLO inside the "
		    "attacker's own TLS: add a swap_cert attack on %s (or use mode = "
		    "\"plain\")", a->host);
	}
}

void
conv_attacks(struct cv *cv, int t, struct scn_world *w)
{
	size_t n;

	t = lua_absindex(cv->L, t);
	n = cv_list(cv, t, MAX_ATTACKS);
	for (size_t i = 0; i < w->nattacks; i++)
		scn_attack_clear(&w->attacks[i]);
	free(w->attacks);
	scn_dns_attacks_clear(w);
	w->attacks = xcalloc(n ? n : 1, sizeof(*w->attacks));
	w->nattacks = 0;
	for (size_t i = 0; i < n; i++) {
		cv_index(cv, t, i + 1);
		if (scn_dns_attack_is(cv, lua_gettop(cv->L)))  /* scenario_dns.c */
			conv_dns_attack(cv, lua_gettop(cv->L), w);
		else
			conv_attack(cv, lua_gettop(cv->L),
			    &w->attacks[w->nattacks++]);
		cv_leave(cv);
	}
	check_caps(cv, w);
}
