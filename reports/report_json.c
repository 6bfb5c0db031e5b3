/*
 * report_json: results.json, the machine-readable record of a run, plus the
 * helpers every writer shares (verdict tallies, UTF-8 cleaning, atomic file
 * writes, mkdir -p).
 *
 * The document, keys always in this order (absent values are null, never
 * left out, so a consumer can rely on the shape):
 *
 *   { "mxsim": { "version" }, "seed" (a string past 2^63-1), "sender",
 *     "summary": { "total", "pass", "fail", "unsupported", "error" },
 *     "scenarios": [ { "id", "title", "refs", "domain", "sender", "verdict",
 *         "reason",
 *         "phases": [ { "index", "expect", "expect_tlsrpt", "verdict",
 *             "reason", "messages": [ { "index", "delivery", "reason",
 *             "mx_host", "data_to", "leak", "content" ("protected" |
 *             "exposed" | null: what a leak showed),
 *             "credentials_leaked", "sessions": [ids],
 *             "sender_log": [lines] (real senders only) } ] } ],
 *         "sessions": [ { "id", "phase", "message", "host", "addr", "port",
 *             "attack", "implicit_tls", "via" (the sender session an
 *             attacker-to-MX leg carries, else null), "dns" (true, only
 *             on a DNS exchange an attacker changed: host is the query
 *             name), "connected", "banner",
 *             "starttls_offered", "starttls_issued", "starttls_reply",
 *             "ehlo_after_tls", "tls", "tls_by", "tls_version", "tls_error",
 *             "cert", "cert_sha256", "mail_from", "mail_requiretls", "data_sent", "data_tls",
 *             "data_to", "delivered", "leak", "auth", "auth_tls",
 *             "credentials_leaked" (the attacker read AUTH), "end",
 *             "transcript": [ "t=<ms> <dir> <text>" ] } ],
 *         "exchanges": [ { "id", "kind" ("dns" | "https"), "phase",
 *             "message", "role" (who answered: "resolver", "policy host",
 *             "TLSRPT receiver", "attacker"), "host" (the query name or
 *             the web host), "addr", "port", "client", "attack" (what
 *             changed or answered it, else null),
 *             dns: "type", "rcode", "ad", "answer" (RRs, short);
 *             https: "sni", "tls", "tls_error", "cert", "request",
 *             "status", "content_type", "body_bytes";
 *             "end", "seq" (of its first line: the order of every line
 *             of a scenario), "transcript" } ],
 *         "tlsrpt": [ RFC 8460 policy entries, see report_tlsrpt.c ],
 *         "virtual_ms" } ] }
 *
 * Wall-clock time (real_ms) and the scenario file path are deliberately not
 * written: both change between otherwise identical runs.  Strings that are
 * not valid UTF-8 (jansson refuses them) are written with \xNN for the bad
 * bytes.  Nothing here logs; errors are returned with errno set.
 */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

void
report_count(const struct res_run *run, struct report_counts *c)
{
	const char *v;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < run->nscenarios; i++) {
		v = run->scenarios[i]->verdict;
		c->total++;
		if (v != NULL && strcmp(v, "pass") == 0)
			c->pass++;
		else if (v != NULL && strcmp(v, "fail") == 0)
			c->fail++;
		else if (v != NULL && strcmp(v, "unsupported") == 0)
			c->unsupported++;
		else
			c->error++;
	}
}

