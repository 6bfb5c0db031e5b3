/*
 * Unit tests for attacker/mitm_dns.c and mitm_dns_hook.c: the DNS
 * attacker on fake-dns's taps, without I/O.  Upstream (transit tap) the
 * resolver face validates what the attacker returns: every change in a
 * signed zone is bogus (SERVFAIL; the changed data visible with CD), in
 * an unsigned zone it goes through.  On the last mile (the tap called on
 * a real answer of the resolver face) nothing validates after it.  Also:
 * name, type and nth filters, block (drop, SERVFAIL), the records each
 * change leaves in the recorder, configuration errors, and the Lua hook
 * (rewrite, drop, errors that stop it).
 */
#include <string.h>

#include <ldns/ldns.h>

#include "attacker/mitm_dns.h"
#include "core/record.h"
#include "core/sandbox.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "testutil.h"

#define CLOCK 1780272000 /* 2026-06-01T00:00:00Z */
#define Q_CD 1
#define Q_DO 2

static const char *rrs[] = {
	"example.test. MX 10 mx1.example.test.",
	"mx1.example.test. A 127.25.0.11",
	"_25._tcp.mx1.example.test. TLSA 3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"other.test. MX 10 mx.other.test.",
	"mx.other.test. A 127.25.0.13",
	"_25._tcp.mx.other.test. TLSA 3 1 1 "
	    "1111111111111111111111111111111111111111111111111111111111111111",
};

#define EVIL_HEX "abababababababababababababababababababababababababababababababab"

/* ".", test., example.test. secure; other.test. insecure. */
static struct dns_db *
tree(void)
{
	static const char *zones[] = { ".", "test.", "example.test.",
		"other.test." };
	struct dns_db *db = dns_db_new();
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		ck_assert(dns_db_add_zone(db, zones[i], "127.53.0.1", err,
		    sizeof(err)) == 0);
	for (size_t i = 0; i < ARRAY_LEN(rrs); i++)
		ck_assert_msg(dns_db_add_rr(db, rrs[i], err, sizeof(err)) == 0,
		    "%s", err);
	ck_assert(dns_db_set_state(db, "other.test", DNS_SEC_INSECURE, NULL,
	    err, sizeof(err)) == 0);
	ck_assert_msg(dns_db_sign(db, 7, CLOCK, err, sizeof(err)) == 0, "%s",
	    err);
	return db;
}

/* A recursive query with EDNS (DO, CD per flags), answered by db. */
static ldns_pkt *
ask(struct dns_db *db, const char *name, ldns_rr_type type, unsigned flags)
{
	ldns_pkt *q = NULL, *r = NULL;
	uint8_t *wire = NULL, *resp = NULL;
	size_t len = 0, rlen = 0;

	ck_assert(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN,
	    LDNS_RD) == LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0x4242);
	ldns_pkt_set_edns_udp_size(q, 1232);
	ldns_pkt_set_edns_do(q, (flags & Q_DO) != 0);
	ldns_pkt_set_cd(q, (flags & Q_CD) != 0);
	ck_assert(ldns_pkt2wire(&wire, q, &len) == LDNS_STATUS_OK);
	ldns_pkt_free(q);
	ck_assert_int_eq(dns_db_answer_at(db, CLOCK, wire, len, true, &resp,
	    &rlen, NULL), 0);
	ck_assert(ldns_wire2pkt(&r, resp, rlen) == LDNS_STATUS_OK);
	free(wire);
	free(resp);
	return r;
}

/* Does section an of p hold a record of type t whose text has needle? */
static bool
has(const ldns_pkt *p, ldns_rr_type t, const char *needle)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		char *s;
		bool yes;

		if (ldns_rr_get_type(ldns_rr_list_rr(an, i)) != t)
			continue;
		s = ldns_rr2str(ldns_rr_list_rr(an, i));
		yes = s != NULL && strcasestr(s, needle) != NULL;
		free(s);
		if (yes)
			return true;
	}
	return false;
}

