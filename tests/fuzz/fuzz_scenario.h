/*
 * fuzz_scenario: the scenario loader (sim/scenario.c, through
 * scenario_load_string_limits) on random Lua source, which runs in the
 * sandbox (core/sandbox.c) and must return a table the loader then
 * checks against the schema.
 *
 * Input: Lua source, as a scenario file; or, when the first byte is NUL,
 * a description of a random table that fsn_table() writes out as
 * "return { ... }" with the schema's keys and plausible values, which
 * reaches the schema checks far more often than mutated source.  Each
 * execution is bounded by the sandbox's instruction and memory caps,
 * smaller than the loader's defaults (FSN_INSNS, FSN_MEM): with the
 * defaults a loop or a memory bomb costs a second under ASan, and the
 * memory bombs' freed 64 MiB in every size class push the fuzzer's RSS
 * towards its limit.
 *
 * Invariants: the loader either fails with a message that names the file
 * or returns a scenario with a title, a domain and at least one phase.
 */
#ifndef MXSIM_FUZZ_SCENARIO_H
#define MXSIM_FUZZ_SCENARIO_H

#include "sim/scenario.h"
#include "tests/fuzz/fuzz_common.h"

#define FSN_MEM (16u << 20)
#define FSN_INSNS 5000000u

static void
fsn_init(void)
{
	fuzz_setup(false);
}

static const char *const fsn_keys[] = {
	"title", "refs", "domain", "clock", "dnssec", "mx", "dns", "tlsa",
	"mta_sts", "tlsrpt", "sender_tls", "submit", "attack", "messages",
	"phases", "expect", "timeout", "host", "pref", "cert", "addr",
	"replies", "ehlo", "variant", "san", "cn", "no_san", "not_before",
	"not_after", "key", "issuer", "port", "tls", "mode", "code", "text",
	"relay", "nth", "after_verified", "step", "set", "add", "remove",
	"advance", "deliver", "delivery", "leak", "rua", "id", "max_age",
	"banner", "EHLO", "STARTTLS", "DOT", "example.test",
	"mx1.example.test",
};

static const char *const fsn_strings[] = {
	"example.test", "mx1.example.test", "mx2.example.test", "valid",
	"expired", "self-signed", "attacker", "custom", "secure", "insecure",
	"bogus", "strip_starttls", "starttls_error", "swap_cert", "block",
	"starttls_inject", "ehlo_reject", "reply", "caps", "handshake_fail",
	"verified", "tls", "plaintext", "refused", "starttls-not-supported",
	"2h", "30s", "3d", "-1d", "2026-06-01T00:00:00Z", "127.25.0.11",
	"127.0.0.1", "implicit", "starttls", "optional", "may", "encrypt",
	"454 4.7.0 no", "250-a\\n250 b", "", "RFC 3207 4", "ec", "rsa",
	"root", "untrusted", "self", "drop", "reset", "blackhole", "refuse",
	"enforce", "testing", "none", "3 1 1 auto", "https://x.test/v1",
	"mailto:r@example.test", "www.example.test. A 127.0.0.1", "x\\0y",
};

struct fsn_gen {
	struct fuzz_in in;
	struct buf out;
	unsigned nodes;
};

/* One value; depth bounds the nesting, nodes the size. */
static void
fsn_value(struct fsn_gen *g, int depth)
{
	uint8_t b = fuzz_byte(&g->in), n;

	if (++g->nodes > 400)
		b = 0;
	switch (b % 8) {
	case 0:
	case 1:
	case 2:
		buf_appendf(&g->out, "\"%s\"",
		    fsn_strings[fuzz_byte(&g->in) % ARRAY_LEN(fsn_strings)]);
		break;
	case 3:
		buf_appendf(&g->out, "%d", (int8_t)fuzz_byte(&g->in) *
		    (b & 0x80 ? 1000 : 1));
		break;
	case 4:
		buf_appendf(&g->out, "%s", b & 0x40 ? "true" : "false");
		break;
	case 5:
		buf_appendf(&g->out, "%s", b & 0x40 ? "0.5" : "1e308");
		break;
	default:
		if (depth >= 6) {
			buf_appendf(&g->out, "{}");
			break;
		}
		n = fuzz_byte(&g->in) % 9;
		buf_appendf(&g->out, "{ ");
		for (uint8_t i = 0; i < n; i++) {
			uint8_t k = fuzz_byte(&g->in);

			if (k & 0x80)
				buf_appendf(&g->out, "[\"%s\"] = ",
				    fsn_keys[k % ARRAY_LEN(fsn_keys)]);
			fsn_value(g, depth + 1);
			buf_appendf(&g->out, ", ");
		}
		buf_appendf(&g->out, "}");
		break;
	}
}

/* The Lua source of a random table (data after the leading NUL). */
static char *
fsn_table(const uint8_t *data, size_t size, size_t *len)
{
	struct fsn_gen g = { { data, size }, { NULL, 0, 0 }, 0 };
	char *src;

	buf_appendf(&g.out, "return ");
	/* a top level that is a table most of the time */
	if (fuzz_byte(&g.in) % 8 < 6) {
		uint8_t n = (uint8_t)(fuzz_byte(&g.in) % 18);

		buf_appendf(&g.out, "{\n");
		for (uint8_t i = 0; i < n; i++) {
			buf_appendf(&g.out, "  [\"%s\"] = ",
			    fsn_keys[fuzz_byte(&g.in) % 17]);
			fsn_value(&g, 1);
			buf_appendf(&g.out, ",\n");
		}
		buf_appendf(&g.out, "}\n");
	} else {
		fsn_value(&g, 0);
	}
	*len = g.out.len;
	src = xstrndup(buf_cstr(&g.out), g.out.len);
	buf_free(&g.out);
	return src;
}

static void
fsn_one(const uint8_t *data, size_t size)
{
	char *src, err[1024];
	struct scenario *s = NULL;
	size_t len = size;
	int rc;

	if (size > 0 && data[0] == '\0') {
		src = fsn_table(data + 1, size - 1, &len);
	} else {
		/* an exact-size copy, not NUL-terminated */
		src = xmalloc(size ? size : 1);
		memcpy(src, data, size);
	}
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "%.*s\n", (int)len, src);
	rc = scenario_load_string_limits("fuzz/input.lua", src, len,
	    FSN_MEM, FSN_INSNS, &s, err, sizeof(err));
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "-> %s\n", rc < 0 ? err : "loaded");
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
