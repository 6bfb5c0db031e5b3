/*
 * Unit tests for fake-dns/dns_sign.c: the signed tree (keys from the seed,
 * delegations with DS, NSEC chains, RRSIG windows from the clock, the
 * bogus kinds), the denial proofs of authoritative answers (checked with
 * ldns's own ldns_dnssec_verify_denial), and ldns-verify-zone (ldnsutils)
 * on every exported zone.  No sockets.  The resolver face is tested in
 * check_dns_resolver.c.
 */
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "core/util.h"
#include "fake-dns/dns.h"
#include "testutil.h"

#define CLOCK 1780272000 /* 2026-06-01T00:00:00Z, the scenarios' default */
#define DAY 86400

static const char *world_rrs[] = {
	"evil.attacker.test. A 127.66.0.1",
	"example.test. MX 10 mx1.example.test.",
	"example.test. MX 20 mx2.example.test.",
	"mx1.example.test. A 127.25.0.11",
	"mx2.example.test. A 127.25.0.12",
	"_25._tcp.mx1.example.test. TLSA 3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"_mta-sts.example.test. TXT \"v=STSv1; id=20260101\"",
	"www.example.test. CNAME mx1.example.test.",
	"a.b.c.example.test. A 127.0.0.9",
	"mx.other.test. A 127.25.0.13",
};

/* The tree of a scenario world: ".", test., attacker.test., example.test.
 * and other.test. in the given states, signed with seed. */
static struct dns_db *
tree(uint64_t seed, enum dns_sec_state ex, const char *kind)
{
	static const char *zones[] = { ".", "test.", "attacker.test.",
		"example.test.", "other.test." };
	struct dns_db *db = dns_db_new();
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		ck_assert_msg(dns_db_add_zone(db, zones[i], "127.53.0.1", err,
		    sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < ARRAY_LEN(world_rrs); i++)
		ck_assert_msg(dns_db_add_rr(db, world_rrs[i], err,
		    sizeof(err)) == 0, "%s: %s", world_rrs[i], err);
	ck_assert_msg(dns_db_set_state(db, "example.test", ex, kind, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_set_state(db, "other.test", DNS_SEC_INSECURE,
	    NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_sign(db, seed, CLOCK, err, sizeof(err)) == 0,
	    "%s", err);
	return db;
}

/* What a printing function wrote, as a string (free it). */
static char *
slurp(FILE *f)
{
	long n = ftell(f);
	char *out = xmalloc((size_t)n + 1);

	rewind(f);
	ck_assert_uint_eq(fread(out, 1, (size_t)n, f), (size_t)n);
	out[n] = '\0';
	fclose(f);
	return out;
}

static char *
printed(const struct dns_db *db)
{
	FILE *f = tmpfile();

	dns_db_print(db, f);
	return slurp(f);
}

/* The records of one zone as dns_db_print shows them, parsed. */
static ldns_rr_list *
zone_rrs(const struct dns_db *db, const char *apex)
{
	char *text = printed(db), *mark = xasprintf("; zone %s ", apex);
	char *p = strstr(text, mark), *line, *save = NULL;
	ldns_rr_list *l = ldns_rr_list_new();

	ck_assert_msg(p != NULL, "no zone %s", apex);
	p = strchr(p, '\n') + 1;
	for (line = strtok_r(p, "\n", &save); line != NULL &&
	    strncmp(line, "; zone ", 7) != 0; line = strtok_r(NULL, "\n",
	    &save)) {
		ldns_rr *rr = NULL;

		ck_assert_msg(ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) ==
		    LDNS_STATUS_OK, "cannot parse \"%s\"", line);
		ldns_rr_list_push_rr(l, rr);
	}
	free(mark);
	free(text);
	return l;
}

static ldns_rr_list *
of_type(const ldns_rr_list *l, const char *owner, ldns_rr_type t)
{
	ldns_rdf *o = owner ? ldns_dname_new_frm_str(owner) : NULL;
	ldns_rr_list *out = ldns_rr_list_new();

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);

		if (ldns_rr_get_type(rr) == t && (o == NULL ||
		    ldns_dname_compare(ldns_rr_owner(rr), o) == 0))
			ldns_rr_list_push_rr(out, rr);
	}
	ldns_rdf_deep_free(o);
	return out;
}

