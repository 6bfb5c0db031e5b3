/*
 * mitm: the network path to one host, and the attacker sitting on it.
 *
 * Every host of the world is reached through a struct mitm: it listens on
 * the host's public address and relays to the real server on its backend
 * address.  With no attack it is a transparent, SMTP-aware relay (it reads
 * the plaintext dialogue to record what the sender saw, and turns into a
 * byte pipe once TLS starts).  Attacks change what crosses it:
 *
 *   strip_starttls   remove STARTTLS from EHLO replies; answer 502 to it
 *   starttls_error   answer STARTTLS itself with code/text (any code
 *                    200-599, default 454): mode "reply" goes on (after a
 *                    220 without TLS: the sender's bytes reach the MX in
 *                    plaintext), "close" closes after the reply, "drop"
 *                    drops the connection without one; a 421 always closes
 *   swap_cert        terminate TLS towards the sender with another
 *                    certificate; relay to the MX (relay = true, over the
 *                    attacker's own TLS) or keep the mail (relay = false)
 *   block            "refuse" (nothing listens; with nth/after_verified the
 *                    path listens and resets), "reset" (RST after accept),
 *                    "blackhole" (accept, never answer)
 *   starttls_inject  CVE-2011-0411 class.  mode "reply": text (reply lines)
 *                    appended to the 220 to STARTTLS in the same segment;
 *                    with code, the attacker answers STARTTLS itself with
 *                    that refusal followed by text (curl test 980) and
 *                    tracks which injected reply the sender takes for
 *                    which command.  mode "command": text (command lines)
 *                    written to the MX right behind the sender's STARTTLS
 *   ehlo_reject      answer the plaintext EHLO with code (5xx, default 502)
 *                    so the sender falls back to HELO (no capabilities)
 *   reply            replace the reply to one step (banner, EHLO, HELO,
 *                    STARTTLS, MAIL, RCPT, DATA, DOT, RSET, NOOP, QUIT,
 *                    AUTH) with code/text (default 421, which closes)
 *   caps             change EHLO capability lists: set (replace), remove
 *                    (by keyword), add; mode "tls" (the EHLO inside the
 *                    attacker's TLS: needs swap_cert), "plain", "any"
 *   handshake_fail   answer STARTTLS 220 itself (or take port 465), then
 *                    answer the ClientHello with mode "alert" (fatal
 *                    handshake_failure), "reset", "garbage" (text or a
 *                    default line), "close" (FIN) or "hang" (nothing)
 *   tls_split        TLS on one side of the attacker only.  mode
 *                    "sender-tls": the attacker answers STARTTLS itself
 *                    (or takes port 465) with cert and relays the
 *                    dialogue to the MX in clear, never issuing STARTTLS
 *                    upstream (from 465 it relays to the MX's 587);
 *                    "mx-tls": the sender never sees STARTTLS (stripped
 *                    from the EHLO reply, refused with 502), while the
 *                    attacker holds that EHLO reply, does STARTTLS
 *                    towards the MX itself and relays the sender's
 *                    plaintext inside its own TLS: the MX logs TLS
 *   hook             Lua functions of the scenario (attacker/mitm_hook.c):
 *                    on_tls(ctx) once per connection at accept chooses
 *                    "relay" (default), "terminate" (as swap_cert with the
 *                    attack's cert and relay) or "fail" [, mode] (as
 *                    handshake_fail); on_client_line(line, ctx) for each
 *                    command line of the sender and on_server_line(line,
 *                    ctx) for each reply line of the MX pass (nil/true),
 *                    rewrite (a string; "\n" separates lines) or drop
 *                    (false) the line, and may ctx:delay(s),
 *                    ctx:inject_client(text), ctx:inject_server(text),
 *                    ctx:note(text), ctx:close()
 *
 * Every attack also takes nth (only the nth connection on its ports, from
 * 1) and after_verified (only once an earlier session on this path got a
 * message to the MX over the MX's own TLS); the path keeps both counts
 * for its lifetime.  Several attacks may be in force on one connection
 * (caps with swap_cert, inject with anything); at STARTTLS the first one
 * in the list that answers it acts.
 *
 * Each sender connection becomes a session in the recorder; legs the
 * attacker opens to the MX itself are sessions with `via` set.  Every
 * attack action is a '!' line of the session's transcript.
 */
#ifndef MXSIM_MITM_H
#define MXSIM_MITM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"

enum mitm_kind {
	MITM_NONE,
	MITM_STRIP_STARTTLS,
	MITM_STARTTLS_ERROR,
	MITM_SWAP_CERT,
	MITM_BLOCK,
	MITM_STARTTLS_INJECT,
	MITM_EHLO_REJECT,
	MITM_REPLY,
	MITM_CAPS,
	MITM_HANDSHAKE_FAIL,
	MITM_HOOK,
	MITM_TLS_SPLIT,
};

struct sandbox;

struct mitm_attack {
	enum mitm_kind kind;
	uint16_t port;             /* 0 = every port */
	const char *mode;          /* per kind, see above; NULL = the default */
	int code;                  /* reply code (0 = the kind's default) */
	const char *text;          /* reply text, injected lines ("\n"-separated),
	                            * garbage bytes; NULL = default */
	const struct pki_cert *cert; /* swap_cert, tls_split "sender-tls": the
	                            * certificate to present (borrowed) */
	bool relay;                /* swap_cert: relay to the real MX */
	const char *step;          /* reply: "banner", "EHLO", ... "DOT" */
	const char *const *set;    /* caps: the new list (NULL-terminated); NULL = keep */
	const char *const *add;    /* caps: capabilities to append */
	const char *const *remove; /* caps: keywords to remove (case-insensitive) */
	unsigned nth;              /* only the nth connection on its ports; 0 = all */
	bool after_verified;       /* only after a delivery over TLS on this path */
	struct sandbox *lua;       /* hook: the scenario's Lua state (borrowed) */
	int on_client_line;        /* hook: function refs in lua, 0 = none */
	int on_server_line;
	int on_tls;
};

struct mitm_config {
	const char *host;          /* host name of the server behind */
	const char *listen_addr;   /* public address (what DNS says) */
	const char *upstream_addr; /* backend address of the real server */
	const char *src_addr;      /* address the path connects upstream from */
	const uint16_t *ports;     /* ports to serve */
	size_t nports;
	uint16_t implicit_tls_port; /* port on which TLS starts at once (465) */
	const struct mitm_attack *attacks;
	size_t nattacks;
	SSL_CTX *upstream_tls;     /* client context for the attacker's TLS to the MX */
	struct rec *rec;
	uint64_t timeout_ms;       /* idle timeout of each side; 0 = 600000 */
};

struct mitm;

/* Copies cfg, attack strings and lists included (the attacks'
 * certificates, upstream_tls and rec must outlive it).  NULL with a
 * message in err. */
struct mitm *mitm_new(struct loop *l, const struct mitm_config *cfg, char *err,
	size_t errlen);
void mitm_free(struct mitm *m);   /* NULL is a no-op; closes live sessions */
/* The first error of a hook on this path ("file:line: message (in
 * on_client_line)"), or NULL.  The path stops calling hooks after it. */
const char *mitm_hook_error(const struct mitm *m);
unsigned mitm_sessions(const struct mitm *m);

const char *mitm_kind_name(enum mitm_kind k);
/* "strip_starttls" -> MITM_STRIP_STARTTLS; MITM_NONE when unknown. */
enum mitm_kind mitm_kind_lookup(const char *name);

#endif
