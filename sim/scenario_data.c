/*
 * scenario_data: the plain-data side of the scenario module: deep copies
 * and frees of the structures in scenario.h, time and duration parsing,
 * and finding scenario files on disk.  See scenario.h and scenario_int.h.
 *
 * Every free function tolerates partly built structures (zeroed slots,
 * NULL pointers): the loader allocates arrays zeroed with their final
 * count first and fills them afterwards, so a failure half-way through
 * is released by scenario_free().  Nothing here logs.
 */
#include "sim/scenario_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sandbox.h"
#include "core/util.h"

#define FIND_MAX_DEPTH 32

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

char **
scn_strv_copy(char *const *v, size_t n)
{
	char **c;

	if (v == NULL)
		return NULL;
	c = xcalloc(n + 1, sizeof(*c));
	for (size_t i = 0; i < n && v[i] != NULL; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

/* Frees up to n entries or up to the first NULL, whichever comes first. */
void
scn_strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static size_t
strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

void
scn_cert_copy(struct scn_cert *dst, const struct scn_cert *src)
{
	*dst = *src;
	dst->variant = dup_or_null(src->variant);
	dst->san = scn_strv_copy(src->san, strv_len(src->san));
	dst->cn = dup_or_null(src->cn);
	dst->key = dup_or_null(src->key);
	dst->issuer = dup_or_null(src->issuer);
	dst->key_id = dup_or_null(src->key_id);
}

void
scn_cert_clear(struct scn_cert *c)
{
	free(c->variant);
	scn_strv_free(c->san, SIZE_MAX);
	free(c->cn);
	free(c->key);
	free(c->issuer);
	free(c->key_id);
	memset(c, 0, sizeof(*c));
}

static void
mx_copy(struct scn_mx *dst, const struct scn_mx *src)
{
	*dst = *src;
	dst->host = dup_or_null(src->host);
	dst->addr = dup_or_null(src->addr);
	scn_cert_copy(&dst->cert, &src->cert);
	dst->replies = NULL;
	if (src->replies != NULL) {
		dst->replies = xcalloc(src->nreplies, sizeof(*dst->replies));
		for (size_t i = 0; i < src->nreplies; i++) {
			dst->replies[i].step = dup_or_null(src->replies[i].step);
			dst->replies[i].text = dup_or_null(src->replies[i].text);
		}
	}
	dst->ehlo = scn_strv_copy(src->ehlo, strv_len(src->ehlo));
}

void
scn_mx_clear(struct scn_mx *m)
{
	free(m->host);
	free(m->addr);
	scn_cert_clear(&m->cert);
	for (size_t i = 0; m->replies != NULL && i < m->nreplies; i++) {
		free(m->replies[i].step);
		free(m->replies[i].text);
	}
	free(m->replies);
	scn_strv_free(m->ehlo, SIZE_MAX);
	memset(m, 0, sizeof(*m));
}

static void
attack_copy(struct scn_attack *dst, const struct scn_attack *src)
{
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->host = dup_or_null(src->host);
	dst->mode = dup_or_null(src->mode);
	dst->text = dup_or_null(src->text);
	scn_cert_copy(&dst->cert, &src->cert);
	dst->step = dup_or_null(src->step);
	dst->set = scn_strv_copy(src->set, strv_len(src->set));
	dst->add = scn_strv_copy(src->add, strv_len(src->add));
	dst->remove = scn_strv_copy(src->remove, strv_len(src->remove));
}

void
scn_attack_clear(struct scn_attack *a)
{
	free(a->name);
	free(a->host);
	free(a->mode);
	free(a->text);
	scn_cert_clear(&a->cert);
	free(a->step);
	scn_strv_free(a->set, SIZE_MAX);
	scn_strv_free(a->add, SIZE_MAX);
	scn_strv_free(a->remove, SIZE_MAX);
	memset(a, 0, sizeof(*a));
}

void
scn_world_copy(struct scn_world *dst, const struct scn_world *src)
{
	*dst = *src;
	dst->dnssec = dup_or_null(src->dnssec);
	dst->mx = xcalloc(src->nmx, sizeof(*dst->mx));
	for (size_t i = 0; i < src->nmx; i++)
		mx_copy(&dst->mx[i], &src->mx[i]);
	dst->dns = scn_strv_copy(src->dns, src->ndns);
	dst->attacks = xcalloc(src->nattacks, sizeof(*dst->attacks));
	for (size_t i = 0; i < src->nattacks; i++)
		attack_copy(&dst->attacks[i], &src->attacks[i]);
	if (src->submit != NULL) {
		dst->submit = xcalloc(1, sizeof(*dst->submit));
		*dst->submit = *src->submit;   /* the plain data: auth */
		dst->submit->host = dup_or_null(src->submit->host);
		dst->submit->port = src->submit->port;
		dst->submit->tls = dup_or_null(src->submit->tls);
	}
	dst->sender_tls = dup_or_null(src->sender_tls);
	dst->tlsrpt_rua = scn_strv_copy(src->tlsrpt_rua, src->ntlsrpt_rua);
	dst->tlsrpt_txt = src->tlsrpt_txt != NULL ?
	    scn_strv_copy(src->tlsrpt_txt, src->ntlsrpt_txt) : NULL;
	scn_cert_copy(&dst->tlsrpt_cert, &src->tlsrpt_cert);
	dst->sts = scn_sts_copy(src->sts);
	dst->tlsa = src->ntlsa ? xcalloc(src->ntlsa, sizeof(*dst->tlsa)) : NULL;
	for (size_t i = 0; i < src->ntlsa; i++) {
		dst->tlsa[i].host = dup_or_null(src->tlsa[i].host);
		dst->tlsa[i].rrs = scn_strv_copy(src->tlsa[i].rrs,
		    src->tlsa[i].nrrs);
		dst->tlsa[i].nrrs = src->tlsa[i].nrrs;
	}
	scn_dns_copy(dst, src);   /* scenario_dns.c */
}

void
scn_tlsa_free(struct scn_tlsa *t, size_t n)
{
	for (size_t i = 0; t != NULL && i < n; i++) {
		free(t[i].host);
		scn_strv_free(t[i].rrs, t[i].nrrs);
	}
	free(t);
}

void
scn_world_clear(struct scn_world *w)
{
	free(w->dnssec);
	for (size_t i = 0; w->mx != NULL && i < w->nmx; i++)
		scn_mx_clear(&w->mx[i]);
	free(w->mx);
	scn_strv_free(w->dns, w->ndns);
	for (size_t i = 0; w->attacks != NULL && i < w->nattacks; i++)
		scn_attack_clear(&w->attacks[i]);
	free(w->attacks);
	if (w->submit != NULL) {
		free(w->submit->host);
		free(w->submit->tls);
		free(w->submit);
	}
	free(w->sender_tls);
	scn_strv_free(w->tlsrpt_rua, w->ntlsrpt_rua);
	scn_strv_free(w->tlsrpt_txt, w->ntlsrpt_txt);
	scn_cert_clear(&w->tlsrpt_cert);
	scn_sts_free(w->sts);
	scn_tlsa_free(w->tlsa, w->ntlsa);
	scn_dns_clear(w);
	memset(w, 0, sizeof(*w));
}

void
scn_expect_clear(struct scn_expect *e)
{
	scn_strv_free(e->delivery, e->ndelivery);
	scn_strv_free(e->tlsrpt, e->ntlsrpt);
	memset(e, 0, sizeof(*e));
	e->leak = -1;
}

void
scenario_free(struct scenario *s)
{
	if (s == NULL)
		return;
	sandbox_free(s->lua);
	free(s->id);
	free(s->path);
	free(s->title);
	scn_strv_free(s->refs, s->nrefs);
	free(s->domain);
	for (size_t i = 0; s->phases != NULL && i < s->nphases; i++) {
		scn_world_clear(&s->phases[i].world);
		scn_expect_clear(&s->phases[i].expect);
	}
	free(s->phases);
	free(s);
}

int64_t
scenario_parse_duration(const char *s)
{
	static const struct { char unit; int64_t mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	int64_t v = 0, mul = 1;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX / 86400 - 9) / 10)
			return -1;      /* keeps v * mul in range */
		v = v * 10 + (*p - '0');
	}
	if (*p != '\0') {
		size_t i;
		for (i = 0; i < ARRAY_LEN(units) && units[i].unit != *p; i++)
			;
		if (i == ARRAY_LEN(units) || p[1] != '\0')
			return -1;
		mul = units[i].mul;
	}
	return v * mul;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int64_t
scenario_parse_time(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, dim;
	struct tm tm;

	/* YYYY-MM-DDTHH:MM:SSZ */
	if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	dim = mdays[mo - 1];
	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	if (d > dim)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
}

/* ---- finding scenario files ---- */

struct found {
	char *file;
	char *id;
};

struct found_list {
	struct found *v;
	size_t n, cap;
};

static void
found_add(struct found_list *l, char *file, char *id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].file = file;
	l->v[l->n].id = id;
	l->n++;
}

