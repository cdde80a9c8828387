/* SPDX-License-Identifier: ISC */
/*
 * Detection items, the leaves of a Sigma detection.  The loader hands over
 * one "field|modifier|...: values" entry; match_item_compile() checks the
 * modifiers, turns every value into its matching form once (a wildcard
 * pattern split into segments with ASCII case folded in advance, a PCRE2
 * code with JIT, a network, a number) and match_item_eval() then tests
 * records against it without allocating.
 *
 * A field name is resolved against the record as CloudTrail's nested JSON
 * needs (see match_walk()): dots walk into objects, arrays are transparent
 * and any element may match, and an object stands for its compact JSON text
 * and for every scalar inside it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "match.h"
#include "match_int.h"
#include "record.h"
#include "xmalloc.h"

/*
 * Bounds for hostile regular expressions: a match that needs more than
 * this many backtracking steps, or more memory, fails (and so does not
 * match) instead of hanging the scan.
 */
#define MATCH_RE_STEPS		1000000
#define MATCH_RE_HEAP_KIB	(16 * 1024)

/* Regular expression matches stopped by the limits above, so far. */
static __thread uint64_t match_re_gaveup;	/* per worker thread */
#define MATCH_RE_JIT_STACK	(1024 * 1024)

/* Groups of modifiers (the bits are in match_int.h). */
#define M_STROP		(M_CONTAINS|M_STARTSWITH|M_ENDSWITH)
#define M_RESUB		(M_RE_I|M_RE_M|M_RE_S)
#define M_NUMCMP	(M_LT|M_LTE|M_GT|M_GTE)
#define M_B64		(M_BASE64|M_BASE64OFF)
#define M_UTF		(M_UTF16LE|M_UTF16BE|M_UTF16|M_WIDE)
#define M_TIME		(M_MINUTE|M_HOUR|M_DAY|M_WEEK|M_MONTH|M_YEAR)
/* Modifiers that make sense without a field (keyword searches). */
#define M_KEYWORD	(M_STROP|M_ALL|M_RE|M_RESUB|M_CASED|M_B64|M_UTF| \
			    M_WINDASH)

/* Each modifier, and the others it may be combined with. */
static const struct match_mod {
	const char	*name;
	uint64_t	 bit;
	uint64_t	 with;
} match_mods[] = {
	{ "contains",	M_CONTAINS,	M_ALL|M_CASED|M_WINDASH|M_B64|M_UTF|
					    M_FIELDREF|M_ACCOUNTS },
	{ "startswith",	M_STARTSWITH,	M_ALL|M_CASED|M_WINDASH|M_B64|M_UTF|
					    M_FIELDREF|M_ACCOUNTS },
	{ "endswith",	M_ENDSWITH,	M_ALL|M_CASED|M_WINDASH|M_B64|M_UTF|
					    M_FIELDREF|M_ACCOUNTS },
	{ "all",	M_ALL,		~M_EXISTS },
	{ "re",		M_RE,		M_ALL|M_RESUB },
	{ "i",		M_RE_I,		M_ALL|M_RE|M_RE_M|M_RE_S },
	{ "m",		M_RE_M,		M_ALL|M_RE|M_RE_I|M_RE_S },
	{ "s",		M_RE_S,		M_ALL|M_RE|M_RE_I|M_RE_M },
	{ "cidr",	M_CIDR,		M_ALL },
	{ "exists",	M_EXISTS,	0 },
	{ "cased",	M_CASED,	M_ALL|M_STROP|M_WINDASH|M_FIELDREF|
					    M_NEQ|M_B64|M_UTF|M_ACCOUNTS },
	{ "lt",		M_LT,		M_ALL|M_TIME },
	{ "lte",	M_LTE,		M_ALL|M_TIME },
	{ "gt",		M_GT,		M_ALL|M_TIME },
	{ "gte",	M_GTE,		M_ALL|M_TIME },
	{ "neq",	M_NEQ,		M_ALL|M_CASED|M_FIELDREF|M_TIME|
					    M_ACCOUNTS },
	{ "fieldref",	M_FIELDREF,	M_ALL|M_STROP|M_CASED|M_NEQ|
					    M_ACCOUNTS },
	{ "base64",	M_BASE64,	M_ALL|M_STROP|M_CASED|M_UTF },
	{ "base64offset", M_BASE64OFF,	M_ALL|M_STROP|M_CASED|M_UTF },
	{ "utf16le",	M_UTF16LE,	M_ALL|M_STROP|M_CASED|M_B64 },
	{ "utf16be",	M_UTF16BE,	M_ALL|M_STROP|M_CASED|M_B64 },
	{ "utf16",	M_UTF16,	M_ALL|M_STROP|M_CASED|M_B64 },
	{ "wide",	M_WIDE,		M_ALL|M_STROP|M_CASED|M_B64 },
	{ "windash",	M_WINDASH,	M_ALL|M_STROP|M_CASED },
	{ "expand",	M_EXPAND,	~0ULL },
	{ "minute",	M_MINUTE,	M_ALL|M_NUMCMP|M_NEQ },
	{ "hour",	M_HOUR,		M_ALL|M_NUMCMP|M_NEQ },
	{ "day",	M_DAY,		M_ALL|M_NUMCMP|M_NEQ },
	{ "week",	M_WEEK,		M_ALL|M_NUMCMP|M_NEQ },
	{ "month",	M_MONTH,	M_ALL|M_NUMCMP|M_NEQ },
	{ "year",	M_YEAR,		M_ALL|M_NUMCMP|M_NEQ },
	/* ctaudit's own: the field stands for the account ids it names */
	{ "accounts",	M_ACCOUNTS,	M_ALL|M_STROP|M_CASED|M_NEQ|
					    M_FIELDREF },
};


