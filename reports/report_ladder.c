/*
 * report_ladder: the ladder (sequence diagram) of one sender session, as
 * report.html draws it: the session's transcript merged with those of the
 * attacker-to-MX legs that carry it, and for every line how the path
 * treated it (relayed, changed, answered by the attacker itself, dropped).
 *
 * The recorder keeps one transcript per session and no order across
 * sessions, so lines of a leg are merged in by virtual time and, within
 * one instant, by causality: a line the MX sent ('{') comes before the
 * line the sender got ('<'), and a line the MX received ('}') comes after
 * the line the sender sent ('>').  Within one session the recorded order
 * is kept as is.
 *
 * Classification pairs what the path received with what it passed on:
 * '{' with a later '<' and '>' with a later '}', same text first, then the
 * same SMTP reply with another continuation mark ("250-X" sent on as
 * "250 X", how a strip closes the reply early).  What stays unpaired was
 * dropped (received, never passed on) or forged (passed on, never
 * received).  Lines inside TLS that the path relays untouched cannot be
 * paired (the path saw ciphertext): they are marked direct and enc and
 * drawn from sender to MX.  Pure functions of the model; nothing logs.
 */
#include "reports/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lad {
	struct report_ladder_line *v;
	size_t n, cap;
};

static void
push(struct lad *d, const struct rec_line *l, unsigned session, bool leg)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n++] = (struct report_ladder_line){
		.line = l, .session = session, .leg = leg,
		.hop = REPORT_HOP_NONE, .ref = (size_t)-1,
	};
}

/* The same line as seen by two recorders.  The path counts message bytes
 * as they travel (dot-stuffed), the MX after unstuffing, so two
 * "[message: N bytes]" lines are the same message whatever their N. */
static bool
same(const char *x, const char *y)
{
	static const char msg[] = "[message: ";

	if (strcmp(x, y) == 0)
		return true;
	return strncmp(x, msg, sizeof(msg) - 1) == 0 &&
	    strncmp(y, msg, sizeof(msg) - 1) == 0;
}

/* "250-X" and "250 X": the same reply line with another continuation. */
static bool
near_same(const char *x, const char *y)
{
	size_t n = strlen(x);

	if (n < 4 || n != strlen(y) || (x[3] != '-' && x[3] != ' ') ||
	    (y[3] != '-' && y[3] != ' '))
		return false;
	return memcmp(x, y, 3) == 0 && strcmp(x + 4, y + 4) == 0;
}

#define LOOKAHEAD 64

/* May the leg's '}' line lb go before a[i...]?  Yes once the sender has
 * sent it (an earlier unforwarded '>' of the same text), or when nothing
 * the sender is about to send at this instant matches (the attacker's own
 * command); no while the sender still has a line to send first. */
static bool
forward_ready(const struct report_ladder_line *a, size_t na, size_t i,
    const struct rec_line *lb, const size_t *sent, const bool *used,
    size_t nsent)
{
	size_t k;

	for (k = 0; k < nsent; k++)
		if (!used[k] && same(a[sent[k]].line->text, lb->text))
			return true;
	if (a[i].line->dir == '>' || a[i].line->dir == '!')
		return false;
	for (k = i; k < na && k < i + LOOKAHEAD &&
	    a[k].line->t_ms == lb->t_ms; k++)
		if (a[k].line->dir == '>' && same(a[k].line->text, lb->text))
			return false;
	return true;
}

/* Merge the lines of leg (an attacker-to-MX session) into the lines a. */
static void
merge_leg(struct lad *out, const struct report_ladder_line *a, size_t na,
    const struct rec_session *leg)
{
	const struct rec_line *lb;
	size_t i = 0, j = 0, k, nsent = 0;
	size_t *sent = xcalloc(na + 1, sizeof(*sent));  /* '>' emitted */
	bool *used = xcalloc(na + 1, sizeof(*used));
	bool take_b;

	while (i < na || j < leg->nlines) {
		if (i == na) {
			take_b = true;
		} else if (j == leg->nlines) {
			take_b = false;
		} else {
			lb = &leg->lines[j];
			if (lb->t_ms != a[i].line->t_ms)
				take_b = lb->t_ms < a[i].line->t_ms;
			else if (lb->dir == '}')
				take_b = forward_ready(a, na, i, lb, sent, used,
				    nsent);
			else
				/* the MX side first, then what reaches the
				 * sender; the sender's own lines first */
				take_b = a[i].line->dir == '<';
		}
		if (take_b) {
			lb = &leg->lines[j++];
			for (k = 0; lb->dir == '}' && k < nsent; k++)
				if (!used[k] && same(a[sent[k]].line->text,
				    lb->text)) {
					used[k] = true;
					break;
				}
			push(out, lb, leg->id, true);
		} else {
			if (a[i].line->dir == '>')
				sent[nsent++] = i;
			push(out, a[i].line, a[i].session, a[i].leg);
			i++;
		}
	}
	free(sent);
	free(used);
}

