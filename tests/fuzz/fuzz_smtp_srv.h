/*
 * fuzz_smtp_srv: the fake MX (fake-mx/smtp_srv.c) driven by a hostile
 * client over loopback TCP, in a private network namespace, on the
 * virtual clock (LOOP_SKIP).
 *
 * Input: one configuration byte, then frames (fuzz_common.h).
 *   config bits 0-1  port the client connects to: 25, 25, 587, 465
 *          bit 2     no TLS context (STARTTLS refused, nothing on 465)
 *          bit 3     reply overrides, set A (banner refused, ...)
 *          bit 4     reply overrides, set B (drops, multi-line, silence),
 *                    when bit 3 is clear
 *          bit 5     EHLO capability override
 *          bit 6     SIZE 100
 *          bit 7     no recorder
 *   frame payload    bytes the client writes (one write, then the loop
 *                    runs until nothing is ready)
 *   0xf0             the client starts TLS (it may or may not be expected)
 *   0xf1             the virtual clock passes the server's idle timeout
 *   0xf2 / 0xf3      the client closes with FIN / RST; the rest is unused
 *   other controls   no-ops
 *
 * Each execution builds a loop, recorder and server, and tears them down.
 * Invariants checked: every session ends by the idle timeout at the
 * latest; the server still accepts and greets a new client afterwards;
 * every accepted connection is recorded; no fd or timer is left.
 */
#ifndef MXSIM_FUZZ_SMTP_SRV_H
#define MXSIM_FUZZ_SMTP_SRV_H

#include <openssl/ssl.h>

#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "tests/fuzz/fuzz_common.h"

#define FSS_ADDR "127.26.0.11"
#define FSS_CLOCK 1780272000        /* 2026-06-01, the scenario default */
#define FSS_TIMEOUT 300000

static struct {
	struct pki *pki;
	struct pki_cert *cert;
	SSL_CTX *sctx, *cctx;
} fss;

static void
fss_init(void)
{
	struct pki_spec spec = { .variant = "valid", .host = "mx1.example.test" };
	char err[256];

	fuzz_setup(true);
	if (fss.pki != NULL)
		return;
	fss.pki = pki_new(1, FSS_CLOCK);
	FUZZ_CHECK(fss.pki != NULL);
	FUZZ_CHECK(pki_issue(fss.pki, &spec, &fss.cert, err, sizeof(err)) == 0);
	fss.sctx = pki_server_ctx(fss.cert);
	fss.cctx = pki_client_ctx(fss.pki);
	FUZZ_CHECK(fss.sctx != NULL && fss.cctx != NULL);
}

static const struct smtp_override fss_ov_a[] = {
	{ "banner", "554 5.7.1 no service for you" },
	{ "STARTTLS", "454 4.7.0 TLS not available" },
	{ "MAIL", "" },
	{ "RCPT", "250-first\n250 second" },
	{ "DOT", NULL },
};

static const struct smtp_override fss_ov_b[] = {
	{ "EHLO", "250-mx1.example.test\r\n250-STARTTLS\n250 SIZE 1" },
	{ "STARTTLS", "220 go ahead" },
	{ "DATA", "354 go" },
	{ "QUIT", NULL },
	{ "error", "500-first\n500 second" },
	{ "errors", NULL },
	{ "timeout", "" },
	{ "HELO", "not a reply" },
};

static const char *const fss_ehlo[] = { "PIPELINING", "STARTTLS", "SIZE x",
	"", "REQUIRETLS", NULL };

struct fss_run {
	struct smtp_srv *srv;
};

static bool
fss_no_sessions(void *arg)
{
	return smtp_srv_sessions(((struct fss_run *)arg)->srv) == 0;
}

static bool
fss_quiet(void *arg)
{
	struct loop *l = arg;

	return loop_nfds(l) == 0 && loop_ntimers(l) == 0;
}

