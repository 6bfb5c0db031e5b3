/*
 * world_mail: the TLSRPT receiver by mail (RFC 8460 5.3) of a world
 * (sim/ internal, used by world.c and tlsrpt_recv.c).
 *
 * When the scenario has a mailto: rua, every MX of the world captures
 * the messages it accepts (fake-mx's on_message) and hands them here;
 * a message with a mailto: rua among its recipients is kept as a
 * received report: taken apart (fake-mx/mail_rpt.c: the multipart/report
 * format, decoded and inflated) and its DKIM signature verified
 * (mail_dkim.c) against the key the world publishes for the reference
 * sender, SND_DKIM_SELECTOR._domainkey.SND_DKIM_DOMAIN (an Ed25519 key
 * from the seeded PKI, pki_named_key).  Ordinary mail is not kept.
 */
#ifndef MXSIM_WORLD_MAIL_H
#define MXSIM_WORLD_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/pki.h"
#include "fake-dns/dns.h"
#include "fake-mx/mail.h"
#include "fake-mx/smtp.h"
#include "sim/scenario.h"

struct world;
struct world_mail;

/* One report mail as received. */
struct world_mail_report {
	char *rcpt;               /* the rua address it was sent to */
	char *mx;                 /* the MX that accepted it */
	bool tls;                 /* it came inside TLS */
	struct mail_rpt *rpt;     /* the mail taken apart */
	struct mail_dkim_result dkim;
};

/* The world's (world.c). */
struct world_mail *world_mail_of(const struct world *w);

/* Adds the DKIM key record (and its zone) to db, which must not be
 * signed yet, when sw has a mailto: rua.  NULL with a message in err. */
struct world_mail *world_mail_new(struct pki *p, struct dns_db *db,
	const struct scn_world *sw, char *err, size_t errlen);
void world_mail_free(struct world_mail *wm);   /* NULL is a no-op */
/* The capture callback for the MX servers (msg_arg = wm), or NULL when
 * there is no mailto: rua: then no MX keeps any message. */
smtp_msg_cb *world_mail_capture(const struct world_mail *wm);
/* Whether rcpt (an address, no brackets) is a mailto: rua of the world:
 * the predicate to tell report mail from ordinary mail by envelope. */
bool world_mail_is_rua(const struct world_mail *wm, const char *rcpt);
size_t world_mail_nreports(const struct world_mail *wm);
const struct world_mail_report *world_mail_report(const struct world_mail *wm,
	size_t i);

#endif
