/*
 * loop: epoll event loop with a virtual clock.  See loop.h.
 *
 * fds live in a small table indexed by fd; timers in a binary min-heap
 * ordered by (deadline, id), so timers due at the same instant fire in the
 * order they were added: that keeps runs deterministic.  A timer or fd
 * removed during dispatch is never called afterwards.
 *
 * Settling (SKIP mode): every poll first makes sure no IP packet is still
 * in flight in the namespace, so that what a callback reads, and which
 * callbacks run, depend only on what was sent and never on how late the
 * kernel delivers it (a loaded machine runs softirqs late; the tests make
 * such a kernel with a token bucket on loopback, see core/netns.h).  Every
 * packet of the world goes over loopback, so it is counted once sent
 * (OutRequests) and once received (InReceives, when the kernel processes
 * it, just before the receiving socket wakes up); "in flight" is out - in
 * above the lowest difference seen (a fresh namespace starts at 0; a burst
 * larger than 64 KiB may count more packets in than out, which only lowers
 * it).  While packets are in flight the loop naps 50 us and reads again,
 * and after a wait naps once more (the microseconds between counting a
 * packet in and waking its socket).  Should the counters freeze for
 * SETTLE_STALL_MS with packets still "in flight" (dropped packets never
 * arrive), the difference becomes the new floor, with a debug log.  The
 * kernel is quiesced again before each callback (fd or timer), so that a
 * callback reads, or finds unread when it closes, all that the callbacks
 * before it sent.  Ready fds are called in the order they were added to
 * the loop, not the order the kernel woke them.  The clock jumps only when
 * a poll of the quiesced kernel finds nothing ready.  Without readable
 * counters the loop waits 1 ms before every jump instead.
 *
 * IPv6 packets are not counted (the world is IPv4).
 */
#include "core/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/util.h"

#define SETTLE_WAIT_MS 1
#define SETTLE_STALL_MS 1000

/* set by loop_request_stop() and loop_stop_handler(), from a signal
 * handler: process-wide, as signals are */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stop_signal;

struct loop_fd {
	loop_fd_cb *cb;
	void *arg;
	uint32_t events;
	bool used;
	uint64_t gen;       /* bumps on every add: stale events are dropped */
};

struct loop_timer {
	uint64_t when;
	uint64_t id;
	loop_timer_cb *cb;
	void *arg;
};

struct loop {
	int epfd;
	enum loop_mode mode;
	time_t epoch0;
	uint64_t now;         /* virtual ms */
	uint64_t real_base;   /* REAL mode: monotonic ms at now == real_base_virt */
	uint64_t real_base_virt;
	struct loop_fd *fds;
	size_t nfdslots;
	unsigned nfds;
	uint64_t fdgen;
	struct loop_timer *heap;
	size_t nheap, capheap;
	uint64_t next_id;
	const struct conn_wiretap *wiretap;
	/* settling */
	loop_busy_cb *busy;
	void *busy_arg;
	int64_t net_floor;          /* lowest out - in seen */
	uint64_t stall_in, stall_out, stall_since;  /* frozen counters, since */
	uint64_t settle_waits, skips;
	bool no_counters;           /* /proc/net/snmp unreadable */
	int snmp_fd;                /* /proc/net/snmp, read with pread */
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *
loop_new(enum loop_mode mode, time_t epoch0)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		fatal("epoll_create1: %s", strerror(errno));
	l->mode = mode;
	l->epoch0 = epoch0;
	l->real_base = mono_ms();
	l->next_id = 1;
	l->snmp_fd = -1;
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	if (l->skips > 0)
		log_debug("loop", "%llu clock jumps, %llu real-time waits for work "
		    "in flight", (unsigned long long)l->skips,
		    (unsigned long long)l->settle_waits);
	close(l->epfd);
	if (l->snmp_fd >= 0)
		close(l->snmp_fd);
	free(l->fds);
	free(l->heap);
	free(l);
}

int
loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb *cb, void *arg)
{
	struct epoll_event ev;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= l->nfdslots) {
		size_t n = l->nfdslots ? l->nfdslots : 64;
		while (n <= (size_t)fd)
			n *= 2;
		l->fds = xrealloc(l->fds, n * sizeof(*l->fds));
		memset(l->fds + l->nfdslots, 0, (n - l->nfdslots) * sizeof(*l->fds));
		l->nfdslots = n;
	}
	if (l->fds[fd].used)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)fd | (++l->fdgen << 32);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	l->fds[fd] = (struct loop_fd){ cb, arg, events, true, l->fdgen };
	l->nfds++;
	return 0;
}

