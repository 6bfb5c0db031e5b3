/*
 * Unit tests for fake-dns/dns_resolver.c: the validating resolver face.
 * Without I/O: the flags (AD only for secure data and only when the
 * query set DO or AD, SERVFAIL for bogus unless CD, RRSIGs only with DO),
 * insecure delegations, every bogus kind, validation time, faults, UDP
 * truncation.  With real sockets in a private network namespace and a
 * LOOP_REAL loop: delv (bind9-dnsutils), a validator nobody here wrote,
 * validates each DNSSEC state with the exported trust anchor and must
 * agree with the resolver face; dig shows the flags on the wire.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "core/loop.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "testutil.h"

#define CLOCK 1780272000 /* 2026-06-01T00:00:00Z */
#define DAY 86400

#define Q_RD 1
#define Q_DO 2
#define Q_AD 4
#define Q_CD 8
#define Q_UDP 16
#define Q_NOEDNS 32

static const char *world_rrs[] = {
	"evil.attacker.test. A 127.66.0.1",
	"example.test. MX 10 mx1.example.test.",
	"example.test. MX 20 mx2.example.test.",
	"mx1.example.test. A 127.25.0.11",
	"mx2.example.test. A 127.25.0.12",
	"_25._tcp.mx1.example.test. TLSA 3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"www.example.test. CNAME host.other.test.",
	"mx.other.test. A 127.25.0.13",
	"host.other.test. A 127.25.0.14",
	"alias.other.test. CNAME mx1.example.test.",
	"a.b.c.example.test. A 127.0.0.9",
	"forged.example.test. A 127.0.0.10",
};

/* ".", test., attacker.test. secure, example.test. in state ex, other.test.
 * insecure, signed at clock. */
static struct dns_db *
tree(enum dns_sec_state ex, const char *kind, time_t clock)
{
	static const char *zones[] = { ".", "test.", "attacker.test.",
		"example.test.", "other.test." };
	struct dns_db *db = dns_db_new();
	char err[256], line[160];

	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		ck_assert_msg(dns_db_add_zone(db, zones[i], "127.53.0.1", err,
		    sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < ARRAY_LEN(world_rrs); i++)
		ck_assert_msg(dns_db_add_rr(db, world_rrs[i], err,
		    sizeof(err)) == 0, "%s: %s", world_rrs[i], err);
	/* 14 strings of 66 bytes: 1151 bytes unsigned, more signed */
	for (int i = 0; i < 14; i++) {
		snprintf(line, sizeof(line), "big.example.test. TXT \"%02d %.63s\"",
		    i, "fourteen records that fit in 1232 bytes, until signed ....."
		    "..........");
		ck_assert(dns_db_add_rr(db, line, err, sizeof(err)) == 0);
	}
	ck_assert(dns_db_set_state(db, "example.test", ex, kind, err,
	    sizeof(err)) == 0);
	ck_assert(dns_db_set_state(db, "other.test", DNS_SEC_INSECURE, NULL,
	    err, sizeof(err)) == 0);
	ck_assert_msg(dns_db_sign(db, 42, clock, err, sizeof(err)) == 0, "%s",
	    err);
	return db;
}

static uint8_t *
query_wire(const char *name, ldns_rr_type type, unsigned flags, size_t *len)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;

	ck_assert(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN,
	    (flags & Q_RD) ? LDNS_RD : 0) == LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0x5353);
	if (!(flags & Q_NOEDNS))
		ldns_pkt_set_edns_udp_size(q, 1232);
	ldns_pkt_set_edns_do(q, (flags & Q_DO) != 0);
	ldns_pkt_set_ad(q, (flags & Q_AD) != 0);
	ldns_pkt_set_cd(q, (flags & Q_CD) != 0);
	ck_assert(ldns_pkt2wire(&wire, q, len) == LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return wire;
}

