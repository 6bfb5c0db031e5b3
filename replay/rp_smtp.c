/*
 * rp_smtp: SMTP sessions from reassembled streams.  See rp_smtp.h.
 *
 * Per connection: two line assemblers (CRLF or bare LF), the queue of
 * commands waiting for their reply (PIPELINING), the message-content
 * state after a 354, and once TLS starts a record walker per direction
 * that reads only the 5-byte record headers and the start of the
 * ServerHello.  Logs nothing: everything goes into the transcript.
 */
#include "replay/rp_smtp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mx/smtp.h"
#include "replay/rp_tls.h"

#define LINE_MAX_KEEP 4096     /* longer lines are cut (and noted) */
#define MAX_PENDING 64

enum mode { M_PLAIN, M_TLS };

struct tlsdir {
	uint8_t hdr[5];
	size_t nhdr;
	size_t body_left;       /* bytes of the current record still to read */
	struct buf body;        /* the current record's body */
	unsigned records;
	bool bad;
};

struct sess {
	struct rp_smtp *x;
	struct rec_session *s;   /* NULL while undecided or not SMTP */
	size_t idx;              /* index in the recorder */
	bool decided, smtp;
	enum mode mode;
	struct buf line[2];
	bool cut[2];
	struct smtp_reply reply;
	enum smtp_verb pending[MAX_PENDING];
	size_t npend;
	struct { int code; bool capa; } early[MAX_PENDING];
	size_t nearly;
	bool greeted;            /* the first reply (banner) came */
	bool in_data;
	uint64_t data_lines, data_bytes;
	uint64_t bdat_left;
	/* TLS */
	struct tlsdir td[2];
	bool ch, sh, client_done, server_ccs, client_ccs;
	int tls_major_minor;     /* 0x0304 for TLS 1.3 */
	int last_dir;
	unsigned flights;        /* client app flights after the handshake */
	unsigned app_records;    /* client app records after it (not alerts) */
	uint64_t app_bytes;      /* their plaintext bytes, the first excepted */
	uint64_t flight_bytes, max_flight;  /* current; largest after the first */
	bool after_220;          /* server lines now come after the 220 */
	bool new_flight;         /* the next client record starts a flight */
	bool resync[2];          /* after a gap: skip to the next line */
	bool fin[2];
	/* TLS content (rp_tls.h): the handshake, and with a key log the
	 * SMTP dialogue inside TLS 1.3 */
	struct rp_tls *tls;
	bool tlsplain;           /* lines now come from decrypted records */
	bool decrypted[2];       /* some application data of dir was read */
	/* the message header: is it a TLSRPT report (RFC 8460 5.3)? */
	bool in_hdr, ct_active;
	struct buf ctype;
};

struct rp_smtp {
	struct rec *r;
	struct loop *l;
	uint64_t t0_us;
	struct rp_smtp_info *info;
	size_t ninfo;
	unsigned other;
	char *rcpt_domain;       /* of the first RCPT TO seen */
	const struct rp_keylog *kl;
};

static void
clock_to(struct rp_smtp *x, uint64_t ts_us)
{
	if (ts_us <= x->t0_us)
		return;
	uint64_t ms = (ts_us - x->t0_us) / 1000;
	if (ms > loop_now(x->l))
		loop_advance(x->l, ms - loop_now(x->l));
}

static bool
smtp_port(uint16_t p)
{
	return p == 25 || p == 587 || p == 465;
}

static const char *
dir_name(int dir)
{
	return dir == 0 ? "client" : "server";
}

static void
note(struct sess *z, const char *fmt, const char *a)
{
	rec_line(z->x->r, z->s, '!', fmt, a);
}

