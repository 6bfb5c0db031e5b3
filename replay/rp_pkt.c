/*
 * rp_pkt: capture reader and frame decoder.  See rp_pkt.h.
 *
 * Every length taken from a frame is checked against what is left of the
 * captured bytes before it is used; a frame that lies (an IPv4 total
 * length past the end, a TCP data offset below 5) is skipped and counted,
 * never trusted.  Logs nothing: the caller reports the counters.
 */
#include "replay/rp_pkt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct rp_reader {
	pcap_t *pc;
	FILE *memf;         /* fmemopen over mem (closed by pcap_close) */
	uint8_t *mem;
	int dlt;
	bool truncated;
	bool done;
	struct rp_stats st;
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

bool
rp_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

/* TCP or UDP header at p (n bytes left of the IP payload). */
static enum rp_skip
decode_l4(const uint8_t *p, size_t n, size_t wire_n, struct rp_pkt *out)
{
	size_t hl;

	if (out->proto == 6) {
		if (n < 20)
			return RP_SKIP_SHORT;
		hl = (size_t)(p[12] >> 4) * 4;
		if (hl < 20)
			return RP_SKIP_BAD;
		if (hl > n)
			return RP_SKIP_SHORT;
		out->sport = be16(p);
		out->dport = be16(p + 2);
		out->seq = be32(p + 4);
		out->ack = be32(p + 8);
		out->flags = p[13];
		out->payload = p + hl;
		out->len = n - hl;
		out->wire_len = wire_n > hl ? wire_n - hl : 0;
		return RP_OK;
	}
	if (out->proto == 17) {
		if (n < 8)
			return RP_SKIP_SHORT;
		out->sport = be16(p);
		out->dport = be16(p + 2);
		out->seq = out->ack = 0;
		out->flags = 0;
		out->payload = p + 8;
		out->len = n - 8;
		out->wire_len = wire_n > 8 ? wire_n - 8 : 0;
		return RP_OK;
	}
	return RP_SKIP_PROTO;
}

static enum rp_skip
decode_ipv4(const uint8_t *p, size_t n, struct rp_pkt *out)
{
	size_t hl, total;

	if (n < 20)
		return RP_SKIP_SHORT;
	if (p[0] >> 4 != 4)
		return RP_SKIP_BAD;
	hl = (size_t)(p[0] & 0x0f) * 4;
	total = be16(p + 2);
	if (hl < 20 || total < hl)
		return RP_SKIP_BAD;
	if (hl > n)
		return RP_SKIP_SHORT;
	if ((be16(p + 6) & 0x3fff) != 0)   /* MF or an offset */
		return RP_SKIP_FRAG;
	out->af = 4;
	memset(out->src, 0, sizeof(out->src));
	memset(out->dst, 0, sizeof(out->dst));
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	out->proto = p[9];
	/* captured bytes may hold Ethernet padding past total, or be cut
	 * short of it by the snap length */
	size_t have = n < total ? n : total;
	return decode_l4(p + hl, have - hl, total - hl, out);
}

static enum rp_skip
decode_ipv6(const uint8_t *p, size_t n, struct rp_pkt *out)
{
	size_t plen, off = 40;
	uint8_t nh;

	if (n < 40)
		return RP_SKIP_SHORT;
	if (p[0] >> 4 != 6)
		return RP_SKIP_BAD;
	plen = be16(p + 4);
	nh = p[6];
	out->af = 6;
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	size_t end = 40 + plen < n ? 40 + plen : n;
	/* hop-by-hop, routing, destination options: skip; fragment: give up */
	for (int k = 0; k < 8 && (nh == 0 || nh == 43 || nh == 60 || nh == 44); k++) {
		if (nh == 44)
			return RP_SKIP_FRAG;
		if (off + 8 > end)
			return RP_SKIP_SHORT;
		size_t el = ((size_t)p[off + 1] + 1) * 8;
		nh = p[off];
		if (off + el > end)
			return RP_SKIP_SHORT;
		off += el;
	}
	out->proto = nh;
	return decode_l4(p + off, end - off, 40 + plen > off ? 40 + plen - off : 0, out);
}

static enum rp_skip
decode_ethertype(uint16_t type, const uint8_t *p, size_t n, struct rp_pkt *out)
{
	if (type == ETHERTYPE_IPV4)
		return decode_ipv4(p, n, out);
	if (type == ETHERTYPE_IPV6)
		return decode_ipv6(p, n, out);
	return RP_SKIP_LINK;
}

static enum rp_skip
decode_ip_any(const uint8_t *p, size_t n, struct rp_pkt *out)
{
	if (n < 1)
		return RP_SKIP_SHORT;
	if (p[0] >> 4 == 4)
		return decode_ipv4(p, n, out);
	if (p[0] >> 4 == 6)
		return decode_ipv6(p, n, out);
	return RP_SKIP_BAD;
}

