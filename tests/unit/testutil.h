/*
 * Shared bits for the Check unit tests.  TEST_MAIN(suite_fn) runs one suite
 * and exits non-zero on failure.  MXSIM_SRC points at the source tree (set
 * by the Makefile) for fixtures; tu_path() builds paths below it.
 */
#ifndef MXSIM_TESTUTIL_H
#define MXSIM_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/netns.h"

static inline const char *
tu_src(void)
{
	const char *s = getenv("MXSIM_SRC");
	return s ? s : ".";
}

static inline const char *
tu_path(const char *rel)
{
	static char buf[4][4096];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tu_src(), rel);
	return buf[i];
}

/* Enter a private network namespace once per test process (fork mode off). */
static inline void
tu_netns(void)
{
	static int done;
	char err[256];
	if (done)
		return;
	if (netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "netns: %s\n", err);
		exit(77);
	}
	done = 1;
}

#define TEST_MAIN(suite_fn)                                            \
	int main(void)                                                 \
	{                                                              \
		SRunner *sr = srunner_create(suite_fn());              \
		srunner_set_fork_status(sr, CK_NOFORK);                \
		srunner_run_all(sr, CK_NORMAL);                        \
		int nf = srunner_ntests_failed(sr);                    \
		srunner_free(sr);                                      \
		return nf == 0 ? 0 : 1;                                \
	}

#endif