static size_t
count_type(const ldns_pkt *p, ldns_rr_type t)
{
	size_t n = 0;
	ldns_rr_list *secs[3] = { ldns_pkt_answer(p), ldns_pkt_authority(p),
		ldns_pkt_additional(p) };

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(secs[k]); i++)
			n += ldns_rr_get_type(ldns_rr_list_rr(secs[k], i)) == t;
	return n;
}

static struct mitm_dns *
attacker(const struct mitm_dns_attack *a, size_t n, struct rec *r)
{
	struct mitm_dns_config cfg = { a, n, r, "127.53.0.1" };
	char err[256];
	struct mitm_dns *d = mitm_dns_new(&cfg, err, sizeof(err));

	ck_assert_msg(d != NULL, "%s", err);
	return d;
}

static const char *const evil_tlsa[] = { "3 1 1 " EVIL_HEX, NULL };

START_TEST(test_poison_secure_is_bogus)
{
	struct dns_db *db = tree();
	struct mitm_dns_attack a = { .kind = MITM_DNS_POISON_TLSA,
		.at = MITM_DNS_UPSTREAM, .name = "_25._tcp.mx1.example.test",
		.type = LDNS_RR_TYPE_TLSA, .data = evil_tlsa };
	struct rec *r = rec_new(NULL);
	struct mitm_dns *d = attacker(&a, 1, r);
	ldns_pkt *p;

	/* without the attacker: secure, AD */
	p = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(ldns_pkt_ad(p));
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	ldns_pkt_free(p);
	/* with CD the resolver hands over what it got: the poison */
	p = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_DO | Q_CD);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, EVIL_HEX));
	ck_assert(!has(p, LDNS_RR_TYPE_TLSA, "0123456789abcdef"));
	ck_assert(!ldns_pkt_ad(p));
	ldns_pkt_free(p);
	/* other names and types are left alone */
	p = ask(db, "mx1.example.test", LDNS_RR_TYPE_A, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(ldns_pkt_ad(p));
	ldns_pkt_free(p);
	ck_assert_uint_eq(mitm_dns_changed(d), 2);
	/* recorded: a dns session per change, with a '!' note */
	ck_assert_uint_eq(rec_count(r), 2);
	{
		struct rec_session *s = rec_get(r, 0);
		bool note = false;

		ck_assert(s->dns);
		ck_assert_str_eq(s->attack, "poison_tlsa");
		ck_assert_str_eq(s->host, "_25._tcp.mx1.example.test.");
		ck_assert_uint_eq(s->port, 53);
		for (size_t i = 0; i < s->nlines; i++)
			note |= s->lines[i].dir == '!' &&
			    strstr(s->lines[i].text, EVIL_HEX) != NULL &&
			    strstr(s->lines[i].text, "upstream") != NULL;
		ck_assert(note);
	}
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	rec_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(test_poison_insecure_goes_through)
{
	struct dns_db *db = tree();
	struct mitm_dns_attack a = { .kind = MITM_DNS_POISON_TLSA,
		.at = MITM_DNS_UPSTREAM, .name = "_25._tcp.mx.other.test",
		.data = evil_tlsa };
	struct mitm_dns *d = attacker(&a, 1, NULL);
	ldns_pkt *p;

	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, EVIL_HEX));
	ck_assert(!ldns_pkt_ad(p));
	ldns_pkt_free(p);
	/* a denial becomes an answer (name with no TLSA in the insecure zone) */
	mitm_dns_free(d);
	a.name = "_25._tcp.nothing.other.test";
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.nothing.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, EVIL_HEX));
	ck_assert_uint_eq(count_type(p, LDNS_RR_TYPE_SOA), 0);
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	dns_db_free(db);
}
END_TEST

