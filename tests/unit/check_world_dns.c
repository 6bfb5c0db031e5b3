/*
 * Unit tests for sim/world_dns.c and the named keys of core/pki.c: the
 * key_id knob (the same key in every certificate naming it, a fresh one
 * otherwise, the attacker's one key), TLSA data of a named key
 * ("U 1 M key:ID"), faults and zone states put into a db, and the lookup
 * state each MX host gets from faults and DNS attacks (what the verdict's
 * DANE view uses).  Scenarios are loaded from strings, no I/O.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "sim/scenario.h"
#include "sim/world_dns.h"
#include "testutil.h"

#define CLOCK 1780272000

static char *
spki_hex_of(X509 *x)
{
	unsigned char *der = NULL, md[32];
	unsigned int n = 0;
	int len = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	char *hex = xcalloc(1, 65);

	ck_assert_int_gt(len, 0);
	ck_assert(EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL) == 1);
	for (unsigned i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02X", md[i]);
	OPENSSL_free(der);
	return hex;
}

static struct pki_cert *
issue(struct pki *p, const char *variant, const char *key_id)
{
	struct pki_spec s = { .variant = variant, .host = "mx1.example.test",
		.key_id = key_id };
	struct pki_cert *c = NULL;
	char err[256];

	ck_assert_msg(pki_issue(p, &s, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

START_TEST(test_key_id)
{
	struct pki *p = pki_new(1, CLOCK);
	struct pki_cert *a = issue(p, "valid", "k1"), *b = issue(p, "self-signed",
	    "k1"), *c = issue(p, "valid", "k2"), *d = issue(p, "valid", NULL),
	    *e = issue(p, "valid", NULL), *f = issue(p, "attacker", NULL),
	    *g = issue(p, "attacker", NULL);
	char *ha = spki_hex_of(pki_cert_x509(a)), *hb = spki_hex_of(
	    pki_cert_x509(b)), *hc = spki_hex_of(pki_cert_x509(c)),
	    *hd = spki_hex_of(pki_cert_x509(d)), *he = spki_hex_of(
	    pki_cert_x509(e)), *hf = spki_hex_of(pki_cert_x509(f)),
	    *hg = spki_hex_of(pki_cert_x509(g));
	char *tlsa = NULL, err[256], *want;

	ck_assert_str_eq(ha, hb);         /* same key_id, same key */
	ck_assert_str_ne(ha, hc);         /* another key_id */
	ck_assert_str_ne(hd, he);         /* no key_id: each issue rotates */
	ck_assert_str_eq(hf, hg);         /* the attacker has one key */
	/* TLSA data of a named key, before any certificate serves it */
	ck_assert_int_eq(world_dns_tlsa_key(p, "3 1 1 key:k1", &tlsa, err,
	    sizeof(err)), 0);
	want = xasprintf("3 1 1 %s", ha);
	ck_assert_str_eq(tlsa, want);
	free(tlsa);
	free(want);
	ck_assert_int_eq(world_dns_tlsa_key(p, "2 1 2 key:k2", &tlsa, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(strlen(tlsa), strlen("2 1 2 ") + 128);
	free(tlsa);
	ck_assert_int_eq(world_dns_tlsa_key(p, "3 1 1 auto", &tlsa, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(world_dns_tlsa_key(p, "3 0 1 key:k1", &tlsa, err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "selector 1") != NULL);
	ck_assert_int_eq(world_dns_tlsa_key(p, "3 1 9 key:k1", &tlsa, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(world_dns_tlsa_key(p, "3 1 1 key:", &tlsa, err,
	    sizeof(err)), -1);
	free(ha); free(hb); free(hc); free(hd); free(he); free(hf); free(hg);
	pki_cert_free(a); pki_cert_free(b); pki_cert_free(c);
	pki_cert_free(d); pki_cert_free(e); pki_cert_free(f); pki_cert_free(g);
	pki_free(p);
}
END_TEST

static struct scenario *
load(const char *body)
{
	char *src = xasprintf("return {\n title = 'x', refs = {},\n"
	    " domain = 'example.test', dnssec = 'secure',\n"
	    " mx = { { host = 'mx1.example.test' }, { host = 'mx2.other.test' } },\n"
	    " tlsa = { ['mx1.example.test'] = { '3 1 1 auto' } },\n"
	    "%s\n expect = { delivery = 'verified' } }\n", body);
	struct scenario *s = NULL;
	char err[512];

	ck_assert_msg(scenario_load_string("w.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "%s", err);
	free(src);
	return s;
}

/* The host states a world_dns gives for a scenario (no server: upstream
 * attacks and faults only). */
static void
states(const char *body, const char *want1, const char *want2)
{
	struct scenario *s = load(body);
	const struct scn_world *sw = &s->phases[0].world;
	struct pki *p = pki_new(1, CLOCK);
	struct dns_db *db = dns_db_new();
	char err[512];
	struct world_dns *wd;
	struct loop *l;
	static const char *zones[] = { ".", "test.", "example.test.",
		"other.test." };

	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		ck_assert(dns_db_add_zone(db, zones[i], NULL, err,
		    sizeof(err)) == 0);
	ck_assert_msg(world_dns_data(db, sw, "127.53.0.1", err, sizeof(err)) ==
	    0, "%s", err);
	tu_netns();   /* a spoof starts the attacker's mail host */
	l = loop_new(LOOP_SKIP, CLOCK);
	wd = world_dns_new(l, p, NULL, db, NULL, s, sw, err, sizeof(err));
	ck_assert_msg(wd != NULL, "%s", err);
	ck_assert_str_eq(world_dns_host_state(wd, "example.test.",
	    "mx1.example.test", 1, "secure"), want1);
	ck_assert_str_eq(world_dns_host_state(wd, "example.test.",
	    "mx2.other.test", 0, "secure"), want2);
	/* an insecure or bogus base stays what it is */
	ck_assert_str_eq(world_dns_host_state(wd, "example.test.",
	    "mx1.example.test", 1, "insecure"), "insecure");
	world_dns_free(wd);
	loop_free(l);
	dns_db_free(db);
	pki_free(p);
	scenario_free(s);
}

START_TEST(test_host_states)
{
	states("", "secure", "secure");
	/* lookup errors on a host's TLSA or address: bogus (unusable) */
	states("dns_faults = { { name = '_25._tcp.mx1.example.test', type = "
	    "'TLSA', fault = 'servfail' } },", "bogus", "secure");
	states("dns_faults = { { name = 'mx2.other.test', fault = 'timeout' } },",
	    "secure", "bogus");
	/* a denial: of a TLSA RRset that exists, forged (bogus); of one
	 * that does not, a secure "no TLSA" */
	states("dns_faults = { { name = '_25._tcp.mx1.example.test', fault = "
	    "'nodata' }, { name = '_25._tcp.mx2.other.test', fault = "
	    "'nxdomain' } },", "bogus", "secure");
	/* a CNAME whose target fails */
	states("dns_faults = { { name = '_25._tcp.mx2.other.test', fault = "
	    "'cname:t.example.test' }, { name = 't.example.test', fault = "
	    "'servfail' } },", "secure", "bogus");
	/* upstream attacks in a signed zone break what they touch */
	states("attack = { { 'poison_tlsa', host = 'mx1.example.test' } },",
	    "bogus", "secure");
	states("attack = { { 'spoof_mx' } },", "bogus", "bogus");
	states("attack = { { 'strip_dnssec', at = 'upstream', type = 'A' } },",
	    "bogus", "bogus");
	/* a last-mile strip does not break validation (the downgrade is the
	 * sender's trust in AD); a last-mile block is a lookup error */
	states("attack = { { 'strip_dnssec' } },", "secure", "secure");
	states("attack = { { 'block', type = 'TLSA', mode = 'servfail' } },",
	    "bogus", "bogus");
}
END_TEST

START_TEST(test_data_into_db)
{
	struct scenario *s = load("zones = { ['other.test'] = 'bogus:expired', "
	    "['third.test'] = 'insecure' },\n"
	    "dns_faults = { { name = 'alias.example.test', fault = "
	    "'cname:mx1.example.test' } },");
	const struct scn_world *sw = &s->phases[0].world;
	struct dns_db *db = dns_db_new();
	char err[512];

	ck_assert(dns_db_add_zone(db, ".", NULL, err, sizeof(err)) == 0);
	ck_assert(dns_db_add_zone(db, "test.", NULL, err, sizeof(err)) == 0);
	ck_assert(dns_db_add_zone(db, "example.test.", NULL, err,
	    sizeof(err)) == 0);
	ck_assert(dns_db_add_zone(db, "other.test.", NULL, err,
	    sizeof(err)) == 0);
	ck_assert_msg(world_dns_data(db, sw, "127.53.0.1", err, sizeof(err)) ==
	    0, "%s", err);
	ck_assert_msg(world_dns_states(db, sw, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(dns_db_state(db, "other.test."), DNS_SEC_BOGUS);
	ck_assert_int_eq(dns_db_state(db, "third.test."), DNS_SEC_INSECURE);
	ck_assert_int_eq(dns_db_state(db, "example.test."), DNS_SEC_SECURE);
	/* the CNAME is in the zone */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		dns_db_print(db, f);
		fclose(f);
		ck_assert(strstr(buf, "alias.example.test.") != NULL);
		ck_assert(strstr(buf, "CNAME") != NULL);
		free(buf);
	}
	dns_db_free(db);
	scenario_free(s);
}
END_TEST

static Suite *
world_dns_suite(void)
{
	Suite *s = suite_create("world_dns");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_key_id);
	tcase_add_test(tc, test_host_states);
	tcase_add_test(tc, test_data_into_db);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(world_dns_suite)
