/*
 * rp_dialog: a recorded SMTP dialogue as (command, reply) turns, paired
 * through a queue of commands waiting for their reply, numbered per
 * step, and compared with another one.  See rp_dialog.h.
 */
#include "replay/rp_dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

void
rp_dialog_init(struct rp_dialog *d)
{
	memset(d, 0, sizeof(*d));
	smtp_reply_init(&d->rp);
}

void
rp_dialog_free(struct rp_dialog *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->t[i].cmd);
		free(d->t[i].reply);
	}
	free(d->t);
	free(d->banner);
	smtp_reply_clear(&d->rp);
	buf_free(&d->text);
	memset(d, 0, sizeof(*d));
}

const char *
rp_dialog_step(const char *cmd)
{
	struct smtp_cmd c;

	if (strcmp(cmd, ".") == 0)
		return "DOT";
	if (smtp_cmd_parse(cmd, strlen(cmd), &c) < 0 || c.verb == SMTP_V_UNKNOWN)
		return "error";
	return smtp_verb_name(c.verb);
}

static void
add_cmd(struct rp_dialog *d, const char *line)
{
	const char *step = rp_dialog_step(line);
	unsigned nth = 1;

	for (size_t i = 0; i < d->n; i++)
		nth += strcmp(d->t[i].step, step) == 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->t = xrealloc(d->t, d->cap * sizeof(*d->t));
	}
	d->t[d->n++] = (struct rp_turn){ xstrdup(line), NULL, step, nth };
}

/* A complete reply: the banner, or the answer to the oldest command
 * still waiting. */
static void
add_reply(struct rp_dialog *d, const char *text)
{
	if (d->banner == NULL)
		d->banner = xstrdup(text);
	else if (d->head < d->n)
		d->t[d->head++].reply = xstrdup(text);
}

void
rp_dialog_feed(struct rp_dialog *d, char dir, const char *line)
{
	if (dir == '>') {
		if (strncmp(line, "[message", 8) != 0)
			add_cmd(d, line);
		return;
	}
	if (dir != '<')
		return;
	int rc = smtp_reply_feed(&d->rp, line, strlen(line));
	if (rc < 0) {
		buf_reset(&d->text);
		smtp_reply_clear(&d->rp);
		return;
	}
	if (d->text.len > 0)
		buf_append(&d->text, "\n", 1);
	buf_append(&d->text, line, strlen(line));
	if (rc == 1) {
		add_reply(d, buf_cstr(&d->text));
		buf_reset(&d->text);
	}
}

void
rp_dialog_from_session(const struct rec_session *s, bool mx_side,
    struct rp_dialog *d)
{
	for (size_t i = 0; i < s->nlines; i++) {
		char dir = s->lines[i].dir;
		const char *text = s->lines[i].text;
		if (mx_side) {
			dir = dir == '}' ? '>' : dir == '{' ? '<' : 0;
			if (dir == '>' && strncmp(text, "[message", 8) == 0)
				text = ".";   /* the MX notes the message, not its dot */
		}
		rp_dialog_feed(d, dir, text);
	}
}

size_t
rp_dialog_diverge(const struct rp_dialog *rec, const struct rp_dialog *live,
    char *msg, size_t msglen)
{
	size_t n = rec->n > live->n ? rec->n : live->n;

	for (size_t i = 0; i < n; i++) {
		const struct rp_turn *r = i < rec->n ? &rec->t[i] : NULL;
		const struct rp_turn *l = i < live->n ? &live->t[i] : NULL;
		if (r != NULL && l != NULL && strcmp(r->step, l->step) == 0)
			continue;
		snprintf(msg, msglen, "diverged at command %zu: client sent %s, "
		    "recording has %s", i + 1, l ? l->cmd : "nothing (the session ended)",
		    r ? r->cmd : "nothing (the recorded session ended)");
		return i + 1;
	}
	if (msglen > 0)
		msg[0] = '\0';
	return 0;
}
