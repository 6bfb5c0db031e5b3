/*
 * mitm_hook: Lua hooks on the attacker's path (the "hook" attack).  See
 * mitm.h for what a scenario writes; this file calls the functions, gives
 * them their ctx object, and carries out what they decided.
 *
 * The functions live in the scenario's sandbox (core/sandbox.h) and are
 * called with sandbox_call: each call has its own instruction budget, the
 * state's memory cap applies, and the first error fails the scenario (the
 * runner reads sandbox_error) while the path goes on as if the hooks had
 * passed everything.
 *
 *   on_tls(ctx)                 once per connection, at accept
 *   on_client_line(line, ctx)   each command line of the sender (not the
 *                               message content), in plaintext or inside
 *                               the attacker's own TLS
 *   on_server_line(line, ctx)   each reply line of the MX
 *
 * A line hook returns nil or true (pass), a string (rewrite: "\n"
 * separates several lines) or false (drop).  Several hooks on one path
 * run in order, each on what the previous one made of the line.  The
 * lines a hook makes of a multi-line reply are re-joined when the reply's
 * last line has been seen: every line but the last gets "NNN-", the last
 * "NNN " (so dropping "250 STARTTLS" from an EHLO reply leaves a proper
 * reply).  ctx:inject_client(text) sends reply lines to the sender: for a
 * command line they are queued as the attacker's answer in reply order,
 * for a reply line they follow that reply in the same segment.
 * ctx:inject_server(text) writes command lines to the MX behind the
 * current line; the MX's replies to them are swallowed.  ctx:delay(s)
 * holds the line (and everything behind it in that direction) for s
 * seconds of the virtual clock; a reply waits for the longest delay any
 * of its lines asked for.  ctx:note(text) adds a '!' line to the
 * transcript; ctx:close() ends the session after the line.
 *
 * ctx is a full userdata ("mxsim.hookctx") valid only during its call:
 * used later it raises an error.  Fields: host, port, conn (this
 * connection's number on the path, from 1), implicit (port 465), tls
 * (inside the attacker's TLS), side ("client", "server", "tls"), command
 * (server side: the step the reply answers, "banner", "EHLO", ...).
 *
 * Logs: each change a hook makes is a '!' line of the session.
 */
#include "attacker/mitm_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "core/sandbox.h"
#include "core/util.h"

#define HOOK_CTX_MT "mxsim.hookctx"
#define HOOK_MAX_INJECT 65536
#define HOOK_MAX_LINES 64
#define HOOK_MAX_LINE 4096
#define HOOK_MAX_DELAY_S 86400.0

struct hook_call {
	struct msess *ms;
	const char *side;
	const char *command;
	struct hook_out *out;
};

struct hook_ud {
	struct hook_call *call;     /* NULL once the hook returned */
};

/* --- the ctx object --- */

/* [-0, +0, e] The live call behind ctx (argument 1). */
static struct hook_call *
ctx_call(lua_State *L)
{
	struct hook_ud *ud = luaL_checkudata(L, 1, HOOK_CTX_MT);

	if (ud->call == NULL)
		luaL_error(L, "ctx used after its hook returned");
	return ud->call;
}

/* Appends the lines of text with CRLF to b.  Errors for CR, NUL,
 * over-long lines or too much text. */
