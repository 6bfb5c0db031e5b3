/*
 * mitm_dns: the attacker on the world's DNS paths (see mitm_dns.h for
 * where it sits and what each attack does).
 *
 * Each tap call parses the response with ldns, runs every attack at that
 * position whose name, type and nth match, in the order the scenario gave
 * them (a drop ends the list), and builds a new wire message only when
 * one of them changed something.  The header (id, flags, question, EDNS)
 * is kept; AA, AD and the rcode are what the attacks left.
 *
 * Ownership: the attacker owns copies of its configuration; the recorder
 * and the sandboxes are borrowed.  The taps allocate the replacement
 * message for fake-dns, which frees it.
 *
 * Logs: each change at debug level; the records carry the rest.
 */
#include "attacker/mitm_dns.h"
#include "attacker/mitm_dns_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define NOTE_LEN 900
#define DEFAULT_TTL 300

struct dattack {
	struct mitm_dns_attack a;  /* strings below, owned */
	ldns_rdf *name;            /* parsed a.name, or NULL */
	char **data;
	unsigned seen;             /* matching answers so far */
};

struct mitm_dns {
	struct dattack *v;
	size_t n;
	struct rec *rec;
	char *server;
	unsigned changed;
};

static const char *const kind_names[] = {
	[MITM_DNS_POISON_TLSA] = "poison_tlsa",
	[MITM_DNS_SPOOF_MX] = "spoof_mx",
	[MITM_DNS_SPOOF_A] = "spoof_a",
	[MITM_DNS_STRIP_DNSSEC] = "strip_dnssec",
	[MITM_DNS_BLOCK] = "block",
	[MITM_DNS_HOOK] = "dns_hook",
};

const char *
mitm_dns_kind_name(enum mitm_dns_kind k)
{
	return (size_t)k < ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

int
mitm_dns_kind_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(kind_names); i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

/* The record type a poison or spoof puts in. */
static ldns_rr_type
kind_rrtype(enum mitm_dns_kind k)
{
	switch (k) {
	case MITM_DNS_POISON_TLSA:
		return LDNS_RR_TYPE_TLSA;
	case MITM_DNS_SPOOF_MX:
		return LDNS_RR_TYPE_MX;
	case MITM_DNS_SPOOF_A:
		return LDNS_RR_TYPE_A;
	default:
		return 0;
	}
}

/* Does rdata parse as the kind's record type? */
static int
check_data(enum mitm_dns_kind k, const char *data, char *err, size_t errlen)
{
	char *type = ldns_rr_type2str(kind_rrtype(k));
	char *text = xasprintf("x. 300 IN %s %s", type ? type : "?", data);
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL);

	ldns_rr_free(rr);
	if (st != LDNS_STATUS_OK)
		snprintf(err, errlen, "%s: \"%s\" is not %s data: %s",
		    mitm_dns_kind_name(k), data, type ? type : "?",
		    ldns_get_errorstr_by_id(st));
	free(type);
	free(text);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

struct mitm_dns *
mitm_dns_new(const struct mitm_dns_config *cfg, char *err, size_t errlen)
{
	struct mitm_dns *d = xcalloc(1, sizeof(*d));

	d->rec = cfg->rec;
	d->server = xstrdup(cfg->server_addr ? cfg->server_addr : "dns");
	d->v = xcalloc(cfg->nattacks ? cfg->nattacks : 1, sizeof(*d->v));
	for (size_t i = 0; i < cfg->nattacks; i++) {
		const struct mitm_dns_attack *src = &cfg->attacks[i];
		struct dattack *t = &d->v[d->n++];
		size_t nd = 0;

		t->a = *src;
		t->a.name = NULL;
		t->a.data = NULL;
		if (src->name != NULL) {
			t->a.name = xstrdup(src->name);
			if (ldns_str2rdf_dname(&t->name, src->name) !=
			    LDNS_STATUS_OK) {
				snprintf(err, errlen, "%s: \"%s\" is not a domain "
				    "name", mitm_dns_kind_name(src->kind),
				    src->name);
				goto fail;
			}
		}
		while (src->data != NULL && src->data[nd] != NULL)
			nd++;
		if (kind_rrtype(src->kind) != 0 && nd == 0) {
			snprintf(err, errlen, "%s needs data (the records it puts "
			    "in)", mitm_dns_kind_name(src->kind));
			goto fail;
		}
		t->data = xcalloc(nd + 1, sizeof(*t->data));
		for (size_t k = 0; k < nd; k++) {
			if (check_data(src->kind, src->data[k], err, errlen) < 0)
				goto fail;
			t->data[k] = xstrdup(src->data[k]);
		}
		t->a.data = (const char *const *)t->data;
		if (src->kind == MITM_DNS_HOOK && (src->sb == NULL ||
		    src->ref <= 0)) {
			snprintf(err, errlen, "dns_hook without a function");
			goto fail;
		}
	}
	return d;
fail:
	mitm_dns_free(d);
	return NULL;
}

void
mitm_dns_free(struct mitm_dns *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct dattack *t = &d->v[i];

		free((char *)t->a.name);
		ldns_rdf_deep_free(t->name);
		for (size_t k = 0; t->data != NULL && t->data[k] != NULL; k++)
			free(t->data[k]);
		free(t->data);
	}
	free(d->v);
	free(d->server);
	free(d);
}

