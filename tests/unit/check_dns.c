/*
 * Unit tests for fake-dns/dns_zone.c: building the zone database and its
 * answers to wire-format queries, without any I/O.  The server on real
 * sockets is tested in check_dns_srv.c.
 */
#include <stdint.h>
#include <string.h>

#include <ldns/ldns.h>

#include "core/util.h"
#include "fake-dns/dns.h"
#include "testutil.h"

#define Q_RD 1
#define Q_EDNS 2
#define Q_TCP 4
#define Q_DO 8
#define Q_SMALL 16 /* EDNS with a 600-byte buffer */

static const char *world_rrs[] = {
	"example.test. MX 10 mx1.example.test.",
	"example.test. 300 IN MX 20 mx2.example.test.",
	"mx1.example.test. 300 IN A 127.25.0.11",
	"mx1.example.test. AAAA fd00::11",
	"mx2.example.test. A 127.25.0.12",
	"_mta-sts.example.test. TXT \"v=STSv1; id=20260101\"",
	"multi.example.test. 60 TXT \"part one\" \"part two\" \"part three\"",
	"_25._tcp.mx1.example.test. TLSA 3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"www.example.test. CNAME alias1.example.test.",
	"alias1.example.test. CNAME host.test.",
	"host.test. A 127.0.0.5",
	"loop1.example.test. CNAME loop2.example.test.",
	"loop2.example.test. CNAME loop1.example.test.",
	"out.example.test. CNAME mail.example.org.",
	"a.b.c.example.test. A 127.0.0.9",
	"servfail.example.test. A 127.0.0.20",
	"slow.example.test. A 127.0.0.21",
	"slow.example.test. AAAA fd00::21",
	"gone.example.test. A 127.0.0.22",
	"empty.example.test. A 127.0.0.23",
};

static struct dns_db *
world(bool root)
{
	struct dns_db *db = dns_db_new();
	char err[256], line[128];

	if (root)
		ck_assert_msg(dns_db_add_zone(db, ".", "127.53.0.1", err,
		    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_add_zone(db, "test.", "127.53.0.1", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_add_zone(db, "example.test", "127.53.0.1", err,
	    sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < ARRAY_LEN(world_rrs); i++)
		ck_assert_msg(dns_db_add_rr(db, world_rrs[i], err,
		    sizeof(err)) == 0, "%s: %s", world_rrs[i], err);
	for (int i = 0; i < 12; i++) {
		snprintf(line, sizeof(line), "mid.example.test. TXT \"one of "
		    "twelve records, that fit in 1232 bytes: %02d\"", i);
		ck_assert(dns_db_add_rr(db, line, err, sizeof(err)) == 0);
	}
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "big.example.test. TXT \"record "
		    "%02d of the forty that overflow a UDP answer\"", i);
		ck_assert_msg(dns_db_add_rr(db, line, err, sizeof(err)) == 0,
		    "%s", err);
	}
	ck_assert(dns_db_add_fault(db, "servfail.example.test", 0,
	    DNS_FAIL_SERVFAIL, err, sizeof(err)) == 0);
	ck_assert(dns_db_add_fault(db, "slow.example.test", LDNS_RR_TYPE_A,
	    DNS_FAIL_TIMEOUT, err, sizeof(err)) == 0);
	ck_assert(dns_db_add_fault(db, "gone.example.test", 0,
	    DNS_FAIL_NXDOMAIN, err, sizeof(err)) == 0);
	ck_assert(dns_db_add_fault(db, "EMPTY.example.test", LDNS_RR_TYPE_A,
	    DNS_FAIL_NODATA, err, sizeof(err)) == 0);
	return db;
}

static uint8_t *
query_wire(const char *name, ldns_rr_type type, unsigned flags, size_t *len)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;

	ck_assert(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN,
	    (flags & Q_RD) ? LDNS_RD : 0) == LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0x4242);
	if (flags & Q_EDNS)
		ldns_pkt_set_edns_udp_size(q, 4096);
	if (flags & Q_SMALL)
		ldns_pkt_set_edns_udp_size(q, 600);
	if (flags & Q_DO)
		ldns_pkt_set_edns_do(q, true);
	ck_assert(ldns_pkt2wire(&wire, q, len) == LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return wire;
}

