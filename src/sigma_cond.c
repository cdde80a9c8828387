/* SPDX-License-Identifier: ISC */
/*
 * Sigma conditions: parse the text of a detection's condition into a small
 * tree over the rule's search identifiers, and evaluate that tree with
 * short-circuit, asking the caller for each identifier's result.  The
 * grammar, from least to most binding:
 *
 *	expr	= and { "or" and }
 *	and	= unary { "and" unary }
 *	unary	= "not" unary | primary
 *	primary	= "(" expr ")" | count "of" target | identifier
 *	count	= number | "all" | "any"
 *	target	= "them" | pattern		(pattern: "*" wildcards)
 *
 * Keywords are case-insensitive; identifiers are not.  The obsolete
 * aggregations ("| count() ...", "| near ...") are refused with a pointer
 * to correlation rules.  Pure: no I/O, errors come back in *cause.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "sigma.h"
#include "xmalloc.h"

enum sigma_cond_tok {
	SIGMA_TOK_END,
	SIGMA_TOK_LP,
	SIGMA_TOK_RP,
	SIGMA_TOK_AND,
	SIGMA_TOK_OR,
	SIGMA_TOK_NOT,
	SIGMA_TOK_OF,
	SIGMA_TOK_ALL,
	SIGMA_TOK_ANY,
	SIGMA_TOK_THEM,
	SIGMA_TOK_NUMBER,
	SIGMA_TOK_WORD,
	SIGMA_TOK_PIPE,
};

struct sigma_cond_parser {
	const char		 *text;
	size_t			  pos;		/* after the current token */
	enum sigma_cond_tok	  tok;
	const char		 *start;	/* of the current token */
	size_t			  len;
	const char *const	 *names;
	size_t			  nnames;
	int			  depth;
	char			 *cause;
};

static const struct {
	const char		*word;
	enum sigma_cond_tok	 tok;
} sigma_cond_keywords[] = {
	{ "and",	SIGMA_TOK_AND },
	{ "or",		SIGMA_TOK_OR },
	{ "not",	SIGMA_TOK_NOT },
	{ "of",		SIGMA_TOK_OF },
	{ "all",	SIGMA_TOK_ALL },
	{ "any",	SIGMA_TOK_ANY },
	{ "them",	SIGMA_TOK_THEM },
};

static void	 sigma_cond_next(struct sigma_cond_parser *);
static size_t	 sigma_cond_column(const struct sigma_cond_parser *);
static void	 sigma_cond_error(struct sigma_cond_parser *, const char *,
		    ...) __printflike(2, 3);
static void	 sigma_cond_unexpected(struct sigma_cond_parser *);
static struct sigma_cond *sigma_cond_new(enum sigma_cond_type);
static void	 sigma_cond_add(struct sigma_cond *, struct sigma_cond *);
static struct sigma_cond *sigma_cond_expr(struct sigma_cond_parser *);
static struct sigma_cond *sigma_cond_and(struct sigma_cond_parser *);
static struct sigma_cond *sigma_cond_unary(struct sigma_cond_parser *);
static struct sigma_cond *sigma_cond_primary(struct sigma_cond_parser *);
static struct sigma_cond *sigma_cond_of(struct sigma_cond_parser *);
static int	 sigma_cond_glob(const char *, size_t, const char *);
static void	 sigma_cond_print1(const struct sigma_cond *,
		    const char *const *, struct buf *);

/* Move to the next token. */
static void
sigma_cond_next(struct sigma_cond_parser *p)
{
	const char	*s = p->text;
	size_t		 i = p->pos, k;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->start = s + i;
	p->len = 1;
	switch (s[i]) {
	case '\0':
		p->tok = SIGMA_TOK_END;
		p->len = 0;
		p->pos = i;
		return;
	case '(':
		p->tok = SIGMA_TOK_LP;
		p->pos = i + 1;
		return;
	case ')':
		p->tok = SIGMA_TOK_RP;
		p->pos = i + 1;
		return;
	case '|':
		p->tok = SIGMA_TOK_PIPE;
		p->pos = i + 1;
		return;
	}
	k = i;
	while (s[k] != '\0' && strchr(" \t\n\r()|", s[k]) == NULL)
		k++;
	p->len = k - i;
	p->pos = k;
	p->tok = SIGMA_TOK_WORD;
	for (k = 0; k < nitems(sigma_cond_keywords); k++) {
		if (strlen(sigma_cond_keywords[k].word) == p->len &&
		    strncasecmp(p->start, sigma_cond_keywords[k].word,
		    p->len) == 0) {
			p->tok = sigma_cond_keywords[k].tok;
			return;
		}
	}
	for (k = 0; k < p->len; k++) {
		if (!isdigit((unsigned char)p->start[k]))
			return;
	}
	p->tok = SIGMA_TOK_NUMBER;
}

