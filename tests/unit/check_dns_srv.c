/*
 * Unit tests for fake-dns/dns_srv.c: the DNS server on real sockets in a
 * private network namespace, queried by in-process clients on a LOOP_SKIP
 * loop (TCP framing, idle timeouts, garbage) and by the real dig and drill
 * binaries on a LOOP_REAL loop.  The answers themselves are tested without
 * I/O in check_dns.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "testutil.h"

static struct dns_db *
world(void)
{
	static const char *rrs[] = {
		"example.test. MX 10 mx1.example.test.",
		"example.test. MX 20 mx2.example.test.",
		"mx1.example.test. A 127.25.0.11",
		"mx2.example.test. A 127.25.0.12",
		"multi.example.test. TXT \"part one\" \"part two\" \"part three\"",
		"_25._tcp.mx1.example.test. TLSA 3 1 1 0123456789abcdef0123456789"
		    "abcdef0123456789abcdef0123456789abcdef",
		"www.example.test. CNAME alias1.example.test.",
		"alias1.example.test. CNAME host.test.",
		"host.test. A 127.0.0.5",
		"servfail.example.test. A 127.0.0.20",
		"slow.example.test. A 127.0.0.21",
	};
	struct dns_db *db = dns_db_new();
	char err[256], line[128];

	ck_assert(dns_db_add_zone(db, ".", "127.53.0.1", err, sizeof(err)) == 0);
	ck_assert(dns_db_add_zone(db, "test.", "127.53.0.1", err,
	    sizeof(err)) == 0);
	ck_assert(dns_db_add_zone(db, "example.test.", "127.53.0.1", err,
	    sizeof(err)) == 0);
	for (size_t i = 0; i < ARRAY_LEN(rrs); i++)
		ck_assert_msg(dns_db_add_rr(db, rrs[i], err, sizeof(err)) == 0,
		    "%s: %s", rrs[i], err);
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "big.example.test. TXT \"record "
		    "%02d of the forty that overflow a UDP answer\"", i);
		ck_assert(dns_db_add_rr(db, line, err, sizeof(err)) == 0);
	}
	ck_assert(dns_db_add_fault(db, "servfail.example.test", 0,
	    DNS_FAIL_SERVFAIL, err, sizeof(err)) == 0);
	ck_assert(dns_db_add_fault(db, "slow.example.test", LDNS_RR_TYPE_A,
	    DNS_FAIL_TIMEOUT, err, sizeof(err)) == 0);
	return db;
}

static uint8_t *
query_wire(const char *name, ldns_rr_type type, bool edns, size_t *len)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;

	ck_assert(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN,
	    LDNS_RD) == LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0x4242);
	if (edns)
		ldns_pkt_set_edns_udp_size(q, 4096);
	ck_assert(ldns_pkt2wire(&wire, q, len) == LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return wire;
}

static size_t
count(const ldns_rr_list *l)
{
	return ldns_rr_list_rr_count(l);
}

struct seen {
	int n, tcp, last_rcode;
	char last_qname[256];
};

static void
log_query(const char *qname, int qtype, int rcode, const char *peer, bool tcp,
	void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->tcp += tcp;
	s->last_rcode = rcode;
	snprintf(s->last_qname, sizeof(s->last_qname), "%s", qname);
	ck_assert(strncmp(peer, "127.", 4) == 0);
}

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

/* Run argv in a child while the loop serves; returns its output with
 * whitespace runs squeezed to one space (free it), and its exit code. */
static char *
run_tool(struct loop *l, char *const argv[], int *exit_code)
{
	char path[] = "/tmp/check_dns_XXXXXX";
	int fd = mkstemp(path), pfd;
	struct child ch = { 0 };
	char *out, *o;
	size_t n = 0;
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
	ck_assert_msg(loop_run_until(l, child_done, &ch, loop_now(l) + 20000) ==
	    0, "%s did not finish", argv[0]);
	loop_del_fd(l, pfd);
	close(pfd);
	ck_assert(WIFEXITED(ch.status));
	*exit_code = WEXITSTATUS(ch.status);
	ck_assert_msg(*exit_code != 127, "%s is not installed (Debian: "
	    "bind9-dnsutils, ldnsutils)", argv[0]);

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

/* An in-process TCP client on a LOOP_SKIP loop. */
struct tclient {
	struct conn *c;
	struct buf in;
	bool closed;
};

#define HAS(out, s) ck_assert_msg(strstr(out, s) != NULL, \
	"missing \"%s\" in: %s", s, out)