enum match_cmp {			/* how a number compares */
	MATCH_CMP_EQ,
	MATCH_CMP_LT,
	MATCH_CMP_LTE,
	MATCH_CMP_GT,
	MATCH_CMP_GTE,
};


struct match_item {
	char		 *field;	/* NULL for keywords */
	size_t		  fieldlen;
	uint64_t	  mods;
	enum match_op	  op;
	enum match_cmp	  cmp;
	int		  cased, all, neq, has_null;
	uint64_t	  tpart;	/* one of M_TIME, or 0 */
	struct match_val *val;
	size_t		  nval;
	const char	**lits;		/* for the rule index, or NULL */
	char		**needles;	/* for the prefilter, or NULL */
	size_t		 *needlelens;
	size_t		  nneedles;
	pcre2_match_context *mctx;
	pcre2_jit_stack	 *jit;
};

/*
 * One walk over the values a field resolves to.  visit() gets each
 * candidate text, or NULL for a JSON null, and returns 1 to stop.
 */
struct match_walk {
	struct record		*rec;
	int			(*visit)(struct match_walk *, const char *,
				    size_t);
	const struct match_item	*item;
	const struct match_val	*val;	/* one value (all), or NULL: any */
	match_text_cb		*text;	/* match_field_texts(): its visitor */
	void			*arg;
	int			 exists;	/* stop at the first field */
	size_t			 present;	/* fields found */
	/* fieldref: the subject text, and what the walk found */
	const char		*s;
	size_t			 n;
	size_t			 refs;
};

static int	match_parse_mods(const char *const *, size_t, int, uint64_t *,
		    char **);
static int	match_compile_val(struct match_item *, struct match_val *,
		    const struct match_value *, char **);
static int	match_repeated(const struct rec_value *);
static int	match_walk(struct match_walk *, const struct rec_value *,
		    const char *, size_t);
static int	match_walk_root(struct match_walk *, const char *, size_t);
static int	match_final(struct match_walk *, const struct rec_value *);
static int	match_leaves(struct match_walk *, const struct rec_value *);
static int	match_visit(struct match_walk *, const char *, size_t);
static int	match_visit_ref(struct match_walk *, const char *, size_t);
static int	match_visit_accounts(struct match_walk *, const char *,
		    size_t);
static int	match_val_text(struct match_walk *, const struct match_val *,
		    const char *, size_t);
static int	match_any(const struct match_item *, struct record *,
		    const struct match_val *);
static size_t	match_val_weakest(const struct match_val *);
static void	match_needles_init(struct match_item *);
static int	match_visit_text(struct match_walk *, const char *, size_t);

/*
 * A field name is dot-separated parts, each naming an object member:
 * "a.", ".a" and "a..b" have an empty part and name nothing.
 */
static int
match_field_ok(const char *f)
{
	size_t	n = strlen(f);

	return n > 0 && f[0] != '.' && f[n - 1] != '.' &&
	    strstr(f, "..") == NULL;
}

static const struct match_mod *
match_mod_find(uint64_t bit)
{
	size_t	i;

	for (i = 0; i < nitems(match_mods); i++)
		if (match_mods[i].bit == bit)
			return &match_mods[i];
	return NULL;
}

/*
 * Check the modifiers and their combinations; *mods gets their bits.
 * Order matters only for the encodings: utf16 and friends come before
 * base64 or base64offset, which encode their output.
 */