static ldns_pkt *
ask_at(struct dns_db *db, time_t now, const char *name, ldns_rr_type type,
	unsigned flags, struct dns_qinfo *info)
{
	size_t qlen, resplen;
	uint8_t *q = query_wire(name, type, flags, &qlen), *resp;
	struct dns_qinfo scratch;
	ldns_pkt *r = NULL;

	if (info == NULL)
		info = &scratch;
	ck_assert_int_eq(dns_db_answer_at(db, now, q, qlen, !(flags & Q_UDP),
	    &resp, &resplen, info), 0);
	ck_assert(ldns_wire2pkt(&r, resp, resplen) == LDNS_STATUS_OK);
	ck_assert(ldns_pkt_cd(r) == ((flags & Q_CD) != 0));
	free(q);
	free(resp);
	return r;
}

static ldns_pkt *
ask(struct dns_db *db, const char *name, ldns_rr_type type, unsigned flags,
	struct dns_qinfo *info)
{
	return ask_at(db, CLOCK, name, type, flags, info);
}

static size_t
count(const ldns_rr_list *l)
{
	return ldns_rr_list_rr_count(l);
}

/* How many records of type t in l. */
static size_t
count_type(const ldns_rr_list *l, ldns_rr_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < count(l); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t;
	return n;
}

static size_t
sigs_in(const ldns_pkt *r)
{
	return count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_RRSIG) +
	    count_type(ldns_pkt_authority(r), LDNS_RR_TYPE_RRSIG) +
	    count_type(ldns_pkt_additional(r), LDNS_RR_TYPE_RRSIG);
}

