/*
 * scenario_dns: the DNS keys of a scenario (sim/scenario.h has the
 * schema): DNS attacks in the attack list, per-name faults (dns_faults)
 * and per-zone DNSSEC states (zones), with their copy and free.
 *
 * An attack table is a DNS attack when its name is poison_tlsa, spoof_mx,
 * spoof_a, strip_dnssec or dns_hook, or when it is a block with a name or
 * a type, or with mode "drop" or "servfail" and no host (a block of an MX
 * host takes refuse, reset or blackhole: scenario_attack.c).  Defaults filled
 * here: poison_tlsa acts on _25._tcp.<host> TLSA, data "3 1 1 auto" (the
 * key of cert, default the attacker's certificate for host); spoof_mx on
 * the domain's MX, data "10 evil.attacker.test."; spoof_a on the host's
 * A, data the attacker's address 127.66.0.1; these three sit upstream of
 * the resolver face, strip_dnssec and block on the last mile, dns_hook
 * upstream (at = "upstream" | "last-mile" moves them).
 *
 * Errors go through cv_fail (file:line: path: message).
 */
#include "sim/scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>
#include <ldns/ldns.h>

#define MAX_DNS_DATA 16
#define MAX_FAULTS 64
#define MAX_ZONES 32
#define MAX_NTH 1000

static const char *const dns_attack_names[] = {
	"poison_tlsa", "spoof_mx", "spoof_a", "strip_dnssec", "block",
	"dns_hook", NULL,
};
static const char *const dns_attack_keys[] = {
	"host", "name", "type", "at", "mode", "data", "cert", "nth",
	"on_dns_answer", NULL,
};
static const char *const p_poison[] = { "host", "name", "at", "data",
	"cert", "nth", NULL };
static const char *const p_spoof_mx[] = { "name", "at", "data", "nth",
	NULL };
static const char *const p_spoof_a[] = { "host", "name", "at", "data",
	"nth", NULL };
static const char *const p_strip[] = { "name", "type", "at", "nth", NULL };
static const char *const p_block[] = { "name", "type", "at", "mode", "nth",
	NULL };
static const char *const p_hook[] = { "name", "type", "at", "nth",
	"on_dns_answer", NULL };
static const char *const ats[] = { "upstream", "last-mile", NULL };
static const char *const block_modes[] = { "drop", "servfail", NULL };
static const char *const fault_keys[] = { "name", "type", "fault", NULL };
static const char *const faults[] = { "servfail", "timeout", "nxdomain",
	"nodata", "cname:TARGET", NULL };
static const char *const zone_states[] = { "secure", "insecure", "bogus",
	"bogus:signature", "bogus:wrong-key", "bogus:expired",
	"bogus:not-yet-valid", "bogus:ds-mismatch", "bogus:missing-rrsig",
	NULL };