/* Ask the db; returns the parsed response, or NULL when none was sent. */
static ldns_pkt *
ask_ex(struct dns_db *db, const char *name, ldns_rr_type type, unsigned flags,
	struct dns_qinfo *info, size_t *resplen_out)
{
	size_t qlen, resplen;
	uint8_t *q = query_wire(name, type, flags, &qlen), *resp;
	ldns_pkt *r = NULL;
	int rc = dns_db_answer(db, q, qlen, (flags & Q_TCP) != 0, &resp,
	    &resplen, info);

	free(q);
	ck_assert_int_ge(rc, 0);
	if (rc == 1) {
		ck_assert_ptr_null(resp);
		return NULL;
	}
	ck_assert(ldns_wire2pkt(&r, resp, resplen) == LDNS_STATUS_OK);
	free(resp);
	if (resplen_out != NULL)
		*resplen_out = resplen;
	ck_assert_uint_eq(ldns_pkt_id(r), 0x4242);
	ck_assert(ldns_pkt_qr(r));
	return r;
}

static ldns_pkt *
ask(struct dns_db *db, const char *name, ldns_rr_type type, unsigned flags)
{
	ldns_pkt *r = ask_ex(db, name, type, flags, NULL, NULL);

	ck_assert_msg(r != NULL, "no answer for %s", name);
	return r;
}

/* "owner TYPE rdata" of rr i of a section, one space between fields. */
static const char *
rr_text(const ldns_rr_list *l, size_t i)
{
	static char out[1024];
	char *s = ldns_rr2str(ldns_rr_list_rr(l, i));
	size_t o = 0;
	int field = 0;

	/* drop TTL and class: owner \t ttl \t class \t type \t rdata */
	for (char *p = s; *p && o + 1 < sizeof(out); p++) {
		if (*p == '\t') {
			field++;
			if (field == 3 || field == 4)
				out[o++] = ' ';
			continue;
		}
		if (*p == '\n' || field == 1 || field == 2)
			continue;
		out[o++] = *p;
	}
	out[o] = '\0';
	free(s);
	return out;
}

static size_t
count(const ldns_rr_list *l)
{
	return ldns_rr_list_rr_count(l);
}

