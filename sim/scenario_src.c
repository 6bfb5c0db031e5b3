/*
 * scenario_src: finds the source line of a key path in a scenario file,
 * for error messages.  See scenario_int.h.
 *
 * A small Lua tokenizer (long brackets, comments, escapes and Lua's own
 * newline rules) feeds a recognizer of table constructors.  It is not a
 * Lua parser: it only needs field boundaries, which are the commas and
 * semicolons outside brackets and outside blocks (function ... end and
 * friends, so that `function(a, b) return a, b end` stays one field).
 * The source has already been accepted by Lua when this runs, so nesting
 * is bounded by Lua's own limits; LOC_MAX_DEPTH guards anyway.
 */
#include "sim/scenario_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define LOC_MAX_DEPTH 256
#define LOC_EOF_PAD 5

enum tok_type { T_NAME, T_STRING, T_NUMBER, T_OP, T_EOF };

struct tok {
	enum tok_type type;
	int line;
	const char *p;          /* T_STRING: the raw contents */
	size_t len;
};

struct loc_field {
	const char *key;        /* NULL: positional or computed key */
	size_t keylen;
	long index;             /* positional number or [n] key, else 0 */
	int line;
	struct loc_node *child; /* the value, when it is a constructor */
};

struct loc_node {
	int line;
	struct loc_field *f;
	size_t nf;
};

struct scn_src {
	struct tok *t;
	size_t nt;
	int return_line;
	struct loc_node *root;
};

struct lexer {
	const char *s, *end;
	int line;
};

static bool
is_nl(char c)
{
	return c == '\n' || c == '\r';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || is_nl(c);
}

/* At a newline: skip it ("\r\n" and "\n\r" count once, as in Lua). */
static void
lex_newline(struct lexer *lx)
{
	char c = *lx->s++;

	if (lx->s < lx->end && is_nl(*lx->s) && *lx->s != c)
		lx->s++;
	lx->line++;
}

/* At '[': the level of a long bracket "[==[", or -1 if it is not one. */
static int
long_level(const struct lexer *lx)
{
	const char *p = lx->s + 1;
	int level = 0;

	while (p < lx->end && *p == '=') {
		level++;
		p++;
	}
	return p < lx->end && *p == '[' ? level : -1;
}

/* Skips a long bracket of the given level; sets the contents. */
static void
lex_long(struct lexer *lx, int level, const char **p, size_t *len)
{
	lx->s += level + 2;
	if (lx->s < lx->end && is_nl(*lx->s))
		lex_newline(lx);
	*p = lx->s;
	while (lx->s < lx->end) {
		if (*lx->s == ']') {
			const char *q = lx->s + 1;
			int n = 0;
			while (q < lx->end && *q == '=') {
				n++;
				q++;
			}
			if (n == level && q < lx->end && *q == ']') {
				*len = (size_t)(lx->s - *p);
				lx->s = q + 1;
				return;
			}
			lx->s++;
		} else if (is_nl(*lx->s))
			lex_newline(lx);
		else
			lx->s++;
	}
	*len = (size_t)(lx->s - *p);
}

static void
lex_quoted(struct lexer *lx, const char **p, size_t *len)
{
	char q = *lx->s++;

	*p = lx->s;
	while (lx->s < lx->end && *lx->s != q && !is_nl(*lx->s)) {
		if (*lx->s == '\\' && lx->s + 1 < lx->end) {
			lx->s++;
			if (is_nl(*lx->s)) {
				lex_newline(lx);
				continue;
			}
			if (*lx->s == 'z') {        /* \z skips following space */
				lx->s++;
				while (lx->s < lx->end && is_space(*lx->s)) {
					if (is_nl(*lx->s))
						lex_newline(lx);
					else
						lx->s++;
				}
				continue;
			}
		}
		lx->s++;
	}
	*len = (size_t)(lx->s - *p);
	if (lx->s < lx->end && *lx->s == q)
		lx->s++;
}

static bool
is_name_char(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (!first && c >= '0' && c <= '9');
}