static void
ctx_lines(lua_State *L, struct buf *b, int idx)
{
	size_t len;
	const char *s = luaL_checklstring(L, idx, &len), *p = s;

	if (len == 0 || memchr(s, '\r', len) != NULL || memchr(s, '\0', len) != NULL)
		luaL_argerror(L, idx, "one or more lines separated by \\n, without CR or NUL");
	if (b->len + len > HOOK_MAX_INJECT)
		luaL_error(L, "more than %d bytes injected by one hook call", HOOK_MAX_INJECT);
	while (p < s + len) {
		const char *nl = memchr(p, '\n', (size_t)(s + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(s + len - p);
		buf_append(b, p, n);
		buf_append(b, "\r\n", 2);
		p += n + (nl != NULL);
	}
}

/* [-2, +0, e] ctx:inject_client(text) */
static int
ctx_inject_client(lua_State *L)
{
	struct hook_call *c = ctx_call(L);

	ctx_lines(L, &c->out->to_client, 2);
	return 0;
}

/* [-2, +0, e] ctx:inject_server(text) */
static int
ctx_inject_server(lua_State *L)
{
	struct hook_call *c = ctx_call(L);

	ctx_lines(L, &c->out->to_server, 2);
	return 0;
}

/* [-2, +0, e] ctx:delay(seconds) */
static int
ctx_delay(lua_State *L)
{
	struct hook_call *c = ctx_call(L);
	lua_Number s = luaL_checknumber(L, 2);

	if (!(s >= 0 && s <= HOOK_MAX_DELAY_S))
		luaL_argerror(L, 2, "seconds from 0 to 86400");
	c->out->delay_ms += (uint64_t)(s * 1000.0);
	return 0;
}

/* [-2, +0, e] ctx:note(text) */
static int
ctx_note(lua_State *L)
{
	struct hook_call *c = ctx_call(L);
	const char *s = luaL_checkstring(L, 2);

	mitm_note(c->ms, "hook: %.300s", s);
	return 0;
}

/* [-1, +0, e] ctx:close() */
static int
ctx_close(lua_State *L)
{
	ctx_call(L)->out->close = true;
	return 0;
}

/* [-2, +1, e] ctx.field or ctx:method */
static int
ctx_index(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "inject_client", ctx_inject_client },
		{ "inject_server", ctx_inject_server },
		{ "delay", ctx_delay },
		{ "note", ctx_note },
		{ "close", ctx_close },
	};
	struct hook_call *c = ctx_call(L);
	const char *k = luaL_checkstring(L, 2);
	struct msess *ms = c->ms;

	for (size_t i = 0; i < ARRAY_LEN(methods); i++)
		if (strcmp(k, methods[i].name) == 0) {
			lua_pushcfunction(L, methods[i].func);
			return 1;
		}
	if (strcmp(k, "host") == 0)
		lua_pushstring(L, ms->m->host);
	else if (strcmp(k, "port") == 0)
		lua_pushinteger(L, ms->port);
	else if (strcmp(k, "conn") == 0)
		lua_pushinteger(L, ms->conn_no);
	else if (strcmp(k, "implicit") == 0)
		lua_pushboolean(L, ms->port == ms->m->implicit_port);
	else if (strcmp(k, "tls") == 0)
		lua_pushboolean(L, mitm_tls_with_sender(ms));
	else if (strcmp(k, "side") == 0)
		lua_pushstring(L, c->side);
	else if (strcmp(k, "command") == 0 && c->command != NULL)
		lua_pushstring(L, c->command);
	else
		lua_pushnil(L);
	return 1;
}

/* [-1, +0, -] __close: the ctx can no longer be used */
static int
ctx_closed(lua_State *L)
{
	struct hook_ud *ud = luaL_checkudata(L, 1, HOOK_CTX_MT);

	ud->call = NULL;
	return 0;
}

/* [-0, +1, m] A new ctx for call (the metatable is made once per state). */
static struct hook_ud *
ctx_push(lua_State *L, struct hook_call *call)
{
	struct hook_ud *ud = lua_newuserdatauv(L, sizeof(*ud), 0);

	ud->call = call;
	if (luaL_newmetatable(L, HOOK_CTX_MT)) {
		lua_pushcfunction(L, ctx_index);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, ctx_closed);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, ctx_closed);
		lua_setfield(L, -2, "__close");
		lua_pushliteral(L, HOOK_CTX_MT);
		lua_setfield(L, -2, "__metatable");
	}
	lua_setmetatable(L, -2);
	return ud;
}

/* --- calling --- */

/* "path:line" where the function ref was defined, for type errors. */
static void
fn_where(lua_State *L, int ref, char *buf, size_t len)
{
	lua_Debug ar;

	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	if (lua_getinfo(L, ">S", &ar) && ar.source[0] == '@')
		snprintf(buf, len, "%s:%d", ar.source + 1, ar.linedefined);
	else
		snprintf(buf, len, "(hook)");
}

