/*
 * rp_client: `mxsim replay --as-client`.  The recorded client's
 * plaintext commands (rp_script_load) are sent, one at a time, to the
 * first MX of the scenario's first-phase world, through its public
 * address (so the scenario's attacks apply), from the sender's address;
 * each reply is compared with the one the recorded server gave.  Ends
 * at a 421.  The
 * message content is not in the script (replay keeps only its size): a
 * short stand-in is sent between the 354 and the final dot.  The replay
 * stops after STARTTLS (TLS of our own is not started) or after the last
 * command, and prints each step as "same" or both replies.
 */
#include "replay/rp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/netns.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "sim/scenario.h"
#include "sim/world.h"

#define CLIENT_DEADLINE_MS 120000

struct cl {
	const struct rp_script *sc;
	struct conn *c;
	struct smtp_reply rp;
	size_t step;        /* 0: the banner; k: the reply to cmds[k - 1] */
	bool done;
	unsigned same, differ;
	char why[256];
};

/* A multi-line reply, its lines under each other. */
static void
print_reply(const char *label, const char *text)
{
	const char *nl;

	fputs(label, stdout);
	if (text[0] == '\0') {
		puts("(no reply)");
		return;
	}
	while ((nl = strchr(text, '\n')) != NULL) {
		printf("%.*s\n%*s", (int)(nl - text), text, (int)strlen(label), "");
		text = nl + 1;
	}
	puts(text);
}

static void
cl_compare(struct cl *x, const char *got)
{
	const char *want = x->step == 0 ? x->sc->banner : x->sc->replies[x->step - 1];
	const char *what = x->step == 0 ? "(banner)" : x->sc->cmds[x->step - 1];

	if (want == NULL)
		want = "";
	if (strcmp(want, got) == 0) {
		x->same++;
		printf("same    %-24.24s %s\n", what, strchr(got, '\n') ? "(multi-line)" : got);
		return;
	}
	x->differ++;
	printf("differs %-24.24s\n", what);
	print_reply("  recorded: ", want);
	print_reply("  got:      ", got);
}

static void
cl_send_next(struct cl *x)
{
	const char *prev = x->step > 0 ? x->sc->cmds[x->step - 1] : NULL;

	/* TLS would start here (the recorded server said 220 to STARTTLS) */
	bool tls = prev != NULL && strcasecmp(prev, "STARTTLS") == 0 &&
	    strncmp(x->sc->replies[x->step - 1], "220", 3) == 0;

	if (x->step >= x->sc->ncmds || tls || x->rp.code == 421) {
		x->done = true;
		conn_close(x->c);
		x->c = NULL;
		return;
	}
	const char *cmd = x->sc->cmds[x->step];
	if (strcmp(cmd, ".") == 0)
		conn_printf(x->c, "Subject: mxsim replay --as-client\r\n\r\n"
		    "stand-in for the recorded message\r\n.\r\n");
	else
		conn_printf(x->c, "%s\r\n", cmd);
	x->step++;
}

static void
cl_reply(struct cl *x)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < x->rp.nlines; i++) {
		if (i > 0)
			buf_append(&b, "\n", 1);
		buf_append(&b, x->rp.lines[i], strlen(x->rp.lines[i]));
	}
	cl_compare(x, buf_cstr(&b));
	buf_free(&b);
	cl_send_next(x);
}

static void
cl_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct cl *x = arg;
	char *line;
	size_t len;

	switch (ev) {
	case CONN_DATA:
		while (x->c != NULL && conn_getline(c, &line, &len) == 1) {
			int rc = smtp_reply_feed(&x->rp, line, len);
			if (rc < 0) {
				snprintf(x->why, sizeof(x->why), "the MX sent a line that "
				    "is not a reply");
				x->done = true;
				conn_close(c);
				x->c = NULL;
				return;
			}
			if (rc == 1)
				cl_reply(x);
		}
		break;
	case CONN_CONNECTED:
	case CONN_DRAINED:
	case CONN_TLS_OK:
	case CONN_TLS_FAILED:
		break;
	case CONN_TIMEOUT:
	case CONN_EOF:
	case CONN_ERROR:
		snprintf(x->why, sizeof(x->why), "the connection ended (%s) before the "
		    "script did", ev == CONN_TIMEOUT ? "timeout" : ev == CONN_EOF ?
		    "closed by the MX" : "error");
		x->done = true;
		conn_close(c);
		x->c = NULL;
		break;
	}
}

static bool
cl_done(void *arg)
{
	return ((struct cl *)arg)->done;
}

int
rp_as_client(const char *capture, const char *keylog, const char *scenario,
    uint64_t seed)
{
	struct rp_script sc;
	struct scenario *scn;
	char err[1024];
	int rc = 2;

	if (rp_script_load(capture, keylog, &sc, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		return 2;
	}
	if (scenario_load(scenario, scenario, &scn, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", err);
		rp_script_free(&sc);
		return 2;
	}
	if (scn->phases[0].world.nmx == 0 || netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "mxsim: %s\n", scn->phases[0].world.nmx == 0 ?
		    "the scenario has no MX" : err);
		goto out_scn;
	}
	struct loop *l = loop_new(LOOP_SKIP, scn->clock);
	struct pki *p = pki_new(seed, scn->clock);
	pki_rand_reset(seed, scn->id);
	struct rec *r = rec_new(l);
	struct world *w = world_new(l, p, r, scn, &scn->phases[0].world, err, sizeof(err));
	const char *host = scn->phases[0].world.mx[0].host;
	const char *addr = w ? world_addr_of(w, host) : NULL;
	struct cl x = { .sc = &sc };

	smtp_reply_init(&x.rp);
	if (w == NULL || addr == NULL) {
		fprintf(stderr, "mxsim: %s\n", w == NULL ? err : "no address for the MX");
	} else {
		printf("as-client: %zu recorded commands to %s (%s:25)\n", sc.ncmds,
		    host, addr);
		x.c = conn_connect(l, WORLD_SENDER_ADDR, addr, 25, cl_cb, &x);
		if (x.c != NULL)
			conn_set_timeout(x.c, 60000);
		if (x.c != NULL)
			(void)loop_run_until(l, cl_done, &x, loop_now(l) + CLIENT_DEADLINE_MS);
		if (x.c != NULL) {
			conn_close(x.c);
			x.c = NULL;
		}
		printf("as-client: %u replies the same, %u different%s%s\n", x.same,
		    x.differ, x.why[0] ? "; " : "", x.why);
		rc = x.differ > 0 || x.why[0] ? 1 : 0;
		world_free(w);
		w = NULL;
	}
	smtp_reply_clear(&x.rp);
	world_free(w);
	/* let closed conns be freed */
	(void)loop_run_until(l, cl_done, &x, loop_now(l) + 1);
	rec_free(r);
	pki_free(p);
	loop_free(l);
	pki_rand_restore();
out_scn:
	scenario_free(scn);
	rp_script_free(&sc);
	return rc;
}