#define HASCASE(out, s) ck_assert_msg(strcasestr(out, s) != NULL, \
	"missing \"%s\" in: %s", s, out)

static bool
logged(FILE *f, char **text, const char *s)
{
	fflush(f);
	return *text != NULL && strstr(*text, s) != NULL;
}

static void
tclient_reset(struct tclient *t)
{
	buf_free(&t->in);
	memset(t, 0, sizeof(*t));
}

START_TEST(dig_and_drill_against_the_server)
{
	struct loop *l;
	struct dns_db *db;
	struct dns_srv *srv;
	struct seen seen = { 0 };
	char err[256], *out;
	int code;

	tu_netns();
	l = loop_new(LOOP_REAL, 0);
	db = world();
	srv = dns_srv_new(l, db, "127.53.0.1", 53, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	dns_srv_set_log(srv, log_query, &seen);

	{
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"mx", "example.test", NULL };
		out = run_tool(l, argv, &code);
		ck_assert_int_eq(code, 0);
		HAS(out, "status: NOERROR");
		HAS(out, "flags: qr aa rd ra;");
		HAS(out, "example.test. 300 IN MX 10 mx1.example.test.");
		HAS(out, "example.test. 300 IN MX 20 mx2.example.test.");
		HAS(out, "mx1.example.test. 300 IN A 127.25.0.11");
		HAS(out, "udp: 1232");
		free(out);
		ck_assert_int_eq(seen.n, 1);
		ck_assert_int_eq(seen.tcp, 0);
		ck_assert_str_eq(seen.last_qname, "example.test.");
	}
	{
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"a", "Nope.Example.TEST", NULL };
		out = run_tool(l, argv, &code);
		HAS(out, "status: NXDOMAIN");
		HAS(out, ";Nope.Example.TEST. IN A");
		/* ldns compresses names case-insensitively, so the SOA's
		 * names take the question's spelling */
		HASCASE(out, "AUTHORITY SECTION: example.test. 300 IN SOA "
		    "ns1.example.test. hostmaster.example.test. 1 3600 600 "
		    "86400 300");
		free(out);
		ck_assert_int_eq(seen.last_rcode, LDNS_RCODE_NXDOMAIN);
	}
	{
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"+tcp", "txt", "multi.example.test", NULL };
		out = run_tool(l, argv, &code);
		HAS(out, "status: NOERROR");
		HAS(out, "IN TXT \"part one\" \"part two\" \"part three\"");
		HAS(out, "(TCP)");
		free(out);
		ck_assert_int_eq(seen.tcp, 1);
	}
	{
		/* +ignore: show the truncated UDP answer as it is */
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"+notcp", "+ignore", "txt", "big.example.test", NULL };
		out = run_tool(l, argv, &code);
		HAS(out, "flags: qr aa tc rd ra;");
		HAS(out, "ANSWER: 0,");
		free(out);
	}
	{
		/* by default dig retries over TCP and gets everything */
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=2",
			"txt", "big.example.test", NULL };
		int tcp0 = seen.tcp;

		out = run_tool(l, argv, &code);
		HAS(out, "Truncated, retrying in TCP mode");
		HAS(out, "ANSWER: 40,");
		HAS(out, "\"record 39 of the forty that overflow a UDP answer\"");
		free(out);
		ck_assert_int_eq(seen.tcp, tcp0 + 1);
	}
	{
		char *argv[] = { "drill", "a", "www.example.test", "@127.53.0.1",
			NULL };
		out = run_tool(l, argv, &code);
		ck_assert_int_eq(code, 0);
		HAS(out, "rcode: NOERROR");
		HAS(out, "www.example.test. 300 IN CNAME alias1.example.test.");
		HAS(out, "host.test. 300 IN A 127.0.0.5");
		free(out);
	}
	{
		char *argv[] = { "drill", "-t", "tlsa",
			"_25._tcp.mx1.example.test", "@127.53.0.1", NULL };
		out = run_tool(l, argv, &code);
		HAS(out, "rcode: NOERROR");
		HAS(out, "IN TLSA 3 1 1 0123456789abcdef");
		free(out);
	}
	{
		char *argv[] = { "drill", "a", "servfail.example.test",
			"@127.53.0.1", NULL };
		out = run_tool(l, argv, &code);
		HAS(out, "rcode: SERVFAIL");
		free(out);
	}
	{
		/* the timeout fault: dig hears nothing */
		char *argv[] = { "dig", "@127.53.0.1", "+tries=1", "+time=1",
			"a", "slow.example.test", NULL };
		int n0 = seen.n;

		out = run_tool(l, argv, &code);
		ck_assert_int_ne(code, 0);
		HAS(out, "timed out");
		free(out);
		ck_assert_int_eq(seen.n, n0 + 1);
		ck_assert_int_eq(seen.last_rcode, -1);
	}
	dns_srv_free(srv);
	ck_assert_uint_eq(loop_nfds(l), 0);
	ck_assert_uint_eq(loop_ntimers(l), 0);
	loop_free(l);
	dns_db_free(db);
}
END_TEST