static void
fss_one(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 25, 25, 587, 465 };
	struct fuzz_in in = { data, size };
	struct smtp_srv_config cfg;
	struct fuzz_peer cli, probe;
	struct fss_run run;
	struct rec *rec = NULL;
	struct loop *l;
	const uint8_t *d;
	size_t n, accepted = 0;
	char err[256];
	uint8_t conf = fuzz_byte(&in);
	int c;

	pki_rand_reset(1, "fuzz");
	l = loop_new(LOOP_SKIP, FSS_CLOCK);
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "mx1.example.test";
	cfg.addr = FSS_ADDR;
	cfg.port_smtp = 25;
	cfg.port_submission = 587;
	cfg.port_smtps = 465;
	cfg.tls = conf & 4 ? NULL : fss.sctx;
	cfg.cert_label = "valid";
	if (conf & 8) {
		cfg.overrides = fss_ov_a;
		cfg.noverrides = ARRAY_LEN(fss_ov_a);
	} else if (conf & 16) {
		cfg.overrides = fss_ov_b;
		cfg.noverrides = ARRAY_LEN(fss_ov_b);
	}
	cfg.ehlo = conf & 32 ? fss_ehlo : NULL;
	cfg.max_size = conf & 64 ? 100 : 0;
	if (!(conf & 128))
		rec = rec_new(l);
	cfg.rec = rec;
	run.srv = smtp_srv_new(l, &cfg, err, sizeof(err));
	if (run.srv == NULL) {
		fprintf(stderr, "fuzz: %s\n", err);
		FUZZ_CHECK(run.srv != NULL);
	}

	fuzz_peer_connect(&cli, l, fuzz_src_addr(90), FSS_ADDR,
	    ports[conf & 3]);
	fuzz_idle(l);
	if (cli.connected)
		accepted++;
	while ((c = fuzz_frame(&in, FUZZ_CTL, &d, &n)) >= 0 && fuzz_peer_live(&cli)) {
		if (c < FUZZ_CTL)
			fuzz_peer_write(&cli, d, n);
		else if (c == 0xf0)
			fuzz_peer_starttls(&cli, fss.cctx, false);
		else if (c == 0xf1)
			(void)loop_run_until(l, fuzz_never, NULL,
			    loop_now(l) + FSS_TIMEOUT + 1000);
		else if (c == 0xf2 || c == 0xf3)
			fuzz_peer_close(&cli, c == 0xf3);
		fuzz_idle(l);
	}
	fuzz_peer_close(&cli, false);
	/* every session ends, by the idle timeout at the latest */
	(void)loop_run_until(l, fss_no_sessions, &run,
	    loop_now(l) + 2 * FSS_TIMEOUT);
	FUZZ_CHECK(smtp_srv_sessions(run.srv) == 0);

	/* the server still accepts and greets */
	fuzz_peer_connect(&probe, l, fuzz_src_addr(91), FSS_ADDR, 25);
	fuzz_idle(l);
	FUZZ_CHECK(probe.connected);
	accepted++;
	FUZZ_CHECK(strncmp(probe.head, conf & 8 ? "554 " :
	    "220 mx1.example.test ", conf & 8 ? 4 : 21) == 0);
	fuzz_peer_write(&probe, (const uint8_t *)"QUIT\r\n", 6);
	fuzz_idle(l);
	fuzz_peer_close(&probe, false);
	(void)loop_run_until(l, fss_no_sessions, &run,
	    loop_now(l) + 2 * FSS_TIMEOUT);
	FUZZ_CHECK(smtp_srv_sessions(run.srv) == 0);
	if (rec != NULL)
		FUZZ_CHECK(rec_count(rec) == accepted);

	smtp_srv_free(run.srv);
	(void)loop_run_until(l, fss_quiet, l, loop_now(l) + 2 * FSS_TIMEOUT);
	FUZZ_CHECK(loop_nfds(l) == 0 && loop_ntimers(l) == 0);
	fuzz_dump_rec(rec);
	rec_free(rec);
	loop_free(l);
}

#endif
