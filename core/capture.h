/*
 * capture: everything that crosses the world of a run, as a pcap file
 * Wireshark decodes and decrypts, plus the NSS key log of every TLS
 * session and a sidecar of annotations.
 *
 * One capture per run: capture_begin() attaches it to a scenario's loop
 * (as that loop's wiretap, see core/conn.h) and capture_end() detaches
 * it, so scenarios follow each other in the file in the order they ran.
 *
 * Framing is synthesized from what the conns of the loop report, with no
 * guessing about timing: each TCP connection gets a three-way handshake
 * (MSS 1460, window scale 7), data in segments of at most 1460 bytes with
 * exact sequence and acknowledgement numbers, a pure ACK from the
 * receiver after each write, FIN/ACK or RST as the sockets were closed
 * (conn_reset and close with unread input give RST; a refused connect
 * gives SYN then RST/ACK).  When both ends of a connection are conns on
 * the loop (reference sender, attacker, MX), each end reports what it
 * sent; when one end is an outside program, the mxsim end's reads stand
 * for what the other end sent.  UDP datagrams are reported by the DNS
 * server (once each).  Timestamps are the loop's virtual clock (scenario
 * clock + virtual ms).
 *
 * Determinism: client ports are rewritten to a counter (one per
 * connection or UDP socket, in order of appearance, from 32768 + 256 *
 * the scenario's slot) and initial sequence numbers are a hash of the
 * slot and the connection's number, so the same run gives the same bytes
 * and a scenario's frames do not depend on what ran before it; server
 * addresses and ports are the real ones.
 *
 * Annotations: every '!' transcript line the recorder gets (what the
 * attacker changed, errors) becomes a note on the first frame written
 * after it was made (notes made after a scenario's last frame point at
 * that frame).  The sidecar JSON lists the notes and each scenario's
 * frame range.
 */
#ifndef MXSIM_CAPTURE_H
#define MXSIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/record.h"
#include "core/util.h"

struct capture;

/* Create the capture files: pcap_path (required), keylog_path and
 * notes_path (the JSON sidecar, written at close; either may be NULL).
 * -1 with a message in err. */
int capture_open(struct capture **out, const char *pcap_path,
	const char *keylog_path, const char *notes_path, char *err,
	size_t errlen) WUR;

/* Capture everything on l until capture_end(); label names the scenario
 * in the sidecar; rec (may be NULL) is polled for notes.  l and rec are
 * borrowed.  One loop at a time. */
void capture_begin(struct capture *cap, struct loop *l, struct rec *rec,
	const char *label);
/* The same with an explicit slot: the scenario's position in the whole
 * run (capture_begin uses the number of scenarios begun so far).  Client
 * ports start at 32768 + 256 * slot (modulo the ephemeral range), initial
 * sequence numbers and IP ids are a hash of (slot, connection number):
 * a scenario's frames depend only on itself and its slot, so a -j worker
 * or a shard can capture one scenario alone and the parts concatenate to
 * the capture of a serial run. */
void capture_begin_slot(struct capture *cap, struct loop *l, struct rec *rec,
	const char *label, unsigned slot);
/* Detach from the loop.  Conns still open are forgotten (call it when the
 * loop has drained). */
void capture_end(struct capture *cap);

uint64_t capture_frames(const struct capture *cap);
uint64_t capture_bytes(const struct capture *cap);   /* frame bytes written */

/* Write the sidecar, close every file, free.  -1 with a message when
 * anything failed to be written.  NULL is a no-op returning 0. */
int capture_close(struct capture *cap, char *err, size_t errlen) WUR;

#endif