static void
tokenize(struct scn_src *src, const char *text, size_t len)
{
	static const char *const ops[] = {
		"...", "..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::",
	};
	struct lexer lx = { text, text + len, 1 };
	size_t cap = 0;

	for (;;) {
		struct tok tk = { T_OP, 0, NULL, 0 };
		char c;

		while (lx.s < lx.end && is_space(*lx.s)) {
			if (is_nl(*lx.s))
				lex_newline(&lx);
			else
				lx.s++;
		}
		if (lx.s + 1 < lx.end && lx.s[0] == '-' && lx.s[1] == '-') {
			int level;
			lx.s += 2;
			if (lx.s < lx.end && *lx.s == '[' &&
			    (level = long_level(&lx)) >= 0) {
				const char *p;
				size_t n;
				lex_long(&lx, level, &p, &n);
			} else {
				while (lx.s < lx.end && !is_nl(*lx.s))
					lx.s++;
			}
			continue;
		}
		/* room for this token and the EOF padding */
		if (src->nt + LOC_EOF_PAD >= cap) {
			cap = cap ? cap * 2 : 256;
			src->t = xrealloc(src->t, cap * sizeof(*src->t));
		}
		tk.line = lx.line;
		if (lx.s >= lx.end) {
			/* several EOF tokens: lookahead of a few never overruns */
			tk.type = T_EOF;
			for (int i = 0; i < LOC_EOF_PAD; i++)
				src->t[src->nt++] = tk;
			return;
		}
		c = *lx.s;
		tk.p = lx.s;
		if (c == '"' || c == '\'') {
			tk.type = T_STRING;
			lex_quoted(&lx, &tk.p, &tk.len);
		} else if (c == '[' && long_level(&lx) >= 0) {
			tk.type = T_STRING;
			lex_long(&lx, long_level(&lx), &tk.p, &tk.len);
		} else if ((c >= '0' && c <= '9') || (c == '.' && lx.s + 1 < lx.end &&
		    lx.s[1] >= '0' && lx.s[1] <= '9')) {
			tk.type = T_NUMBER;
			while (lx.s < lx.end && (is_name_char(*lx.s, false) ||
			    *lx.s == '.' || ((*lx.s == '+' || *lx.s == '-') &&
			    lx.s[-1] != '\0' && strchr("eEpP", lx.s[-1]))))
				lx.s++;
			tk.len = (size_t)(lx.s - tk.p);
		} else if (is_name_char(c, true)) {
			tk.type = T_NAME;
			while (lx.s < lx.end && is_name_char(*lx.s, false))
				lx.s++;
			tk.len = (size_t)(lx.s - tk.p);
		} else {
			tk.len = 1;
			for (size_t i = 0; i < ARRAY_LEN(ops); i++) {
				size_t n = strlen(ops[i]);
				if ((size_t)(lx.end - lx.s) >= n &&
				    memcmp(lx.s, ops[i], n) == 0) {
					tk.len = n;
					break;
				}
			}
			lx.s += tk.len;
		}
		src->t[src->nt++] = tk;
	}
}

static bool
tok_is(const struct tok *t, enum tok_type type, const char *s)
{
	return t->type == type && t->len == strlen(s) &&
	    memcmp(t->p, s, t->len) == 0;
}

static bool
is_op(const struct tok *t, const char *s)
{
	return tok_is(t, T_OP, s);
}

/* +1 for tokens that open a block or bracket, -1 for closers, else 0.
 * `while`/`for` are not counted: their `do` is. */
static int
nesting(const struct tok *t)
{
	static const char *const open_kw[] = { "function", "if", "do", "repeat" };
	static const char *const close_kw[] = { "end", "until" };

	if (t->type == T_OP) {
		if (t->len != 1 || t->p[0] == '\0')
			return 0;
		return strchr("([{", t->p[0]) ? 1 : strchr(")]}", t->p[0]) ? -1 : 0;
	}
	if (t->type != T_NAME)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(open_kw); i++)
		if (tok_is(t, T_NAME, open_kw[i]))
			return 1;
	for (size_t i = 0; i < ARRAY_LEN(close_kw); i++)
		if (tok_is(t, T_NAME, close_kw[i]))
			return -1;
	return 0;
}

/* From i, skips to the ',' ';' or '}' that ends a field (or EOF). */
static size_t
skip_expr(const struct scn_src *src, size_t i)
{
	int depth = 0;

	for (; src->t[i].type != T_EOF; i++) {
		const struct tok *t = &src->t[i];
		if (depth == 0 && (is_op(t, ",") || is_op(t, ";") || is_op(t, "}")))
			return i;
		depth += nesting(t);
		if (depth < 0)
			return i;
	}
	return i;
}

static void
node_free(struct loc_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nf; i++)
		node_free(n->f[i].child);
	free(n->f);
	free(n);
}

static long
tok_index(const struct tok *t)
{
	char buf[32];
	char *end;
	long v;

	if (t->type != T_NUMBER || t->len >= sizeof(buf))
		return 0;
	memcpy(buf, t->p, t->len);
	buf[t->len] = '\0';
	v = strtol(buf, &end, 10);
	return *end == '\0' && v > 0 ? v : 0;
}