enum rp_skip
rp_decode(int dlt, const uint8_t *f, size_t n, struct rp_pkt *out)
{
	uint16_t type;
	size_t off;

	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return RP_SKIP_SHORT;
		type = be16(f + 12);
		off = 14;
		for (int k = 0; k < 2 && (type == ETHERTYPE_VLAN ||
		    type == ETHERTYPE_QINQ); k++) {
			if (n < off + 4)
				return RP_SKIP_SHORT;
			type = be16(f + off + 2);
			off += 4;
		}
		return decode_ethertype(type, f + off, n - off, out);
	case DLT_LINUX_SLL:
		if (n < 16)
			return RP_SKIP_SHORT;
		return decode_ethertype(be16(f + 14), f + 16, n - 16, out);
	case DLT_LINUX_SLL2:
		if (n < 20)
			return RP_SKIP_SHORT;
		return decode_ethertype(be16(f), f + 20, n - 20, out);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return decode_ip_any(f, n, out);
	case DLT_NULL:
	case DLT_LOOP:
		/* the address family, in the byte order of the machine that
		 * wrote it (DLT_NULL) or big-endian (DLT_LOOP): the IP
		 * version nibble tells more reliably */
		if (n < 4)
			return RP_SKIP_SHORT;
		return decode_ip_any(f + 4, n - 4, out);
	default:
		return RP_SKIP_LINK;
	}
}

static int
reader_init(struct rp_reader *r, char *err, size_t errlen)
{
	r->dlt = pcap_datalink(r->pc);
	if (!rp_dlt_supported(r->dlt)) {
		const char *name = pcap_datalink_val_to_name(r->dlt);
		snprintf(err, errlen, "link type %d (%s) is not supported: replay "
		    "reads Ethernet, Linux cooked (SLL, SLL2), raw IP and loopback "
		    "captures", r->dlt, name ? name : "unknown");
		return -1;
	}
	return 0;
}

int
rp_reader_open(struct rp_reader **out, const char *path, char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct rp_reader *r;

	*out = NULL;
	r = xcalloc(1, sizeof(*r));
	r->pc = pcap_open_offline(path, pe);
	if (r->pc == NULL) {
		snprintf(err, errlen, "%s: not a readable capture: %s", path, pe);
		free(r);
		return -1;
	}
	if (reader_init(r, err, errlen) < 0) {
		rp_reader_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int
rp_reader_open_mem(struct rp_reader **out, const uint8_t *data, size_t len,
    char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct rp_reader *r;

	*out = NULL;
	if (len == 0) {
		snprintf(err, errlen, "empty capture (0 bytes)");
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->mem = xmalloc(len);
	memcpy(r->mem, data, len);
	r->memf = fmemopen(r->mem, len, "rb");
	if (r->memf == NULL) {
		snprintf(err, errlen, "fmemopen: %s", strerror(errno));
		free(r->mem);
		free(r);
		return -1;
	}
	r->pc = pcap_fopen_offline(r->memf, pe);
	if (r->pc == NULL) {
		snprintf(err, errlen, "not a readable capture: %s", pe);
		fclose(r->memf);
		free(r->mem);
		free(r);
		return -1;
	}
	r->memf = NULL;   /* pcap owns it now */
	if (reader_init(r, err, errlen) < 0) {
		rp_reader_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int
rp_reader_next(struct rp_reader *r, struct rp_pkt *p, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	while (!r->done) {
		int rc = pcap_next_ex(r->pc, &h, &data);
		if (rc == PCAP_ERROR_BREAK) {
			r->done = true;
			return 0;
		}
		if (rc != 1) {
			const char *e = pcap_geterr(r->pc);
			r->done = true;
			if (strstr(e, "truncated") != NULL)
				r->truncated = true;
			snprintf(err, errlen, "frame %llu: %s",
			    (unsigned long long)r->st.frames + 1, e);
			return -1;
		}
		r->st.frames++;
		r->st.bytes += h->caplen;
		memset(p, 0, sizeof(*p));
		p->frame = r->st.frames;
		p->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		enum rp_skip sk = rp_decode(r->dlt, data, h->caplen, p);
		if (sk != RP_OK) {
			r->st.skipped[sk]++;
			continue;
		}
		if (p->proto == 6)
			r->st.tcp++;
		else
			r->st.udp++;
		return 1;
	}
	return 0;
}

const struct rp_stats *
rp_reader_stats(const struct rp_reader *r)
{
	return &r->st;
}

int
rp_reader_dlt(const struct rp_reader *r)
{
	return r->dlt;
}

const char *
rp_reader_dlt_name(const struct rp_reader *r)
{
	const char *n = pcap_datalink_val_to_name(r->dlt);

	return n ? n : "?";
}

bool
rp_reader_truncated(const struct rp_reader *r)
{
	return r->truncated;
}

void
rp_reader_free(struct rp_reader *r)
{
	if (r == NULL)
		return;
	if (r->pc != NULL)
		pcap_close(r->pc);
	if (r->memf != NULL)
		fclose(r->memf);
	free(r->mem);
	free(r);
}

void
rp_addr_str(int af, const uint8_t *a, char *out, size_t outlen)
{
	if (inet_ntop(af == 6 ? AF_INET6 : AF_INET, a, out, (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "?");
}
