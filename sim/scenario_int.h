/*
 * scenario_int: internals shared by the files of the scenario module.
 *   scenario.c        loading; top level, phases, expectations
 *   scenario_world.c  the world keys: mx, cert, submit, ...
 *   scenario_attack.c the attack list: names, parameters, defaults
 *   scenario_conv.c   typed readers of Lua values and schema errors
 *   scenario_src.c    the source line locator
 *   scenario_data.c   copy/free, time and duration parsing, file search
 * Not for use outside sim/scenario*.c.
 */
#ifndef MXSIM_SCENARIO_INT_H
#define MXSIM_SCENARIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <lua.h>

#include "core/util.h"
#include "sim/scenario.h"

/* One step of a key path: a field name, or a 1-based list index when
 * name is NULL.  {"mx"}, {NULL, 2}, {"cert"} is mx[2].cert. */
struct scn_key {
	const char *name;
	long index;
};

/*
 * The line locator.  Lua tables carry no line numbers, so the loader
 * finds them in the source text: it tokenizes the file (skipping
 * comments and strings), finds the table constructor the main chunk
 * returns (directly, through a call `return f{...}`, or through a local
 * `return t` assigned `t = {...}`), and records the line of every field
 * of every nested constructor.  A path that leaves the constructors (a
 * value built by code, a missing field) resolves to the line of the last
 * step that was found; with no constructor at all, the `return` line.
 */
struct scn_src;

struct scn_src *scn_src_new(const char *text, size_t len);
void scn_src_free(struct scn_src *src);
int scn_src_line(const struct scn_src *src, const struct scn_key *path,
	size_t n);

/* Deep copies and frees of the plain data (all NULL-safe, zeroing). */
char **scn_strv_copy(char *const *v, size_t n);   /* n entries + NULL */
void scn_strv_free(char **v, size_t n);
void scn_cert_copy(struct scn_cert *dst, const struct scn_cert *src);
void scn_cert_clear(struct scn_cert *c);
void scn_mx_clear(struct scn_mx *m);
void scn_attack_clear(struct scn_attack *a);
void scn_tlsa_free(struct scn_tlsa *t, size_t n);
void scn_world_copy(struct scn_world *dst, const struct scn_world *src);
void scn_world_clear(struct scn_world *w);
void scn_expect_clear(struct scn_expect *e);

/*
 * The conversion context.  The schema walk keeps the key path of the
 * value being read in path[]; every reader raises (through cv_fail) a
 * Lua error after writing "name:line: path: message" to err, so the walk
 * must run under lua_pcall and attach each allocation to the scenario
 * before anything else can fail.
 */
#define CV_MAX_PATH 16
#define CV_MAX_MESSAGES 1000
#define CV_MAX_PHASES 100

struct cv {
	lua_State *L;
	const char *name;             /* file name for messages */
	struct scn_src *src;
	struct scn_key path[CV_MAX_PATH];
	size_t depth;
	char *err;
	size_t errlen;
	bool failed;                  /* err holds a schema error */
	struct scenario *s;
	struct sandbox *sb;           /* the state the file ran in */
	bool keep;                    /* a function was kept: keep sb */
};

/* Reports an error at the current path (extra: one more step used only
 * to find the line, e.g. the unknown key).  Does not return. */
void cv_fail(struct cv *cv, const struct scn_key *extra, const char *fmt, ...)
	PRINTF(3, 4) __attribute__((noreturn));
int cv_line(struct cv *cv, const struct scn_key *extra);

/* Enter t[key] / t[i]: push the path step and the value; cv_leave pops
 * both.  cv_field returns the value's Lua type. */
int cv_field(struct cv *cv, int t, const char *key);
int cv_index(struct cv *cv, int t, size_t i);
void cv_leave(struct cv *cv);
/* Only a path step, no value (for an error about to be reported). */
void cv_push_key(struct cv *cv, const char *name, long index);

const char *cv_typename(struct cv *cv, int idx);
/* "a, b, c" of a NULL-terminated list (a string on the Lua stack). */
const char *cv_join(struct cv *cv, const char *const *list);

void cv_table(struct cv *cv, int idx, const char *what);
/* Only the keys in allowed (NULL-terminated) and the integers
 * 1..npos may be present. */
void cv_keys(struct cv *cv, int idx, const char *const *allowed,
	lua_Integer npos);
/* A proper list (keys exactly 1..n) of at most max entries; returns n. */
size_t cv_list(struct cv *cv, int idx, size_t max);