static size_t
count(const ldns_rr_list *l)
{
	return ldns_rr_list_rr_count(l);
}

START_TEST(signing_is_deterministic_per_seed)
{
	struct dns_db *a = tree(7, DNS_SEC_SECURE, NULL);
	struct dns_db *b = tree(7, DNS_SEC_SECURE, NULL);
	struct dns_db *c = tree(8, DNS_SEC_SECURE, NULL);
	char *ta = printed(a), *tb = printed(b), *tc = printed(c);
	char *aa, *ab;
	FILE *f;

	ck_assert_str_eq(ta, tb);
	ck_assert_str_ne(ta, tc);
	ck_assert_ptr_nonnull(strstr(ta, "; zone example.test. (dnssec "
	    "secure)\n"));
	ck_assert_ptr_nonnull(strstr(ta, "; zone other.test. (dnssec "
	    "insecure)\n"));
	ck_assert_ptr_nonnull(strstr(ta, "IN\tDNSKEY\t257 3 15 "));
	ck_assert_ptr_nonnull(strstr(ta, "IN\tRRSIG\tMX 15 2 300 "
	    "20260701000000 20260531000000 "));
	ck_assert_ptr_nonnull(strstr(ta, "IN\tNSEC\t"));

	f = tmpfile();
	ck_assert_int_eq(dns_db_print_anchor(a, DNS_ANCHOR_ZONEFILE, f), 0);
	aa = slurp(f);
	f = tmpfile();
	ck_assert_int_eq(dns_db_print_anchor(c, DNS_ANCHOR_BIND, f), 0);
	ab = slurp(f);
	ck_assert_ptr_nonnull(strstr(aa, ".\t300\tIN\tDS\t"));
	ck_assert_ptr_nonnull(strstr(aa, " 15 2 "));
	ck_assert_ptr_nonnull(strstr(aa, ".\t300\tIN\tDNSKEY\t257 3 15 "));
	ck_assert_ptr_nonnull(strstr(ab, "trust-anchors {\n\t. static-key "
	    "257 3 15 \""));
	free(aa);
	free(ab);
	free(ta);
	free(tb);
	free(tc);
	dns_db_free(a);
	dns_db_free(b);
	dns_db_free(c);

	/* an unsigned db has no anchor */
	a = dns_db_new();
	ck_assert_int_eq(dns_db_print_anchor(a, DNS_ANCHOR_ZONEFILE, stderr),
	    -1);
	dns_db_free(a);
}
END_TEST

/* Every RRset of zone l that has RRSIGs verifies with keys at t. */
static size_t
verify_zone(const ldns_rr_list *l, const ldns_rr_list *keys, time_t t)
{
	size_t sets = 0;

	for (size_t i = 0; i < count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rr_list *set, *sigs;
		char *o;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG)
			continue;
		sigs = ldns_rr_list_new();
		o = ldns_rdf2str(ldns_rr_owner(rr));
		set = of_type(l, o, ldns_rr_get_type(rr));
		if (ldns_rr_list_rr(set, 0) == rr) {
			ldns_rr_list *all = of_type(l, o, LDNS_RR_TYPE_RRSIG);

			for (size_t j = 0; j < count(all); j++)
				if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(
				    ldns_rr_list_rr(all, j))) ==
				    ldns_rr_get_type(rr))
					ldns_rr_list_push_rr(sigs,
					    ldns_rr_list_rr(all, j));
			ldns_rr_list_free(all);
			if (count(sigs) > 0) {
				ck_assert_msg(ldns_verify_time(set, sigs, keys, t,
				    NULL) == LDNS_STATUS_OK, "%s does not verify",
				    o);
				sets++;
			}
		}
		ldns_rr_list_free(set);
		ldns_rr_list_free(sigs);
		free(o);
	}
	return sets;
}