static int
match_parse_mods(const char *const *names, size_t n, int keyword,
    uint64_t *mods, char **cause)
{
	const struct match_mod	*m, *o;
	uint64_t		 have = 0, b;
	size_t			 i, j;

	for (i = 0; i < n; i++) {
		m = NULL;
		for (j = 0; j < nitems(match_mods); j++) {
			if (strcmp(names[i], match_mods[j].name) == 0) {
				m = &match_mods[j];
				break;
			}
		}
		if (m == NULL) {
			xasprintf(cause, "unknown modifier '%s'", names[i]);
			return -1;
		}
		if (m->bit == M_EXPAND) {
			xasprintf(cause, "modifier 'expand' was not resolved");
			return -1;
		}
		if (have & m->bit) {
			xasprintf(cause, "duplicate modifier '%s'", m->name);
			return -1;
		}
		if ((m->bit & M_UTF) && (have & M_B64)) {
			o = match_mod_find(have & M_B64);
			xasprintf(cause, "modifier '%s' must come before '%s'",
			    m->name, o->name);
			return -1;
		}
		for (b = 1; b != 0 && b <= have; b <<= 1) {
			if ((have & b) == 0)
				continue;
			o = match_mod_find(b);
			if ((o->with & m->bit) == 0 || (m->with & b) == 0) {
				xasprintf(cause, "modifier '%s' cannot be "
				    "combined with '%s'", m->name, o->name);
				return -1;
			}
		}
		if ((m->bit & M_B64) == 0 && (have & M_UTF) && !(have & M_B64)
		    && (m->bit & M_UTF) == 0) {
			/* an encoding must be followed by base64 at once */
			o = match_mod_find(have & M_UTF);
			xasprintf(cause, "modifier '%s' must be followed by "
			    "'base64' or 'base64offset'", o->name);
			return -1;
		}
		if (keyword && (m->bit & M_KEYWORD) == 0) {
			xasprintf(cause, "modifier '%s' needs a field",
			    m->name);
			return -1;
		}
		have |= m->bit;
	}
	if ((have & M_UTF) && !(have & M_B64)) {
		o = match_mod_find(have & M_UTF);
		xasprintf(cause, "modifier '%s' must be followed by 'base64' "
		    "or 'base64offset'", o->name);
		return -1;
	}
	if ((have & M_RESUB) && !(have & M_RE)) {
		o = match_mod_find(have & M_RESUB & -(have & M_RESUB));
		xasprintf(cause, "modifier '%s' needs 're'", o->name);
		return -1;
	}
	*mods = have;
	return 0;
}

/*
 * The encodings: the value's bytes (wildcards refused), through UTF-16 if
 * asked, then Base64 once, or three times at each offset for
 * base64offset, keeping only the characters that do not depend on the
 * bytes around the value.
 */
static int
match_compile_b64(struct match_item *mi, struct match_val *v,
    const char *text, char **cause)
{
	static const size_t	 skip[3] = { 0, 2, 3 }, cut[3] = { 0, 3, 2 };
	const char		*name;
	uint16_t		*tok, *w;
	unsigned char		*raw, *buf;
	char			*enc, *u16;
	size_t			 ntok, nraw, nenc, nw, i, k, from, to, nalt;

	name = mi->mods & M_BASE64 ? "base64" : "base64offset";
	if (match_tokens(text, 0, &tok, &ntok) > 0) {
		free(tok);
		xasprintf(cause, "value '%s' has wildcards, which '%s' "
		    "cannot encode", text, name);
		return -1;
	}
	raw = xmalloc(ntok + 1);
	for (i = 0; i < ntok; i++)
		raw[i] = (unsigned char)tok[i];
	nraw = ntok;
	free(tok);
	if (mi->mods & M_UTF) {
		u16 = match_utf16((char *)raw, nraw, mi->mods & M_UTF, &nraw);
		free(raw);
		if (u16 == NULL) {
			xasprintf(cause, "value '%s' is not valid UTF-8",
			    text);
			return -1;
		}
		raw = (unsigned char *)u16;
	}
	nalt = mi->mods & M_BASE64 ? 1 : 3;
	v->alt = xcalloc(nalt, sizeof *v->alt);
	buf = xmalloc(nraw + 2);
	for (k = 0; k < nalt; k++) {
		memset(buf, 0, k);
		memcpy(buf + k, raw, nraw);
		enc = match_base64(buf, nraw + k, &nenc);
		from = to = 0;
		if (mi->mods & M_BASE64OFF) {
			from = skip[k];
			to = cut[(nraw + k) % 3];
		}
		if (from + to >= nenc && k > 0) {
			/* a short value leaves nothing stable at this offset */
			free(enc);
			continue;
		}
		if (from + to > nenc)
			from = to = 0;
		tok = xreallocarray(NULL, nenc + 1, sizeof *tok);
		for (i = from; i < nenc - to; i++)
			tok[i - from] = (unsigned char)enc[i];
		w = match_wrap(tok, nenc - to - from, mi->op, &nw);
		match_glob_init(&v->alt[v->nalt++], w, nw, 1);
		free(w);
		free(tok);
		free(enc);
	}
	free(buf);
	free(raw);
	return 0;
}