/* Oldest unpaired line of q with the text (near: near_same); its index or
 * (size_t)-1.  Paired entries are skipped; *head moves past a paired run. */
static size_t
take(struct report_ladder_line *v, const size_t *q, size_t nq, size_t *head,
    const char *text, bool near)
{
	size_t k, x;

	while (*head < nq && v[q[*head]].hop != REPORT_HOP_NONE)
		(*head)++;
	for (k = *head; k < nq; k++) {
		x = q[k];
		if (v[x].hop != REPORT_HOP_NONE)
			continue;
		if (near ? near_same(v[x].line->text, text) :
		    same(v[x].line->text, text))
			return x;
	}
	return (size_t)-1;
}

static void
pair(struct report_ladder_line *v, size_t i, size_t *q, size_t nq,
    size_t *head)
{
	size_t x;

	x = take(v, q, nq, head, v[i].line->text, false);
	if (x != (size_t)-1) {
		v[i].hop = v[x].hop = REPORT_HOP_RELAYED;
		v[i].ref = x;
		v[x].ref = i;
		return;
	}
	x = take(v, q, nq, head, v[i].line->text, true);
	if (x != (size_t)-1) {
		v[i].hop = REPORT_HOP_CHANGED;
		v[x].hop = REPORT_HOP_ORIGINAL;
		v[i].ref = x;
		v[x].ref = i;
		return;
	}
	v[i].hop = REPORT_HOP_FORGED;
}

static void
classify(struct report_ladder_line *v, size_t n)
{
	size_t *down = xcalloc(n + 1, sizeof(*down));  /* '{' awaiting '<' */
	size_t *up = xcalloc(n + 1, sizeof(*up));      /* '>' awaiting '}' */
	size_t ndown = 0, nup = 0, hdown = 0, hup = 0, i;

	for (i = 0; i < n; i++) {
		if (v[i].direct)
			continue;
		switch (v[i].line->dir) {
		case '{':
			down[ndown++] = i;
			break;
		case '>':
			up[nup++] = i;
			break;
		case '<':
			pair(v, i, down, ndown, &hdown);
			break;
		case '}':
			pair(v, i, up, nup, &hup);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < ndown; i++)
		if (v[down[i]].hop == REPORT_HOP_NONE)
			v[down[i]].hop = REPORT_HOP_DROPPED;
	for (i = 0; i < nup; i++)
		if (v[up[i]].hop == REPORT_HOP_NONE &&
		    strcmp(v[up[i]].line->text, ".") != 0)
			v[up[i]].hop = REPORT_HOP_DROPPED;
	free(down);
	free(up);
}

/* Mark the lines the path could not read (drawn sender <-> MX). */
static void
mark_direct(struct report_ladder_line *v, size_t n,
    const struct rec_session *rs, bool legs)
{
	bool path_view = false, blind = false;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].line->dir == '>' || v[i].line->dir == '<')
			path_view = true;
	if (!path_view) {
		/* no path transcript: only the server's view exists */
		for (i = 0; i < n; i++)
			v[i].direct = true;
		blind = rs->tls == REC_TLS_OK && rs->implicit_tls && !legs;
		for (i = 0; i < n && blind; i++)
			v[i].enc = true;
		return;
	}
	/* TLS end to end between sender and MX: from the TLS note on, the
	 * path only relays ciphertext */
	if (legs || rs->tls != REC_TLS_OK || rs->tls_by == NULL ||
	    strcmp(rs->tls_by, "mx") != 0)
		return;
	for (i = 0; i < n; i++) {
		if (!blind && v[i].line->dir == '!' &&
		    strncmp(v[i].line->text, "TLS", 3) == 0)
			blind = true;
		if (blind && v[i].line->dir != '!')
			v[i].direct = v[i].enc = true;
	}
}