const char *cv_cstring(struct cv *cv, int idx);     /* borrowed */
char *cv_string(struct cv *cv, int idx, bool allow_empty);
char *cv_hostname(struct cv *cv, int idx);
char *cv_enum(struct cv *cv, int idx, const char *const *allowed);
lua_Integer cv_integer(struct cv *cv, int idx, lua_Integer min,
	lua_Integer max);
int cv_boolean(struct cv *cv, int idx);
/* A function, pinned in the scenario's sandbox for later calls
 * (sandbox_call); the scenario then keeps its sandbox (scenario->lua).
 * Returns the ref. */
int cv_function(struct cv *cv, int idx);
/* Lists fill *out (n entries + NULL) and *n before reading entries. */
void cv_string_list(struct cv *cv, int idx, size_t min, size_t max,
	char ***out, size_t *n);
/* A single allowed string or a list of them. */
void cv_enum_list(struct cv *cv, int idx, const char *const *allowed,
	size_t min, size_t max, char ***out, size_t *n);

/* scenario_world.c: read the world keys of t into w.  is_set: a phase's
 * `set`, where absent keys keep their value; otherwise absent keys get
 * their defaults.  world_check: the cross-references (attack and submit
 * hosts are MX hosts). */
void conv_world(struct cv *cv, int t, struct scn_world *w, bool is_set);
void world_check(struct cv *cv, const struct scn_world *w, bool in_set);
/* scenario_world.c: a certificate (variant string or table) at idx; nil
 * gives the variant dflt. */
void conv_cert(struct cv *cv, int idx, struct scn_cert *c, const char *dflt);
/* scenario_sweep.c: a file with `sweep` is a family of scenarios.
 * scn_sweep_apply rewrites the table on the stack top for the variant
 * ("EHLO-454"; NULL: the first) and gives its label (allocated; NULL
 * when the file is no sweep); -1 with "name:line: ..." in err.
 * scn_sweep_expand replaces each sweep file of a scenario_find list with
 * one entry per variant, ids "<id>#<STEP>-<CODE>"; returns the count. */
int scn_sweep_apply(lua_State *L, const char *name, const struct scn_src *src,
	const char *variant, char **label, char *err, size_t errlen);
int scn_sweep_expand(char ***files, char ***ids, int n);
/* scenario_msg.c: the message table at idx (its keys replace those of
 * m, so a phase's set changes only what it names); an MX's requiretls
 * value (true, false, "plaintext", "both"). */
void conv_message(struct cv *cv, int idx, struct scn_msg *m);
enum scn_reqtls conv_mx_reqtls(struct cv *cv, int idx);
enum scn_mx_tls conv_mx_tls(struct cv *cv, int idx);   /* mx[i].tls */
/* scenario_attack.c: the attack list at t replaces w's attacks. */
void conv_attacks(struct cv *cv, int t, struct scn_world *w);
/* scenario_dns.c: DNS attacks in the attack list (is the attack table
 * at t one?), read one into w->dns_attacks; the dns_faults and zones keys
 * of t; the DNS parts of copy and clear. */
bool scn_dns_attack_is(struct cv *cv, int t);
void conv_dns_attack(struct cv *cv, int t, struct scn_world *w);
void conv_dns_world(struct cv *cv, int t, struct scn_world *w);
void scn_dns_copy(struct scn_world *dst, const struct scn_world *src);
void scn_dns_clear(struct scn_world *w);
void scn_dns_attacks_clear(struct scn_world *w);

/* scenario_sts.c: mta_sts (a table, or false) at idx replaces w->sts;
 * tlsrpt.txt at idx fills *out; sts_resolve fills the defaults that
 * depend on the rest of the world (the mx patterns); sts_check: the
 * policy attacks need their target.  sts_attack: a policy attack's
 * parameters beyond the common ones (host default, text, cert). */
void conv_sts(struct cv *cv, int idx, struct scn_world *w);
void conv_txt_rrs(struct cv *cv, int idx, char ***out, size_t *n);
void sts_resolve(struct cv *cv, struct scn_world *w);
void sts_check(struct cv *cv, const struct scn_world *w, bool in_set);
bool sts_attack_name(const char *name);
void sts_attack(struct cv *cv, int t, struct scn_attack *a);
/* relay (a smart host domain) into w->relay; expect.fetches (N or
 * "N+") into e->fetches_min/max. */
void conv_relay(struct cv *cv, int idx, struct scn_world *w);
void conv_fetches(struct cv *cv, int idx, struct scn_expect *e);
struct scn_sts *scn_sts_copy(const struct scn_sts *src);
void scn_sts_free(struct scn_sts *s);

#endif
