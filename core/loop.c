/*
 * loop: epoll event loop with a virtual clock.  See loop.h.
 *
 * fds live in a small table indexed by fd; timers in a binary min-heap
 * ordered by (deadline, id), so timers due at the same instant fire in the
 * order they were added: that keeps runs deterministic.  A timer or fd
 * removed during dispatch is never called afterwards.
 */
#include "core/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/util.h"

/* set by loop_request_stop(), from a signal handler */
static volatile sig_atomic_t stop_requested;

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
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
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

/* Fire every timer due at l->now.  Returns how many fired. */
static int
fire_timers(struct loop *l)
{
	int n = 0;
	uint64_t limit = l->next_id;   /* timers added while firing wait a round */

	while (l->nheap > 0 && l->heap[0].when <= l->now && l->heap[0].id < limit) {
		struct loop_timer t = l->heap[0];
		heap_remove_at(l, 0);
		t.cb(t.arg);
		n++;
	}
	return n;
}

#define MAXEV 64
#define LOOP_REAL_TICK 50

static int
poll_fds(struct loop *l, int timeout)
{
	struct epoll_event evs[MAXEV];
	int n;

	if (l->nfds == 0 && timeout != 0) {
		/* nothing to wait for but time */
		return 0;
	}
	do {
		n = epoll_wait(l->epfd, evs, MAXEV, timeout);
	} while (n < 0 && errno == EINTR && !stop_requested);
	if (n < 0 && errno == EINTR)
		n = 0;              /* interrupted: the caller sees the stop */
	if (n < 0)
		fatal("epoll_wait: %s", strerror(errno));
	clock_sync(l);
	for (int i = 0; i < n; i++) {
		int fd = (int)(evs[i].data.u64 & 0xffffffffu);
		uint64_t gen = evs[i].data.u64 >> 32;
		if ((size_t)fd >= l->nfdslots || !l->fds[fd].used || l->fds[fd].gen != gen)
			continue;   /* removed (or replaced) during this dispatch */
		l->fds[fd].cb(fd, evs[i].events, l->fds[fd].arg);
	}
	return n;
}

int
loop_run_once(struct loop *l)
{
	clock_sync(l);
	if (fire_timers(l) > 0)
		return 0;
	if (l->mode == LOOP_SKIP) {
		if (poll_fds(l, 0) > 0)
			return 0;
		/* Loopback delivery is synchronous, but give the kernel one more
		 * chance before declaring the world idle. */
		if (poll_fds(l, 0) > 0)
			return 0;
		if (l->nheap == 0)
			return l->nfds == 0 ? -1 : -2;
		if (l->heap[0].when > l->now)
			l->now = l->heap[0].when;
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

int
loop_run_until(struct loop *l, loop_done_cb *done, void *arg, uint64_t deadline_ms)
{
	while (!done(arg)) {
		if (l->now >= deadline_ms || stop_requested)
			return -1;
		if (l->mode == LOOP_SKIP && l->nheap > 0 && l->heap[0].when > deadline_ms) {
			/* would skip past the deadline: check idleness first */
			if (poll_fds(l, 0) > 0 || poll_fds(l, 0) > 0)
				continue;
			l->now = deadline_ms;
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