START_TEST(signed_tree_links_and_verifies)
{
	struct dns_db *db = tree(1, DNS_SEC_SECURE, NULL);
	ldns_rr_list *root = zone_rrs(db, "."), *test = zone_rrs(db, "test.");
	ldns_rr_list *ex = zone_rrs(db, "example.test.");
	ldns_rr_list *other = zone_rrs(db, "other.test.");
	ldns_rr_list *rk = of_type(root, ".", LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *tk = of_type(test, "test.", LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *ek = of_type(ex, "example.test.", LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *ds = of_type(test, "example.test.", LDNS_RR_TYPE_DS);
	ldns_rr_list *tds = of_type(root, "test.", LDNS_RR_TYPE_DS);
	ldns_rr_list *l;

	/* one CSK per zone, DS in the parent matching it */
	ck_assert_uint_eq(count(rk), 1);
	ck_assert_uint_eq(count(ek), 1);
	ck_assert_uint_eq(count(ds), 1);
	ck_assert_uint_eq(count(tds), 1);
	ck_assert(ldns_rr_compare_ds(ldns_rr_list_rr(ek, 0),
	    ldns_rr_list_rr(ds, 0)));
	ck_assert(ldns_rr_compare_ds(ldns_rr_list_rr(tk, 0),
	    ldns_rr_list_rr(tds, 0)));
	ck_assert(!ldns_rr_compare_ds(ldns_rr_list_rr(tk, 0),
	    ldns_rr_list_rr(ds, 0)));

	/* everything verifies inside the window, nothing outside it */
	ck_assert_uint_ge(verify_zone(root, rk, CLOCK), 5);
	ck_assert_uint_ge(verify_zone(test, tk, CLOCK - DAY + 60), 8);
	ck_assert_uint_ge(verify_zone(ex, ek, CLOCK + 30 * DAY - 60), 14);
	l = of_type(ex, "example.test.", LDNS_RR_TYPE_MX);
	{
		ldns_rr_list *sigs = of_type(ex, "example.test.",
		    LDNS_RR_TYPE_RRSIG);

		ck_assert(ldns_verify_time(l, sigs, ek, CLOCK + 31 * DAY, NULL)
		    != LDNS_STATUS_OK);
		ck_assert(ldns_verify_time(l, sigs, tk, CLOCK, NULL) !=
		    LDNS_STATUS_OK);
		ldns_rr_list_free(sigs);
	}
	ldns_rr_list_free(l);

	/* the delegations: NS and glue in the parent, not signed; the
	 * insecure one has no DS, and its NSEC says so */
	l = of_type(test, "other.test.", LDNS_RR_TYPE_NS);
	ck_assert_uint_eq(count(l), 1);
	ldns_rr_list_free(l);
	l = of_type(test, "ns1.other.test.", LDNS_RR_TYPE_A);
	ck_assert_uint_eq(count(l), 1);
	ldns_rr_list_free(l);
	l = of_type(test, "other.test.", LDNS_RR_TYPE_DS);
	ck_assert_uint_eq(count(l), 0);
	ldns_rr_list_free(l);
	l = of_type(test, "other.test.", LDNS_RR_TYPE_NSEC);
	ck_assert_uint_eq(count(l), 1);
	{
		char *s = ldns_rr2str(ldns_rr_list_rr(l, 0));

		ck_assert_ptr_nonnull(strstr(s, "NSEC\ttest. NS RRSIG NSEC"));
		free(s);
	}
	ldns_rr_list_free(l);
	l = of_type(test, "ns1.other.test.", LDNS_RR_TYPE_NSEC);
	ck_assert_uint_eq(count(l), 0); /* glue is below the cut */
	ldns_rr_list_free(l);
	for (size_t i = 0; i < count(test); i++) {
		ldns_rr *rr = ldns_rr_list_rr(test, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
			ldns_rr_type t = ldns_rdf2rr_type(
			    ldns_rr_rrsig_typecovered(rr));
			char *o = ldns_rdf2str(ldns_rr_owner(rr));

			ck_assert_msg(t != LDNS_RR_TYPE_NS ||
			    strcmp(o, "test.") == 0, "NS of a cut signed: %s", o);
			ck_assert_msg(strncmp(o, "ns1.", 4) != 0 ||
			    strcmp(o, "ns1.test.") == 0, "glue signed: %s", o);
			free(o);
		}
	}
	/* the unsigned zone is served as it was built */
	l = of_type(other, NULL, LDNS_RR_TYPE_RRSIG);
	ck_assert_uint_eq(count(l), 0);
	ldns_rr_list_free(l);
	ck_assert_uint_eq(count(other), 4);

	/* the last NSEC of a zone points back at its apex */
	l = of_type(ex, NULL, LDNS_RR_TYPE_NSEC);
	ck_assert_uint_eq(count(l), 8);
	{
		char *s = ldns_rr2str(ldns_rr_list_rr(l, count(l) - 1));

		ck_assert_msg(strstr(s, "www.example.test.\t300\tIN\tNSEC\t"
		    "example.test. CNAME RRSIG NSEC") != NULL, "%s", s);
		free(s);
	}
	ldns_rr_list_free(l);

	ldns_rr_list_free(rk);
	ldns_rr_list_free(tk);
	ldns_rr_list_free(ek);
	ldns_rr_list_free(ds);
	ldns_rr_list_free(tds);
	ldns_rr_list_deep_free(root);
	ldns_rr_list_deep_free(test);
	ldns_rr_list_deep_free(ex);
	ldns_rr_list_deep_free(other);
	dns_db_free(db);
}
END_TEST

/* Run ldns-verify-zone on the zone file `path`; its exit code, its
 * output in out (free it). */
static int
verify_zone_tool(const char *path, const char *anchor, time_t at, char **out)
{
	char when[32];
	struct tm tm;
	FILE *f = tmpfile();
	pid_t pid;
	int st;

	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y%m%d%H%M%S", &tm);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fileno(f), 1);
		dup2(fileno(f), 2);
		execlp("ldns-verify-zone", "ldns-verify-zone", "-V", "1",
		    "-t", when, "-k", anchor, path, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_msg(WEXITSTATUS(st) != 127, "ldns-verify-zone is not "
	    "installed (Debian: ldnsutils)");
	fseek(f, 0, SEEK_END);
	*out = slurp(f);
	return WEXITSTATUS(st);
}

/* Write zone apex of db to a file (the zone, with the zone's own DNSKEY
 * as anchor file for ldns-verify-zone); returns the zone path. */
static void
export_zone(const struct dns_db *db, const char *apex, const char *zpath,
	const char *kpath)
{
	ldns_rr_list *l = zone_rrs(db, apex);
	ldns_rr_list *k = of_type(l, apex, LDNS_RR_TYPE_DNSKEY);
	FILE *f = fopen(zpath, "w");

	ck_assert_ptr_nonnull(f);
	ldns_rr_list_print(f, l);
	fclose(f);
	f = fopen(kpath, "w");
	ck_assert_ptr_nonnull(f);
	ldns_rr_list_print(f, k);
	fclose(f);
	ldns_rr_list_free(k);
	ldns_rr_list_deep_free(l);
}

START_TEST(ldns_verify_zone_accepts_every_signed_zone)
{
	static const char *apexes[] = { ".", "test.", "attacker.test.",
		"example.test." };
	static const char *kinds[] = { "signature", "expired", "wrong-key",
		"missing-rrsig", "not-yet-valid" };
	char zpath[] = "/tmp/check_dns_sign_zXXXXXX";
	char kpath[] = "/tmp/check_dns_sign_kXXXXXX";
	struct dns_db *db = tree(3, DNS_SEC_SECURE, NULL);
	char *out;

	ck_assert_int_ge(mkstemp(zpath), 0);
	ck_assert_int_ge(mkstemp(kpath), 0);
	for (size_t i = 0; i < ARRAY_LEN(apexes); i++) {
		export_zone(db, apexes[i], zpath, kpath);
		ck_assert_msg(verify_zone_tool(zpath, kpath, CLOCK, &out) == 0,
		    "ldns-verify-zone rejects %s: %s", apexes[i], out);
		free(out);
		/* and it does notice time: a month and a half later */
		ck_assert_msg(verify_zone_tool(zpath, kpath, CLOCK + 45 * DAY,
		    &out) != 0, "%s never expires", apexes[i]);
		ck_assert_ptr_nonnull(strstr(out, "signature has expired"));
		free(out);
	}
	dns_db_free(db);

	/* each bogus kind that breaks the zone itself is caught */
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		db = tree(3, DNS_SEC_BOGUS, kinds[i]);
		export_zone(db, "example.test.", zpath, kpath);
		ck_assert_msg(verify_zone_tool(zpath, kpath, CLOCK, &out) != 0,
		    "ldns-verify-zone accepts a zone with bogus kind %s",
		    kinds[i]);
		ck_assert_ptr_nonnull(strstr(out, "Error: "));
		free(out);
		export_zone(db, "test.", zpath, kpath);
		ck_assert_msg(verify_zone_tool(zpath, kpath, CLOCK, &out) == 0,
		    "%s", out);
		free(out);
		dns_db_free(db);
	}
	unlink(zpath);
	unlink(kpath);
}
END_TEST

/* Ask the db (no RD: the authoritative side); flags: 1 = DO. */
static ldns_pkt *
ask(struct dns_db *db, const char *name, ldns_rr_type type, bool dnssec)
{
	ldns_pkt *q = NULL, *r = NULL;
	uint8_t *wire = NULL, *resp = NULL;
	size_t len, resplen;

	ck_assert(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN,
	    0) == LDNS_STATUS_OK);
	ldns_pkt_set_edns_udp_size(q, 1232);
	ldns_pkt_set_edns_do(q, dnssec);
	ck_assert(ldns_pkt2wire(&wire, q, &len) == LDNS_STATUS_OK);
	ck_assert_int_eq(dns_db_answer(db, wire, len, true, &resp, &resplen,
	    NULL), 0);
	ck_assert(ldns_wire2pkt(&r, resp, resplen) == LDNS_STATUS_OK);
	ck_assert(ldns_pkt_aa(r) && !ldns_pkt_ad(r) && !ldns_pkt_ra(r));
	free(wire);
	free(resp);
	ldns_pkt_free(q);
	return r;
}

/* Check the denial in r's authority section with ldns's own logic, and
 * the signatures of its NSECs and SOA with keys. */
static ldns_status
denial(const ldns_pkt *r, const ldns_rr_list *keys)
{
	ldns_rr_list *auth = ldns_pkt_authority(r);
	ldns_rr_list *nsecs = of_type(auth, NULL, LDNS_RR_TYPE_NSEC);
	ldns_rr_list *sigs = of_type(auth, NULL, LDNS_RR_TYPE_RRSIG);
	ldns_rr *q = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(r), 0));
	ldns_status st;

	ck_assert_uint_ge(count(nsecs), 1);
	ck_assert_uint_eq(count(sigs), count(nsecs) + 1); /* + the SOA's */
	for (size_t i = 0; i < count(nsecs); i++) {
		ldns_rr_list *one = ldns_rr_list_new();

		ldns_rr_list_push_rr(one, ldns_rr_list_rr(nsecs, i));
		ck_assert(ldns_verify_time(one, sigs, keys, CLOCK, NULL) ==
		    LDNS_STATUS_OK);
		ldns_rr_list_free(one);
	}
	st = ldns_dnssec_verify_denial(q, nsecs, sigs);
	ldns_rr_free(q);
	ldns_rr_list_free(nsecs);
	ldns_rr_list_free(sigs);
	return st;
}