static void
tclient_ev(struct conn *c, enum conn_ev ev, void *arg)
{
	struct tclient *t = arg;
	const uint8_t *p;
	size_t n;

	switch (ev) {
	case CONN_DATA:
		p = conn_peek(c, &n);
		buf_append(&t->in, p, n);
		conn_consume(c, n);
		break;
	case CONN_EOF:
	case CONN_ERROR:
	case CONN_TIMEOUT:
		t->closed = true;
		conn_close(c);
		break;
	default:
		break;
	}
}

static bool
tclient_closed(void *arg)
{
	return ((struct tclient *)arg)->closed;
}

static bool
tclient_two_answers(void *arg)
{
	struct tclient *t = arg;
	size_t first;

	if (t->in.len < 2)
		return false;
	first = 2 + ((size_t)t->in.data[0] << 8 | t->in.data[1]);
	return t->in.len >= first + 2 && t->in.len >= first + 2 +
	    ((size_t)t->in.data[first] << 8 | t->in.data[first + 1]);
}

static void
frame(struct buf *b, const uint8_t *m, size_t n)
{
	uint8_t hdr[2] = { n >> 8, n & 0xff };

	buf_append(b, hdr, 2);
	buf_append(b, m, n);
}

START_TEST(tcp_framing_timeouts_and_garbage)
{
	struct loop *l;
	struct dns_db *db;
	struct dns_srv *srv;
	struct tclient t = { 0 };
	struct buf msg = { 0 };
	char err[256], *logtext = NULL;
	size_t loglen = 0, qlen, rlen;
	uint8_t *q1, *q2, junk[300], *resp;
	ldns_pkt *r;
	FILE *logf;
	int ufd;
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons(53) };

	tu_netns();
	logf = open_memstream(&logtext, &loglen);
	log_set(logf, LOG_WARN);
	l = loop_new(LOOP_SKIP, 0);
	db = world();
	srv = dns_srv_new(l, db, "127.53.0.1", 53, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	ck_assert_ptr_null(dns_srv_new(l, db, "127.53.0.1", 53, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot bind"));

	/* two pipelined queries in one write, answered in order */
	t.c = conn_connect(l, NULL, "127.53.0.1", 53, tclient_ev, &t);
	q1 = query_wire("mx1.example.test", LDNS_RR_TYPE_A, false, &qlen);
	frame(&msg, q1, qlen);
	free(q1);
	q2 = query_wire("big.example.test", LDNS_RR_TYPE_TXT, true,
	    &qlen);
	frame(&msg, q2, qlen);
	free(q2);
	conn_write(t.c, msg.data, msg.len);
	ck_assert(loop_run_until(l, tclient_two_answers, &t, 5000) == 0);
	rlen = (size_t)t.in.data[0] << 8 | t.in.data[1];
	ck_assert(ldns_wire2pkt(&r, t.in.data + 2, rlen) == LDNS_STATUS_OK);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);
	ck_assert(ldns_wire2pkt(&r, t.in.data + 4 + rlen,
	    t.in.len - 4 - rlen) == LDNS_STATUS_OK);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 40);
	ck_assert(!ldns_pkt_tc(r));
	ldns_pkt_free(r);

	/* then silence: the server closes after its idle timeout, in
	 * virtual time */
	ck_assert(loop_run_until(l, tclient_closed, &t, 60000) == 0);
	ck_assert_uint_ge(loop_now(l), DNS_TCP_IDLE_MS);

	/* a huge length prefix with a few bytes behind it */
	tclient_reset(&t);
	t.c = conn_connect(l, NULL, "127.53.0.1", 53, tclient_ev, &t);
	conn_write(t.c, "\xff\xff" "abcdef", 8);
	ck_assert(loop_run_until(l, tclient_closed, &t,
	    loop_now(l) + 60000) == 0);
	ck_assert_uint_eq(t.in.len, 0);
	ck_assert(logged(logf, &logtext, "idle timeout with 8 bytes of "
	    "an unfinished message"));

	/* a zero-length frame closes the connection at once */
	tclient_reset(&t);
	t.c = conn_connect(l, NULL, "127.53.0.1", 53, tclient_ev, &t);
	conn_write(t.c, "\0\0", 2);
	ck_assert(loop_run_until(l, tclient_closed, &t,
	    loop_now(l) + 1000) == 0);
	ck_assert(logged(logf, &logtext, "zero-length message"));

	/* a framed garbage message (longer than 255, so both length bytes
	 * count) gets FORMERR, and the connection lives on */
	tclient_reset(&t);
	buf_reset(&msg);
	memset(junk, 0xa5, sizeof(junk));
	junk[2] = 0x01; /* a query, opcode QUERY, RD */
	frame(&msg, junk, sizeof(junk));
	q1 = query_wire("example.test", LDNS_RR_TYPE_MX, false, &qlen);
	frame(&msg, q1, qlen);
	free(q1);
	t.c = conn_connect(l, NULL, "127.53.0.1", 53, tclient_ev, &t);
	conn_write(t.c, msg.data, msg.len);
	ck_assert(loop_run_until(l, tclient_two_answers, &t,
	    loop_now(l) + 1000) == 0);
	ck_assert_uint_eq(t.in.data[5] & 0x0f, LDNS_RCODE_FORMERR);
	rlen = (size_t)t.in.data[0] << 8 | t.in.data[1];
	ck_assert(ldns_wire2pkt(&r, t.in.data + 4 + rlen,
	    t.in.len - 4 - rlen) == LDNS_STATUS_OK);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 2);
	ldns_pkt_free(r);
	ck_assert(logged(logf, &logtext, "(tcp, 300 bytes): question count"));
	conn_close(t.c);

	/* UDP: garbage is logged and dropped, the next query answered */
	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(ufd, 0);
	inet_pton(AF_INET, "127.53.0.1", &sa.sin_addr);
	ck_assert_int_eq(sendto(ufd, "\1\2\3", 3, 0, (struct sockaddr *)&sa,
	    sizeof(sa)), 3);
	q1 = query_wire("mx1.example.test", LDNS_RR_TYPE_A, false, &qlen);
	ck_assert_int_eq(sendto(ufd, q1, qlen, 0, (struct sockaddr *)&sa,
	    sizeof(sa)), (ssize_t)qlen);
	free(q1);
	resp = xmalloc(4096);
	for (int i = 0; i < 100; i++) {
		ssize_t got = recv(ufd, resp, 4096, MSG_DONTWAIT);

		if (got > 0) {
			rlen = (size_t)got;
			break;
		}
		rlen = 0;
		(void)loop_run_once(l);
	}
	ck_assert_uint_gt(rlen, 0);
	ck_assert(ldns_wire2pkt(&r, resp, rlen) == LDNS_STATUS_OK);
	ck_assert_uint_eq(count(ldns_pkt_answer(r)), 1);
	ldns_pkt_free(r);
	ck_assert_int_lt(recv(ufd, resp, 4096, MSG_DONTWAIT), 0);
	free(resp);
	close(ufd);
	ck_assert(logged(logf, &logtext, "(udp, 3 bytes): message "
	    "shorter than a DNS header"));

	dns_srv_free(srv);
	while (loop_ntimers(l) > 0)
		ck_assert_int_eq(loop_run_once(l), 0);
	ck_assert_uint_eq(loop_nfds(l), 0);
	loop_free(l);
	dns_db_free(db);
	buf_free(&msg);
	buf_free(&t.in);
	log_set(stderr, LOG_WARN);
	fclose(logf);
	free(logtext);
}
END_TEST

static Suite *
dns_srv_suite(void)
{
	Suite *s = suite_create("dns_srv");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tcp_framing_timeouts_and_garbage);
	tcase_add_test(tc, dig_and_drill_against_the_server);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dns_srv_suite)
