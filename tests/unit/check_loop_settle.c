/*
 * Unit tests for the settling of core/loop.c: in LOOP_SKIP mode the clock
 * must not jump while work is still in flight in the kernel.  A late
 * kernel is simulated with a busy probe (the loop cannot tell it from the
 * real counters), the IP counters themselves are checked against real
 * loopback traffic in a private namespace, and a really late kernel is
 * made with a token bucket filter (tc tbf) on loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "testutil.h"

struct late {
	struct loop *l;
	int sv[2];
	unsigned calls;       /* probe calls so far */
	unsigned deliver_at;  /* the kernel "delivers" on this call */
	bool timed_out;
	int64_t arrived_at;   /* virtual ms of the data, -1 before */
	uint64_t timer;
};

/* The late kernel: busy until it delivers the byte written long ago. */
static bool
late_probe(void *arg)
{
	struct late *t = arg;

	if (++t->calls < t->deliver_at)
		return true;
	if (t->calls == t->deliver_at)
		ck_assert_int_eq(write(t->sv[1], "x", 1), 1);
	return false;
}

static void
late_readable(int fd, uint32_t events, void *arg)
{
	struct late *t = arg;
	char c;

	(void)events;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	t->arrived_at = (int64_t)loop_now(t->l);
	loop_timer_cancel(t->l, t->timer);
	loop_del_fd(t->l, fd);
}

static void
late_timeout(void *arg)
{
	struct late *t = arg;

	t->timed_out = true;
	loop_del_fd(t->l, t->sv[0]);
}

static void
late_run(struct late *t, unsigned deliver_at, bool probe)
{
	memset(t, 0, sizeof(*t));
	t->l = loop_new(LOOP_SKIP, 0);
	t->deliver_at = deliver_at;
	t->arrived_at = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, t->sv), 0);
	ck_assert_int_eq(loop_add_fd(t->l, t->sv[0], EPOLLIN, late_readable, t), 0);
	t->timer = loop_timer_add(t->l, 300000, late_timeout, t);
	if (probe)
		loop_set_busy_probe(t->l, late_probe, t);
	while (loop_run_once(t->l) == 0 && !t->timed_out && t->arrived_at < 0)
		;
}

static void
late_free(struct late *t)
{
	close(t->sv[0]);
	close(t->sv[1]);
	loop_free(t->l);
}

START_TEST(no_jump_while_in_flight)
{
	struct late t;

	late_run(&t, 20, true);
	ck_assert_msg(!t.timed_out, "the clock jumped over work in flight");
	ck_assert_int_eq(t.arrived_at, 0);
	ck_assert_uint_eq(loop_skips(t.l), 0);
	ck_assert_uint_ge(loop_settle_waits(t.l), 19);
	late_free(&t);
}
END_TEST

START_TEST(jump_when_idle)
{
	struct late t;

	/* without the late kernel nothing is in flight: the timeout fires
	 * at once in real time, 300 s later in virtual time */
	late_run(&t, 0, false);
	ck_assert(t.timed_out);
	ck_assert_uint_eq(loop_now(t.l), 300000);
	ck_assert_uint_eq(loop_skips(t.l), 1);
	late_free(&t);
}
END_TEST

static bool
deadline_done(void *arg)
{
	return ((struct late *)arg)->arrived_at >= 0;
}

START_TEST(run_until_settles_before_the_deadline)
{
	struct late t;

	memset(&t, 0, sizeof(t));
	t.l = loop_new(LOOP_SKIP, 0);
	t.deliver_at = 10;
	t.arrived_at = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, t.sv), 0);
	ck_assert_int_eq(loop_add_fd(t.l, t.sv[0], EPOLLIN, late_readable, &t), 0);
	t.timer = loop_timer_add(t.l, 900000, late_timeout, &t);
	loop_set_busy_probe(t.l, late_probe, &t);
	/* the next timer lies past the deadline: the loop must still wait
	 * for what is in flight before it gives up at the deadline */
	ck_assert_int_eq(loop_run_until(t.l, deadline_done, &t, 60000), 0);
	ck_assert_int_eq(t.arrived_at, 0);
	ck_assert(!t.timed_out);
	late_free(&t);
}
END_TEST