size_t
report_utf8_len(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t n, i;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;  /* also stops at the NUL */
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

char *
report_utf8_clean(const char *s)
{
	struct buf b = { 0 };
	uint32_t cp;
	size_t n;

	if (s == NULL)
		return NULL;
	while (*s != '\0') {
		n = report_utf8_len(s, &cp);
		if (n == 0) {
			buf_appendf(&b, "\\x%02x", (unsigned char)*s);
			s++;
		} else {
			buf_append(&b, s, n);
			s += n;
		}
	}
	return buf_cstr(&b);  /* the buffer's memory becomes the caller's */
}

int
report_mkdirs(const char *dir)
{
	char *p, *q;
	struct stat st;
	int rc = 0;

	if (dir[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	p = xstrdup(dir);
	for (q = p + 1; rc == 0; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		else if (stat(p, &st) < 0)
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
		*q = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

int
report_write_atomic(const char *path, const void *data, size_t len)
{
	const char *p = data;
	char *tmp;
	ssize_t w;
	int fd, saved;

	tmp = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	/* mkstemp makes 0600; a report is for everyone to read */
	if (fchmod(fd, 0644) < 0)
		goto fail_fd;
	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail_fd;
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail_fd;
	}
	free(tmp);
	return 0;

fail_fd:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
fail:
	free(tmp);
	return -1;
}

/* A string value, null for NULL; never fails on bad UTF-8. */
static json_t *
jstr(const char *s)
{
	json_t *j;
	char *clean;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	clean = report_utf8_clean(s);
	j = json_string(clean);
	free(clean);
	if (j == NULL)
		fatal("report: cannot make a JSON string");
	return j;
}

static json_t *
jstrv(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

static void
set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		fatal("report: cannot set JSON key %s", key);
}

static const char *
tls_name(enum rec_tls t)
{
	switch (t) {
	case REC_TLS_OK:
		return "ok";
	case REC_TLS_FAILED:
		return "failed";
	case REC_TLS_NONE:
		break;
	}
	return "none";
}

static json_t *
cert_sha256(const struct rec_session *rs)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t i;

	if (rs->cert_der == NULL || rs->cert_len == 0)
		return json_null();
	SHA256(rs->cert_der, rs->cert_len, md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return json_string(hex);
}

static json_t *
session_json(const struct rec_session *rs)
{
	json_t *o = json_object(), *tr = json_array();
	char *line;
	size_t i;

	set(o, "id", json_integer(rs->id));
	set(o, "phase", json_integer(rs->phase));
	set(o, "message", json_integer(rs->message));
	set(o, "host", jstr(rs->host));
	set(o, "addr", jstr(rs->addr));
	set(o, "port", json_integer(rs->port));
	set(o, "attack", jstr(rs->attack));
	set(o, "implicit_tls", json_boolean(rs->implicit_tls));
	set(o, "via", rs->via != 0 ? json_integer(rs->via) : json_null());
	if (rs->dns)
		set(o, "dns", json_true());
	set(o, "connected", json_boolean(rs->connected));
	set(o, "banner", json_boolean(rs->banner));
	set(o, "starttls_offered", json_boolean(rs->starttls_offered));
	set(o, "starttls_issued", json_boolean(rs->starttls_issued));
	set(o, "starttls_reply", rs->starttls_reply != 0 ?
	    json_integer(rs->starttls_reply) : json_null());
	set(o, "ehlo_after_tls", json_boolean(rs->ehlo_after_tls));
	set(o, "tls", json_string(tls_name(rs->tls)));
	set(o, "tls_by", jstr(rs->tls_by));
	set(o, "tls_version", jstr(rs->tls_version));
	set(o, "tls_error", jstr(rs->tls_error));
	set(o, "cert", jstr(rs->cert_label));
	set(o, "cert_sha256", cert_sha256(rs));
	set(o, "mail_from", json_boolean(rs->mail_from));
	set(o, "mail_requiretls", json_boolean(rs->mail_requiretls));
	set(o, "data_sent", json_boolean(rs->data_sent));
	set(o, "data_tls", json_boolean(rs->data_tls));
	set(o, "data_to", jstr(rs->data_to));
	set(o, "delivered", json_boolean(rs->delivered));
	set(o, "leak", json_boolean(rs->leak));
	set(o, "auth", json_boolean(rs->auth_sent));
	set(o, "auth_tls", json_boolean(rs->auth_tls));
	set(o, "credentials_leaked", json_boolean(rs->cred_leak));
	set(o, "end", jstr(rs->end));
	for (i = 0; i < rs->nlines; i++) {
		line = xasprintf("t=%llu %c %s",
		    (unsigned long long)rs->lines[i].t_ms, rs->lines[i].dir,
		    rs->lines[i].text != NULL ? rs->lines[i].text : "");
		json_array_append_new(tr, jstr(line));
		free(line);
	}
	set(o, "transcript", tr);
	return o;
}

/* A DNS query or HTTPS request (core/record.h exchanges): its facts,
 * then "seq" (of its first line: where it falls among the sessions'
 * transcripts) and its transcript. */
static json_t *
exchange_json(const struct rec_session *x)
{
	json_t *o = json_object(), *tr = json_array();
	bool dns = x->kind == REC_DNS;
	char *line;
	size_t i;

	set(o, "id", json_integer(x->id));
	set(o, "kind", json_string(dns ? "dns" : "https"));
	set(o, "phase", json_integer(x->phase));
	set(o, "message", json_integer(x->message));
	set(o, "role", jstr(x->x.role));
	set(o, "host", jstr(x->host));
	set(o, "addr", jstr(x->addr));
	set(o, "port", json_integer(x->port));
	set(o, "client", jstr(x->x.client));
	set(o, "attack", jstr(x->attack));
	if (dns) {
		set(o, "type", jstr(x->x.qtype));
		set(o, "rcode", jstr(x->x.rcode));
		set(o, "ad", json_boolean(x->x.ad));
		set(o, "answer", jstr(x->x.answer));
	} else {
		set(o, "sni", jstr(x->x.sni));
		set(o, "tls", json_string(tls_name(x->tls)));
		set(o, "tls_error", jstr(x->tls_error));
		set(o, "cert", jstr(x->cert_label));
		set(o, "request", jstr(x->x.request));
		set(o, "status", x->x.status != 0 ? json_integer(x->x.status) :
		    json_null());
		set(o, "content_type", jstr(x->x.content_type));
		set(o, "body_bytes", json_integer((json_int_t)x->x.body_len));
	}
	set(o, "end", jstr(x->end));
	set(o, "seq", json_integer(x->nlines > 0 ?
	    (json_int_t)x->lines[0].seq : 0));
	for (i = 0; i < x->nlines; i++) {
		line = xasprintf("t=%llu %c %s",
		    (unsigned long long)x->lines[i].t_ms, x->lines[i].dir,
		    x->lines[i].text != NULL ? x->lines[i].text : "");
		json_array_append_new(tr, jstr(line));
		free(line);
	}
	set(o, "transcript", tr);
	return o;
}

static json_t *
message_json(const struct res_message *m)
{
	json_t *o = json_object(), *ids = json_array();
	size_t i;

	set(o, "index", json_integer(m->index));
	set(o, "delivery", jstr(m->delivery));
	set(o, "reason", jstr(m->reason));
	set(o, "mx_host", jstr(m->mx_host));
	set(o, "data_to", jstr(m->data_to));
	set(o, "leak", json_boolean(m->leak));
	set(o, "content", jstr(m->content));
	set(o, "credentials_leaked", json_boolean(m->cred_leak));
	for (i = 0; i < m->nsessions; i++)
		json_array_append_new(ids, json_integer(m->sessions[i]));
	set(o, "sessions", ids);
	if (m->nsender_log > 0) {
		json_t *lines = json_array();
		for (i = 0; i < m->nsender_log; i++)
			json_array_append_new(lines, jstr(m->sender_log[i]));
		set(o, "sender_log", lines);
	}
	return o;
}

static json_t *
phase_json(const struct res_phase *p)
{
	json_t *o = json_object(), *msgs = json_array();
	size_t i;

	set(o, "index", json_integer(p->index));
	set(o, "expect", jstrv(p->expect, p->nexpect));
	set(o, "expect_tlsrpt", jstrv(p->expect_tlsrpt, p->nexpect_tlsrpt));
	set(o, "verdict", jstr(p->verdict));
	set(o, "reason", jstr(p->reason));
	for (i = 0; i < p->nmsgs; i++)
		json_array_append_new(msgs, message_json(&p->msgs[i]));
	set(o, "messages", msgs);
	return o;
}

static json_t *
scenario_json(const struct res_scenario *s)
{
	json_t *o = json_object(), *a;
	size_t i, n;

	set(o, "id", jstr(s->id));
	set(o, "title", jstr(s->title));
	set(o, "refs", jstrv(s->refs, s->nrefs));
	set(o, "domain", jstr(s->domain));
	set(o, "sender", jstr(s->sender));
	set(o, "verdict", jstr(s->verdict));
	set(o, "reason", jstr(s->reason));
	a = json_array();
	for (i = 0; i < s->nphases; i++)
		json_array_append_new(a, phase_json(&s->phases[i]));
	set(o, "phases", a);
	a = json_array();
	n = s->rec != NULL ? rec_count(s->rec) : 0;
	for (i = 0; i < n; i++)
		json_array_append_new(a, session_json(rec_get(s->rec, i)));
	set(o, "sessions", a);
	a = json_array();
	n = s->rec != NULL ? rec_nexchanges(s->rec) : 0;
	for (i = 0; i < n; i++)
		json_array_append_new(a, exchange_json(rec_exchange(s->rec, i)));
	set(o, "exchanges", a);
	a = json_array();
	for (i = 0; i < s->npolicies; i++)
		json_array_append_new(a,
		    report_tlsrpt_policy_json(&s->policies[i]));
	set(o, "tlsrpt", a);
	if (s->ntlsrpt_received > 0) {
		/* the reports the sender sent, and where they disagree with
		 * what mxsim saw (sim/tlsrpt_recv.c) */
		a = json_array();
		for (i = 0; i < s->ntlsrpt_received; i++) {
			json_t *r = json_object();
			json_t *doc = json_loads(s->tlsrpt_received[i], 0, NULL);
			set(r, "via", jstr(s->tlsrpt_via[i]));
			set(r, "report", doc != NULL ? doc :
			    jstr(s->tlsrpt_received[i]));
			json_array_append_new(a, r);
		}
		set(o, "tlsrpt_received", a);
		set(o, "tlsrpt_findings", jstrv(s->tlsrpt_findings,
		    s->ntlsrpt_findings));
	}
	set(o, "virtual_ms", json_integer((json_int_t)s->virtual_ms));
	return o;
}

char *
report_results_json_text(const struct res_run *run)
{
	struct report_counts c;
	json_t *doc, *o, *a;
	char *text, *out;
	size_t i;

	report_count(run, &c);
	doc = json_object();
	o = json_object();
	set(o, "version", json_string(REPORT_VERSION));
	set(doc, "mxsim", o);
	/* jansson's json_int_t is signed 64-bit: a seed past 2^63 is
	 * written as a decimal string rather than rounded */
	if (run->seed <= (uint64_t)INT64_MAX) {
		set(doc, "seed", json_integer((json_int_t)run->seed));
	} else {
		char num[24];
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)run->seed);
		set(doc, "seed", json_string(num));
	}
	set(doc, "sender", jstr(run->sender));
	o = json_object();
	set(o, "total", json_integer(c.total));
	set(o, "pass", json_integer(c.pass));
	set(o, "fail", json_integer(c.fail));
	set(o, "unsupported", json_integer(c.unsupported));
	set(o, "error", json_integer(c.error));
	set(doc, "summary", o);
	a = json_array();
	for (i = 0; i < run->nscenarios; i++)
		json_array_append_new(a, scenario_json(run->scenarios[i]));
	set(doc, "scenarios", a);

	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		fatal("report: cannot serialise results.json");
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}

int
report_results_json(const struct res_run *run, const char *path)
{
	char *text = report_results_json_text(run);
	int rc;

	rc = report_write_atomic(path, text, strlen(text));
	free(text);
	return rc;
}
