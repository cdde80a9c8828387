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

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH	8
#include <pcre2.h>

#include "log.h"
#include "match.h"
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

/* Pattern tokens: 0-255 are bytes (folded unless cased), then these. */
#define MATCH_T_ANY	0x100		/* '?': one UTF-8 character */
#define MATCH_T_DASH	0x101		/* windash: - / en, em dash, bar */
#define MATCH_T_STAR	0x102		/* '*': only while compiling */

/* The modifiers, one bit each. */
#define M_CONTAINS	(1ULL << 0)
#define M_STARTSWITH	(1ULL << 1)
#define M_ENDSWITH	(1ULL << 2)
#define M_ALL		(1ULL << 3)
#define M_RE		(1ULL << 4)
#define M_RE_I		(1ULL << 5)
#define M_RE_M		(1ULL << 6)
#define M_RE_S		(1ULL << 7)
#define M_CIDR		(1ULL << 8)
#define M_EXISTS	(1ULL << 9)
#define M_CASED		(1ULL << 10)
#define M_LT		(1ULL << 11)
#define M_LTE		(1ULL << 12)
#define M_GT		(1ULL << 13)
#define M_GTE		(1ULL << 14)
#define M_NEQ		(1ULL << 15)
#define M_FIELDREF	(1ULL << 16)
#define M_BASE64	(1ULL << 17)
#define M_BASE64OFF	(1ULL << 18)
#define M_UTF16LE	(1ULL << 19)
#define M_UTF16BE	(1ULL << 20)
#define M_UTF16		(1ULL << 21)
#define M_WIDE		(1ULL << 22)
#define M_WINDASH	(1ULL << 23)
#define M_EXPAND	(1ULL << 24)
#define M_MINUTE	(1ULL << 25)
#define M_HOUR		(1ULL << 26)
#define M_DAY		(1ULL << 27)
#define M_WEEK		(1ULL << 28)
#define M_MONTH		(1ULL << 29)
#define M_YEAR		(1ULL << 30)

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
					    M_FIELDREF },
	{ "startswith",	M_STARTSWITH,	M_ALL|M_CASED|M_WINDASH|M_B64|M_UTF|
					    M_FIELDREF },
	{ "endswith",	M_ENDSWITH,	M_ALL|M_CASED|M_WINDASH|M_B64|M_UTF|
					    M_FIELDREF },
	{ "all",	M_ALL,		~M_EXISTS },
	{ "re",		M_RE,		M_ALL|M_RESUB },
	{ "i",		M_RE_I,		M_ALL|M_RE|M_RE_M|M_RE_S },
	{ "m",		M_RE_M,		M_ALL|M_RE|M_RE_I|M_RE_S },
	{ "s",		M_RE_S,		M_ALL|M_RE|M_RE_I|M_RE_M },
	{ "cidr",	M_CIDR,		M_ALL },
	{ "exists",	M_EXISTS,	0 },
	{ "cased",	M_CASED,	M_ALL|M_STROP|M_WINDASH|M_FIELDREF|
					    M_NEQ|M_B64|M_UTF },
	{ "lt",		M_LT,		M_ALL|M_TIME },
	{ "lte",	M_LTE,		M_ALL|M_TIME },
	{ "gt",		M_GT,		M_ALL|M_TIME },
	{ "gte",	M_GTE,		M_ALL|M_TIME },
	{ "neq",	M_NEQ,		M_ALL|M_CASED|M_FIELDREF|M_TIME },
	{ "fieldref",	M_FIELDREF,	M_ALL|M_STROP|M_CASED|M_NEQ },
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
};

enum match_op {				/* how a string value compares */
	MATCH_OP_EQ,
	MATCH_OP_CONTAINS,
	MATCH_OP_STARTSWITH,
	MATCH_OP_ENDSWITH,
};

