/* Unit tests for senders/ext/ext_profile.c: the sender profile format,
 * modes, errors naming file:line, template expansion; and that every
 * shipped profile loads in each of its modes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "senders/ext/ext.h"
#include "senders/ext/ext_int.h"
#include "testutil.h"

static const char *
write_profile(const char *name, const char *text)
{
	static char path[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "/tmp/check_ext_%d_%s.conf", (int)getpid(), name);
	FILE *f = fopen(path[i], "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path[i];
}

static const char *good =
	"# a test profile\n"
	"description = test\n"
	"modes = a b\n"
	"supports = x\n"
	"var = V=${WORK}/v\n"
	"relay = echo relay ${V}\n"
	"[mode a]\n"
	"supports = y\n"
	"setup = echo a\n"
	"[mode b]\n"
	"supports = z\n"
	"relay = echo b\n"
	"[file conf/x.cf]\n"
	"only in b: ${MODE}\n"
	"[ mode looking line ]\n"
	"[end]\n"
	"[global]\n"
	"[file y.cf]\n"
	"global\n"
	"[end]\n"
	"teardown = echo bye\n";

START_TEST(modes_and_sections)
{
	char err[512], name[300];
	const char *path = write_profile("good", good);
	struct ext_profile *p = ext_profile_load(path, err, sizeof(err));

	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_str_eq(p->mode, "a");   /* the first of modes */
	ck_assert(strv_has(&p->supports, "x") && strv_has(&p->supports, "y"));
	ck_assert(!strv_has(&p->supports, "z"));
	ck_assert_str_eq(p->relay, "echo relay ${V}");
	ck_assert_uint_eq(p->setup.n, 1);
	ck_assert_uint_eq(p->teardown.n, 1);
	ck_assert_uint_eq(p->nfiles, 1);
	ck_assert_str_eq(p->files[0].name, "y.cf");
	ext_profile_free(p);

	snprintf(name, sizeof(name), "%s:b", path);
	p = ext_profile_load(name, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_str_eq(p->relay, "echo b");
	ck_assert_uint_eq(p->setup.n, 0);
	ck_assert_uint_eq(p->nfiles, 2);
	ck_assert_str_eq(p->files[0].name, "conf/x.cf");
	ck_assert_str_eq(p->files[0].text, "only in b: ${MODE}\n[ mode looking line ]\n");
	ext_profile_free(p);

	snprintf(name, sizeof(name), "%s:c", path);
	ck_assert_ptr_null(ext_profile_load(name, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "unknown mode \"c\""));
	ck_assert_ptr_nonnull(strstr(err, ":a, "));
	unlink(path);
}
END_TEST

START_TEST(errors_name_file_and_line)
{
	static const struct { const char *text, *msg; int line; } cases[] = {
		{ "relay = x\ncolour = red\n", "unknown key \"colour\"", 2 },
		{ "relay = x\n\njust words\n", "expected \"key = value\"", 3 },
		{ "relay = x\n[file a]\nno end\n", "has no [end]", 3 },
		{ "relay = x\n[file ../etc/passwd]\n[end]\n", "must be relative", 2 },
		{ "relay = x\n[stuff]\n", "unknown section", 2 },
		{ "relay = x\ntimeout = soon\n", "positive number", 2 },
		{ "relay = x\n[mode m]\nmodes = m\n", "before the mode sections", 3 },
	};
	char err[512], want[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_profile("bad", cases[i].text);
		ck_assert_ptr_null(ext_profile_load(path, err, sizeof(err)));
		snprintf(want, sizeof(want), ".conf:%d: ", cases[i].line);
		ck_assert_msg(strstr(err, want) != NULL && strstr(err, cases[i].msg) != NULL,
		    "case %zu: %s", i, err);
		unlink(path);
	}
	const char *path = write_profile("nothing", "description = sends nothing\n");
	ck_assert_ptr_null(ext_profile_load(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "neither"));
	unlink(path);
	ck_assert_ptr_null(ext_profile_load("no-such-sender:x", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "unknown sender \"no-such-sender:x\""));
}
END_TEST

START_TEST(expansion)
{
	struct strv v = { 0 };
	char *s;

	strv_push(&v, "A=1");
	strv_push(&v, "AB=two");
	s = ext_expand("${A}-${AB}-${C}-$A-${", &v);
	ck_assert_str_eq(s, "1-two-${C}-$A-${");
	free(s);
	strv_free(&v);
}
END_TEST

