/*
 * ext_profile: reads a sender profile (senders/profiles/README.md has the
 * format) and expands ${VAR} templates.
 *
 * The file is line-based: "key = value" lines, "[mode NAME]" sections
 * whose keys apply only when that mode is chosen (list keys append,
 * scalar keys replace) up to the next section or "[global]", and "[file NAME]" ... "[end]" blocks whose lines
 * are a template written to WORK/NAME.  '#' starts a comment line outside
 * file blocks.  Errors name the file and line.
 */
#include "senders/ext/ext_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

#define DEFAULT_DIR "senders/profiles"

void
strv_push(struct strv *s, const char *v)
{
	s->v = xrealloc(s->v, (s->n + 2) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(v);
	s->v[s->n] = NULL;
}

void
strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

bool
strv_has(const struct strv *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v) == 0)
			return true;
	return false;
}

static void
push_words(struct strv *s, const char *v)
{
	char *copy = xstrdup(v), *save = NULL;

	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		strv_push(s, w);
	free(copy);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "key =" with nothing after it removes the key (a mode without the
 * global `relay`, say) */
static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v[0] != '\0' ? xstrdup(v) : NULL;
}

static int
set_uint(unsigned *dst, const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (end == v || *end != '\0' || n == 0 || n > 86400 * 1000UL)
		return -1;
	*dst = (unsigned)n;
	return 0;
}