static bool
listed(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* The raw t[key] pushed; its type. */
static int
raw(struct cv *cv, int t, const char *key)
{
	lua_pushstring(cv->L, key);
	return lua_rawget(cv->L, t);
}

static bool
has_host(struct cv *cv, int t)
{
	bool yes = raw(cv, t, "host") != LUA_TNIL;

	lua_pop(cv->L, 1);
	return yes;
}

bool
scn_dns_attack_is(struct cv *cv, int t)
{
	const char *name;
	bool dns = false;

	if (lua_type(cv->L, t) != LUA_TTABLE)
		return false;
	if (lua_rawgeti(cv->L, t, 1) != LUA_TSTRING) {
		lua_pop(cv->L, 1);
		return false;   /* conv_attack reports it */
	}
	name = lua_tostring(cv->L, -1);
	if (strcmp(name, "block") != 0) {
		dns = listed(name, dns_attack_names);
	} else {
		dns = raw(cv, t, "name") != LUA_TNIL;
		lua_pop(cv->L, 1);
		dns |= raw(cv, t, "type") != LUA_TNIL;
		lua_pop(cv->L, 1);
		/* a mode of its own, and no MX host: a DNS block */
		if (raw(cv, t, "mode") == LUA_TSTRING)
			dns |= listed(lua_tostring(cv->L, -1), block_modes) &&
			    !has_host(cv, t);
		lua_pop(cv->L, 1);
	}
	lua_pop(cv->L, 1);
	return dns;
}

/* A DNS name: labels of letters, digits, '-' and '_', lower-cased, no
 * trailing dot. */
static char *
conv_dname(struct cv *cv, int idx)
{
	const char *s = cv_cstring(cv, idx);
	size_t n = strlen(s), label = 0;
	char *out;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		cv_fail(cv, NULL, "\"%.60s\" is not a domain name", s);
	out = xcalloc(1, n + 1);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || label > 63)
				break;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			label++;
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
			label++;
		} else {
			label = 64;   /* bad character */
			break;
		}
		out[i] = c;
	}
	if (label == 0 || label > 63) {
		free(out);
		cv_fail(cv, NULL, "\"%.60s\" is not a domain name (dot-separated "
		    "labels of letters, digits, '-' and '_')", s);
	}
	return out;
}

