/*
 * capture: the run's pcap, key log and notes sidecar.  See capture.h.
 *
 * Each TCP connection is a struct stream with two sides (0 client,
 * 1 server).  A side is `attached` when a conn of the loop is that end;
 * the conn's wiretap state points at its side.  An attached side reports
 * its own transmissions (SENT, FIN, RST); a side that is not attached (an
 * outside program) is reconstructed from what the other side read
 * (RECEIVED, PEER_FIN, PEER_RST).  A client conn is matched to the server
 * conn that accepts it by the kernel's 4-tuple while both are open.
 *
 * Sequence numbers: side.nxt is the next sequence number the side sends;
 * every segment with ACK acknowledges everything the other side has sent
 * so far, so acknowledgements never run ahead of the data in the file.
 * A pure ACK is sent only when it acknowledges something new (Wireshark
 * would call a repeat a duplicate ACK).
 *
 * Ownership: the capture owns its files, streams and notes.  Nothing is
 * logged; write errors are reported by capture_close().
 */
#include "core/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "core/pcap.h"

#define PORT_BASE 32768          /* client ports, like Linux's ephemeral range */
#define PORT_SPAN (61000 - PORT_BASE)
#define SLOT_PORTS 256           /* client ports set aside per scenario slot */
#define WINDOW 0xffff            /* 65535 << PCAP_WSCALE bytes after the SYN */
#define ACK_EVERY (64 * 1024)    /* the receiver ACKs at least this often */

struct stream;

struct side {
	struct stream *st;
	int idx;                 /* 0 client, 1 server */
	bool attached;           /* a conn of the loop is (or was) this end */
	bool live;               /* ... and it is still open */
	bool fin;                /* sent its FIN */
	bool acked;              /* sent a segment with ACK set */
	uint32_t ip;
	uint16_t port;           /* as written (client ports are rewritten) */
	uint32_t nxt;            /* next sequence number to send */
	uint32_t last_ack;
	uint16_t ipid;
};

struct stream {
	struct stream *next;
	uint32_t real_cip, real_sip;   /* the kernel's 4-tuple, for matching */
	uint16_t real_cport, real_sport;
	bool syn, established, done;
	struct side s[2];
};

struct udp_map {
	uint32_t ip;
	uint16_t real, mapped, ipid;
};

struct note {
	uint64_t frame;
	size_t scen;
	unsigned session;
	uint64_t t_ms;
	char *text;
};

struct scen {
	char *label;
	uint64_t first, last;
	unsigned tcp;
};

struct capture {
	struct pcap_writer *pw;
	FILE *keylog;
	char *keylog_path;
	char *notes_path;
	char *pcap_name;
	struct conn_wiretap tap;
	struct loop *l;
	struct rec *rec;
	struct stream *streams;
	unsigned nstreams;
	unsigned nports;
	unsigned slot;           /* the scenario's slot (capture_begin_slot) */
	struct udp_map *udp;
	size_t nudp, capudp;
	uint16_t srv_ipid;
	size_t *seen;            /* transcript lines already looked at, per session */
	size_t nseen;
	struct note *notes;
	size_t nnotes, capnotes, unplaced;
	struct scen *scen;
	size_t nscen, capscen;
	uint64_t *keys;          /* hash set of key log lines (0 = empty slot) */
	size_t nkeys, capkeys;
	uint64_t bytes;
	bool keylog_failed;
	uint8_t frame[PCAP_FRAME_MAX];
};

static uint32_t
mix32(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)(x ^ (x >> 31));
}

static uint16_t
next_port(struct capture *cap)
{
	return (uint16_t)(PORT_BASE + cap->nports++ % PORT_SPAN);
}

/* --- notes --- */

static void
poll_notes(struct capture *cap)
{
	size_t n;

	if (cap->rec == NULL)
		return;
	n = rec_count(cap->rec);
	if (n > cap->nseen) {
		cap->seen = xrealloc(cap->seen, n * sizeof(*cap->seen));
		memset(cap->seen + cap->nseen, 0, (n - cap->nseen) * sizeof(*cap->seen));
		cap->nseen = n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rec_session *s = rec_get(cap->rec, i);
		for (size_t k = cap->seen[i]; k < s->nlines; k++) {
			if (s->lines[k].dir != '!')
				continue;
			if (cap->nnotes == cap->capnotes) {
				cap->capnotes = cap->capnotes ? cap->capnotes * 2 : 64;
				cap->notes = xrealloc(cap->notes, cap->capnotes * sizeof(*cap->notes));
			}
			cap->notes[cap->nnotes++] = (struct note){ 0, cap->nscen - 1,
			    s->id, s->lines[k].t_ms, xstrdup(s->lines[k].text) };
		}
		cap->seen[i] = s->nlines;
	}
}

