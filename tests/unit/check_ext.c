/* Unit tests for senders/ext/ext_profile.c: the sender profile format,
 * modes, errors naming file:line, template expansion; and that every
 * shipped profile loads in each of its modes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	return s;
}

TEST_MAIN(ext_suite)