static void
hook_failed(struct msess *ms, const struct mitm_attack *a, const char *err)
{
	sandbox_fail(a->lua, err);
	log_warn(ms->m->host, "hook failed: %s", err);
	mitm_note(ms, "hook failed, passing everything from now on: %s", err);
}

/* Calls a line hook (line may be NULL for on_tls) and leaves its nres
 * results on the stack.  Returns 0, or -1 (nothing pushed) on error. */
static int
call_hook(struct msess *ms, const struct mitm_attack *a, int ref, const char *what,
    struct hook_call *call, const char *line, size_t len, int nres)
{
	lua_State *L = sandbox_lua(a->lua);
	struct hook_ud *ud;
	char err[1024];
	int nargs = 0, rc;

	if (sandbox_error(a->lua) != NULL)
		return -1;          /* the scenario already failed: pass */
	if (!lua_checkstack(L, 4))
		return -1;
	if (line != NULL) {
		lua_pushlstring(L, line, len);
		nargs++;
	}
	ud = ctx_push(L, call);
	nargs++;
	lua_pushvalue(L, -1);
	lua_insert(L, -(nargs + 1));   /* a copy below the args: close it after */
	rc = sandbox_call(a->lua, ref, nargs, nres, 0, what, err, sizeof(err));
	ud->call = NULL;
	if (rc < 0) {
		lua_pop(L, 1);
		hook_failed(ms, a, err);
		return -1;
	}
	lua_remove(L, -(nres + 1));
	call->out->hooked = true;
	return 0;
}

/* The result of a line hook on the stack top: applies it to *text. */
static void
take_line_result(struct msess *ms, const struct mitm_attack *a, int ref,
    const char *what, char **text)
{
	lua_State *L = sandbox_lua(a->lua);
	char where[600], msg[800];
	size_t len;
	const char *s;

	switch (lua_type(L, -1)) {
	case LUA_TNIL:
		break;
	case LUA_TBOOLEAN:
		if (!lua_toboolean(L, -1)) {
			mitm_note(ms, "hook %s dropped \"%.200s\"", what, *text);
			free(*text);
			*text = NULL;
		}
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, -1, &len);
		if (len > HOOK_MAX_LINES * HOOK_MAX_LINE || memchr(s, '\r', len) ||
		    memchr(s, '\0', len)) {
			fn_where(L, ref, where, sizeof(where));
			snprintf(msg, sizeof(msg), "%s: %s returned a string with CR or "
			    "NUL or longer than %d bytes (lines are separated by \\n)",
			    where, what, HOOK_MAX_LINES * HOOK_MAX_LINE);
			hook_failed(ms, a, msg);
			break;
		}
		if (strcmp(s, *text) != 0)
			mitm_note(ms, "hook %s rewrote \"%.200s\" to \"%.200s\"", what,
			    *text, s);
		free(*text);
		*text = xstrndup(s, len);
		break;
	default:
		fn_where(L, ref, where, sizeof(where));
		snprintf(msg, sizeof(msg), "%s: %s returned a %s (want nil or true to "
		    "pass, false to drop, or a string)", where, what, luaL_typename(L, -1));
		hook_failed(ms, a, msg);
		break;
	}
	lua_pop(L, 1);
}

/* Runs the line hooks of one side on text (allocated, may become NULL). */
static void
run_line_hooks(struct msess *ms, bool client, const char *command,
    struct hook_out *out)
{
	const char *what = client ? "on_client_line" : "on_server_line";
	struct hook_call call = { ms, client ? "client" : "server", command, out };

	for (size_t i = 0; i < ms->nact && out->text != NULL; i++) {
		const struct mitm_attack *a = ms->act[i];
		int ref = client ? a->on_client_line : a->on_server_line;
		if (a->kind != MITM_HOOK || ref == 0)
			continue;
		if (call_hook(ms, a, ref, what, &call, out->text, strlen(out->text), 1) == 0)
			take_line_result(ms, a, ref, what, &out->text);
	}
}

bool
mitm_hook_any(const struct msess *ms, bool client)
{
	for (size_t i = 0; i < ms->nact; i++) {
		const struct mitm_attack *a = ms->act[i];
		if (a->kind == MITM_HOOK && (client ? a->on_client_line : a->on_server_line))
			return true;
	}
	return false;
}