static void
place_notes(struct capture *cap, uint64_t frame)
{
	for (; cap->unplaced < cap->nnotes; cap->unplaced++)
		cap->notes[cap->unplaced].frame = frame;
}

/* --- frames --- */

static void
put_frame(struct capture *cap, size_t len)
{
	uint64_t now = loop_now(cap->l), num;
	uint64_t ts = (uint64_t)loop_wallclock(cap->l) * 1000000 + now % 1000 * 1000;
	struct scen *sc = &cap->scen[cap->nscen - 1];

	if (len == 0)
		return;
	poll_notes(cap);
	num = pcap_writer_put(cap->pw, ts, cap->frame, len);
	place_notes(cap, num);
	if (sc->first == 0)
		sc->first = num;
	sc->last = num;
	cap->bytes += len;
}

static void
seg_raw(struct capture *cap, struct stream *st, int from, uint8_t flags,
    uint32_t seq, uint32_t ack, uint16_t win, const uint8_t *p, size_t n)
{
	struct side *a = &st->s[from], *b = &st->s[1 - from];
	struct pcap_tcp_hdr h = {
		.src = a->ip, .dst = b->ip, .sport = a->port, .dport = b->port,
		.seq = seq, .ack = ack, .flags = flags, .win = win,
		.syn_opts = (flags & PCAP_TCP_SYN) != 0, .ip_id = a->ipid++,
	};

	put_frame(cap, pcap_frame_tcp(cap->frame, sizeof(cap->frame), &h, p, n));
	if (flags & PCAP_TCP_ACK) {
		a->acked = true;
		a->last_ack = ack;
	}
}

static void
seg(struct capture *cap, struct stream *st, int from, uint8_t flags,
    const uint8_t *p, size_t n)
{
	seg_raw(cap, st, from, flags, st->s[from].nxt,
	    flags & PCAP_TCP_ACK ? st->s[1 - from].nxt : 0, WINDOW, p, n);
}

/* A pure ACK from side i, if it acknowledges anything new. */
static void
ack(struct capture *cap, struct stream *st, int i)
{
	struct side *a = &st->s[i];

	if (a->acked && a->last_ack == st->s[1 - i].nxt)
		return;
	seg(cap, st, i, PCAP_TCP_ACK, NULL, 0);
}

static void
syn(struct capture *cap, struct stream *st)
{
	if (st->syn)
		return;
	st->syn = true;
	seg(cap, st, 0, PCAP_TCP_SYN, NULL, 0);
	st->s[0].nxt++;
}

static void
establish(struct capture *cap, struct stream *st)
{
	if (st->established || st->done)
		return;
	syn(cap, st);
	seg(cap, st, 1, PCAP_TCP_SYN | PCAP_TCP_ACK, NULL, 0);
	st->s[1].nxt++;
	seg(cap, st, 0, PCAP_TCP_ACK, NULL, 0);
	st->established = true;
}

static void
rst(struct capture *cap, struct stream *st, int from)
{
	if (st->done)
		return;
	establish(cap, st);
	seg(cap, st, from, PCAP_TCP_RST | PCAP_TCP_ACK, NULL, 0);
	st->done = true;
}

static void
data(struct capture *cap, struct stream *st, int from, const uint8_t *p, size_t n)
{
	struct side *a = &st->s[from], *b = &st->s[1 - from];
	bool closed = b->attached && !b->live;   /* the receiver's socket is gone */
	size_t since = 0;

	if (st->done || n == 0 || a->fin)
		return;
	establish(cap, st);
	while (n > 0) {
		size_t k = n < PCAP_MSS ? n : PCAP_MSS;
		seg(cap, st, from, PCAP_TCP_ACK | (k == n ? PCAP_TCP_PSH : 0), p, k);
		a->nxt += (uint32_t)k;
		p += k;
		n -= k;
		since += k;
		if (closed)
			break;
		if (since >= ACK_EVERY && n > 0) {
			ack(cap, st, 1 - from);
			since = 0;
		}
	}
	if (closed) {
		/* a closed socket's kernel answers with a RST whose sequence
		 * number is the acknowledgement it got */
		seg_raw(cap, st, 1 - from, PCAP_TCP_RST, b->nxt, 0, 0, NULL, 0);
		st->done = true;
		return;
	}
	ack(cap, st, 1 - from);
}