START_TEST(test_spoof_mx_and_a)
{
	static const char *const mx[] = { "10 evil.attacker.test.", NULL };
	static const char *const addr[] = { "127.66.0.1", NULL };
	struct dns_db *db = tree();
	struct mitm_dns_attack a[] = {
		{ .kind = MITM_DNS_SPOOF_MX, .at = MITM_DNS_UPSTREAM,
		  .type = LDNS_RR_TYPE_MX, .data = mx },
		{ .kind = MITM_DNS_SPOOF_A, .at = MITM_DNS_UPSTREAM,
		  .type = LDNS_RR_TYPE_A, .data = addr },
	};
	struct mitm_dns *d = attacker(a, 2, NULL);
	ldns_pkt *p;

	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	/* signed: bogus */
	p = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	p = ask(db, "mx1.example.test", LDNS_RR_TYPE_A, 0);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	/* unsigned: forged, and the real MX's address is gone from the
	 * additional section */
	p = ask(db, "other.test", LDNS_RR_TYPE_MX, 0);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(has(p, LDNS_RR_TYPE_MX, "evil.attacker.test."));
	ck_assert(!has(p, LDNS_RR_TYPE_MX, "mx.other.test."));
	ck_assert_uint_eq(count_type(p, LDNS_RR_TYPE_A), 0);
	ldns_pkt_free(p);
	p = ask(db, "mx.other.test", LDNS_RR_TYPE_A, 0);
	ck_assert(has(p, LDNS_RR_TYPE_A, "127.66.0.1"));
	ck_assert(!has(p, LDNS_RR_TYPE_A, "127.25.0.13"));
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	dns_db_free(db);
}
END_TEST