/* Compile one value according to the item's modifiers. */
static int
match_compile_val(struct match_item *mi, struct match_val *v,
    const struct match_value *mv, char **cause)
{
	PCRE2_UCHAR	 err[128];
	PCRE2_SIZE	 off;
	const char	*text = mv->text;
	uint16_t	*tok, *w;
	size_t		 ntok, nw;
	uint32_t	 opts;
	int		 ec;

	if (mv->type == MATCH_V_NULL) {
		if (mi->mods & ~(M_ALL | M_CASED)) {
			xasprintf(cause, "a null value cannot be used with "
			    "modifiers");
			return -1;
		}
		if (mi->field == NULL) {
			xasprintf(cause, "a null value needs a field");
			return -1;
		}
		v->kind = MATCH_K_NULL;
		mi->has_null = 1;
		return 0;
	}
	if (mi->mods & M_EXISTS) {
		if (mv->type != MATCH_V_BOOL) {
			xasprintf(cause, "modifier 'exists' takes true or "
			    "false, not '%s'", text);
			return -1;
		}
		v->kind = MATCH_K_EXISTS;
		v->exists = strcmp(text, "true") == 0;
		return 0;
	}
	if (mi->mods & M_RE) {
		opts = PCRE2_UTF;
#ifdef PCRE2_MATCH_INVALID_UTF
		opts |= PCRE2_MATCH_INVALID_UTF;
#endif
		if (mi->mods & M_RE_I)
			opts |= PCRE2_CASELESS;
		if (mi->mods & M_RE_M)
			opts |= PCRE2_MULTILINE;
		if (mi->mods & M_RE_S)
			opts |= PCRE2_DOTALL;
		v->re = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED,
		    opts, &ec, &off, NULL);
		if (v->re == NULL) {
			pcre2_get_error_message(ec, err, sizeof err);
			xasprintf(cause, "regular expression '%s' at offset "
			    "%zu: %s", text, (size_t)off, (char *)err);
			return -1;
		}
		(void)pcre2_jit_compile(v->re, PCRE2_JIT_COMPLETE);
		v->md = pcre2_match_data_create(1, NULL);
		if (v->md == NULL)
			fatalx("pcre2_match_data_create failed");
		v->kind = MATCH_K_RE;
		return 0;
	}
	if (mi->mods & M_CIDR) {
		if (match_cidr_parse(text, v) == -1) {
			xasprintf(cause, "value '%s' is not a CIDR network "
			    "(for 'cidr')", text);
			return -1;
		}
		v->kind = MATCH_K_CIDR;
		return 0;
	}
	if (mi->mods & (M_NUMCMP | M_TIME)) {
		if (match_num_parse(text, strlen(text), &v->num) == -1 ||
		    (mi->tpart != 0 && !v->num.isint)) {
			xasprintf(cause, "value '%s' is not %s (for '%s')",
			    text, mi->tpart ? "an integer" : "a number",
			    match_mod_find(mi->tpart ? mi->tpart :
			    mi->mods & M_NUMCMP)->name);
			return -1;
		}
		v->kind = MATCH_K_NUM;
		return 0;
	}
	if (mi->mods & M_FIELDREF) {
		if (mv->type != MATCH_V_STRING || !match_field_ok(text)) {
			xasprintf(cause, "modifier 'fieldref' takes a field "
			    "name, not '%s'", text);
			return -1;
		}
		v->ref = xstrdup(text);
		v->kind = MATCH_K_FIELD;
		return 0;
	}
	v->kind = MATCH_K_GLOB;
	if (mi->mods & M_B64)
		return match_compile_b64(mi, v, text, cause);
	match_tokens(text, (mi->mods & M_WINDASH) != 0, &tok, &ntok);
	w = match_wrap(tok, ntok, mi->op, &nw);
	v->nalt = 1;
	v->alt = xcalloc(1, sizeof *v->alt);
	match_glob_init(v->alt, w, nw, mi->cased);
	free(w);
	free(tok);
	return 0;
}


/*
 * The shortest of the longest plain runs of a value's alternatives, the
 * value's weakest needle: 0 if some alternative has none.
 */
static size_t
match_val_weakest(const struct match_val *v)
{
	const uint16_t	*t;
	size_t		 k, n, min = SIZE_MAX;

	if (v->kind != MATCH_K_GLOB || v->nalt == 0)
		return 0;
	for (k = 0; k < v->nalt; k++) {
		if ((n = match_glob_run(&v->alt[k], &t)) < min)
			min = n;
	}
	return min;
}

