/*
 * mitm_int: internals shared by the files of the attacker's path.
 *   mitm.c       the path and its sessions: listening, accepting, choosing
 *                the attacks of a connection (nth, after_verified), the
 *                connection events, raw relaying, TLS towards the sender,
 *                failing a handshake
 *   mitm_smtp.c  the SMTP dialogue while the path reads it: commands,
 *                replies in command order, and what each attack does to
 *                them
 *   mitm_reply.c reply text: the attacker's own replies, injected
 *                replies, EHLO capability lists
 *   mitm_hook.c  Lua hooks: calling them, their ctx object, holding
 *                lines they delay
 *   mitm_split.c tls_split: TLS on one side of the attacker only
 *   mitm_auth.c  AUTH as the path reads it: credential leaks
 * Not for use outside attacker/.
 */
#ifndef MXSIM_MITM_INT_H
#define MXSIM_MITM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attacker/mitm.h"
#include "core/conn.h"
#include "core/util.h"
#include "fake-mx/smtp.h"
#include "fake-mx/smtp_auth.h"

#define MITM_MAX_PORTS 8
#define MITM_MAX_PENDING 256
#define MITM_MAX_ACTIVE 16
#define MITM_MAX_INJECTED 32

/* What happens once a reply has gone to the sender. */
enum mitm_after {
	AFTER_NONE,
	AFTER_CLI_TLS,      /* start TLS towards the sender */
	AFTER_CLOSE,        /* close the session */
	AFTER_PLAIN,        /* a 220 without TLS: relay bytes as they are */
	AFTER_HSFAIL,       /* a 220, then fail the sender's handshake */
};

/* One command waiting for its reply (replies come in command order). */
struct mitm_pending {
	enum smtp_verb verb;    /* SMTP_V_UNKNOWN for the banner */
	bool banner;
	bool dot;               /* the reply to the end of the message */
	bool ours;              /* our own STARTTLS to the MX (swap_cert relay) */
	bool swallow;           /* a command the attacker injected: drop the reply */
	bool cli_data;          /* the sender took an injected 354 for this DATA */
	bool split_ehlo;        /* tls_split mx-tls: the attacker's own EHLO
	                         * inside its TLS to the MX */
	char *local;            /* reply the attacker gives, NULL = from upstream */
	char *subst;            /* replaces the upstream reply, NULL = none */
	enum mitm_after after;
};

struct msess;

struct mitm {
	struct loop *l;
	char *host, *listen_addr, *up_addr, *src_addr;
	uint16_t ports[MITM_MAX_PORTS];
	size_t nports;
	uint16_t implicit_port;
	struct mitm_attack *attacks;
	SSL_CTX **attack_ctx;   /* swap_cert server contexts, by attack index */
	unsigned *nconn;        /* connections seen on each attack's ports */
	size_t nattacks;
	SSL_CTX *up_tls;
	struct rec *rec;
	uint64_t timeout_ms;
	int lfd[MITM_MAX_PORTS];
	uint16_t lport[MITM_MAX_PORTS];
	size_t nlfd;
	struct msess *sessions;
	unsigned nsessions;
	bool tls_delivered;     /* a session here delivered over the MX's TLS */
	unsigned naccepted;     /* connections accepted so far (ctx.conn) */
};

/* What the hooks made of one line (mitm_hook.c). */
struct hook_out {
	char *text;             /* the line(s) to go on ("\n"-separated,
	                         * allocated), or NULL: dropped */
	struct buf to_client;   /* ctx:inject_client */
	struct buf to_server;   /* ctx:inject_server */
	uint64_t delay_ms;      /* ctx:delay */
	bool close;             /* ctx:close */
	bool hooked;            /* some hook ran */
	char *orig;             /* a held client line as the sender sent it */
};

enum mitm_mode { M_LINE, M_RAW, M_HSFAIL };