/* An RR type mnemonic ldns knows ("TLSA"), upper-cased. */
static char *
conv_type(struct cv *cv, int idx)
{
	const char *s = cv_cstring(cv, idx);
	char *up = xstrdup(s);

	for (char *c = up; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	if (strlen(up) > 16 || ldns_get_rr_type_by_name(up) == 0 ||
	    strcmp(up, "ANY") == 0) {
		free(up);
		cv_fail(cv, NULL, "unknown record type \"%.20s\" (A, AAAA, MX, "
		    "TLSA, TXT, CNAME, ...)", s);
	}
	return up;
}

static const char *const *
params_of(const char *name)
{
	if (strcmp(name, "poison_tlsa") == 0)
		return p_poison;
	if (strcmp(name, "spoof_mx") == 0)
		return p_spoof_mx;
	if (strcmp(name, "spoof_a") == 0)
		return p_spoof_a;
	if (strcmp(name, "strip_dnssec") == 0)
		return p_strip;
	if (strcmp(name, "block") == 0)
		return p_block;
	return p_hook;
}

/* The rdata list (a string or a list of strings). */
static void
conv_data(struct cv *cv, int t, struct scn_dns_attack *a)
{
	if (cv_field(cv, t, "data") == LUA_TSTRING) {
		a->data = xcalloc(2, sizeof(*a->data));
		a->data[0] = cv_string(cv, -1, false);
		a->ndata = 1;
	} else if (!lua_isnil(cv->L, -1)) {
		cv_string_list(cv, lua_gettop(cv->L), 1, MAX_DNS_DATA, &a->data,
		    &a->ndata);
	}
	cv_leave(cv);
	for (size_t i = 0; i < a->ndata; i++)
		if (strpbrk(a->data[i], "\r\n;()") != NULL) {
			cv_field(cv, t, "data");
			cv_fail(cv, NULL, "record data is one line without ';' "
			    "or parentheses");
		}
}

static void
default_data(struct scn_dns_attack *a, const char *value)
{
	if (a->data != NULL)
		return;
	a->data = xcalloc(2, sizeof(*a->data));
	a->data[0] = xstrdup(value);
	a->ndata = 1;
}

void
conv_dns_attack(struct cv *cv, int t, struct scn_world *w)
{
	struct scn_dns_attack *a;
	const char *const *params;

	cv_keys(cv, t, dns_attack_keys, 1);
	w->dns_attacks = xrealloc(w->dns_attacks, (w->ndns_attacks + 1) *
	    sizeof(*w->dns_attacks));
	a = &w->dns_attacks[w->ndns_attacks++];
	memset(a, 0, sizeof(*a));
	a->line = cv_line(cv, NULL);
	lua_rawgeti(cv->L, t, 1);
	a->name = xstrdup(lua_tostring(cv->L, -1));
	lua_pop(cv->L, 1);
	params = params_of(a->name);
	for (size_t i = 0; dns_attack_keys[i] != NULL; i++) {
		if (listed(dns_attack_keys[i], params))
			continue;
		if (raw(cv, t, dns_attack_keys[i]) != LUA_TNIL) {
			lua_pop(cv->L, 1);
			cv_push_key(cv, dns_attack_keys[i], 0);
			cv_fail(cv, NULL, "%s (a DNS attack) takes no %s (its "
			    "parameters: %s)", a->name, dns_attack_keys[i],
			    cv_join(cv, params));
		}
		lua_pop(cv->L, 1);
	}
	if (cv_field(cv, t, "host") != LUA_TNIL)
		a->host = cv_hostname(cv, -1);
	else if (strcmp(a->name, "poison_tlsa") == 0 ||
	    strcmp(a->name, "spoof_a") == 0)
		cv_fail(cv, NULL, "missing required field (the host whose %s "
		    "records the attacker replaces)",
		    strcmp(a->name, "spoof_a") == 0 ? "A" : "TLSA");
	cv_leave(cv);
	if (cv_field(cv, t, "name") != LUA_TNIL)
		a->qname = conv_dname(cv, -1);
	cv_leave(cv);
	if (cv_field(cv, t, "type") != LUA_TNIL)
		a->qtype = conv_type(cv, -1);
	cv_leave(cv);
	if (cv_field(cv, t, "nth") != LUA_TNIL)
		a->nth = (int)cv_integer(cv, -1, 1, MAX_NTH);
	cv_leave(cv);
	if (cv_field(cv, t, "at") != LUA_TNIL)
		a->at = cv_enum(cv, -1, ats);
	cv_leave(cv);
	if (strcmp(a->name, "block") == 0) {
		if (cv_field(cv, t, "mode") == LUA_TNIL)
			cv_fail(cv, NULL, "missing required field (a DNS block "
			    "takes mode \"drop\" or \"servfail\")");
		a->mode = cv_enum(cv, -1, block_modes);
		cv_leave(cv);
	}
	if (listed("data", params))
		conv_data(cv, t, a);
	if (strcmp(a->name, "poison_tlsa") == 0) {
		cv_field(cv, t, "cert");
		conv_cert(cv, -1, &a->cert, "attacker");
		cv_leave(cv);
		if (a->qname == NULL)
			a->qname = xasprintf("_25._tcp.%s", a->host);
		a->qtype = xstrdup("TLSA");
		default_data(a, "3 1 1 auto");
	} else if (strcmp(a->name, "spoof_mx") == 0) {
		if (a->qname == NULL)
			a->qname = xstrdup(cv->s->domain);
		a->qtype = xstrdup("MX");
		default_data(a, "10 evil.attacker.test.");
	} else if (strcmp(a->name, "spoof_a") == 0) {
		if (a->qname == NULL)
			a->qname = xstrdup(a->host);
		a->qtype = xstrdup("A");
		default_data(a, "127.66.0.1");
	} else if (strcmp(a->name, "dns_hook") == 0) {
		if (cv_field(cv, t, "on_dns_answer") == LUA_TNIL)
			cv_fail(cv, NULL, "missing required field (the function "
			    "on_dns_answer = function(q, a) ... end)");
		a->on_dns_answer = cv_function(cv, -1);
		cv_leave(cv);
	}
	if (a->at == NULL)
		a->at = xstrdup(strcmp(a->name, "strip_dnssec") == 0 ||
		    strcmp(a->name, "block") == 0 ? "last-mile" : "upstream");
}

/* dns_faults = { { name = ..., type = ..., fault = ... }, ... } */
static void
conv_faults(struct cv *cv, int t, struct scn_world *w)
{
	size_t n;

	t = lua_absindex(cv->L, t);
	n = cv_list(cv, t, MAX_FAULTS);
	for (size_t i = 0; i < w->ndns_faults; i++) {
		free(w->dns_faults[i].name);
		free(w->dns_faults[i].type);
		free(w->dns_faults[i].fault);
	}
	free(w->dns_faults);
	w->dns_faults = xcalloc(n ? n : 1, sizeof(*w->dns_faults));
	w->ndns_faults = n;
	for (size_t i = 0; i < n; i++) {
		struct scn_dns_fault *f = &w->dns_faults[i];
		int e;
		const char *s;

		cv_index(cv, t, i + 1);
		e = lua_gettop(cv->L);
		cv_table(cv, e, "a fault { name = \"_25._tcp.mx1.example.test\", "
		    "type = \"TLSA\", fault = \"servfail\" }");
		cv_keys(cv, e, fault_keys, 0);
		f->line = cv_line(cv, NULL);
		if (cv_field(cv, e, "name") == LUA_TNIL)
			cv_fail(cv, NULL, "missing required field (the name that "
			    "fails)");
		f->name = conv_dname(cv, -1);
		cv_leave(cv);
		if (cv_field(cv, e, "type") != LUA_TNIL)
			f->type = conv_type(cv, -1);
		cv_leave(cv);
		if (cv_field(cv, e, "fault") == LUA_TNIL)
			cv_fail(cv, NULL, "missing required field (%s)",
			    cv_join(cv, faults));
		s = cv_cstring(cv, -1);
		if (strncmp(s, "cname:", 6) == 0) {
			char *target;

			lua_pushstring(cv->L, s + 6);
			target = conv_dname(cv, -1);
			lua_pop(cv->L, 1);
			f->fault = xasprintf("cname:%s", target);
			free(target);
			if (f->type != NULL)
				cv_fail(cv, NULL, "a CNAME stands for every type "
				    "of its name: drop type");
		} else if (listed(s, faults) && strchr(s, ':') == NULL) {
			f->fault = xstrdup(s);
		} else {
			cv_fail(cv, NULL, "bad value \"%.40s\" (allowed: %s)", s,
			    cv_join(cv, faults));
		}
		cv_leave(cv);
		cv_leave(cv);
	}
}

static int
zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scn_zone *)a)->apex,
	    ((const struct scn_zone *)b)->apex);
}