static void
out_free(struct hook_out *o)
{
	if (o == NULL)
		return;
	free(o->text);
	free(o->orig);
	buf_free(&o->to_client);
	buf_free(&o->to_server);
	free(o);
}

/* Writes command lines to the MX; their replies are swallowed. */
static bool
inject_server(struct msess *ms, struct buf *b)
{
	const char *p = buf_cstr(b);

	if (b->len == 0 || ms->up == NULL)
		return true;
	mitm_note(ms, "hook injected %zu bytes of commands towards the MX", b->len);
	conn_write(ms->up, p, b->len);
	while (*p) {
		const char *nl = strstr(p, "\r\n");
		struct smtp_cmd cmd;
		size_t n = (size_t)(nl - p);
		if (smtp_cmd_parse(p, n, &cmd) < 0)
			cmd.verb = SMTP_V_UNKNOWN;
		if (!mitm_push(ms, (struct mitm_pending){ .verb = cmd.verb, .swallow = true }))
			return false;
		p = nl + 2;
	}
	return true;
}

/* --- on_tls, at accept --- */

void
mitm_hook_accept(struct msess *ms)
{
	static const char *const fail_modes[] = {
		"alert", "reset", "garbage", "close", "hang", NULL,
	};

	for (size_t i = 0; i < ms->nact; i++) {
		const struct mitm_attack *a = ms->act[i];
		struct hook_out out = { 0 };
		struct hook_call call = { ms, "tls", NULL, &out };
		lua_State *L;
		const char *r, *mode;
		char where[600], msg[800];

		if (a->kind != MITM_HOOK || a->on_tls == 0)
			continue;
		buf_init(&out.to_client);
		buf_init(&out.to_server);
		if (call_hook(ms, a, a->on_tls, "on_tls", &call, NULL, 0, 2) < 0)
			goto next;
		L = sandbox_lua(a->lua);
		r = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) :
		    lua_isnil(L, -2) ? "relay" : NULL;
		mode = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		if (r != NULL && strcmp(r, "terminate") == 0 && ms->swap == NULL &&
		    a->cert != NULL) {
			ms->swap = a;
			for (size_t k = 0; k < ms->m->nattacks; k++)
				if (&ms->m->attacks[k] == a)
					ms->swap_index = k;
			mitm_note(ms, "hook on_tls: terminate TLS with %s",
			    pki_cert_label(a->cert));
		} else if (r != NULL && strcmp(r, "fail") == 0 && ms->hsfail == NULL) {
			bool ok = mode == NULL;
			for (size_t k = 0; fail_modes[k] != NULL && !ok; k++)
				ok = strcmp(mode, fail_modes[k]) == 0;
			if (ok) {
				ms->hsfail = a;
				ms->hsfail_mode = mode != NULL ? fail_modes[0] : NULL;
				for (size_t k = 0; mode != NULL && fail_modes[k]; k++)
					if (strcmp(mode, fail_modes[k]) == 0)
						ms->hsfail_mode = fail_modes[k];
				mitm_note(ms, "hook on_tls: fail the handshake (%s)",
				    ms->hsfail_mode ? ms->hsfail_mode : "alert");
			} else {
				fn_where(L, a->on_tls, where, sizeof(where));
				snprintf(msg, sizeof(msg), "%s: on_tls: unknown fail mode "
				    "\"%.40s\" (alert, reset, garbage, close, hang)", where, mode);
				hook_failed(ms, a, msg);
			}
		} else if (r == NULL || (strcmp(r, "relay") != 0 &&
		    strcmp(r, "terminate") != 0 && strcmp(r, "fail") != 0)) {
			fn_where(L, a->on_tls, where, sizeof(where));
			snprintf(msg, sizeof(msg), "%s: on_tls returned %s%.40s%s (want "
			    "\"relay\", \"terminate\" or \"fail\" [, mode])", where,
			    r ? "\"" : "a ", r ? r : luaL_typename(L, -2), r ? "\"" : "");
			hook_failed(ms, a, msg);
		}
		lua_pop(L, 2);
next:
		buf_free(&out.to_client);
		buf_free(&out.to_server);
	}
}