START_TEST(shipped_profiles_load_in_every_mode)
{
	static const char *const names[] = { "postfix", "exim", "swaks", "curl", "msmtp" };
	char err[512], path[512], full[600];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/senders/profiles/%s.conf", tu_src(), names[i]);
		struct ext_profile *p = ext_profile_load(path, err, sizeof(err));
		ck_assert_msg(p != NULL, "%s: %s", names[i], err);
		struct strv modes = { 0 };
		for (size_t k = 0; k < p->modes.n; k++)
			strv_push(&modes, p->modes.v[k]);
		ext_profile_free(p);
		ck_assert_uint_gt(modes.n, 0);
		for (size_t k = 0; k < modes.n; k++) {
			snprintf(full, sizeof(full), "%s:%s", path, modes.v[k]);
			p = ext_profile_load(full, err, sizeof(err));
			ck_assert_msg(p != NULL, "%s: %s", full, err);
			ck_assert_msg(p->relay != NULL || p->submission != NULL, "%s", full);
			ext_profile_free(p);
		}
		strv_free(&modes);
	}
}
END_TEST

/* --- a message's end read from the sender's log (ext_scan.c) --- */

struct sent {
	bool done;
	enum ext_result res;
};

static void
on_done(enum ext_result res, const char *why, void *arg)
{
	struct sent *s = arg;

	(void)why;
	s->done = true;
	s->res = res;
}

static bool
sent_done(void *arg)
{
	return ((struct sent *)arg)->done;
}

/* One message through a profile whose relay command writes log lines;
 * its evidence lines are returned in *ev (caller frees). */
static enum ext_result
send_one(const char *relay_cmd, char ***ev, size_t *nev)
{
	char err[512], text[2048], work[256];
	snprintf(text, sizeof(text),
	    "modes = m\nsupports = policy-may\nevidence = log\ndelivered = status=sent\n"
	    "queue_id = \\]: ([A-Z]+): message-id=<${MSGID}>\n"
	    "finished = \\]: ${QUEUE_ID}: removed$\n"
	    "poll_ms = 10\ntimeout = 2\nsetup = : > ${WORK}/log\nrelay = %s\n", relay_cmd);
	const char *path = write_profile("scan", text);
	snprintf(work, sizeof(work), "/tmp/check_ext_%d_work", (int)getpid());
	struct loop *l = loop_new(LOOP_REAL, 0);
	struct ext_config cfg = { path, work, "ca\n", "127.1.0.1", "127.53.0.1", false };
	struct ext *e = ext_new(l, &cfg, err, sizeof(err));
	ck_assert_msg(e != NULL, "%s", err);
	struct ext_world w = { .domain = "example.test", .mx1 = "mx1.example.test",
		.nmx = 1, .phase = 1 };
	ck_assert_msg(ext_phase(e, &w, err, sizeof(err)) == 0, "%s", err);
	struct sent s = { false, EXT_FAILED };
	ck_assert_msg(ext_send(e, "a@b.test", "u@example.test", "1.1.x@y.test", "Subject: t\r\n\r\nhi\r\n",
	    on_done, &s, err, sizeof(err)) == 0, "%s", err);
	(void)loop_run_until(l, sent_done, &s, UINT64_MAX);
	ck_assert(s.done);
	*ev = ext_take_evidence(e, nev);
	ext_free(e);
	loop_free(l);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
	ck_assert_int_eq(system(cmd), 0);
	return s.res;
}

static bool
has_line(char **v, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], line) == 0)
			return true;
	return false;
}

static void
free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

START_TEST(finished_from_the_log)
{
	char **ev;
	size_t n;
	/* another message's id and end first; then this one's id, its
	 * status, and "removed" written in two pieces: only the whole line
	 * ends the message */
	enum ext_result r = send_one("printf 'x]: OTHER: message-id=<0.9.x@y.test>\\nx]: OTHER: removed\\n"
	    "x]: MSG: message-id=<${MSGID}>\\nx]: MSG: to=<u>, status=sent\\nx]: MSG: remo' >> log; "
	    "(sleep 0.3; printf 'ved\\n' >> log) &", &ev, &n);
	ck_assert_int_eq(r, EXT_DELIVERED);
	ck_assert_msg(has_line(ev, n, "x]: MSG: removed"), "finished before the line was whole");
	free_lines(ev, n);
}
END_TEST

START_TEST(finished_needs_this_message)
{
	char **ev;
	size_t n;
	/* "1a1.x@y.test" would match an unescaped 1.1.x@y.test: the id of
	 * another message never ends this one, which runs to its deadline */
	enum ext_result r = send_one("printf 'x]: OTHER: message-id=<1a1.x@y.test>\\nx]: OTHER: removed\\n' >> log",
	    &ev, &n);
	ck_assert_int_eq(r, EXT_TIMEOUT);
	free_lines(ev, n);
	/* a submit command that fails ends the message at once */
	r = send_one("exit 3", &ev, &n);
	ck_assert_int_eq(r, EXT_FAILED);
	free_lines(ev, n);
}
END_TEST

static Suite *
ext_suite(void)
{
	Suite *s = suite_create("ext");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, modes_and_sections);
	tcase_add_test(tc, errors_name_file_and_line);
	tcase_add_test(tc, expansion);
	tcase_add_test(tc, shipped_profiles_load_in_every_mode);
	suite_add_tcase(s, tc);
	tc = tcase_create("scan");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, finished_from_the_log);
	tcase_add_test(tc, finished_needs_this_message);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(ext_suite)