/*
 * The needles of an item, for the prefilter: byte strings, ASCII folded,
 * one of which occurs in a text the item matches.  Each glob alternative
 * of a value contributes its longest plain run; without "all" every value
 * must have one, with it the value whose weakest needle is the longest
 * is enough.  Regexes, numbers, networks, fieldref, neq, exists and null
 * give no needle.
 */
static void
match_needles_init(struct match_item *mi)
{
	const struct match_val	*v;
	const uint16_t		*t;
	size_t			 i, k, j, n, w, from = 0, to = mi->nval, best = 0;

	if ((mi->mods & (M_NEQ | M_FIELDREF | M_RE | M_CIDR | M_NUMCMP |
	    M_TIME | M_EXISTS)) || mi->has_null)
		return;
	for (i = 0; i < mi->nval; i++) {
		w = match_val_weakest(&mi->val[i]);
		if (!mi->all && w == 0)
			return;
		if (mi->all && w > best) {
			best = w;
			from = i;
			to = i + 1;
		}
	}
	if (mi->all && best == 0)
		return;
	for (i = from; i < to; i++)
		mi->nneedles += mi->val[i].nalt;
	mi->needles = xcalloc(mi->nneedles, sizeof *mi->needles);
	mi->needlelens = xcalloc(mi->nneedles, sizeof *mi->needlelens);
	for (i = from, n = 0; i < to; i++) {
		v = &mi->val[i];
		for (k = 0; k < v->nalt; k++, n++) {
			w = match_glob_run(&v->alt[k], &t);
			mi->needles[n] = xmalloc(w + 1);
			for (j = 0; j < w; j++)
				mi->needles[n][j] = (char)match_lower[t[j]];
			mi->needles[n][w] = '\0';
			mi->needlelens[n] = w;
		}
	}
}

/* Compile one item (see match.h). */
struct match_item *
match_item_compile(const char *field, const char *const *mods, size_t nmods,
    const struct match_value *vals, size_t nvals, char **cause)
{
	struct match_item	*mi;
	struct match_glob	*g;
	uint64_t		 m;
	size_t			 i;
	int			 lits = 1;

	if (field != NULL && *field == '\0') {
		*cause = xstrdup("empty field name");
		return NULL;
	}
	if (field != NULL && !match_field_ok(field)) {
		*cause = xstrdup("empty part in field name");
		return NULL;
	}
	if (nvals == 0) {
		*cause = xstrdup("no values");
		return NULL;
	}
	if (match_parse_mods(mods, nmods, field == NULL, &m, cause) == -1)
		return NULL;
	if ((m & M_EXISTS) && nvals != 1) {
		*cause = xstrdup("modifier 'exists' takes a single value");
		return NULL;
	}

	mi = xcalloc(1, sizeof *mi);
	if (field != NULL) {
		mi->field = xstrdup(field);
		mi->fieldlen = strlen(field);
	}
	mi->mods = m;
	mi->all = (m & M_ALL) != 0;
	mi->neq = (m & M_NEQ) != 0;
	/* Base64 is case-sensitive by nature. */
	mi->cased = (m & (M_CASED | M_B64)) != 0;
	mi->tpart = m & M_TIME;
	if (m & M_CONTAINS)
		mi->op = MATCH_OP_CONTAINS;
	else if (m & M_STARTSWITH)
		mi->op = MATCH_OP_STARTSWITH;
	else if (m & M_ENDSWITH)
		mi->op = MATCH_OP_ENDSWITH;
	else if (field == NULL)
		mi->op = MATCH_OP_CONTAINS;	/* keywords: anywhere */
	else
		mi->op = MATCH_OP_EQ;
	mi->cmp = m & M_LT ? MATCH_CMP_LT : m & M_LTE ? MATCH_CMP_LTE :
	    m & M_GT ? MATCH_CMP_GT : m & M_GTE ? MATCH_CMP_GTE :
	    MATCH_CMP_EQ;

	mi->val = xcalloc(nvals, sizeof *mi->val);
	for (i = 0; i < nvals; i++) {
		mi->nval++;
		if (match_compile_val(mi, &mi->val[i], &vals[i], cause) == -1) {
			match_item_free(mi);
			return NULL;
		}
	}
	if (m & M_RE) {
		mi->mctx = pcre2_match_context_create(NULL);
		mi->jit = pcre2_jit_stack_create(32 * 1024, MATCH_RE_JIT_STACK,
		    NULL);
		if (mi->mctx == NULL)
			fatalx("pcre2_match_context_create failed");
		pcre2_set_match_limit(mi->mctx, MATCH_RE_STEPS);
		pcre2_set_heap_limit(mi->mctx, MATCH_RE_HEAP_KIB);
		/* NULL when the library has no JIT: nothing to assign */
		if (mi->jit != NULL)
			pcre2_jit_stack_assign(mi->mctx, NULL, mi->jit);
	}

	/* Plain equality against fixed strings can feed the rule index. */
	if (field == NULL || (m & ~M_ALL) != 0)
		lits = 0;
	for (i = 0; lits && i < nvals; i++) {
		g = mi->val[i].alt;
		if (mi->val[i].kind != MATCH_K_GLOB || g->nseg != 1 ||
		    g->seg[0].lit == NULL)
			lits = 0;
	}
	if (lits) {
		mi->lits = xcalloc(nvals, sizeof *mi->lits);
		for (i = 0; i < nvals; i++)
			mi->lits[i] = mi->val[i].alt->seg[0].lit;
	}
	match_needles_init(mi);
	return mi;
}

