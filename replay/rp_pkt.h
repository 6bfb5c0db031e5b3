/*
 * rp_pkt: the capture reader of `mxsim replay`.  Reads pcap files with
 * libpcap (pcap_open_offline / pcap_fopen_offline, so pcapng too) and
 * decodes each frame down to TCP or UDP, with a bounds check on every
 * header field.
 *
 * Link types: Ethernet (with 802.1Q/802.1ad tags), Linux cooked capture
 * v1 and v2 (tcpdump -i any), raw IP (DLT_RAW, LINKTYPE_IPV4/IPV6), BSD
 * loopback (DLT_NULL, DLT_LOOP).  Network: IPv4 (options skipped,
 * fragments counted and skipped) and IPv6 (extension headers skipped).
 *
 * A truncated file (libpcap's "truncated dump file" error) ends the
 * reading: what was read before stays valid and rp_reader_next() says so
 * through rp_reader_truncated().  Ownership: a struct rp_pkt points into
 * the reader's buffer, valid until the next rp_reader_next().
 */
#ifndef MXSIM_RP_PKT_H
#define MXSIM_RP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define RP_F_FIN 0x01
#define RP_F_SYN 0x02
#define RP_F_RST 0x04
#define RP_F_PSH 0x08
#define RP_F_ACK 0x10

struct rp_pkt {
	uint64_t frame;         /* 1-based, as Wireshark counts */
	uint64_t ts_us;         /* microseconds since the epoch */
	int af;                 /* 4 or 6 */
	uint8_t src[16], dst[16];  /* IPv4 in the first 4 bytes */
	uint8_t proto;          /* 6 TCP, 17 UDP */
	uint16_t sport, dport;
	uint32_t seq, ack;      /* TCP */
	uint8_t flags;          /* RP_F_* */
	const uint8_t *payload;
	size_t len;             /* payload bytes present in the capture */
	size_t wire_len;        /* payload bytes on the wire (snaplen cut) */
};

/* Why a frame was not decoded (counted by the reader). */
enum rp_skip {
	RP_OK,
	RP_SKIP_LINK,       /* not IP (ARP, ...) */
	RP_SKIP_SHORT,      /* a header does not fit in the captured bytes */
	RP_SKIP_BAD,        /* a header field is impossible */
	RP_SKIP_FRAG,       /* IPv4 fragment */
	RP_SKIP_PROTO,      /* neither TCP nor UDP */
	RP_SKIP_MAX
};

struct rp_stats {
	uint64_t frames;
	uint64_t bytes;          /* captured bytes */
	uint64_t skipped[RP_SKIP_MAX];
	uint64_t tcp, udp;
};

/* Decode one frame of link type dlt (a DLT_* value as pcap_datalink()
 * gives it) into p (frame and ts_us untouched).  RP_OK or the reason. */
enum rp_skip rp_decode(int dlt, const uint8_t *frame, size_t caplen,
	struct rp_pkt *p);
/* Whether rp_decode() knows the link type. */
bool rp_dlt_supported(int dlt);

struct rp_reader;

/* Open a capture file, or a capture in memory (copied).  -1 with a
 * message in err: missing file, not a capture, unsupported link type. */
int rp_reader_open(struct rp_reader **out, const char *path, char *err,
	size_t errlen) WUR;
int rp_reader_open_mem(struct rp_reader **out, const uint8_t *data,
	size_t len, char *err, size_t errlen) WUR;
/* Next TCP or UDP packet (frames that do not decode are counted and
 * skipped): 1 with p filled, 0 at the end of the file, -1 when the file
 * is broken past this point (err says why; truncation included). */
int rp_reader_next(struct rp_reader *r, struct rp_pkt *p, char *err,
	size_t errlen) WUR;
const struct rp_stats *rp_reader_stats(const struct rp_reader *r);
int rp_reader_dlt(const struct rp_reader *r);
const char *rp_reader_dlt_name(const struct rp_reader *r);
bool rp_reader_truncated(const struct rp_reader *r);
void rp_reader_free(struct rp_reader *r);

/* "127.0.0.1" or "::1" for an address of p. */
void rp_addr_str(int af, const uint8_t *a, char *out, size_t outlen);

#endif
