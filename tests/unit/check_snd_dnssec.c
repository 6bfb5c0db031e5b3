/*
 * Tests for senders/builtin/snd_dnssec.c: the reference sender's stub
 * resolver validating DNSSEC itself against the world's trust anchor.
 * A signed tree (".", test., example.test.; other.test. an unsigned
 * delegation; bad.test. bogus) served by fake-dns on the loop, and a
 * last-mile tap written here (ldns) that strips signatures or forges AD
 * between the resolver face and the stub.  With the anchor, stripped
 * data is bogus (SERVFAIL) and a forged AD is ignored; without it the
 * stub believes the resolver's AD (what builtin:trust-ad shows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "core/loop.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "senders/builtin/snd_dns.h"
#include "tests/unit/testutil.h"

#define T0 1767225600
#define SRC "127.1.0.1"
#define DNS_ADDR "127.53.0.1"

enum tap_mode { TAP_NONE, TAP_STRIP, TAP_STRIP_TLSA, TAP_FORGE_AD };

struct world {
	struct loop *l;
	struct dns_db *db;
	struct dns_srv *dns;
	char *anchor;
	enum tap_mode tap;
	unsigned tapped;
};

static struct world W;

static const char *rrs[] = {
	"example.test. MX 10 mx1.example.test.",
	"mx1.example.test. A 127.25.0.11",
	"alias.example.test. CNAME mx1.example.test.",
	"_25._tcp.mx1.example.test. TLSA 3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"mx.other.test. A 127.25.0.13",
	"mx.bad.test. A 127.25.0.14",
};

/* The last-mile attacker of these tests. */
static enum dns_tap_verdict
tap(void *arg, const uint8_t *resp, size_t len, uint8_t **out, size_t *outlen)
{
	struct world *w = arg;
	ldns_pkt *p = NULL;
	ldns_pkt_section secs[] = { LDNS_SECTION_ANSWER,
		LDNS_SECTION_AUTHORITY, LDNS_SECTION_ADDITIONAL };
	bool strip = w->tap == TAP_STRIP;

	if (w->tap == TAP_NONE || ldns_wire2pkt(&p, resp, len) != LDNS_STATUS_OK)
		return DNS_TAP_PASS;
	if (w->tap == TAP_STRIP_TLSA) {
		const ldns_rr_list *q = ldns_pkt_question(p);
		strip = ldns_rr_list_rr_count(q) == 1 &&
		    ldns_rr_get_type(ldns_rr_list_rr(q, 0)) == LDNS_RR_TYPE_TLSA;
	}
	if (strip) {
		for (size_t s = 0; s < ARRAY_LEN(secs); s++) {
			ldns_rr_list *l = ldns_pkt_get_section_clone(p, secs[s]);
			ldns_rr_list *keep = ldns_rr_list_new();
			for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
				ldns_rr *rr = ldns_rr_list_rr(l, i);
				ldns_rr_type t = ldns_rr_get_type(rr);
				if (t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
				    t == LDNS_RR_TYPE_DNSKEY || t == LDNS_RR_TYPE_DS)
					ldns_rr_free(rr);
				else
					ldns_rr_list_push_rr(keep, rr);
			}
			ldns_rr_list_free(l);
			if (secs[s] == LDNS_SECTION_ANSWER) {
				ldns_rr_list_deep_free(ldns_pkt_answer(p));
				ldns_pkt_set_answer(p, keep);
			} else if (secs[s] == LDNS_SECTION_AUTHORITY) {
				ldns_rr_list_deep_free(ldns_pkt_authority(p));
				ldns_pkt_set_authority(p, keep);
			} else {
				ldns_rr_list_deep_free(ldns_pkt_additional(p));
				ldns_pkt_set_additional(p, keep);
			}
		}
		ldns_pkt_set_ancount(p, (uint16_t)ldns_rr_list_rr_count(ldns_pkt_answer(p)));
		ldns_pkt_set_nscount(p, (uint16_t)ldns_rr_list_rr_count(ldns_pkt_authority(p)));
		ldns_pkt_set_arcount(p, (uint16_t)ldns_rr_list_rr_count(ldns_pkt_additional(p)));
		ldns_pkt_set_ad(p, false);
	} else if (w->tap == TAP_FORGE_AD) {
		ldns_pkt_set_ad(p, true);
	}
	ck_assert(ldns_pkt2wire(out, p, outlen) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
	w->tapped++;
	return DNS_TAP_REPLACE;
}