bool
mitm_dns_at(const struct mitm_dns *d, enum mitm_dns_at at)
{
	for (size_t i = 0; d != NULL && i < d->n; i++)
		if (d->v[i].a.at == at)
			return true;
	return false;
}

unsigned
mitm_dns_changed(const struct mitm_dns *d)
{
	return d->changed;
}

/* ---- the message ---- */

static void
msg_clear(struct dmsg *m)
{
	for (int i = 0; i < NSECS; i++)
		ldns_rr_list_deep_free(m->sec[i]);
	ldns_pkt_free(m->p);
	memset(m, 0, sizeof(*m));
}

static int
msg_parse(struct dmsg *m, const uint8_t *wire, size_t len)
{
	const ldns_rr *q;

	memset(m, 0, sizeof(*m));
	if (ldns_wire2pkt(&m->p, wire, len) != LDNS_STATUS_OK)
		return -1;
	if (ldns_pkt_qdcount(m->p) != 1 ||
	    (q = ldns_rr_list_rr(ldns_pkt_question(m->p), 0)) == NULL) {
		ldns_pkt_free(m->p);
		m->p = NULL;
		return -1;
	}
	m->qname = ldns_rr_owner(q);
	m->qtype = ldns_rr_get_type(q);
	m->sec[SEC_AN] = ldns_rr_list_clone(ldns_pkt_answer(m->p));
	m->sec[SEC_NS] = ldns_rr_list_clone(ldns_pkt_authority(m->p));
	m->sec[SEC_AR] = ldns_rr_list_clone(ldns_pkt_additional(m->p));
	m->rcode = ldns_pkt_get_rcode(m->p);
	m->aa = ldns_pkt_aa(m->p);
	m->ad = ldns_pkt_ad(m->p);
	return 0;
}

/* The message as it now is, in wire form (malloc'd). */
static int
msg_wire(const struct dmsg *m, uint8_t **out, size_t *len)
{
	const ldns_pkt *o = m->p;
	ldns_pkt *p = ldns_pkt_new();
	static const ldns_pkt_section secs[NSECS] = {
		LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
		LDNS_SECTION_ADDITIONAL,
	};
	ldns_status st;

	ldns_pkt_set_id(p, ldns_pkt_id(o));
	ldns_pkt_set_qr(p, ldns_pkt_qr(o));
	ldns_pkt_set_opcode(p, ldns_pkt_get_opcode(o));
	ldns_pkt_set_aa(p, m->aa);
	ldns_pkt_set_tc(p, ldns_pkt_tc(o));
	ldns_pkt_set_rd(p, ldns_pkt_rd(o));
	ldns_pkt_set_cd(p, ldns_pkt_cd(o));
	ldns_pkt_set_ra(p, ldns_pkt_ra(o));
	ldns_pkt_set_ad(p, m->ad);
	ldns_pkt_set_rcode(p, m->rcode);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(
	    ldns_rr_list_rr(ldns_pkt_question(o), 0)));
	for (int i = 0; i < NSECS; i++)
		for (size_t k = 0; k < ldns_rr_list_rr_count(m->sec[i]); k++)
			ldns_pkt_push_rr(p, secs[i], ldns_rr_clone(
			    ldns_rr_list_rr(m->sec[i], k)));
	if (ldns_pkt_edns(o)) {
		ldns_pkt_set_edns_udp_size(p, ldns_pkt_edns_udp_size(o));
		ldns_pkt_set_edns_version(p, ldns_pkt_edns_version(o));
		ldns_pkt_set_edns_do(p, ldns_pkt_edns_do(o));
		ldns_pkt_set_edns_extended_rcode(p,
		    ldns_pkt_edns_extended_rcode(o));
	}
	st = ldns_pkt2wire(out, p, len);
	ldns_pkt_free(p);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