/* The session becomes a recorder session. */
static void
sess_start(struct sess *z, const struct rp_flow *f)
{
	struct rp_smtp *x = z->x;
	char srv[64];

	rp_addr_str(f->af, f->addr[1], srv, sizeof(srv));
	z->decided = z->smtp = true;
	z->s = rec_session_new(x->r, srv, srv, f->port[1]);
	z->idx = rec_count(x->r) - 1;
	x->info = xrealloc(x->info, (x->ninfo + 1) * sizeof(*x->info));
	struct rp_smtp_info *in = &x->info[x->ninfo++];
	memset(in, 0, sizeof(*in));
	rp_addr_str(f->af, f->addr[0], in->client, sizeof(in->client));
	in->client_port = f->port[0];
	in->flow = f->id;
	in->first_frame = f->first_frame;
	in->t_us = f->t_open_us;
	in->midstream = !f->handshake;
	z->s->connected = true;
	if (!f->handshake)
		rec_line(x->r, z->s, '!', "capture: the connection started before the "
		    "capture did (no handshake): judged from its first byte on");
	if (f->port[1] == 465) {
		z->s->implicit_tls = true;
		z->mode = M_TLS;
	}
}

static struct rp_smtp_info *
info_of(struct sess *z)
{
	return z->s ? &z->x->info[z->idx] : NULL;
}

/* ---- plaintext SMTP ---- */

/* What a complete reply to verb v does to the session. */
static void
reply_apply(struct sess *z, enum smtp_verb v, int code, bool capa_starttls)
{
	struct rec_session *s = z->s;

	switch (v) {
	case SMTP_V_EHLO:
		if (code == 250 && z->mode == M_PLAIN)
			s->starttls_offered = capa_starttls;
		break;
	case SMTP_V_STARTTLS:
		s->starttls_reply = code;
		if (code == 220) {
			z->mode = M_TLS;
			rec_line(z->x->r, s, '!', "TLS may start: the capture shows its "
			    "records, not their content");
		}
		break;
	case SMTP_V_DATA:
		if (code == 354) {
			z->in_data = true;
			z->in_hdr = true;
			z->ct_active = false;
			buf_reset(&z->ctype);
			z->data_lines = z->data_bytes = 0;
		}
		break;
	case SMTP_V_BDAT:
	case SMTP_V_UNKNOWN:   /* the reply to the end of the content */
		if (z->data_bytes > 0 && code >= 200 && code < 300)
			s->delivered = true;
		break;
	default:
		break;
	}
}

/* A reply that came before its command (the capture saw the two
 * directions out of order) waits for it. */
static void
early_push(struct sess *z, int code, bool capa)
{
	if (z->nearly < MAX_PENDING) {
		z->early[z->nearly].code = code;
		z->early[z->nearly].capa = capa;
		z->nearly++;
	}
}

static void
match_early(struct sess *z)
{
	while (z->nearly > 0 && z->npend > 0) {
		enum smtp_verb v = z->pending[0];
		int code = z->early[0].code;
		bool capa = z->early[0].capa;
		memmove(z->pending, z->pending + 1, --z->npend * sizeof(*z->pending));
		memmove(z->early, z->early + 1, --z->nearly * sizeof(*z->early));
		reply_apply(z, v, code, capa);
	}
}

static void
reply_done(struct sess *z)
{
	struct rec_session *s = z->s;
	int code = z->reply.code;
	bool capa = code == 250 && smtp_reply_has_capa(&z->reply, "STARTTLS");

	if (!z->greeted) {
		z->greeted = true;
		if (code == 220) {
			s->banner = true;
			/* "220 mx1.example.test ESMTP": the host name */
			const char *t = z->reply.lines[0] + 3;
			char host[256];
			size_t n = 0;
			while (*t == ' ' || *t == '-')
				t++;
			while (t[n] && t[n] != ' ' && n < sizeof(host) - 1) {
				host[n] = t[n];
				n++;
			}
			host[n] = '\0';
			if (n > 0 && strchr(host, '.') != NULL)
				rec_set(&s->host, host);
		}
		return;
	}
	if (z->npend == 0) {
		early_push(z, code, capa);
		return;
	}
	enum smtp_verb v = z->pending[0];
	memmove(z->pending, z->pending + 1, --z->npend * sizeof(*z->pending));
	reply_apply(z, v, code, capa);
}

static void
server_line(struct sess *z, const char *line, size_t len)
{
	if (z->mode == M_TLS && !z->tlsplain) {
		rec_line(z->x->r, z->s, '!', "the server sent clear text after its "
		    "220 to STARTTLS, before the ClientHello:");
		rec_line(z->x->r, z->s, '<', "%s", line);
		return;
	}
	rec_line(z->x->r, z->s, '<', "%s", line);
	int rc = smtp_reply_feed(&z->reply, line, len);
	if (rc < 0) {
		rec_line(z->x->r, z->s, '!', "capture: the server sent a line that is "
		    "not an SMTP reply");
		smtp_reply_clear(&z->reply);
		return;
	}
	if (rc == 1)
		reply_done(z);
}

