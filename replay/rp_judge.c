/*
 * rp_judge: `mxsim replay --judge`.  Reads a capture packet by packet;
 * each scenario of an mxsim capture (frame ranges from capture.json) or
 * the whole of a foreign capture gets its own loop, recorder, TCP
 * reassembler and SMTP extractor, then the live verdict engine.
 *
 * Sessions to messages: a message is the run of sender sessions up to and
 * including the one that carried message data.  A session towards an
 * address already tried for the current message is either the next
 * message (the last one was given up) or a retry of this one (in clear
 * text after a failed handshake): with the scenario at hand the reading
 * that gives its number of messages wins, else it is a retry.  With the
 * scenario file at hand (scenarios/<id>.lua) the
 * messages are dealt to its phases by their `deliver` counts and judged
 * against its expectations.  Certificates (rp_tls.h, decrypted with the
 * key log) are verified against the trust anchors (rp_trust.c); where a
 * certificate is not visible or there is no anchor, "verified" also
 * accepts "tls" and the reason says so.  DANE comes from the captured
 * TLSA answers (rp_dns.h), and the sender's TLSRPT report mail is
 * message 0, as in the live run.  In an mxsim capture the attacker's own legs
 * (127.66.0.1 to the MX backends 127.26.0.x) are evidence: they get
 * `via`, the sender session towards the same MX's public address.
 */
#include "replay/rp_int.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "replay/rp_dns.h"
#include "replay/rp_pkt.h"
#include "replay/rp_smtp.h"
#include "replay/rp_tcp.h"
#include "replay/rp_tls.h"
#include "sim/scenario.h"
#include "sim/verdict.h"

#define ATTACKER_ADDR "127.66.0.1"   /* sim/world.h's plan */
#define BACKEND_PREFIX "127.26.0."
#define PUBLIC_PREFIX "127.25.0."

struct range {
	char *id;
	uint64_t first, last;
};

struct part {           /* one scenario being read */
	struct range *rg;   /* NULL: the whole capture */
	struct loop *l;
	struct rec *rec;
	struct rp_smtp *smtp;
	struct rp_tcp *tcp;
	struct rp_dns *dns;
	uint64_t t0_us, last_us;
};

struct judge {          /* what every part shares */
	const struct rp_judge_opts *o;
	struct rp_keylog *kl;
	struct rp_trust trust;
};

/* ---- capture.json ---- */

static int
load_ranges(const char *path, struct range **out, size_t *n, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *scs, *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	scs = json_object_get(root, "scenarios");
	if (!json_is_array(scs)) {
		snprintf(err, errlen, "%s: no \"scenarios\" array", path);
		json_decref(root);
		return -1;
	}
	*out = xcalloc(json_array_size(scs) + 1, sizeof(**out));
	json_array_foreach(scs, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		json_t *f = json_object_get(v, "first_frame");
		json_t *l = json_object_get(v, "last_frame");
		if (id == NULL || !json_is_integer(f) || !json_is_integer(l))
			continue;   /* a scenario that wrote no frame */
		(*out)[*n].id = xstrdup(id);
		(*out)[*n].first = (uint64_t)json_integer_value(f);
		(*out)[*n].last = (uint64_t)json_integer_value(l);
		(*n)++;
	}
	json_decref(root);
	return 0;
}

static void
ranges_free(struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].id);
	free(r);
}

/* ---- one part ---- */

static void
part_start(struct part *pt, const struct judge *j, struct range *rg,
    uint64_t ts_us)
{
	memset(pt, 0, sizeof(*pt));
	pt->rg = rg;
	pt->t0_us = ts_us - ts_us % 1000000u;
	pt->l = loop_new(LOOP_SKIP, (time_t)(ts_us / 1000000u));
	pt->rec = rec_new(pt->l);
	rec_set_message(pt->rec, 1, 1);
	pt->smtp = rp_smtp_new(pt->rec, pt->l, pt->t0_us);
	rp_smtp_set_keylog(pt->smtp, j->kl);
	pt->tcp = rp_tcp_new(rp_smtp_tcp_cb, pt->smtp);
	pt->dns = rp_dns_new();
}

static bool
has_prefix(const char *s, const char *p)
{
	return s != NULL && strncmp(s, p, strlen(p)) == 0;
}