void
mitm_dns_rrs_text(const ldns_rr_list *l, ldns_rr_type t, char *buf,
	size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(l) && off < len; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *s;
		int n;

		if (t != 0 && ldns_rr_get_type(rr) != t)
			continue;
		s = ldns_rr2str(rr);
		if (s == NULL)
			continue;
		s[strcspn(s, "\n")] = '\0';
		for (char *c = s; *c; c++)
			if (*c == '\t')
				*c = ' ';
		n = snprintf(buf + off, len - off, "%s%s", off ? "; " : "", s);
		free(s);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off == 0)
		snprintf(buf, len, "nothing");
}

/* Remove the records of l for which drop() says so; returns how many. */
static size_t
list_filter(ldns_rr_list **l, bool (*drop)(const ldns_rr *, const void *),
	const void *arg)
{
	ldns_rr_list *keep = ldns_rr_list_new();
	size_t n = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(*l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(*l, i);

		if (drop(rr, arg)) {
			ldns_rr_free(rr);
			n++;
		} else {
			ldns_rr_list_push_rr(keep, rr);
		}
	}
	ldns_rr_list_free(*l);
	*l = keep;
	return n;
}

static bool
is_dnssec_rr(const ldns_rr *rr, const void *arg)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	(void)arg;
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3 || t == LDNS_RR_TYPE_DNSKEY ||
	    t == LDNS_RR_TYPE_DS || t == LDNS_RR_TYPE_NSEC3PARAM;
}

static bool
is_denial_rr(const ldns_rr *rr, const void *arg)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	(void)arg;
	return t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3 || (t == LDNS_RR_TYPE_RRSIG &&
	    ldns_rr_rd_count(rr) > 0 && (ldns_rdf2rr_type(ldns_rr_rdf(rr, 0)) ==
	    LDNS_RR_TYPE_SOA || ldns_rdf2rr_type(ldns_rr_rdf(rr, 0)) ==
	    LDNS_RR_TYPE_NSEC));
}

struct owner_type {
	const ldns_rdf *owner;
	ldns_rr_type type;
};

static bool
is_owner_type(const ldns_rr *rr, const void *arg)
{
	const struct owner_type *ot = arg;

	return ldns_rr_get_type(rr) == ot->type &&
	    ldns_dname_compare(ldns_rr_owner(rr), ot->owner) == 0;
}

static bool
is_address(const ldns_rr *rr, const void *arg)
{
	(void)arg;
	return ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ||
	    ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA ||
	    (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
	    ldns_rr_rd_count(rr) > 0 &&
	    (ldns_rdf2rr_type(ldns_rr_rdf(rr, 0)) == LDNS_RR_TYPE_A ||
	    ldns_rdf2rr_type(ldns_rr_rdf(rr, 0)) == LDNS_RR_TYPE_AAAA));
}

/* Where the answer's CNAME chain from the question ends (borrowed). */
static const ldns_rdf *
chain_end(const struct dmsg *m)
{
	const ldns_rdf *name = m->qname;

	for (int hop = 0; hop < 16; hop++) {
		const ldns_rdf *next = NULL;

		for (size_t i = 0; i < ldns_rr_list_rr_count(m->sec[SEC_AN]);
		    i++) {
			const ldns_rr *rr = ldns_rr_list_rr(m->sec[SEC_AN], i);

			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1 &&
			    ldns_dname_compare(ldns_rr_owner(rr), name) == 0)
				next = ldns_rr_rdf(rr, 0);
		}
		if (next == NULL)
			break;
		name = next;
	}
	return name;
}

