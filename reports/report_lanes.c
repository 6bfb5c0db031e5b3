/*
 * report_lanes: the DNS and HTTPS lanes of report.html's ladders.
 *
 * Besides its SMTP sessions a recorder holds exchanges (core/record.h):
 * the DNS queries the resolver face answered and the HTTPS requests the
 * world's web servers answered, plus the evidence sessions an attacker
 * writes when it changes a DNS answer or a policy fetch (dns set; port
 * 53 for DNS, else the policy path).  Each of them is drawn in the
 * ladder of one sender session: the first session of the same phase and
 * message that was still going on when the exchange began (so the MX
 * lookup, the TLSA query and the policy fetch come before the SMTP lines
 * they led to, and a lookup between two attempts goes with the second).
 * What no session of its message claims (a sender that never connected,
 * the TLSRPT report after the messages) is drawn in a ladder of its own
 * per phase and message, after the sessions.  Lines are ordered by the
 * recorder's sequence numbers, which are exact across sessions.
 *
 * Lanes: DNS resolver | sender | path | MX | web host (policy host,
 * TLSRPT receiver).  A DNS answer an attacker changed is drawn in red
 * with the attack named, and the attacker's own notes sit on the lane
 * where it acted; a policy fetch answered by the attacker goes to the
 * path, in red.  Pure functions of the model; nothing logs.
 */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REST_MAX 20   /* ladders of exchanges outside sessions drawn */

enum lane { LANE_DNS, LANE_WEB };

struct item {
	const struct rec_session *x;
	enum lane lane;
	bool evidence;        /* an attacker's note, not an exchange */
	uint64_t seq;         /* of its first line */
	size_t owner;         /* index into sess, or SIZE_MAX: on its own */
};

struct report_lanes {
	struct item *v;
	size_t n;
	const struct rec_session **sess;  /* sender sessions, in id order */
	size_t nsess;
};

static uint64_t
last_seq(const struct rec_session *s)
{
	return s->nlines > 0 ? s->lines[s->nlines - 1].seq : 0;
}

static void
add(struct report_lanes *lx, size_t *cap, const struct rec_session *x,
    enum lane lane, bool evidence)
{
	if (x->nlines == 0)
		return;
	if (lx->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		lx->v = xrealloc(lx->v, *cap * sizeof(*lx->v));
	}
	lx->v[lx->n++] = (struct item){ x, lane, evidence, x->lines[0].seq,
	    SIZE_MAX };
}

static int
by_seq(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The sender session an item is drawn with: the first of its phase and
 * message still going on when it began.  Sessions are in id order, which
 * is the order they began; so are items (sorted), so the search for the
 * next item of the same message resumes where the last one stopped. */
static void
assign(struct report_lanes *lx)
{
	for (size_t i = 0; i < lx->n; i++) {
		struct item *it = &lx->v[i];

		for (size_t k = 0; k < lx->nsess; k++) {
			const struct rec_session *s = lx->sess[k];
			if (s->phase == it->x->phase && s->message == it->x->message &&
			    it->x->message != 0 && last_seq(s) > it->seq) {
				it->owner = k;
				break;
			}
		}
	}
}

struct report_lanes *
report_lanes_new(const struct res_scenario *s)
{
	struct report_lanes *lx = xcalloc(1, sizeof(*lx));
	size_t cap = 0, n, k;
	const struct rec_session *rs;

	if (s->rec == NULL)
		return lx;
	n = rec_count(s->rec);
	lx->sess = xcalloc(n + 1, sizeof(*lx->sess));
	for (k = 0; k < n; k++) {
		rs = rec_get(s->rec, k);
		if (rs->dns)
			add(lx, &cap, rs, rs->port == 53 ? LANE_DNS : LANE_WEB, true);
		else if (rs->via == 0)
			lx->sess[lx->nsess++] = rs;
	}
	for (k = 0; k < rec_nexchanges(s->rec); k++) {
		rs = rec_exchange(s->rec, k);
		add(lx, &cap, rs, rs->kind == REC_DNS ? LANE_DNS : LANE_WEB, false);
	}
	if (lx->n > 1)
		qsort(lx->v, lx->n, sizeof(*lx->v), by_seq);
	assign(lx);
	return lx;
}

void
report_lanes_free(struct report_lanes *lx)
{
	if (lx == NULL)
		return;
	free(lx->v);
	free(lx->sess);
	free(lx);
}

size_t
report_lanes_count(const struct report_lanes *lx)
{
	return lx != NULL ? lx->n : 0;
}

/* Index of rs among the sender sessions, SIZE_MAX if it is not one. */
static size_t
sess_index(const struct report_lanes *lx, const struct rec_session *rs)
{
	for (size_t k = 0; k < lx->nsess; k++)
		if (lx->sess[k] == rs)
			return k;
	return SIZE_MAX;
}

static int
line_by_seq(const void *a, const void *b)
{
	const struct report_lane_line *x = a, *y = b;

	return x->line->seq < y->line->seq ? -1 : x->line->seq > y->line->seq;
}

/* Lines of the items that pass keep(it, arg), in recorder order. */
static size_t
collect(const struct report_lanes *lx, bool (*keep)(const struct item *,
    const void *), const void *arg, struct report_lane_line **out)
{
	struct report_lane_line *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < lx->n; i++) {
		const struct item *it = &lx->v[i];
		if (!keep(it, arg))
			continue;
		for (size_t k = 0; k < it->x->nlines; k++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = (struct report_lane_line){ &it->x->lines[k], it->x,
			    it->lane == LANE_DNS, it->evidence };
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), line_by_seq);
	*out = v;
	return n;
}

