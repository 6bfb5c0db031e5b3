/*
 * res_io: the results model as a lossless file.  See res_io.h.
 *
 * Writing builds the whole document in a struct buf and writes it once;
 * reading loads the file and walks it with a bounded cursor (struct rd)
 * that turns any overrun into an error flag, so every getter can be
 * called without checks and the reader tests the flag at the end of each
 * item.  Recorders are rebuilt with rec_new(NULL) and rec_session_new()
 * (which numbers sessions 1, 2, ... as they were), then every field is
 * set from the file.  Nothing here logs.
 */
#include "sim/res_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

#define MAGIC "MXSIMRES"
#define VERSION 3   /* 3: line seq, exchanges (DNS, HTTPS) */
#define MAX_COUNT (1u << 24)   /* no vector of a sane run is this long */

/* --- writing --- */

static void
put_u32(struct buf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
		(uint8_t)(v >> 24) };
	buf_append(b, p, 4);
}

static void
put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void
put_blob(struct buf *b, const void *p, size_t n, bool null)
{
	put_u32(b, null ? 0 : (uint32_t)n + 1);
	if (!null)
		buf_append(b, p, n);
}

static void
put_str(struct buf *b, const char *s)
{
	put_blob(b, s, s ? strlen(s) : 0, s == NULL);
}

static void
put_strv(struct buf *b, char *const *v, size_t n)
{
	put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_str(b, v[i]);
}

static void
put_session(struct buf *b, const struct rec_session *s)
{
	uint32_t flags = (uint32_t)s->implicit_tls | (uint32_t)s->connected << 1 |
	    (uint32_t)s->banner << 2 | (uint32_t)s->starttls_offered << 3 |
	    (uint32_t)s->starttls_issued << 4 | (uint32_t)s->ehlo_after_tls << 5 |
	    (uint32_t)s->mail_from << 6 | (uint32_t)s->data_sent << 7 |
	    (uint32_t)s->data_tls << 8 | (uint32_t)s->delivered << 9 |
	    (uint32_t)s->leak << 10 | (uint32_t)s->dns << 11 |
	    (uint32_t)s->mail_requiretls << 12 |
	    (uint32_t)s->mail_requiretls_clear << 13 |
	    (uint32_t)s->auth_sent << 14 | (uint32_t)s->auth_tls << 15 |
	    (uint32_t)s->cred_leak << 16;

	put_u32(b, s->id);
	put_u32(b, (uint32_t)s->kind);
	put_u32(b, s->phase);
	put_u32(b, s->message);
	put_str(b, s->host);
	put_str(b, s->addr);
	put_u32(b, s->port);
	put_str(b, s->attack);
	put_u32(b, s->via);
	put_u32(b, flags);
	put_u32(b, (uint32_t)s->starttls_reply);
	put_u32(b, (uint32_t)s->tls);
	put_str(b, s->tls_by);
	put_str(b, s->tls_version);
	put_str(b, s->tls_error);
	put_str(b, s->cert_label);
	put_blob(b, s->cert_der, s->cert_len, s->cert_der == NULL);
	put_blob(b, s->chain_der, s->chain_len, s->chain_der == NULL);
	put_str(b, s->data_to);
	put_str(b, s->end);
	put_u64(b, s->line_bytes);
	put_u32(b, (uint32_t)s->nlines);
	for (size_t i = 0; i < s->nlines; i++) {
		put_u64(b, s->lines[i].t_ms);
		put_u64(b, s->lines[i].seq);
		put_u32(b, (uint32_t)(unsigned char)s->lines[i].dir);
		put_str(b, s->lines[i].text);
	}
	put_str(b, s->x.role);
	put_str(b, s->x.client);
	put_str(b, s->x.qtype);
	put_str(b, s->x.rcode);
	put_u32(b, s->x.ad);
	put_str(b, s->x.answer);
	put_str(b, s->x.sni);
	put_str(b, s->x.request);
	put_u32(b, (uint32_t)s->x.status);
	put_str(b, s->x.content_type);
	put_u64(b, s->x.body_len);
}