START_TEST(net_counters_see_loopback)
{
	uint64_t in0, out0, in1, out1;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char buf[16];
	int rx, tx;

	tu_netns();
	ck_assert_int_eq(loop_net_counters(&in0, &out0), 0);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(rx, (struct sockaddr *)&sa, &len), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(sendto(tx, "ping", 4, 0, (struct sockaddr *)&sa,
		    sizeof(sa)), 4);
	for (int i = 0; i < 5; i++)   /* blocking: each one has arrived */
		ck_assert_int_eq(recv(rx, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(loop_net_counters(&in1, &out1), 0);
	ck_assert_uint_ge(out1 - out0, 5);
	/* everything sent was received: nothing in flight */
	ck_assert_int_eq((int64_t)(out1 - in1), (int64_t)(out0 - in0));
	close(rx);
	close(tx);
}
END_TEST

/* A kernel that is really late: a token bucket on loopback holds the
 * second datagram back for about 130 ms of real time.  The loop must wait
 * for it instead of jumping to its 300 s timeout. */
struct slow {
	struct loop *l;
	int got;
	int64_t last_at;
	bool timed_out;
	uint64_t timer;
};

static void
slow_readable(int fd, uint32_t events, void *arg)
{
	struct slow *t = arg;
	char buf[2048];

	(void)events;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
		t->got++;
		t->last_at = (int64_t)loop_now(t->l);
	}
	if (t->got == 2)
		loop_timer_cancel(t->l, t->timer);
}

static void
slow_timeout(void *arg)
{
	((struct slow *)arg)->timed_out = true;
}

START_TEST(real_late_kernel_tbf)
{
	static char big[1400];
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct slow t;
	struct timespec t0, t1;
	int rx, tx;

	tu_netns();
	if (system("tc qdisc add dev lo root tbf rate 80kbit burst 1600 "
	    "latency 2s 2>/dev/null && ip link set lo mtu 1500") != 0) {
		fprintf(stderr, "real_late_kernel_tbf: no tc/tbf here, skipped\n");
		return;
	}
	memset(&t, 0, sizeof(t));
	t.l = loop_new(LOOP_SKIP, 0);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(rx, (struct sockaddr *)&sa, &len), 0);
	ck_assert_int_eq(loop_add_fd(t.l, rx, EPOLLIN, slow_readable, &t), 0);
	t.timer = loop_timer_add(t.l, 300000, slow_timeout, &t);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the first empties the bucket, the second waits in the qdisc */
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(sendto(tx, big, sizeof(big), 0,
		    (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)sizeof(big));
	while (!t.timed_out && t.got < 2 && loop_run_once(t.l) == 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(system("tc qdisc del dev lo root && "
	    "ip link set lo mtu 65536"), 0);
	ck_assert_msg(!t.timed_out, "the clock jumped over a datagram in flight");
	ck_assert_int_eq(t.got, 2);
	ck_assert_int_eq(t.last_at, 0);
	ck_assert_uint_gt(loop_settle_waits(t.l), 0);
	double real = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(real > 0.05, "the bucket did not hold it back (%.3f s)", real);
	loop_del_fd(t.l, rx);
	close(rx);
	close(tx);
	loop_free(t.l);
}
END_TEST

/* Ready fds are called in the order they were added, not the order the
 * kernel woke them. */
struct order {
	char seen[8];
	size_t n;
};

static void
order_readable(int fd, uint32_t events, void *arg)
{
	struct order *o = arg;
	char c;

	(void)events;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	if (o->n < sizeof(o->seen) - 1)
		o->seen[o->n++] = c;
}

START_TEST(dispatch_in_registration_order)
{
	struct loop *l = loop_new(LOOP_SKIP, 0);
	struct order o = { { 0 }, 0 };
	int a[2], b[2], c[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, c), 0);
	/* added b, c, a; woken c, a, b */
	ck_assert_int_eq(loop_add_fd(l, b[0], EPOLLIN, order_readable, &o), 0);
	ck_assert_int_eq(loop_add_fd(l, c[0], EPOLLIN, order_readable, &o), 0);
	ck_assert_int_eq(loop_add_fd(l, a[0], EPOLLIN, order_readable, &o), 0);
	ck_assert_int_eq(write(c[1], "c", 1), 1);
	ck_assert_int_eq(write(a[1], "a", 1), 1);
	ck_assert_int_eq(write(b[1], "b", 1), 1);
	(void)loop_run_once(l);
	ck_assert_str_eq(o.seen, "bca");
	loop_del_fd(l, a[0]);
	loop_del_fd(l, b[0]);
	loop_del_fd(l, c[0]);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
		close(c[i]);
	}
	loop_free(l);
}
END_TEST

static Suite *
settle_suite(void)
{
	Suite *s = suite_create("loop_settle");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, no_jump_while_in_flight);
	tcase_add_test(tc, jump_when_idle);
	tcase_add_test(tc, run_until_settles_before_the_deadline);
	tcase_add_test(tc, net_counters_see_loopback);
	tcase_add_test(tc, real_late_kernel_tbf);
	tcase_add_test(tc, dispatch_in_registration_order);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(settle_suite)