/* Column (from 1) of the current token. */
static size_t
sigma_cond_column(const struct sigma_cond_parser *p)
{
	return (size_t)(p->start - p->text) + 1;
}

/* Record the first error only. */
static void
sigma_cond_error(struct sigma_cond_parser *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	p->cause = msg;
}

/* Complain about the current token. */
static void
sigma_cond_unexpected(struct sigma_cond_parser *p)
{
	if (p->tok == SIGMA_TOK_END)
		sigma_cond_error(p, "unexpected end of condition");
	else {
		sigma_cond_error(p, "unexpected '%.*s' at column %zu",
		    (int)p->len, p->start, sigma_cond_column(p));
	}
}

static struct sigma_cond *
sigma_cond_new(enum sigma_cond_type type)
{
	struct sigma_cond	*c;

	c = xcalloc(1, sizeof *c);
	c->type = type;
	return c;
}

static void
sigma_cond_add(struct sigma_cond *c, struct sigma_cond *kid)
{
	c->kids = xreallocarray(c->kids, c->nkids + 1, sizeof *c->kids);
	c->kids[c->nkids++] = kid;
}

/* Free a condition tree. */
void
sigma_cond_free(struct sigma_cond *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nkids; i++)
		sigma_cond_free(c->kids[i]);
	free(c->kids);
	free(c);
}

/* expr = and { "or" and } */
static struct sigma_cond *
sigma_cond_expr(struct sigma_cond_parser *p)
{
	struct sigma_cond	*c, *or = NULL, *kid;

	if ((c = sigma_cond_and(p)) == NULL)
		return NULL;
	while (p->tok == SIGMA_TOK_OR) {
		sigma_cond_next(p);
		if ((kid = sigma_cond_and(p)) == NULL) {
			sigma_cond_free(or != NULL ? or : c);
			return NULL;
		}
		if (or == NULL) {
			or = sigma_cond_new(SIGMA_COND_OR);
			sigma_cond_add(or, c);
		}
		sigma_cond_add(or, kid);
	}
	return or != NULL ? or : c;
}

/* and = unary { "and" unary } */
static struct sigma_cond *
sigma_cond_and(struct sigma_cond_parser *p)
{
	struct sigma_cond	*c, *and = NULL, *kid;

	if ((c = sigma_cond_unary(p)) == NULL)
		return NULL;
	while (p->tok == SIGMA_TOK_AND) {
		sigma_cond_next(p);
		if ((kid = sigma_cond_unary(p)) == NULL) {
			sigma_cond_free(and != NULL ? and : c);
			return NULL;
		}
		if (and == NULL) {
			and = sigma_cond_new(SIGMA_COND_AND);
			sigma_cond_add(and, c);
		}
		sigma_cond_add(and, kid);
	}
	return and != NULL ? and : c;
}

/* unary = "not" unary | primary */
static struct sigma_cond *
sigma_cond_unary(struct sigma_cond_parser *p)
{
	struct sigma_cond	*c, *kid;

	if (p->tok != SIGMA_TOK_NOT)
		return sigma_cond_primary(p);
	if (++p->depth > SIGMA_COND_DEPTH) {
		sigma_cond_error(p, "condition nested deeper than %d levels",
		    SIGMA_COND_DEPTH);
		return NULL;
	}
	sigma_cond_next(p);
	if ((kid = sigma_cond_unary(p)) == NULL)
		return NULL;
	p->depth--;
	c = sigma_cond_new(SIGMA_COND_NOT);
	sigma_cond_add(c, kid);
	return c;
}