struct owner_key {
	size_t k;
};

static bool
owned_by(const struct item *it, const void *arg)
{
	return it->owner == ((const struct owner_key *)arg)->k;
}

size_t
report_lanes_of(const struct report_lanes *lx, const struct rec_session *rs,
    struct report_lane_line **out)
{
	struct owner_key key;

	*out = NULL;
	if (lx == NULL || lx->n == 0)
		return 0;
	key.k = sess_index(lx, rs);
	if (key.k == SIZE_MAX)
		return 0;
	return collect(lx, owned_by, &key, out);
}

/* ---- drawing ---- */

static void
h(struct buf *b, const char *s)
{
	char *e = report_xml_escape(s, false);

	buf_appendf(b, "%s", e);
	free(e);
}

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* An exchange answered by the attacker itself (not relayed). */
static bool
by_attacker(const struct rec_session *x)
{
	return is(x->x.role, "attacker") || is(x->tls_by, "attacker");
}

static void
note_row(struct buf *b, const char *zone, const char *cls, const char *lane,
    const char *text)
{
	buf_appendf(b, "<div class=\"nz %s\" data-lane=\"%s\"><div class=\"nt%s\">",
	    zone, lane, cls);
	h(b, text);
	buf_appendf(b, "</div></div>");
}

void
report_lanes_row(struct buf *b, const struct report_lane_line *l)
{
	const struct rec_session *x = l->x;
	const char *lane = l->dns ? "dns" : "web", *zone, *cls = "";
	char d = l->line->dir;
	bool atk = x->attack != NULL;

	if (l->evidence) {
		/* the attacker's own account: on the lane where it acted */
		note_row(b, l->dns ? "rs" : "sp", " atk", lane, l->line->text);
		return;
	}
	if (d != '>' && d != '<') {
		zone = l->dns ? "rs" : by_attacker(x) ? "sp" : "sh";
		if (strncmp(l->line->text, "TLS", 3) == 0)
			cls = atk || x->tls == REC_TLS_FAILED ? " tls atk" : " tls";
		else if (atk)
			cls = " atk";
		note_row(b, zone, cls, lane, l->line->text);
		return;
	}
	zone = l->dns ? "rs" : by_attacker(x) ? "sp" : "sh";
	/* DNS: the resolver is left of the sender, so a query goes left */
	buf_appendf(b, "<div class=\"a %s %s x-%s%s\" data-lane=\"%s\" "
	    "data-dir=\"%s\"><span class=\"tx\">", zone, (d == '>') != l->dns ?
	    "rt" : "lt", lane, atk && (d == '<' || !l->dns) ? " h-changed" : "",
	    lane, d == '>' ? "&gt;" : "&lt;");
	h(b, l->line->text);
	buf_appendf(b, "</span>");
	if (atk && d == '<') {
		buf_appendf(b, "<span class=\"tag\">%s by the attacker (",
		    l->dns ? "changed" : by_attacker(x) ? "answered" : "tampered");
		h(b, x->attack);
		buf_appendf(b, ")</span>");
	}
	buf_appendf(b, "</div>");
}