enum match_cmp {			/* how a number compares */
	MATCH_CMP_EQ,
	MATCH_CMP_LT,
	MATCH_CMP_LTE,
	MATCH_CMP_GT,
	MATCH_CMP_GTE,
};

enum match_kind {
	MATCH_K_GLOB,			/* string with wildcards, or literal */
	MATCH_K_NULL,			/* absent or JSON null */
	MATCH_K_RE,
	MATCH_K_CIDR,
	MATCH_K_NUM,			/* lt..gte, and time parts */
	MATCH_K_FIELD,			/* fieldref */
	MATCH_K_EXISTS,
};

/* A run of pattern between two '*'. */
struct match_seg {
	uint16_t	*tok;
	size_t		 ntok;
	char		*lit;		/* the bytes, if no ?/dash; else NULL */
	size_t		 minw, maxw;	/* subject bytes it can span */
};

/* A wildcard pattern: segments that were separated by '*'. */
struct match_glob {
	struct match_seg *seg;
	size_t		  nseg;		/* number of '*' + 1 */
};

struct match_num {
	int		 isint;
	int64_t		 i;
	double		 d;
};

struct match_val {
	enum match_kind	  kind;
	struct match_glob *alt;		/* GLOB: any of these (base64offset) */
	size_t		  nalt;
	pcre2_code	 *re;		/* RE */
	pcre2_match_data *md;
	int		  af;		/* CIDR: AF_INET or AF_INET6 */
	unsigned char	  net[16];
	unsigned int	  plen;
	struct match_num  num;		/* NUM */
	char		 *ref;		/* FIELD: the other field's name */
	int		  exists;	/* EXISTS: true or false */
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
static int	match_tokens(const char *, int, uint16_t **, size_t *);
static void	match_glob_init(struct match_glob *, const uint16_t *, size_t,
		    int);
static void	match_glob_clear(struct match_glob *);
static int	match_glob_match(const struct match_glob *, const char *,
		    size_t, int);
static size_t	match_seg_at(const struct match_seg *, const unsigned char *,
		    size_t, size_t, int);
static const unsigned char *match_find(const unsigned char *, size_t,
		    const unsigned char *, size_t, int);
static int	match_eq(const unsigned char *, const unsigned char *, size_t,
		    int);
static int	match_eq2(const unsigned char *, const unsigned char *, size_t,
		    int);
static int	match_num_parse(const char *, size_t, struct match_num *);
static int	match_num_cmp(const struct match_num *,
		    const struct match_num *);
static int	match_ip_parse(const char *, size_t, int *, unsigned char *);
static int	match_cidr_parse(const char *, struct match_val *);
static int	match_time_part(const char *, size_t, uint64_t, int64_t *);
static char	*match_utf16(const char *, size_t, uint64_t, size_t *);
static char	*match_base64(const unsigned char *, size_t, size_t *);
static int	match_repeated(const struct rec_value *);
static int	match_walk(struct match_walk *, const struct rec_value *,
		    const char *, size_t);
static int	match_final(struct match_walk *, const struct rec_value *);
static int	match_leaves(struct match_walk *, const struct rec_value *);
static int	match_visit(struct match_walk *, const char *, size_t);
static int	match_visit_ref(struct match_walk *, const char *, size_t);
static int	match_val_text(struct match_walk *, const struct match_val *,
		    const char *, size_t);
static int	match_any(const struct match_item *, struct record *,
		    const struct match_val *);
static size_t	match_glob_run(const struct match_glob *, const uint16_t **);
static size_t	match_val_weakest(const struct match_val *);
static void	match_needles_init(struct match_item *);
static int	match_visit_text(struct match_walk *, const char *, size_t);

/* ASCII lower case; other bytes, UTF-8 included, are left alone. */
static const unsigned char match_lower[256] = {
#define L4(c) (c), (c) + 1, (c) + 2, (c) + 3
#define L16(c) L4(c), L4((c) + 4), L4((c) + 8), L4((c) + 12)
	L16(0x00), L16(0x10), L16(0x20), L16(0x30),
	0x40, L4(0x61), L4(0x65), L4(0x69), L4(0x6d), L4(0x71), L4(0x75),
	0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	L16(0x60), L16(0x70), L16(0x80), L16(0x90), L16(0xa0), L16(0xb0),
	L16(0xc0), L16(0xd0), L16(0xe0), L16(0xf0),
#undef L16
#undef L4
};

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
 * Turn a Sigma string into pattern tokens: '*' and '?' are wildcards,
 * backslash escapes '*', '?' and itself and is literal before anything
 * else.  With windash, each dash character becomes MATCH_T_DASH.
 * Returns the number of wildcards in it.
 */
static int
match_tokens(const char *s, int windash, uint16_t **tokp, size_t *ntokp)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint16_t		*tok;
	size_t			 n = 0;
	int			 wild = 0;