size_t
report_ladder(const struct res_scenario *s, const struct rec_session *rs,
    struct report_ladder_line **out)
{
	struct lad d = { 0 }, m;
	const struct rec_session *leg;
	size_t i, k, n = s->rec != NULL ? rec_count(s->rec) : 0;
	bool legs = false;

	for (i = 0; i < rs->nlines; i++)
		push(&d, &rs->lines[i], rs->id, rs->via != 0);
	for (k = 0; k < n && rs->via == 0; k++) {
		leg = rec_get(s->rec, k);
		if (leg->via != rs->id || leg == rs)
			continue;
		legs = true;
		m = (struct lad){ 0 };
		merge_leg(&m, d.v, d.n, leg);
		free(d.v);
		d = m;
	}
	mark_direct(d.v, d.n, rs, legs);
	classify(d.v, d.n);
	*out = d.v;
	return d.n;
}

/* ---- HTML rendering of one session (report.html) ---- */

static void
h(struct buf *b, const char *s)
{
	char *e = report_xml_escape(s, false);

	buf_appendf(b, "%s", e);
	free(e);
}

static void
chip(struct buf *b, const char *cls, const char *fmt, ...) PRINTF(3, 4);
static void
chip(struct buf *b, const char *cls, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	buf_appendf(b, "<li%s%s%s>", cls != NULL ? " class=\"" : "",
	    cls != NULL ? cls : "", cls != NULL ? "\"" : "");
	h(b, text);
	buf_appendf(b, "</li>");
	free(text);
}

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "?";
}

static void
tls_chips(struct buf *b, const struct rec_session *rs, const char *who)
{
	bool atk = is(rs->tls_by, "attacker");

	switch (rs->tls) {
	case REC_TLS_OK:
		chip(b, atk ? "bad" : "good", "%sTLS %s with the %s", who,
		    rs->tls_version != NULL ? rs->tls_version : "",
		    rs->tls_by != NULL ? rs->tls_by : "server");
		if (rs->cert_label != NULL)
			chip(b, atk ? "bad" : NULL, "%scertificate %s", who,
			    rs->cert_label);
		break;
	case REC_TLS_FAILED:
		chip(b, "bad", "%sTLS failed: %s", who, nz(rs->tls_error));
		if (rs->cert_label != NULL)
			chip(b, NULL, "%scertificate %s", who, rs->cert_label);
		break;
	case REC_TLS_NONE:
		chip(b, NULL, "%sno TLS", who);
		break;
	}
}

static void
session_chips(struct buf *b, const struct res_scenario *s,
    const struct rec_session *rs)
{
	const struct rec_session *leg;
	size_t k, n = s->rec != NULL ? rec_count(s->rec) : 0;
	char who[48];

	buf_appendf(b, "<ul class=\"chips\">");
	if (rs->attack != NULL)
		chip(b, "bad", "attack: %s", rs->attack);
	if (!rs->connected)
		chip(b, "bad", "not connected");
	else if (rs->implicit_tls)
		chip(b, NULL, "implicit TLS");
	else {
		chip(b, rs->starttls_offered ? NULL : "bad", "STARTTLS %s",
		    rs->starttls_offered ? "offered" : "not offered");
		if (rs->starttls_issued && rs->starttls_reply != 0)
			chip(b, rs->starttls_reply == 220 ? NULL : "bad",
			    "STARTTLS issued, reply %d", rs->starttls_reply);
		else
			chip(b, NULL, "STARTTLS %s", rs->starttls_issued ?
			    "issued" : "not issued");
	}
	tls_chips(b, rs, "");
	if (!rs->data_sent)
		chip(b, NULL, "no message data sent");
	else
		chip(b, rs->data_tls && !is(rs->data_to, "attacker") ?
		    "good" : "bad", "message data %s to the %s",
		    rs->data_tls ? "over TLS" : "in plaintext", nz(rs->data_to));
	if (rs->delivered)
		chip(b, is(rs->data_to, "mx") && !rs->leak ? "good" : NULL,
		    "delivered");
	if (rs->leak)
		chip(b, "bad", "LEAK: the attacker saw the message");
	if (rs->end != NULL)
		chip(b, NULL, "end: %s", rs->end);
	for (k = 0; k < n && rs->via == 0; k++) {
		leg = rec_get(s->rec, k);
		if (leg->via != rs->id || leg == rs)
			continue;
		chip(b, NULL, "attacker-to-MX leg: session %u", leg->id);
		snprintf(who, sizeof(who), "leg %u: ", leg->id);
		tls_chips(b, leg, who);
		if (leg->delivered)
			chip(b, "bad", "leg %u: the attacker passed the message "
			    "on to the MX", leg->id);
	}
	buf_appendf(b, "</ul>\n");
}

