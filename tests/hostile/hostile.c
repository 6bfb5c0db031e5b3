/*
 * hostile: a sender that misbehaves on purpose (issue 8), run against
 * every listener of a world built in-process: the public MX faces where
 * the attacker sits (one plain path, one stripping STARTTLS), the real
 * MX behind them (25, 587, 465), and the DNS server (UDP and TCP).
 *
 * For every abuse x listener: the abuse runs (hostile_smtp.c,
 * hostile_dns.c check what the server must do), then a normal delivery
 * (or DNS query) must still work, the recorder must hold exactly one
 * sender session per TCP connection that was made, and the verdict
 * engine must judge them.  Peak RSS and the recorder's transcript bytes
 * are printed per step; at the end N parallel connections (default 1000,
 * --parallel N) hit the public face, and the figures are printed.
 *
 *   hostile [-v] [--parallel N]      exit 0 all good, 1 failures,
 *                                    77 no network namespace
 *
 * Everything runs on the virtual clock (LOOP_SKIP), so the slowloris's
 * hour and the servers' idle timeouts cost no real time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/netns.h"
#include "core/result.h"
#include "sim/scenario.h"
#include "sim/verdict.h"
#include "sim/world.h"
#include "tests/hostile/hostile.h"

static const char scenario_src[] =
    "return { title = 'hostile', refs = {}, domain = 'example.test',\n"
    "  mx = { { host = 'mx1.example.test', pref = 10 },\n"
    "         { host = 'mx2.example.test', pref = 20 } },\n"
    "  attack = { { 'strip_starttls', host = 'mx2.example.test' } },\n"
    "  expect = { delivery = 'verified' } }\n";

static const struct htarget targets[] = {
	{ "path:25", "127.25.0.11", 25, false, true },
	{ "path:587", "127.25.0.11", 587, false, true },
	{ "path:465", "127.25.0.11", 465, true, true },
	{ "strip-path:25", "127.25.0.12", 25, false, true },
	{ "backend:25", "127.26.0.11", 25, false, true },
	{ "backend:587", "127.26.0.11", 587, false, true },
	{ "backend:465", "127.26.0.11", 465, true, true },
	{ "dns:53", WORLD_DNS_ADDR, 53, false, false },
};

static const struct {
	const char *name;
	habuse_fn *fn;
	bool smtp;
} abuses[] = {
	{ "1 MiB line", hs_long_line, true },
	{ "NUL, bare CR/LF", hs_nul_crlf, true },
	{ "10,000 RCPT", hs_many_rcpts, true },
	{ "slowloris", hs_slowloris, true },
	{ "silent client", hs_idle, true },
	{ "half-open", hs_half_open, true },
	{ "resets", hs_reset, true },
	{ "TLS garbage", hs_tls_garbage, true },
	{ "truncated hello", hs_tls_truncated, true },
	{ "STARTTLS twice", hs_starttls_twice, true },
	{ "pipelined STARTTLS", hs_pipelined_starttls, true },
	{ "UDP garbage", hd_udp_garbage, false },
	{ "TCP garbage", hd_tcp_garbage, false },
	{ "TCP slowloris", hd_tcp_slowloris, false },
	{ "TCP flood", hd_tcp_flood, false },
};

/* ---- peers ---- */

static void
hp_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct hpeer *p = arg;
	const uint8_t *d;
	size_t n;

	switch (ev) {
	case CONN_CONNECTED:
		p->connected = true;
		break;
	case CONN_DATA:
		d = conn_peek(c, &n);
		if (p->in.len < HP_KEEP)
			buf_append(&p->in, d, n < HP_KEEP - p->in.len ? n :
			    HP_KEEP - p->in.len);
		p->got += n;
		conn_consume(c, n);
		break;
	case CONN_TLS_OK:
		p->tls_ok = true;
		p->tls_at = p->got;
		break;
	case CONN_DRAINED:
		break;
	case CONN_TLS_FAILED:
		p->tls_failed = true;
		/* FALLTHROUGH */
	case CONN_TIMEOUT:
	case CONN_EOF:
	case CONN_ERROR:
		p->closed = true;
		p->c = NULL;
		conn_close(c);
		break;
	}
}