static void
fin(struct capture *cap, struct stream *st, int from)
{
	struct side *a = &st->s[from];

	if (st->done || a->fin)
		return;
	establish(cap, st);
	seg(cap, st, from, PCAP_TCP_FIN | PCAP_TCP_ACK, NULL, 0);
	a->nxt++;
	a->fin = true;
	ack(cap, st, 1 - from);
	if (st->s[1 - from].fin)
		st->done = true;
}

/* --- streams --- */

static uint32_t
ip_of(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1 ? ntohl(a.s_addr) : 0;
}

static struct stream *
stream_new(struct capture *cap, uint32_t cip, uint16_t cport, uint32_t sip,
    uint16_t sport)
{
	struct stream *st = xcalloc(1, sizeof(*st));
	unsigned num = cap->nstreams++;

	st->real_cip = cip;
	st->real_cport = cport;
	st->real_sip = sip;
	st->real_sport = sport;
	for (int i = 0; i < 2; i++) {
		uint32_t h = mix32((uint64_t)cap->slot << 32 |
		    ((uint64_t)num * 2 + (uint64_t)i));
		st->s[i].st = st;
		st->s[i].idx = i;
		st->s[i].nxt = h;
		st->s[i].ipid = (uint16_t)(h >> 7);
	}
	st->s[0].ip = cip;
	st->s[0].port = next_port(cap);
	st->s[1].ip = sip;
	st->s[1].port = sport;
	st->next = cap->streams;
	cap->streams = st;
	cap->scen[cap->nscen - 1].tcp++;
	return st;
}

static void
stream_unlink(struct capture *cap, struct stream *st)
{
	for (struct stream **pp = &cap->streams; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			free(st);
			return;
		}
	}
}

static void
release(struct capture *cap, struct side *sd, void **state)
{
	struct stream *st = sd->st;

	sd->live = false;
	*state = NULL;
	/* Keep a client-only stream: its server may still accept it. */
	if (!st->s[0].live && !st->s[1].live && (st->done || st->s[1].attached))
		stream_unlink(cap, st);
}

static struct side *
on_connect(struct capture *cap, struct conn *c)
{
	struct stream *st = stream_new(cap, ip_of(conn_local_ip(c)),
	    conn_local_port(c), ip_of(conn_peer_ip(c)), conn_peer_port(c));

	st->s[0].attached = st->s[0].live = true;
	syn(cap, st);
	return &st->s[0];
}

static struct side *
on_accept(struct capture *cap, struct conn *c)
{
	uint32_t cip = ip_of(conn_peer_ip(c)), sip = ip_of(conn_local_ip(c));
	uint16_t cport = conn_peer_port(c), sport = conn_local_port(c);
	struct stream *st;

	for (st = cap->streams; st != NULL; st = st->next)
		if (!st->s[1].attached && st->s[0].attached &&
		    st->real_cip == cip && st->real_cport == cport &&
		    st->real_sip == sip && st->real_sport == sport)
			break;
	if (st == NULL)
		st = stream_new(cap, cip, cport, sip, sport);
	st->s[1].attached = st->s[1].live = true;
	establish(cap, st);
	return &st->s[1];
}

static void
wire_cb(struct conn *c, const struct conn_wire *w, void **state, void *arg)
{
	struct capture *cap = arg;
	struct side *sd = *state;
	struct stream *st;
	int i;

	if (w->ev == CONN_WIRE_ACCEPTED) {
		*state = on_accept(cap, c);
		return;
	}
	if (w->ev == CONN_WIRE_CONNECTING) {
		*state = on_connect(cap, c);
		return;
	}
	if (sd == NULL)
		return;
	st = sd->st;
	i = sd->idx;
	switch (w->ev) {
	case CONN_WIRE_CONNECTED:
		establish(cap, st);
		break;
	case CONN_WIRE_FAILED:
		if (!st->established && !st->done && w->err == ECONNREFUSED)
			seg_raw(cap, st, 1, PCAP_TCP_RST | PCAP_TCP_ACK, 0,
			    st->s[0].nxt, 0, NULL, 0);
		if (!st->established)
			st->done = true;
		release(cap, sd, state);
		break;
	case CONN_WIRE_SENT:
		data(cap, st, i, w->p, w->n);
		break;
	case CONN_WIRE_RECEIVED:
		if (!st->s[1 - i].attached)
			data(cap, st, 1 - i, w->p, w->n);
		break;
	case CONN_WIRE_PEER_FIN:
		if (!st->s[1 - i].attached)
			fin(cap, st, 1 - i);
		break;
	case CONN_WIRE_PEER_RST:
		if (!st->s[1 - i].attached)
			rst(cap, st, 1 - i);
		break;
	case CONN_WIRE_FIN:
		fin(cap, st, i);
		release(cap, sd, state);
		break;
	case CONN_WIRE_RST:
		rst(cap, st, i);
		release(cap, sd, state);
		break;
	default:
		break;
	}
}