/* Where a note goes and how it looks. */
static void
note(struct buf *b, const struct report_ladder_line *l)
{
	const char *t = l->line->text, *zone = "p", *cls = "";

	if (strncmp(t, "attacker:", 9) == 0) {
		cls = " atk";
	} else if (strncmp(t, "path:", 5) == 0) {
		zone = "p";
	} else if (strncmp(t, "mx ", 3) == 0) {
		zone = "m";
	} else if (strncmp(t, "TLS", 3) == 0) {
		bool bad = strstr(t, "failed") != NULL;
		if (strstr(t, "with the attacker") != NULL)
			zone = "sp", cls = " tls atk";
		else
			zone = l->leg ? "pm" : "sm", cls = bad ? " tls atk" :
			    " tls";
	} else if (l->leg) {
		zone = "pm";
	}
	buf_appendf(b, "<div class=\"nz %s\"><div class=\"nt%s\">", zone, cls);
	h(b, t);
	buf_appendf(b, "</div></div>");
}

static void
arrow(struct buf *b, const struct report_ladder_line *v, size_t i)
{
	const struct report_ladder_line *l = &v[i];
	char d = l->line->dir;
	bool right = d == '>' || d == '}';
	const char *lane = l->direct ? "sm" : d == '>' || d == '<' ? "sp" :
	    "pm";
	static const char *const hop[] = { "none", "relayed", "original",
	    "changed", "forged", "dropped" };

	buf_appendf(b, "<div class=\"a %s %s h-%s%s\" data-dir=\"%s\" "
	    "data-hop=\"%s\"><span class=\"tx\">", lane, right ? "rt" : "lt",
	    hop[l->hop], l->enc ? " enc" : "", d == '>' ? "&gt;" : d == '<' ?
	    "&lt;" : d == '{' ? "{" : "}", hop[l->hop]);
	h(b, l->line->text);
	buf_appendf(b, "</span>");
	switch (l->hop) {
	case REPORT_HOP_CHANGED:
		buf_appendf(b, "<span class=\"tag\">changed by the attacker"
		    "</span><span class=\"was\">it received: ");
		h(b, v[l->ref].line->text);
		buf_appendf(b, "</span>");
		break;
	case REPORT_HOP_FORGED:
		buf_appendf(b, "<span class=\"tag\">%s</span>", d == '<' ?
		    "answered by the attacker" : "sent by the attacker");
		break;
	case REPORT_HOP_DROPPED:
		buf_appendf(b, "<span class=\"tag\">dropped: never passed on "
		    "to the %s</span>", d == '{' ? "sender" : "MX");
		break;
	case REPORT_HOP_ORIGINAL:
		buf_appendf(b, "<span class=\"tag o\">passed on changed</span>");
		break;
	default:
		break;
	}
	buf_appendf(b, "</div>");
}

/* The exchange lines before seq, from *k on. */
static void
lanes_upto(struct buf *b, const struct report_lane_line *x, size_t nx,
    size_t *k, uint64_t seq, uint64_t *last, bool *first)
{
	while (*k < nx && x[*k].line->seq < seq) {
		report_lanes_line_html(b, &x[*k], last, *first);
		*first = false;
		(*k)++;
	}
}

