/*
 * snd_tlsrpt_send: delivery of the reference sender's TLSRPT reports
 * (RFC 8460 3, 5): snd_report() in sender.h; the results and the report
 * body are snd_tlsrpt.c's.
 *
 * One run at a time, one step at a time: for each recipient domain with
 * results, TXT _smtp._tls.<domain> (sts_tlsrpt_txt_select: exactly one
 * v=TLSRPTv1 record), then each rua in order: https: (A lookup of its
 * host with the sender's resolver, POST of the gzip'd report as
 * application/tlsrpt+gzip; 200-299 is accepted, RFC 8460 5.4) or mailto:
 * (a multipart/report message, 5.3, DKIM-signed when the state has a
 * key (snd_state_set_dkim), sent through snd_send_opt with
 * "TLS-Required: No" and not counted in any report).  Then the domain's
 * results are forgotten.  The run owns everything it allocates; the
 * sender frees it with snd_rpt_run_free().  done comes from a timer.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <openssl/evp.h>

#include "core/util.h"
#include "fake-mx/mail.h"
#include "senders/builtin/snd_int.h"

/* The fields the DKIM signature covers (RFC 6376 5.4; the TLS-Report-*
 * ones as RFC 8460 3 wants them protected). */
#define DKIM_HEADS "from:to:date:subject:message-id:tls-report-domain:" \
	"tls-report-submitter:mime-version:content-type"

struct rpt_run {
	struct sender *s;
	snd_report_cb *done;
	void *arg;
	unsigned accepted;
	char *domain;             /* the domain being reported */
	char *json;               /* its report */
	uint8_t *gz;
	size_t gzlen;
	struct sts_tlsrpt_txt *txt;
	size_t irua;
	char *url, *host;         /* the https rua in progress */
	uint64_t dnsq, httpq, timer;
	bool mail_pending;
};

static void next_domain(struct rpt_run *r);
static void next_rua(struct rpt_run *r);

void
snd_rpt_run_free(struct rpt_run *r)
{
	if (r == NULL)
		return;
	snd_dns_cancel(r->s->dns, r->dnsq);
	snd_http_cancel(r->s->http, r->httpq);
	loop_timer_cancel(r->s->l, r->timer);
	free(r->domain);
	free(r->json);
	free(r->gz);
	sts_tlsrpt_txt_free(r->txt);
	free(r->url);
	free(r->host);
	free(r);
}

static void
done_timer(void *arg)
{
	struct rpt_run *r = arg;
	struct sender *s = r->s;
	snd_report_cb *done = r->done;
	void *darg = r->arg;
	unsigned n = r->accepted;

	r->timer = 0;
	s->reporting = NULL;
	snd_rpt_run_free(r);
	done(n, darg);
}

static void
gzip_report(struct rpt_run *r)
{
	z_stream z;
	uLong bound;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fatal("sender: deflateInit2 failed");
	bound = deflateBound(&z, (uLong)strlen(r->json)) + 32;
	r->gz = xmalloc(bound);
	z.next_in = (Bytef *)r->json;
	z.avail_in = (uInt)strlen(r->json);
	z.next_out = r->gz;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		fatal("sender: deflate failed");
	r->gzlen = z.total_out;
	deflateEnd(&z);
}

/* ---- https: ---- */

static void
on_post(const struct snd_http_resp *rp, void *arg)
{
	struct rpt_run *r = arg;

	r->httpq = 0;
	if (rp->err == SND_HTTP_OK && rp->status >= 200 && rp->status < 300) {
		r->accepted++;
		log_info("sender", "TLSRPT: report for %s accepted by %s (HTTP %d)",
		    r->domain, r->url, rp->status);
	} else {
		log_info("sender", "TLSRPT: report for %s not accepted by %s: %s",
		    r->domain, r->url, rp->why);
	}
	r->irua++;
	next_rua(r);
}