/* ---- the attacks ---- */

/* poison_tlsa, spoof_mx, spoof_a: the RRset of the kind's type where the
 * chain ends becomes the attack's data; a denial becomes an answer. */
static enum dact
replace_rrset(const struct dattack *t, struct dmsg *m, char *note,
	size_t notelen)
{
	ldns_rr_type type = kind_rrtype(t->a.kind);
	const ldns_rdf *owner = chain_end(m);
	struct owner_type ot = { owner, type };
	char before[NOTE_LEN / 2], after[NOTE_LEN / 2];
	uint32_t ttl = DEFAULT_TTL;
	ldns_rr_list *added = ldns_rr_list_new();
	char *own = ldns_rdf2str(owner), *ts = ldns_rr_type2str(type), *text;
	bool denial = m->rcode == LDNS_RCODE_NXDOMAIN;

	for (size_t i = 0; i < ldns_rr_list_rr_count(m->sec[SEC_AN]); i++)
		if (is_owner_type(ldns_rr_list_rr(m->sec[SEC_AN], i), &ot)) {
			ttl = ldns_rr_ttl(ldns_rr_list_rr(m->sec[SEC_AN], i));
			break;
		}
	mitm_dns_rrs_text(m->sec[SEC_AN], type, before, sizeof(before));
	if (list_filter(&m->sec[SEC_AN], is_owner_type, &ot) == 0)
		denial = true;
	for (size_t k = 0; t->data[k] != NULL; k++) {
		char *line = xasprintf("%s %u IN %s %s", own ? own : ".", ttl,
		    ts ? ts : "?", t->data[k]);
		ldns_rr *rr = NULL;

		if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) ==
		    LDNS_STATUS_OK) {
			ldns_rr_list_push_rr(m->sec[SEC_AN], rr);
			ldns_rr_list_push_rr(added, rr);
		}
		free(line);
	}
	if (denial) {
		/* forged: an answer where there was a denial */
		(void)list_filter(&m->sec[SEC_NS], is_denial_rr, NULL);
		m->rcode = LDNS_RCODE_NOERROR;
	}
	if (t->a.kind == MITM_DNS_SPOOF_MX)   /* the real MXes' addresses */
		(void)list_filter(&m->sec[SEC_AR], is_address, NULL);
	mitm_dns_rrs_text(added, type, after, sizeof(after));
	text = xasprintf("replaced %s %s (%s) with %s%s", own ? own : "?",
	    ts ? ts : "?", before, after, denial ?
	    " in place of a denial" : "; its RRSIGs left as they were");
	snprintf(note, notelen, "%s", text);
	free(text);
	ldns_rr_list_free(added);
	free(own);
	free(ts);
	return DACT_CHANGED;
}

static enum dact
strip(struct dmsg *m, char *note, size_t notelen)
{
	size_t n = 0;
	bool ad = m->ad;

	for (int i = 0; i < NSECS; i++)
		n += list_filter(&m->sec[i], is_dnssec_rr, NULL);
	m->ad = false;
	if (n == 0 && !ad)
		return DACT_NONE;
	snprintf(note, notelen, "removed %zu DNSSEC record%s (RRSIG, NSEC, "
	    "DNSKEY, DS)%s", n, n == 1 ? "" : "s", ad ? " and the AD bit" : "");
	return DACT_CHANGED;
}

static enum dact
block(const struct dattack *t, struct dmsg *m, char *note, size_t notelen)
{
	if (!t->a.servfail) {
		snprintf(note, notelen, "dropped the answer");
		return DACT_DROP;
	}
	for (int i = 0; i < NSECS; i++) {
		ldns_rr_list_deep_free(m->sec[i]);
		m->sec[i] = ldns_rr_list_new();
	}
	m->rcode = LDNS_RCODE_SERVFAIL;
	m->aa = m->ad = false;
	snprintf(note, notelen, "answered SERVFAIL in its place");
	return DACT_CHANGED;
}

static bool
matches(struct dattack *t, const struct dmsg *m)
{
	if (t->name != NULL && ldns_dname_compare(t->name, m->qname) != 0)
		return false;
	if (t->a.type != 0 && t->a.type != m->qtype)
		return false;
	t->seen++;
	return t->a.nth == 0 || t->seen == t->a.nth;
}