struct msess {
	struct mitm *m;
	struct msess *next, *prev;
	struct conn *cli, *up;
	struct rec_session *s;      /* the sender's session */
	struct rec_session *u;      /* the attacker's own leg to the MX */
	uint16_t port;
	const struct mitm_attack *act[MITM_MAX_ACTIVE]; /* in force, in order */
	size_t nact;
	const struct mitm_attack *swap; /* the swap_cert in force, or NULL */
	size_t swap_index;
	const struct mitm_attack *hsfail; /* handshake_fail in force */
	const struct mitm_attack *split_mx; /* tls_split "mx-tls" in force */
	bool split_started;         /* mx-tls: the attacker's STARTTLS is out */
	bool split_holding;         /* mx-tls: split_held waits for its TLS */
	struct smtp_reply split_held; /* the MX's plaintext EHLO reply */
	char *split_helo;           /* the sender's EHLO line, to repeat */
	/* AUTH (mitm_auth.c) */
	bool sasl_expect;           /* the next sender line is a SASL response */
	unsigned sasl_n;            /* SASL responses read so far */
	bool sasl_login;            /* ... of AUTH LOGIN */
	bool cred_noted;            /* the credentials note was made */
	struct smtp_auth lauth;     /* the attacker's own AUTH server (kept mail) */
	enum mitm_mode mode;
	bool term;                  /* attacker terminates the sender's TLS */
	bool local;                 /* no upstream: the attacker answers */
	bool blackhole;
	bool in_data;
	bool data_hdr;              /* reading the message's header */
	bool cli_tls;               /* TLS with the sender is up (term) */
	bool quit_seen;
	bool hs_done;               /* handshake_fail has acted */
	size_t data_bytes;
	struct smtp_reply reply;
	struct mitm_pending fifo[MITM_MAX_PENDING];
	size_t nfifo;
	int inj[MITM_MAX_INJECTED]; /* injected reply codes the sender has
	                             * yet to take as answers, in order */
	size_t ninj;
	/* hooks (mitm_hook.c) */
	unsigned conn_no;           /* this connection's number on the path */
	const char *hsfail_mode;    /* a hook's on_tls "fail" mode, or NULL */
	struct buf hook_after;      /* injected behind the reply being sent */
	char **up_lines;            /* reply lines the hooks made so far */
	size_t nup_lines;
	uint64_t up_delay_ms;
	struct hook_out *cli_held;  /* a delayed client line, or NULL */
	char **up_held;             /* a delayed reply's lines, or NULL */
	size_t nup_held;
	uint64_t cli_timer, up_timer;
};

/* mitm.c */
void mitm_note(struct msess *ms, const char *fmt, ...) PRINTF(2, 3);
void mitm_set_end(struct rec_session *s, const char *why);
void mitm_sess_end(struct msess *ms, const char *why);
bool mitm_attacked(const struct msess *ms);
const struct mitm_attack *mitm_active(const struct msess *ms, enum mitm_kind k);
bool mitm_tls_with_sender(const struct msess *ms);
/* Each returns false when the session ended. */
bool mitm_start_cli_tls(struct msess *ms);
bool mitm_to_raw(struct msess *ms, const char *why);
bool mitm_to_hsfail(struct msess *ms);
void mitm_on_cli_data(struct msess *ms);   /* by mode */
void mitm_on_up_data(struct msess *ms);

/* mitm_smtp.c */
bool mitm_push(struct msess *ms, struct mitm_pending p);
bool mitm_flush_local(struct msess *ms);
void mitm_clear_pending(struct msess *ms);
bool mitm_start_banner(struct msess *ms);
void mitm_line_cli_data(struct msess *ms);
void mitm_line_up_data(struct msess *ms);
/* The attacker's 220 to STARTTLS (after its own TLS to the MX is up, or
 * for a kept session). */
bool mitm_local_starttls_ok(struct msess *ms);

/* mitm_smtp.c, for the hooks: one command line / one reply line after
 * the hooks; false when the session ended. */
bool mitm_cli_command(struct msess *ms, const char *line, size_t len);
bool mitm_up_line(struct msess *ms, const char *line, size_t len);

/* mitm_smtp.c, for mitm_split.c: a reply (the MX's or a held one) to
 * the pending command p goes to the sender; false when the session
 * ended. */