START_TEST(secure_answers_get_ad)
{
	struct dns_db *db = tree(DNS_SEC_SECURE, NULL, CLOCK);
	struct dns_qinfo info;
	ldns_pkt *r;

	/* DO: AD, with the signatures */
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert(ldns_pkt_ad(r) && ldns_pkt_ra(r));
	ck_assert_uint_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_MX), 2);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_RRSIG), 1);
	ck_assert_uint_eq(count_type(ldns_pkt_additional(r), LDNS_RR_TYPE_A), 2);
	ck_assert(info.validated);
	ck_assert_int_eq(info.sec, DNS_SEC_SECURE);
	ldns_pkt_free(r);
	/* AD in the query, no DO (RFC 6840 5.7): AD, no signatures */
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD | Q_AD, NULL);
	ck_assert(ldns_pkt_ad(r));
	ck_assert_uint_eq(sigs_in(r), 0);
	ldns_pkt_free(r);
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD | Q_AD | Q_NOEDNS,
	    NULL);
	ck_assert(ldns_pkt_ad(r) && !ldns_pkt_edns(r));
	ldns_pkt_free(r);
	/* neither: no AD, the data all the same */
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD, &info);
	ck_assert(!ldns_pkt_ad(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ck_assert_int_eq(info.sec, DNS_SEC_SECURE);
	ldns_pkt_free(r);

	/* secure denials: NXDOMAIN, NODATA, an empty non-terminal, a TLSA
	 * that is not there, and the DS of an unsigned delegation */
	r = ask(db, "nope.example.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_msg(ldns_pkt_ad(r), "%s", info.why);
	ck_assert_uint_ge(count_type(ldns_pkt_authority(r), LDNS_RR_TYPE_NSEC),
	    1);
	ldns_pkt_free(r);
	r = ask(db, "mx1.example.test", LDNS_RR_TYPE_AAAA, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_msg(ldns_pkt_ad(r), "%s", info.why);
	ldns_pkt_free(r);
	r = ask(db, "c.example.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_msg(ldns_pkt_ad(r), "%s", info.why);
	ldns_pkt_free(r);
	r = ask(db, "_25._tcp.mx2.example.test", LDNS_RR_TYPE_TLSA,
	    Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_msg(ldns_pkt_ad(r), "%s", info.why);
	ldns_pkt_free(r);
	r = ask(db, "other.test", LDNS_RR_TYPE_DS, Q_RD | Q_DO, &info);
	ck_assert_int_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_msg(ldns_pkt_ad(r), "%s", info.why);
	ldns_pkt_free(r);
	/* the chain itself, as a validator fetches it */
	r = ask(db, "example.test", LDNS_RR_TYPE_DS, Q_RD | Q_DO, NULL);
	ck_assert(ldns_pkt_ad(r));
	ck_assert_uint_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_DS), 1);
	ldns_pkt_free(r);
	r = ask(db, ".", LDNS_RR_TYPE_DNSKEY, Q_RD | Q_DO, NULL);
	ck_assert(ldns_pkt_ad(r));
	ldns_pkt_free(r);
	r = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA,
	    Q_RD | Q_DO, NULL);
	ck_assert(ldns_pkt_ad(r));
	ldns_pkt_free(r);

	/* without RD: the authoritative answer, signed, never AD */
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_DO | Q_AD, &info);
	ck_assert(ldns_pkt_aa(r) && !ldns_pkt_ad(r) && !ldns_pkt_ra(r));
	ck_assert_uint_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_RRSIG), 1);
	ck_assert(!info.validated);
	ldns_pkt_free(r);

	/* the validation time is the caller's: a month and more later the
	 * signatures have expired, before the clock they are not valid yet */
	r = ask_at(db, CLOCK + 31 * DAY, "example.test", LDNS_RR_TYPE_MX,
	    Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ck_assert_ptr_nonnull(strstr(info.why, "expired"));
	ldns_pkt_free(r);
	r = ask_at(db, CLOCK - 2 * DAY, "example.test", LDNS_RR_TYPE_MX,
	    Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(r);
	r = ask_at(db, CLOCK + 29 * DAY, "example.test", LDNS_RR_TYPE_MX,
	    Q_RD | Q_DO, &info);
	ck_assert(ldns_pkt_ad(r));
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(insecure_answers_have_no_ad)
{
	struct dns_db *db = tree(DNS_SEC_INSECURE, NULL, CLOCK);
	struct dns_qinfo info;
	ldns_pkt *r;

	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert(!ldns_pkt_ad(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ck_assert_uint_eq(sigs_in(r), 0);
	ck_assert(info.validated);
	ck_assert_int_eq(info.sec, DNS_SEC_INSECURE);
	ck_assert_str_eq(info.why, "example.test. is an unsigned delegation");
	ldns_pkt_free(r);
	r = ask(db, "nope.example.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert(!ldns_pkt_ad(r));
	ldns_pkt_free(r);
	dns_db_free(db);

	/* CNAME chains: secure into insecure is insecure, both ways */
	db = tree(DNS_SEC_SECURE, NULL, CLOCK);
	r = ask(db, "www.example.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_CNAME),
	    1);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_A), 1);
	ck_assert(!ldns_pkt_ad(r));
	ck_assert_int_eq(info.sec, DNS_SEC_INSECURE);
	ldns_pkt_free(r);
	r = ask(db, "alias.other.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 3); /* + the A's RRSIG */
	ck_assert(!ldns_pkt_ad(r));
	ldns_pkt_free(r);
	dns_db_free(db);

	/* a db never signed has no trust anchor: nothing is validated */
	db = dns_db_new();
	{
		char err[256];

		ck_assert(dns_db_add_zone(db, ".", NULL, err, sizeof(err)) == 0);
	}
	r = ask(db, ".", LDNS_RR_TYPE_SOA, Q_RD | Q_DO | Q_AD, &info);
	ck_assert(!ldns_pkt_ad(r));
	ck_assert(!info.validated);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(bogus_answers_fail_unless_cd)
{
	static const struct {
		const char *kind, *why;
	} kinds[] = {
		{ "signature", "example.test./MX: Bogus DNSSEC signature" },
		{ "wrong-key", "example.test./MX: No keys with the keytag" },
		{ "expired", "example.test./DNSKEY: DNSSEC signature has expired" },
		{ "not-yet-valid", "example.test./DNSKEY: DNSSEC signature not "
		    "incepted yet" },
		{ "ds-mismatch", "no DNSKEY of example.test. matches its DS" },
		{ "missing-rrsig", "example.test./MX: " },
	};

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		struct dns_db *db = tree(DNS_SEC_BOGUS, kinds[i].kind, CLOCK);
		struct dns_qinfo info;
		ldns_pkt *r;

		r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD | Q_DO, &info);
		ck_assert_msg(ldns_pkt_get_rcode(r) == LDNS_RCODE_SERVFAIL,
		    "%s: rcode %d", kinds[i].kind, ldns_pkt_get_rcode(r));
		ck_assert(!ldns_pkt_ad(r));
		ck_assert_uint_eq(count(ldns_pkt_answer(r)) +
		    count(ldns_pkt_authority(r)) +
		    count(ldns_pkt_additional(r)), 0);
		ck_assert_int_eq(info.sec, DNS_SEC_BOGUS);
		ck_assert_msg(strstr(info.why, kinds[i].why) != NULL,
		    "%s: why is \"%s\"", kinds[i].kind, info.why);
		ldns_pkt_free(r);
		/* without DO too: bogus is bogus */
		r = ask(db, "mx1.example.test", LDNS_RR_TYPE_A, Q_RD, NULL);
		ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
		ldns_pkt_free(r);
		/* and so is its denial */
		r = ask(db, "nope.example.test", LDNS_RR_TYPE_A, Q_RD, NULL);
		ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
		ldns_pkt_free(r);
		/* CD: the data, unvouched for */
		r = ask(db, "example.test", LDNS_RR_TYPE_MX,
		    Q_RD | Q_DO | Q_CD, &info);
		ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
		ck_assert(!ldns_pkt_ad(r));
		ck_assert_uint_eq(count_type(ldns_pkt_answer(r),
		    LDNS_RR_TYPE_MX), 2);
		ck_assert_int_eq(info.sec, DNS_SEC_BOGUS);
		ldns_pkt_free(r);
		/* the authoritative side serves what it has */
		r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_DO, NULL);
		ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
		ldns_pkt_free(r);
		/* the rest of the tree is still secure */
		r = ask(db, "evil.attacker.test", LDNS_RR_TYPE_A, Q_RD | Q_DO,
		    NULL);
		ck_assert(ldns_pkt_ad(r));
		ldns_pkt_free(r);
		/* and the DS of the bogus zone is good data of its parent */
		r = ask(db, "example.test", LDNS_RR_TYPE_DS, Q_RD | Q_DO, NULL);
		ck_assert(ldns_pkt_ad(r));
		ldns_pkt_free(r);
		dns_db_free(db);
	}
}
END_TEST

START_TEST(faults_under_dnssec)
{
	struct dns_db *db = tree(DNS_SEC_SECURE, NULL, CLOCK);
	struct dns_qinfo info;
	char err[256];
	ldns_pkt *r;

	/* a forged NXDOMAIN for a name that exists cannot be proven */
	ck_assert(dns_db_add_fault(db, "mx2.example.test", 0,
	    DNS_FAIL_NXDOMAIN, err, sizeof(err)) == 0);
	r = ask(db, "mx2.example.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ck_assert_ptr_nonnull(strstr(info.why, "no valid NSEC proof of "
	    "NXDOMAIN"));
	ldns_pkt_free(r);
	r = ask(db, "mx2.example.test", LDNS_RR_TYPE_A, Q_RD | Q_CD, NULL);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
	/* a NODATA for a type that exists neither */
	ck_assert(dns_db_add_fault(db, "mx1.example.test", LDNS_RR_TYPE_A,
	    DNS_FAIL_NODATA, err, sizeof(err)) == 0);
	r = ask(db, "mx1.example.test", LDNS_RR_TYPE_A, Q_RD, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(r);
	/* a denial of a name that is not there is secure */
	ck_assert(dns_db_add_fault(db, "_25._tcp.mx2.example.test", 0,
	    DNS_FAIL_NXDOMAIN, err, sizeof(err)) == 0);
	r = ask(db, "_25._tcp.mx2.example.test", LDNS_RR_TYPE_TLSA,
	    Q_RD | Q_DO, NULL);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert(ldns_pkt_ad(r));
	ldns_pkt_free(r);
	/* SERVFAIL and timeout faults are what they are */
	ck_assert(dns_db_add_fault(db, "example.test", LDNS_RR_TYPE_MX,
	    DNS_FAIL_SERVFAIL, err, sizeof(err)) == 0);
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ck_assert(!info.validated);
	ldns_pkt_free(r);
	/* faults on a zone's own name do not break its chain of trust */
	r = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA,
	    Q_RD | Q_DO, NULL);
	ck_assert(ldns_pkt_ad(r));
	ldns_pkt_free(r);
	/* in an insecure zone a fault's denial is simply insecure */
	ck_assert(dns_db_add_fault(db, "mx.other.test", 0, DNS_FAIL_NXDOMAIN,
	    err, sizeof(err)) == 0);
	r = ask(db, "mx.other.test", LDNS_RR_TYPE_A, Q_RD | Q_DO, &info);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert(!ldns_pkt_ad(r));
	ck_assert_int_eq(info.sec, DNS_SEC_INSECURE);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(signed_answers_truncate_over_udp)
{
	struct dns_db *db = tree(DNS_SEC_SECURE, NULL, CLOCK);
	ldns_pkt *r;

	/* fits without signatures, not with them */
	r = ask(db, "big.example.test", LDNS_RR_TYPE_TXT, Q_RD | Q_UDP, NULL);
	ck_assert(!ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 14);
	ldns_pkt_free(r);
	r = ask(db, "big.example.test", LDNS_RR_TYPE_TXT,
	    Q_RD | Q_DO | Q_UDP, NULL);
	ck_assert(ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert(ldns_pkt_edns(r) && ldns_pkt_edns_do(r));
	ldns_pkt_free(r);
	/* over TCP it all comes, validated */
	r = ask(db, "big.example.test", LDNS_RR_TYPE_TXT, Q_RD | Q_DO, NULL);
	ck_assert(!ldns_pkt_tc(r) && ldns_pkt_ad(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 15);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

/* The cost of a validated answer, printed: an MX with its additional
 * addresses, the chain of trust cached, as a sender asks it again and
 * again over a scenario. */
START_TEST(resolver_face_speed)
{
	struct dns_db *db = tree(DNS_SEC_SECURE, NULL, CLOCK);
	size_t qlen, resplen;
	uint8_t *q = query_wire("example.test", LDNS_RR_TYPE_MX, Q_RD | Q_DO,
	    &qlen), *resp;
	struct timespec t0, t1;
	int n = 2000;
	double us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		struct dns_qinfo info;

		ck_assert_int_eq(dns_db_answer_at(db, CLOCK + i / 100, q, qlen,
		    false, &resp, &resplen, &info), 0);
		ck_assert_int_eq(info.sec, DNS_SEC_SECURE);
		free(resp);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
	    1e3 / n;
	printf("dns_resolver: validated MX answer (DO, 3 RRsets): %.1f us\n",
	    us);
	ck_assert(us < 5000);
	free(q);
	dns_db_free(db);
}
END_TEST

struct child {
	pid_t pid;
	int status;
	bool exited;
};

static void
child_readable(int fd, uint32_t events, void *arg)
{
	struct child *ch = arg;

	if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->exited = true;
}

static bool
child_done(void *arg)
{
	return ((struct child *)arg)->exited;
}

/* Run argv in a child while the loop serves; its output with whitespace
 * runs squeezed to one space (free it). */
static char *
run_tool(struct loop *l, char *const argv[])
{
	char path[] = "/tmp/check_dns_resolver_XXXXXX";
	int fd = mkstemp(path), pfd;
	struct child ch = { 0 };
	char *out, *o;
	size_t n;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ch.pid = fork();
	ck_assert_int_ge(ch.pid, 0);
	if (ch.pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	pfd = pidfd_open(ch.pid, 0);
	ck_assert_msg(pfd >= 0, "pidfd_open: %s", strerror(errno));
	ck_assert(loop_add_fd(l, pfd, EPOLLIN, child_readable, &ch) == 0);
	if (loop_run_until(l, child_done, &ch, loop_now(l) + 30000) != 0) {
		kill(ch.pid, SIGKILL);
		waitpid(ch.pid, &ch.status, 0);
		ck_abort_msg("%s did not finish", argv[0]);
	}
	loop_del_fd(l, pfd);
	close(pfd);
	ck_assert(WIFEXITED(ch.status));
	ck_assert_msg(WEXITSTATUS(ch.status) != 127, "%s is not installed "
	    "(Debian: bind9-dnsutils)", argv[0]);
	f = fdopen(fd, "r");
	rewind(f);
	out = xmalloc(65536);
	n = fread(out, 1, 65535, f);
	fclose(f);
	out[n] = '\0';
	o = out;
	for (char *p = out; *p; p++) {
		if (isspace((unsigned char)*p)) {
			if (o > out && o[-1] == ' ')
				continue;
			*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

#define HAS(out, s) ck_assert_msg(strstr(out, s) != NULL, \
	"missing \"%s\" in: %s", s, out)

/* What the resolver face says of (name, type): "secure", "insecure" or
 * "bogus" (SERVFAIL), as a sender would see it from AD and the rcode. */
static const char *
face_says(struct dns_db *db, time_t now, const char *name, ldns_rr_type t)
{
	ldns_pkt *r = ask_at(db, now, name, t, Q_RD | Q_DO, NULL);
	const char *s = ldns_pkt_get_rcode(r) == LDNS_RCODE_SERVFAIL ? "bogus" :
	    ldns_pkt_ad(r) ? "secure" : "insecure";

	ldns_pkt_free(r);
	return s;
}

/* What delv says of the same; the whole output in *out (free it).  With
 * cd, delv sets CD: the face hands over bogus data and delv judges it
 * alone. */
static const char *
delv_says(struct loop *l, const char *anchor, const char *name,
	const char *type, bool cd, char **out)
{
	char *argv[] = { "delv", "@127.53.0.1", "-a", (char *)anchor,
		"+root=.", cd ? "+cdflag" : "+nocdflag", "-t", (char *)type,
		"-q", (char *)name, NULL };

	/* delv judges each RRset (a CNAME chain into an unsigned zone is
	 * "fully validated" then "unsigned answer": the weaker counts); a
	 * denial is "resolution failed: ncache nxdomain" and then
	 * "; negative response, fully validated" */
	*out = run_tool(l, argv);
	if (strstr(*out, " unsigned answer") != NULL)
		return "insecure";
	if (strstr(*out, " fully validated") != NULL)
		return "secure";
	if (strstr(*out, "resolution failed") != NULL)
		return "bogus";
	return "?";
}

START_TEST(delv_agrees_with_the_resolver_face)
{
	static const struct {
		enum dns_sec_state st;
		const char *kind, *name, *type, *want;
	} cases[] = {
		{ DNS_SEC_SECURE, NULL, "example.test", "MX", "secure" },
		{ DNS_SEC_SECURE, NULL, "_25._tcp.mx1.example.test", "TLSA",
		    "secure" },
		{ DNS_SEC_SECURE, NULL, "nope.example.test", "A", "secure" },
		{ DNS_SEC_SECURE, NULL, "mx1.example.test", "TXT", "secure" },
		{ DNS_SEC_SECURE, NULL, "mx.other.test", "A", "insecure" },
		{ DNS_SEC_SECURE, NULL, "www.example.test", "A", "insecure" },
		{ DNS_SEC_INSECURE, NULL, "example.test", "MX", "insecure" },
		{ DNS_SEC_INSECURE, NULL, "nope.example.test", "A", "insecure" },
		{ DNS_SEC_BOGUS, "signature", "example.test", "MX", "bogus" },
		{ DNS_SEC_BOGUS, "wrong-key", "mx1.example.test", "A", "bogus" },
		{ DNS_SEC_BOGUS, "expired", "example.test", "MX", "bogus" },
		{ DNS_SEC_BOGUS, "not-yet-valid", "example.test", "MX", "bogus" },
		{ DNS_SEC_BOGUS, "ds-mismatch", "example.test", "MX", "bogus" },
		{ DNS_SEC_BOGUS, "missing-rrsig", "example.test", "MX", "bogus" },
		{ DNS_SEC_BOGUS, "signature", "nope.example.test", "A", "bogus" },
		/* a fault denies a name that exists: no proof can be good */
		{ DNS_SEC_SECURE, NULL, "forged.example.test", "A", "bogus" },
		{ DNS_SEC_INSECURE, NULL, "forged.example.test", "A", "insecure" },
	};
	/* delv validates at the real time: sign at it */
	time_t now = time(NULL);
	char anchor[] = "/tmp/check_dns_resolver_ta_XXXXXX";
	struct dns_db *db = tree(DNS_SEC_SECURE, NULL, now);
	struct dns_srv *srv;
	struct loop *l;
	char err[256], *out;
	FILE *f;
	int fd;

	ck_assert(dns_db_add_fault(db, "forged.example.test", 0,
	    DNS_FAIL_NXDOMAIN, err, sizeof(err)) == 0);
	tu_netns();
	l = loop_new(LOOP_REAL, now); /* the server validates at its clock */
	srv = dns_srv_new(l, db, "127.53.0.1", 53, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	fd = mkstemp(anchor);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_int_eq(dns_db_print_anchor(db, DNS_ANCHOR_BIND, f), 0);
	fclose(f);

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		ldns_rr_type t = ldns_get_rr_type_by_name(cases[i].type);
		const char *face, *delv;

		ck_assert(dns_db_set_state(db, "example.test", cases[i].st,
		    cases[i].kind, err, sizeof(err)) == 0);
		face = face_says(db, now, cases[i].name, t);
		ck_assert_msg(strcmp(face, cases[i].want) == 0,
		    "%s %s (%s %s): the resolver face says %s", cases[i].name,
		    cases[i].type, dns_sec_state_name(cases[i].st),
		    cases[i].kind ? cases[i].kind : "", face);
		for (int cd = 0; cd <= 1; cd++) {
			delv = delv_says(l, anchor, cases[i].name,
			    cases[i].type, cd, &out);
			ck_assert_msg(strcmp(delv, face) == 0, "%s %s (%s %s%s): "
			    "delv says %s, the resolver face %s: %s",
			    cases[i].name, cases[i].type,
			    dns_sec_state_name(cases[i].st),
			    cases[i].kind ? cases[i].kind : "",
			    cd ? ", +cdflag" : "", delv, face, out);
			free(out);
		}
	}

	/* dig shows the flags on the wire */
	ck_assert(dns_db_set_state(db, "example.test", DNS_SEC_SECURE, NULL,
	    err, sizeof(err)) == 0);
	{
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"+dnssec", "mx", "example.test", NULL };

		out = run_tool(l, argv);
		HAS(out, "status: NOERROR");
		HAS(out, "flags: qr aa rd ra ad;");
		HAS(out, "; EDNS: version: 0, flags: do; udp: 1232");
		HAS(out, "example.test. 300 IN RRSIG MX 15 2 300 ");
		free(out);
	}
	{
		/* the signed answer overflows UDP: dig retries over TCP */
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"+dnssec", "txt", "big.example.test", NULL };

		out = run_tool(l, argv);
		HAS(out, "Truncated, retrying in TCP mode");
		HAS(out, "flags: qr aa rd ra ad;");
		HAS(out, "ANSWER: 15,");
		free(out);
	}
	ck_assert(dns_db_set_state(db, "example.test", DNS_SEC_BOGUS,
	    "expired", err, sizeof(err)) == 0);
	{
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"+dnssec", "mx", "example.test", NULL };

		out = run_tool(l, argv);
		HAS(out, "status: SERVFAIL");
		free(out);
	}
	{
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"+dnssec", "+cd", "mx", "example.test", NULL };

		out = run_tool(l, argv);
		HAS(out, "status: NOERROR");
		HAS(out, "flags: qr aa rd ra cd;");
		free(out);
	}

	unlink(anchor);
	dns_srv_free(srv);
	ck_assert_uint_eq(loop_nfds(l), 0);
	loop_free(l);
	dns_db_free(db);
}
END_TEST

static Suite *
dns_resolver_suite(void)
{
	Suite *s = suite_create("dns_resolver");
	TCase *tc = tcase_create("resolver");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, secure_answers_get_ad);
	tcase_add_test(tc, insecure_answers_have_no_ad);
	tcase_add_test(tc, bogus_answers_fail_unless_cd);
	tcase_add_test(tc, faults_under_dnssec);
	tcase_add_test(tc, signed_answers_truncate_over_udp);
	tcase_add_test(tc, resolver_face_speed);
	tcase_add_test(tc, delv_agrees_with_the_resolver_face);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dns_resolver_suite)