static void
push_pending(struct sess *z, enum smtp_verb v)
{
	if (z->npend < MAX_PENDING)
		z->pending[z->npend++] = v;
	match_early(z);
}

/* A line of the message header (len 0: the header ended): a TLSRPT
 * report is multipart/report with report-type "tlsrpt" (RFC 8460 5.3). */
static void
header_line(struct sess *z, const char *line, size_t len)
{
	if (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
		if (z->ct_active && z->ctype.len < 1024)
			buf_append(&z->ctype, line, len);
		return;
	}
	z->ct_active = false;
	if (len >= 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
		buf_reset(&z->ctype);
		buf_append(&z->ctype, line + 13, len - 13 < 1024 ? len - 13 : 1024);
		z->ct_active = true;
		return;
	}
	if (len > 0)
		return;
	z->in_hdr = false;
	const char *ct = z->ctype.len ? buf_cstr(&z->ctype) : "";
	if (strcasestr(ct, "multipart/report") != NULL &&
	    strcasestr(ct, "report-type") != NULL && strcasestr(ct, "tlsrpt") != NULL) {
		info_of(z)->report_mail = true;
		rec_line(z->x->r, z->s, '!', "the message is a TLSRPT report "
		    "(Content-Type multipart/report; report-type=tlsrpt)");
	}
}

static void
client_line(struct sess *z, const char *line, size_t len)
{
	struct rec_session *s = z->s;
	struct smtp_cmd c;

	if (z->in_data) {
		if (len == 1 && line[0] == '.') {
			z->in_data = false;
			if (z->in_hdr)
				header_line(z, "", 0);
			rec_line(z->x->r, s, '>', "[message content: %llu lines, %llu bytes]",
			    (unsigned long long)z->data_lines,
			    (unsigned long long)z->data_bytes);
			rec_line(z->x->r, s, '>', ".");
			push_pending(z, SMTP_V_UNKNOWN);
			return;
		}
		z->data_lines++;
		z->data_bytes += len + 2;
		s->data_sent = true;
		s->data_tls = z->tlsplain;
		if (z->in_hdr)
			header_line(z, line, len);
		return;
	}
	rec_line(z->x->r, s, '>', "%s", line);
	if (smtp_cmd_parse(line, len, &c) < 0) {
		push_pending(z, SMTP_V_UNKNOWN);
		return;
	}
	push_pending(z, c.verb);
	switch (c.verb) {
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
		if (z->tlsplain)
			s->ehlo_after_tls = true;
		break;
	case SMTP_V_MAIL:
		s->mail_from = true;
		if (strcasestr(c.arg, " REQUIRETLS") != NULL) {   /* RFC 8689 4.1 */
			s->mail_requiretls = true;
			if (!z->tlsplain)
				s->mail_requiretls_clear = true;
		}
		break;
	case SMTP_V_STARTTLS:
		s->starttls_issued = true;
		break;
	case SMTP_V_RCPT: {
		const char *path, *at;
		size_t plen;
		if (z->x->rcpt_domain == NULL &&
		    smtp_path_parse(c.arg, "TO:", false, &path, &plen, NULL) == 0 &&
		    (at = memchr(path, '@', plen)) != NULL && at + 1 < path + plen)
			z->x->rcpt_domain = xstrndup(at + 1, (size_t)(path + plen - at - 1));
		if (info_of(z)->rcpt[0] == '\0' &&
		    smtp_path_parse(c.arg, "TO:", false, &path, &plen, NULL) == 0 &&
		    plen < sizeof(info_of(z)->rcpt))
			snprintf(info_of(z)->rcpt, sizeof(info_of(z)->rcpt), "%.*s",
			    (int)plen, path);
		break;
	}
	case SMTP_V_QUIT:
		rec_set(&s->end, "quit");
		break;
	case SMTP_V_BDAT: {
		unsigned long long n = strtoull(c.arg, NULL, 10);
		z->bdat_left = n;
		if (n > 0) {
			s->data_sent = true;
			z->data_bytes += n;
		}
		break;
	}
	default:
		break;
	}
}