/* Free an item. */
void
match_item_free(struct match_item *mi)
{
	struct match_val	*v;
	size_t			 i, k;

	if (mi == NULL)
		return;
	for (i = 0; i < mi->nval; i++) {
		v = &mi->val[i];
		for (k = 0; k < v->nalt; k++)
			match_glob_clear(&v->alt[k]);
		free(v->alt);
		pcre2_match_data_free(v->md);
		pcre2_code_free(v->re);
		free(v->ref);
	}
	pcre2_match_context_free(mi->mctx);
	pcre2_jit_stack_free(mi->jit);
	free(mi->val);
	free(mi->lits);
	for (i = 0; i < mi->nneedles; i++)
		free(mi->needles[i]);
	free(mi->needles);
	free(mi->needlelens);
	free(mi->field);
	free(mi);
}

/* The field and fixed values of a plain equality item, for the index. */
const char *
match_item_literals(const struct match_item *mi, const char *const **vals,
    size_t *nvals)
{
	if (mi->lits == NULL)
		return NULL;
	*vals = mi->lits;
	*nvals = mi->nval;
	return mi->field;
}

/* The needles of an item, for the prefilter (see match.h). */
int
match_item_needles(const struct match_item *mi, const char **field,
    const char *const **needles, const size_t **lens, size_t *n)
{
	if (mi->nneedles == 0)
		return -1;
	*field = mi->field;
	*needles = (const char *const *)mi->needles;
	*lens = mi->needlelens;
	*n = mi->nneedles;
	return 0;
}

/* The field an item cannot match without, for the index. */
const char *
match_item_needs(const struct match_item *mi)
{
	if (mi->field == NULL || mi->has_null)
		return NULL;
	if ((mi->mods & M_EXISTS) && !mi->val[0].exists)
		return NULL;
	return mi->field;
}

/*
 * 1 if a later member of the same object has m's name: a key given twice
 * counts with its last value, as in jq and Python.
 */
static int
match_repeated(const struct rec_value *m)
{
	const struct rec_value	*n;

	for (n = m->next; n != NULL; n = n->next) {
		if (n->keylen == m->keylen &&
		    memcmp(n->key, m->key, m->keylen) == 0)
			return 1;
	}
	return 0;
}

/*
 * Resolve the dotted name against v and visit what it names.  In an
 * object, every member whose name is the whole name, or the name up to one
 * of its dots, is followed (with the rest of the name), so "a.b" names a
 * member "a.b" as well as member "b" of "a": every way counts, in member
 * order.  Of a name given twice, only the last member counts.  Arrays are transparent on the way and at the end: each element
 * is tried with the same rest of the name.  Depth is bounded by the
 * record's own nesting cap (REC_DEPTH_MAX).
 */
static int
match_walk(struct match_walk *w, const struct rec_value *v, const char *name,
    size_t len)
{
	const struct rec_value	*m;
	size_t			 end;

	if (v->type == REC_ARRAY) {
		for (m = v->child; m != NULL; m = m->next)
			if (match_walk(w, m, name, len))
				return 1;
		return 0;
	}
	if (len == 0)
		return match_final(w, v);
	if (v->type != REC_OBJECT)
		return 0;
	/* One pass: a member matches if its name is the name up to a dot. */
	for (m = v->child; m != NULL; m = m->next) {
		end = m->keylen;
		if (end > len || (end < len && name[end] != '.') ||
		    end == 0 || m->key[0] != name[0] ||
		    memcmp(m->key, name, end) != 0 || match_repeated(m))
			continue;
		if (end < len) {
			if (match_walk(w, m, name + end + 1, len - end - 1))
				return 1;
			continue;
		}
		w->present++;
		if (w->exists || match_walk(w, m, "", 0))
			return 1;
	}
	return 0;
}

/*
 * match_walk() from the record's root.  When no member name of the root
 * has a dot, only the member named by the name's first part can match,
 * and the record's index finds it (the last, if repeated) without a
 * comparison with every member: rules look up some thirty fields of every
 * event, and comparing each name with the root's eighteen or so members
 * took 12% of the rules' instructions (bench/README.md).
 */
