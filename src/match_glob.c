/* SPDX-License-Identifier: ISC */
/*
 * The Sigma wildcard engine of detection items: a value is turned into
 * tokens ('*', '?', windash dashes, bytes with ASCII case folded in
 * advance), split at '*' into segments, and matched against a subject
 * left to right without backtracking.  match.c compiles values into these
 * patterns; match_wildcard() is the one-shot form for other modules.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "match_int.h"
#include "xmalloc.h"

static size_t	match_seg_at(const struct match_seg *, const unsigned char *,
		    size_t, size_t, int);
static const unsigned char *match_find(const unsigned char *, size_t,
		    const unsigned char *, size_t, int);
static int	match_eq(const unsigned char *, const unsigned char *, size_t,
		    int);

/* ASCII lower case; other bytes, UTF-8 included, are left alone. */
const unsigned char match_lower[256] = {
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

/*
 * Turn a Sigma string into pattern tokens: '*' and '?' are wildcards,
 * backslash escapes '*', '?' and itself and is literal before anything
 * else.  With windash, each dash character becomes MATCH_T_DASH.
 * Returns the number of wildcards in it.
 */
int
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
void
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

/* Free the segments of a pattern. */
void
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
int
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
int
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

/* Add '*' around a literal token run as contains/startswith/endswith do. */
uint16_t *
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

/* The longest run of plain bytes in a glob: its length, *start its tokens. */
size_t
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