/* primary = "(" expr ")" | count "of" target | identifier */
static struct sigma_cond *
sigma_cond_primary(struct sigma_cond_parser *p)
{
	struct sigma_cond	*c;
	size_t			 i, col;

	switch (p->tok) {
	case SIGMA_TOK_LP:
		if (++p->depth > SIGMA_COND_DEPTH) {
			sigma_cond_error(p,
			    "condition nested deeper than %d levels",
			    SIGMA_COND_DEPTH);
			return NULL;
		}
		col = sigma_cond_column(p);
		sigma_cond_next(p);
		if ((c = sigma_cond_expr(p)) == NULL)
			return NULL;
		if (p->tok != SIGMA_TOK_RP) {
			if (p->tok == SIGMA_TOK_END) {
				sigma_cond_error(p, "missing ')' for the '(' "
				    "at column %zu", col);
			} else
				sigma_cond_unexpected(p);
			sigma_cond_free(c);
			return NULL;
		}
		p->depth--;
		sigma_cond_next(p);
		return c;
	case SIGMA_TOK_NUMBER:
	case SIGMA_TOK_ALL:
	case SIGMA_TOK_ANY:
		return sigma_cond_of(p);
	case SIGMA_TOK_WORD:
		if (memchr(p->start, '*', p->len) != NULL) {
			sigma_cond_error(p, "pattern '%.*s' at column %zu "
			    "needs '1 of' or 'all of'", (int)p->len, p->start,
			    sigma_cond_column(p));
			return NULL;
		}
		for (i = 0; i < p->nnames; i++) {
			if (strlen(p->names[i]) == p->len &&
			    strncmp(p->names[i], p->start, p->len) == 0)
				break;
		}
		if (i == p->nnames) {
			sigma_cond_error(p, "unknown search identifier '%.*s' "
			    "at column %zu", (int)p->len, p->start,
			    sigma_cond_column(p));
			return NULL;
		}
		c = sigma_cond_new(SIGMA_COND_SEL);
		c->sel = i;
		sigma_cond_next(p);
		return c;
	default:
		sigma_cond_unexpected(p);
		return NULL;
	}
}

/*
 * count "of" target.  "1 of" and "any of" become an OR, "all of" an AND,
 * and "N of" an OF node needing N of the matching identifiers.
 */
static struct sigma_cond *
sigma_cond_of(struct sigma_cond_parser *p)
{
	struct sigma_cond	*c, *kid;
	const char		*count = p->start, *pat;
	size_t			 countlen = p->len, patlen, i, n = 0;
	size_t			 col = sigma_cond_column(p);
	unsigned long long	 need = 1;
	int			 all = 0, them;

	if (p->tok == SIGMA_TOK_ALL)
		all = 1;
	else if (p->tok == SIGMA_TOK_NUMBER) {
		need = countlen > 9 ? 1000000000ULL : strtoull(count, NULL, 10);
		if (need == 0) {
			sigma_cond_error(p, "'0 of' at column %zu can never "
			    "match", col);
			return NULL;
		}
	}
	sigma_cond_next(p);
	if (p->tok != SIGMA_TOK_OF) {
		sigma_cond_error(p, "expected 'of' after '%.*s' at column %zu",
		    (int)countlen, count, col);
		return NULL;
	}
	sigma_cond_next(p);
	if (p->tok != SIGMA_TOK_THEM && p->tok != SIGMA_TOK_WORD) {
		if (p->tok == SIGMA_TOK_END) {
			sigma_cond_error(p, "expected a pattern or 'them' "
			    "after '%.*s of'", (int)countlen, count);
		} else
			sigma_cond_unexpected(p);
		return NULL;
	}
	them = p->tok == SIGMA_TOK_THEM;
	pat = p->start;
	patlen = p->len;

	c = sigma_cond_new(all ? SIGMA_COND_AND : SIGMA_COND_OR);
	for (i = 0; i < p->nnames; i++) {
		if (them ? p->names[i][0] == '_' :
		    !sigma_cond_glob(pat, patlen, p->names[i]))
			continue;
		kid = sigma_cond_new(SIGMA_COND_SEL);
		kid->sel = i;
		sigma_cond_add(c, kid);
		n++;
	}
	if (n == 0) {
		sigma_cond_error(p, "no search identifier matches '%.*s' at "
		    "column %zu", (int)patlen, pat, sigma_cond_column(p));
		sigma_cond_free(c);
		return NULL;
	}
	if (need > n) {
		sigma_cond_error(p, "'%.*s of %.*s' at column %zu asks for "
		    "more than the %zu matching search identifier%s",
		    (int)countlen, count, (int)patlen, pat, col, n,
		    n == 1 ? "" : "s");
		sigma_cond_free(c);
		return NULL;
	}
	sigma_cond_next(p);
	if (n == 1) {
		kid = c->kids[0];
		c->nkids = 0;
		sigma_cond_free(c);
		return kid;
	}
	if (need > 1 && need < n) {
		c->type = SIGMA_COND_OF;
		c->need = need;
	} else if (need == n)
		c->type = SIGMA_COND_AND;
	return c;
}

/* Match a name against a pattern where '*' stands for any characters. */
static int
sigma_cond_glob(const char *pat, size_t patlen, const char *s)
{
	size_t	 pi = 0, star = (size_t)-1;
	const char *mark = NULL;

	for (;;) {
		if (pi < patlen && pat[pi] == '*') {
			star = ++pi;
			mark = s;
			continue;
		}
		if (*s == '\0')
			break;
		if (pi < patlen && pat[pi] == *s) {
			pi++;
			s++;
			continue;
		}
		if (star == (size_t)-1)
			return 0;
		pi = star;
		s = ++mark;
	}
	return pi == patlen;
}

