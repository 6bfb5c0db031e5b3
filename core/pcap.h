/*
 * pcap: capture files, and the IPv4 frames that go in them.
 *
 * The writer is libpcap's own (pcap_open_dead + pcap_dump_open): a
 * classic pcap file, link type Ethernet (DLT_EN10MB), microsecond
 * timestamps, snap length PCAP_SNAPLEN.  The frame builders make complete
 * Ethernet + IPv4 + TCP or UDP frames with correct lengths and checksums
 * (IPv4 header, TCP and UDP with the pseudo-header).  MAC addresses are
 * derived from the IPv4 address (02:00:a:b:c:d, locally administered), so
 * every host of the world keeps one MAC.  IPv4 packets carry DF and TTL 64.
 *
 * Addresses and ports are in host byte order in the API.  No protocol
 * knowledge above TCP and UDP lives here; core/capture.h turns the
 * connections of a loop into frames.
 */
#ifndef MXSIM_PCAP_H
#define MXSIM_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define PCAP_SNAPLEN 262144
#define PCAP_MSS 1460              /* TCP payload per segment */
#define PCAP_WSCALE 7              /* window scale offered in SYNs */
#define PCAP_ETH_LEN 14
#define PCAP_IP_LEN 20
#define PCAP_TCP_LEN 20            /* without options */
#define PCAP_TCP_SYN_OPTS 8        /* MSS, NOP, window scale */
#define PCAP_UDP_LEN 8
#define PCAP_UDP_MAX 65507         /* largest UDP payload in one IPv4 packet */
#define PCAP_FRAME_MAX (PCAP_ETH_LEN + PCAP_IP_LEN + 60 + 65535)

#define PCAP_TCP_FIN 0x01
#define PCAP_TCP_SYN 0x02
#define PCAP_TCP_RST 0x04
#define PCAP_TCP_PSH 0x08
#define PCAP_TCP_ACK 0x10

struct pcap_tcp_hdr {
	uint32_t src, dst;         /* IPv4 addresses */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;             /* PCAP_TCP_* */
	uint16_t win;              /* window field as sent */
	bool syn_opts;             /* add MSS PCAP_MSS and window scale PCAP_WSCALE */
	uint16_t ip_id;
};

/* Build one frame into buf (cap bytes).  Returns its length, or 0 when
 * it does not fit (payload above 65535 - headers, or cap too small). */
size_t pcap_frame_tcp(uint8_t *buf, size_t cap, const struct pcap_tcp_hdr *h,
	const uint8_t *payload, size_t n);
size_t pcap_frame_udp(uint8_t *buf, size_t cap, uint32_t src, uint16_t sport,
	uint32_t dst, uint16_t dport, uint16_t ip_id, const uint8_t *payload,
	size_t n);

/* RFC 1071 one's complement sum of p, folded and complemented; sum is a
 * partial sum to start from (a pseudo-header).  A buffer that includes a
 * correct checksum field sums to 0. */
uint16_t pcap_inet_csum(const uint8_t *p, size_t n, uint32_t sum);

struct pcap_writer;

/* Create (truncate) a capture file at path.  -1 with a message in err. */
int pcap_writer_open(struct pcap_writer **out, const char *path, char *err,
	size_t errlen) WUR;
/* Append one frame with timestamp ts_us (microseconds since the epoch).
 * Returns its number (1-based, as Wireshark counts).  Write errors are
 * sticky and reported by pcap_writer_close(). */
uint64_t pcap_writer_put(struct pcap_writer *w, uint64_t ts_us,
	const uint8_t *frame, size_t len);
uint64_t pcap_writer_frames(const struct pcap_writer *w);
/* Flush, close and free; -1 with a message when any write failed.  NULL
 * is a no-op returning 0. */
int pcap_writer_close(struct pcap_writer *w, char *err, size_t errlen) WUR;

#endif