static void
put_phase(struct buf *b, const struct res_phase *p)
{
	put_u32(b, p->index);
	put_strv(b, p->expect, p->nexpect);
	put_strv(b, p->expect_tlsrpt, p->nexpect_tlsrpt);
	put_str(b, p->verdict);
	put_str(b, p->reason);
	put_u32(b, (uint32_t)p->nmsgs);
	for (size_t i = 0; i < p->nmsgs; i++) {
		const struct res_message *m = &p->msgs[i];
		put_u32(b, m->phase);
		put_u32(b, m->index);
		put_str(b, m->delivery);
		put_str(b, m->reason);
		put_str(b, m->mx_host);
		put_str(b, m->data_to);
		put_u32(b, (uint32_t)m->leak | (uint32_t)m->cred_leak << 1);
		put_str(b, m->content);
		put_u32(b, (uint32_t)m->nsessions);
		for (size_t k = 0; k < m->nsessions; k++)
			put_u32(b, m->sessions[k]);
		put_strv(b, m->sender_log, m->nsender_log);
	}
}

static void
put_policy(struct buf *b, const struct res_policy *p)
{
	put_str(b, p->type);
	put_str(b, p->domain);
	put_strv(b, p->strings, p->nstrings);
	put_strv(b, p->mx_patterns, p->nmx_patterns);
	put_u32(b, p->success);
	put_u32(b, p->failure);
	put_u32(b, (uint32_t)p->nfailures);
	for (size_t i = 0; i < p->nfailures; i++) {
		const struct res_failure *f = &p->failures[i];
		put_str(b, f->result_type);
		put_str(b, f->sending_ip);
		put_str(b, f->receiving_mx);
		put_str(b, f->receiving_ip);
		put_str(b, f->reason_code);
		put_u32(b, f->count);
	}
}

static void
put_scenario(struct buf *b, const struct res_scenario *s)
{
	size_t n = s->rec != NULL ? rec_count(s->rec) : 0;

	put_str(b, s->id);
	put_str(b, s->path);
	put_str(b, s->title);
	put_strv(b, s->refs, s->nrefs);
	put_str(b, s->domain);
	put_str(b, s->sender);
	put_str(b, s->verdict);
	put_str(b, s->reason);
	put_u64(b, (uint64_t)(int64_t)s->clock);
	put_u64(b, s->virtual_ms);
	put_u32(b, (uint32_t)s->nphases);
	for (size_t i = 0; i < s->nphases; i++)
		put_phase(b, &s->phases[i]);
	put_u32(b, (uint32_t)s->npolicies);
	for (size_t i = 0; i < s->npolicies; i++)
		put_policy(b, &s->policies[i]);
	put_strv(b, s->tlsrpt_received, s->ntlsrpt_received);
	put_strv(b, s->tlsrpt_via, s->ntlsrpt_via);
	put_strv(b, s->tlsrpt_findings, s->ntlsrpt_findings);
	put_u32(b, s->rec != NULL);
	put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_session(b, rec_get(s->rec, i));
	n = s->rec != NULL ? rec_nexchanges(s->rec) : 0;
	put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_session(b, rec_exchange(s->rec, i));
}

static void
put_header(struct buf *b, uint64_t seed, const char *sender, unsigned total,
    size_t n)
{
	buf_append(b, MAGIC, 8);
	put_u32(b, VERSION);
	put_u64(b, seed);
	put_str(b, sender);
	put_u32(b, total);
	put_u32(b, (uint32_t)n);
}

static int
flush_buf(FILE *f, struct buf *b)
{
	int rc = 0;

	errno = 0;
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	if (fflush(f) != 0)
		rc = -1;
	if (rc < 0 && errno == 0)
		errno = EIO;
	buf_free(b);
	return rc;
}

int
resio_write_run(FILE *f, const struct res_run *run,
    const struct resio_place *place)
{
	struct buf b = { 0 };

	put_header(&b, run->seed, run->sender, place ? place->total :
	    (unsigned)run->nscenarios, run->nscenarios);
	for (size_t i = 0; i < run->nscenarios; i++) {
		put_u32(&b, place && i < place->nslots ? place->slots[i] : (uint32_t)i);
		put_scenario(&b, run->scenarios[i]);
	}
	return flush_buf(f, &b);
}