void
loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev;

	if (fd < 0 || (size_t)fd >= l->nfdslots || !l->fds[fd].used)
		return;
	if (l->fds[fd].events == events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)fd | (l->fds[fd].gen << 32);
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		l->fds[fd].events = events;
}

void
loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfdslots || !l->fds[fd].used)
		return;
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].used = false;
	l->nfds--;
}

/* --- timers: min-heap on (when, id) --- */

static bool
timer_less(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->id < b->id);
}

static void
heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
}

static void
heap_up(struct loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!timer_less(&l->heap[i], &l->heap[p]))
			break;
		heap_swap(l, i, p);
		i = p;
	}
}

static void
heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;
		if (c < l->nheap && timer_less(&l->heap[c], &l->heap[m]))
			m = c;
		if (c + 1 < l->nheap && timer_less(&l->heap[c + 1], &l->heap[m]))
			m = c + 1;
		if (m == i)
			break;
		heap_swap(l, i, m);
		i = m;
	}
}

static void
heap_remove_at(struct loop *l, size_t i)
{
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	heap_down(l, i);
	heap_up(l, i);
}

uint64_t
loop_timer_add(struct loop *l, uint64_t delay_ms, loop_timer_cb *cb, void *arg)
{
	if (l->nheap == l->capheap) {
		l->capheap = l->capheap ? l->capheap * 2 : 32;
		l->heap = xrealloc(l->heap, l->capheap * sizeof(*l->heap));
	}
	uint64_t id = l->next_id++;
	l->heap[l->nheap] = (struct loop_timer){ loop_now(l) + delay_ms, id, cb, arg };
	heap_up(l, l->nheap++);
	return id;
}

void
loop_timer_cancel(struct loop *l, uint64_t id)
{
	if (id == 0)
		return;
	for (size_t i = 0; i < l->nheap; i++) {
		if (l->heap[i].id == id) {
			heap_remove_at(l, i);
			return;
		}
	}
}

static void
clock_sync(struct loop *l)
{
	if (l->mode == LOOP_REAL) {
		uint64_t t = l->real_base_virt + (mono_ms() - l->real_base);
		if (t > l->now)
			l->now = t;
	}
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

time_t
loop_wallclock(const struct loop *l)
{
	return l->epoch0 + (time_t)(l->now / 1000);
}

void
loop_advance(struct loop *l, uint64_t ms)
{
	l->now += ms;
	l->real_base = mono_ms();
	l->real_base_virt = l->now;
}

void
loop_set_busy_probe(struct loop *l, loop_busy_cb *cb, void *arg)
{
	l->busy = cb;
	l->busy_arg = arg;
}

uint64_t
loop_settle_waits(const struct loop *l)
{
	return l->settle_waits;
}

uint64_t
loop_skips(const struct loop *l)
{
	return l->skips;
}

/* The value of column `name` in the `tag` lines (header, then values) of
 * /proc/net/snmp text s. */
static int
snmp_field(const char *s, const char *tag, const char *name, uint64_t *v)
{
	size_t taglen = strlen(tag), namelen = strlen(name);
	const char *hdr = s, *val;
	int col = -1;

	for (;;) {
		if (strncmp(hdr, tag, taglen) == 0)
			break;
		hdr = strchr(hdr, '\n');
		if (hdr == NULL)
			return -1;
		hdr++;
	}
	val = strchr(hdr, '\n');
	if (val == NULL || strncmp(val + 1, tag, taglen) != 0)
		return -1;
	val += 1 + taglen;
	/* find the column of name in the header */
	const char *p = hdr + taglen;
	for (int i = 0; *p != '\0' && *p != '\n'; i++) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e != ' ' && *e != '\n' && *e != '\0')
			e++;
		if ((size_t)(e - p) == namelen && strncmp(p, name, namelen) == 0) {
			col = i;
			break;
		}
		p = e;
	}
	if (col < 0)
		return -1;
	for (int i = 0; i <= col; i++) {
		char *end;
		while (*val == ' ')
			val++;
		if (*val == '\n' || *val == '\0')
			return -1;
		unsigned long long x = strtoull(val, &end, 10);
		if (end == val)
			return -1;
		if (i == col)
			*v = (uint64_t)x;
		val = end;
	}
	return 0;
}

