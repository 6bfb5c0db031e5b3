/*
 * fuzz_mitm: the attacker's SMTP path (attacker/mitm.c) between a hostile
 * client and a hostile server, over loopback TCP in a private network
 * namespace, on the virtual clock.  The server behind the path is a
 * scripted peer of this harness (not the fake MX), so that the replies
 * are fuzzed as much as the commands.
 *
 * Input: one configuration byte, then frames (fuzz_common.h).
 *   config bits 0-3  the attack, from fmi_attacks[] (0: none)
 *          bit 4     the client connects to 465 (implicit TLS) instead of 25
 *          bit 5     a block "reset" attack on port 465 as well
 *          bit 6     a caps attack adding capabilities as well
 *          bit 7     unused
 *   frame c < 0x78          c bytes the client writes
 *   frame 0x78 <= c < 0xf0  c - 0x78 bytes the server writes (once the
 *                           path has connected to it)
 *   0xf0 / 0xf1      the client / the server starts TLS
 *   0xf2 / 0xf3      the client closes with FIN / RST
 *   0xf4 / 0xf5      the server closes with FIN / RST
 *   0xf6             the virtual clock passes the path's idle timeout
 *   0xf7             the server starts TLS right after its next data frame
 *                    (before the loop runs: the 220 to a STARTTLS of the
 *                    path, whose ClientHello follows at once)
 *   other controls   no-ops
 * After each frame the loop runs until nothing is ready.
 *
 * Invariants checked: every session of the path ends (by the idle timeout
 * at the latest); the path still accepts and relays a new client
 * afterwards; every client connection is recorded; no fd or timer is left.
 */
#ifndef MXSIM_FUZZ_MITM_H
#define MXSIM_FUZZ_MITM_H

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "attacker/mitm.h"
#include "core/pki.h"
#include "core/record.h"
#include "tests/fuzz/fuzz_common.h"

#define FMI_PUB "127.25.0.11"
#define FMI_BACK "127.26.0.11"
#define FMI_CLOCK 1780272000
#define FMI_TIMEOUT 600000
#define FMI_SERVER 0x78
#define FMI_UPS 4

static struct {
	struct pki *pki;
	struct pki_cert *mx, *evil;
	SSL_CTX *sctx, *cctx;
} fmi;

/* The attack of each value of the configuration's low nibble. */
#define FMI_KEEP 7
#define FMI_BLACKHOLE 8
static const char *const fmi_caps_add[] = { "CHUNKING", "X-EVIL", NULL };
static const char *const fmi_caps_rm[] = { "STARTTLS", "size", NULL };
static const struct mitm_attack fmi_attacks[16] = {
	[0] = { .kind = MITM_NONE },
	[1] = { .kind = MITM_STRIP_STARTTLS },
	[2] = { .kind = MITM_STARTTLS_ERROR },
	[3] = { .kind = MITM_STARTTLS_ERROR, .mode = "reply", .code = 550,
		.text = "5.7.0 no TLS today" },
	[4] = { .kind = MITM_STARTTLS_ERROR, .mode = "drop" },
	[5] = { .kind = MITM_STARTTLS_ERROR, .mode = "close", .code = 454 },
	[6] = { .kind = MITM_SWAP_CERT, .relay = true },
	[FMI_KEEP] = { .kind = MITM_SWAP_CERT, .relay = false },
	[FMI_BLACKHOLE] = { .kind = MITM_BLOCK, .mode = "blackhole" },
	[9] = { .kind = MITM_STARTTLS_INJECT, .mode = "reply",
		.text = "250-injected\n250 ok" },
	[10] = { .kind = MITM_STARTTLS_INJECT, .mode = "reply", .code = 454,
		.text = "250 injected" },
	[11] = { .kind = MITM_STARTTLS_INJECT, .mode = "command",
		.text = "RSET\nMAIL FROM:<evil@attacker.test>" },
	[12] = { .kind = MITM_EHLO_REJECT },
	[13] = { .kind = MITM_REPLY, .step = "DATA", .code = 554,
		.text = "5.7.1 not today" },
	[14] = { .kind = MITM_CAPS, .mode = "plain", .remove = fmi_caps_rm,
		.add = fmi_caps_add },
	[15] = { .kind = MITM_HANDSHAKE_FAIL, .mode = "garbage",
		.text = "this is no TLS\r\n" },
};