/* One "key = value".  in_mode: from the chosen mode's section. */
static int
apply_key(struct ext_profile *p, const char *key, const char *val, bool in_mode,
    char *err, size_t errlen)
{
	struct { const char *key; struct strv *list; bool words; } lists[] = {
		{ "requires", &p->requires, true }, { "supports", &p->supports, true },
		{ "env", &p->env, false }, { "bind", &p->binds, false },
		{ "setup", &p->setup, false }, { "daemon", &p->daemon, false },
		{ "phase", &p->phase, false }, { "teardown", &p->teardown, false },
		{ "evidence", &p->evidence, false },
	};
	struct { const char *key; char **dst; } strs[] = {
		{ "description", &p->description }, { "relay", &p->relay },
		{ "submission", &p->submission }, { "wait", &p->wait },
		{ "queue_id", &p->queue_id }, { "finished", &p->finished },
		{ "evidence_match", &p->evidence_match },
		{ "delivered", &p->delivered_match }, { "deferred", &p->deferred_match },
		{ "bounced", &p->bounced_match },
	};
	struct { const char *key; unsigned *dst; } nums[] = {
		{ "timeout", &p->timeout_s }, { "cmd_timeout", &p->cmd_timeout_s },
		{ "poll_ms", &p->poll_ms },
	};

	if (strcmp(key, "modes") == 0) {
		if (in_mode) {
			snprintf(err, errlen, "\"modes\" belongs before the mode sections");
			return -1;
		}
		push_words(&p->modes, val);
		return 0;
	}
	if (strcmp(key, "var") == 0) {
		if (strchr(val, '=') == NULL) {
			snprintf(err, errlen, "var wants NAME=value");
			return -1;
		}
		return 1;   /* the caller keeps vars in order */
	}
	for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
		if (strcmp(key, lists[i].key) == 0) {
			if (lists[i].words)
				push_words(lists[i].list, val);
			else
				strv_push(lists[i].list, val);
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
		if (strcmp(key, strs[i].key) == 0) {
			set_str(strs[i].dst, val);
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(nums); i++) {
		if (strcmp(key, nums[i].key) == 0) {
			if (set_uint(nums[i].dst, val) < 0) {
				snprintf(err, errlen, "%s wants a positive number, got \"%s\"",
				    key, val);
				return -1;
			}
			return 0;
		}
	}
	snprintf(err, errlen, "unknown key \"%s\"", key);
	return -1;
}

/* Find the profile file: a path (contains '/' or ends in .conf), else
 * NAME.conf in $MXSIM_PROFILES (':'-separated) or senders/profiles. */
static char *
find_file(const char *name)
{
	const char *dirs = getenv("MXSIM_PROFILES");
	char *list, *save = NULL, *found = NULL;

	if (strchr(name, '/') != NULL || strstr(name, ".conf") != NULL)
		return access(name, R_OK) == 0 ? xstrdup(name) : NULL;
	list = xstrdup(dirs != NULL && dirs[0] ? dirs : DEFAULT_DIR);
	for (char *d = strtok_r(list, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *path = xasprintf("%s/%s.conf", d, name);
		if (access(path, R_OK) == 0)
			found = path;
		else
			free(path);
	}
	free(list);
	return found;
}

struct parse {
	struct ext_profile *p;
	struct strv vars;        /* var = lines of the chosen scope */
	struct strv sections;    /* mode section names seen */
	FILE *f;
	unsigned line;
};

/* Read a [file NAME] block up to [end]. */
static int
read_file_block(struct parse *ps, const char *fname, bool keep, char *err, size_t errlen)
{
	struct buf b = { 0 };
	char *ln = NULL;
	size_t cap = 0;

	while (getline(&ln, &cap, ps->f) >= 0) {
		ps->line++;
		if (strncmp(ln, "[end]", 5) == 0) {
			if (keep) {
				struct ext_profile *p = ps->p;
				p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
				p->files[p->nfiles].name = xstrdup(fname);
				buf_append(&b, "", 1);
				p->files[p->nfiles++].text = (char *)b.data;
			} else {
				buf_free(&b);
			}
			free(ln);
			return 0;
		}
		buf_append(&b, ln, strlen(ln));
	}
	free(ln);
	buf_free(&b);
	snprintf(err, errlen, "[file %s] has no [end]", fname);
	return -1;
}

static int
parse_lines(struct parse *ps, char *err, size_t errlen)
{
	char *ln = NULL, msg[512];
	size_t cap = 0;
	bool skip = false, in_mode = false;
	int rc = 0;

	while (rc == 0 && getline(&ln, &cap, ps->f) >= 0) {
		char *s = trim(ln), *eq;
		ps->line++;
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "[mode ", 6) == 0 && s[strlen(s) - 1] == ']') {
			s[strlen(s) - 1] = '\0';
			char *m = trim(s + 6);
			strv_push(&ps->sections, m);
			in_mode = true;
			skip = strcmp(m, ps->p->mode) != 0;
			continue;
		}
		if (strcmp(s, "[global]") == 0) {
			in_mode = skip = false;
			continue;
		}
		if (strncmp(s, "[file ", 6) == 0 && s[strlen(s) - 1] == ']') {
			s[strlen(s) - 1] = '\0';
			char *fname = xstrdup(trim(s + 6));
			if (fname[0] == '\0' || fname[0] == '/' || strstr(fname, "..") != NULL) {
				snprintf(msg, sizeof(msg), "file name \"%s\" must be relative, "
				    "below the work folder", fname);
				rc = -1;
			} else {
				rc = read_file_block(ps, fname, !skip, msg, sizeof(msg));
			}
			free(fname);
			continue;
		}
		if (*s == '[') {
			snprintf(msg, sizeof(msg), "unknown section %s", s);
			rc = -1;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(msg, sizeof(msg), "expected \"key = value\"");
			rc = -1;
			continue;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		if (skip)
			continue;
		int r = apply_key(ps->p, key, val, in_mode, msg, sizeof(msg));
		if (r == 1)
			strv_push(&ps->vars, val);
		else if (r < 0)
			rc = -1;
	}
	free(ln);
	if (rc < 0)
		snprintf(err, errlen, "%s:%u: %s", ps->p->path, ps->line, msg);
	return rc;
}

static int
validate(struct parse *ps, char *err, size_t errlen)
{
	struct ext_profile *p = ps->p;

	if (p->modes.n == 0)
		for (size_t i = 0; i < ps->sections.n; i++)
			strv_push(&p->modes, ps->sections.v[i]);
	if (p->modes.n > 0 && !strv_has(&p->modes, p->mode)) {
		struct buf b = { 0 };
		for (size_t i = 0; i < p->modes.n; i++)
			buf_appendf(&b, "%s%s:%s", i ? ", " : "", p->name, p->modes.v[i]);
		snprintf(err, errlen, "%s: unknown mode \"%s\" (modes: %s)", p->path,
		    p->mode, buf_cstr(&b));
		buf_free(&b);
		return -1;
	}
	if (p->relay == NULL && p->submission == NULL) {
		snprintf(err, errlen, "%s: the profile has neither \"relay\" nor "
		    "\"submission\": it cannot send anything", p->path);
		return -1;
	}
	for (size_t i = 0; i < ps->vars.n; i++)
		strv_push(&p->vars, ps->vars.v[i]);
	return 0;
}

struct ext_profile *
ext_profile_load(const char *name, char *err, size_t errlen)
{
	struct ext_profile *p;
	struct parse ps = { 0 };
	const char *colon = strrchr(name, ':');
	char *base = colon ? xstrndup(name, (size_t)(colon - name)) : xstrdup(name);
	char *path = find_file(base);
	int rc;

	if (path == NULL) {
		snprintf(err, errlen, "unknown sender \"%s\": no profile %s%s found "
		    "(senders/profiles/*.conf or $MXSIM_PROFILES; builtin, "
		    "builtin:opportunistic and builtin:no-verify are built in)", name,
		    base, strchr(base, '/') ? "" : ".conf");
		free(base);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->path = path;
	const char *slash = strrchr(base, '/');
	p->name = xstrdup(slash ? slash + 1 : base);
	char *dot = strstr(p->name, ".conf");
	if (dot != NULL)
		*dot = '\0';
	free(base);
	p->timeout_s = 60;
	p->cmd_timeout_s = 30;
	p->poll_ms = 100;
	ps.p = p;
	ps.f = fopen(path, "r");
	if (ps.f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ext_profile_free(p);
		return NULL;
	}
	/* the mode: given, or the first of "modes" (read in a first pass) */
	if (colon != NULL) {
		p->mode = xstrdup(colon + 1);
	} else {
		p->mode = xstrdup("");
		rc = parse_lines(&ps, err, errlen);
		if (rc == 0 && p->modes.n == 0 && ps.sections.n > 0)
			strv_push(&p->modes, ps.sections.v[0]);
		char *first = p->modes.n ? xstrdup(p->modes.v[0]) : xstrdup("");
		char *keep_path = xstrdup(path);
		fclose(ps.f);
		strv_free(&ps.vars);
		strv_free(&ps.sections);
		ext_profile_free(p);
		if (rc < 0) {
			free(first);
			free(keep_path);
			return NULL;
		}
		char *full = xasprintf("%s:%s", keep_path, first);
		free(first);
		free(keep_path);
		p = ext_profile_load(full, err, errlen);
		free(full);
		return p;
	}
	rc = parse_lines(&ps, err, errlen);
	fclose(ps.f);
	if (rc == 0)
		rc = validate(&ps, err, errlen);
	strv_free(&ps.vars);
	strv_free(&ps.sections);
	if (rc < 0) {
		ext_profile_free(p);
		return NULL;
	}
	return p;
}

void
ext_profile_free(struct ext_profile *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->name);
	free(p->mode);
	free(p->description);
	strv_free(&p->modes);
	strv_free(&p->requires);
	strv_free(&p->supports);
	strv_free(&p->env);
	strv_free(&p->vars);
	strv_free(&p->binds);
	strv_free(&p->setup);
	strv_free(&p->daemon);
	strv_free(&p->phase);
	strv_free(&p->teardown);
	strv_free(&p->evidence);
	free(p->relay);
	free(p->submission);
	free(p->wait);
	free(p->queue_id);
	free(p->finished);
	free(p->evidence_match);
	free(p->delivered_match);
	free(p->deferred_match);
	free(p->bounced_match);
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].name);
		free(p->files[i].text);
	}
	free(p->files);
	free(p);
}

char *
ext_expand(const char *t, const struct strv *vars)
{
	struct buf b = { 0 };

	while (*t != '\0') {
		const char *end;
		if (t[0] == '$' && t[1] == '{' && (end = strchr(t + 2, '}')) != NULL) {
			size_t kl = (size_t)(end - (t + 2));
			const char *val = NULL;
			for (size_t i = 0; i < vars->n && val == NULL; i++)
				if (strncmp(vars->v[i], t + 2, kl) == 0 && vars->v[i][kl] == '=')
					val = vars->v[i] + kl + 1;
			if (val != NULL) {
				buf_append(&b, val, strlen(val));
				t = end + 1;
				continue;
			}
		}
		buf_append(&b, t, 1);
		t++;
	}
	buf_append(&b, "", 1);
	return (char *)b.data;
}