/* A real answer of the resolver face, in wire form. */
static uint8_t *
answer_wire(struct dns_db *db, const char *name, ldns_rr_type t, size_t *len)
{
	ldns_pkt *p = ask(db, name, t, Q_DO);
	uint8_t *w = NULL;

	ck_assert(ldns_pkt2wire(&w, p, len) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

START_TEST(test_strip_dnssec)
{
	struct dns_db *db = tree();
	struct mitm_dns_attack a = { .kind = MITM_DNS_STRIP_DNSSEC,
		.at = MITM_DNS_LAST_MILE };
	struct mitm_dns *d = attacker(&a, 1, NULL);
	size_t len, olen = 0;
	uint8_t *w = answer_wire(db, "_25._tcp.mx1.example.test",
	    LDNS_RR_TYPE_TLSA, &len), *out = NULL;
	ldns_pkt *p = NULL;

	/* the last mile: AD and RRSIGs gone, the data kept */
	ck_assert_int_eq(mitm_dns_last_mile_tap(d, w, len, &out, &olen),
	    DNS_TAP_REPLACE);
	ck_assert(ldns_wire2pkt(&p, out, olen) == LDNS_STATUS_OK);
	ck_assert(!ldns_pkt_ad(p));
	ck_assert_uint_eq(count_type(p, LDNS_RR_TYPE_RRSIG), 0);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, "0123456789abcdef"));
	ck_assert_uint_eq(ldns_pkt_id(p), 0x4242);
	ldns_pkt_free(p);
	free(out);
	/* an upstream tap of the same attacker does nothing (position) */
	out = NULL;
	ck_assert_int_eq(mitm_dns_upstream_tap(d, w, len, &out, &olen),
	    DNS_TAP_PASS);
	ck_assert_ptr_null(out);
	free(w);
	mitm_dns_free(d);
	/* upstream: the resolver face sees a signed zone without RRSIGs */
	a.at = MITM_DNS_UPSTREAM;
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	/* an unsigned zone has nothing to strip: insecure either way */
	p = ask(db, "mx.other.test", LDNS_RR_TYPE_A, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	dns_db_free(db);
}
END_TEST

START_TEST(test_block_and_nth)
{
	struct dns_db *db = tree();
	struct mitm_dns_attack a = { .kind = MITM_DNS_BLOCK,
		.at = MITM_DNS_LAST_MILE, .type = LDNS_RR_TYPE_TLSA, .nth = 2 };
	struct mitm_dns *d = attacker(&a, 1, NULL);
	size_t len, olen = 0;
	uint8_t *w = answer_wire(db, "_25._tcp.mx1.example.test",
	    LDNS_RR_TYPE_TLSA, &len), *out = NULL;
	uint8_t *wa = NULL;
	size_t alen;
	ldns_pkt *p = NULL;

	/* only the 2nd matching answer; the A answer does not count */
	wa = answer_wire(db, "mx1.example.test", LDNS_RR_TYPE_A, &alen);
	ck_assert_int_eq(mitm_dns_last_mile_tap(d, wa, alen, &out, &olen),
	    DNS_TAP_PASS);
	ck_assert_int_eq(mitm_dns_last_mile_tap(d, w, len, &out, &olen),
	    DNS_TAP_PASS);
	ck_assert_int_eq(mitm_dns_last_mile_tap(d, w, len, &out, &olen),
	    DNS_TAP_DROP);
	ck_assert_int_eq(mitm_dns_last_mile_tap(d, w, len, &out, &olen),
	    DNS_TAP_PASS);
	mitm_dns_free(d);
	/* servfail: an answer with rcode 2 and nothing in it */
	a.servfail = true;
	a.nth = 0;
	d = attacker(&a, 1, NULL);
	ck_assert_int_eq(mitm_dns_last_mile_tap(d, w, len, &out, &olen),
	    DNS_TAP_REPLACE);
	ck_assert(ldns_wire2pkt(&p, out, olen) == LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	free(out);
	mitm_dns_free(d);
	/* upstream drop: the resolver face's upstream timed out: SERVFAIL */
	a.servfail = false;
	a.at = MITM_DNS_UPSTREAM;
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	free(w);
	free(wa);
	dns_db_free(db);
}
END_TEST

START_TEST(test_config_errors)
{
	static const char *const bad_tlsa[] = { "3 1 1 zz", NULL };
	static const char *const bad_a[] = { "not-an-address", NULL };
	struct mitm_dns_attack a = { .kind = MITM_DNS_POISON_TLSA };
	struct mitm_dns_config cfg = { &a, 1, NULL, NULL };
	char err[256];

	/* no data */
	ck_assert_ptr_null(mitm_dns_new(&cfg, err, sizeof(err)));
	ck_assert(strstr(err, "needs data") != NULL);
	a.data = bad_tlsa;
	ck_assert_ptr_null(mitm_dns_new(&cfg, err, sizeof(err)));
	ck_assert(strstr(err, "not TLSA data") != NULL);
	a.kind = MITM_DNS_SPOOF_A;
	a.data = bad_a;
	ck_assert_ptr_null(mitm_dns_new(&cfg, err, sizeof(err)));
	ck_assert(strstr(err, "not A data") != NULL);
	a.kind = MITM_DNS_HOOK;
	a.data = NULL;
	ck_assert_ptr_null(mitm_dns_new(&cfg, err, sizeof(err)));
	ck_assert(strstr(err, "without a function") != NULL);
	ck_assert_int_eq(mitm_dns_kind_lookup("poison_tlsa"),
	    MITM_DNS_POISON_TLSA);
	ck_assert_int_eq(mitm_dns_kind_lookup("nope"), -1);
	ck_assert_str_eq(mitm_dns_kind_name(MITM_DNS_HOOK), "dns_hook");
	/* a tap with garbage passes it on untouched */
	{
		struct mitm_dns_attack s = { .kind = MITM_DNS_STRIP_DNSSEC };
		struct mitm_dns_config c2 = { &s, 1, NULL, NULL };
		struct mitm_dns *d = mitm_dns_new(&c2, err, sizeof(err));
		uint8_t junk[5] = { 1, 2, 3, 4, 5 }, *out = NULL;
		size_t olen = 0;

		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(mitm_dns_upstream_tap(d, junk, sizeof(junk),
		    &out, &olen), DNS_TAP_PASS);
		mitm_dns_free(d);
	}
	mitm_dns_free(NULL);
}
END_TEST

/* A sandbox whose chunk returns the hook function; its ref. */
static struct sandbox *
hook_sandbox(const char *src, int *ref)
{
	struct sandbox *sb = sandbox_new(SANDBOX_MEM_DEFAULT,
	    SANDBOX_INSNS_DEFAULT);
	char err[512];

	ck_assert_msg(sandbox_run_string(sb, "hook.lua", src, strlen(src), err,
	    sizeof(err)) == 0, "%s", err);
	*ref = sandbox_ref(sb, -1);
	ck_assert_int_gt(*ref, 0);
	lua_pop(sandbox_lua(sb), 1);
	return sb;
}

START_TEST(test_hook)
{
	struct dns_db *db = tree();
	struct mitm_dns_attack a = { .kind = MITM_DNS_HOOK,
		.at = MITM_DNS_UPSTREAM, .type = LDNS_RR_TYPE_TLSA };
	struct mitm_dns *d;
	struct rec *r = rec_new(NULL);
	ldns_pkt *p;

	/* rewrite: sees q and a, returns the answer it becomes */
	a.sb = hook_sandbox(
	    "return function(q, a)\n"
	    "  assert(q.type == 'TLSA' and a.rcode == 'NOERROR')\n"
	    "  a.answer = { q.name .. ' 300 IN TLSA 3 1 1 " EVIL_HEX "' }\n"
	    "  return a\n"
	    "end\n", &a.ref);
	d = attacker(&a, 1, r);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, EVIL_HEX));
	ldns_pkt_free(p);
	p = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	ck_assert_uint_eq(rec_count(r), 2);
	ck_assert_str_eq(rec_get(r, 0)->attack, "dns_hook");
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	sandbox_free(a.sb);

	/* false drops (upstream: SERVFAIL); nil passes */
	a.sb = hook_sandbox("return function(q, a)\n"
	    "  if q.name:find('other') then return false end\n"
	    "end\n", &a.ref);
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	p = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_DO);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert(ldns_pkt_ad(p));
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	sandbox_free(a.sb);

	/* a record that does not parse: the answer passes as it was */
	a.sb = hook_sandbox("return function(q, a)\n"
	    "  return { answer = { 'this is not a record' } }\n"
	    "end\n", &a.ref);
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, "1111111111"));
	ldns_pkt_free(p);
	ck_assert_uint_eq(mitm_dns_changed(d), 0);
	/* ... and fails the hook at the function's file:line */
	ck_assert_ptr_nonnull(sandbox_error(a.sb));
	ck_assert_msg(strstr(sandbox_error(a.sb), "hook.lua:1: on_dns_answer: "
	    "answer[1] does not parse") != NULL, "%s", sandbox_error(a.sb));
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	sandbox_free(a.sb);

	/* a Lua error (and a runaway loop) stops the hook for good, with
	 * file:line; the answers pass */
	a.sb = hook_sandbox("return function(q, a)\n"
	    "  error('boom')\n"
	    "end\n", &a.ref);
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, "1111111111"));
	ldns_pkt_free(p);
	ck_assert_ptr_nonnull(sandbox_error(a.sb));
	ck_assert_msg(strstr(sandbox_error(a.sb), "hook.lua:2:") != NULL, "%s",
	    sandbox_error(a.sb));
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, "1111111111"));
	ldns_pkt_free(p);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	sandbox_free(a.sb);

	a.sb = hook_sandbox("return function(q, a)\n"
	    "  while true do end\n"
	    "end\n", &a.ref);
	d = attacker(&a, 1, NULL);
	dns_db_set_transit_tap(db, mitm_dns_upstream_tap, d);
	p = ask(db, "_25._tcp.mx.other.test", LDNS_RR_TYPE_TLSA, 0);
	ck_assert(has(p, LDNS_RR_TYPE_TLSA, "1111111111"));
	ldns_pkt_free(p);
	ck_assert(strstr(sandbox_error(a.sb), "instruction") != NULL);
	dns_db_set_transit_tap(db, NULL, NULL);
	mitm_dns_free(d);
	sandbox_free(a.sb);
	rec_free(r);
	dns_db_free(db);
}
END_TEST

static Suite *
mitm_dns_suite(void)
{
	Suite *s = suite_create("mitm_dns");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_poison_secure_is_bogus);
	tcase_add_test(tc, test_poison_insecure_goes_through);
	tcase_add_test(tc, test_spoof_mx_and_a);
	tcase_add_test(tc, test_strip_dnssec);
	tcase_add_test(tc, test_block_and_nth);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_hook);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(mitm_dns_suite)