/*
 * Parse a condition over the search identifiers names[0..nnames-1] (in
 * the order of the detection).  Returns NULL and *cause on error.
 */
struct sigma_cond *
sigma_cond_parse(const char *text, const char *const *names, size_t nnames,
    char **cause)
{
	struct sigma_cond_parser	 p;
	struct sigma_cond		*c = NULL;
	const char			*bar;
	size_t				 len;

	*cause = NULL;
	if ((len = strlen(text)) > SIGMA_COND_MAX) {
		xasprintf(cause, "condition longer than %d bytes",
		    SIGMA_COND_MAX);
		return NULL;
	}
	if ((bar = strchr(text, '|')) != NULL) {
		while (len > 0 && isspace((unsigned char)text[len - 1]))
			len--;
		xasprintf(cause, "obsolete aggregation '%.*s': write a "
		    "correlation rule instead",
		    (int)(text + len - bar), bar);
		return NULL;
	}
	memset(&p, 0, sizeof p);
	p.text = text;
	p.names = names;
	p.nnames = nnames;
	sigma_cond_next(&p);
	if (p.tok == SIGMA_TOK_END) {
		*cause = xstrdup("empty condition");
		return NULL;
	}
	if ((c = sigma_cond_expr(&p)) != NULL && p.tok != SIGMA_TOK_END) {
		sigma_cond_unexpected(&p);
		sigma_cond_free(c);
		c = NULL;
	}
	if (c == NULL) {
		if (p.cause == NULL)
			p.cause = xstrdup("bad condition");
		*cause = p.cause;
	}
	return c;
}

/* Join the conditions of a condition list with OR (takes them). */
struct sigma_cond *
sigma_cond_or(struct sigma_cond **conds, size_t n)
{
	struct sigma_cond	*c;
	size_t			 i;

	if (n == 1)
		return conds[0];
	c = sigma_cond_new(SIGMA_COND_OR);
	for (i = 0; i < n; i++)
		sigma_cond_add(c, conds[i]);
	return c;
}

/*
 * Evaluate a condition; cb(arg, i) gives the result of identifier i.
 * Stops as soon as the result is known.
 */
int
sigma_cond_eval(const struct sigma_cond *c, sigma_sel_cb *cb, void *arg)
{
	size_t	i, yes;

	switch (c->type) {
	case SIGMA_COND_SEL:
		return cb(arg, c->sel);
	case SIGMA_COND_NOT:
		return !sigma_cond_eval(c->kids[0], cb, arg);
	case SIGMA_COND_AND:
		for (i = 0; i < c->nkids; i++) {
			if (!sigma_cond_eval(c->kids[i], cb, arg))
				return 0;
		}
		return 1;
	case SIGMA_COND_OR:
		for (i = 0; i < c->nkids; i++) {
			if (sigma_cond_eval(c->kids[i], cb, arg))
				return 1;
		}
		return 0;
	case SIGMA_COND_OF:
		for (i = 0, yes = 0; i < c->nkids; i++) {
			if (sigma_cond_eval(c->kids[i], cb, arg) &&
			    ++yes >= c->need)
				return 1;
			if (yes + (c->nkids - i - 1) < c->need)
				return 0;
		}
		return 0;
	}
	return 0;
}

static void
sigma_cond_print1(const struct sigma_cond *c, const char *const *names,
    struct buf *b)
{
	size_t	i;
	int	rv = 0;

	switch (c->type) {
	case SIGMA_COND_SEL:
		rv = buf_printf(b, "%s", names[c->sel]);
		break;
	case SIGMA_COND_NOT:
		rv = buf_printf(b, "(not ");
		break;
	case SIGMA_COND_AND:
		rv = buf_printf(b, "(and");
		break;
	case SIGMA_COND_OR:
		rv = buf_printf(b, "(or");
		break;
	case SIGMA_COND_OF:
		rv = buf_printf(b, "(%zu of", c->need);
		break;
	}
	if (rv == -1)
		fatalx("condition too long to print");
	if (c->type == SIGMA_COND_SEL)
		return;
	for (i = 0; i < c->nkids; i++) {
		if ((c->type != SIGMA_COND_NOT && buf_addc(b, ' ') == -1))
			fatalx("condition too long to print");
		sigma_cond_print1(c->kids[i], names, b);
	}
	if (buf_addc(b, ')') == -1)
		fatalx("condition too long to print");
}

/* The tree as an S-expression, "(and a (not b))", for tests and debug. */
char *
sigma_cond_print(const struct sigma_cond *c, const char *const *names)
{
	struct buf	b;

	buf_init(&b, SIGMA_COND_MAX * 16);
	sigma_cond_print1(c, names, &b);
	return buf_take(&b);
}