	tok = xreallocarray(NULL, strlen(s) + 1, sizeof *tok);
	while (*p != '\0') {
		if (p[0] == '\\' && (p[1] == '*' || p[1] == '?' ||
		    p[1] == '\\')) {
			tok[n++] = p[1];
			p += 2;
		} else if (*p == '*' || *p == '?') {
			tok[n++] = *p == '*' ? MATCH_T_STAR : MATCH_T_ANY;
			wild++;
			p++;
		} else if (windash && (*p == '-' || *p == '/')) {
			tok[n++] = MATCH_T_DASH;
			p++;
		} else if (windash && p[0] == 0xe2 && p[1] == 0x80 &&
		    p[2] >= 0x93 && p[2] <= 0x95) {
			tok[n++] = MATCH_T_DASH;
			p += 3;
		} else
			tok[n++] = *p++;
	}
	*tokp = tok;
	*ntokp = n;
	return wild;
}

/* Split tokens at '*' into segments, folding case unless cased. */
static void
match_glob_init(struct match_glob *g, const uint16_t *tok, size_t ntok,
    int cased)
{
	struct match_seg	*sg;
	size_t			 i, j, start, nstar = 0;
	int			 plain;

	for (i = 0; i < ntok; i++)
		if (tok[i] == MATCH_T_STAR)
			nstar++;
	g->seg = xcalloc(nstar + 1, sizeof *g->seg);
	g->nseg = 0;
	start = 0;
	for (i = 0; i <= ntok; i++) {
		if (i < ntok && tok[i] != MATCH_T_STAR)
			continue;
		/* runs of '*' leave empty middle segments: drop them */
		if (i == start && g->nseg > 0 && i < ntok) {
			start = i + 1;
			continue;
		}
		sg = &g->seg[g->nseg++];
		sg->ntok = i - start;
		sg->tok = xreallocarray(NULL, sg->ntok + 1, sizeof *sg->tok);
		plain = 1;
		for (j = 0; j < sg->ntok; j++) {
			sg->tok[j] = tok[start + j];
			if (sg->tok[j] < 0x100) {
				if (!cased)
					sg->tok[j] = match_lower[sg->tok[j]];
				sg->minw++;
				sg->maxw++;
			} else {
				plain = 0;
				sg->minw++;
				sg->maxw += 4;
			}
		}
		if (plain) {
			sg->lit = xmalloc(sg->ntok + 1);
			for (j = 0; j < sg->ntok; j++)
				sg->lit[j] = (char)sg->tok[j];
			sg->lit[sg->ntok] = '\0';
		}
		start = i + 1;
	}
}

static void
match_glob_clear(struct match_glob *g)
{
	size_t	i;

	if (g->seg == NULL)
		return;
	for (i = 0; i < g->nseg; i++) {
		free(g->seg[i].tok);
		free(g->seg[i].lit);
	}
	free(g->seg);
	g->seg = NULL;
}