/* Parses the constructor whose '{' is at *ip; leaves *ip after its '}'. */
static struct loc_node *
parse_table(const struct scn_src *src, size_t *ip, int depth)
{
	struct loc_node *n = xcalloc(1, sizeof(*n));
	size_t i = *ip, cap = 0;
	long pos = 0;

	n->line = src->t[i].line;
	i++;
	while (src->t[i].type != T_EOF && !is_op(&src->t[i], "}")) {
		struct loc_field f = { NULL, 0, 0, src->t[i].line, NULL };
		const struct tok *t = &src->t[i];
		size_t v;

		if (t->type == T_NAME && is_op(&src->t[i + 1], "=")) {
			f.key = t->p;
			f.keylen = t->len;
			v = i + 2;
		} else if (is_op(t, "[")) {
			const struct tok *k = &src->t[i + 1];
			if (is_op(&src->t[i + 2], "]") && is_op(&src->t[i + 3], "=")) {
				if (k->type == T_STRING &&
				    memchr(k->p, '\\', k->len) == NULL) {
					f.key = k->p;
					f.keylen = k->len;
				} else
					f.index = tok_index(k);
				v = i + 4;
			} else {
				/* a computed key: skip to its '=' */
				v = skip_expr(src, i);
				for (size_t j = i + 1; j < v; j++)
					if (is_op(&src->t[j], "]") &&
					    is_op(&src->t[j + 1], "=")) {
						v = j + 2;
						break;
					}
			}
		} else {
			f.index = ++pos;
			v = i;
		}
		if (is_op(&src->t[v], "{") && depth < LOC_MAX_DEPTH)
			f.child = parse_table(src, &v, depth + 1);
		i = skip_expr(src, v);
		if (n->nf == cap) {
			cap = cap ? cap * 2 : 8;
			n->f = xrealloc(n->f, cap * sizeof(*n->f));
		}
		n->f[n->nf++] = f;
		if (is_op(&src->t[i], ",") || is_op(&src->t[i], ";"))
			i++;
		else if (!is_op(&src->t[i], "}"))
			break;      /* malformed; Lua would not have run it */
	}
	if (is_op(&src->t[i], "}"))
		i++;
	*ip = i;
	return n;
}

/* The '{' of the constructor the chunk returns, or 0. */
static size_t
find_root(struct scn_src *src)
{
	size_t ret = 0, i;
	bool found = false;
	int depth = 0;

	for (i = 0; src->t[i].type != T_EOF; i++) {
		if (depth == 0 && tok_is(&src->t[i], T_NAME, "return")) {
			ret = i;
			found = true;
		}
		depth += nesting(&src->t[i]);
	}
	if (!found)
		return 0;
	src->return_line = src->t[ret].line;
	i = ret + 1;
	/* return t: find the last top-level "t = {" */
	if (src->t[i].type == T_NAME && (src->t[i + 1].type == T_EOF ||
	    is_op(&src->t[i + 1], ";"))) {
		const struct tok *name = &src->t[i];
		size_t at = 0;
		depth = 0;
		for (size_t j = 0; j < ret; j++) {
			if (depth == 0 && src->t[j].type == T_NAME &&
			    src->t[j].len == name->len &&
			    memcmp(src->t[j].p, name->p, name->len) == 0 &&
			    is_op(&src->t[j + 1], "=") && is_op(&src->t[j + 2], "{"))
				at = j + 2;
			depth += nesting(&src->t[j]);
		}
		return at;
	}
	/* return f{...}, return f({...}), return M.f { ... } */
	while (src->t[i].type == T_NAME || is_op(&src->t[i], ".") ||
	    is_op(&src->t[i], ":") || is_op(&src->t[i], "("))
		i++;
	return is_op(&src->t[i], "{") ? i : 0;
}

struct scn_src *
scn_src_new(const char *text, size_t len)
{
	struct scn_src *src = xcalloc(1, sizeof(*src));
	size_t root;

	tokenize(src, text, len);
	src->return_line = 1;
	root = find_root(src);
	if (root != 0)
		src->root = parse_table(src, &root, 0);
	return src;
}

void
scn_src_free(struct scn_src *src)
{
	if (src == NULL)
		return;
	node_free(src->root);
	free(src->t);
	free(src);
}

static const struct loc_field *
find_field(const struct loc_node *n, const struct scn_key *k)
{
	const struct loc_field *hit = NULL;

	/* the last match: in Lua a repeated key keeps its last value */
	for (size_t i = 0; i < n->nf; i++) {
		const struct loc_field *f = &n->f[i];
		if (k->name != NULL ? f->key != NULL && f->keylen == strlen(k->name) &&
		    memcmp(f->key, k->name, f->keylen) == 0 :
		    f->key == NULL && f->index == k->index)
			hit = f;
	}
	return hit;
}

int
scn_src_line(const struct scn_src *src, const struct scn_key *path, size_t n)
{
	const struct loc_node *node = src->root;
	int line;

	if (node == NULL)
		return src->return_line;
	line = node->line;
	for (size_t i = 0; i < n && node != NULL; i++) {
		const struct loc_field *f = find_field(node, &path[i]);
		if (f == NULL)
			break;
		line = f->line;
		node = f->child;
	}
	return line;
}