/* --- UDP --- */

static struct udp_map *
udp_find(struct capture *cap, uint32_t ip, uint16_t port)
{
	for (size_t i = 0; i < cap->nudp; i++)
		if (cap->udp[i].ip == ip && cap->udp[i].real == port)
			return &cap->udp[i];
	return NULL;
}

static void
dgram_cb(const struct sockaddr_in *client, const struct sockaddr_in *server,
    bool to_server, const uint8_t *p, size_t n, void *arg)
{
	struct capture *cap = arg;
	uint32_t cip = ntohl(client->sin_addr.s_addr), sip;
	uint16_t cport = ntohs(client->sin_port), sport;
	struct udp_map *m = udp_find(cap, cip, cport);

	if (p == NULL) {
		if (m != NULL)
			*m = cap->udp[--cap->nudp];
		return;
	}
	if (m == NULL) {
		if (cap->nudp == cap->capudp) {
			cap->capudp = cap->capudp ? cap->capudp * 2 : 16;
			cap->udp = xrealloc(cap->udp, cap->capudp * sizeof(*cap->udp));
		}
		m = &cap->udp[cap->nudp++];
		m->ip = cip;
		m->real = cport;
		m->mapped = next_port(cap);
		m->ipid = (uint16_t)(mix32(0x10000u + m->mapped) >> 3);
	}
	sip = ntohl(server->sin_addr.s_addr);
	sport = ntohs(server->sin_port);
	if (to_server)
		put_frame(cap, pcap_frame_udp(cap->frame, sizeof(cap->frame), cip,
		    m->mapped, sip, sport, m->ipid++, p, n));
	else
		put_frame(cap, pcap_frame_udp(cap->frame, sizeof(cap->frame), sip,
		    sport, cip, m->mapped, cap->srv_ipid++, p, n));
}

/* --- key log --- */

static uint64_t
fnv64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h ? h : 1;
}

/* Insert h; false when it was there already. */
static bool
keys_add(struct capture *cap, uint64_t h)
{
	size_t i;

	if (2 * (cap->nkeys + 1) > cap->capkeys) {
		uint64_t *old = cap->keys;
		size_t oldcap = cap->capkeys;
		cap->capkeys = oldcap ? oldcap * 2 : 256;
		cap->keys = xcalloc(cap->capkeys, sizeof(*cap->keys));
		cap->nkeys = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i] != 0)
				(void)keys_add(cap, old[i]);
		free(old);
	}
	for (i = h & (cap->capkeys - 1); cap->keys[i] != 0; i = (i + 1) & (cap->capkeys - 1))
		if (cap->keys[i] == h)
			return false;
	cap->keys[i] = h;
	cap->nkeys++;
	return true;
}

/* Both ends of a session mxsim owns log the same lines: write each once. */
static void
keylog_cb(const char *line, void *arg)
{
	struct capture *cap = arg;

	if (cap->keylog == NULL || !keys_add(cap, fnv64(line)))
		return;
	if (fprintf(cap->keylog, "%s\n", line) < 0)
		cap->keylog_failed = true;
}

/* --- the API --- */