const char *
hp_src_addr(void)
{
	static char buf[32];
	static unsigned n;

	n++;
	snprintf(buf, sizeof(buf), "127.1.%u.%u", 1 + (n >> 8) % 250,
	    1 + (n & 0xff) % 250);
	return buf;
}

static bool
never(void *arg)
{
	(void)arg;
	return false;
}

void
hp_idle(struct hctx *h)
{
	(void)loop_run_until(h->l, never, NULL, loop_now(h->l) + 1);
}

void
hp_run(struct hctx *h, uint64_t ms)
{
	(void)loop_run_until(h->l, never, NULL, loop_now(h->l) + ms);
}

void
hp_connect(struct hctx *h, struct hpeer *p, const struct htarget *t)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->in);
	p->c = conn_connect(h->l, hp_src_addr(), t->ip, t->port, hp_cb, p);
	if (p->c == NULL) {
		p->closed = true;
		return;
	}
	hp_run(h, 1);
	if (p->connected && t->smtp)
		h->conns++;
}

static bool
tls_done(void *arg)
{
	struct hpeer *p = arg;

	return p->tls_ok || p->closed;
}

bool
hp_starttls(struct hctx *h, struct hpeer *p)
{
	if (p->c == NULL || conn_starttls(p->c, h->cctx, false,
	    "mx1.example.test") < 0)
		return false;
	(void)loop_run_until(h->l, tls_done, p, loop_now(h->l) + 30000);
	return p->tls_ok && !p->closed;
}

bool
hp_open(struct hctx *h, struct hpeer *p, const struct htarget *t)
{
	hp_connect(h, p, t);
	if (!p->connected)
		return false;
	return !t->implicit_tls || hp_starttls(h, p);
}

void
hp_write(struct hpeer *p, const void *d, size_t n)
{
	if (p->c != NULL && n > 0)
		conn_write(p->c, d, n);
}

void
hp_send(struct hpeer *p, const char *s)
{
	hp_write(p, s, strlen(s));
}

/* Offset just past a complete final reply line ("ddd " ... "\n") at or
 * after p->cursor, its code in *code; 0 when there is none yet. */
static size_t
final_reply(const struct hpeer *p, int *code)
{
	const char *base = (const char *)p->in.data;
	size_t i = p->cursor;

	while (i < p->in.len) {
		const char *s = base + i;
		const char *nl = memchr(s, '\n', p->in.len - i);

		if (nl == NULL)
			return 0;
		if (nl - s >= 4 && s[3] == ' ') {
			*code = atoi(s);
			return (size_t)(nl - base) + 1;
		}
		i = (size_t)(nl - base) + 1;
	}
	return 0;
}

static bool
reply_ready(void *arg)
{
	struct hpeer *p = arg;
	int code;

	return p->closed || final_reply(p, &code) > 0;
}

int
hp_reply(struct hctx *h, struct hpeer *p, uint64_t ms)
{
	int code = -1;
	size_t end;

	(void)loop_run_until(h->l, reply_ready, p, loop_now(h->l) + ms);
	end = final_reply(p, &code);
	if (end == 0)
		return -1;
	buf_consume(&p->in, end);   /* keep only what is not taken yet */
	p->cursor = 0;
	return code;
}

static bool
is_closed(void *arg)
{
	return ((struct hpeer *)arg)->closed;
}

bool
hp_wait_closed(struct hctx *h, struct hpeer *p, uint64_t ms)
{
	(void)loop_run_until(h->l, is_closed, p, loop_now(h->l) + ms);
	return p->closed;
}

void
hp_close(struct hpeer *p, bool reset)
{
	if (p->c != NULL) {
		if (reset)
			conn_reset(p->c);
		else
			conn_close(p->c);
	}
	p->c = NULL;
	p->closed = true;
}

void
hp_free(struct hpeer *p)
{
	hp_close(p, false);
	buf_free(&p->in);
}