/* zones = { ["other.test"] = "bogus:expired", ... } */
static void
conv_zones(struct cv *cv, int t, struct scn_world *w)
{
	size_t n = 0;

	t = lua_absindex(cv->L, t);
	cv_table(cv, t, "a table { [\"other.test\"] = \"insecure\" }");
	for (size_t i = 0; i < w->nzones; i++) {
		free(w->zones[i].apex);
		free(w->zones[i].state);
	}
	free(w->zones);
	w->zones = NULL;
	w->nzones = 0;
	lua_pushnil(cv->L);
	while (lua_next(cv->L, t) != 0) {
		struct scn_zone *z;
		char *apex;

		lua_pop(cv->L, 1);
		if (lua_type(cv->L, -1) != LUA_TSTRING)
			cv_fail(cv, NULL, "keys are zone names (strings), got %s",
			    cv_typename(cv, -1));
		if (++n > MAX_ZONES)
			cv_fail(cv, NULL, "at most %d zones", MAX_ZONES);
		cv_field(cv, t, lua_tostring(cv->L, -1));
		apex = conv_dname(cv, -2);   /* the key, under its value */
		w->zones = xrealloc(w->zones, n * sizeof(*w->zones));
		z = &w->zones[n - 1];
		memset(z, 0, sizeof(*z));
		z->apex = apex;
		w->nzones = n;
		if (strcmp(apex, "test") == 0 || strcmp(apex, "attacker.test") ==
		    0)
			cv_fail(cv, NULL, "the zones \".\", \"test\" and "
			    "\"attacker.test\" stay secure");
		z->line = cv_line(cv, NULL);
		z->state = cv_enum(cv, -1, zone_states);
		cv_leave(cv);
	}
	qsort(w->zones, w->nzones, sizeof(*w->zones), zone_cmp);
}

