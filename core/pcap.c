/*
 * pcap: the capture file writer and the IPv4/TCP/UDP frame builders.
 * See pcap.h.
 *
 * Ownership: the writer owns libpcap's dead handle and dumper; frames are
 * copied into the file at once.  Nothing is logged: errors go back to the
 * caller (sticky for writes, reported at close).
 */
#include "core/pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *dump;
	uint64_t frames;
	bool failed;
	char path[512];
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t
pcap_inet_csum(const uint8_t *p, size_t n, uint32_t sum)
{
	uint64_t s = sum;

	for (; n >= 2; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n == 1)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Sum of the TCP/UDP pseudo-header, not yet folded. */
static uint32_t
pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	    proto + (uint32_t)len;
}

static void
mac_of(uint8_t *mac, uint32_t ip)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	put32(mac + 2, ip);
}

/* Ethernet and IPv4 headers for an IP payload of len bytes. */
static void
eth_ip(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
    size_t len)
{
	uint8_t *ip = buf + PCAP_ETH_LEN;

	mac_of(buf, dst);
	mac_of(buf + 6, src);
	put16(buf + 12, 0x0800);
	ip[0] = 0x45;               /* IPv4, 20-byte header */
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(PCAP_IP_LEN + len));
	put16(ip + 4, id);
	put16(ip + 6, 0x4000);      /* DF */
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, pcap_inet_csum(ip, PCAP_IP_LEN, 0));
}

size_t
pcap_frame_tcp(uint8_t *buf, size_t cap, const struct pcap_tcp_hdr *h,
    const uint8_t *payload, size_t n)
{
	size_t hlen = PCAP_TCP_LEN + (h->syn_opts ? PCAP_TCP_SYN_OPTS : 0);
	size_t seglen = hlen + n;
	size_t total = PCAP_ETH_LEN + PCAP_IP_LEN + seglen;
	uint8_t *tcp = buf + PCAP_ETH_LEN + PCAP_IP_LEN;

	if (PCAP_IP_LEN + seglen > 65535 || total > cap)
		return 0;
	eth_ip(buf, h->src, h->dst, 6, h->ip_id, seglen);
	put16(tcp, h->sport);
	put16(tcp + 2, h->dport);
	put32(tcp + 4, h->seq);
	put32(tcp + 8, h->ack);
	tcp[12] = (uint8_t)((hlen / 4) << 4);
	tcp[13] = h->flags;
	put16(tcp + 14, h->win);
	put16(tcp + 16, 0);         /* checksum, below */
	put16(tcp + 18, 0);         /* urgent pointer */
	if (h->syn_opts) {
		uint8_t *o = tcp + PCAP_TCP_LEN;
		o[0] = 2;               /* MSS */
		o[1] = 4;
		put16(o + 2, PCAP_MSS);
		o[4] = 1;               /* NOP */
		o[5] = 3;               /* window scale */
		o[6] = 3;
		o[7] = PCAP_WSCALE;
	}
	if (n > 0)
		memcpy(tcp + hlen, payload, n);
	put16(tcp + 16, pcap_inet_csum(tcp, seglen,
	    pseudo_sum(h->src, h->dst, 6, seglen)));
	return total;
}

size_t
pcap_frame_udp(uint8_t *buf, size_t cap, uint32_t src, uint16_t sport,
    uint32_t dst, uint16_t dport, uint16_t ip_id, const uint8_t *payload,
    size_t n)
{
	size_t ulen = PCAP_UDP_LEN + n;
	size_t total = PCAP_ETH_LEN + PCAP_IP_LEN + ulen;
	uint8_t *udp = buf + PCAP_ETH_LEN + PCAP_IP_LEN;
	uint16_t sum;

	if (n > PCAP_UDP_MAX || total > cap)
		return 0;
	eth_ip(buf, src, dst, 17, ip_id, ulen);
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)ulen);
	put16(udp + 6, 0);
	if (n > 0)
		memcpy(udp + PCAP_UDP_LEN, payload, n);
	sum = pcap_inet_csum(udp, ulen, pseudo_sum(src, dst, 17, ulen));
	put16(udp + 6, sum == 0 ? 0xffff : sum);  /* RFC 768: 0 means none */
	return total;
}

int
pcap_writer_open(struct pcap_writer **out, const char *path, char *err,
    size_t errlen)
{
	struct pcap_writer *w = xcalloc(1, sizeof(*w));

	*out = NULL;
	w->dead = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (w->dead == NULL) {
		snprintf(err, errlen, "%s: libpcap cannot make a handle", path);
		free(w);
		return -1;
	}
	w->dump = pcap_dump_open(w->dead, path);
	if (w->dump == NULL) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(w->dead));
		pcap_close(w->dead);
		free(w);
		return -1;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	*out = w;
	return 0;
}

uint64_t
pcap_writer_put(struct pcap_writer *w, uint64_t ts_us, const uint8_t *frame,
    size_t len)
{
	struct pcap_pkthdr ph;

	memset(&ph, 0, sizeof(ph));
	ph.ts.tv_sec = (time_t)(ts_us / 1000000);
	ph.ts.tv_usec = (suseconds_t)(ts_us % 1000000);
	ph.caplen = (bpf_u_int32)(len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN);
	ph.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dump, &ph, frame);
	if (ferror(pcap_dump_file(w->dump)))
		w->failed = true;
	return ++w->frames;
}

uint64_t
pcap_writer_frames(const struct pcap_writer *w)
{
	return w->frames;
}

int
pcap_writer_close(struct pcap_writer *w, char *err, size_t errlen)
{
	int rc = 0;

	if (w == NULL)
		return 0;
	if (pcap_dump_flush(w->dump) < 0 || ferror(pcap_dump_file(w->dump)))
		w->failed = true;
	pcap_dump_close(w->dump);
	pcap_close(w->dead);
	if (w->failed) {
		snprintf(err, errlen, "%s: write error", w->path);
		rc = -1;
	}
	free(w);
	return rc;
}