/* Bytes equal, folding s to match the folded n unless cased. */
static int
match_eq(const unsigned char *s, const unsigned char *n, size_t len,
    int cased)
{
	size_t	i;

	if (cased)
		return memcmp(s, n, len) == 0;
	for (i = 0; i < len; i++)
		if (match_lower[s[i]] != n[i])
			return 0;
	return 1;
}

/* Bytes equal, folding both sides unless cased (neither is folded). */
static int
match_eq2(const unsigned char *a, const unsigned char *b, size_t len,
    int cased)
{
	size_t	i;

	if (cased)
		return memcmp(a, b, len) == 0;
	for (i = 0; i < len; i++)
		if (match_lower[a[i]] != match_lower[b[i]])
			return 0;
	return 1;
}

/*
 * The first occurrence of the folded needle n in s.  The first byte is
 * found with memchr(), once for each case of a letter, keeping both
 * positions so the scan stays linear.
 */
static const unsigned char *
match_find(const unsigned char *s, size_t len, const unsigned char *n,
    size_t nlen, int cased)
{
	const unsigned char	*a, *b, *c, *end;
	unsigned char		 lo, up;

	if (nlen == 0)
		return s;
	if (len < nlen)
		return NULL;
	end = s + (len - nlen + 1);	/* where a match can start */
	lo = n[0];
	up = lo;
	if (!cased && lo >= 'a' && lo <= 'z')
		up = lo - 'a' + 'A';
	a = memchr(s, lo, end - s);
	b = up == lo ? NULL : memchr(s, up, end - s);
	for (;;) {
		if (a == NULL && b == NULL)
			return NULL;
		c = a == NULL || (b != NULL && b < a) ? b : a;
		if (match_eq(c + 1, n + 1, nlen - 1, cased))
			return c;
		if (c == a)
			a = memchr(c + 1, lo, end - (c + 1));
		else
			b = memchr(c + 1, up, end - (c + 1));
	}
}

/* Match a segment at p: the end of the match, or SIZE_MAX. */
static size_t
match_seg_at(const struct match_seg *sg, const unsigned char *s, size_t len,
    size_t p, int cased)
{
	size_t		i;
	uint16_t	t;

	for (i = 0; i < sg->ntok; i++) {
		if (p >= len)
			return SIZE_MAX;
		t = sg->tok[i];
		if (t < 0x100) {
			if ((cased ? s[p] : match_lower[s[p]]) != t)
				return SIZE_MAX;
			p++;
		} else if (t == MATCH_T_ANY) {
			p++;
			while (p < len && (s[p] & 0xc0) == 0x80)
				p++;
		} else if (s[p] == '-' || s[p] == '/')
			p++;
		else if (len - p >= 3 && s[p] == 0xe2 && s[p + 1] == 0x80 &&
		    s[p + 2] >= 0x93 && s[p + 2] <= 0x95)
			p += 3;
		else
			return SIZE_MAX;
	}
	return p;
}

/*
 * Match a whole subject.  The first segment is anchored at the start and
 * the last at the end; each middle one takes its leftmost match, which
 * is enough because a segment's end never moves back as its start moves
 * forward.  No backtracking, so the cost is bounded by the subject length
 * times the pattern length.
 */