/* Parse the IP counters out of /proc/net/snmp, read from fd at offset 0. */
static int
read_counters(int fd, uint64_t *in, uint64_t *out)
{
	char buf[8192];
	ssize_t n;
	size_t len = 0;

	/* the file is generated whole on each read: one pread suffices
	 * unless the buffer filled */
	while (len < sizeof(buf) - 1) {
		n = pread(fd, buf + len, sizeof(buf) - 1 - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		len += (size_t)n;
		if (n == 0 || len < sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	if (snmp_field(buf, "Ip:", "InReceives", in) < 0 ||
	    snmp_field(buf, "Ip:", "OutRequests", out) < 0)
		return -1;
	return 0;
}

int
loop_net_counters(uint64_t *in, uint64_t *out)
{
	int fd = open("/proc/net/snmp", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	int r = read_counters(fd, in, out);
	close(fd);
	return r;
}

/* The loop's own reading: the file stays open (a fresh open costs four
 * times a pread).  The namespace is the one the loop was made in. */
static int
loop_counters(struct loop *l, uint64_t *in, uint64_t *out)
{
	if (l->snmp_fd < 0)
		l->snmp_fd = open("/proc/net/snmp", O_RDONLY | O_CLOEXEC);
	if (l->snmp_fd < 0)
		return -1;
	return read_counters(l->snmp_fd, in, out);
}

void
loop_set_wiretap(struct loop *l, const struct conn_wiretap *wt)
{
	l->wiretap = wt;
}

const struct conn_wiretap *
loop_wiretap(const struct loop *l)
{
	return l->wiretap;
}

unsigned
loop_nfds(const struct loop *l)
{
	return l->nfds;
}

unsigned
loop_ntimers(const struct loop *l)
{
	return (unsigned)l->nheap;
}

static bool quiesce(struct loop *l);

/* Fire every timer due at l->now (in SKIP mode each against a quiesced
 * kernel, see poll_fds).  Returns how many fired. */
static int
fire_timers(struct loop *l)
{
	int n = 0;
	uint64_t limit = l->next_id;   /* timers added while firing wait a round */

	while (l->nheap > 0 && l->heap[0].when <= l->now && l->heap[0].id < limit) {
		struct loop_timer t = l->heap[0];
		heap_remove_at(l, 0);
		if (l->mode == LOOP_SKIP)
			(void)quiesce(l);
		t.cb(t.arg);
		n++;
	}
	return n;
}

#define MAXEV 256
#define LOOP_REAL_TICK 50
#define QUIESCE_NAP_US 50

static void
nap_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_requested)
		;
}

/* SKIP mode: wait until no IP packet of the namespace is in flight (and
 * the busy probe, if any, is idle), so that what the next poll finds
 * ready, and how much of it, is all that was sent before: the same on a
 * quiet machine and on a loaded one whose softirqs run late.  A wait
 * ends with one more nap, for the few microseconds between the kernel
 * counting a packet in and waking its socket.  Returns false when the
 * counters cannot be read. */
static bool
quiesce(struct loop *l)
{
	uint64_t in, out;
	bool waited = false;

	if (l->no_counters)
		return false;
	for (;;) {
		if (loop_counters(l, &in, &out) < 0) {
			l->no_counters = true;
			return false;
		}
		int64_t diff = (int64_t)(out - in);
		bool probe = l->busy != NULL && l->busy(l->busy_arg);
		if (diff < l->net_floor)
			l->net_floor = diff;
		if (diff == l->net_floor && !probe)
			break;
		if (diff > l->net_floor) {
			uint64_t t = mono_ms();
			if (l->stall_since == 0 || in != l->stall_in ||
			    out != l->stall_out) {
				l->stall_since = t;
				l->stall_in = in;
				l->stall_out = out;
			} else if (t - l->stall_since >= SETTLE_STALL_MS && !probe) {
				log_debug("loop", "%lld IP packets sent but never "
				    "received for %d ms: taken as lost",
				    (long long)(diff - l->net_floor), SETTLE_STALL_MS);
				l->net_floor = diff;
				break;
			}
		}
		if (stop_requested)
			break;
		l->settle_waits++;
		waited = true;
		nap_us(QUIESCE_NAP_US);
	}
	l->stall_since = 0;
	if (waited)
		nap_us(QUIESCE_NAP_US);
	return true;
}

static int
by_registration(const void *a, const void *b)
{
	uint64_t x = ((const struct epoll_event *)a)->data.u64 >> 32;
	uint64_t y = ((const struct epoll_event *)b)->data.u64 >> 32;

	return x < y ? -1 : x > y;
}

/* Wait up to timeout ms for ready fds and call their callbacks.  In SKIP
 * mode the kernel is quiesced before the poll and again before each
 * callback (so that it reads, or finds unread at a close, all that the
 * callbacks before it sent), and the ready fds are called in the order
 * they were added to the loop, not the order the kernel woke them:
 * dispatch then depends only on what was sent, never on timing. */
static int
poll_fds(struct loop *l, int timeout)
{
	struct epoll_event evs[MAXEV];
	int n;

	if (l->nfds == 0 && timeout != 0) {
		/* nothing to wait for but time */
		return 0;
	}
	if (l->mode == LOOP_SKIP)
		(void)quiesce(l);
	do {
		n = epoll_wait(l->epfd, evs, MAXEV, timeout);
	} while (n < 0 && errno == EINTR && !stop_requested);
	if (n < 0 && errno == EINTR)
		n = 0;              /* interrupted: the caller sees the stop */
	if (n < 0)
		fatal("epoll_wait: %s", strerror(errno));
	clock_sync(l);
	if (l->mode == LOOP_SKIP && n > 1)
		qsort(evs, (size_t)n, sizeof(evs[0]), by_registration);
	for (int i = 0; i < n; i++) {
		int fd = (int)(evs[i].data.u64 & 0xffffffffu);
		uint64_t gen = evs[i].data.u64 >> 32;
		if ((size_t)fd >= l->nfdslots || !l->fds[fd].used || l->fds[fd].gen != gen)
			continue;   /* removed (or replaced) during this dispatch */
		if (l->mode == LOOP_SKIP && i > 0)
			(void)quiesce(l);   /* what the callbacks before sent */
		l->fds[fd].cb(fd, evs[i].events, l->fds[fd].arg);
	}
	return n;
}

/* May the clock jump now?  Returns true when nothing is ready and nothing
 * is in flight (poll_fds quiesces first).  Otherwise it has dispatched
 * what became ready and the caller goes round again.  Without readable
 * counters a grace period of SETTLE_WAIT_MS real time comes before every
 * jump instead. */
static bool
settle(struct loop *l)
{
	if (l->nfds == 0)
		return true;   /* nothing of ours could become ready */
	if (poll_fds(l, 0) > 0)
		return false;
	if (l->no_counters) {
		l->settle_waits++;
		return poll_fds(l, SETTLE_WAIT_MS) == 0;
	}
	return true;
}

/* The SKIP-mode jump to the next timer (settled already). */
static void
skip_to(struct loop *l, uint64_t when)
{
	if (when > l->now) {
		l->now = when;
		l->skips++;
	}
}

int
loop_run_once(struct loop *l)
{
	clock_sync(l);
	if (fire_timers(l) > 0)
		return 0;
	if (l->mode == LOOP_SKIP) {
		if (l->nfds == 0 && l->nheap == 0)
			return -1;
		if (!settle(l))
			return 0;
		if (l->nheap == 0)
			return l->nfds == 0 ? -1 : -2;
		skip_to(l, l->heap[0].when);
		fire_timers(l);
		return 0;
	}
	/* Real time: wake at least every LOOP_REAL_TICK ms so that done
	 * conditions outside the loop (a child process exiting) are seen. */
	int timeout = LOOP_REAL_TICK;
	if (l->nheap > 0) {
		uint64_t when = l->heap[0].when;
		if (when <= l->now)
			timeout = 0;
		else if (when - l->now < LOOP_REAL_TICK)
			timeout = (int)(when - l->now);
	}
	if (l->nfds == 0 && l->nheap == 0)
		return -1;
	if (l->nfds == 0) {
		/* only timers: sleep until the next one */
		struct timespec ts = { timeout / 1000, (long)(timeout % 1000) * 1000000 };
		nanosleep(&ts, NULL);
		clock_sync(l);
		return 0;
	}
	poll_fds(l, timeout);
	return 0;
}

void
loop_request_stop(void)
{
	stop_requested = 1;
}

bool
loop_stop_requested(void)
{
	return stop_requested != 0;
}

void
loop_stop_handler(int sig)
{
	if (stop_signal == 0)
		stop_signal = sig;
	stop_requested = 1;
}

int
loop_stop_signal(void)
{
	return stop_signal;
}

const char *
loop_stop_signal_name(void)
{
	return stop_signal == SIGINT ? "SIGINT" : stop_signal == SIGHUP ?
	    "SIGHUP" : "SIGTERM";
}

int
loop_run_until(struct loop *l, loop_done_cb *done, void *arg, uint64_t deadline_ms)
{
	while (!done(arg)) {
		if (l->now >= deadline_ms || stop_requested)
			return -1;
		if (l->mode == LOOP_SKIP && l->nheap > 0 && l->heap[0].when > deadline_ms) {
			/* would skip past the deadline: settle first */
			if (!settle(l))
				continue;
			skip_to(l, deadline_ms);
			return done(arg) ? 0 : -1;
		}
		int r = loop_run_once(l);
		if (r == -1)
			return done(arg) ? 0 : -1;
		if (r == -2) {
			/* SKIP mode, fds but no timers and nothing ready: stuck
			 * forever in virtual time. */
			l->now = deadline_ms;
			return done(arg) ? 0 : -1;
		}
	}
	return 0;
}