int
resio_write_scenario(FILE *f, uint64_t seed, const char *sender,
    const struct res_scenario *s, unsigned slot, unsigned total)
{
	struct buf b = { 0 };

	put_header(&b, seed, sender, total, 1);
	put_u32(&b, slot);
	put_scenario(&b, s);
	return flush_buf(f, &b);
}

void
resio_place_free(struct resio_place *p)
{
	if (p == NULL)
		return;
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

/* --- reading --- */

struct rd {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *
take(struct rd *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint32_t
get_u32(struct rd *r)
{
	const uint8_t *p = take(r, 4);

	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24 : 0;
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t lo = get_u32(r);

	return lo | (uint64_t)get_u32(r) << 32;
}

/* A count of items of at least min bytes each: bounded by what is left. */
static size_t
get_count(struct rd *r, size_t min)
{
	uint32_t n = get_u32(r);

	if (n > MAX_COUNT || (size_t)n * min > r->left) {
		r->bad = true;
		return 0;
	}
	return n;
}

/* A blob: malloc'd copy (+1 NUL) or NULL, its length in *len. */
static uint8_t *
get_blob(struct rd *r, size_t *len)
{
	uint32_t n = get_u32(r);
	const uint8_t *p;
	uint8_t *out;

	*len = 0;
	if (n == 0)
		return NULL;
	if ((p = take(r, n - 1)) == NULL)
		return NULL;
	out = xmalloc(n);
	memcpy(out, p, n - 1);
	out[n - 1] = 0;
	*len = n - 1;
	return out;
}

static char *
get_str(struct rd *r)
{
	size_t len;
	char *s = (char *)get_blob(r, &len);

	if (s != NULL && strlen(s) != len) {
		r->bad = true;   /* a NUL inside a string */
		free(s);
		return NULL;
	}
	return s;
}

static void
get_strv(struct rd *r, char ***v, size_t *n)
{
	size_t k = get_count(r, 4);

	*v = NULL;
	*n = 0;
	for (size_t i = 0; i < k && !r->bad; i++) {
		char *s = get_str(r);
		res_strv_push(v, n, s);
		free(s);
	}
}

/* One session (exchange: an exchange of the kind recorded, else bad). */
static void
get_session(struct rd *r, struct rec *rec, bool exchange)
{
	struct rec_session *s;
	uint32_t id = get_u32(r), kind = get_u32(r), phase = get_u32(r),
	    message = get_u32(r), flags;
	char *host = get_str(r), *addr = get_str(r);
	uint16_t port = (uint16_t)get_u32(r);

	if (exchange ? kind != REC_DNS && kind != REC_HTTPS : kind != REC_SMTP) {
		r->bad = true;
		kind = exchange ? REC_DNS : REC_SMTP;
	}
	rec_set_message(rec, phase, message);
	s = exchange ? rec_exchange_new(rec, (enum rec_kind)kind, host, addr,
	    port) : rec_session_new(rec, host, addr, port);
	free(host);
	free(addr);
	if (s->id != id)
		r->bad = true;  /* sessions are numbered 1, 2, ... in order */
	s->attack = get_str(r);
	s->via = get_u32(r);
	flags = get_u32(r);
	s->implicit_tls = flags & 1;
	s->connected = flags >> 1 & 1;
	s->banner = flags >> 2 & 1;
	s->starttls_offered = flags >> 3 & 1;
	s->starttls_issued = flags >> 4 & 1;
	s->ehlo_after_tls = flags >> 5 & 1;
	s->mail_from = flags >> 6 & 1;
	s->data_sent = flags >> 7 & 1;
	s->data_tls = flags >> 8 & 1;
	s->delivered = flags >> 9 & 1;
	s->leak = flags >> 10 & 1;
	s->dns = flags >> 11 & 1;
	s->mail_requiretls = flags >> 12 & 1;
	s->mail_requiretls_clear = flags >> 13 & 1;
	s->auth_sent = flags >> 14 & 1;
	s->auth_tls = flags >> 15 & 1;
	s->cred_leak = flags >> 16 & 1;
	s->starttls_reply = (int)get_u32(r);
	s->tls = (enum rec_tls)get_u32(r);
	if (s->tls != REC_TLS_NONE && s->tls != REC_TLS_OK && s->tls != REC_TLS_FAILED) {
		s->tls = REC_TLS_NONE;
		r->bad = true;
	}
	s->tls_by = get_str(r);
	s->tls_version = get_str(r);
	s->tls_error = get_str(r);
	s->cert_label = get_str(r);
	s->cert_der = get_blob(r, &s->cert_len);
	s->chain_der = get_blob(r, &s->chain_len);
	s->data_to = get_str(r);
	s->end = get_str(r);
	s->line_bytes = (size_t)get_u64(r);
	s->caplines = get_count(r, 24);
	s->lines = s->caplines ? xcalloc(s->caplines, sizeof(*s->lines)) : NULL;
	for (size_t i = 0; i < s->caplines && !r->bad; i++) {
		struct rec_line *l = &s->lines[i];
		l->t_ms = get_u64(r);
		l->seq = get_u64(r);
		l->dir = (char)get_u32(r);
		l->text = get_str(r);
		if (l->text == NULL)
			l->text = xstrdup("");
		s->nlines = i + 1;
	}
	s->x.role = get_str(r);
	s->x.client = get_str(r);
	s->x.qtype = get_str(r);
	s->x.rcode = get_str(r);
	s->x.ad = get_u32(r) != 0;
	s->x.answer = get_str(r);
	s->x.sni = get_str(r);
	s->x.request = get_str(r);
	s->x.status = (int)get_u32(r);
	s->x.content_type = get_str(r);
	s->x.body_len = get_u64(r);
}

static void
get_phase(struct rd *r, struct res_phase *p)
{
	p->index = get_u32(r);
	get_strv(r, &p->expect, &p->nexpect);
	get_strv(r, &p->expect_tlsrpt, &p->nexpect_tlsrpt);
	p->verdict = get_str(r);
	p->reason = get_str(r);
	p->nmsgs = get_count(r, 32);
	p->msgs = p->nmsgs ? xcalloc(p->nmsgs, sizeof(*p->msgs)) : NULL;
	for (size_t i = 0; i < p->nmsgs; i++) {
		struct res_message *m = &p->msgs[i];
		m->phase = get_u32(r);
		m->index = get_u32(r);
		m->delivery = get_str(r);
		m->reason = get_str(r);
		m->mx_host = get_str(r);
		m->data_to = get_str(r);
		uint32_t lk = get_u32(r);
		m->leak = (lk & 1) != 0;
		m->cred_leak = (lk & 2) != 0;
		m->content = get_str(r);
		m->nsessions = get_count(r, 4);
		m->sessions = m->nsessions ? xcalloc(m->nsessions, sizeof(unsigned)) : NULL;
		for (size_t k = 0; k < m->nsessions; k++)
			m->sessions[k] = get_u32(r);
		get_strv(r, &m->sender_log, &m->nsender_log);
	}
}

static void
get_policy(struct rd *r, struct res_policy *p)
{
	p->type = get_str(r);
	p->domain = get_str(r);
	get_strv(r, &p->strings, &p->nstrings);
	get_strv(r, &p->mx_patterns, &p->nmx_patterns);
	p->success = get_u32(r);
	p->failure = get_u32(r);
	p->nfailures = get_count(r, 24);
	p->failures = p->nfailures ? xcalloc(p->nfailures, sizeof(*p->failures)) : NULL;
	for (size_t i = 0; i < p->nfailures; i++) {
		struct res_failure *f = &p->failures[i];
		f->result_type = get_str(r);
		f->sending_ip = get_str(r);
		f->receiving_mx = get_str(r);
		f->receiving_ip = get_str(r);
		f->reason_code = get_str(r);
		f->count = get_u32(r);
	}
}

static void
get_scenario(struct rd *r, struct res_scenario *s)
{
	size_t n;

	s->id = get_str(r);
	s->path = get_str(r);
	s->title = get_str(r);
	get_strv(r, &s->refs, &s->nrefs);
	s->domain = get_str(r);
	s->sender = get_str(r);
	s->verdict = get_str(r);
	s->reason = get_str(r);
	s->clock = (time_t)(int64_t)get_u64(r);
	s->virtual_ms = get_u64(r);
	s->nphases = get_count(r, 24);
	s->phases = s->nphases ? xcalloc(s->nphases, sizeof(*s->phases)) : NULL;
	for (size_t i = 0; i < s->nphases && !r->bad; i++)
		get_phase(r, &s->phases[i]);
	s->npolicies = get_count(r, 28);
	s->policies = s->npolicies ? xcalloc(s->npolicies, sizeof(*s->policies)) : NULL;
	for (size_t i = 0; i < s->npolicies && !r->bad; i++)
		get_policy(r, &s->policies[i]);
	get_strv(r, &s->tlsrpt_received, &s->ntlsrpt_received);
	get_strv(r, &s->tlsrpt_via, &s->ntlsrpt_via);
	get_strv(r, &s->tlsrpt_findings, &s->ntlsrpt_findings);
	if (get_u32(r) != 0)
		s->rec = rec_new(NULL);
	n = get_count(r, 84);
	if (s->rec == NULL && n > 0)
		r->bad = true;
	for (size_t i = 0; i < n && !r->bad; i++)
		get_session(r, s->rec, false);
	n = get_count(r, 84);
	if (s->rec == NULL && n > 0)
		r->bad = true;
	for (size_t i = 0; i < n && !r->bad; i++)
		get_session(r, s->rec, true);
}

static int
parse(const uint8_t *data, size_t len, struct res_run **out,
    struct resio_place *place, char *err, size_t errlen)
{
	struct rd r = { data, len, false };
	const uint8_t *magic = take(&r, 8);
	struct res_run *run;
	uint32_t version, total;
	unsigned *slots;
	uint64_t seed;
	char *sender;
	size_t n;

	*out = NULL;
	if (magic == NULL || memcmp(magic, MAGIC, 8) != 0) {
		snprintf(err, errlen, "not an mxsim results file");
		return -1;
	}
	if ((version = get_u32(&r)) != VERSION) {
		snprintf(err, errlen, "results file format %u, this mxsim reads %u",
		    version, VERSION);
		return -1;
	}
	seed = get_u64(&r);
	sender = get_str(&r);
	run = res_run_new(seed, sender);
	free(sender);
	total = get_u32(&r);
	n = get_count(&r, 68);
	slots = xcalloc(n ? n : 1, sizeof(*slots));
	for (size_t i = 0; i < n && !r.bad; i++) {
		slots[i] = get_u32(&r);
		get_scenario(&r, res_run_add(run));
	}
	if (r.bad || r.left != 0) {
		snprintf(err, errlen, "results file is %s", r.bad ? "truncated or "
		    "corrupt" : "followed by trailing bytes");
		res_run_free(run);
		free(slots);
		return -1;
	}
	res_run_count(run);
	*out = run;
	if (place != NULL)
		*place = (struct resio_place){ slots, n, total };
	else
		free(slots);
	return 0;
}

int
resio_read_run(FILE *f, struct res_run **out, struct resio_place *place,
    char *err, size_t errlen)
{
	struct buf b = { 0 };
	uint8_t chunk[65536];
	size_t n;
	int rc;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		buf_free(&b);
		*out = NULL;
		return -1;
	}
	rc = parse(b.data, b.len, out, place, err, errlen);
	buf_free(&b);
	return rc;
}

int
resio_save(const char *path, const struct res_run *run,
    const struct resio_place *place, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (resio_write_run(f, run, place) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
resio_load(const char *path, struct res_run **out, struct resio_place *place,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char e[512];
	int rc;

	*out = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = resio_read_run(f, out, place, e, sizeof(e));
	fclose(f);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, e);
	return rc;
}

void
resio_append(struct res_run *dst, struct res_run *src)
{
	for (size_t i = 0; i < src->nscenarios; i++) {
		struct res_scenario *s = res_run_add(dst);
		*s = *src->scenarios[i];
		free(src->scenarios[i]);
	}
	free(src->scenarios);
	src->scenarios = NULL;
	src->nscenarios = 0;
	res_run_count(dst);
}