START_TEST(nsec_proofs_for_nxdomain_and_nodata)
{
	struct dns_db *db = tree(1, DNS_SEC_SECURE, NULL);
	ldns_rr_list *ex = zone_rrs(db, "example.test.");
	ldns_rr_list *test = zone_rrs(db, "test.");
	ldns_rr_list *ek = of_type(ex, "example.test.", LDNS_RR_TYPE_DNSKEY);
	ldns_rr_list *tk = of_type(test, "test.", LDNS_RR_TYPE_DNSKEY);
	ldns_pkt *r;
	char err[256];

	/* NXDOMAIN: the NSEC over the name and the one over the wildcard */
	r = ask(db, "nope.example.test", LDNS_RR_TYPE_A, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 6);
	ck_assert_int_eq(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);
	r = ask(db, "x.nope.example.test", LDNS_RR_TYPE_TLSA, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_int_eq(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);

	/* NODATA: the NSEC at the name, without the type */
	r = ask(db, "mx1.example.test", LDNS_RR_TYPE_TXT, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 4);
	ck_assert_int_eq(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);
	/* the TLSA a DANE sender asks for, absent */
	r = ask(db, "_25._tcp.mx2.example.test", LDNS_RR_TYPE_TLSA, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_int_eq(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);
	/* an empty non-terminal: NODATA, covered by an NSEC */
	r = ask(db, "b.c.example.test", LDNS_RR_TYPE_A, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);

	/* no DS for the insecure child: the parent's NSEC at the cut */
	r = ask(db, "other.test", LDNS_RR_TYPE_DS, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 0);
	ck_assert_int_eq(denial(r, tk), LDNS_STATUS_OK);
	ldns_pkt_free(r);
	/* the DS of the secure child, signed by the parent */
	r = ask(db, "example.test", LDNS_RR_TYPE_DS, true);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	{
		ldns_rr_list *ds = of_type(ldns_pkt_answer(r), NULL,
		    LDNS_RR_TYPE_DS);
		ldns_rr_list *sigs = of_type(ldns_pkt_answer(r), NULL,
		    LDNS_RR_TYPE_RRSIG);

		ck_assert(ldns_verify_time(ds, sigs, tk, CLOCK, NULL) ==
		    LDNS_STATUS_OK);
		ldns_rr_list_free(ds);
		ldns_rr_list_free(sigs);
	}
	ldns_pkt_free(r);

	/* without DO: no DNSSEC records at all */
	r = ask(db, "nope.example.test", LDNS_RR_TYPE_A, false);
	ck_assert_uint_eq(count(ldns_pkt_authority(r)), 1);
	ldns_pkt_free(r);
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, false);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ck_assert_uint_eq(count(ldns_pkt_additional(r)), 2);
	ldns_pkt_free(r);
	/* with DO: the RRSIGs of the answer and of the additional data */
	r = ask(db, "example.test", LDNS_RR_TYPE_MX, true);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 3);
	ck_assert_uint_eq(count(ldns_pkt_additional(r)), 4);
	ldns_pkt_free(r);
	/* asked for, RRSIGs come without DO */
	r = ask(db, "example.test", LDNS_RR_TYPE_RRSIG, false);
	ck_assert_uint_ge(count(ldns_pkt_answer(r)), 5);
	ldns_pkt_free(r);

	/* a fault that denies a name that exists: the proof shows it exists */
	ck_assert(dns_db_add_fault(db, "mx2.example.test", 0,
	    DNS_FAIL_NXDOMAIN, err, sizeof(err)) == 0);
	r = ask(db, "mx2.example.test", LDNS_RR_TYPE_A, true);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_int_ne(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);
	/* and a denied name that does not exist gets a good proof */
	ck_assert(dns_db_add_fault(db, "_25._tcp.mx2.example.test", 0,
	    DNS_FAIL_NXDOMAIN, err, sizeof(err)) == 0);
	r = ask(db, "_25._tcp.mx2.example.test", LDNS_RR_TYPE_TLSA, true);
	ck_assert_int_eq(denial(r, ek), LDNS_STATUS_OK);
	ldns_pkt_free(r);

	ldns_rr_list_free(ek);
	ldns_rr_list_free(tk);
	ldns_rr_list_deep_free(ex);
	ldns_rr_list_deep_free(test);
	dns_db_free(db);
}
END_TEST