static int
match_walk_root(struct match_walk *w, const char *name, size_t len)
{
	const struct rec_value	*root, *m;
	size_t			 seg;

	if ((root = record_root(w->rec)) == NULL)
		return 0;
	for (seg = 0; seg < len && name[seg] != '.'; seg++)
		;
	if (record_root_member(w->rec, name, seg, &m) == -1)
		return match_walk(w, root, name, len);
	if (m == NULL)
		return 0;
	if (seg < len)
		return match_walk(w, m, name + seg + 1, len - seg - 1);
	w->present++;
	return w->exists || match_walk(w, m, "", 0);
}

/*
 * Visit one value a field names (arrays already taken apart).  An object
 * is compared as its compact JSON text, then as each scalar inside it.
 */
static int
match_final(struct match_walk *w, const struct rec_value *v)
{
	const char	*t;
	size_t		 n;

	switch (v->type) {
	case REC_NULL:
		return w->visit(w, NULL, 0);
	case REC_OBJECT:
		t = record_json(w->rec, v, &n);
		if (t != NULL && w->visit(w, t, n))
			return 1;
		return match_leaves(w, v);
	case REC_ARRAY:
		return match_walk(w, v, "", 0);
	default:
		return w->visit(w, v->str, v->len);
	}
}

/* Visit every string, number and boolean below v; nulls are no text. */
static int
match_leaves(struct match_walk *w, const struct rec_value *v)
{
	const struct rec_value	*m;

	switch (v->type) {
	case REC_NULL:
		return 0;
	case REC_OBJECT:
	case REC_ARRAY:
		for (m = v->child; m != NULL; m = m->next)
			if (match_leaves(w, m))
				return 1;
		return 0;
	default:
		return w->visit(w, v->str, v->len);
	}
}

/* fieldref: compare the subject with one value of the other field. */
static int
match_visit_ref(struct match_walk *w, const char *t, size_t tn)
{
	const unsigned char	*s = (const unsigned char *)w->s;
	size_t			 i, n = w->n;
	int			 cased = w->item->cased;

	if (t == NULL)
		return 0;
	w->refs++;
	switch (w->item->op) {
	case MATCH_OP_EQ:
		break;
	case MATCH_OP_STARTSWITH:
		n = tn < n ? tn : n;
		break;
	case MATCH_OP_ENDSWITH:
		if (tn <= n) {
			s += n - tn;
			n = tn;
		}
		break;
	case MATCH_OP_CONTAINS:
		for (i = 0; tn <= n && i <= n - tn; i++)
			if (match_eq2(s + i, (const unsigned char *)t, tn,
			    cased))
				return 1;
		return 0;
	}
	return n == tn && match_eq2(s, (const unsigned char *)t, n, cased);
}

/* How many regular expression matches the limits have stopped so far. */
uint64_t
match_re_limits(void)
{
	return match_re_gaveup;
}

/*
 * Compare one candidate text with one value: 1 match, 0 no match, -1 the
 * two cannot be compared (not a number, not an address, no referenced
 * field), which neq does not count as "different" either.
 */
static int
match_val_text(struct match_walk *w, const struct match_val *v,
    const char *s, size_t n)
{
	const struct match_item	*mi = w->item;
	struct match_walk	 r;
	struct match_num	 num;
	unsigned char		 addr[16];
	size_t			 k, full;
	int			 af, c, rc;

	switch (v->kind) {
	case MATCH_K_GLOB:
		for (k = 0; k < v->nalt; k++)
			if (match_glob_match(&v->alt[k], s, n, mi->cased))
				return 1;
		return 0;
	case MATCH_K_NULL:
	case MATCH_K_EXISTS:
		return 0;
	case MATCH_K_RE:
		/*
		 * Any error is no match; a hit of the limits is counted, for
		 * the rule set to report (match_re_limits()).
		 */
		rc = pcre2_match(v->re, (PCRE2_SPTR)s, n, 0, 0, v->md,
		    mi->mctx);
		if (rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT ||
		    rc == PCRE2_ERROR_JIT_STACKLIMIT)
			match_re_gaveup++;
		return rc >= 0;
	case MATCH_K_CIDR:
		if (match_ip_parse(s, n, &af, addr) == -1 || af != v->af)
			return -1;
		full = v->plen / 8;
		if (memcmp(addr, v->net, full) != 0)
			return 0;
		if (v->plen % 8 != 0 && (addr[full] &
		    (unsigned char)(0xff00 >> (v->plen % 8))) != v->net[full])
			return 0;
		return 1;
	case MATCH_K_NUM:
		if (mi->tpart != 0) {
			if (match_time_part(s, n, mi->tpart, &num.i) == -1)
				return -1;
			num.isint = 1;
			num.d = (double)num.i;
		} else if (match_num_parse(s, n, &num) == -1)
			return -1;
		c = match_num_cmp(&num, &v->num);
		switch (mi->cmp) {
		case MATCH_CMP_LT:
			return c < 0;
		case MATCH_CMP_LTE:
			return c <= 0;
		case MATCH_CMP_GT:
			return c > 0;
		case MATCH_CMP_GTE:
			return c >= 0;
		default:
			return c == 0;
		}
	case MATCH_K_FIELD:
		memset(&r, 0, sizeof r);
		r.rec = w->rec;
		r.visit = match_visit_ref;
		r.item = mi;
		r.s = s;
		r.n = n;
		if (match_walk_root(&r, v->ref, strlen(v->ref)))
			return 1;
		return r.refs > 0 ? 0 : -1;
	}
	return 0;
}