void
report_html_session(struct buf *b, const struct res_scenario *s, size_t si,
    const struct rec_session *rs, const struct report_lanes *lx)
{
	struct report_ladder_line *v;
	struct report_lane_line *x;
	size_t i, k = 0, n = report_ladder(s, rs, &v);
	size_t nx = report_lanes_of(lx, rs, &x);
	uint64_t last = 0;
	int mode = 0;  /* 0 path view, 1 end-to-end TLS, 2 server view only */
	bool https = rs->port == 443, first = true;

	buf_appendf(b, "<div class=\"sess\" id=\"s%zu-%u\">\n<h4>Session %u "
	    "&#183; ", si + 1, rs->id, rs->id);
	h(b, nz(rs->host));
	buf_appendf(b, ":%u", (unsigned)rs->port);
	if (rs->addr != NULL) {
		buf_appendf(b, " (");
		h(b, rs->addr);
		buf_appendf(b, ")");
	}
	if (rs->phase != 0)
		buf_appendf(b, " &#183; phase %u, message %u", rs->phase,
		    rs->message);
	if (rs->via != 0)
		buf_appendf(b, " &#183; attacker leg of session %u", rs->via);
	buf_appendf(b, "</h4>\n");
	session_chips(b, s, rs);

	if (nx > 0) {
		bool atk = rs->attack != NULL;
		for (i = 0; i < nx && !atk; i++)
			atk = x[i].evidence || x[i].x->attack != NULL;
		buf_appendf(b, "<div class=\"lad w5\">\n");
		report_lanes_header(b, s->sender != NULL ? s->sender : "sender",
		    atk ? "Attacker" : "Path", rs->attack != NULL ? rs->attack :
		    atk ? "on the path" : "no attack", atk, nz(rs->host),
		    report_lanes_web_host(x, nx));
	} else {
		buf_appendf(b, "<div class=\"lad\">\n<div class=\"r hd\"><div "
		    "class=\"t\">t (s)</div><div class=\"ln\"><span class=\"act "
		    "s\">Sender<small>");
		h(b, s->sender != NULL ? s->sender : "sender");
		buf_appendf(b, "</small></span><span class=\"act p%s\">%s<small>",
		    rs->attack != NULL ? " atk" : "", rs->attack != NULL ?
		    "Attacker" : "Path");
		h(b, rs->attack != NULL ? rs->attack : "no attack");
		buf_appendf(b, "</small></span><span class=\"act m\">%s<small>",
		    https ? "HTTPS server" : "MX");
		h(b, nz(rs->host));
		buf_appendf(b, "</small></span></div></div>\n");
	}
	for (i = 0; i < n; i++) {
		if (!v[i].leg)
			lanes_upto(b, x, nx, &k, v[i].line->seq, &last, &first);
		int m = !v[i].direct || v[i].line->dir == '!' ? mode :
		    v[i].enc ? 1 : 2;
		if (m != mode && m != 0) {
			buf_appendf(b, "<div class=\"r\"><div class=\"t\">"
			    "</div><div class=\"ln\"><div class=\"nz sm\"><div "
			    "class=\"nt sp-note\">%s</div></div></div></div>\n",
			    m == 1 ? "inside TLS from end to end: the path "
			    "relays ciphertext; lines as the server recorded them" :
			    "no path transcript: lines as the server recorded "
			    "them");
			mode = m;
		}
		buf_appendf(b, "<div class=\"r\"><div class=\"t\">");
		if (first || v[i].line->t_ms != last)
			buf_appendf(b, "%llu.%03llu",
			    (unsigned long long)(v[i].line->t_ms / 1000),
			    (unsigned long long)(v[i].line->t_ms % 1000));
		first = false;
		last = v[i].line->t_ms;
		buf_appendf(b, "</div><div class=\"ln\">");
		if (v[i].line->dir == '!' || strchr("<>{}", v[i].line->dir) ==
		    NULL)
			note(b, &v[i]);
		else
			arrow(b, v, i);
		buf_appendf(b, "</div></div>\n");
	}
	lanes_upto(b, x, nx, &k, UINT64_MAX, &last, &first);
	if (n == 0)
		buf_appendf(b, "<div class=\"r\"><div class=\"t\"></div><div "
		    "class=\"ln\"><div class=\"nz sm\"><div class=\"nt\">nothing "
		    "recorded</div></div></div></div>\n");
	buf_appendf(b, "</div>\n</div>\n");
	free(v);
	free(x);
}