/* The attacker's legs in an mxsim capture become evidence. */
static void
mark_legs(struct part *pt)
{
	for (size_t i = 0; i < rec_count(pt->rec); i++) {
		struct rec_session *s = rec_get(pt->rec, i);
		const struct rp_smtp_info *in = rp_smtp_info(pt->smtp, i);
		if (s->via == 0 && strcmp(s->addr, ATTACKER_ADDR) == 0) {
			/* the sender went to the attacker itself (spoofed DNS) */
			if (s->tls == REC_TLS_OK)
				rec_set(&s->tls_by, "attacker");
			if (s->data_sent)
				rec_set(&s->data_to, "attacker");
			rec_line(pt->rec, s, '!', "replay: %s is the attacker's address "
			    "in an mxsim world", ATTACKER_ADDR);
			continue;
		}
		if (in == NULL || (strcmp(in->client, ATTACKER_ADDR) != 0 &&
		    !has_prefix(s->addr, BACKEND_PREFIX)))
			continue;
		const char *mx = has_prefix(s->addr, BACKEND_PREFIX) ?
		    s->addr + strlen(BACKEND_PREFIX) : NULL;
		for (size_t k = i; k-- > 0;) {
			struct rec_session *o = rec_get(pt->rec, k);
			if (o->via == 0 && (mx == NULL || (has_prefix(o->addr,
			    PUBLIC_PREFIX) && strcmp(o->addr + strlen(PUBLIC_PREFIX),
			    mx) == 0))) {
				s->via = o->id;
				break;
			}
		}
		if (s->via == 0)
			s->via = s->id;   /* nothing to attach to: still not the sender's */
		rec_line(pt->rec, s, '!', "replay: the attacker's own leg (evidence, "
		    "not judged)");
	}
}

/* Sessions to messages; returns the number of messages.  A session
 * after one that carried data starts a message; with retry_splits, so
 * does a session to an address already tried for the current message
 * (else that is a retry of it, e.g. in clear text after a failed TLS). */
static unsigned
group_messages(struct rec *rec, const bool *report, bool retry_splits)
{
	unsigned msg = 0;
	bool open = false;
	char **tried = NULL;
	size_t ntried = 0;

	for (size_t i = 0; i < rec_count(rec); i++) {
		struct rec_session *s = rec_get(rec, i);
		if (s->via != 0)
			continue;
		if (report[i]) {   /* the sender's report mail: not a message */
			s->phase = 1;
			s->message = 0;
			continue;
		}
		bool retry = false;
		for (size_t k = 0; retry_splits && k < ntried; k++)
			if (strcmp(tried[k], s->addr) == 0)
				retry = true;
		if (!open || retry) {
			msg++;
			open = true;
			for (size_t k = 0; k < ntried; k++)
				free(tried[k]);
			ntried = 0;
		}
		s->phase = 1;
		s->message = msg;
		tried = xrealloc(tried, (ntried + 1) * sizeof(*tried));
		tried[ntried++] = xstrdup(s->addr);
		if (s->data_sent)
			open = false;
	}
	for (size_t k = 0; k < ntried; k++)
		free(tried[k]);
	free(tried);
	/* attacker legs follow the message of their sender session */
	for (size_t i = 0; i < rec_count(rec); i++) {
		struct rec_session *s = rec_get(rec, i);
		if (s->via != 0 && s->via != s->id) {
			const struct rec_session *o = rec_get(rec, s->via - 1);
			s->phase = o->phase;
			s->message = o->message;
		}
	}
	return msg;
}

/* Deal messages to the scenario's phases by their deliver counts (the
 * last phase takes what is left over). */
static void
deal_phases(struct rec *rec, const struct scenario *scn, unsigned nmsg,
    unsigned *per_phase)
{
	unsigned *ph = xcalloc(nmsg + 1, sizeof(*ph)), *ix = xcalloc(nmsg + 1, sizeof(*ix));
	unsigned m = 1;

	for (size_t p = 0; p < scn->nphases; p++) {
		unsigned want = scn->phases[p].deliver > 0 ?
		    (unsigned)scn->phases[p].deliver : 0;
		if (p + 1 == scn->nphases)
			want = nmsg + 1 - m;
		for (unsigned k = 1; k <= want && m <= nmsg; k++, m++) {
			ph[m] = (unsigned)p + 1;
			ix[m] = k;
			per_phase[p]++;
		}
	}
	for (size_t i = 0; i < rec_count(rec); i++) {
		struct rec_session *s = rec_get(rec, i);
		if (s->message >= 1 && s->message <= nmsg && ph[s->message] != 0) {
			unsigned old = s->message;
			s->phase = ph[old];
			s->message = ix[old];
		}
	}
	free(ph);
	free(ix);
}

