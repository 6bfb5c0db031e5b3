/*
 * fuzz_dns_zone: building the world's DNS from text (fake-dns:
 * dns_db_add_zone, dns_db_add_rr, dns_db_add_fault, dns_db_set_state,
 * dns_db_sign, dns_db_print), as a scenario's `dns`, `domain` and
 * `dnssec` keys do, then answering queries about what was added.
 *
 * Input: lines (at most FDZ_LINES, at most FDZ_SIGNED after "sign"):
 *   zone APEX [NS_ADDR]              dns_db_add_zone
 *   fault NAME TYPE KIND             dns_db_add_fault (KIND: servfail,
 *                                    timeout, nxdomain, nodata)
 *   state APEX STATE [BOGUS_KIND]    dns_db_set_state (secure, insecure,
 *                                    bogus)
 *   sign                             dns_db_sign
 *   anything else                    dns_db_add_rr
 * Every RR the db took is then asked for, with and without RD and DO,
 * over UDP and TCP, and the db is printed to /dev/null.
 *
 * Invariants: errors come with a message; answers are well-formed DNS
 * messages with the query's id.
 */
#ifndef MXSIM_FUZZ_DNS_ZONE_H
#define MXSIM_FUZZ_DNS_ZONE_H

#include <ldns/ldns.h>

#include "fake-dns/dns.h"
#include "tests/fuzz/fuzz_common.h"

#define FDZ_LINES 64
#define FDZ_SIGNED 8     /* each change re-signs a signed db */
#define FDZ_CLOCK 1780272000

static FILE *fdz_null;

static void
fdz_init(void)
{
	fuzz_setup(false);
	if (fdz_null == NULL)
		fdz_null = fopen("/dev/null", "w");
	FUZZ_CHECK(fdz_null != NULL);
}

/* Ask db for (owner, type) of the RR in presentation form rr. */
static void
fdz_ask(struct dns_db *db, const char *rrtext)
{
	ldns_rr *rr = NULL, *qrr;
	ldns_rdf *old;
	ldns_pkt *q = NULL, *r = NULL;
	uint8_t *wire = NULL, *resp;
	size_t len = 0, rlen;

	if (ldns_rr_new_frm_str(&rr, rrtext, 300, NULL, NULL) != LDNS_STATUS_OK)
		return;
	for (int v = 0; v < 4; v++) {
		if (ldns_pkt_query_new_frm_str(&q, "x.", LDNS_RR_TYPE_A,
		    LDNS_RR_CLASS_IN, v & 1 ? LDNS_RD : 0) != LDNS_STATUS_OK)
			break;
		qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
		old = ldns_rr_owner(qrr);
		ldns_rr_set_owner(qrr, ldns_rdf_clone(ldns_rr_owner(rr)));
		ldns_rdf_deep_free(old);
		ldns_rr_set_type(qrr, ldns_rr_get_type(rr));
		ldns_pkt_set_id(q, 0x4242);
		if (v & 2) {
			ldns_pkt_set_edns_udp_size(q, 1232);
			ldns_pkt_set_edns_do(q, true);
		}
		if (ldns_pkt2wire(&wire, q, &len) == LDNS_STATUS_OK) {
			for (int tcp = 0; tcp <= 1; tcp++) {
				resp = NULL;
				if (dns_db_answer_at(db, FDZ_CLOCK, wire, len,
				    tcp, &resp, &rlen, NULL) != 0)
					continue;
				FUZZ_CHECK(resp[0] == 0x42 && resp[1] == 0x42);
				FUZZ_CHECK(ldns_wire2pkt(&r, resp, rlen) ==
				    LDNS_STATUS_OK);
				ldns_pkt_free(r);
				r = NULL;
				free(resp);
			}
		}
		free(wire);
		wire = NULL;
		ldns_pkt_free(q);
		q = NULL;
	}
	ldns_rr_free(rr);
}

static enum dns_fault
fdz_fault(const char *s)
{
	static const char *const names[] = { "none", "servfail", "timeout",
		"nxdomain", "nodata" };

	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum dns_fault)i;
	return DNS_FAIL_SERVFAIL;
}

static enum dns_sec_state
fdz_state(const char *s)
{
	if (strcmp(s, "insecure") == 0)
		return DNS_SEC_INSECURE;
	if (strcmp(s, "bogus") == 0)
		return DNS_SEC_BOGUS;
	return DNS_SEC_SECURE;
}

static void
fdz_one(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), *save, *line;
	char *added[FDZ_LINES];
	size_t nadded = 0, nlines = 0, nsigned = 0;
	struct dns_db *db = dns_db_new();
	bool sign = false;
	char err[256];

	for (line = strtok_r(text, "\n", &save); line != NULL &&
	    nlines < FDZ_LINES && nsigned <= FDZ_SIGNED;
	    line = strtok_r(NULL, "\n", &save), nlines++) {
		char a[256], b[256], c[256];
		int n, rc;

		nsigned += sign;
		err[0] = '\0';
		a[0] = b[0] = c[0] = '\0';
		n = sscanf(line, "%255s %255s %255s", a, b, c);
		if (n >= 2 && strcmp(a, "zone") == 0) {
			rc = dns_db_add_zone(db, b, n == 3 ? c : NULL, err,
			    sizeof(err));
		} else if (n >= 1 && strcmp(a, "fault") == 0) {
			char k[256] = "servfail";

			(void)sscanf(line, "%*s %255s %255s %255s", b, c, k);
			rc = dns_db_add_fault(db, b, atoi(c), fdz_fault(k), err,
			    sizeof(err));
		} else if (n >= 2 && strcmp(a, "state") == 0) {
			rc = dns_db_set_state(db, b, fdz_state(c), NULL, err,
			    sizeof(err));
			if (n == 3 && strcmp(c, "bogus") == 0) {
				char k[256] = "";

				if (sscanf(line, "%*s %*s %*s %255s", k) == 1)
					rc = dns_db_set_state(db, b,
					    DNS_SEC_BOGUS, k, err, sizeof(err));
			}
		} else if (n == 1 && strcmp(a, "sign") == 0) {
			rc = dns_db_sign(db, 1, FDZ_CLOCK, err, sizeof(err));
			sign = sign || rc == 0;
		} else {
			rc = dns_db_add_rr(db, line, err, sizeof(err));
			if (rc == 0)
				added[nadded++] = line;
		}
		FUZZ_CHECK(rc == 0 || rc == -1);
		if (rc < 0)
			FUZZ_CHECK(err[0] != '\0');
	}
	for (size_t i = 0; i < nadded; i++)
		fdz_ask(db, added[i]);
	dns_db_print(db, fdz_null);
	dns_db_free(db);
	free(text);
}

#endif
