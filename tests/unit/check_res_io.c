/*
 * Unit tests for sim/res_io.c (the lossless results file), the shard
 * arithmetic of sim/outputs.c, and sim/capcat.c (captures from parts).
 *
 * Round trip: a model with every field set (binary DER, bytes that are
 * not UTF-8, NULL strings, empty vectors, a load error without recorder)
 * is written, read back and written again: the two files are the same
 * bytes, and every report writer gives the same text for both models.
 * Damage: every truncation and a sweep of flipped bytes are errors or
 * well-formed models, never crashes (run under ASan by check-asan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pcap.h"
#include "core/record.h"
#include "core/result.h"
#include "reports/report.h"
#include "sim/capcat.h"
#include "sim/outputs.h"
#include "sim/res_io.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/check_res_io.XXXXXX";

static const char *
tmp(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static struct res_run *
build(void)
{
	static const uint8_t der[] = { 0x30, 0x00, 0xff, 0x00, 7 };
	static const uint8_t chain[] = { 0x30, 0x82, 0x01 };
	struct res_run *r = res_run_new(UINT64_MAX - 3, "builtin:no-verify");
	struct res_scenario *s = res_run_add(r);
	struct rec_session *rs;

	s->id = xstrdup("starttls/strip");
	s->path = xstrdup("scenarios/starttls/strip.lua");
	s->title = xstrdup("caf\xc3\xa9 \xff <b>");
	res_strv_push(&s->refs, &s->nrefs, "RFC 3207 4");
	s->domain = xstrdup("example.test");
	s->sender = xstrdup("builtin:no-verify");
	s->verdict = xstrdup("fail");
	s->reason = xstrdup("plaintext\x01");
	s->clock = 1780272000;
	s->real_ms = 12.625;
	s->virtual_ms = 300123;
	s->nphases = 2;
	s->phases = xcalloc(2, sizeof(*s->phases));
	s->phases[0].index = 1;
	res_strv_push(&s->phases[0].expect, &s->phases[0].nexpect, "refused");
	res_strv_push(&s->phases[0].expect_tlsrpt, &s->phases[0].nexpect_tlsrpt,
	    "starttls-not-supported");
	s->phases[0].verdict = xstrdup("fail");
	s->phases[0].nmsgs = 1;
	s->phases[0].msgs = xcalloc(1, sizeof(struct res_message));
	s->phases[0].msgs[0] = (struct res_message){ .phase = 1, .index = 1,
		.delivery = xstrdup("plaintext"), .reason = xstrdup("why"),
		.data_to = xstrdup("attacker"), .leak = true,
		.sessions = xcalloc(2, sizeof(unsigned)), .nsessions = 2 };
	res_strv_push(&s->phases[0].msgs[0].sender_log,
	    &s->phases[0].msgs[0].nsender_log, "postfix/smtp: TLS \xff refused");
	s->phases[0].msgs[0].sessions[0] = 1;
	s->phases[0].msgs[0].sessions[1] = 2;
	s->phases[1].index = 2;
	s->phases[1].verdict = xstrdup("pass");
	s->npolicies = 1;
	s->policies = xcalloc(1, sizeof(*s->policies));
	s->policies[0].type = xstrdup("sts");
	s->policies[0].domain = xstrdup("example.test");
	res_strv_push(&s->policies[0].strings, &s->policies[0].nstrings, "mode: enforce");
	res_strv_push(&s->policies[0].mx_patterns, &s->policies[0].nmx_patterns, "*.example.test");
	s->policies[0].failure = 3;
	s->policies[0].nfailures = 1;
	s->policies[0].failures = xcalloc(1, sizeof(struct res_failure));
	s->policies[0].failures[0] = (struct res_failure){
		.result_type = xstrdup("certificate-expired"),
		.sending_ip = xstrdup("127.1.0.1"),
		.receiving_mx = xstrdup("mx1.example.test"),
		.receiving_ip = xstrdup("127.25.0.10"), .count = 3 };
	res_strv_push(&s->tlsrpt_received, &s->ntlsrpt_received, "{\"a\": 1}");
	res_strv_push(&s->tlsrpt_via, &s->ntlsrpt_via, "mailto:x application/tlsrpt+gzip");
	res_strv_push(&s->tlsrpt_findings, &s->ntlsrpt_findings, "count differs");
	s->rec = rec_new(NULL);
	rec_set_message(s->rec, 1, 1);
	rs = rec_session_new(s->rec, "mx1.example.test", "127.25.0.10", 25);
	rec_set(&rs->attack, "strip_starttls");
	rs->connected = rs->banner = rs->starttls_offered = rs->data_sent = true;
	rs->leak = rs->dns = true;
	rs->starttls_reply = 454;
	rs->tls = REC_TLS_FAILED;
	rec_set(&rs->tls_error, "handshake \xfe failure");
	rec_set_cert(rs, "expired", der, sizeof(der), chain, sizeof(chain));
	rec_set(&rs->end, "quit");
	rec_line(s->rec, rs, '>', "EHLO sender.test");
	rec_line(s->rec, rs, '!', "attacker removed STARTTLS");
	rs->lines[1].t_ms = 1234567890123ull;
	rec_set_message(s->rec, 2, 3);
	rs = rec_session_new(s->rec, NULL, "127.26.0.10", 25);
	rs->via = 1;
	rs->implicit_tls = rs->ehlo_after_tls = rs->delivered = rs->data_tls = true;
	rs->tls = REC_TLS_OK;
	rec_set(&rs->tls_by, "mx");
	/* a scenario that failed to load: no recorder, no phases */
	s = res_run_add(r);
	s->id = xstrdup("broken");
	s->verdict = xstrdup("error");
	s->reason = xstrdup("broken.lua:3: unknown key");
	res_run_count(r);
	return r;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc((size_t)n + 1);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return p;
}