static int
match_glob_match(const struct match_glob *g, const char *str, size_t len,
    int cased)
{
	const unsigned char	*s = (const unsigned char *)str, *f;
	const struct match_seg	*sg = &g->seg[0];
	size_t			 i, p, q, hi, e = 0;

	if (g->nseg == 1) {
		if (sg->lit != NULL)
			return len == sg->ntok &&
			    match_eq(s, (const unsigned char *)sg->lit, len,
			    cased);
		return match_seg_at(sg, s, len, 0, cased) == len;
	}
	if (sg->lit != NULL) {
		if (len < sg->ntok || !match_eq(s,
		    (const unsigned char *)sg->lit, sg->ntok, cased))
			return 0;
		p = sg->ntok;
	} else if ((p = match_seg_at(sg, s, len, 0, cased)) == SIZE_MAX)
		return 0;
	for (i = 1; i < g->nseg - 1; i++) {
		sg = &g->seg[i];
		if (sg->lit != NULL) {
			f = match_find(s + p, len - p,
			    (const unsigned char *)sg->lit, sg->ntok, cased);
			if (f == NULL)
				return 0;
			p = (size_t)(f - s) + sg->ntok;
			continue;
		}
		for (q = p; q < len; q++)
			if ((e = match_seg_at(sg, s, len, q, cased)) !=
			    SIZE_MAX)
				break;
		if (q >= len)
			return 0;
		p = e;
	}
	sg = &g->seg[g->nseg - 1];
	if (len - p < sg->minw)
		return 0;
	if (sg->lit != NULL)
		return match_eq(s + len - sg->ntok,
		    (const unsigned char *)sg->lit, sg->ntok, cased);
	q = len - p > sg->maxw ? len - sg->maxw : p;
	hi = len - sg->minw;
	for (; q <= hi; q++)
		if (match_seg_at(sg, s, len, q, cased) == len)
			return 1;
	return 0;
}

/* Case-insensitive Sigma wildcard match (* and ?, \ escapes): 1 or 0. */
int
match_wildcard(const char *pat, size_t patlen, const char *s, size_t len,
    int cased)
{
	struct match_glob	 g;
	uint16_t		*tok;
	size_t			 ntok;
	char			*p;
	int			 rv;

	p = xstrndup(pat, patlen);
	match_tokens(p, 0, &tok, &ntok);
	match_glob_init(&g, tok, ntok, cased);
	rv = match_glob_match(&g, s, len, cased);
	match_glob_clear(&g);
	free(tok);
	free(p);
	return rv;
}

/*
 * A number as JSON or YAML writes it: optional sign, digits, optional
 * fraction and exponent.  Integers that fit are kept exact.
 */
static int
match_num_parse(const char *s, size_t n, struct match_num *num)
{
	char	 buf[64], *end;
	size_t	 i = 0, digits = 0;
	int	 isint = 1;

	if (n == 0 || n >= sizeof buf)
		return -1;
	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.') {
		isint = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	}
	if (digits == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		isint = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i != n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	num->isint = 0;
	if (isint) {
		num->i = strtoll(buf, &end, 10);
		num->isint = (num->i != INT64_MAX && num->i != INT64_MIN);
	}
	/* the C locale's decimal point: ctaudit never calls setlocale() */
	num->d = strtod(buf, &end);
	return *end == '\0' ? 0 : -1;
}

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
static int
match_num_cmp(const struct match_num *a, const struct match_num *b)
{
	if (a->isint && b->isint)
		return (a->i > b->i) - (a->i < b->i);
	return (a->d > b->d) - (a->d < b->d);
}

/*
 * An IPv4 address in strict dotted decimal (leading zeros are refused, as
 * Python's ipaddress does, since inet_aton() would read them as octal),
 * or an IPv6 address.  Returns the number of address bytes, or -1.
 */
static int
match_ip_parse(const char *s, size_t n, int *af, unsigned char *addr)
{
	char		buf[INET6_ADDRSTRLEN + 1];
	size_t		i = 0;
	unsigned int	part, k, digits;

	if (n == 0 || n >= sizeof buf || memchr(s, '\0', n) != NULL)
		return -1;
	if (memchr(s, ':', n) != NULL) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return -1;
		*af = AF_INET6;
		return 16;
	}
	for (k = 0; k < 4; k++) {
		if (k > 0 && (i >= n || s[i++] != '.'))
			return -1;
		part = digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			part = part * 10 + (unsigned int)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || part > 255 ||
		    (digits > 1 && s[i - digits] == '0'))
			return -1;
		addr[k] = (unsigned char)part;
	}
	if (i != n)
		return -1;
	*af = AF_INET;
	return 4;
}

