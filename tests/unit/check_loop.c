/* Unit tests for core/loop.c and core/conn.c (plain TCP). */
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/loop.h"
#include "testutil.h"

static int order[16];
static int norder;

static void
rec_timer(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

START_TEST(timers_fire_in_order_and_skip_idle_time)
{
	struct loop *l = loop_new(LOOP_SKIP, 1000);
	struct timespec t0, t1;

	norder = 0;
	loop_timer_add(l, 300000, rec_timer, (void *)3);
	loop_timer_add(l, 10, rec_timer, (void *)1);
	uint64_t gone = loop_timer_add(l, 20, rec_timer, (void *)99);
	loop_timer_add(l, 10, rec_timer, (void *)2);  /* same deadline: after 1 */
	loop_timer_cancel(l, gone);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (loop_run_once(l) == 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(norder, 3);
	ck_assert_int_eq(order[0], 1);
	ck_assert_int_eq(order[1], 2);
	ck_assert_int_eq(order[2], 3);
	ck_assert_uint_eq(loop_now(l), 300000);
	ck_assert_int_eq((int)loop_wallclock(l), 1300);
	double real = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(real < 0.5, "idle skip took %.3f s of real time", real);
	ck_assert_uint_eq(loop_ntimers(l), 0);
	loop_free(l);
}
END_TEST

static bool
flag_done(void *arg)
{
	return *(bool *)arg;
}

START_TEST(run_until_deadline)
{
	struct loop *l = loop_new(LOOP_SKIP, 0);
	bool done = false;

	loop_timer_add(l, 5000, rec_timer, (void *)1);
	ck_assert_int_eq(loop_run_until(l, flag_done, &done, 1000), -1);
	ck_assert_uint_eq(loop_now(l), 1000);
	loop_advance(l, 4000);
	norder = 0;
	ck_assert_int_eq(loop_run_once(l), 0);
	ck_assert_int_eq(norder, 1);
	loop_free(l);
}
END_TEST

/* --- conn: an echo server and a client over loopback --- */

struct echo {
	struct loop *l;
	int lfd;
	struct conn *srv;
	struct conn *cli;
	char got[256];
	bool done;
	bool refused;
	bool timed_out;
	int lines;
	int toolong;
};

static void
srv_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct echo *e = arg;
	char *line;
	size_t len;
	int r;

	switch (ev) {
	case CONN_DATA:
		while ((r = conn_getline(c, &line, &len)) != 0) {
			if (r < 0) {
				e->toolong++;
				conn_printf(c, "too long\r\n");
				continue;
			}
			conn_printf(c, "echo %s\r\n", line);
		}
		break;
	case CONN_TIMEOUT:
		e->timed_out = true;
		conn_close(c);
		e->srv = NULL;
		break;
	case CONN_EOF:
	case CONN_ERROR:
		conn_close(c);
		e->srv = NULL;
		break;
	default:
		break;
	}
}

static void
accept_cb(int fd, uint32_t events, void *arg)
{
	struct echo *e = arg;
	int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (s >= 0) {
		e->srv = conn_new(e->l, s, srv_cb, e);
		conn_set_max_line(e->srv, 64);
		conn_set_timeout(e->srv, 300000);
	}
}

static void
cli_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct echo *e = arg;
	char *line;
	size_t len;

	switch (ev) {
	case CONN_CONNECTED:
		conn_printf(c, "hello\r\n");
		break;
	case CONN_DATA:
		while (conn_getline(c, &line, &len) == 1) {
			e->lines++;
			snprintf(e->got, sizeof(e->got), "%s", line);
		}
		if (e->lines == 1) {
			char big[200];
			memset(big, 'x', sizeof(big));
			conn_write(c, big, sizeof(big));
			conn_printf(c, "\r\nafter\r\n");
		} else if (e->lines == 3) {
			e->done = true;
		}
		break;
	case CONN_ERROR:
		e->refused = true;
		e->done = true;
		conn_close(c);
		e->cli = NULL;
		break;
	case CONN_EOF:
		e->done = true;
		conn_close(c);
		e->cli = NULL;
		break;
	default:
		break;
	}
}

START_TEST(conn_echo_lines_and_overlong)
{
	struct echo e;

	tu_netns();
	memset(&e, 0, sizeof(e));
	e.l = loop_new(LOOP_SKIP, 0);
	e.lfd = conn_listen("127.9.0.1", 2525);
	ck_assert_int_ge(e.lfd, 0);
	ck_assert_int_eq(loop_add_fd(e.l, e.lfd, EPOLLIN, accept_cb, &e), 0);
	e.cli = conn_connect(e.l, "127.1.0.1", "127.9.0.1", 2525, cli_cb, &e);
	ck_assert_ptr_nonnull(e.cli);
	ck_assert_int_eq(loop_run_until(e.l, flag_done, &e.done, 10000), 0);
	ck_assert_int_eq(e.lines, 3);
	ck_assert_int_eq(e.toolong, 1);
	ck_assert_str_eq(e.got, "echo after");
	ck_assert_str_eq(conn_local_ip(e.cli), "127.1.0.1");

	/* client goes quiet: the server's 300 s idle timeout fires in no time */
	e.done = false;
	ck_assert_int_eq(loop_run_until(e.l, flag_done, &e.done, 400000), 0);
	ck_assert(e.timed_out);
	ck_assert_uint_ge(loop_now(e.l), 300000);
	while (loop_run_once(e.l) == 0 && loop_nfds(e.l) > 1)
		;
	loop_del_fd(e.l, e.lfd);
	close(e.lfd);
	ck_assert_uint_eq(loop_nfds(e.l), 0);
	ck_assert_uint_eq(loop_ntimers(e.l), 0);
	loop_free(e.l);
}
END_TEST

START_TEST(conn_refused_is_an_event)
{
	struct echo e;

	tu_netns();
	memset(&e, 0, sizeof(e));
	e.l = loop_new(LOOP_SKIP, 0);
	e.cli = conn_connect(e.l, NULL, "127.9.0.2", 2525, cli_cb, &e);
	ck_assert_ptr_nonnull(e.cli);
	ck_assert_int_eq(loop_run_until(e.l, flag_done, &e.done, 10000), 0);
	ck_assert(e.refused);
	ck_assert_uint_eq(loop_nfds(e.l), 0);
	ck_assert_uint_eq(loop_ntimers(e.l), 0);
	loop_free(e.l);
}
END_TEST

static Suite *
loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, timers_fire_in_order_and_skip_idle_time);
	tcase_add_test(tc, run_until_deadline);
	tcase_add_test(tc, conn_echo_lines_and_overlong);
	tcase_add_test(tc, conn_refused_is_an_event);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(loop_suite)