int
capture_open(struct capture **out, const char *pcap_path, const char *keylog_path,
    const char *notes_path, char *err, size_t errlen)
{
	struct capture *cap = xcalloc(1, sizeof(*cap));
	const char *slash = strrchr(pcap_path, '/');

	*out = NULL;
	if (pcap_writer_open(&cap->pw, pcap_path, err, errlen) < 0) {
		free(cap);
		return -1;
	}
	if (keylog_path != NULL && (cap->keylog = fopen(keylog_path, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", keylog_path, strerror(errno));
		if (pcap_writer_close(cap->pw, NULL, 0) < 0) {
			/* the keylog error is the one to report */
		}
		free(cap);
		return -1;
	}
	cap->keylog_path = keylog_path ? xstrdup(keylog_path) : NULL;
	cap->notes_path = notes_path ? xstrdup(notes_path) : NULL;
	cap->pcap_name = xstrdup(slash ? slash + 1 : pcap_path);
	cap->tap = (struct conn_wiretap){ wire_cb, dgram_cb, keylog_cb, cap };
	*out = cap;
	return 0;
}

void
capture_begin(struct capture *cap, struct loop *l, struct rec *rec,
    const char *label)
{
	capture_begin_slot(cap, l, rec, label, (unsigned)cap->nscen);
}

/* A scenario's numbering (client ports, initial sequence numbers, the DNS
 * server's IP ids) depends on its slot only, never on what ran before it,
 * so per-scenario captures made in parallel and concatenated are the same
 * bytes as one capture of the whole run. */
void
capture_begin_slot(struct capture *cap, struct loop *l, struct rec *rec,
    const char *label, unsigned slot)
{
	if (cap->l != NULL)
		capture_end(cap);
	cap->slot = slot;
	cap->nports = (unsigned)(((uint64_t)slot * SLOT_PORTS) % PORT_SPAN);
	cap->nstreams = 0;
	cap->srv_ipid = (uint16_t)(slot * 4099u);
	if (cap->nscen == cap->capscen) {
		cap->capscen = cap->capscen ? cap->capscen * 2 : 32;
		cap->scen = xrealloc(cap->scen, cap->capscen * sizeof(*cap->scen));
	}
	cap->scen[cap->nscen++] = (struct scen){ xstrdup(label ? label : ""), 0, 0, 0 };
	cap->l = l;
	cap->rec = rec;
	cap->nseen = 0;
	loop_set_wiretap(l, &cap->tap);
}

void
capture_end(struct capture *cap)
{
	if (cap->l == NULL)
		return;
	poll_notes(cap);
	place_notes(cap, pcap_writer_frames(cap->pw));
	while (cap->streams != NULL)
		stream_unlink(cap, cap->streams);
	cap->nudp = 0;
	loop_set_wiretap(cap->l, NULL);
	cap->l = NULL;
	cap->rec = NULL;
	if (cap->keylog != NULL && fflush(cap->keylog) != 0)
		cap->keylog_failed = true;
}

uint64_t
capture_frames(const struct capture *cap)
{
	return pcap_writer_frames(cap->pw);
}

uint64_t
capture_bytes(const struct capture *cap)
{
	return cap->bytes;
}

static int
write_notes(const struct capture *cap, uint64_t frames)
{
	json_t *root = json_object(), *sc = json_array(), *notes = json_array();
	int rc;

	json_object_set_new(root, "pcap", json_string(cap->pcap_name));
	json_object_set_new(root, "link_type", json_string("EN10MB"));
	json_object_set_new(root, "frames", json_integer((json_int_t)frames));
	for (size_t i = 0; i < cap->nscen; i++) {
		const struct scen *s = &cap->scen[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(s->label));
		json_object_set_new(o, "first_frame", json_integer((json_int_t)s->first));
		json_object_set_new(o, "last_frame", json_integer((json_int_t)s->last));
		json_object_set_new(o, "tcp_connections", json_integer(s->tcp));
		json_array_append_new(sc, o);
	}
	json_object_set_new(root, "scenarios", sc);
	for (size_t i = 0; i < cap->nnotes; i++) {
		const struct note *n = &cap->notes[i];
		json_t *o = json_object();
		json_object_set_new(o, "frame", json_integer((json_int_t)n->frame));
		json_object_set_new(o, "scenario", json_string(cap->scen[n->scen].label));
		json_object_set_new(o, "session", json_integer(n->session));
		json_object_set_new(o, "t_ms", json_integer((json_int_t)n->t_ms));
		json_object_set_new(o, "text", json_string(n->text));
		json_array_append_new(notes, o);
	}
	json_object_set_new(root, "notes", notes);
	rc = json_dump_file(root, cap->notes_path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return rc;
}

int
capture_close(struct capture *cap, char *err, size_t errlen)
{
	char e[600];
	uint64_t frames;
	int rc = 0;

	if (cap == NULL)
		return 0;
	capture_end(cap);
	frames = pcap_writer_frames(cap->pw);
	if (pcap_writer_close(cap->pw, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		rc = -1;
	}
	if (cap->keylog != NULL && (fclose(cap->keylog) != 0 || cap->keylog_failed) &&
	    rc == 0) {
		snprintf(err, errlen, "%s: write error", cap->keylog_path);
		rc = -1;
	}
	if (cap->notes_path != NULL && write_notes(cap, frames) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: cannot write the notes", cap->notes_path);
		rc = -1;
	}
	for (size_t i = 0; i < cap->nnotes; i++)
		free(cap->notes[i].text);
	for (size_t i = 0; i < cap->nscen; i++)
		free(cap->scen[i].label);
	free(cap->notes);
	free(cap->scen);
	free(cap->seen);
	free(cap->udp);
	free(cap->keys);
	free(cap->keylog_path);
	free(cap->notes_path);
	free(cap->pcap_name);
	free(cap);
	return rc;
}