static void
found_free(struct found_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].id);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->file,
	    ((const struct found *)b)->file);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *
strip_lua(const char *s)
{
	size_t n = strlen(s);

	if (ends_with(s, ".lua"))
		n -= 4;
	return xstrndup(s, n);
}

static int
walk(struct found_list *l, const char *dir, const char *rel, int depth,
	char *err, size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > FIND_MAX_DEPTH) {
		snprintf(err, errlen, "%s: folders nested too deep (symlink loop?)",
		    dir);
		return -1;
	}
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *path, *sub;

		if (de->d_name[0] == '.' || de->d_name[0] == '_')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		sub = xasprintf("%s%s", rel, de->d_name);
		if (stat(path, &st) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			char *subdir = xasprintf("%s/", sub);
			rc = walk(l, path, subdir, depth + 1, err, errlen);
			free(subdir);
		} else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".lua")) {
			found_add(l, path, strip_lua(sub));
			path = NULL;
		}
		free(path);
		free(sub);
	}
	closedir(d);
	return rc;
}

/* The id of a file named on the command line: the part after the last
 * "scenarios/" folder, else the base name; without ".lua". */
static char *
file_id(const char *path)
{
	const char *base = strrchr(path, '/'), *p, *after = NULL;

	for (p = strstr(path, "scenarios/"); p != NULL;
	    p = strstr(p + 1, "scenarios/"))
		if (p == path || p[-1] == '/')
			after = p + strlen("scenarios/");
	if (after != NULL && *after != '\0')
		return strip_lua(after);
	return strip_lua(base != NULL ? base + 1 : path);
}

