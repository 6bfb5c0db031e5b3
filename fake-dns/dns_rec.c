/*
 * dns_rec: what the resolver face puts in the session recorder (see
 * dns_srv_set_rec in dns.h): one exchange (core/record.h, kind REC_DNS)
 * per query a client sent, with the question as it arrived and the
 * answer as it left, after the last-mile tap: name, type, rcode, the AD
 * bit and the answer RRs in short form.  An attacker who changed the
 * answer on the way (attacker/mitm_dns.c records a session of its own,
 * with dns set, at that moment) is named in the exchange's attack.
 *
 * DNSKEY RRs are shown without their key (flags, protocol, algorithm).
 * The question is read from the wire directly (no allocation, no ldns),
 * so it is recorded before the answer is built and its line comes before
 * the attacker's in the recorder's order.  Pure bookkeeping: nothing
 * here logs.
 */
#include "fake-dns/dns_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

#define ANSWER_MAX 400   /* characters of answer summary kept */

/* The question of a wire message: name in presentation form ("." for the
 * root) and type; false when there is none. */
static bool
question(const uint8_t *q, size_t len, char *name, size_t namelen,
    uint16_t *type)
{
	size_t off = 12, n = 0;

	if (len < 12 || (q[4] << 8 | q[5]) == 0)
		return false;
	for (;;) {
		unsigned l;

		if (off >= len)
			return false;
		l = q[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len || n + l + 2 > namelen)
			return false;   /* compression has no place here */
		for (unsigned i = 0; i < l; i++) {
			uint8_t c = q[off + i];
			name[n++] = c > 32 && c < 127 && c != '.' ? (char)c : '?';
		}
		name[n++] = '.';
		off += l;
	}
	if (n == 0)
		name[n++] = '.';
	name[n] = '\0';
	if (off + 4 > len)
		return false;
	*type = (uint16_t)(q[off] << 8 | q[off + 1]);
	return true;
}

static char *
type_name(uint16_t t)
{
	char *s = ldns_rr_type2str((ldns_rr_type)t);

	return s != NULL ? s : xasprintf("TYPE%u", (unsigned)t);
}

struct rec_session *
dns_rec_query(struct rec *r, const char *server, uint16_t port,
    const uint8_t *q, size_t len, const char *peer, bool tcp)
{
	struct rec_session *x;
	char name[300], ip[64];
	uint16_t type = 0;
	char *tn;
	const char *colon = strrchr(peer, ':');

	if (!question(q, len, name, sizeof(name), &type))
		snprintf(name, sizeof(name), "?");
	x = rec_exchange_new(r, REC_DNS, name, server, port);
	if (x == NULL)
		return NULL;
	/* the address only: the client's port is the kernel's choice */
	snprintf(ip, sizeof(ip), "%.*s", colon != NULL ? (int)(colon - peer) :
	    (int)strlen(peer), peer);
	rec_set(&x->x.role, "resolver");
	rec_set(&x->x.client, ip);
	tn = type_name(type);
	rec_set(&x->x.qtype, tn);
	rec_line(r, x, '>', "%s %s?%s", name, tn, tcp ? " (TCP)" : "");
	free(tn);
	return x;
}

/* "MX 10 mx1.example.test." for each answer RR (RRSIGs counted, not
 * shown), "; "-separated, cut at ANSWER_MAX. */
static char *
summary(const ldns_pkt *p)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	struct buf b = { 0 };
	size_t nsig = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		char *t;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
			nsig++;
			continue;
		}
		if (b.len > ANSWER_MAX)
			continue;
		t = type_name((uint16_t)ldns_rr_get_type(rr));
		buf_appendf(&b, "%s%s", b.len > 0 ? "; " : "", t);
		free(t);
		for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
			char *v;
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY && k == 3) {
				buf_appendf(&b, " <key>");   /* flags tell enough */
				break;
			}
			v = ldns_rdf2str(ldns_rr_rdf(rr, k));
			buf_appendf(&b, " %s", v != NULL ? v : "?");
			free(v);
		}
	}
	if (b.len > ANSWER_MAX) {
		b.len = ANSWER_MAX;
		buf_appendf(&b, "...");
	}
	if (nsig > 0)
		buf_appendf(&b, "%s+%zu RRSIG", b.len > 0 ? " " : "", nsig);
	return buf_cstr(&b);
}

/* Attacks recorded since session nbefore, "kind[,kind]", or NULL. */
static char *
attacks_since(const struct rec *r, size_t nbefore)
{
	struct buf b = { 0 };
	size_t n = rec_count(r);

	for (size_t i = nbefore; i < n; i++) {
		const struct rec_session *s = rec_get(r, i);
		if (s->dns && s->attack != NULL)
			buf_appendf(&b, "%s%s", b.len > 0 ? "," : "", s->attack);
	}
	if (b.len == 0) {
		free(b.data);
		return NULL;
	}
	return buf_cstr(&b);
}

void
dns_rec_answer(struct rec *r, struct rec_session *x, size_t nbefore,
    const uint8_t *resp, size_t len)
{
	ldns_pkt *p = NULL;
	char *atk = attacks_since(r, nbefore), *rc, *sum;

	free(x->attack);
	x->attack = atk;
	if (resp == NULL) {
		rec_line(r, x, '!', "no answer sent");
		rec_set(&x->end, "no answer");
		return;
	}
	if (ldns_wire2pkt(&p, resp, len) != LDNS_STATUS_OK) {
		rec_line(r, x, '<', "[%zu bytes that do not parse]", len);
		rec_set(&x->end, "answered");
		return;
	}
	rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(p));
	rec_set(&x->x.rcode, rc != NULL ? rc : "?");
	x->x.ad = ldns_pkt_ad(p);
	sum = summary(p);
	rec_set(&x->x.answer, sum);
	rec_line(r, x, '<', "%s%s%s%s%s", rc != NULL ? rc : "?",
	    x->x.ad ? " AD" : "", ldns_pkt_tc(p) ? " TC" : "",
	    sum[0] != '\0' ? ": " : "", sum[0] != '\0' ? sum :
	    ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR ? " (no data)" : "");
	rec_set(&x->end, "answered");
	free(sum);
	free(rc);
	ldns_pkt_free(p);
}
