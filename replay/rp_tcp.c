/*
 * rp_tcp: TCP reassembly.  See rp_tcp.h.
 *
 * Each direction keeps `next`, the sequence number of the next byte to
 * hand out; a segment before it is a retransmission (dropped), one that
 * straddles it is an overlap (its new tail passes), one after it waits in
 * a sorted hold list until the hole fills, the hold grows past
 * RP_TCP_HOLD, or the connection ends: then the hole is declared a gap
 * and the stream goes on.  At the end of a connection, bytes the peer
 * acknowledged (or the FIN covers) but the capture never showed are a
 * gap too.  Closed connections stay as tombstones (up to
 * RP_TCP_MAX_FLOWS of them) so late retransmissions do not start a
 * phantom mid-stream connection.
 */
#include "replay/rp_tcp.h"

#include <stdlib.h>
#include <string.h>

#define NBUCKETS 16384
#define FAR_AHEAD (1u << 30)   /* further than this: not this stream */

struct seg {
	struct seg *next;
	uint32_t seq;
	size_t len;
	uint8_t data[];
};

struct dir {
	bool base;          /* next is known */
	uint32_t next;
	struct seg *hold;
	size_t held;
	bool fin, fin_done;
	uint32_t fin_seq;
	bool acked;         /* the peer acknowledged something of it */
	uint32_t max_ack;
};

struct flow {
	struct rp_flow f;
	struct dir d[2];
	bool closed;
	struct flow *hnext;             /* hash chain */
	struct flow *lprev, *lnext;     /* live list, oldest first */
	struct flow *tnext;             /* tombstone FIFO */
};

struct rp_tcp {
	rp_tcp_cb *cb;
	void *arg;
	struct flow *bucket[NBUCKETS];
	struct flow *live_head, *live_tail;
	size_t nlive;
	struct flow *tomb_head, *tomb_tail;
	size_t ntomb;
	unsigned nflows;
};