static void
line_out(struct sess *z, int dir)
{
	struct buf *b = &z->line[dir];
	size_t n = b->len;

	if (n > 0 && b->data[n - 1] == '\r')
		n--;
	b->data[n] = '\0';   /* buf keeps room: see line_in */
	if (dir == 0)
		client_line(z, (const char *)b->data, n);
	else
		server_line(z, (const char *)b->data, n);
	buf_reset(b);
	z->cut[dir] = false;
}

/* Plaintext bytes of one direction, line by line; returns how many were
 * taken (less than len when the mode changed to TLS mid-buffer). */
/* Is direction dir still in clear text?  The server's is until the
 * client's ClientHello: lines it sends after the 220 to STARTTLS and
 * before the ClientHello are plaintext (injected or buffered). */
static bool
dir_plain(const struct sess *z, int dir)
{
	return z->tlsplain || z->mode == M_PLAIN ||
	    (dir == 1 && !z->ch && !z->s->implicit_tls);
}

static size_t
plain_in(struct sess *z, int dir, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && dir_plain(z, dir)) {
		if (dir == 0 && z->bdat_left > 0) {
			size_t take = len - i < z->bdat_left ? len - i : (size_t)z->bdat_left;
			z->bdat_left -= take;
			i += take;
			continue;
		}
		const uint8_t *nl = memchr(p + i, '\n', len - i);
		if (z->resync[dir]) {   /* the rest of a line cut by a gap */
			if (nl == NULL)
				return len;
			z->resync[dir] = false;
			i = (size_t)(nl - p) + 1;
			continue;
		}
		size_t chunk = nl ? (size_t)(nl - (p + i)) : len - i;
		struct buf *b = &z->line[dir];
		if (b->len + chunk > LINE_MAX_KEEP) {
			size_t room = b->len < LINE_MAX_KEEP ? LINE_MAX_KEEP - b->len : 0;
			buf_append(b, p + i, room);
			if (!z->cut[dir] && !z->in_data)
				rec_line(z->x->r, z->s, '!', "capture: a %s line longer than "
				    "%d bytes (cut)", dir_name(dir), LINE_MAX_KEEP);
			z->cut[dir] = true;
		} else {
			buf_append(b, p + i, chunk);
		}
		i += chunk;
		if (nl == NULL)
			break;
		i++;   /* the LF */
		buf_reserve(b, 1);
		line_out(z, dir);
	}
	return i;
}

/* ---- TLS records ---- */

static const char *
version_name(int v)
{
	switch (v) {
	case 0x0304: return "TLSv1.3";
	case 0x0303: return "TLSv1.2";
	case 0x0302: return "TLSv1.1";
	case 0x0301: return "TLSv1";
	case 0x0300: return "SSLv3";
	default: return "TLS?";
	}
}

/* The ServerHello's version: legacy_version, or supported_versions. */
static int
server_hello_version(const uint8_t *h, size_t n)
{
	size_t off;

	if (n < 4 + 2 + 32 + 1 || h[0] != 2)
		return -1;
	int v = h[4] << 8 | h[5];
	off = 4 + 2 + 32;
	off += 1 + (size_t)h[off];      /* session id */
	off += 2 + 1;                   /* cipher, compression */
	if (off + 2 > n)
		return v;
	size_t elen = (size_t)(h[off] << 8 | h[off + 1]);
	off += 2;
	size_t end = off + elen < n ? off + elen : n;
	while (off + 4 <= end) {
		int type = h[off] << 8 | h[off + 1];
		size_t len = (size_t)(h[off + 2] << 8 | h[off + 3]);
		off += 4;
		if (type == 43 && len == 2 && off + 2 <= end)
			return h[off] << 8 | h[off + 1];
		off += len;
	}
	return v;
}

static void
tls_fail(struct sess *z, const char *why)
{
	struct rec_session *s = z->s;

	if (s->tls == REC_TLS_FAILED)
		return;
	s->tls = REC_TLS_FAILED;
	rec_set(&s->tls_error, why);
	rec_line(z->x->r, s, '!', "TLS failed: %s", why);
}