/* The header of a five-lane ladder. */
void
report_lanes_header(struct buf *b, const char *sender, const char *path,
    const char *path_small, bool atk, const char *mx, const char *web)
{
	buf_appendf(b, "<div class=\"r hd\"><div class=\"t\">t (s)</div><div "
	    "class=\"ln\"><span class=\"act r\">DNS resolver<small>validating"
	    "</small></span><span class=\"act s\">Sender<small>");
	h(b, sender);
	buf_appendf(b, "</small></span><span class=\"act p%s\">", atk ? " atk" :
	    "");
	h(b, path);
	buf_appendf(b, "<small>");
	h(b, path_small);
	buf_appendf(b, "</small></span><span class=\"act m\">MX<small>");
	h(b, mx != NULL ? mx : "-");
	buf_appendf(b, "</small></span><span class=\"act w\">Web host<small>");
	h(b, web != NULL ? web : "-");
	buf_appendf(b, "</small></span></div></div>\n");
}

/* The first web host among lines v. */
const char *
report_lanes_web_host(const struct report_lane_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i].dns && !v[i].evidence && v[i].x->host != NULL)
			return v[i].x->host;
	for (size_t i = 0; i < n; i++)
		if (!v[i].dns && v[i].x->host != NULL)
			return v[i].x->host;
	return NULL;
}

static void
time_cell(struct buf *b, const struct rec_line *l, uint64_t *last, bool first)
{
	buf_appendf(b, "<div class=\"r\"><div class=\"t\">");
	if (first || l->t_ms != *last)
		buf_appendf(b, "%llu.%03llu", (unsigned long long)(l->t_ms / 1000),
		    (unsigned long long)(l->t_ms % 1000));
	*last = l->t_ms;
	buf_appendf(b, "</div><div class=\"ln\">");
}

void
report_lanes_line_html(struct buf *b, const struct report_lane_line *l,
    uint64_t *last, bool first)
{
	time_cell(b, l->line, last, first);
	report_lanes_row(b, l);
	buf_appendf(b, "</div></div>\n");
}

struct group_key {
	unsigned phase, message;
};

static bool
in_group(const struct item *it, const void *arg)
{
	const struct group_key *g = arg;

	return it->owner == SIZE_MAX && it->x->phase == g->phase &&
	    it->x->message == g->message;
}

void
report_lanes_rest(struct buf *b, const struct report_lanes *lx,
    const struct res_scenario *s, size_t si)
{
	struct report_lane_line *v;
	struct group_key g;
	size_t i, k, n;
	unsigned ngroup = 0;
	uint64_t last = 0;
	bool atk, seen;

	for (i = 0; lx != NULL && i < lx->n; i++) {
		if (lx->v[i].owner != SIZE_MAX)
			continue;
		g = (struct group_key){ lx->v[i].x->phase, lx->v[i].x->message };
		/* each group once, where its first item is */
		seen = false;
		for (k = 0; k < i && !seen; k++)
			seen = in_group(&lx->v[k], &g);
		if (seen)
			continue;
		if (ngroup == REST_MAX) {
			buf_appendf(b, "<p class=\"sub\">More DNS and HTTPS "
			    "outside the SMTP sessions is not drawn here: "
			    "results.json has every exchange.</p>\n");
			return;
		}
		n = collect(lx, in_group, &g, &v);
		atk = false;
		for (k = 0; k < n; k++)
			atk = atk || v[k].x->attack != NULL || v[k].evidence;
		ngroup++;
		buf_appendf(b, "<div class=\"sess xo\" id=\"s%zu-x%u\">\n<h4>DNS "
		    "and HTTPS outside the SMTP sessions", si + 1, ngroup);
		if (g.phase != 0 && g.message != 0)
			buf_appendf(b, " &#183; phase %u, message %u", g.phase,
			    g.message);
		else if (g.phase != 0)
			buf_appendf(b, " &#183; phase %u, after its messages",
			    g.phase);
		buf_appendf(b, "</h4>\n");
		buf_appendf(b, "<div class=\"lad w5\">\n");
		report_lanes_header(b, s->sender != NULL ? s->sender : "sender",
		    atk ? "Attacker" : "Path", atk ? "on the path" : "no attack",
		    atk, NULL, report_lanes_web_host(v, n));
		for (k = 0; k < n; k++)
			report_lanes_line_html(b, &v[k], &last, k == 0);
		buf_appendf(b, "</div>\n</div>\n");
		free(v);
	}
}