int
hp_raw_connect(struct hctx *h, const struct htarget *t)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in to = { .sin_family = AF_INET,
		.sin_port = htons(t->port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, hp_src_addr(), &a.sin_addr);
	inet_pton(AF_INET, t->ip, &to.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		HCHECK(h, 0, "%s: raw connect: %s", t->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (t->smtp)
		h->conns++;
	hp_run(h, 1);
	return fd;
}

/* ---- the driver ---- */

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t
transcript_bytes(const struct rec *r)
{
	size_t n = 0;

	for (size_t i = 0; i < rec_count(r); i++)
		n += rec_get(r, i)->line_bytes;
	return n;
}

/* Sender sessions (via 0) of message k, and how many are still open. */
static size_t
sessions_of(const struct rec *r, unsigned k, size_t *open)
{
	size_t n = 0;

	*open = 0;
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);

		if (s->via == 0 && s->phase == 1 && s->message == k) {
			n++;
			if (s->end == NULL)
				(*open)++;
		}
	}
	return n;
}

/* -v: how each session of message k ended, and its notes. */
static void
dump_notes(const struct rec *r, unsigned k)
{
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);

		if (s->phase != 1 || s->message != k)
			continue;
		printf("   session %u (via %u) %s:%u end %s\n", s->id, s->via,
		    s->addr, s->port, s->end ? s->end : "-");
		for (size_t j = 0; j < s->nlines; j++)
			if (s->lines[j].dir == '!')
				printf("     ! %s\n", s->lines[j].text);
	}
}

static bool
world_quiet(void *arg)
{
	return world_busy(arg) == 0;
}