static void
tls_ok(struct sess *z)
{
	if (z->s->tls != REC_TLS_NONE)
		return;
	z->s->tls = REC_TLS_OK;
	rec_set(&z->s->tls_by, "mx");
	rec_line(z->x->r, z->s, '!', "TLS established (%s; certificate %s)",
	    version_name(z->tls_major_minor), z->tls ? rp_tls_cert_status(z->tls) :
	    "not visible");
}

/* One record header (and, for the first handshake record of the server,
 * its first bytes) is complete. */
static void
record(struct sess *z, int dir, uint8_t type, size_t len)
{
	struct tlsdir *t = &z->td[dir];
	bool tls13 = z->tls_major_minor == 0x0304;

	t->records++;
	if (type == 21 && !(tls13 && z->sh)) {   /* a plaintext alert */
		char why[96];
		snprintf(why, sizeof(why), "the %s sent a TLS alert", dir_name(dir));
		if (z->s->tls != REC_TLS_OK)
			tls_fail(z, why);
		return;
	}
	if (type == 20) {
		if (dir == 1)
			z->server_ccs = true;
		else
			z->client_ccs = true;
		if (!tls13 && z->server_ccs && z->client_ccs && z->sh &&
		    !z->client_done) {
			z->client_done = true;
			z->new_flight = true;
		}
		return;
	}
	if (type != 23)
		return;
	if (dir == 0 && !z->client_done) {
		if (tls13 && z->sh) {
			/* the client's first encrypted record: Finished, or an
			 * alert (2 bytes + type + 16-byte tag) */
			if (len <= 19) {
				tls_fail(z, "the client aborted the handshake (an encrypted "
				    "alert-sized record)");
				return;
			}
			z->client_done = true;
			z->new_flight = true;
			tls_ok(z);
		}
		return;
	}
	if (z->client_done && z->s->tls == REC_TLS_NONE)
		tls_ok(z);
	if (dir == 0 && z->client_done) {
		size_t over = tls13 ? 17 : 24, plain = len > over ? len - over : 0;
		if (plain > 2) {   /* not an alert */
			if (z->app_records > 0)
				z->app_bytes += plain;
			z->app_records++;
		}
		if (z->last_dir != 0 || z->new_flight) {
			z->new_flight = false;
			if (z->flights >= 2 && z->flight_bytes > z->max_flight)
				z->max_flight = z->flight_bytes;
			z->flights++;
			z->flight_bytes = 0;
		}
		z->flight_bytes += plain;
	}
}

/* What rp_tls found in the records. */
static void
tls_cb(void *arg, enum rp_tls_ev ev, int dir, const uint8_t *p, size_t len)
{
	struct sess *z = arg;

	switch (ev) {
	case RP_TLS_CERT: {
		const uint8_t *chain;
		size_t clen, llen;
		const uint8_t *leaf = rp_tls_cert(z->tls, &llen, &chain, &clen);
		rec_set_cert(z->s, "seen in the capture", leaf, llen, chain, clen);
		rec_line(z->x->r, z->s, '!', "TLS certificate of the server: %zu bytes, "
		    "%zu bytes of chain (%s)", llen, clen, rp_tls_cert_status(z->tls));
		break;
	}
	case RP_TLS_FINISHED:
		if (dir == 0 && !z->client_done && z->s->tls != REC_TLS_FAILED) {
			z->client_done = true;
			z->new_flight = true;
			tls_ok(z);
		}
		break;
	case RP_TLS_ALERT:
		if (z->s->tls != REC_TLS_OK) {
			char why[96];
			snprintf(why, sizeof(why), "the %s sent a TLS alert (%u)",
			    dir_name(dir), len >= 2 ? p[1] : 0);
			tls_fail(z, why);
		}
		break;
	case RP_TLS_APP:
		if (!z->decrypted[dir])
			rec_line(z->x->r, z->s, '!', "the %s's TLS application data, "
			    "decrypted with the key log:", dir_name(dir));
		z->decrypted[dir] = true;
		z->tlsplain = true;
		(void)plain_in(z, dir, p, len);
		z->tlsplain = false;
		break;
	}
}