/* --- client lines --- */

static void cli_timer_cb(void *arg);

/* Carries out what the hooks made of a command line.  Returns false when
 * the session ended. */
static bool
apply_cli(struct msess *ms, struct hook_out *o, const char *orig)
{
	if (o->to_client.len > 0) {
		char *t = xstrndup(buf_cstr(&o->to_client), o->to_client.len);
		/* CRLF -> \n for the pending's text */
		char *w = t;
		for (const char *r = t; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		if (w > t && w[-1] == '\n')
			w--;
		*w = '\0';
		if (o->text == NULL && strncasecmp(orig, "STARTTLS", 8) == 0 &&
		    !mitm_tls_with_sender(ms)) {
			ms->s->starttls_issued = true;
			ms->s->starttls_reply = mitm_text_code(t);
		}
		if (!mitm_push(ms, (struct mitm_pending){ .verb = SMTP_V_UNKNOWN,
		    .local = t }))
			return false;
		if (!mitm_flush_local(ms))
			return false;
	} else if (o->text == NULL && strncasecmp(orig, "STARTTLS", 8) == 0 &&
	    !mitm_tls_with_sender(ms))
		ms->s->starttls_issued = true;
	for (const char *p = o->text; p != NULL && *p && ms->mode == M_LINE;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!mitm_cli_command(ms, p, n))
			return false;
		p += n + (nl != NULL);
	}
	if (!inject_server(ms, &o->to_server))
		return false;
	if (o->close) {
		mitm_note(ms, "hook closed the session");
		mitm_sess_end(ms, "closed by attacker");
		return false;
	}
	return true;
}

bool
mitm_hook_cli_line(struct msess *ms, const char *line, size_t len)
{
	struct hook_out *o = xcalloc(1, sizeof(*o));
	char *orig = xstrndup(line, len);
	bool alive;

	buf_init(&o->to_client);
	buf_init(&o->to_server);
	o->text = xstrdup(orig);
	run_line_hooks(ms, true, NULL, o);
	if (o->delay_ms > 0) {
		mitm_note(ms, "hook holds the sender's line for %llu ms",
		    (unsigned long long)o->delay_ms);
		o->orig = orig;
		ms->cli_held = o;
		ms->cli_timer = loop_timer_add(ms->m->l, o->delay_ms, cli_timer_cb, ms);
		return true;
	}
	alive = apply_cli(ms, o, orig);
	out_free(o);
	free(orig);
	return alive;
}

static void
cli_timer_cb(void *arg)
{
	struct msess *ms = arg;
	struct hook_out *o = ms->cli_held;
	bool alive;

	ms->cli_timer = 0;
	ms->cli_held = NULL;
	mitm_note(ms, "hook releases the sender's line");
	alive = apply_cli(ms, o, o->orig);
	out_free(o);
	if (alive)
		mitm_on_cli_data(ms);   /* what arrived meanwhile */
}

/* --- server lines --- */

static void up_timer_cb(void *arg);

/* Feeds the lines of a finished reply; false when the session ended or
 * the path left line mode (the caller then stops reading). */
static bool
feed_lines(struct msess *ms, char **lines, size_t n, bool *alive)
{
	*alive = true;
	for (size_t i = 0; i < n; i++) {
		if (!mitm_up_line(ms, lines[i], strlen(lines[i]))) {
			*alive = false;
			return false;
		}
		if (ms->mode != M_LINE)
			return false;
	}
	return true;
}

static void
free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every line but the last "NNN-", the last "NNN ". */
static void
renumber(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *l = v[i];
		if (strlen(l) >= 3 && l[0] >= '1' && l[0] <= '5' &&
		    (l[3] == '\0' || l[3] == ' ' || l[3] == '-')) {
			if (l[3] == '\0' && i + 1 < n) {
				v[i] = xasprintf("%s-", l);
				free(l);
			} else if (l[3] != '\0')
				l[3] = i + 1 < n ? '-' : ' ';
		}
	}
}