static void
fmi_init(void)
{
	struct pki_spec spec = { .variant = "valid", .host = "mx1.example.test" };
	struct pki_spec evil = { .variant = "attacker",
		.host = "mx1.example.test" };
	char err[256];

	fuzz_setup(true);
	if (fmi.pki != NULL)
		return;
	fmi.pki = pki_new(1, FMI_CLOCK);
	FUZZ_CHECK(fmi.pki != NULL);
	FUZZ_CHECK(pki_issue(fmi.pki, &spec, &fmi.mx, err, sizeof(err)) == 0);
	FUZZ_CHECK(pki_issue(fmi.pki, &evil, &fmi.evil, err, sizeof(err)) == 0);
	fmi.sctx = pki_server_ctx(fmi.mx);
	fmi.cctx = pki_client_ctx(fmi.pki);
	FUZZ_CHECK(fmi.sctx != NULL && fmi.cctx != NULL);
}

/* The scripted server: two listeners, the connections the path opens. */
struct fmi_run {
	struct loop *l;
	struct mitm *m;
	int lfd[2];
	struct fuzz_peer up[FMI_UPS];
	size_t nup;            /* accepted so far; up[nup - 1] is the latest */
};

static void
fmi_accept(int fd, uint32_t events, void *arg)
{
	struct fmi_run *r = arg;
	int s;

	while ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (r->nup == FMI_UPS) {
			close(s);
			continue;
		}
		fuzz_peer_adopt(&r->up[r->nup++], r->l, s);
	}
}

static struct fuzz_peer *
fmi_server(struct fmi_run *r)
{
	return r->nup > 0 ? &r->up[r->nup - 1] : NULL;
}

static bool
fmi_no_sessions(void *arg)
{
	return mitm_sessions(((struct fmi_run *)arg)->m) == 0;
}

static bool
fmi_quiet(void *arg)
{
	struct loop *l = arg;

	return loop_nfds(l) == 0 && loop_ntimers(l) == 0;
}

/* Sender sessions in the record (the attacker's own legs have via set). */
static size_t
fmi_sender_sessions(const struct rec *rec)
{
	size_t n = 0;

	for (size_t i = 0; i < rec_count(rec); i++)
		if (rec_get(rec, i)->via == 0)
			n++;
	return n;
}

