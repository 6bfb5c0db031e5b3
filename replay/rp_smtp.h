/*
 * rp_smtp: SMTP sessions out of reassembled TCP streams (rp_tcp).  Each
 * connection to port 25, 587 or 465, or whose server speaks first with a
 * 220 greeting, becomes a struct rec_session in the recorder the live run
 * uses, filled from the wire only: banner, EHLO reply (STARTTLS
 * offered?), STARTTLS issued and its reply, MAIL FROM, message data in
 * clear text and the reply to it, how the session ended.
 *
 * TLS records go through rp_tls.h: the server's certificate chain
 * (clear in TLS 1.2, decrypted with a key log in TLS 1.3) becomes the
 * session's cert_der/chain_der, and with a key log the SMTP dialogue
 * inside TLS 1.3 is read like the clear one (EHLO after TLS, MAIL, RCPT,
 * the message, the reply to it).  Without the content, what the records
 * show is judged: a ClientHello after the 220 to STARTTLS (or on
 * 465), the ServerHello and its version, alerts in the clear, whether the
 * client finished its handshake (TLS 1.3: its first encrypted record is
 * not the size of an alert), and then the application data flights.
 * "Message data went inside TLS" is inferred from the client's records
 * after its handshake: at least RP_SMTP_TLS_RECORDS application records
 * that are not alerts (EHLO, MAIL..DATA, the message), carrying at least
 * RP_SMTP_TLS_BODY bytes of plaintext after the first one (EHLO): more
 * than the commands of a transaction the client gave up on.  Sessions
 * judged this way say so in a '!' line.
 *
 * A message whose header says Content-Type multipart/report;
 * report-type="tlsrpt" is flagged report_mail (RFC 8460 5.3).
 *
 * Ownership: rp_smtp borrows the recorder and the loop (whose clock it
 * advances to the capture's timestamps, so transcript times are capture
 * times); sessions stay in the recorder.
 */
#ifndef MXSIM_RP_SMTP_H
#define MXSIM_RP_SMTP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/record.h"
#include "replay/rp_tcp.h"

#define RP_SMTP_TLS_RECORDS 3
#define RP_SMTP_TLS_BODY 100

struct rp_smtp;

/* What replay knows of a session beyond the recorder's fields. */
struct rp_smtp_info {
	char client[64];        /* client address */
	uint16_t client_port;
	unsigned flow;          /* rp_tcp connection id */
	uint64_t first_frame, last_frame;
	uint64_t t_us;          /* when it opened */
	bool damaged;           /* bytes missing from a stream */
	bool midstream;         /* no handshake in the capture */
	bool tls_inferred;      /* data_tls comes from the flight heuristic */
	unsigned tls_flights;   /* client application flights after the handshake */
	unsigned tls_records;   /* client application records after it */
	bool decrypted;         /* TLS application data read with the key log */
	bool report_mail;       /* the message is a TLSRPT report (its header) */
	char rcpt[256];         /* the first RCPT TO address, or "" */
	char cert_status[160];  /* rp_tls_cert_status(), or "" without TLS */
};

/* t0_us: the capture time that the loop's clock 0 stands for. */
struct rp_smtp *rp_smtp_new(struct rec *r, struct loop *l, uint64_t t0_us);
/* Decrypt TLS 1.3 with this key log (borrowed; NULL: none). */
struct rp_keylog;
void rp_smtp_set_keylog(struct rp_smtp *x, const struct rp_keylog *kl);
/* The rp_tcp callback (arg: the struct rp_smtp). */
void rp_smtp_tcp_cb(struct rp_flow *f, enum rp_tcp_ev ev, int dir,
	const uint8_t *data, size_t len, uint64_t ts_us, void *arg);
/* Extra facts of the recorder's session i (0-based), or NULL. */
const struct rp_smtp_info *rp_smtp_info(const struct rp_smtp *x, size_t i);
unsigned rp_smtp_other(const struct rp_smtp *x);  /* non-SMTP connections */
/* The domain of the first RCPT TO seen in clear text, or NULL. */
const char *rp_smtp_rcpt_domain(const struct rp_smtp *x);
void rp_smtp_free(struct rp_smtp *x);

#endif
