/*
 * loop: one epoll event loop with a virtual clock.
 *
 * Time is virtual milliseconds since loop_new().  In LOOP_SKIP mode (every
 * party is in-process) the clock only moves when nothing is ready: it jumps
 * to the next timer, so a 300 s timeout costs no real time.  In LOOP_REAL
 * mode the clock follows CLOCK_MONOTONIC.  The loop's wall clock (seconds
 * since the epoch, for certificates and reports) is epoch0 + now/1000.
 *
 * "Nothing is ready" must mean the world is idle, not that the kernel is
 * late: loopback delivery is normally done before send() returns, but
 * under load the kernel defers it to ksoftirqd, and a jump taken then
 * fires a timeout that should not have fired.  So before each jump the
 * loop settles: it compares the IP packets the network namespace sent
 * with those it received (/proc/net/snmp: every packet on loopback is
 * both), and while some are still in flight it waits for them in real
 * time (1 ms epoll waits) instead of jumping.  Same seed, same run,
 * whatever the load.
 *
 * Callbacks may add and remove fds and timers freely, including their own.
 */
#ifndef MXSIM_LOOP_H
#define MXSIM_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct loop;
struct conn_wiretap;    /* core/conn.h: the capture's hooks */

enum loop_mode { LOOP_SKIP, LOOP_REAL };

/* events are EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP bits */
typedef void loop_fd_cb(int fd, uint32_t events, void *arg);
typedef void loop_timer_cb(void *arg);
typedef bool loop_done_cb(void *arg);

struct loop *loop_new(enum loop_mode mode, time_t epoch0);
void loop_free(struct loop *l);  /* NULL is a no-op; fds are not closed */

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb *cb,
	void *arg) __attribute__((warn_unused_result));
void loop_mod_fd(struct loop *l, int fd, uint32_t events);
void loop_del_fd(struct loop *l, int fd);

/* Returns a timer id (never 0).  Cancelling a fired or unknown id is a no-op. */
uint64_t loop_timer_add(struct loop *l, uint64_t delay_ms, loop_timer_cb *cb,
	void *arg);
void loop_timer_cancel(struct loop *l, uint64_t id);

uint64_t loop_now(const struct loop *l);     /* virtual ms */
time_t loop_wallclock(const struct loop *l); /* epoch0 + now/1000 */
void loop_advance(struct loop *l, uint64_t ms); /* move the clock (phases) */

/* One iteration: dispatch ready fds, or (SKIP) jump to the next timer.
 * Returns 0, or -1 when there is nothing left that could ever happen
 * (no fds, no timers). */
int loop_run_once(struct loop *l);

/* Run until done(arg) is true or the virtual clock passes deadline_ms
 * (absolute).  Returns 0 when done, -1 on deadline or when stuck. */
int loop_run_until(struct loop *l, loop_done_cb *done, void *arg,
	uint64_t deadline_ms);

/* An interrupted run (SIGINT/SIGTERM): loop_request_stop() is
 * async-signal-safe (it only sets a process-wide flag, the one global of
 * this module, since signals are process-wide too).  From then on
 * loop_run_until() returns -1 at once on every loop, so whatever is
 * running winds down through its normal error paths. */
void loop_request_stop(void);
bool loop_stop_requested(void);
/* A signal handler (for sigaction) that requests the stop and remembers
 * the first signal; loop_stop_signal() says which (0: none yet) and
 * loop_stop_signal_name() names it ("SIGINT", "SIGTERM", "SIGHUP"). */
void loop_stop_handler(int sig);
int loop_stop_signal(void);
const char *loop_stop_signal_name(void);

/* The wiretap of every connection on this loop (core/conn.h), or NULL.
 * The loop only stores the pointer, which must outlive its use. */
void loop_set_wiretap(struct loop *l, const struct conn_wiretap *wt);
const struct conn_wiretap *loop_wiretap(const struct loop *l);

/* Settling (see above).  A busy probe adds a source of work in flight
 * the kernel counters do not see (tests simulate a late kernel with it):
 * while it returns true the loop does not jump.  NULL removes it. */
typedef bool loop_busy_cb(void *arg);
void loop_set_busy_probe(struct loop *l, loop_busy_cb *cb, void *arg);
/* Real-time waits the loop made for work in flight, and jumps it took. */
uint64_t loop_settle_waits(const struct loop *l);
uint64_t loop_skips(const struct loop *l);
/* IP packets received and sent by the calling thread's network namespace
 * so far (/proc/net/snmp InReceives, OutRequests).  -1 when unreadable. */
int loop_net_counters(uint64_t *in, uint64_t *out)
	__attribute__((warn_unused_result));

/* Number of registered fds and pending timers (tests assert no leaks). */
unsigned loop_nfds(const struct loop *l);
unsigned loop_ntimers(const struct loop *l);

#endif