void
conv_dns_world(struct cv *cv, int t, struct scn_world *w)
{
	t = lua_absindex(cv->L, t);
	if (cv_field(cv, t, "dns_faults") != LUA_TNIL)
		conv_faults(cv, -1, w);
	cv_leave(cv);
	if (cv_field(cv, t, "zones") != LUA_TNIL)
		conv_zones(cv, -1, w);
	cv_leave(cv);
}

/* ---- copy and free ---- */

static char *
dup0(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
scn_dns_copy(struct scn_world *dst, const struct scn_world *src)
{
	dst->dns_attacks = NULL;
	dst->dns_faults = NULL;
	dst->zones = NULL;
	if (src->ndns_attacks > 0)
		dst->dns_attacks = xcalloc(src->ndns_attacks,
		    sizeof(*dst->dns_attacks));
	for (size_t i = 0; i < src->ndns_attacks; i++) {
		const struct scn_dns_attack *s = &src->dns_attacks[i];
		struct scn_dns_attack *d = &dst->dns_attacks[i];

		*d = *s;
		d->name = dup0(s->name);
		d->host = dup0(s->host);
		d->qname = dup0(s->qname);
		d->qtype = dup0(s->qtype);
		d->at = dup0(s->at);
		d->mode = dup0(s->mode);
		d->data = s->data != NULL ? scn_strv_copy(s->data, s->ndata) :
		    NULL;
		scn_cert_copy(&d->cert, &s->cert);
	}
	if (src->ndns_faults > 0)
		dst->dns_faults = xcalloc(src->ndns_faults,
		    sizeof(*dst->dns_faults));
	for (size_t i = 0; i < src->ndns_faults; i++) {
		dst->dns_faults[i] = src->dns_faults[i];
		dst->dns_faults[i].name = dup0(src->dns_faults[i].name);
		dst->dns_faults[i].type = dup0(src->dns_faults[i].type);
		dst->dns_faults[i].fault = dup0(src->dns_faults[i].fault);
	}
	if (src->nzones > 0)
		dst->zones = xcalloc(src->nzones, sizeof(*dst->zones));
	for (size_t i = 0; i < src->nzones; i++) {
		dst->zones[i] = src->zones[i];
		dst->zones[i].apex = dup0(src->zones[i].apex);
		dst->zones[i].state = dup0(src->zones[i].state);
	}
}

void
scn_dns_attacks_clear(struct scn_world *w)
{
	for (size_t i = 0; i < w->ndns_attacks; i++) {
		struct scn_dns_attack *a = &w->dns_attacks[i];

		free(a->name);
		free(a->host);
		free(a->qname);
		free(a->qtype);
		free(a->at);
		free(a->mode);
		scn_strv_free(a->data, a->ndata);
		scn_cert_clear(&a->cert);
	}
	free(w->dns_attacks);
	w->dns_attacks = NULL;
	w->ndns_attacks = 0;
}

void
scn_dns_clear(struct scn_world *w)
{
	scn_dns_attacks_clear(w);
	for (size_t i = 0; i < w->ndns_faults; i++) {
		free(w->dns_faults[i].name);
		free(w->dns_faults[i].type);
		free(w->dns_faults[i].fault);
	}
	free(w->dns_faults);
	w->dns_faults = NULL;
	w->ndns_faults = 0;
	for (size_t i = 0; i < w->nzones; i++) {
		free(w->zones[i].apex);
		free(w->zones[i].state);
	}
	free(w->zones);
	w->zones = NULL;
	w->nzones = 0;
}
