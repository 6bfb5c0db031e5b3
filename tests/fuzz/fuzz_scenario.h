/*
 * fuzz_scenario: the scenario loader (sim/scenario.c: scenario_load_string)
 * on random Lua source, which runs in the sandbox (core/sandbox.c) and
 * must return a table the loader then checks against the schema.
 *
 * Input: Lua source, as a scenario file.  Each execution is bounded by
 * the sandbox's instruction and memory caps (the loader's defaults).
 *
 * Invariants: the loader either fails with a message that names the file
 * or returns a scenario with a title, a domain and at least one phase.
 */
#ifndef MXSIM_FUZZ_SCENARIO_H
#define MXSIM_FUZZ_SCENARIO_H

#include "sim/scenario.h"
#include "tests/fuzz/fuzz_common.h"

static void
fsn_init(void)
{
	fuzz_setup(false);
}

static void
fsn_one(const uint8_t *data, size_t size)
{
	/* an exact-size copy, not NUL-terminated */
	char *src = xmalloc(size ? size : 1), err[1024];
	struct scenario *s = NULL;
	int rc;

	memcpy(src, data, size);
	rc = scenario_load_string("fuzz/input.lua", src, size, &s, err,
	    sizeof(err));
	if (rc < 0) {
		FUZZ_CHECK(s == NULL);
		FUZZ_CHECK(strncmp(err, "fuzz/input.lua", 14) == 0);
	} else {
		FUZZ_CHECK(rc == 0 && s != NULL);
		FUZZ_CHECK(s->title != NULL && s->domain != NULL);
		FUZZ_CHECK(s->nphases >= 1);
	}
	scenario_free(s);
	free(src);
}

#endif