static void
on_rua_host(const struct snd_dns_answer *a, void *arg)
{
	struct rpt_run *r = arg;
	struct snd_http_req rq;

	r->dnsq = 0;
	if (a->rcode != SND_DNS_NOERROR || a->nrdata == 0) {
		log_info("sender", "TLSRPT: %s: no address (%s)", r->host, a->why);
		r->irua++;
		next_rua(r);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = r->url;
	rq.host = r->host;
	rq.addr = a->rdata[0];
	rq.port = r->s->cfg.https_port;
	rq.src_ip = r->s->cfg.src_ip;
	rq.body = r->gz;
	rq.body_len = r->gzlen;
	rq.content_type = "application/tlsrpt+gzip";
	rq.no_verify = true;   /* RFC 8460 5.4: MAY ignore certificate errors */
	r->httpq = snd_http_start(r->s->http, &rq, on_post, r);
	if (r->httpq == 0) {
		r->irua++;
		next_rua(r);
	}
}

static void
send_https(struct rpt_run *r, const char *uri)
{
	const char *h = uri + strlen("https://");
	size_t n = strcspn(h, "/?#");

	free(r->url);
	free(r->host);
	r->url = xstrdup(uri);
	r->host = xstrndup(h, n);
	if (n == 0 || strchr(r->host, ':') != NULL || strchr(r->host, '@') ||
	    r->s->http == NULL) {
		log_info("sender", "TLSRPT: unsupported rua %s", uri);
		r->irua++;
		next_rua(r);
		return;
	}
	r->dnsq = snd_dns_query(r->s->dns, r->host, SND_DNS_A, on_rua_host, r);
	if (r->dnsq == 0) {
		r->irua++;
		next_rua(r);
	}
}

/* ---- mailto: ---- */

static void
on_mail_done(enum snd_result res, const char *why, void *arg)
{
	struct rpt_run *r = arg;

	r->mail_pending = false;
	if (res == SND_DELIVERED)
		r->accepted++;
	log_info("sender", "TLSRPT: report mail for %s: %s", r->domain,
	    snd_result_name(res));
	r->irua++;
	next_rua(r);
}

/* msg with a DKIM-Signature field on top when the sender has a key
 * (RFC 8460 3; fake-mx/mail_dkim.c), LF line ends; xmalloc'd. */
static char *
sign(struct rpt_run *r, const char *msg, time_t now)
{
	EVP_PKEY *key = snd_rpt_dkim(r->s->state->rpt);
	char err[128], *sig, *out;
	struct buf b = { 0 };

	if (key == NULL)
		return xstrdup(msg);
	sig = mail_dkim_sign(msg, strlen(msg), key, SND_DKIM_DOMAIN,
	    SND_DKIM_SELECTOR, DKIM_HEADS, now, err, sizeof(err));
	if (sig == NULL) {
		log_warn("sender", "TLSRPT: report mail unsigned: %s", err);
		return xstrdup(msg);
	}
	for (const char *p = sig; *p != '\0'; p++)
		if (*p != '\r')
			buf_append(&b, p, 1);
	buf_appendf(&b, "%s", msg);
	out = xstrdup(buf_cstr(&b));
	buf_free(&b);
	free(sig);
	return out;
}

static char *
mail_body(struct rpt_run *r, const char *to)
{
	struct buf b;
	time_t t0, t1;
	char s0[32], s1[32], date[64];
	struct tm tm;
	time_t now = loop_wallclock(r->s->l);

	snd_rpt_range(r->s->state->rpt, 0, &t0, &t1);
	snprintf(s0, sizeof(s0), "%lld", (long long)t0);
	snprintf(s1, sizeof(s1), "%lld", (long long)t1);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_init(&b);
	buf_appendf(&b, "From: <%s>\nTo: <%s>\nDate: %s\n"
	    "Subject: Report Domain: %s Submitter: %s Report-ID: <%s_%s@%s>\n"
	    "Message-ID: <%s_%s@%s>\n"
	    "TLS-Report-Domain: %s\nTLS-Report-Submitter: %s\n"
	    "TLS-Required: No\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=\"tlsrpt\"; "
	    "boundary=\"mxsim-tlsrpt\"\n\n"
	    "--mxsim-tlsrpt\nContent-Type: text/plain; charset=us-ascii\n\n"
	    "This is an aggregate TLS report from %s for %s.\n\n"
	    "--mxsim-tlsrpt\nContent-Type: application/tlsrpt+gzip\n"
	    "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; "
	    "filename=\"%s!%s!%s!%s.json.gz\"\n\n",
	    SND_RPT_CONTACT, to, date, r->domain, SND_RPT_SUBMITTER, s0,
	    r->domain, SND_RPT_SUBMITTER, s0, r->domain, SND_RPT_SUBMITTER,
	    r->domain, SND_RPT_SUBMITTER,
	    SND_RPT_SUBMITTER, r->domain, SND_RPT_SUBMITTER, r->domain, s0, s1);
	/* base64 in lines of 76 characters (57 input bytes each) */
	for (size_t i = 0; i < r->gzlen; i += 57) {
		unsigned char line[77];
		size_t k = r->gzlen - i < 57 ? r->gzlen - i : 57;
		int n = EVP_EncodeBlock(line, r->gz + i, (int)k);

		buf_append(&b, (const char *)line, (size_t)n);
		if (k == 57)
			buf_append(&b, "\n", 1);
	}
	buf_appendf(&b, "\n--mxsim-tlsrpt--\n");
	char *out = sign(r, buf_cstr(&b), now);
	buf_free(&b);
	return out;
}

static void
send_mailto(struct rpt_run *r, const char *uri)
{
	char *to = xstrndup(uri + strlen("mailto:"),
	    strcspn(uri + strlen("mailto:"), "?"));
	char *body = mail_body(r, to);
	struct snd_msg_opts o = { .tls_optional = true };
	int rc;

	r->s->internal_send = true;
	r->mail_pending = true;
	rc = snd_send_opt(r->s, SND_RPT_CONTACT, to, body, &o, on_mail_done, r);
	r->s->internal_send = false;
	free(body);
	free(to);
	if (rc < 0) {
		r->mail_pending = false;
		log_info("sender", "TLSRPT: bad mailto rua %s", uri);
		r->irua++;
		next_rua(r);
	}
}

/* ---- the run ---- */

static void
next_rua(struct rpt_run *r)
{
	if (r->txt == NULL || r->irua >= r->txt->nrua) {
		snd_rpt_forget(r->s->state->rpt, 0);
		next_domain(r);
		return;
	}
	const char *uri = r->txt->rua[r->irua];
	if (str_casecmp_prefix(uri, "https://") == 0)
		send_https(r, uri);
	else if (str_casecmp_prefix(uri, "mailto:") == 0)
		send_mailto(r, uri);
	else {
		r->irua++;
		next_rua(r);
	}
}

static void
on_txt(const struct snd_dns_answer *a, void *arg)
{
	struct rpt_run *r = arg;
	char err[256];
	enum sts_txt_result res = STS_TXT_NONE;

	r->dnsq = 0;
	if (a->rcode == SND_DNS_NOERROR && a->nrdata > 0)
		res = sts_tlsrpt_txt_select((const char *const *)a->rdata,
		    a->nrdata, &r->txt, err, sizeof(err));
	if (res != STS_TXT_OK) {
		log_info("sender", "TLSRPT: %s: no usable v=TLSRPTv1 record (%s): "
		    "no report", a->qname, a->rcode != SND_DNS_NOERROR ? a->why :
		    res == STS_TXT_MANY ? "several records" : "none");
		r->txt = NULL;
	} else {
		log_info("sender", "TLSRPT: %s: %zu rua", a->qname, r->txt->nrua);
	}
	next_rua(r);
}

static void
next_domain(struct rpt_run *r)
{
	struct snd_rpt *rp = r->s->state->rpt;
	char *name;

	free(r->json);
	free(r->gz);
	free(r->domain);
	sts_tlsrpt_txt_free(r->txt);
	r->json = NULL;
	r->gz = NULL;
	r->domain = NULL;
	r->txt = NULL;
	r->irua = 0;
	if (snd_rpt_domains(rp) == 0) {
		r->timer = loop_timer_add(r->s->l, 0, done_timer, r);
		return;
	}
	r->domain = xstrdup(snd_rpt_domain(rp, 0));
	r->json = snd_rpt_json(rp, 0);
	gzip_report(r);
	name = xasprintf("_smtp._tls.%s", r->domain);
	r->dnsq = snd_dns_query(r->s->dns, name, SND_DNS_TXT, on_txt, r);
	free(name);
	if (r->dnsq == 0) {
		snd_rpt_forget(rp, 0);
		next_domain(r);
	}
}

int
snd_report(struct sender *s, snd_report_cb *done, void *arg)
{
	struct rpt_run *r;

	if (s->reporting != NULL || done == NULL)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->s = s;
	r->done = done;
	r->arg = arg;
	s->reporting = r;
	next_domain(r);
	return 0;
}