bool mitm_deliver_reply(struct msess *ms, const struct mitm_pending *p,
	struct smtp_reply *r, bool substituted);

/* mitm_split.c (tls_split) */
/* The attacker has a leg of its own to the MX (swap_cert, tls_split):
 * the sender's data goes to the attacker. */
bool mitm_own_leg(const struct msess *ms);
/* The sender's STARTTLS under tls_split a.  false when the session ended. */
bool mitm_split_starttls(struct msess *ms, const struct mitm_attack *a);
/* mx-tls: the MX's EHLO reply r (250) on its way to the sender.  Returns
 * 1 when the attacker took it (r is emptied) to start its own TLS first,
 * 0 when it goes on as usual, -1 when the session ended. */
int mitm_split_ehlo(struct msess *ms, struct smtp_reply *r);
/* mx-tls: the sender's EHLO line (kept to repeat it inside TLS). */
void mitm_split_helo(struct msess *ms, const char *line, size_t len);
/* mx-tls: the MX answered the attacker's STARTTLS with code (220: its
 * TLS starts), its TLS is up, or it failed.  false when the session
 * ended. */
bool mitm_split_starttls_reply(struct msess *ms, int code);
bool mitm_split_up_tls_ok(struct msess *ms);
/* mx-tls: the held EHLO reply goes to the sender at last. */
bool mitm_split_release(struct msess *ms);
void mitm_split_clear(struct msess *ms);   /* at session end */

/* mitm_auth.c */
/* The sender's AUTH command, read by the path (plaintext, or inside the
 * attacker's TLS): recorded, and a credential leak where the attacker
 * reads it. */
void mitm_auth_cmd(struct msess *ms, const struct smtp_cmd *cmd);
/* A SASL response line of the sender (ms->sasl_expect was set). */
void mitm_auth_response(struct msess *ms, const char *line, size_t len);

/* mitm_hook.c */
bool mitm_hook_any(const struct msess *ms, bool client);
/* on_tls of the hooks in force, at accept (may set swap or hsfail). */
void mitm_hook_accept(struct msess *ms);
/* A sender command line through the hooks (line already recorded).
 * Returns false when the session ended. */
bool mitm_hook_cli_line(struct msess *ms, const char *line, size_t len);
/* A reply line of the MX through the hooks; false when the session ended. */
bool mitm_hook_up_line(struct msess *ms, const char *line, size_t len);
/* Sends what hooks injected behind the current reply (into b). */
void mitm_hook_after(struct msess *ms, struct buf *b);
void mitm_hook_clear(struct msess *ms);     /* at session end */

/* mitm_reply.c */
int mitm_text_code(const char *text);            /* "421 ..." -> 421 */
const char *mitm_default_text(int code);         /* text after the code */
char *mitm_code_reply(int code, const char *text); /* "NNN text", allocated */
/* Record each line of text ("a\nb") as sent to the sender ('<') and
 * append it with CRLF to b. */
void mitm_add_lines(struct msess *ms, struct buf *b, const char *text);
void mitm_reply_from_text(struct smtp_reply *r, const char *text);
char *mitm_reply_to_text(const struct smtp_reply *r);   /* allocated */
/* The starttls_inject in force in mode ("reply", "command"), or NULL. */
const struct mitm_attack *mitm_inject_of(const struct msess *ms, const char *mode);
/* Append the replies injected behind a 220 to STARTTLS, if any, to b. */
void mitm_inject_after_220(struct msess *ms, struct buf *b);
/* The sender will take the replies of text as answers to its next
 * commands; mitm_take_injected gives the next one's code (0: none left),
 * noting that the sender took it as the reply to `what`. */
void mitm_track_injected(struct msess *ms, const char *text);
int mitm_take_injected(struct msess *ms, const char *what);
/* An EHLO reply on its way to the sender: strip_starttls, caps, no
 * STARTTLS inside the attacker's TLS; records what the sender saw. */
void mitm_edit_ehlo(struct msess *ms, struct smtp_reply *r);

#endif