/* "addr/len" or a bare address (a host); host bits are cleared. */
static int
match_cidr_parse(const char *s, struct match_val *v)
{
	const char	*slash;
	size_t		 alen, i;
	unsigned int	 plen = 0;
	int		 bytes;

	slash = strchr(s, '/');
	alen = slash == NULL ? strlen(s) : (size_t)(slash - s);
	if ((bytes = match_ip_parse(s, alen, &v->af, v->net)) == -1)
		return -1;
	if (slash == NULL)
		plen = (unsigned int)bytes * 8;
	else {
		if (slash[1] == '\0' || (slash[1] == '0' && slash[2] != '\0'))
			return -1;
		for (i = 1; slash[i] != '\0'; i++) {
			if (slash[i] < '0' || slash[i] > '9' || i > 3)
				return -1;
			plen = plen * 10 + (unsigned int)(slash[i] - '0');
		}
		if (plen > (unsigned int)bytes * 8)
			return -1;
	}
	v->plen = plen;
	for (i = 0; i < (size_t)bytes; i++) {
		if (plen >= 8)
			plen -= 8;
		else {
			v->net[i] &= (unsigned char)(0xff00 >> plen);
			plen = 0;
		}
	}
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
match_days(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* ISO 8601 weekday of a day number: 1 (Monday) to 7. */
static int
match_wday(int64_t days)
{
	int64_t	w = (days + 3) % 7;	/* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w) + 1;
}

/* Weeks in an ISO 8601 week-numbering year: 52 or 53. */
static int
match_iso_weeks(int64_t y)
{
	int	jan1 = match_wday(match_days(y, 1, 1));
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return jan1 == 4 || (leap && jan1 == 3) ? 53 : 52;
}

/*
 * Extract a part of a timestamp written "YYYY-MM-DD[Thh:mm...]", as
 * written: there is no time zone conversion (Sigma says so).  The week is
 * the ISO 8601 week number.
 */
static int
match_time_part(const char *s, size_t n, uint64_t part, int64_t *out)
{
	int	f[5], i, k, nf;
	int64_t	days, week, y;
	static const int	pos[5] = { 0, 5, 8, 11, 14 };
	static const int	width[5] = { 4, 2, 2, 2, 2 };

	nf = (part == M_MINUTE || part == M_HOUR) ? 5 : 3;
	if (n < (size_t)(nf == 5 ? 16 : 10) || s[4] != '-' || s[7] != '-')
		return -1;
	if (nf == 5 && ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':'))
		return -1;
	for (i = 0; i < nf; i++) {
		f[i] = 0;
		for (k = 0; k < width[i]; k++) {
			if (s[pos[i] + k] < '0' || s[pos[i] + k] > '9')
				return -1;
			f[i] = f[i] * 10 + s[pos[i] + k] - '0';
		}
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 ||
	    (nf == 5 && (f[3] > 23 || f[4] > 59)))
		return -1;
	switch (part) {
	case M_MINUTE:
		*out = f[4];
		break;
	case M_HOUR:
		*out = f[3];
		break;
	case M_DAY:
		*out = f[2];
		break;
	case M_MONTH:
		*out = f[1];
		break;
	case M_YEAR:
		*out = f[0];
		break;
	default:
		y = f[0];
		days = match_days(y, f[1], f[2]);
		week = (days - match_days(y, 1, 1) + 1 - match_wday(days) +
		    10) / 7;
		if (week < 1)
			week = match_iso_weeks(y - 1);
		else if (week > match_iso_weeks(y))
			week = 1;
		*out = week;
		break;
	}
	return 0;
}

/* Encode UTF-8 text as UTF-16 (utf16 adds a byte order mark, LE). */
static char *
match_utf16(const char *s, size_t n, uint64_t how, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned char		*out, *o;
	uint32_t		 c, u[2];
	size_t			 i = 0, k, nu, need;
	int			 be = how == M_UTF16BE;

	out = o = xmalloc(n * 4 + 2);
	if (how == M_UTF16) {
		*o++ = 0xff;
		*o++ = 0xfe;
	}
	while (i < n) {
		c = p[i];
		need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 :
		    c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : 4;
		if (need == 4 || n - i <= need)
			goto bad;
		if (need > 0)
			c &= 0x3f >> need;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 2 && c < 0x800) || (need == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto bad;
		i += need + 1;
		if (c >= 0x10000) {
			c -= 0x10000;
			u[0] = 0xd800 | (c >> 10);
			u[1] = 0xdc00 | (c & 0x3ff);
			nu = 2;
		} else {
			u[0] = c;
			nu = 1;
		}
		for (k = 0; k < nu; k++) {
			*o++ = (unsigned char)(be ? u[k] >> 8 : u[k] & 0xff);
			*o++ = (unsigned char)(be ? u[k] & 0xff : u[k] >> 8);
		}
	}
	*outlen = (size_t)(o - out);
	return (char *)out;
bad:
	free(out);
	return NULL;
}

/* Standard Base64 with padding, NUL-terminated. */
static char *
match_base64(const unsigned char *p, size_t n, size_t *outlen)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	out = o = xmalloc((n + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 0x3f];
		*o++ = b64[(v >> 6) & 0x3f];
		*o++ = b64[v & 0x3f];
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 0x3f];
		*o++ = i + 1 < n ? b64[(v >> 6) & 0x3f] : '=';
		*o++ = '=';
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/* Add '*' around a literal token run as contains/startswith/endswith do. */
static uint16_t *
match_wrap(const uint16_t *tok, size_t ntok, enum match_op op, size_t *nout)
{
	uint16_t	*out;
	size_t		 n = 0;

	out = xreallocarray(NULL, ntok + 2, sizeof *out);
	if (op == MATCH_OP_CONTAINS || op == MATCH_OP_ENDSWITH)
		out[n++] = MATCH_T_STAR;
	memcpy(out + n, tok, ntok * sizeof *tok);
	n += ntok;
	if (op == MATCH_OP_CONTAINS || op == MATCH_OP_STARTSWITH)
		out[n++] = MATCH_T_STAR;
	*nout = n;
	return out;
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
		if (mv->type != MATCH_V_STRING || *text == '\0') {
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

/* The longest run of plain bytes in a glob: its length, *start its tokens. */
static size_t
match_glob_run(const struct match_glob *g, const uint16_t **start)
{
	const struct match_seg	*sg;
	size_t			 i, k, run, best = 0;

	for (i = 0; i < g->nseg; i++) {
		sg = &g->seg[i];
		for (k = run = 0; k < sg->ntok; k++) {
			if (sg->tok[k] >= 0x100) {
				run = 0;
				continue;
			}
			if (++run > best) {
				best = run;
				*start = sg->tok + k + 1 - run;
			}
		}
	}
	return best;
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
		if (match_walk(&r, record_root(w->rec), v->ref,
		    strlen(v->ref)))	/* the root exists: s came from it */
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
	w.visit = match_visit;
	w.item = mi;
	w.val = val;
	if ((root = record_root(rec)) == NULL)
		return 0;
	if (mi->field == NULL)
		return match_leaves(&w, root);
	if (match_walk(&w, root, mi->field, mi->fieldlen))
		return 1;
	null = val != NULL ? val->kind == MATCH_K_NULL : mi->has_null;
	return w.present == 0 && null;
}

/* 1 if the record matches the item, else 0. */
int
match_item_eval(const struct match_item *mi, struct record *rec)
{
	struct match_walk	 w;
	const struct rec_value	*root;
	size_t			 i;

	if (mi->mods & M_EXISTS) {
		memset(&w, 0, sizeof w);
		w.rec = rec;
		w.item = mi;
		w.exists = 1;
		if ((root = record_root(rec)) != NULL)
			match_walk(&w, root, mi->field, mi->fieldlen);
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
		match_walk(&w, root, field, strlen(field));
}