int
scenario_find(char *const *paths, size_t npaths, char ***files, char ***ids,
	char *err, size_t errlen)
{
	struct found_list all = { 0 };
	size_t n = 0;

	*files = NULL;
	*ids = NULL;
	for (size_t i = 0; i < npaths; i++) {
		struct found_list one = { 0 };
		struct stat st;
		char *dir;
		size_t len;

		if (stat(paths[i], &st) < 0) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			goto fail;
		}
		if (S_ISREG(st.st_mode)) {
			found_add(&all, xstrdup(paths[i]), file_id(paths[i]));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: not a file or folder", paths[i]);
			goto fail;
		}
		len = strlen(paths[i]);
		while (len > 1 && paths[i][len - 1] == '/')
			len--;
		dir = xstrndup(paths[i], len);
		if (walk(&one, dir, "", 0, err, errlen) < 0) {
			free(dir);
			found_free(&one);
			goto fail;
		}
		free(dir);
		if (one.n > 1)
			qsort(one.v, one.n, sizeof(*one.v), found_cmp);
		for (size_t k = 0; k < one.n; k++)
			found_add(&all, one.v[k].file, one.v[k].id);
		free(one.v);
	}
	/* the same file through two arguments runs once, at its first place */
	if (all.n > 0) {
		*files = xcalloc(all.n, sizeof(**files));
		*ids = xcalloc(all.n, sizeof(**ids));
	}
	for (size_t i = 0; i < all.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = strcmp((*files)[k], all.v[i].file) == 0;
		if (dup) {
			free(all.v[i].file);
			free(all.v[i].id);
			continue;
		}
		(*files)[n] = all.v[i].file;
		(*ids)[n] = all.v[i].id;
		n++;
	}
	free(all.v);
	return scn_sweep_expand(files, ids, (int)n);
fail:
	found_free(&all);
	return -1;
}