static enum dact
act(const struct dattack *t, struct dmsg *m, char *note, size_t notelen)
{
	switch (t->a.kind) {
	case MITM_DNS_POISON_TLSA:
	case MITM_DNS_SPOOF_MX:
	case MITM_DNS_SPOOF_A:
		return replace_rrset(t, m, note, notelen);
	case MITM_DNS_STRIP_DNSSEC:
		return strip(m, note, notelen);
	case MITM_DNS_BLOCK:
		return block(t, m, note, notelen);
	case MITM_DNS_HOOK:
		return mitm_dns_hook_run(&t->a, m, note, notelen);
	}
	return DACT_NONE;
}

static void
record(struct mitm_dns *d, const struct dattack *t, const struct dmsg *m,
	enum dact r, const char *note)
{
	char *name = ldns_rdf2str(m->qname), *type = ldns_rr_type2str(m->qtype);
	struct rec_session *s;

	log_debug("dns attacker", "%s %s: %s: %s", name ? name : "?",
	    type ? type : "?", mitm_dns_kind_name(t->a.kind), note);
	if (d->rec != NULL) {
		s = rec_session_new(d->rec, name ? name : "?", d->server, 53);
		s->dns = true;
		rec_set(&s->attack, mitm_dns_kind_name(t->a.kind));
		rec_line(d->rec, s, '>', "%s %s? (%s)", name ? name : "?",
		    type ? type : "?", t->a.at == MITM_DNS_UPSTREAM ?
		    "the resolver face asks the authoritative servers" :
		    "the sender asks the resolver face");
		rec_line(d->rec, s, '!', "attacker (%s, %s): %s",
		    mitm_dns_kind_name(t->a.kind), t->a.at == MITM_DNS_UPSTREAM ?
		    "upstream of the resolver face" : "on the last mile to the "
		    "sender", note);
		if (r == DACT_DROP) {
			rec_set(&s->end, "dropped");
		} else {
			char *rc = ldns_pkt_rcode2str(m->rcode);

			rec_line(d->rec, s, '<', "passed on: %s, %zu answer "
			    "record%s%s",
			    rc ? rc : "?", ldns_rr_list_rr_count(m->sec[SEC_AN]),
			    ldns_rr_list_rr_count(m->sec[SEC_AN]) == 1 ? "" : "s",
			    m->ad ? ", AD" : "");
			rec_set(&s->end, "answered");
			free(rc);
		}
	}
	free(name);
	free(type);
}

static enum dns_tap_verdict
tap(struct mitm_dns *d, enum mitm_dns_at at, const uint8_t *resp, size_t len,
	uint8_t **out, size_t *outlen)
{
	struct dmsg m;
	bool changed = false;
	enum dns_tap_verdict v = DNS_TAP_PASS;

	if (msg_parse(&m, resp, len) < 0)
		return DNS_TAP_PASS;
	for (size_t i = 0; i < d->n && v == DNS_TAP_PASS; i++) {
		struct dattack *t = &d->v[i];
		char note[NOTE_LEN] = "";
		enum dact r;

		if (t->a.at != at || !matches(t, &m))
			continue;
		r = act(t, &m, note, sizeof(note));
		if (r == DACT_NONE)
			continue;
		d->changed++;
		record(d, t, &m, r, note);
		if (r == DACT_DROP)
			v = DNS_TAP_DROP;
		else
			changed = true;
	}
	if (v == DNS_TAP_PASS && changed)
		v = msg_wire(&m, out, outlen) == 0 ? DNS_TAP_REPLACE :
		    DNS_TAP_DROP;
	msg_clear(&m);
	return v;
}

enum dns_tap_verdict
mitm_dns_upstream_tap(void *arg, const uint8_t *resp, size_t len,
	uint8_t **out, size_t *outlen)
{
	return tap(arg, MITM_DNS_UPSTREAM, resp, len, out, outlen);
}

enum dns_tap_verdict
mitm_dns_last_mile_tap(void *arg, const uint8_t *resp, size_t len,
	uint8_t **out, size_t *outlen)
{
	return tap(arg, MITM_DNS_LAST_MILE, resp, len, out, outlen);
}