/* Test one candidate (NULL: a JSON null) against the walk's value(s). */
static int
match_visit(struct match_walk *w, const char *s, size_t n)
{
	const struct match_item	*mi = w->item;
	const struct match_val	*v, *end;

	if (s == NULL)
		return w->val != NULL ? w->val->kind == MATCH_K_NULL :
		    mi->has_null;
	v = w->val != NULL ? w->val : mi->val;
	end = w->val != NULL ? w->val + 1 : mi->val + mi->nval;
	if (mi->neq) {
		/* different from every value, and comparable with each */
		for (; v < end; v++)
			if (match_val_text(w, v, s, n) != 0)
				return 0;
		return 1;
	}
	for (; v < end; v++)
		if (match_val_text(w, v, s, n) == 1)
			return 1;
	return 0;
}

/*
 * accounts: the candidate stands for the account ids it names, each
 * tested as a candidate of its own; a text that names none is no match.
 */
static int
match_visit_accounts(struct match_walk *w, const char *s, size_t n)
{
	char	ids[MATCH_ACCOUNTS_MAX][MATCH_ACCOUNT_LEN];
	size_t	i, nids;

	if (s == NULL)
		return 0;
	nids = match_accounts(s, n, ids, MATCH_ACCOUNTS_MAX);
	for (i = 0; i < nids; i++)
		if (match_visit(w, ids[i], MATCH_ACCOUNT_LEN))
			return 1;
	return 0;
}

/* Whether one value (or, with val NULL, any value) matches the record. */
static int
match_any(const struct match_item *mi, struct record *rec,
    const struct match_val *val)
{
	struct match_walk	 w;
	const struct rec_value	*root;
	int			 null;

	memset(&w, 0, sizeof w);
	w.rec = rec;
	w.visit = mi->mods & M_ACCOUNTS ? match_visit_accounts : match_visit;
	w.item = mi;
	w.val = val;
	if ((root = record_root(rec)) == NULL)
		return 0;
	if (mi->field == NULL)
		return match_leaves(&w, root);
	if (match_walk_root(&w, mi->field, mi->fieldlen))
		return 1;
	null = val != NULL ? val->kind == MATCH_K_NULL : mi->has_null;
	return w.present == 0 && null;
}

/* 1 if the record matches the item, else 0. */
int
match_item_eval(const struct match_item *mi, struct record *rec)
{
	struct match_walk	 w;
	size_t			 i;

	if (mi->mods & M_EXISTS) {
		memset(&w, 0, sizeof w);
		w.rec = rec;
		w.item = mi;
		w.exists = 1;
		match_walk_root(&w, mi->field, mi->fieldlen);
		return (w.present > 0) == mi->val[0].exists;
	}
	if (!mi->all || mi->nval == 1)
		return match_any(mi, rec, NULL);
	for (i = 0; i < mi->nval; i++)
		if (!match_any(mi, rec, &mi->val[i]))
			return 0;
	return 1;
}

/* Hand a text of the field to match_field_texts()' visitor; skip nulls. */
static int
match_visit_text(struct match_walk *w, const char *s, size_t n)
{
	if (s == NULL)
		return 0;
	return w->text(w->arg, s, n);
}

/* Visit every text an item on field would be compared with (see match.h). */
void
match_field_texts(struct record *rec, const char *field, match_text_cb *cb,
    void *arg)
{
	struct match_walk	 w;
	const struct rec_value	*root;

	if ((root = record_root(rec)) == NULL)
		return;
	memset(&w, 0, sizeof w);
	w.rec = rec;
	w.visit = match_visit_text;
	w.text = cb;
	w.arg = arg;
	if (field == NULL)
		match_leaves(&w, root);
	else
		match_walk_root(&w, field, strlen(field));
}