static const char *
answering(const struct msess *ms)
{
	for (size_t i = 0; i < ms->nfifo; i++) {
		const struct mitm_pending *p = &ms->fifo[i];
		if (p->local != NULL)
			continue;
		return p->banner ? "banner" : p->dot ? "DOT" : smtp_verb_name(p->verb);
	}
	return NULL;
}

bool
mitm_hook_up_line(struct msess *ms, const char *line, size_t len)
{
	struct hook_out o = { 0 };
	bool last = true, alive;
	const char *text;
	int code;
	char **lines;
	size_t n;

	if (smtp_reply_parse(line, len, &code, &last, &text) < 0)
		last = true;
	buf_init(&o.to_client);
	buf_init(&o.to_server);
	o.text = xstrndup(line, len);
	run_line_hooks(ms, false, answering(ms), &o);
	for (const char *p = o.text; p != NULL && *p;) {
		const char *nl = strchr(p, '\n');
		size_t k = nl ? (size_t)(nl - p) : strlen(p);
		if (ms->nup_lines < HOOK_MAX_LINES) {
			ms->up_lines = xrealloc(ms->up_lines,
			    (ms->nup_lines + 1) * sizeof(*ms->up_lines));
			ms->up_lines[ms->nup_lines++] = xstrndup(p, k);
		}
		p += k + (nl != NULL);
	}
	if (o.delay_ms > ms->up_delay_ms)
		ms->up_delay_ms = o.delay_ms;   /* the reply waits for its longest */
	if (o.to_client.len > 0)
		buf_append(&ms->hook_after, buf_cstr(&o.to_client), o.to_client.len);
	alive = inject_server(ms, &o.to_server);
	free(o.text);
	buf_free(&o.to_client);
	buf_free(&o.to_server);
	if (!alive)
		return false;
	if (o.close) {
		mitm_note(ms, "hook closed the session");
		mitm_sess_end(ms, "closed by attacker");
		return false;
	}
	if (!last)
		return true;
	lines = ms->up_lines;
	n = ms->nup_lines;
	ms->up_lines = NULL;
	ms->nup_lines = 0;
	if (n == 0) {
		mitm_note(ms, "hook dropped the whole reply");
		free(lines);
		return true;
	}
	renumber(lines, n);
	if (ms->up_delay_ms > 0) {
		mitm_note(ms, "hook holds the MX's reply for %llu ms",
		    (unsigned long long)ms->up_delay_ms);
		ms->up_held = lines;
		ms->nup_held = n;
		ms->up_timer = loop_timer_add(ms->m->l, ms->up_delay_ms, up_timer_cb, ms);
		ms->up_delay_ms = 0;
		return true;
	}
	(void)feed_lines(ms, lines, n, &alive);
	free_lines(lines, n);
	return alive;
}

static void
up_timer_cb(void *arg)
{
	struct msess *ms = arg;
	char **lines = ms->up_held;
	size_t n = ms->nup_held;
	bool alive;

	ms->up_timer = 0;
	ms->up_held = NULL;
	ms->nup_held = 0;
	mitm_note(ms, "hook releases the MX's reply");
	(void)feed_lines(ms, lines, n, &alive);
	free_lines(lines, n);
	if (alive)
		mitm_on_up_data(ms);
}

void
mitm_hook_after(struct msess *ms, struct buf *b)
{
	char *t;

	if (ms->hook_after.len == 0)
		return;
	t = xstrndup(buf_cstr(&ms->hook_after), ms->hook_after.len);
	/* recorded line by line as sent to the sender */
	for (char *p = t; *p;) {
		char *nl = strstr(p, "\r\n");
		*nl = '\0';
		mitm_add_lines(ms, b, p);
		p = nl + 2;
	}
	free(t);
	buf_free(&ms->hook_after);
	buf_init(&ms->hook_after);
}

void
mitm_hook_clear(struct msess *ms)
{
	loop_timer_cancel(ms->m->l, ms->cli_timer);
	loop_timer_cancel(ms->m->l, ms->up_timer);
	out_free(ms->cli_held);
	ms->cli_held = NULL;
	free_lines(ms->up_held, ms->nup_held);
	free_lines(ms->up_lines, ms->nup_lines);
	ms->up_held = ms->up_lines = NULL;
	buf_free(&ms->hook_after);
}