/* A whole record of dir. */
static void
record_done(struct sess *z, int dir, const uint8_t hdr[5], const uint8_t *body,
    size_t len)
{
	if (hdr[0] == 22 && dir == 1 && !z->sh) {
		int v = server_hello_version(body, len);
		if (v > 0) {
			z->sh = true;
			z->tls_major_minor = v;
			rec_set(&z->s->tls_version, version_name(v));
			rec_line(z->x->r, z->s, '!', "TLS ServerHello (%s)", version_name(v));
		}
	}
	if (z->tls == NULL)
		z->tls = rp_tls_new(z->x->kl, tls_cb, z);
	record(z, dir, hdr[0], len);
	rp_tls_record(z->tls, dir, hdr, body, len);
}

static void
tls_in(struct sess *z, int dir, const uint8_t *p, size_t len)
{
	struct tlsdir *t = &z->td[dir];
	size_t i = 0;

	if (t->bad)
		return;
	if (t->records == 0 && t->nhdr == 0 && t->body_left == 0 && len > 0) {
		if (p[0] < 20 || p[0] > 23) {
			char why[128];
			snprintf(why, sizeof(why), "the %s sent non-TLS data where the "
			    "TLS handshake belongs", dir_name(dir));
			rec_line(z->x->r, z->s, '!', "capture: %s", why);
			if (z->s->tls != REC_TLS_OK)
				tls_fail(z, why);
			t->bad = true;
			return;
		}
		if (dir == 0 && p[0] == 22 && !z->ch) {
			z->ch = true;
			rec_line(z->x->r, z->s, '!', "TLS ClientHello from the client");
		}
	}
	while (i < len && !t->bad) {
		if (t->body_left > 0) {
			size_t take = len - i < t->body_left ? len - i : t->body_left;
			buf_append(&t->body, p + i, take);
			t->body_left -= take;
			i += take;
			if (t->body_left == 0) {
				record_done(z, dir, t->hdr, t->body.data, t->body.len);
				buf_reset(&t->body);
			}
			continue;
		}
		t->hdr[t->nhdr++] = p[i++];
		if (t->nhdr < 5)
			continue;
		t->nhdr = 0;
		uint8_t type = t->hdr[0];
		size_t rlen = (size_t)(t->hdr[3] << 8 | t->hdr[4]);
		if (type < 20 || type > 23 || t->hdr[1] != 3 || rlen > 18432) {
			rec_line(z->x->r, z->s, '!', "capture: the %s's TLS records stop "
			    "making sense (damaged or not TLS)", dir_name(dir));
			if (!z->sh)
				tls_fail(z, "not TLS");
			t->bad = true;
			return;
		}
		buf_reset(&t->body);
		t->body_left = rlen;
		if (rlen == 0)
			record_done(z, dir, t->hdr, NULL, 0);
	}
}

static void
data_in(struct sess *z, int dir, const uint8_t *p, size_t len)
{
	while (len > 0) {
		if (dir_plain(z, dir)) {
			size_t used = plain_in(z, dir, p, len);
			p += used;
			len -= used;
			continue;
		}
		if (z->mode == M_TLS) {
			tls_in(z, dir, p, len);
			z->last_dir = dir;
		}
		return;
	}
}

/* ---- events ---- */

static void
decide(struct sess *z, const struct rp_flow *f, int dir, const uint8_t *p, size_t len)
{
	if (dir == 1 && len >= 4 && memcmp(p, "220", 3) == 0 &&
	    (p[3] == ' ' || p[3] == '-' || p[3] == '\r')) {
		sess_start(z, f);
		return;
	}
	z->decided = true;
	z->smtp = false;
	z->x->other++;
}