START_TEST(test_round_trip)
{
	struct res_run *a = build(), *b;
	struct resio_place pl = { NULL, 0, 0 }, pa;
	unsigned slots[2] = { 5, 6 };
	char err[512], *fa, *fb, *ta, *tb;
	size_t la, lb;

	pa = (struct resio_place){ slots, 2, 9 };
	ck_assert_int_eq(resio_save(tmp("a.bin"), a, &pa, err, sizeof(err)), 0);
	ck_assert_int_eq(resio_load(tmp("a.bin"), &b, &pl, err, sizeof(err)), 0);
	ck_assert_uint_eq(pl.nslots, 2);
	ck_assert_uint_eq(pl.slots[0], 5);
	ck_assert_uint_eq(pl.slots[1], 6);
	ck_assert_uint_eq(pl.total, 9);
	ck_assert_int_eq(resio_save(tmp("b.bin"), b, &pl, err, sizeof(err)), 0);
	fa = slurp(tmp("a.bin"), &la);
	fb = slurp(tmp("b.bin"), &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert(memcmp(fa, fb, la) == 0);
	/* fields checked one by one where reports do not show them */
	ck_assert_uint_eq(b->seed, UINT64_MAX - 3);
	ck_assert_str_eq(b->scenarios[0]->path, "scenarios/starttls/strip.lua");
	ck_assert(b->scenarios[0]->clock == 1780272000);
	ck_assert(b->scenarios[0]->real_ms == 0);   /* wall-clock time is not kept */
	struct rec_session *s1 = rec_get(b->scenarios[0]->rec, 0);
	ck_assert_uint_eq(s1->cert_len, 5);
	ck_assert(memcmp(s1->cert_der, "\x30\x00\xff\x00\x07", 5) == 0);
	ck_assert_uint_eq(s1->chain_len, 3);
	ck_assert(s1->dns && s1->leak && !s1->implicit_tls);
	ck_assert_uint_eq(s1->lines[1].t_ms, 1234567890123ull);
	ck_assert_ptr_null(rec_get(b->scenarios[0]->rec, 1)->host);
	ck_assert_uint_eq(rec_get(b->scenarios[0]->rec, 1)->message, 3);
	ck_assert_ptr_null(b->scenarios[1]->rec);
	ck_assert_uint_eq(b->scenarios[0]->phases[0].msgs[0].nsender_log, 1);
	ck_assert_str_eq(b->scenarios[0]->tlsrpt_findings[0], "count differs");
	ck_assert_str_eq(b->scenarios[0]->tlsrpt_via[0], "mailto:x application/tlsrpt+gzip");
	ck_assert_uint_eq(b->nfail, 1);
	ck_assert_uint_eq(b->nerror, 1);
	/* every writer sees the same model */
	ta = report_results_json_text(a);
	tb = report_results_json_text(b);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	ta = report_html_text(a);
	tb = report_html_text(b);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	ta = report_tap_text(a);
	tb = report_tap_text(b);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	ta = report_tlsrpt_json(a->scenarios[0], "example.test");
	tb = report_tlsrpt_json(b->scenarios[0], "example.test");
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	ck_assert_int_eq(report_junit(a, tmp("a.xml")), 0);
	ck_assert_int_eq(report_junit(b, tmp("b.xml")), 0);
	ta = slurp(tmp("a.xml"), NULL);
	tb = slurp(tmp("b.xml"), NULL);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	free(fa);
	free(fb);
	resio_place_free(&pl);
	res_run_free(a);
	res_run_free(b);
}
END_TEST

/* Parse a damaged copy: an error or a model, never a crash. */
static int
try_parse(const char *data, size_t len)
{
	FILE *f = fmemopen((void *)data, len, "rb");
	struct res_run *r = NULL;
	struct resio_place pl;
	char err[256];
	int rc;

	if (len == 0)
		f = fopen("/dev/null", "rb");
	ck_assert_ptr_nonnull(f);
	rc = resio_read_run(f, &r, &pl, err, sizeof(err));
	fclose(f);
	if (rc == 0) {
		resio_place_free(&pl);
		res_run_free(r);
	} else {
		ck_assert_ptr_null(r);
		ck_assert(err[0] != '\0');
	}
	return rc;
}

START_TEST(test_damage)
{
	struct res_run *a = build();
	char err[512], *data;
	size_t len, errors = 0;

	ck_assert_int_eq(resio_save(tmp("d.bin"), a, NULL, err, sizeof(err)), 0);
	data = slurp(tmp("d.bin"), &len);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_eq(try_parse(data, n), -1);   /* every truncation */
	ck_assert_int_eq(try_parse(data, len), 0);
	for (size_t i = 0; i < len; i++) {
		char saved = data[i];
		data[i] = (char)(saved ^ 0xa5);
		errors += try_parse(data, len) < 0;
		data[i] = (char)0xff;
		errors += try_parse(data, len) < 0;
		data[i] = saved;
	}
	ck_assert_uint_gt(errors, 0);
	ck_assert_int_eq(try_parse("MXSIMRES\x02\0\0\0", 12), -1);   /* version */
	ck_assert_int_eq(try_parse("results.json", 12), -1);
	struct res_run *none;
	ck_assert_int_eq(resio_load(tmp("nonexistent"), &none, NULL, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(err, "nonexistent"));
	free(data);
	res_run_free(a);
}
END_TEST

START_TEST(test_shards)
{
	unsigned k, n;
	size_t lo, hi, covered = 0, prev = 0;
	char err[256];

	ck_assert_int_eq(shard_parse("2/4", &k, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(k, 2);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(shard_parse("0/4", &k, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(shard_parse("5/4", &k, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(shard_parse("1/-2", &k, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(shard_parse("1/", &k, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(shard_parse("1/2x", &k, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(shard_parse("12", &k, &n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "K/N"));
	/* parts are contiguous, cover everything once, sizes differ by <= 1 */
	for (unsigned i = 1; i <= 7; i++) {
		shard_range(77, i, 7, &lo, &hi);
		ck_assert_uint_eq(lo, prev);
		ck_assert(hi - lo == 11);
		covered += hi - lo;
		prev = hi;
	}
	ck_assert_uint_eq(covered, 77);
	shard_range(3, 4, 5, &lo, &hi);
	ck_assert_uint_eq(hi - lo, 1);
	shard_range(3, 1, 5, &lo, &hi);
	ck_assert_uint_eq(hi - lo, 0);   /* more shards than scenarios: empty */
}
END_TEST

/* A part: frames with timestamps ts.., a key log, a sidecar with a note
 * on its local frame 'note'. */
static void
make_part(const char *name, unsigned nframes, uint64_t ts, const char *key,
    unsigned note)
{
	struct pcap_writer *w;
	uint8_t frame[128];
	char err[256], path[600];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s.pcap", tmp(name));
	ck_assert_int_eq(pcap_writer_open(&w, path, err, sizeof(err)), 0);
	for (unsigned i = 0; i < nframes; i++) {
		len = pcap_frame_udp(frame, sizeof(frame), 0x7f010101, 32768,
		    0x7f350001, 53, (uint16_t)i, (const uint8_t *)"q", 1);
		(void)pcap_writer_put(w, ts + i, frame, len);
	}
	ck_assert_int_eq(pcap_writer_close(w, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s.keys", tmp(name));
	f = fopen(path, "w");
	fprintf(f, "CLIENT_RANDOM aa %s\nCLIENT_RANDOM shared 00\n", key);
	fclose(f);
	snprintf(path, sizeof(path), "%s.json", tmp(name));
	f = fopen(path, "w");
	fprintf(f, "{\"pcap\": \"x\", \"link_type\": \"EN10MB\", \"frames\": %u, "
	    "\"scenarios\": [{\"id\": \"%s\", \"first_frame\": %u, \"last_frame\": %u, "
	    "\"tcp_connections\": 0}], \"notes\": [{\"frame\": %u, \"scenario\": "
	    "\"%s\", \"session\": 1, \"t_ms\": 5, \"text\": \"n\"}]}", nframes, name,
	    nframes ? 1 : 0, nframes, note, name);
	fclose(f);
}

START_TEST(test_capcat)
{
	struct capcat *cc;
	char err[512], a[3][600], *notes, *keys;
	const char *names[3] = { "p1", "p2", "p3" };

	make_part("p1", 3, 1000, "k1", 2);
	make_part("p2", 0, 2000, "k2", 0);   /* no frames: first/last stay 0 */
	make_part("p3", 2, 3000, "k3", 1);
	ck_assert_int_eq(capcat_open(&cc, tmp("all.pcap"), tmp("all.keys"),
	    tmp("all.json"), err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(a[0], sizeof(a[0]), "%s.pcap", tmp(names[i]));
		snprintf(a[1], sizeof(a[1]), "%s.keys", tmp(names[i]));
		snprintf(a[2], sizeof(a[2]), "%s.json", tmp(names[i]));
		ck_assert_int_eq(capcat_add(cc, a[0], a[1], a[2], err, sizeof(err)), 0);
	}
	ck_assert_int_eq(capcat_close(cc, err, sizeof(err)), 0);
	notes = slurp(tmp("all.json"), NULL);
	ck_assert_ptr_nonnull(strstr(notes, "\"pcap\": \"all.pcap\""));
	ck_assert_ptr_nonnull(strstr(notes, "\"frames\": 5"));
	/* p3's frames 1..2 are 4..5 of the whole; its note on 1 is on 4 */
	ck_assert_ptr_nonnull(strstr(notes, "\"id\": \"p3\",\n      \"first_frame\": 4,\n"
	    "      \"last_frame\": 5"));
	ck_assert_ptr_nonnull(strstr(notes, "\"id\": \"p2\",\n      \"first_frame\": 0,\n"
	    "      \"last_frame\": 0"));
	ck_assert_ptr_nonnull(strstr(notes, "\"frame\": 3,\n      \"scenario\": \"p2\""));
	ck_assert_ptr_nonnull(strstr(notes, "\"frame\": 4,\n      \"scenario\": \"p3\""));
	keys = slurp(tmp("all.keys"), NULL);
	ck_assert_str_eq(keys, "CLIENT_RANDOM aa k1\nCLIENT_RANDOM shared 00\n"
	    "CLIENT_RANDOM aa k2\nCLIENT_RANDOM aa k3\n");   /* duplicates once */
	free(notes);
	free(keys);
	/* a damaged part is an error naming it */
	ck_assert_int_eq(capcat_open(&cc, tmp("bad.pcap"), NULL, NULL, err,
	    sizeof(err)), 0);
	FILE *f = fopen(tmp("junk.pcap"), "w");
	fputs("not a capture", f);
	fclose(f);
	ck_assert_int_eq(capcat_add(cc, tmp("junk.pcap"), NULL, NULL, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "junk.pcap"));
	ck_assert_int_eq(capcat_close(cc, err, sizeof(err)), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("res_io");
	TCase *tc = tcase_create("core");

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_damage);
	tcase_add_test(tc, test_shards);
	tcase_add_test(tc, test_capcat);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