static bool
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static unsigned
end_hash(int af, const uint8_t *a, uint16_t port)
{
	unsigned h = 2166136261u;
	size_t n = af == 6 ? 16 : 4;

	for (size_t i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}

static unsigned
pkt_hash(const struct rp_pkt *p)
{
	/* symmetric: both directions land in the same bucket */
	return (end_hash(p->af, p->src, p->sport) ^
	    end_hash(p->af, p->dst, p->dport)) % NBUCKETS;
}

static bool
end_eq(const struct rp_flow *f, int side, int af, const uint8_t *a, uint16_t port)
{
	return f->port[side] == port && memcmp(f->addr[side], a, af == 6 ? 16 : 4) == 0;
}

/* The flow of p and the direction p travels, or NULL. */
static struct flow *
lookup(struct rp_tcp *t, const struct rp_pkt *p, int *dir)
{
	for (struct flow *x = t->bucket[pkt_hash(p)]; x != NULL; x = x->hnext) {
		if (x->f.af != p->af)
			continue;
		if (end_eq(&x->f, 0, p->af, p->src, p->sport) &&
		    end_eq(&x->f, 1, p->af, p->dst, p->dport)) {
			*dir = 0;
			return x;
		}
		if (end_eq(&x->f, 1, p->af, p->src, p->sport) &&
		    end_eq(&x->f, 0, p->af, p->dst, p->dport)) {
			*dir = 1;
			return x;
		}
	}
	return NULL;
}

static void
unhash(struct rp_tcp *t, struct flow *x)
{
	struct rp_pkt k = { .af = x->f.af };

	memcpy(k.src, x->f.addr[0], 16);
	memcpy(k.dst, x->f.addr[1], 16);
	k.sport = x->f.port[0];
	k.dport = x->f.port[1];
	for (struct flow **pp = &t->bucket[pkt_hash(&k)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == x) {
			*pp = x->hnext;
			return;
		}
	}
}

static void
hold_free(struct dir *d)
{
	while (d->hold != NULL) {
		struct seg *s = d->hold;
		d->hold = s->next;
		free(s);
	}
	d->held = 0;
}

static void
flow_destroy(struct rp_tcp *t, struct flow *x)
{
	unhash(t, x);
	hold_free(&x->d[0]);
	hold_free(&x->d[1]);
	free(x);
}

static void
emit(struct rp_tcp *t, struct flow *x, enum rp_tcp_ev ev, int dir,
    const uint8_t *data, size_t len, uint64_t ts)
{
	t->cb(&x->f, ev, dir, data, len, ts, t->arg);
}

static void
deliver(struct rp_tcp *t, struct flow *x, int dir, const uint8_t *data,
    size_t len, uint64_t ts)
{
	struct dir *d = &x->d[dir];

	d->next += (uint32_t)len;
	x->f.bytes[dir] += len;
	emit(t, x, RP_TCP_DATA, dir, data, len, ts);
}

static void
gap(struct rp_tcp *t, struct flow *x, int dir, uint32_t n, uint64_t ts)
{
	x->d[dir].next += n;
	x->f.lost[dir] += n;
	emit(t, x, RP_TCP_GAP, dir, NULL, n, ts);
}

/* Hand out what the hold list has at next. */
static void
drain(struct rp_tcp *t, struct flow *x, int dir, uint64_t ts)
{
	struct dir *d = &x->d[dir];

	while (d->hold != NULL) {
		struct seg *s = d->hold;
		int32_t off = (int32_t)(s->seq - d->next);
		if (off > 0)
			break;
		d->hold = s->next;
		d->held -= s->len;
		if ((int64_t)off + (int64_t)s->len > 0)
			deliver(t, x, dir, s->data - off, s->len + (size_t)off, ts);
		free(s);
	}
}

/* Give up on the first hole of the hold list. */
static void
skip_hole(struct rp_tcp *t, struct flow *x, int dir, uint64_t ts)
{
	struct dir *d = &x->d[dir];

	if (d->hold == NULL)
		return;
	int32_t off = (int32_t)(d->hold->seq - d->next);
	if (off > 0)
		gap(t, x, dir, (uint32_t)off, ts);
	drain(t, x, dir, ts);
}

static void
hold(struct flow *x, int dir, uint32_t seq, const uint8_t *data, size_t len)
{
	struct dir *d = &x->d[dir];
	struct seg *s = xmalloc(sizeof(*s) + len), **pp;

	s->seq = seq;
	s->len = len;
	memcpy(s->data, data, len);
	for (pp = &d->hold; *pp != NULL && !seq_lt(seq, (*pp)->seq); pp = &(*pp)->next)
		;
	s->next = *pp;
	*pp = s;
	d->held += len;
	x->f.reordered[dir]++;
}

static void
data_in(struct rp_tcp *t, struct flow *x, int dir, uint32_t seq,
    const uint8_t *data, size_t len, size_t wire_len, uint64_t ts)
{
	struct dir *d = &x->d[dir];
	int32_t off = (int32_t)(seq - d->next);

	if (off < 0) {
		if ((int64_t)off + (int64_t)wire_len <= 0) {
			x->f.retrans[dir]++;
			return;
		}
		x->f.overlaps[dir]++;
		size_t cut = (size_t)-(int64_t)off;
		if (cut >= len) {   /* only the uncaptured tail is new */
			gap(t, x, dir, (uint32_t)(wire_len - cut), ts);
			drain(t, x, dir, ts);
			return;
		}
		data += cut;
		len -= cut;
		wire_len -= cut;
		seq += (uint32_t)cut;
		off = 0;
	}
	if ((uint32_t)off > FAR_AHEAD)
		return;
	if (off > 0) {
		if (len > 0)
			hold(x, dir, seq, data, len);
		while (d->held > RP_TCP_HOLD)
			skip_hole(t, x, dir, ts);
		return;
	}
	if (len > 0)
		deliver(t, x, dir, data, len, ts);
	if (wire_len > len)   /* cut by the snap length */
		gap(t, x, dir, (uint32_t)(wire_len - len), ts);
	drain(t, x, dir, ts);
}

/* At the end: holes, then what the peer acknowledged but we never saw. */
static void
dir_flush(struct rp_tcp *t, struct flow *x, int dir, uint64_t ts)
{
	struct dir *d = &x->d[dir];

	while (d->hold != NULL)
		skip_hole(t, x, dir, ts);
	if (!d->base)
		return;
	uint32_t end = d->fin ? d->fin_seq : d->acked ? d->max_ack : d->next;
	int32_t missing = (int32_t)(end - d->next);
	/* an ACK of a FIN we did not see counts one sequence number more */
	if (!d->fin && missing == 1)
		missing = 0;
	if (missing > 0 && (uint32_t)missing < FAR_AHEAD)
		gap(t, x, dir, (uint32_t)missing, ts);
	if (d->fin && !d->fin_done) {
		d->fin_done = true;
		emit(t, x, RP_TCP_FIN, dir, NULL, 0, ts);
	}
}

static void
live_unlink(struct rp_tcp *t, struct flow *x)
{
	if (x->lprev != NULL)
		x->lprev->lnext = x->lnext;
	else
		t->live_head = x->lnext;
	if (x->lnext != NULL)
		x->lnext->lprev = x->lprev;
	else
		t->live_tail = x->lprev;
	x->lprev = x->lnext = NULL;
	t->nlive--;
}

static void
flow_close(struct rp_tcp *t, struct flow *x, uint64_t ts)
{
	if (x->closed)
		return;
	dir_flush(t, x, 0, ts);
	dir_flush(t, x, 1, ts);
	emit(t, x, RP_TCP_CLOSE, 0, NULL, 0, ts);
	x->f.user = NULL;
	x->closed = true;
	hold_free(&x->d[0]);
	hold_free(&x->d[1]);
	live_unlink(t, x);
	/* keep a tombstone */
	if (t->tomb_tail != NULL)
		t->tomb_tail->tnext = x;
	else
		t->tomb_head = x;
	t->tomb_tail = x;
	t->ntomb++;
	while (t->ntomb > RP_TCP_MAX_FLOWS) {
		struct flow *o = t->tomb_head;
		t->tomb_head = o->tnext;
		if (t->tomb_head == NULL)
			t->tomb_tail = NULL;
		t->ntomb--;
		flow_destroy(t, o);
	}
}

static void
tomb_remove(struct rp_tcp *t, struct flow *x)
{
	for (struct flow **pp = &t->tomb_head, *prev = NULL; *pp != NULL;
	    prev = *pp, pp = &(*pp)->tnext) {
		if (*pp == x) {
			*pp = x->tnext;
			if (t->tomb_tail == x)
				t->tomb_tail = prev;
			t->ntomb--;
			return;
		}
	}
}

static bool
smtp_port(uint16_t p)
{
	return p == 25 || p == 587 || p == 465;
}

static struct flow *
flow_new(struct rp_tcp *t, const struct rp_pkt *p, int *dir, uint64_t ts)
{
	struct flow *x = xcalloc(1, sizeof(*x));
	bool src_client;

	if ((p->flags & (RP_F_SYN | RP_F_ACK)) == RP_F_SYN)
		src_client = true;
	else if ((p->flags & (RP_F_SYN | RP_F_ACK)) == (RP_F_SYN | RP_F_ACK))
		src_client = false;
	else if (smtp_port(p->dport) != smtp_port(p->sport))
		src_client = smtp_port(p->dport);
	else
		src_client = p->dport < p->sport ||
		    (p->dport == p->sport && memcmp(p->src, p->dst, 16) < 0);
	x->f.af = p->af;
	memcpy(x->f.addr[0], src_client ? p->src : p->dst, 16);
	memcpy(x->f.addr[1], src_client ? p->dst : p->src, 16);
	x->f.port[0] = src_client ? p->sport : p->dport;
	x->f.port[1] = src_client ? p->dport : p->sport;
	x->f.id = ++t->nflows;
	x->f.first_frame = p->frame;
	x->f.t_open_us = ts;
	x->f.handshake = (p->flags & RP_F_SYN) != 0;
	*dir = src_client ? 0 : 1;
	unsigned b = pkt_hash(p);
	x->hnext = t->bucket[b];
	t->bucket[b] = x;
	x->lprev = t->live_tail;
	if (t->live_tail != NULL)
		t->live_tail->lnext = x;
	else
		t->live_head = x;
	t->live_tail = x;
	t->nlive++;
	if (t->nlive > RP_TCP_MAX_FLOWS)
		flow_close(t, t->live_head, ts);
	emit(t, x, RP_TCP_OPEN, 0, NULL, 0, ts);
	return x;
}

struct rp_tcp *
rp_tcp_new(rp_tcp_cb *cb, void *arg)
{
	struct rp_tcp *t = xcalloc(1, sizeof(*t));

	t->cb = cb;
	t->arg = arg;
	return t;
}

void
rp_tcp_packet(struct rp_tcp *t, const struct rp_pkt *p)
{
	uint64_t ts = p->ts_us;
	bool syn = p->flags & RP_F_SYN;
	int dir;
	struct flow *x = lookup(t, p, &dir);

	/* a new SYN on a finished (or different) connection: a new one */
	if (x != NULL && syn && !(p->flags & RP_F_ACK) &&
	    (x->closed || (x->d[0].base && x->d[0].next != p->seq + 1 &&
	    x->f.bytes[0] + x->f.bytes[1] > 0))) {
		if (!x->closed)
			flow_close(t, x, ts);
		tomb_remove(t, x);
		flow_destroy(t, x);
		x = NULL;
	}
	if (x != NULL && x->closed)
		return;   /* late packet of a finished connection */
	if (x == NULL) {
		if (!syn && p->wire_len == 0)
			return;   /* nothing to learn from a bare ACK, FIN or RST */
		x = flow_new(t, p, &dir, ts);
	}
	x->f.last_frame = p->frame;
	struct dir *d = &x->d[dir], *o = &x->d[dir ^ 1];
	if (syn) {
		if (!d->base) {
			d->base = true;
			d->next = p->seq + 1;
		}
		x->f.handshake = true;
		if (dir == 1)
			x->f.synack = true;
	}
	if ((p->flags & RP_F_ACK) && o->base &&
	    (!o->acked || seq_lt(o->max_ack, p->ack))) {
		o->acked = true;
		o->max_ack = p->ack;
	}
	if (p->wire_len > 0 || (p->flags & RP_F_FIN)) {
		if (!d->base) {   /* mid-stream */
			d->base = true;
			d->next = p->seq;
		}
	}
	if (p->wire_len > 0)
		data_in(t, x, dir, p->seq + (syn ? 1 : 0), p->payload, p->len,
		    p->wire_len, ts);
	if (p->flags & RP_F_FIN) {
		d->fin = true;
		d->fin_seq = p->seq + (syn ? 1 : 0) + (uint32_t)p->wire_len;
	}
	if (d->fin && !d->fin_done && d->hold == NULL && d->next == d->fin_seq) {
		d->fin_done = true;
		emit(t, x, RP_TCP_FIN, dir, NULL, 0, ts);
	}
	if (p->flags & RP_F_RST) {
		dir_flush(t, x, 0, ts);
		dir_flush(t, x, 1, ts);
		emit(t, x, RP_TCP_RST, dir, NULL, 0, ts);
		flow_close(t, x, ts);
		return;
	}
	if (x->d[0].fin_done && x->d[1].fin_done)
		flow_close(t, x, ts);
}

void
rp_tcp_finish(struct rp_tcp *t, uint64_t ts_us)
{
	while (t->live_head != NULL)
		flow_close(t, t->live_head, ts_us);
}

unsigned
rp_tcp_flows(const struct rp_tcp *t)
{
	return t->nflows;
}

void
rp_tcp_free(struct rp_tcp *t)
{
	if (t == NULL)
		return;
	rp_tcp_finish(t, 0);
	while (t->tomb_head != NULL) {
		struct flow *o = t->tomb_head;
		t->tomb_head = o->tnext;
		flow_destroy(t, o);
	}
	free(t);
}