/* The sender's TLSRPT report mail (RFC 8460 5.3): a session whose
 * message header says so, or whose RCPT is a rua mailto: address of the
 * capture's DNS answers.  The live run records those as message 0 (not
 * a scenario message, not counted in the reports): so does replay. */
static bool *
find_reports(struct part *pt)
{
	size_t n = rec_count(pt->rec);
	bool *rep = xcalloc(n + 1, sizeof(*rep));

	for (size_t i = 0; i < n; i++) {
		struct rec_session *s = rec_get(pt->rec, i);
		const struct rp_smtp_info *in = rp_smtp_info(pt->smtp, i);
		bool by_rua = in != NULL && in->rcpt[0] && rp_dns_is_rua(pt->dns, in->rcpt);
		if (s->via != 0 || in == NULL || !(in->report_mail || by_rua))
			continue;
		rep[i] = true;
		rec_line(pt->rec, s, '!', "replay: the sender's TLSRPT report mail%s%s "
		    "(%s): not a scenario message", in->rcpt[0] ? " to " : "",
		    in->rcpt, in->report_mail ? "its Content-Type says so" :
		    "a rua of _smtp._tls in the capture's DNS answers");
	}
	return rep;
}

/* Report mail (and the attacker's legs of it) sits in the last phase as
 * message 0, as in the live run. */
static void
place_reports(struct rec *rec, const bool *report, unsigned last)
{
	for (size_t i = 0; i < rec_count(rec); i++) {
		struct rec_session *s = rec_get(rec, i);
		bool leg = s->via != 0 && s->via != s->id && s->via <= rec_count(rec) &&
		    report[s->via - 1];
		if (report[i] || leg) {
			s->phase = last;
			s->message = 0;
		}
	}
}

/* The phase of the first sender session to host opened at or after
 * ts_us, else of the last one before; 0 if none. */
static unsigned
phase_at(const struct part *pt, const char *host, uint64_t ts_us)
{
	unsigned before = 0;

	for (size_t i = 0; i < rec_count(pt->rec); i++) {
		const struct rec_session *s = rec_get(pt->rec, i);
		const struct rp_smtp_info *in = rp_smtp_info(pt->smtp, i);
		if (s->via != 0 || s->message == 0 || in == NULL || s->host == NULL ||
		    strcasecmp(s->host, host) != 0)
			continue;
		if (in->t_us >= ts_us)
			return s->phase;
		before = s->phase;
	}
	return before;
}

/* DANE as the sender saw it (RFC 7672): each TLSA answer in the
 * capture's DNS counts for the phase of the sender's next session to
 * that host (the latest answer wins); whether DANE was required comes
 * from the scenario (sender_tls = "dane").  The RRs are borrowed from
 * pt->dns. */
static struct verdict_dane *
dane_from_dns(const struct part *pt, const struct scenario *scn, size_t *n)
{
	struct verdict_dane *v = NULL;

	*n = 0;
	for (size_t i = 0; i < rp_dns_tlsa_count(pt->dns); i++) {
		const struct rp_tlsa_obs *o = rp_dns_tlsa(pt->dns, i);
		unsigned ph = phase_at(pt, o->host, o->ts_us);
		size_t k;
		if (ph == 0)
			continue;
		for (k = 0; k < *n; k++)
			if (v[k].phase == ph && strcasecmp(v[k].host, o->host) == 0)
				break;
		if (k == *n)
			v = xrealloc(v, ++*n * sizeof(*v));
		const char *stls = scn != NULL && ph <= scn->nphases ?
		    scn->phases[ph - 1].world.sender_tls : NULL;
		v[k] = (struct verdict_dane){ ph, o->host,
			(const char *const *)o->rrs, o->nrrs, o->state,
			stls != NULL && strcmp(stls, "dane") == 0 };
	}
	return v;
}