static void
fmi_one(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 25, 465 };
	struct fuzz_in in = { data, size };
	uint8_t conf = fuzz_byte(&in);
	unsigned kind = conf & 15;
	struct mitm_attack atk[3];
	struct mitm_config mc;
	struct fmi_run r;
	struct fuzz_peer cli, probe, *srv;
	struct rec *rec;
	const uint8_t *d;
	size_t n, natk = 0, clients = 0;
	bool srv_tls_next = false;
	char err[256];
	int c;

	pki_rand_reset(1, "fuzz");
	memset(&r, 0, sizeof(r));
	r.l = loop_new(LOOP_SKIP, FMI_CLOCK);
	rec = rec_new(r.l);
	for (size_t i = 0; i < 2; i++) {
		r.lfd[i] = conn_listen(FMI_BACK, ports[i]);
		FUZZ_CHECK(r.lfd[i] >= 0);
		FUZZ_CHECK(loop_add_fd(r.l, r.lfd[i], EPOLLIN, fmi_accept,
		    &r) == 0);
	}

	memset(atk, 0, sizeof(atk));
	if (kind != 0) {
		atk[natk] = fmi_attacks[kind];
		if (atk[natk].kind == MITM_SWAP_CERT)
			atk[natk].cert = fmi.evil;
		natk++;
	}
	if (conf & 32)
		atk[natk++] = (struct mitm_attack){ .kind = MITM_BLOCK,
			.mode = "reset", .port = 465 };
	if (conf & 64)
		atk[natk++] = (struct mitm_attack){ .kind = MITM_CAPS,
			.mode = "any", .add = fmi_caps_add };
	memset(&mc, 0, sizeof(mc));
	mc.host = "mx1.example.test";
	mc.listen_addr = FMI_PUB;
	mc.upstream_addr = FMI_BACK;
	mc.src_addr = fuzz_src_addr(92);
	mc.ports = ports;
	mc.nports = ARRAY_LEN(ports);
	mc.implicit_tls_port = 465;
	mc.attacks = atk;
	mc.nattacks = natk;
	mc.upstream_tls = fmi.cctx;
	mc.rec = rec;
	r.m = mitm_new(r.l, &mc, err, sizeof(err));
	if (r.m == NULL) {
		fprintf(stderr, "fuzz: %s\n", err);
		FUZZ_CHECK(r.m != NULL);
	}

	fuzz_peer_connect(&cli, r.l, fuzz_src_addr(93), FMI_PUB,
	    ports[(conf >> 4) & 1]);
	fuzz_idle(r.l);
	/* the path listens on both ports whatever the attack, so it accepts
	 * (and records) every connection, even one it resets at once: the
	 * client may never see it connected */
	clients++;
	while ((c = fuzz_frame(&in, FMI_SERVER, &d, &n)) >= 0 && fuzz_peer_live(&cli)) {
		srv = fmi_server(&r);
		if (c < FMI_SERVER) {
			fuzz_peer_write(&cli, d, n);
		} else if (c < FUZZ_CTL) {
			if (srv != NULL) {
				fuzz_peer_write(srv, d, n);
				if (srv_tls_next)
					fuzz_peer_starttls(srv, fmi.sctx, true);
			}
			srv_tls_next = false;
		} else if (c == 0xf0) {
			fuzz_peer_starttls(&cli, fmi.cctx, false);
		} else if (c == 0xf1 && srv != NULL) {
			fuzz_peer_starttls(srv, fmi.sctx, true);
		} else if (c == 0xf2 || c == 0xf3) {
			fuzz_peer_close(&cli, c == 0xf3);
		} else if ((c == 0xf4 || c == 0xf5) && srv != NULL) {
			fuzz_peer_close(srv, c == 0xf5);
		} else if (c == 0xf7) {
			srv_tls_next = true;
		} else if (c == 0xf6) {
			(void)loop_run_until(r.l, fuzz_never, NULL,
			    loop_now(r.l) + FMI_TIMEOUT + 1000);
		}
		fuzz_idle(r.l);
	}
	fuzz_peer_close(&cli, false);
	(void)loop_run_until(r.l, fmi_no_sessions, &r,
	    loop_now(r.l) + 2 * FMI_TIMEOUT);
	FUZZ_CHECK(mitm_sessions(r.m) == 0);
	for (size_t i = 0; i < r.nup; i++)
		fuzz_peer_close(&r.up[i], false);
	r.nup = 0;
	fuzz_idle(r.l);

	/* the path still accepts a client on 25 and relays a greeting */
	fuzz_peer_connect(&probe, r.l, fuzz_src_addr(93), FMI_PUB, 25);
	fuzz_idle(r.l);
	FUZZ_CHECK(probe.connected);
	clients++;
	if (kind == FMI_BLACKHOLE) {
		FUZZ_CHECK(mitm_sessions(r.m) == 1 && probe.got == 0);
	} else if (kind == FMI_KEEP) {
		FUZZ_CHECK(strncmp(probe.head, "220 mx1.example.test", 20) == 0);
	} else {
		FUZZ_CHECK(r.nup == 1);
		fuzz_peer_write(&r.up[0], (const uint8_t *)"220 probe\r\n", 11);
		fuzz_idle(r.l);
		FUZZ_CHECK(strncmp(probe.head, "220 probe\r\n", 11) == 0);
	}
	fuzz_peer_close(&probe, false);
	(void)loop_run_until(r.l, fmi_no_sessions, &r,
	    loop_now(r.l) + 2 * FMI_TIMEOUT);
	FUZZ_CHECK(mitm_sessions(r.m) == 0);
	FUZZ_CHECK(fmi_sender_sessions(rec) == clients);

	mitm_free(r.m);
	for (size_t i = 0; i < r.nup; i++)
		fuzz_peer_close(&r.up[i], false);
	for (size_t i = 0; i < 2; i++) {
		loop_del_fd(r.l, r.lfd[i]);
		close(r.lfd[i]);
	}
	(void)loop_run_until(r.l, fmi_quiet, r.l, loop_now(r.l) + 2 * FMI_TIMEOUT);
	FUZZ_CHECK(loop_nfds(r.l) == 0 && loop_ntimers(r.l) == 0);
	fuzz_dump_rec(rec);
	rec_free(rec);
	loop_free(r.l);
}

#endif