/* The RRSIG over (owner, MX or the given type) in zone l, or NULL. */
static ldns_rr *
sig_over(const ldns_rr_list *l, const char *owner, ldns_rr_type t)
{
	ldns_rr_list *sigs = of_type(l, owner, LDNS_RR_TYPE_RRSIG);
	ldns_rr *found = NULL;

	for (size_t i = 0; i < count(sigs) && found == NULL; i++)
		if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(
		    ldns_rr_list_rr(sigs, i))) == t)
			found = ldns_rr_list_rr(sigs, i);
	ldns_rr_list_free(sigs);
	return found;
}

START_TEST(bogus_kinds_break_what_they_say)
{
	struct dns_db *good = tree(5, DNS_SEC_SECURE, NULL);
	ldns_rr_list *gz = zone_rrs(good, "example.test.");
	ldns_rr_list *gk = of_type(gz, "example.test.", LDNS_RR_TYPE_DNSKEY);
	uint16_t tag = ldns_calc_keytag(ldns_rr_list_rr(gk, 0));
	static const char *kinds[] = { "signature", "wrong-key", "expired",
		"not-yet-valid", "ds-mismatch", "missing-rrsig" };

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		struct dns_db *db = tree(5, DNS_SEC_BOGUS, kinds[i]);
		ldns_rr_list *z = zone_rrs(db, "example.test.");
		ldns_rr_list *t = zone_rrs(db, "test.");
		ldns_rr_list *k = of_type(z, "example.test.",
		    LDNS_RR_TYPE_DNSKEY);
		ldns_rr_list *ds = of_type(t, "example.test.", LDNS_RR_TYPE_DS);
		ldns_rr *mx = sig_over(z, "example.test.", LDNS_RR_TYPE_MX);
		ldns_rr *key = sig_over(z, "example.test.", LDNS_RR_TYPE_DNSKEY);
		char *head = printed(db), *mark;

		mark = xasprintf("; zone example.test. (dnssec bogus: %s)\n",
		    kinds[i]);
		ck_assert_ptr_nonnull(strstr(head, mark));
		free(mark);
		free(head);
		/* the key is the zone's key in every kind */
		ck_assert(ldns_rr_compare(ldns_rr_list_rr(k, 0),
		    ldns_rr_list_rr(gk, 0)) == 0);
		ck_assert_ptr_nonnull(key);
		ck_assert_uint_eq(count(ds), 1);
		ck_assert(ldns_rr_compare_ds(ldns_rr_list_rr(k, 0),
		    ldns_rr_list_rr(ds, 0)) ==
		    (strcmp(kinds[i], "ds-mismatch") != 0));
		if (strcmp(kinds[i], "missing-rrsig") == 0) {
			ck_assert_ptr_null(mx);
		} else {
			uint32_t inc, exp;

			ck_assert_ptr_nonnull(mx);
			inc = ldns_rdf2native_time_t(ldns_rr_rrsig_inception(mx));
			exp = ldns_rdf2native_time_t(
			    ldns_rr_rrsig_expiration(mx));
			if (strcmp(kinds[i], "expired") == 0)
				ck_assert(exp < CLOCK);
			else if (strcmp(kinds[i], "not-yet-valid") == 0)
				ck_assert(inc > CLOCK);
			else
				ck_assert(inc < CLOCK && exp > CLOCK);
			ck_assert((ldns_rdf2native_int16(
			    ldns_rr_rrsig_keytag(mx)) == tag) ==
			    (strcmp(kinds[i], "wrong-key") != 0));
		}
		/* the corrupted signature fails with the right key and time */
		if (strcmp(kinds[i], "signature") == 0) {
			ldns_rr_list *set = of_type(z, "example.test.",
			    LDNS_RR_TYPE_MX);
			ldns_rr_list *one = ldns_rr_list_new();

			ldns_rr_list_push_rr(one, mx);
			ck_assert(ldns_verify_time(set, one, k, CLOCK, NULL) ==
			    LDNS_STATUS_CRYPTO_BOGUS);
			ldns_rr_list_free(set);
			ldns_rr_list_free(one);
		}
		ldns_rr_list_free(k);
		ldns_rr_list_free(ds);
		ldns_rr_list_deep_free(z);
		ldns_rr_list_deep_free(t);
		dns_db_free(db);
	}
	ldns_rr_list_free(gk);
	ldns_rr_list_deep_free(gz);
	dns_db_free(good);
}
END_TEST