/* Without a trust anchor a certificate seen cannot be verified: it is
 * named in the transcript and left out of the verdict. */
static void
untrusted_certs(struct rec *rec)
{
	for (size_t i = 0; i < rec_count(rec); i++) {
		struct rec_session *s = rec_get(rec, i);
		const unsigned char *q = s->cert_der;
		X509 *x;
		char subj[256] = "?", iss[256] = "?";
		if (s->cert_der == NULL)
			continue;
		if ((x = d2i_X509(NULL, &q, (long)s->cert_len)) != NULL) {
			X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
			X509_NAME_oneline(X509_get_issuer_name(x), iss, sizeof(iss));
			X509_free(x);
		}
		rec_line(rec, s, '!', "replay: certificate %s issued by %s; no trust "
		    "anchor to verify it (give --ca FILE)", subj, iss);
		rec_set_cert(s, NULL, NULL, 0, NULL, 0);
	}
}

/* Did every sender session that sent data over TLS show its certificate? */
static bool
certs_all_seen(const struct rec *rec)
{
	for (size_t i = 0; i < rec_count(rec); i++) {
		const struct rec_session *s = rec_get(rec, i);
		if (s->via == 0 && s->tls == REC_TLS_OK && s->data_tls &&
		    s->cert_der == NULL)
			return false;
	}
	return true;
}

/* "verified" cannot be seen without the certificate (lenient): accept
 * "tls" too. */
static void
expect_for_replay(const struct scn_expect *in, struct scn_expect *out,
    bool lenient)
{
	bool verified = false;

	memset(out, 0, sizeof(*out));
	out->leak = -1;
	for (size_t k = 0; k < in->ndelivery; k++) {
		res_strv_push(&out->delivery, &out->ndelivery, in->delivery[k]);
		if (strcmp(in->delivery[k], "verified") == 0)
			verified = true;
	}
	if (verified && lenient)
		res_strv_push(&out->delivery, &out->ndelivery, "tls");
}

static void
expect_parse(const char *list, struct scn_expect *out)
{
	char *copy = xstrdup(list), *save = NULL;

	memset(out, 0, sizeof(*out));
	out->leak = -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		res_strv_push(&out->delivery, &out->ndelivery, t);
	free(copy);
}

static void
expect_free(struct scn_expect *e)
{
	res_strv_free(e->delivery, e->ndelivery);
}

/* Rewrite the reason of a TLS delivery whose certificate was not seen. */
static void
honest_reason(const struct rec *rec, struct res_message *m)
{
	if (strcmp(m->delivery, "tls") != 0)
		return;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct rec_session *s = rec_get(rec, m->sessions[i] - 1);
		if (s == NULL || !s->data_tls || s->cert_der != NULL)
			continue;
		char *why = xasprintf("message data sent over TLS (%s) to %s:%u, "
		    "inferred from the TLS records; the certificate is not visible "
		    "in the capture, so replay cannot tell verified from tls",
		    s->tls_version ? s->tls_version : "?", s->host, s->port);
		rec_set(&m->reason, why);
		free(why);
		return;
	}
}

/* A verdict on a damaged stream says so. */
static void
damage_note(const struct part *pt, struct res_message *m)
{
	uint64_t lost = 0;

	for (size_t i = 0; i < m->nsessions; i++) {
		const struct rp_smtp_info *in = rp_smtp_info(pt->smtp, m->sessions[i] - 1);
		if (in != NULL && in->damaged)
			lost++;
	}
	if (lost == 0)
		return;
	char *why = xasprintf("%s (the capture is damaged: bytes of %llu session%s "
	    "are missing, so this verdict may be wrong)", m->reason,
	    (unsigned long long)lost, lost == 1 ? "" : "s");
	rec_set(&m->reason, why);
	free(why);
}

/* TLS sessions without a visible certificate are not validation failures
 * the capture can show: count them as successful negotiations. */