START_TEST(answers_a_and_mx_with_additional)
{
	struct dns_db *db = world(true);
	ldns_pkt *r = ask(db, "mx1.example.test", LDNS_RR_TYPE_A, Q_RD);

	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert(ldns_pkt_aa(r) && ldns_pkt_rd(r) && ldns_pkt_ra(r));
	ck_assert(!ldns_pkt_tc(r) && !ldns_pkt_edns(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "mx1.example.test. A 127.25.0.11");
	ldns_pkt_free(r);

	r = ask(db, "mx1.example.test", LDNS_RR_TYPE_AAAA, 0);
	ck_assert(ldns_pkt_aa(r) && !ldns_pkt_rd(r) && !ldns_pkt_ra(r));
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "mx1.example.test. AAAA fd00::11");
	ldns_pkt_free(r);

	r = ask(db, "example.test", LDNS_RR_TYPE_MX, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "example.test. MX 10 mx1.example.test.");
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 1),
	    "example.test. MX 20 mx2.example.test.");
	ck_assert_uint_eq(count(ldns_pkt_additional(r)), 3);
	ck_assert_str_eq(rr_text(ldns_pkt_additional(r), 0),
	    "mx1.example.test. A 127.25.0.11");
	ck_assert_str_eq(rr_text(ldns_pkt_additional(r), 2),
	    "mx2.example.test. A 127.25.0.12");
	ldns_pkt_free(r);

	r = ask(db, "mx1.example.test", LDNS_RR_TYPE_ANY, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ldns_pkt_free(r);

	r = ask(db, "_25._tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "_25._tcp.mx1.example.test. TLSA 3 1 1 0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789abcdef");
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(txt_keeps_every_string)
{
	struct dns_db *db = world(true);
	ldns_pkt *r = ask(db, "multi.example.test", LDNS_RR_TYPE_TXT, Q_RD);
	ldns_rr *rr;
	char *s;

	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	rr = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	ck_assert_uint_eq(ldns_rr_ttl(rr), 60);
	ck_assert_uint_eq(ldns_rr_rd_count(rr), 3);
	s = ldns_rdf2str(ldns_rr_rdf(rr, 2));
	ck_assert_str_eq(s, "\"part three\"");
	free(s);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(cname_chains_cross_zones_and_stop)
{
	struct dns_db *db = world(true);
	struct dns_qinfo info;
	ldns_pkt *r = ask(db, "www.example.test", LDNS_RR_TYPE_A, Q_RD);

	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 3);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "www.example.test. CNAME alias1.example.test.");
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 1),
	    "alias1.example.test. CNAME host.test.");
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 2),
	    "host.test. A 127.0.0.5");
	ldns_pkt_free(r);

	/* asking for the CNAME itself does not follow it */
	r = ask(db, "www.example.test", LDNS_RR_TYPE_CNAME, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);

	/* the chain ends on a missing type: NODATA with the last zone's SOA */
	r = ask(db, "www.example.test", LDNS_RR_TYPE_MX, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ck_assert_str_eq(rr_text(ldns_pkt_authority(r), 0),
	    "test. SOA ns1.test. hostmaster.test. 1 3600 600 86400 300");
	ldns_pkt_free(r);

	/* a loop is cut after DNS_MAX_CNAME_HOPS and fails */
	r = ask_ex(db, "loop1.example.test", LDNS_RR_TYPE_A, Q_RD, &info, NULL);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_ptr_nonnull(info.problem);
	ldns_pkt_free(r);
	dns_db_free(db);

	/* a chain that leaves the world ends where it leaves */
	db = world(false);
	r = ask(db, "out.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(nxdomain_nodata_and_empty_non_terminals)
{
	struct dns_db *db = world(true);
	ldns_pkt *r = ask(db, "nope.example.test", LDNS_RR_TYPE_A, Q_RD);

	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert(ldns_pkt_aa(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ck_assert_str_eq(rr_text(ldns_pkt_authority(r), 0),
	    "example.test. SOA ns1.example.test. hostmaster.example.test. "
	    "1 3600 600 86400 300");
	ldns_pkt_free(r);

	r = ask(db, "mx1.example.test", LDNS_RR_TYPE_TXT, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ldns_pkt_free(r);

	/* b.c.example.test owns nothing but has a.b.c below it */
	r = ask(db, "B.c.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ldns_pkt_free(r);
	r = ask(db, "_tcp.mx1.example.test", LDNS_RR_TYPE_TLSA, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);
	r = ask(db, "x.b.c.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);

	/* with a root zone every name has a zone: example.org is NXDOMAIN */
	r = ask(db, "mail.example.org", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_str_eq(rr_text(ldns_pkt_authority(r), 0),
	    ". SOA ns1. hostmaster. 1 3600 600 86400 300");
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(refuses_names_outside_every_zone)
{
	struct dns_db *db = world(false);
	ldns_pkt *r = ask(db, "mail.example.org", LDNS_RR_TYPE_A, Q_RD);

	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
	ck_assert(!ldns_pkt_aa(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_question(r)), 1);
	ldns_pkt_free(r);
	r = ask(db, ".", LDNS_RR_TYPE_NS, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(most_specific_zone_answers)
{
	struct dns_db *db = world(true);
	char err[256];
	ldns_pkt *r = ask(db, "example.test", LDNS_RR_TYPE_SOA, Q_RD);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "example.test. SOA ns1.example.test. hostmaster.example.test. "
	    "1 3600 600 86400 300");
	ldns_pkt_free(r);
	r = ask(db, "test", LDNS_RR_TYPE_NS, Q_RD);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0), "test. NS ns1.test.");
	ck_assert_str_eq(rr_text(ldns_pkt_additional(r), 0),
	    "ns1.test. A 127.53.0.1");
	ldns_pkt_free(r);
	r = ask(db, ".", LDNS_RR_TYPE_NS, Q_RD);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0), ". NS ns1.");
	ldns_pkt_free(r);

	/* DS belongs to the parent side of a zone cut */
	r = ask(db, "example.test", LDNS_RR_TYPE_DS, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_str_eq(rr_text(ldns_pkt_authority(r), 0),
	    "test. SOA ns1.test. hostmaster.test. 1 3600 600 86400 300");
	ldns_pkt_free(r);

	/* data added before its zone moves into it */
	ck_assert(dns_db_add_rr(db, "late.sub.example.test A 127.0.0.30", err,
	    sizeof(err)) == 0);
	ck_assert_msg(dns_db_add_zone(db, "sub.example.test.", NULL, err,
	    sizeof(err)) == 0, "%s", err);
	r = ask(db, "late.sub.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);
	r = ask(db, "nope.sub.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_str_eq(rr_text(ldns_pkt_authority(r), 0),
	    "sub.example.test. SOA ns1.sub.example.test. "
	    "hostmaster.sub.example.test. 1 3600 600 86400 300");
	ldns_pkt_free(r);

	f = open_memstream(&out, &outlen);
	dns_db_print(db, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "; zone sub.example.test.\n"
	    "sub.example.test.\t300\tIN\tSOA\t"));
	ck_assert_ptr_nonnull(strstr(out, "late.sub.example.test.\t300\tIN\tA"));
	ck_assert(strstr(out, "late.sub") > strstr(out, "; zone sub."));
	free(out);
	dns_db_free(db);
}
END_TEST

START_TEST(question_case_is_preserved)
{
	struct dns_db *db = world(true);
	ldns_pkt *r = ask(db, "MX1.Example.TEST", LDNS_RR_TYPE_A, Q_RD);
	char *s = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(
	    ldns_pkt_question(r), 0)));

	ck_assert_str_eq(s, "MX1.Example.TEST.");
	free(s);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "MX1.Example.TEST. A 127.25.0.11");
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(large_udp_answers_truncate)
{
	struct dns_db *db = world(true);
	char err[256], line[128];
	size_t len;
	ldns_pkt *r = ask_ex(db, "big.example.test", LDNS_RR_TYPE_TXT, Q_RD,
	    NULL, &len);

	ck_assert(ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_question(r)), 1);
	ck_assert_uint_le(len, 512);
	ldns_pkt_free(r);

	/* EDNS: OPT comes back with our size, still too small for 40 TXT */
	r = ask_ex(db, "big.example.test", LDNS_RR_TYPE_TXT, Q_RD | Q_EDNS |
	    Q_DO, NULL, &len);
	ck_assert(ldns_pkt_tc(r) && ldns_pkt_edns(r));
	ck_assert_uint_eq(ldns_pkt_edns_udp_size(r), DNS_EDNS_UDP_SIZE);
	ck_assert(ldns_pkt_edns_do(r));
	ldns_pkt_free(r);

	/* 12 TXT records fit in 1232 bytes but not in 512 or 600 */
	r = ask_ex(db, "mid.example.test", LDNS_RR_TYPE_TXT, Q_RD | Q_EDNS,
	    NULL, &len);
	ck_assert(!ldns_pkt_tc(r) && !ldns_pkt_edns_do(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 12);
	ck_assert_uint_gt(len, 600);
	ldns_pkt_free(r);
	r = ask(db, "mid.example.test", LDNS_RR_TYPE_TXT, Q_RD);
	ck_assert(ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ldns_pkt_free(r);
	r = ask(db, "mid.example.test", LDNS_RR_TYPE_TXT, Q_RD | Q_SMALL);
	ck_assert(ldns_pkt_tc(r));
	ldns_pkt_free(r);

	/* too big with its additional section: that goes first, no TC */
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "wide.example.test. MX %d "
		    "w%d.example.test.", i / 6, i / 6);
		ck_assert(dns_db_add_rr(db, line, err, sizeof(err)) == 0);
		snprintf(line, sizeof(line), "w%d.example.test. A 127.0.1.%d",
		    i / 6, i);
		ck_assert(dns_db_add_rr(db, line, err, sizeof(err)) == 0);
	}
	r = ask(db, "wide.example.test", LDNS_RR_TYPE_MX, Q_RD);
	ck_assert(!ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 5);
	ck_assert_uint_eq(count(ldns_pkt_additional(r)), 0);
	ldns_pkt_free(r);
	r = ask(db, "wide.example.test", LDNS_RR_TYPE_MX, Q_RD | Q_EDNS);
	ck_assert(!ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_additional(r)), 30);
	ldns_pkt_free(r);

	r = ask_ex(db, "big.example.test", LDNS_RR_TYPE_TXT, Q_RD | Q_TCP,
	    NULL, &len);
	ck_assert(!ldns_pkt_tc(r));
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 40);
	ck_assert_uint_gt(len, DNS_EDNS_UDP_SIZE);
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

START_TEST(faults_are_applied)
{
	struct dns_db *db = world(true);
	struct dns_qinfo info;
	char err[256];
	ldns_pkt *r;

	r = ask_ex(db, "servfail.example.test", LDNS_RR_TYPE_A, Q_RD, &info,
	    NULL);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_int_eq(info.fault, DNS_FAIL_SERVFAIL);
	ck_assert_int_eq(info.rcode, LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(r);

	/* timeout: nothing at all is sent, only for the faulty type */
	r = ask_ex(db, "slow.example.test", LDNS_RR_TYPE_A, Q_RD, &info, NULL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(info.rcode, -1);
	ck_assert_int_eq(info.fault, DNS_FAIL_TIMEOUT);
	ck_assert_str_eq(info.qname, "slow.example.test.");
	r = ask(db, "slow.example.test", LDNS_RR_TYPE_AAAA, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);

	/* NXDOMAIN and NODATA faults win over the data, with the SOA */
	r = ask(db, "Gone.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ldns_pkt_free(r);
	r = ask(db, "empty.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ldns_pkt_free(r);

	/* a fault on a CNAME target fails the whole resolution */
	ck_assert(dns_db_add_fault(db, "host.test", 0, DNS_FAIL_SERVFAIL, err,
	    sizeof(err)) == 0);
	r = ask(db, "www.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(r);

	/* DNS_FAIL_NONE lifts a directive */
	ck_assert(dns_db_add_fault(db, "host.test", 0, DNS_FAIL_NONE, err,
	    sizeof(err)) == 0);
	ck_assert(dns_db_add_fault(db, "servfail.example.test", 0,
	    DNS_FAIL_NONE, err, sizeof(err)) == 0);
	r = ask(db, "servfail.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);
	r = ask(db, "www.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 3);
	ldns_pkt_free(r);

	ck_assert(dns_db_add_fault(db, "", 0, DNS_FAIL_SERVFAIL, err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_fault(db, "x.test", 70000, DNS_FAIL_SERVFAIL, err,
	    sizeof(err)) < 0);
	dns_db_free(db);
}
END_TEST

START_TEST(building_rejects_bad_data)
{
	struct dns_db *db = world(false);
	char err[256];
	ldns_pkt *r;

	ck_assert(dns_db_add_rr(db, "mx.example.org. A 127.0.0.1", err,
	    sizeof(err)) < 0);
	ck_assert_ptr_nonnull(strstr(err, "no zone encloses"));
	ck_assert(dns_db_add_rr(db, "x.example.test. A 1.2.3", err,
	    sizeof(err)) < 0);
	ck_assert_ptr_nonnull(strstr(err, "cannot parse"));
	ck_assert(dns_db_add_rr(db, "x.example.test. A 1.2.3.4 5.6.7.8", err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_rr(db, "@ A 1.2.3.4", err, sizeof(err)) < 0);
	ck_assert(dns_db_add_rr(db, "$ORIGIN example.test.", err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_rr(db, "", err, sizeof(err)) < 0);
	ck_assert(dns_db_add_rr(db, "x.example.test. CH TXT \"a\"", err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_rr(db, "www.example.test. A 127.0.0.1", err,
	    sizeof(err)) < 0);
	ck_assert_ptr_nonnull(strstr(err, "CNAME"));
	ck_assert(dns_db_add_rr(db, "mx1.example.test. CNAME x.test.", err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_zone(db, "example.test.", NULL, err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_zone(db, "other.test.", "not-an-ip", err,
	    sizeof(err)) < 0);
	ck_assert(dns_db_add_zone(db, "", NULL, err, sizeof(err)) < 0);

	/* duplicates are one record; names are matched in any case */
	ck_assert(dns_db_add_rr(db, "MX2.example.test. 300 IN A 127.25.0.12",
	    err, sizeof(err)) == 0);
	r = ask(db, "mx2.example.test", LDNS_RR_TYPE_A, Q_RD);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);

	/* an IPv6 name server address gets an AAAA */
	ck_assert(dns_db_add_zone(db, "v6.test", "fd00::53", err,
	    sizeof(err)) == 0);
	r = ask(db, "ns1.v6.test", LDNS_RR_TYPE_AAAA, Q_RD);
	ck_assert_str_eq(rr_text(ldns_pkt_answer(r), 0),
	    "ns1.v6.test. AAAA fd00::53");
	ldns_pkt_free(r);
	dns_db_free(db);
}
END_TEST

/* Send raw bytes; returns the rcode of the answer, -1 when none. */
static int
raw_rcode(struct dns_db *db, const uint8_t *q, size_t qlen, uint16_t *id)
{
	uint8_t *resp;
	size_t resplen;
	ldns_pkt *r;
	int rc = dns_db_answer(db, q, qlen, false, &resp, &resplen, NULL);

	ck_assert_int_ge(rc, 0);
	if (rc == 1)
		return -1;
	ck_assert(ldns_wire2pkt(&r, resp, resplen) == LDNS_STATUS_OK);
	free(resp);
	rc = ldns_pkt_get_rcode(r);
	if (ldns_pkt_edns(r))
		rc |= ldns_pkt_edns_extended_rcode(r) << 4;
	if (id != NULL)
		*id = ldns_pkt_id(r);
	ldns_pkt_free(r);
	return rc;
}

START_TEST(hostile_input_gets_formerr_or_silence)
{
	struct dns_db *db = world(true);
	size_t qlen;
	uint8_t *q = query_wire("mx1.example.test", LDNS_RR_TYPE_A, Q_RD, &qlen);
	uint8_t buf[600];
	uint16_t id;
	uint32_t seed = 12345;
	ldns_pkt *p;
	uint8_t *w;
	size_t wlen;

	memcpy(buf, q, qlen);
	ck_assert_int_eq(raw_rcode(db, buf, 0, NULL), -1);
	ck_assert_int_eq(raw_rcode(db, buf, 11, NULL), -1);
	/* the header alone, question cut off */
	ck_assert_int_eq(raw_rcode(db, buf, 12, &id), LDNS_RCODE_FORMERR);
	ck_assert_uint_eq(id, 0x4242);
	ck_assert_int_eq(raw_rcode(db, buf, qlen - 3, NULL), LDNS_RCODE_FORMERR);
	/* QDCOUNT 0 and 2 */
	buf[5] = 0;
	ck_assert_int_eq(raw_rcode(db, buf, qlen, NULL), LDNS_RCODE_FORMERR);
	buf[5] = 2;
	ck_assert_int_eq(raw_rcode(db, buf, qlen, NULL), LDNS_RCODE_FORMERR);
	buf[5] = 1;
	/* a response is never answered */
	buf[2] |= 0x80;
	ck_assert_int_eq(raw_rcode(db, buf, qlen, NULL), -1);
	buf[2] &= 0x7f;
	/* NOTIFY (4) and UPDATE (5) */
	buf[2] = (buf[2] & 0x87) | (4 << 3);
	ck_assert_int_eq(raw_rcode(db, buf, qlen, NULL), LDNS_RCODE_NOTIMPL);
	buf[2] = (buf[2] & 0x87) | (5 << 3);
	ck_assert_int_eq(raw_rcode(db, buf, qlen, NULL), LDNS_RCODE_NOTIMPL);
	buf[2] &= 0x87;
	ck_assert_int_eq(raw_rcode(db, buf, qlen, NULL), LDNS_RCODE_NOERROR);

	/* EDNS version 1 gets BADVERS; AXFR and class CH are refused */
	ck_assert(ldns_pkt_query_new_frm_str(&p, "example.test",
	    LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0) == LDNS_STATUS_OK);
	ldns_pkt_set_edns_udp_size(p, 1232);
	ldns_pkt_set_edns_version(p, 1);
	ck_assert(ldns_pkt2wire(&w, p, &wlen) == LDNS_STATUS_OK);
	ck_assert_int_eq(raw_rcode(db, w, wlen, NULL), 16);
	free(w);
	ldns_pkt_free(p);
	ck_assert(ldns_pkt_query_new_frm_str(&p, "example.test",
	    LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0) == LDNS_STATUS_OK);
	ck_assert(ldns_pkt2wire(&w, p, &wlen) == LDNS_STATUS_OK);
	ck_assert_int_eq(raw_rcode(db, w, wlen, NULL), LDNS_RCODE_REFUSED);
	free(w);
	ldns_pkt_free(p);
	ck_assert(ldns_pkt_query_new_frm_str(&p, "version.bind",
	    LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, 0) == LDNS_STATUS_OK);
	ck_assert(ldns_pkt2wire(&w, p, &wlen) == LDNS_STATUS_OK);
	ck_assert_int_eq(raw_rcode(db, w, wlen, NULL), LDNS_RCODE_REFUSED);
	free(w);
	ldns_pkt_free(p);

	/* random corruption and random bytes: answers or silence, no crash */
	for (int i = 0; i < 3000; i++) {
		size_t n = qlen;

		memcpy(buf, q, qlen);
		for (int k = 0; k < 1 + i % 6; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % qlen] ^= (uint8_t)(seed >> 20);
		}
		if (i % 3 == 0) {
			seed = seed * 1103515245 + 12345;
			n = (seed >> 8) % sizeof(buf);
			for (size_t k = qlen; k < n; k++)
				buf[k] = (uint8_t)(k * 7 + i);
		}
		(void)raw_rcode(db, buf, n, NULL);
	}
	free(q);
	dns_db_free(db);
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("zone");

	tcase_add_test(tc, answers_a_and_mx_with_additional);
	tcase_add_test(tc, txt_keeps_every_string);
	tcase_add_test(tc, cname_chains_cross_zones_and_stop);
	tcase_add_test(tc, nxdomain_nodata_and_empty_non_terminals);
	tcase_add_test(tc, refuses_names_outside_every_zone);
	tcase_add_test(tc, most_specific_zone_answers);
	tcase_add_test(tc, question_case_is_preserved);
	tcase_add_test(tc, large_udp_answers_truncate);
	tcase_add_test(tc, faults_are_applied);
	tcase_add_test(tc, building_rejects_bad_data);
	tcase_add_test(tc, hostile_input_gets_formerr_or_silence);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dns_suite)