static void
finish_session(struct sess *z, const struct rp_flow *f)
{
	struct rec_session *s = z->s;
	struct rp_smtp_info *in = info_of(z);

	for (int d = 0; d < 2; d++) {
		if (dir_plain(z, d) && z->line[d].len > 0) {
			buf_reserve(&z->line[d], 1);
			line_out(z, d);
		}
	}
	in->last_frame = f->last_frame;
	if (z->client_done && z->flight_bytes > z->max_flight && z->flights >= 2)
		z->max_flight = z->flight_bytes;
	in->tls_flights = z->flights;
	in->tls_records = z->app_records;
	if (z->ch && !z->sh && s->tls == REC_TLS_NONE)
		tls_fail(z, "no ServerHello answered the ClientHello");
	if (z->sh && !z->client_done && s->tls == REC_TLS_NONE)
		tls_fail(z, "the client did not finish the handshake");
	in->decrypted = z->decrypted[0] || z->decrypted[1];
	if (z->tls != NULL)
		snprintf(in->cert_status, sizeof(in->cert_status), "%s",
		    rp_tls_cert_status(z->tls));
	if (s->tls == REC_TLS_OK && !z->decrypted[0] &&
	    z->app_records >= RP_SMTP_TLS_RECORDS && z->app_bytes >= RP_SMTP_TLS_BODY) {
		s->data_sent = true;
		s->data_tls = true;
		rec_set(&s->data_to, "mx");
		in->tls_inferred = true;
		rec_line(z->x->r, s, '!', "inferred: message data inside TLS (%u client "
		    "records in %u flights after the handshake, %llu bytes after the "
		    "first)", z->app_records, z->flights,
		    (unsigned long long)z->app_bytes);
	} else if (s->data_sent) {
		rec_set(&s->data_to, "mx");
	}
	if (s->end == NULL)
		rec_set(&s->end, z->fin[0] || z->fin[1] ? "eof" : "capture ended");
}

void
rp_smtp_tcp_cb(struct rp_flow *f, enum rp_tcp_ev ev, int dir,
    const uint8_t *data, size_t len, uint64_t ts_us, void *arg)
{
	struct rp_smtp *x = arg;
	struct sess *z = f->user;
	char msg[128];

	clock_to(x, ts_us);
	if (ev == RP_TCP_OPEN) {
		z = xcalloc(1, sizeof(*z));
		z->x = x;
		smtp_reply_init(&z->reply);
		z->last_dir = 1;
		f->user = z;
		if (smtp_port(f->port[1]))
			sess_start(z, f);
		return;
	}
	if (z == NULL)
		return;
	if (ev == RP_TCP_CLOSE) {
		if (z->s != NULL)
			finish_session(z, f);
		buf_free(&z->line[0]);
		buf_free(&z->line[1]);
		buf_free(&z->td[0].body);
		buf_free(&z->td[1].body);
		buf_free(&z->ctype);
		rp_tls_free(z->tls);
		smtp_reply_clear(&z->reply);
		free(z);
		f->user = NULL;
		return;
	}
	if (!z->decided) {
		if (ev != RP_TCP_DATA)
			return;
		decide(z, f, dir, data, len);
	}
	if (!z->smtp)
		return;
	switch (ev) {
	case RP_TCP_DATA:
		data_in(z, dir, data, len);
		break;
	case RP_TCP_GAP:
		info_of(z)->damaged = true;
		snprintf(msg, sizeof(msg), "capture: %zu bytes of the %s's stream are "
		    "missing: the stream is damaged", len, dir_name(dir));
		note(z, "%s", msg);
		buf_reset(&z->line[dir]);
		if (z->mode == M_TLS)
			z->td[dir].bad = true;
		else
			z->resync[dir] = true;
		break;
	case RP_TCP_FIN:
		z->fin[dir] = true;
		break;
	case RP_TCP_RST:
		if (z->s->end == NULL || strcmp(z->s->end, "quit") != 0)
			rec_set(&z->s->end, "reset");
		note(z, "TCP reset by the %s", dir_name(dir));
		break;
	default:
		break;
	}
}

struct rp_smtp *
rp_smtp_new(struct rec *r, struct loop *l, uint64_t t0_us)
{
	struct rp_smtp *x = xcalloc(1, sizeof(*x));

	x->r = r;
	x->l = l;
	x->t0_us = t0_us;
	return x;
}

void
rp_smtp_set_keylog(struct rp_smtp *x, const struct rp_keylog *kl)
{
	x->kl = kl;
}

const struct rp_smtp_info *
rp_smtp_info(const struct rp_smtp *x, size_t i)
{
	return i < x->ninfo ? &x->info[i] : NULL;
}

unsigned
rp_smtp_other(const struct rp_smtp *x)
{
	return x->other;
}

const char *
rp_smtp_rcpt_domain(const struct rp_smtp *x)
{
	return x->rcpt_domain;
}

void
rp_smtp_free(struct rp_smtp *x)
{
	if (x == NULL)
		return;
	free(x->info);
	free(x->rcpt_domain);
	free(x);
}