/* Judges message k: every sender session of it counted. */
static const char *
judge(struct hctx *h, time_t clock, unsigned k, size_t *nsess)
{
	static char delivery[32];
	struct res_message m;

	memset(&m, 0, sizeof(m));
	verdict_message(h->pki, h->rec, clock, 1, k, &m);
	snprintf(delivery, sizeof(delivery), "%s", m.delivery ? m.delivery : "-");
	*nsess = m.nsessions;
	free(m.delivery);
	free(m.reason);
	free(m.mx_host);
	free(m.data_to);
	free(m.sessions);
	return delivery;
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
one_step(struct hctx *h, struct world *w, time_t clock, size_t ai,
	const struct htarget *t)
{
	const struct htarget *ok_t = t->smtp ? t : &targets[ARRAY_LEN(targets) - 1];
	double t0 = now_ms();
	uint64_t v0 = loop_now(h->l);
	size_t nrec, open, judged;
	const char *delivery;
	unsigned conns;
	bool still;

	h->abuse++;
	h->conns = 0;
	rec_set_message(h->rec, 1, h->abuse);
	abuses[ai].fn(h, t);
	/* let every session end (idle timeouts included) */
	(void)loop_run_until(h->l, world_quiet, w, loop_now(h->l) + 1200000);
	HCHECK(h, world_busy(w) == 0, "%s / %s: %u sessions never ended",
	    abuses[ai].name, t->name, world_busy(w));
	nrec = sessions_of(h->rec, h->abuse, &open);
	if (t->smtp) {
		HCHECK(h, nrec == h->conns, "%s / %s: %u connections made, %zu "
		    "sessions recorded", abuses[ai].name, t->name, h->conns, nrec);
		HCHECK(h, open == 0, "%s / %s: %zu recorded sessions have no end",
		    abuses[ai].name, t->name, open);
	}
	if (h->verbose)
		dump_notes(h->rec, h->abuse);
	delivery = judge(h, clock, h->abuse, &judged);
	conns = h->conns;
	HCHECK(h, judged == nrec, "%s / %s: %zu sessions judged of %zu",
	    abuses[ai].name, t->name, judged, nrec);

	/* still serving */
	h->abuse++;
	rec_set_message(h->rec, 1, h->abuse);
	still = t->smtp ? hs_deliver(h, ok_t) : hd_works(h, ok_t);
	HCHECK(h, still, "%s / %s: no longer serving afterwards",
	    abuses[ai].name, t->name);
	(void)loop_run_until(h->l, world_quiet, w, loop_now(h->l) + 1200000);
	printf("%-20s %-14s %5u %5zu %-9s %8.1f %8.1f %8ld %9zu %s\n",
	    abuses[ai].name, t->name, conns, nrec, delivery,
	    (double)(loop_now(h->l) - v0) / 1000.0, now_ms() - t0, peak_rss_kb(),
	    transcript_bytes(h->rec), still ? "serving" : "DEAD");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct hctx h = { 0 };
	struct scenario *scn = NULL;
	struct world *w;
	unsigned parallel = 1000;
	FILE *devnull = NULL;
	char err[512];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			h.verbose = true;
		else if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc)
			parallel = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: hostile [-v] [--parallel N]\n");
			return 2;
		}
	}
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "hostile: no network namespace: %s\n", err);
		return 77;
	}
	raise_nofile();
	if (h.verbose)
		log_set(stderr, LOG_INFO);
	else if ((devnull = fopen("/dev/null", "w")) != NULL)
		log_set(devnull, LOG_ERR);
	if (scenario_load_string("hostile.lua", scenario_src,
	    sizeof(scenario_src) - 1, &scn, err, sizeof(err)) < 0) {
		fprintf(stderr, "hostile: %s\n", err);
		return 1;
	}
	h.l = loop_new(LOOP_SKIP, scn->clock);
	h.pki = pki_new(1, scn->clock);
	h.rec = rec_new(h.l);
	h.cctx = pki_client_ctx(h.pki);
	w = world_new(h.l, h.pki, h.rec, scn, &scn->phases[0].world, err,
	    sizeof(err));
	if (w == NULL) {
		fprintf(stderr, "hostile: world: %s\n", err);
		return 1;
	}
	printf("%-20s %-14s %5s %5s %-9s %8s %8s %8s %9s\n", "abuse", "listener",
	    "conns", "recd", "judged", "virt s", "real ms", "rss KiB",
	    "rec bytes");
	for (size_t a = 0; a < ARRAY_LEN(abuses); a++)
		for (size_t i = 0; i < ARRAY_LEN(targets); i++)
			if (abuses[a].smtp == targets[i].smtp)
				one_step(&h, w, scn->clock, a, &targets[i]);

	if (parallel > 0) {
		double t0 = now_ms();
		long rss0 = peak_rss_kb();
		unsigned greeted;
		size_t nrec, open;

		h.abuse++;
		h.conns = 0;
		rec_set_message(h.rec, 1, h.abuse);
		greeted = hs_parallel(&h, &targets[0], parallel);
		(void)loop_run_until(h.l, world_quiet, w, loop_now(h.l) + 1200000);
		nrec = sessions_of(h.rec, h.abuse, &open);
		HCHECK(&h, greeted == parallel, "%u parallel: %u greeted",
		    parallel, greeted);
		HCHECK(&h, nrec == h.conns && open == 0,
		    "%u parallel: %u connected, %zu recorded, %zu open", parallel,
		    h.conns, nrec, open);
		h.abuse++;
		rec_set_message(h.rec, 1, h.abuse);
		HCHECK(&h, hs_deliver(&h, &targets[0]), "not serving after "
		    "%u parallel connections", parallel);
		printf("parallel: %u connections to %s: %u greeted, %zu recorded "
		    "in %.0f ms; peak RSS %ld KiB (%ld KiB before), recorder "
		    "transcripts %zu bytes in %zu sessions\n", parallel,
		    targets[0].name, greeted, nrec, now_ms() - t0, peak_rss_kb(),
		    rss0, transcript_bytes(h.rec), rec_count(h.rec));
	}

	world_free(w);
	while (loop_nfds(h.l) > 0 || loop_ntimers(h.l) > 0)
		if (loop_run_once(h.l) < 0)
			break;
	HCHECK(&h, loop_nfds(h.l) == 0, "%u fds left on the loop",
	    loop_nfds(h.l));
	SSL_CTX_free(h.cctx);
	rec_free(h.rec);
	pki_free(h.pki);
	loop_free(h.l);
	pki_rand_restore();
	scenario_free(scn);
	if (devnull != NULL) {
		log_set(stderr, LOG_ERR);
		fclose(devnull);
	}
	rc = h.failures ? 1 : 0;
	printf("hostile: %s (%d failures)\n", rc ? "FAILED" : "ok", h.failures);
	return rc;
}