static void
tlsrpt_fix(const struct rec *rec, struct res_scenario *rs)
{
	for (size_t i = 0; i < rec_count(rec); i++) {
		const struct rec_session *s = rec_get(rec, i);
		if (s->via != 0 || s->tls != REC_TLS_OK || s->cert_der != NULL)
			continue;
		for (size_t p = 0; p < rs->npolicies; p++) {
			struct res_policy *pol = &rs->policies[p];
			for (size_t k = 0; k < pol->nfailures; k++) {
				struct res_failure *f = &pol->failures[k];
				if (f->count == 0 || f->reason_code != NULL ||
				    strcmp(f->result_type, "validation-failure") != 0 ||
				    strcmp(f->receiving_mx, s->host) != 0 ||
				    strcmp(f->receiving_ip ? f->receiving_ip : "", s->addr) != 0)
					continue;
				f->count--;
				pol->failure--;
				pol->success++;
				goto next;
			}
		}
next:;
	}
	for (size_t p = 0; p < rs->npolicies; p++) {
		struct res_policy *pol = &rs->policies[p];
		size_t w = 0;
		for (size_t k = 0; k < pol->nfailures; k++) {
			if (pol->failures[k].count > 0) {
				pol->failures[w++] = pol->failures[k];
				continue;
			}
			free(pol->failures[k].result_type);
			free(pol->failures[k].sending_ip);
			free(pol->failures[k].receiving_mx);
			free(pol->failures[k].receiving_ip);
			free(pol->failures[k].reason_code);
		}
		pol->nfailures = w;
	}
}

/* DIR/ID.lua, else DIR/ * /ID.lua (ids are relative to the path the run
 * was given: "baseline" for a run of scenarios/starttls); "FILE#VARIANT"
 * is a variant of the sweep FILE.lua. */
static struct scenario *
find_scenario(const struct rp_judge_opts *o, const char *id)
{
	const char *dir = o->scenarios ? o->scenarios : "scenarios";
	const char *hash = strrchr(id, '#');   /* a sweep's variant */
	int flen = hash ? (int)(hash - id) : (int)strlen(id);
	char err[1024], *path = xasprintf("%s/%.*s.lua", dir, flen, id);
	struct scenario *s = NULL;
	DIR *d;
	struct dirent *e;

	if (access(path, R_OK) != 0 && (d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char *p = xasprintf("%s/%s/%.*s.lua", dir, e->d_name, flen, id);
			if (access(p, R_OK) == 0) {
				free(path);
				path = p;
				break;
			}
			free(p);
		}
		closedir(d);
	}
	if (access(path, R_OK) != 0 || scenario_load(path, id, &s, err, sizeof(err)) < 0)
		s = NULL;
	free(path);
	return s;
}

