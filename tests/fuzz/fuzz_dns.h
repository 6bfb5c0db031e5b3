/*
 * fuzz_dns: the query path of the world's DNS (fake-dns: dns_db_answer_at,
 * the authoritative and the validating-resolver faces) without I/O.
 *
 * One db for the whole process: ".", "test." and three domains, one per
 * DNSSEC state (secure, insecure, bogus), with MX, A, AAAA, TXT, TLSA and
 * CNAME data and every kind of fault, signed from seed 1.
 *
 * Input: one flags byte, then the wire query.
 *   bit 0      over TCP (no truncation)
 *   bits 1-2   the clock: signing time, +40 days (signatures expired),
 *              -2 days (not yet valid), +1 day
 *
 * Invariants: no internal error; nothing is sent only for a message
 * shorter than a header, a response, or a timeout fault; an answer is a
 * well-formed DNS message with the query's id and QR set, no larger than
 * the client's UDP limit (UDP) or 65535 bytes (TCP), with the rcode
 * reported in the query info; answering twice gives the same bytes.
 */
#ifndef MXSIM_FUZZ_DNS_H
#define MXSIM_FUZZ_DNS_H

#include <ldns/ldns.h>

#include "fake-dns/dns.h"
#include "tests/fuzz/fuzz_common.h"

#define FDN_CLOCK 1780272000

static struct dns_db *fdn_db;

static const char *const fdn_rrs[] = {
	"example.test. MX 10 mx1.example.test.",
	"example.test. MX 20 mx2.example.test.",
	"mx1.example.test. A 127.25.0.11",
	"mx1.example.test. AAAA fd00::11",
	"mx2.example.test. A 127.25.0.12",
	"_mta-sts.example.test. TXT \"v=STSv1; id=20260101\"",
	"_smtp._tls.example.test. TXT \"v=TLSRPTv1; rua=mailto:r@example.test\"",
	"multi.example.test. TXT \"part one\" \"part two\"",
	"_25._tcp.mx1.example.test. TLSA 3 1 1 "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"www.example.test. CNAME alias.example.test.",
	"alias.example.test. CNAME host.test.",
	"host.test. A 127.0.0.5",
	"loop1.example.test. CNAME loop2.example.test.",
	"loop2.example.test. CNAME loop1.example.test.",
	"out.example.test. CNAME mail.example.org.",
	"insecure.test. MX 10 mx.insecure.test.",
	"mx.insecure.test. A 127.25.1.1",
	"bogus.test. MX 10 mx.bogus.test.",
	"mx.bogus.test. A 127.25.2.1",
	"_25._tcp.mx.bogus.test. TLSA 3 1 1 "
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
};

static void
fdn_init(void)
{
	static const char *const zones[] = { ".", "test.", "example.test.",
		"insecure.test.", "bogus.test." };
	static const struct {
		const char *name;
		int type;
		enum dns_fault f;
	} faults[] = {
		{ "servfail.example.test", 0, DNS_FAIL_SERVFAIL },
		{ "slow.example.test", LDNS_RR_TYPE_A, DNS_FAIL_TIMEOUT },
		{ "gone.example.test", 0, DNS_FAIL_NXDOMAIN },
		{ "mx2.example.test", LDNS_RR_TYPE_AAAA, DNS_FAIL_NODATA },
		{ "alias.example.test", LDNS_RR_TYPE_MX, DNS_FAIL_SERVFAIL },
	};
	char err[256];

	fuzz_setup(false);
	if (fdn_db != NULL)
		return;
	fdn_db = dns_db_new();
	for (size_t i = 0; i < ARRAY_LEN(zones); i++)
		FUZZ_CHECK(dns_db_add_zone(fdn_db, zones[i], "127.53.0.1", err,
		    sizeof(err)) == 0);
	for (size_t i = 0; i < ARRAY_LEN(fdn_rrs); i++)
		FUZZ_CHECK(dns_db_add_rr(fdn_db, fdn_rrs[i], err,
		    sizeof(err)) == 0);
	for (size_t i = 0; i < ARRAY_LEN(faults); i++)
		FUZZ_CHECK(dns_db_add_fault(fdn_db, faults[i].name,
		    faults[i].type, faults[i].f, err, sizeof(err)) == 0);
	FUZZ_CHECK(dns_db_set_state(fdn_db, "insecure.test.", DNS_SEC_INSECURE,
	    NULL, err, sizeof(err)) == 0);
	FUZZ_CHECK(dns_db_set_state(fdn_db, "bogus.test.", DNS_SEC_BOGUS,
	    "signature", err, sizeof(err)) == 0);
	FUZZ_CHECK(dns_db_sign(fdn_db, 1, FDN_CLOCK, err, sizeof(err)) == 0);
}

/* The UDP size the client asked for: 512, or its EDNS size within
 * 512..DNS_EDNS_UDP_SIZE. */
static size_t
fdn_udp_limit(const ldns_pkt *q)
{
	size_t n;

	if (q == NULL || !ldns_pkt_edns(q))
		return 512;
	n = ldns_pkt_edns_udp_size(q);
	if (n < 512)
		n = 512;
	return n > DNS_EDNS_UDP_SIZE ? DNS_EDNS_UDP_SIZE : n;
}

static void
fdn_one(const uint8_t *data, size_t size)
{
	static const int64_t shift[] = { 0, 40 * 86400, -2 * 86400, 86400 };
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_byte(&in);
	bool tcp = flags & 1;
	time_t now = FDN_CLOCK + shift[(flags >> 1) & 3];
	struct dns_qinfo info;
	uint8_t *q, *resp = NULL, *again = NULL;
	size_t resplen = 0, againlen = 0;
	ldns_pkt *qp = NULL, *rp = NULL;
	int rc, rc2;

	/* an exact-size copy: ASan sees any read past the message */
	q = xmalloc(in.n ? in.n : 1);
	memcpy(q, in.p, in.n);
	rc = dns_db_answer_at(fdn_db, now, q, in.n, tcp, &resp, &resplen,
	    &info);
	FUZZ_CHECK(rc == 0 || rc == 1);
	if (rc == 1) {
		FUZZ_CHECK(resp == NULL);
		FUZZ_CHECK(in.n < 12 || (q[2] & 0x80) ||
		    info.fault == DNS_FAIL_TIMEOUT);
		goto out;
	}
	FUZZ_CHECK(resp != NULL && resplen >= 12);
	FUZZ_CHECK(resp[0] == q[0] && resp[1] == q[1] && (resp[2] & 0x80));
	FUZZ_CHECK(ldns_wire2pkt(&rp, resp, resplen) == LDNS_STATUS_OK);
	if (info.rcode < 16)
		FUZZ_CHECK((int)ldns_pkt_get_rcode(rp) == info.rcode);
	(void)ldns_wire2pkt(&qp, q, in.n);
	if (tcp)
		FUZZ_CHECK(resplen <= 65535);
	else
		FUZZ_CHECK(resplen <= fdn_udp_limit(qp));

	/* the db is not changed by answering: same question, same bytes */
	rc2 = dns_db_answer_at(fdn_db, now, q, in.n, tcp, &again, &againlen,
	    NULL);
	FUZZ_CHECK(rc2 == 0 && againlen == resplen &&
	    memcmp(again, resp, resplen) == 0);
out:
	ldns_pkt_free(qp);
	ldns_pkt_free(rp);
	free(again);
	free(resp);
	free(q);
}

#endif