static struct world *
world_new(void)
{
	static const char *zones[] = { ".", "test.", "example.test.",
		"other.test.", "bad.test." };
	struct world *w = &W;
	char err[256];
	size_t len = 0;
	FILE *f;

	tu_netns();
	log_set(stderr, getenv("TEST_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	memset(w, 0, sizeof(*w));
	w->l = loop_new(LOOP_SKIP, T0);
	w->db = dns_db_new();
	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		ck_assert_msg(dns_db_add_zone(w->db, zones[i], DNS_ADDR, err,
		    sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < ARRAY_LEN(rrs); i++)
		ck_assert_msg(dns_db_add_rr(w->db, rrs[i], err, sizeof(err)) == 0,
		    "%s: %s", rrs[i], err);
	ck_assert(dns_db_set_state(w->db, "other.test", DNS_SEC_INSECURE, NULL,
	    err, sizeof(err)) == 0);
	ck_assert(dns_db_set_state(w->db, "bad.test", DNS_SEC_BOGUS, NULL,
	    err, sizeof(err)) == 0);
	ck_assert_msg(dns_db_sign(w->db, 7, T0, err, sizeof(err)) == 0, "%s", err);
	f = open_memstream(&w->anchor, &len);
	ck_assert_int_eq(dns_db_print_anchor(w->db, DNS_ANCHOR_ZONEFILE, f), 0);
	fclose(f);
	w->dns = dns_srv_new(w->l, w->db, DNS_ADDR, 53, err, sizeof(err));
	ck_assert_msg(w->dns != NULL, "dns_srv_new: %s", err);
	dns_srv_set_tap(w->dns, tap, w);
	return w;
}

static void
world_fini(struct world *w)
{
	dns_srv_free(w->dns);
	ck_assert_uint_eq(loop_nfds(w->l), 0);
	ck_assert_uint_eq(loop_ntimers(w->l), 0);
	dns_db_free(w->db);
	loop_free(w->l);
	free(w->anchor);
	memset(w, 0, sizeof(*w));
}

static struct snd_dns *
stub(struct world *w, bool validate)
{
	struct snd_dns *d = snd_dns_new(w->l, SRC, DNS_ADDR, 53);
	char err[256];

	ck_assert_ptr_nonnull(d);
	if (validate)
		ck_assert_msg(snd_dns_set_anchor(d, w->anchor, err, sizeof(err)) == 0,
		    "%s", err);
	return d;
}

struct qres {
	bool done;
	int rcode;
	bool ad;
	size_t n;
	char first[256];
	char why[512];
};

static void
on_answer(const struct snd_dns_answer *a, void *arg)
{
	struct qres *r = arg;

	r->done = true;
	r->rcode = a->rcode;
	r->ad = a->ad;
	r->n = a->nrdata;
	if (a->nrdata > 0)
		snprintf(r->first, sizeof(r->first), "%s", a->rdata[0]);
	snprintf(r->why, sizeof(r->why), "%s", a->why ? a->why : "");
}

static bool
q_done(void *arg)
{
	return ((struct qres *)arg)->done;
}

static struct qres
ask(struct world *w, struct snd_dns *d, const char *name, uint16_t type)
{
	struct qres r;

	memset(&r, 0, sizeof(r));
	ck_assert_uint_ne(snd_dns_query(d, name, type, on_answer, &r), 0);
	ck_assert(!r.done);
	ck_assert_int_eq(loop_run_until(w->l, q_done, &r,
	    loop_now(w->l) + 120000), 0);
	return r;
}

START_TEST(validates_secure_insecure_and_denials)
{
	struct world *w = world_new();
	struct snd_dns *d = stub(w, true);
	struct qres r;

	r = ask(w, d, "example.test", SND_DNS_MX);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert_msg(r.ad, "a signed MX RRset validated by the stub");
	ck_assert_str_eq(r.first, "10 mx1.example.test");
	r = ask(w, d, "alias.example.test", SND_DNS_A);   /* CNAME chain */
	ck_assert(r.ad);
	ck_assert_str_eq(r.first, "127.25.0.11");
	r = ask(w, d, "_25._tcp.mx1.example.test", SND_DNS_TLSA);
	ck_assert(r.ad);
	ck_assert_uint_eq(r.n, 1);
	/* secure denials: NXDOMAIN, NODATA, and an empty non-terminal */
	r = ask(w, d, "nothere.example.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_NXDOMAIN);
	ck_assert(r.ad);
	r = ask(w, d, "mx1.example.test", SND_DNS_TLSA);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert_uint_eq(r.n, 0);
	ck_assert(r.ad);
	r = ask(w, d, "_tcp.mx1.example.test", SND_DNS_TXT);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert(r.ad);
	/* below a proven unsigned delegation: insecure, data kept */
	r = ask(w, d, "mx.other.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert(!r.ad);
	ck_assert_str_eq(r.first, "127.25.0.13");
	/* a bogus zone: the resolver's SERVFAIL passes through */
	r = ask(w, d, "mx.bad.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_SERVFAIL);
	ck_assert_uint_eq(w->tapped, 0);
	snd_dns_free(d);
	world_fini(w);
}
END_TEST

START_TEST(last_mile_strip_is_bogus)
{
	struct world *w = world_new();
	struct snd_dns *v = stub(w, true), *t = stub(w, false);
	struct qres r;

	w->tap = TAP_STRIP;
	/* the AD-trusting stub is downgraded: insecure data */
	r = ask(w, t, "example.test", SND_DNS_MX);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert(!r.ad);
	ck_assert_str_eq(r.first, "10 mx1.example.test");
	/* the validating one is not: the root's keys are gone, bogus */
	r = ask(w, v, "example.test", SND_DNS_MX);
	ck_assert_int_eq(r.rcode, SND_DNS_SERVFAIL);
	ck_assert_msg(strstr(r.why, "bogus") != NULL, "why: %s", r.why);
	ck_assert_uint_eq(r.n, 0);
	/* an insecure zone cannot be proven insecure without the signed
	 * NSEC of its parent: bogus too */
	r = ask(w, v, "mx.other.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_SERVFAIL);
	snd_dns_free(v);
	snd_dns_free(t);
	world_fini(w);
}
END_TEST

START_TEST(strip_one_type_and_forged_ad)
{
	struct world *w = world_new();
	struct snd_dns *v = stub(w, true), *t = stub(w, false);
	struct qres r;

	/* only TLSA answers lose their signatures: the chain is intact,
	 * the TLSA RRset is unsigned in a signed zone */
	w->tap = TAP_STRIP_TLSA;
	r = ask(w, v, "mx1.example.test", SND_DNS_A);
	ck_assert(r.ad);
	r = ask(w, v, "_25._tcp.mx1.example.test", SND_DNS_TLSA);
	ck_assert_int_eq(r.rcode, SND_DNS_SERVFAIL);
	ck_assert_msg(strstr(r.why, "TLSA") != NULL, "why: %s", r.why);
	/* AD forged on insecure data: believed by one stub only */
	w->tap = TAP_FORGE_AD;
	r = ask(w, t, "mx.other.test", SND_DNS_A);
	ck_assert(r.ad);
	r = ask(w, v, "mx.other.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert(!r.ad);
	snd_dns_free(v);
	snd_dns_free(t);
	world_fini(w);
}
END_TEST

static void
never(const struct snd_dns_answer *a, void *arg)
{
	(void)a;
	(void)arg;
	ck_abort_msg("callback of a cancelled query");
}

static bool
after_first_answer(void *arg)
{
	return *(unsigned *)arg > 0;
}

START_TEST(cancel_and_free_while_validating)
{
	struct world *w = world_new();
	struct snd_dns *d = stub(w, true);
	uint64_t id;

	/* the first answer arrives, the walk starts asking: cancel then */
	w->tap = TAP_FORGE_AD;   /* counts answers, harmless here */
	id = snd_dns_query(d, "_25._tcp.mx1.example.test", SND_DNS_TLSA, never,
	    NULL);
	ck_assert_uint_ne(id, 0);
	(void)loop_run_until(w->l, after_first_answer, &w->tapped,
	    loop_now(w->l) + 60000);
	ck_assert_uint_ge(snd_dns_pending(d), 1);
	snd_dns_cancel(d, id);
	/* the walk's own query went with it */
	ck_assert_uint_eq(snd_dns_pending(d), 0);
	/* and freeing with validations in flight */
	id = snd_dns_query(d, "example.test", SND_DNS_MX, never, NULL);
	ck_assert_uint_ne(id, 0);
	w->tapped = 0;
	(void)loop_run_until(w->l, after_first_answer, &w->tapped,
	    loop_now(w->l) + 60000);
	snd_dns_free(d);
	world_fini(w);
}
END_TEST

START_TEST(bad_anchor)
{
	struct loop *l = loop_new(LOOP_SKIP, T0);
	struct snd_dns *d = snd_dns_new(l, SRC, DNS_ADDR, 53);
	char err[256];

	ck_assert_int_eq(snd_dns_set_anchor(d, "", err, sizeof(err)), -1);
	ck_assert_int_eq(snd_dns_set_anchor(d, "example.test. 300 IN DS 1 15 2 "
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a DS or DNSKEY of \".\"") != NULL, "%s", err);
	ck_assert_int_eq(snd_dns_set_anchor(d, "garbage here", err, sizeof(err)), -1);
	snd_dns_free(d);
	loop_free(l);
}
END_TEST

static Suite *
dnssec_suite(void)
{
	Suite *s = suite_create("snd_dnssec");
	TCase *tc = tcase_create("validation");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, validates_secure_insecure_and_denials);
	tcase_add_test(tc, last_mile_strip_is_bogus);
	tcase_add_test(tc, strip_one_type_and_forged_ad);
	tcase_add_test(tc, cancel_and_free_while_validating);
	tcase_add_test(tc, bad_anchor);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dnssec_suite)