/* Judge what the part read into a new scenario of run. */
static void
part_judge(const struct judge *j, struct part *pt, struct res_run *run)
{
	const struct rp_judge_opts *o = j->o;
	struct res_scenario *rs = res_run_add(run);
	struct scenario *scn = pt->rg ? find_scenario(o, pt->rg->id) : NULL;
	struct scn_expect ex;
	unsigned nmsg, *per;
	size_t nph;
	bool *report;

	rp_tcp_finish(pt->tcp, pt->last_us);
	if (pt->rg != NULL)
		mark_legs(pt);
	report = find_reports(pt);
	struct pki *pki = rp_trust_pki(&j->trust, scn ? scn->clock :
	    (time_t)(pt->t0_us / 1000000u));
	if (pki == NULL)
		untrusted_certs(pt->rec);
	bool lenient = pki == NULL || !certs_all_seen(pt->rec);
	/* the scenario says how many messages there were: the reading that
	 * gives that many wins; a foreign capture's retries stay together */
	unsigned want = 0;
	for (size_t p = 0; scn != NULL && p < scn->nphases; p++)
		want += scn->phases[p].deliver > 0 ? (unsigned)scn->phases[p].deliver : 0;
	nmsg = group_messages(pt->rec, report, true);
	if (scn == NULL || nmsg != want) {
		unsigned alt = group_messages(pt->rec, report, false);
		if (scn == NULL || alt == want)
			nmsg = alt;
		else
			nmsg = group_messages(pt->rec, report, true);
	}
	/* messages the sender never opened a session for (it gave up at
	 * DNS, or before connecting) are refused ones the capture cannot
	 * show as sessions */
	if (scn != NULL && nmsg < want)
		nmsg = want;
	nph = scn ? scn->nphases : 1;
	per = xcalloc(nph, sizeof(*per));
	if (scn != NULL)
		deal_phases(pt->rec, scn, nmsg, per);
	else
		per[0] = nmsg;
	place_reports(pt->rec, report, (unsigned)nph);
	rec_set(&rs->id, pt->rg ? pt->rg->id : o->capture);
	rec_set(&rs->path, o->capture);
	if (scn != NULL) {
		char *t = xasprintf("replay: %s", scn->title);
		rec_set(&rs->title, t);
		free(t);
		for (size_t i = 0; i < scn->nrefs; i++)
			res_strv_push(&rs->refs, &rs->nrefs, scn->refs[i]);
	} else {
		rec_set(&rs->title, "replay of a capture");
	}
	const char *dom = scn ? scn->domain : rp_smtp_rcpt_domain(pt->smtp);
	rec_set(&rs->domain, dom ? dom : "unknown.invalid");
	rec_set(&rs->sender, "replay");
	rs->clock = (time_t)(pt->t0_us / 1000000u);
	rs->rec = pt->rec;
	rs->nphases = nph;
	rs->phases = xcalloc(nph, sizeof(*rs->phases));
	size_t ndane;
	struct verdict_dane *dane = dane_from_dns(pt, scn, &ndane);
	struct verdict_ctx vc = { .domain = rs->domain, .dane = dane, .ndane = ndane,
		.scn = scn };
	time_t clock = loop_wallclock(pt->l);
	for (size_t p = 0; p < nph; p++) {
		struct res_phase *ph = &rs->phases[p];
		ph->index = (unsigned)p + 1;
		ph->nmsgs = per[p];
		ph->msgs = xcalloc(per[p] ? per[p] : 1, sizeof(*ph->msgs));
		for (unsigned m = 1; m <= per[p]; m++) {
			verdict_message_ctx(pki, pt->rec, clock, ph->index, m, &vc,
			    &ph->msgs[m - 1]);
			honest_reason(pt->rec, &ph->msgs[m - 1]);
			damage_note(pt, &ph->msgs[m - 1]);
		}
		if (scn != NULL)
			expect_for_replay(&scn->phases[p].expect, &ex, lenient);
		else if (o->expect != NULL)
			expect_parse(o->expect, &ex);
		else
			memset(&ex, 0, sizeof(ex));
		if (ex.ndelivery > 0) {
			verdict_phase_ctx(pki, pt->rec, clock, &ex, &vc, ph);
		} else {
			rec_set(&ph->verdict, "unsupported");
			rec_set(&ph->reason, "no expectation to judge against (give "
			    "--expect or keep the scenario at hand)");
		}
		expect_free(&ex);
	}
	rec_set(&rs->verdict, "pass");
	for (size_t p = 0; p < nph; p++) {
		if (strcmp(rs->phases[p].verdict, "pass") != 0) {
			char *why = xasprintf("phase %zu: %s", p + 1, rs->phases[p].reason);
			rec_set(&rs->verdict, rs->phases[p].verdict);
			rec_set(&rs->reason, why);
			free(why);
			if (strcmp(rs->phases[p].verdict, "fail") == 0)
				break;
		}
	}
	const struct rp_smtp_info *first = rp_smtp_info(pt->smtp, 0);
	verdict_tlsrpt_ctx(pki, pt->rec, clock, &vc, first ? first->client : NULL, rs);
	tlsrpt_fix(pt->rec, rs);
	rs->virtual_ms = loop_now(pt->l);
	free(per);
	free(report);
	free(dane);
	pki_free(pki);
	scenario_free(scn);
	rp_dns_free(pt->dns);
	rp_tcp_free(pt->tcp);
	rp_smtp_free(pt->smtp);
	loop_free(pt->l);
	memset(pt, 0, sizeof(*pt));
}

/* The key log (--keylog, else keylog.txt beside an mxsim capture) and
 * the trust anchors. */
static int
judge_setup(struct judge *j, bool mxsim, char *err, size_t errlen)
{
	const struct rp_judge_opts *o = j->o;
	char *kl = o->keylog ? xstrdup(o->keylog) :
	    mxsim ? rp_beside(o->capture, "keylog.txt") : NULL;

	if (kl != NULL && rp_keylog_load(kl, &j->kl, err, errlen) < 0) {
		free(kl);
		return -1;
	}
	if (rp_trust_load(o, &j->trust, err, errlen) < 0) {
		free(kl);
		rp_keylog_free(j->kl);
		j->kl = NULL;
		return -1;
	}
	if (!o->quiet && kl != NULL)
		fprintf(stderr, "mxsim: replay: key log %s (%zu secrets%s)\n", kl,
		    rp_keylog_count(j->kl), rp_keylog_bad(j->kl) ? ", some lines "
		    "malformed" : "");
	if (!o->quiet && j->trust.what[0])
		fprintf(stderr, "mxsim: replay: certificates verified against %s\n",
		    j->trust.what);
	free(kl);
	return 0;
}