START_TEST(states_changes_and_errors)
{
	struct dns_db *db = tree(1, DNS_SEC_SECURE, NULL);
	ldns_rr_list *z;
	char err[256];

	ck_assert_int_eq(dns_db_state(db, "example.test"), DNS_SEC_SECURE);
	ck_assert_int_eq(dns_db_state(db, "other.test."), DNS_SEC_INSECURE);
	ck_assert_str_eq(dns_sec_state_name(DNS_SEC_BOGUS), "bogus");

	/* a record added after signing is signed, and so is a new zone */
	ck_assert(dns_db_add_rr(db, "late.example.test. A 127.0.0.99", err,
	    sizeof(err)) == 0);
	ck_assert_msg(dns_db_add_zone(db, "new.test.", "127.53.0.1", err,
	    sizeof(err)) == 0, "%s", err);
	z = zone_rrs(db, "example.test.");
	ck_assert_ptr_nonnull(sig_over(z, "late.example.test.",
	    LDNS_RR_TYPE_A));
	ldns_rr_list_deep_free(z);
	z = zone_rrs(db, "test.");
	{
		ldns_rr_list *ds = of_type(z, "new.test.", LDNS_RR_TYPE_DS);

		ck_assert_uint_eq(count(ds), 1);
		ldns_rr_list_free(ds);
	}
	ldns_rr_list_deep_free(z);
	/* and turning a zone insecure takes its DS away at once */
	ck_assert(dns_db_set_state(db, "new.test", DNS_SEC_INSECURE, NULL, err,
	    sizeof(err)) == 0);
	z = zone_rrs(db, "test.");
	{
		ldns_rr_list *ds = of_type(z, "new.test.", LDNS_RR_TYPE_DS);

		ck_assert_uint_eq(count(ds), 0);
		ldns_rr_list_free(ds);
	}
	ldns_rr_list_deep_free(z);

	ck_assert(dns_db_set_state(db, "nowhere.test", DNS_SEC_BOGUS, NULL,
	    err, sizeof(err)) < 0);
	ck_assert_ptr_nonnull(strstr(err, "no zone \"nowhere.test\""));
	ck_assert(dns_db_set_state(db, "example.test", DNS_SEC_BOGUS, "bent",
	    err, sizeof(err)) < 0);
	ck_assert_ptr_nonnull(strstr(err, "unknown bogus kind \"bent\""));
	ck_assert(dns_db_set_state(db, "example.test", DNS_SEC_SECURE,
	    "expired", err, sizeof(err)) < 0);
	ck_assert(dns_db_set_state(db, "example.test", (enum dns_sec_state)9,
	    NULL, err, sizeof(err)) < 0);
	ck_assert(dns_db_sign(db, 1, 1000, err, sizeof(err)) < 0);
	ck_assert_ptr_nonnull(strstr(err, "clock"));
	dns_db_free(db);
}
END_TEST

/* Build and sign a world the size of a scenario's, many times: the cost
 * the world builder pays per phase. */
START_TEST(build_and_sign_time)
{
	struct timespec t0, t1;
	int n = 200;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		dns_db_free(tree((uint64_t)i, DNS_SEC_SECURE, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) /
	    1e6) / n;
	printf("dns_sign: build+sign of a 5-zone scenario world: %.3f ms\n",
	    ms);
	ck_assert(ms < 100);
}
END_TEST

static Suite *
dns_sign_suite(void)
{
	Suite *s = suite_create("dns_sign");
	TCase *tc = tcase_create("sign");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, signing_is_deterministic_per_seed);
	tcase_add_test(tc, signed_tree_links_and_verifies);
	tcase_add_test(tc, ldns_verify_zone_accepts_every_signed_zone);
	tcase_add_test(tc, nsec_proofs_for_nxdomain_and_nodata);
	tcase_add_test(tc, bogus_kinds_break_what_they_say);
	tcase_add_test(tc, states_changes_and_errors);
	tcase_add_test(tc, build_and_sign_time);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dns_sign_suite)