static struct range *
range_of(struct range *rg, size_t n, uint64_t frame)
{
	for (size_t i = 0; i < n; i++)
		if (frame >= rg[i].first && frame <= rg[i].last)
			return &rg[i];
	return NULL;
}

static char *
notes_beside(const char *capture)
{
	const char *slash = strrchr(capture, '/');
	char *p = slash ? xasprintf("%.*s/capture.json", (int)(slash - capture), capture) :
	    xstrdup("capture.json");

	if (access(p, R_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

int
rp_judge(const struct rp_judge_opts *o, struct res_run *run, char *err,
    size_t errlen)
{
	struct rp_reader *rd;
	struct range *rg = NULL;
	size_t nrg = 0, sessions = 0, other = 0;
	struct part pt = { 0 };
	struct judge j = { .o = o };
	bool live = false;
	struct rp_pkt p;
	char rerr[512];
	int rc;

	if (rp_reader_open(&rd, o->capture, err, errlen) < 0)
		return -1;
	char *notes = o->notes ? xstrdup(o->notes) : notes_beside(o->capture);
	if (notes != NULL && load_ranges(notes, &rg, &nrg, err, errlen) < 0) {
		free(notes);
		rp_reader_free(rd);
		return -1;
	}
	if (judge_setup(&j, notes != NULL, err, errlen) < 0) {
		free(notes);
		ranges_free(rg, nrg);
		rp_reader_free(rd);
		return -1;
	}
	while ((rc = rp_reader_next(rd, &p, rerr, sizeof(rerr))) == 1) {
		struct range *want = nrg ? range_of(rg, nrg, p.frame) : NULL;
		if (nrg > 0 && want == NULL)
			continue;
		if (live && want != pt.rg) {
			sessions += rec_count(pt.rec);
			other += rp_smtp_other(pt.smtp);
			part_judge(&j, &pt, run);
			live = false;
		}
		if (!live) {
			part_start(&pt, &j, want, p.ts_us);
			live = true;
		}
		pt.last_us = p.ts_us;
		if (p.proto == 6)
			rp_tcp_packet(pt.tcp, &p);
		else if (p.proto == 17 && p.sport == 53)
			rp_dns_feed(pt.dns, p.payload, p.len, p.ts_us);
	}
	if (rc < 0 && !o->quiet)
		fprintf(stderr, "mxsim: warning: %s: %s%s\n", o->capture, rerr,
		    rp_reader_truncated(rd) ? " (keeping what was read before)" : "");
	if (live) {
		sessions += rec_count(pt.rec);
		other += rp_smtp_other(pt.smtp);
		part_judge(&j, &pt, run);
	}
	const struct rp_stats *st = rp_reader_stats(rd);
	if (sessions == 0) {
		snprintf(err, errlen, "%s: no SMTP session found (%llu frames, %s link, "
		    "%llu TCP and %llu UDP packets, %zu other TCP connections)%s",
		    o->capture, (unsigned long long)st->frames, rp_reader_dlt_name(rd),
		    (unsigned long long)st->tcp, (unsigned long long)st->udp, other,
		    rc < 0 ? "; the file is broken" : "");
		rc = -1;
	} else {
		rc = 0;
	}
	if (rc == 0 && !o->quiet)
		fprintf(stderr, "mxsim: replay %s: %llu frames (%s), %zu SMTP sessions, "
		    "%zu other TCP connections, %zu scenario%s\n", o->capture,
		    (unsigned long long)st->frames, rp_reader_dlt_name(rd), sessions,
		    other, run->nscenarios, run->nscenarios == 1 ? "" : "s");
	free(notes);
	ranges_free(rg, nrg);
	rp_reader_free(rd);
	rp_keylog_free(j.kl);
	rp_trust_free(&j.trust);
	return rc;
}
