/* SPDX-License-Identifier: ISC */
/*
 * The content prefilter, between the rule index and rule evaluation.  A
 * rule is taken when its condition, read as rule.c reads it for the
 * index, needs one of a set of literals: an item needs one of its needles
 * (match_item_needles(): the longest plain run of each wildcard value), a
 * group (AND) the cheapest set of its items, a search identifier (OR of
 * groups) the union over its groups, AND the cheapest of its kids, OR and
 * "n of" the union of the kids that need any, when too few of them need
 * none to make it true; NOT needs nothing, so a rule whose condition is
 * "not x" is never taken on x.
 *
 * The literals are kept per field (NULL for keywords), deduplicated, each
 * with the rules that need it.  For a record, every field that has
 * literals is resolved once with match_field_texts(), so the texts are
 * exactly those the items compare, and each text is scanned for all the
 * field's literals at once, ASCII case folded: with an Aho-Corasick
 * automaton of our own, or with Hyperscan when it is built in and the
 * automaton would be large (see prefilter_compile()).  The rules of the
 * literals found are the candidates.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_HYPERSCAN
#include <hs.h>
#endif

#include "match.h"
#include "prefilter.h"
#include "record.h"
#include "sigma.h"
#include "xmalloc.h"

/* One literal of one field, and the rules that need it. */
struct prefilter_pat {
	char		*s;		/* ASCII lower case */
	size_t		 len;
	size_t		*rules;		/* ascending rule indexes */
	size_t		 nrules;
	uint64_t	 gen;		/* record in which it was last found */
};

/*
 * A dense Aho-Corasick automaton over byte classes: the bytes of the
 * patterns, folded, each get a class and every other byte class 0.  A
 * transition holds the next state's row offset shifted left by one, and
 * in its low bit whether a pattern ends there or along its failure chain.
 */
struct prefilter_ac {
	uint8_t		 cls[256];	/* any byte to its class */
	size_t		 nclass;
	uint32_t	*delta;		/* nstates * nclass */
	uint32_t	*pat;		/* state: pattern + 1, or 0 */
	uint32_t	*dict;		/* state: next state with a pattern */
	size_t		 nstates;
};

struct prefilter_field {
	char			*name;		/* NULL: keywords */
	struct prefilter_pat	*pats;
	size_t			 npats;
	int			 overflow;	/* too big: always "found" */
	struct prefilter_ac	 ac;
#ifdef HAVE_HYPERSCAN
	hs_database_t		*db;
#endif
};

struct prefilter {
	enum prefilter_engine	 engine;
	struct prefilter_field	*fields;
	size_t			 nfields;
	size_t			 nrules;	/* rules taken */
	size_t			 maxrule;	/* largest index + 1 */
	uint64_t		*stamp;		/* rule: record it was listed in */
	size_t			*cand;		/* candidates of this record */
	size_t			 ncand;
	uint64_t		 gen;		/* records evaluated */
	int			 dirty;		/* rules added since compiling */
#ifdef HAVE_HYPERSCAN
	hs_scratch_t		*scratch;
#endif
};

/* One literal a rule needs; borrowed from a match item. */
struct prefilter_need {
	const char	*field;
	const char	*s;
	size_t		 len;
};

/* Literals one of which a part of a condition needs. */
struct prefilter_set {
	struct prefilter_need	*v;
	size_t			 n;
};

/* The field being scanned, for the matchers' callbacks. */
struct prefilter_scan {
	struct prefilter	*pf;
	struct prefilter_field	*f;
};

static unsigned char prefilter_fold(unsigned char);
static uint64_t	 prefilter_cost(const struct prefilter_set *);
static void	 prefilter_set_union(struct prefilter_set *,
		    struct prefilter_set *);
static void	 prefilter_set_best(struct prefilter_set *,
		    struct prefilter_set *);
static int	 prefilter_item(const struct match_item *,
		    struct prefilter_set *);
static int	 prefilter_sel(const struct sigma_sel *,
		    struct prefilter_set *);
static int	 prefilter_cond(const struct rule *, const struct sigma_cond *,
		    struct prefilter_set *);
static struct prefilter_field *prefilter_field_get(struct prefilter *,
		    const char *);
static void	 prefilter_pat_add(struct prefilter_field *, const char *,
		    size_t, size_t);
static void	 prefilter_compile(struct prefilter *);
static int	 prefilter_ac_build(struct prefilter_ac *,
		    const struct prefilter_pat *, size_t, size_t);
static void	 prefilter_ac_clear(struct prefilter_ac *);
static void	 prefilter_hit(struct prefilter *, struct prefilter_pat *);
static int	 prefilter_scan_ac(void *, const char *, size_t);
#ifdef HAVE_HYPERSCAN
static int	 prefilter_hs_build(struct prefilter *,
		    struct prefilter_field *);
static int	 prefilter_hs_match(unsigned int, unsigned long long,
		    unsigned long long, unsigned int, void *);
static int	 prefilter_scan_hs(void *, const char *, size_t);
#endif

static const char *const prefilter_engine_names[] = {
	[PREFILTER_OFF] = "off",
	[PREFILTER_AC] = "ac",
	[PREFILTER_HYPERSCAN] = "hyperscan",
	[PREFILTER_AUTO] = "auto",
};

/* ASCII lower case, as the matcher folds. */
static unsigned char
prefilter_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Create a prefilter with the engine the environment or the build says. */
struct prefilter *
prefilter_create(void)
{
	const char		*e = getenv("CTAUDIT_PREFILTER");
	enum prefilter_engine	 engine = PREFILTER_AUTO;
	size_t			 i;

	for (i = 0; e != NULL && i < nitems(prefilter_engine_names); i++) {
		if (strcmp(e, prefilter_engine_names[i]) == 0)
			engine = (enum prefilter_engine)i;
	}
	return prefilter_create_engine(engine);
}

/* Create a prefilter with this engine (Hyperscan: if built in). */
struct prefilter *
prefilter_create_engine(enum prefilter_engine engine)
{
	struct prefilter	*pf;

	pf = xcalloc(1, sizeof *pf);
#ifndef HAVE_HYPERSCAN
	if (engine == PREFILTER_HYPERSCAN || engine == PREFILTER_AUTO)
		engine = PREFILTER_AC;
#endif
	pf->engine = engine;
	return pf;
}

/* Free a prefilter. */
void
prefilter_free(struct prefilter *pf)
{
	struct prefilter_field	*f;
	size_t			 i, k;

	if (pf == NULL)
		return;
	for (i = 0; i < pf->nfields; i++) {
		f = &pf->fields[i];
		for (k = 0; k < f->npats; k++) {
			free(f->pats[k].s);
			free(f->pats[k].rules);
		}
		free(f->pats);
		free(f->name);
		prefilter_ac_clear(&f->ac);
#ifdef HAVE_HYPERSCAN
		hs_free_database(f->db);
#endif
	}
#ifdef HAVE_HYPERSCAN
	hs_free_scratch(pf->scratch);
#endif
	free(pf->fields);
	free(pf->stamp);
	free(pf->cand);
	free(pf);
}

/* The engine in use. */
enum prefilter_engine
prefilter_engine(const struct prefilter *pf)
{
	return pf->engine;
}

/* The name of an engine, as CTAUDIT_PREFILTER spells it. */
const char *
prefilter_engine_name(enum prefilter_engine e)
{
	if ((size_t)e >= nitems(prefilter_engine_names))
		return "unknown";
	return prefilter_engine_names[e];
}

/* Rules taken. */
size_t
prefilter_count(const struct prefilter *pf)
{
	return pf->nrules;
}

/*
 * What a set costs in candidates, roughly: a short literal is found in
 * many records, so each literal weighs more the shorter it is.
 */
static uint64_t
prefilter_cost(const struct prefilter_set *set)
{
	uint64_t	c = 0;
	size_t		i;

	for (i = 0; i < set->n; i++)
		c += set->v[i].len >= 12 ? 1 : 1ULL << (12 - set->v[i].len);
	return c;
}

/* Append b to a (b is emptied). */
static void
prefilter_set_union(struct prefilter_set *a, struct prefilter_set *b)
{
	a->v = xreallocarray(a->v, a->n + b->n, sizeof *a->v);
	memcpy(a->v + a->n, b->v, b->n * sizeof *b->v);
	a->n += b->n;
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/* Keep in best the cheaper of best (if set) and one (one is emptied). */
static void
prefilter_set_best(struct prefilter_set *best, struct prefilter_set *one)
{
	if (best->v == NULL || prefilter_cost(one) < prefilter_cost(best)) {
		free(best->v);
		*best = *one;
	} else
		free(one->v);
	one->v = NULL;
	one->n = 0;
}

/* The literals one of which an item needs: 0, or -1 if none. */
static int
prefilter_item(const struct match_item *mi, struct prefilter_set *out)
{
	const char *const	*s;
	const char		*field;
	const size_t		*lens;
	size_t			 n, i;

	if (match_item_needles(mi, &field, &s, &lens, &n) == -1)
		return -1;
	out->v = xcalloc(n, sizeof *out->v);
	out->n = n;
	for (i = 0; i < n; i++) {
		out->v[i].field = field;
		out->v[i].s = s[i];
		out->v[i].len = lens[i];
	}
	return 0;
}

/* The same for a search identifier: any group (OR) may be the one. */
static int
prefilter_sel(const struct sigma_sel *sel, struct prefilter_set *out)
{
	struct prefilter_set	best, one;
	size_t			g, i;

	out->v = NULL;
	out->n = 0;
	for (g = 0; g < sel->ngroups; g++) {
		best.v = NULL;
		best.n = 0;
		for (i = 0; i < sel->groups[g].nitems; i++) {
			if (prefilter_item(sel->groups[g].items[i], &one) == 0)
				prefilter_set_best(&best, &one);
		}
		if (best.v == NULL) {
			free(out->v);
			out->v = NULL;
			out->n = 0;
			return -1;
		}
		prefilter_set_union(out, &best);
	}
	return out->v != NULL ? 0 : -1;
}

/* The same over a condition (see the top of the file). */
static int
prefilter_cond(const struct rule *r, const struct sigma_cond *c,
    struct prefilter_set *out)
{
	struct prefilter_set	one;
	size_t			i, loose = 0, need;

	out->v = NULL;
	out->n = 0;
	switch (c->type) {
	case SIGMA_COND_SEL:
		return prefilter_sel(&r->sels[c->sel], out);
	case SIGMA_COND_NOT:
		return -1;
	case SIGMA_COND_AND:
		for (i = 0; i < c->nkids; i++) {
			if (prefilter_cond(r, c->kids[i], &one) == 0)
				prefilter_set_best(out, &one);
		}
		return out->v != NULL ? 0 : -1;
	case SIGMA_COND_OR:
	case SIGMA_COND_OF:
		need = c->type == SIGMA_COND_OR ? 1 : c->need;
		for (i = 0; i < c->nkids; i++) {
			if (prefilter_cond(r, c->kids[i], &one) == -1)
				loose++;
			else
				prefilter_set_union(out, &one);
		}
		if (need > 0 && loose < need && out->v != NULL)
			return 0;
		free(out->v);
		out->v = NULL;
		out->n = 0;
		return -1;
	}
	return -1;
}

/* The entry of a field (NULL: keywords), made if new. */
static struct prefilter_field *
prefilter_field_get(struct prefilter *pf, const char *name)
{
	struct prefilter_field	*f;
	size_t			 i;

	for (i = 0; i < pf->nfields; i++) {
		f = &pf->fields[i];
		if (name == NULL ? f->name == NULL :
		    f->name != NULL && strcmp(f->name, name) == 0)
			return f;
	}
	pf->fields = xreallocarray(pf->fields, pf->nfields + 1,
	    sizeof *pf->fields);
	f = &pf->fields[pf->nfields++];
	memset(f, 0, sizeof *f);
	if (name != NULL)
		f->name = xstrdup(name);
	return f;
}

/* File rule idx under literal s of field f. */
static void
prefilter_pat_add(struct prefilter_field *f, const char *s, size_t len,
    size_t idx)
{
	struct prefilter_pat	*p = NULL;
	size_t			 i;

	for (i = 0; i < f->npats; i++) {
		if (f->pats[i].len == len && memcmp(f->pats[i].s, s, len) == 0) {
			p = &f->pats[i];
			break;
		}
	}
	if (p == NULL) {
		f->pats = xreallocarray(f->pats, f->npats + 1,
		    sizeof *f->pats);
		p = &f->pats[f->npats++];
		memset(p, 0, sizeof *p);
		p->s = xmalloc(len + 1);
		memcpy(p->s, s, len);
		p->s[len] = '\0';
		p->len = len;
	}
	if (p->nrules > 0 && p->rules[p->nrules - 1] == idx)
		return;		/* the same literal twice in one rule */
	p->rules = xreallocarray(p->rules, p->nrules + 1, sizeof *p->rules);
	p->rules[p->nrules++] = idx;
}

/* Take a rule if it needs a literal (see prefilter.h). */
int
prefilter_add(struct prefilter *pf, const struct rule *r)
{
	struct prefilter_set	 set;
	size_t			 i;

	if (pf->engine == PREFILTER_OFF || r->cond == NULL ||
	    prefilter_cond(r, r->cond, &set) == -1)
		return -1;
	for (i = 0; i < set.n; i++)
		prefilter_pat_add(prefilter_field_get(pf, set.v[i].field),
		    set.v[i].s, set.v[i].len, r->index);
	free(set.v);
	pf->nrules++;
	if (r->index + 1 > pf->maxrule)
		pf->maxrule = r->index + 1;
	pf->dirty = 1;
	return 0;
}

static void
prefilter_ac_clear(struct prefilter_ac *ac)
{
	free(ac->delta);
	free(ac->pat);
	free(ac->dict);
	memset(ac, 0, sizeof *ac);
}

/*
 * Build the automaton of a field's patterns: -1 if its table would pass
 * max entries.  States are made in a trie and then, breadth
 * first, every missing transition is copied from the failure state,
 * whose row is complete by then.
 */
static int
prefilter_ac_build(struct prefilter_ac *ac, const struct prefilter_pat *pats,
    size_t npats, size_t max)
{
	uint8_t		 fcls[256];
	uint32_t	*fail, *queue, *d, *order, *pat, *dict;
	size_t		 i, k, c, total = 1, nc, s, t, head = 0, tail = 0;

	prefilter_ac_clear(ac);
	memset(fcls, 0, sizeof fcls);
	ac->nclass = 1;
	for (i = 0; i < npats; i++) {
		total += pats[i].len;
		for (k = 0; k < pats[i].len; k++) {
			c = (unsigned char)pats[i].s[k];
			if (fcls[c] == 0)
				fcls[c] = (uint8_t)ac->nclass++;
		}
	}
	nc = ac->nclass;
	if (total > max / nc)
		return -1;
	for (i = 0; i < 256; i++)
		ac->cls[i] = fcls[prefilter_fold((unsigned char)i)];

	/* The trie; 0 is the root, and no transition leads back to it yet. */
	d = xcalloc(total * nc, sizeof *d);
	ac->pat = xcalloc(total, sizeof *ac->pat);
	ac->dict = xcalloc(total, sizeof *ac->dict);
	ac->nstates = 1;
	for (i = 0; i < npats; i++) {
		s = 0;
		for (k = 0; k < pats[i].len; k++) {
			c = ac->cls[(unsigned char)pats[i].s[k]];
			if (d[s * nc + c] == 0)
				d[s * nc + c] = (uint32_t)ac->nstates++;
			s = d[s * nc + c];
		}
		ac->pat[s] = (uint32_t)i + 1;
	}

	fail = xcalloc(ac->nstates, sizeof *fail);
	queue = xcalloc(ac->nstates, sizeof *queue);
	for (c = 0; c < nc; c++) {
		if ((t = d[c]) != 0)
			queue[tail++] = (uint32_t)t;
	}
	while (head < tail) {
		s = queue[head++];
		for (c = 0; c < nc; c++) {
			t = d[s * nc + c];
			if (t == 0) {
				d[s * nc + c] = d[fail[s] * nc + c];
				continue;
			}
			fail[t] = d[fail[s] * nc + c];
			ac->dict[t] = ac->pat[fail[t]] != 0 ? fail[t] :
			    ac->dict[fail[t]];
			queue[tail++] = (uint32_t)t;
		}
	}
	/*
	 * Number the states breadth first, so that the rows near the root,
	 * where a scan spends most of its steps, share cache lines; store
	 * each transition as the row offset, shifted, with the "something
	 * ends here" bit.
	 */
	order = fail;		/* its work is done: old state to new */
	order[0] = 0;
	for (i = 0; i < tail; i++)
		order[queue[i]] = (uint32_t)i + 1;
	ac->delta = xcalloc(ac->nstates * nc, sizeof *ac->delta);
	pat = xcalloc(ac->nstates, sizeof *pat);
	dict = xcalloc(ac->nstates, sizeof *dict);
	for (s = 0; s < ac->nstates; s++) {
		pat[order[s]] = ac->pat[s];
		dict[order[s]] = order[ac->dict[s]];
	}
	for (s = 0; s < ac->nstates; s++) {
		for (c = 0; c < nc; c++) {
			t = order[d[s * nc + c]];
			ac->delta[order[s] * nc + c] = (uint32_t)(t * nc) << 1 |
			    (pat[t] != 0 || dict[t] != 0);
		}
	}
	free(ac->pat);
	free(ac->dict);
	ac->pat = pat;
	ac->dict = dict;
	free(d);
	free(fail);
	free(queue);
	return 0;
}

/*
 * Build the matchers, once rules have been added.  Auto takes our own
 * automaton while its table is small: it scans the short texts of
 * CloudTrail fields as fast, and costs next to nothing to build, where
 * Hyperscan's compiler takes a noticeable fraction of a second for a
 * thousand literals; past that size, Hyperscan scales better.
 */
static void
prefilter_compile(struct prefilter *pf)
{
	struct prefilter_field	*f;
	size_t			 i;

	pf->dirty = 0;
	free(pf->stamp);
	free(pf->cand);
	pf->stamp = xcalloc(pf->maxrule, sizeof *pf->stamp);
	pf->cand = xcalloc(pf->nrules, sizeof *pf->cand);
	for (i = 0; i < pf->nfields; i++) {
		f = &pf->fields[i];
		f->overflow = 0;
#ifdef HAVE_HYPERSCAN
		hs_free_database(f->db);
		f->db = NULL;
		if (pf->engine == PREFILTER_AUTO && prefilter_ac_build(&f->ac,
		    f->pats, f->npats, PREFILTER_AC_AUTO) == 0)
			continue;
		if ((pf->engine == PREFILTER_HYPERSCAN ||
		    pf->engine == PREFILTER_AUTO) &&
		    prefilter_hs_build(pf, f) == 0)
			continue;
#endif
		f->overflow = prefilter_ac_build(&f->ac, f->pats,
		    f->npats, PREFILTER_AC_MAX) == -1;
	}
}

/* A literal was found: list its rules, once per record. */
static void
prefilter_hit(struct prefilter *pf, struct prefilter_pat *p)
{
	size_t	i, r;

	if (p->gen == pf->gen)
		return;
	p->gen = pf->gen;
	for (i = 0; i < p->nrules; i++) {
		r = p->rules[i];
		if (pf->stamp[r] == pf->gen)
			continue;
		pf->stamp[r] = pf->gen;
		pf->cand[pf->ncand++] = r;
	}
}

/* Scan one text of a field with its automaton. */
static int
prefilter_scan_ac(void *arg, const char *text, size_t n)
{
	struct prefilter_scan		*sc = arg;
	const struct prefilter_ac	*ac = &sc->f->ac;
	const uint32_t			*d = ac->delta;
	const uint8_t			*cls = ac->cls;
	const unsigned char		*p = (const unsigned char *)text;
	size_t				 i, s = 0, t;
	uint32_t			 e;

	for (i = 0; i < n; i++) {
		e = d[s + cls[p[i]]];
		s = e >> 1;
		if ((e & 1) == 0)
			continue;
		for (t = s / ac->nclass; t != 0; t = ac->dict[t]) {
			if (ac->pat[t] != 0)
				prefilter_hit(sc->pf,
				    &sc->f->pats[ac->pat[t] - 1]);
		}
	}
	return 0;
}

#ifdef HAVE_HYPERSCAN
/* Compile a field's literals into a Hyperscan database: 0, or -1. */
static int
prefilter_hs_build(struct prefilter *pf, struct prefilter_field *f)
{
	hs_compile_error_t	 *err = NULL;
	const char		**exprs;
	unsigned int		 *flags, *ids;
	size_t			 *lens, i;
	int			  rv = -1;

	if (f->npats > UINT32_MAX)
		return -1;
	exprs = xcalloc(f->npats, sizeof *exprs);
	flags = xcalloc(f->npats, sizeof *flags);
	ids = xcalloc(f->npats, sizeof *ids);
	lens = xcalloc(f->npats, sizeof *lens);
	for (i = 0; i < f->npats; i++) {
		exprs[i] = f->pats[i].s;
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
		ids[i] = (unsigned int)i;
		lens[i] = f->pats[i].len;
	}
	if (hs_compile_lit_multi(exprs, flags, ids, lens,
	    (unsigned int)f->npats, HS_MODE_BLOCK, NULL, &f->db, &err) !=
	    HS_SUCCESS) {
		hs_free_compile_error(err);
		f->db = NULL;
	} else if (hs_alloc_scratch(f->db, &pf->scratch) != HS_SUCCESS) {
		hs_free_database(f->db);
		f->db = NULL;
	} else
		rv = 0;
	free(exprs);
	free(flags);
	free(ids);
	free(lens);
	return rv;
}

/* Hyperscan found literal id. */
static int
prefilter_hs_match(unsigned int id, unsigned long long from,
    unsigned long long to, unsigned int flags, void *arg)
{
	struct prefilter_scan	*sc = arg;

	(void)from;
	(void)to;
	(void)flags;
	prefilter_hit(sc->pf, &sc->f->pats[id]);
	return 0;
}

/* Scan one text of a field with its database. */
static int
prefilter_scan_hs(void *arg, const char *text, size_t n)
{
	struct prefilter_scan	*sc = arg;
	size_t			 k;

	/* No record holds so long a text (REC_MEM_MAX), but be safe. */
	if (n > UINT32_MAX) {
		for (k = 0; k < sc->f->npats; k++)
			prefilter_hit(sc->pf, &sc->f->pats[k]);
		return 1;
	}
	(void)hs_scan(sc->f->db, text, (unsigned int)n, 0, sc->pf->scratch,
	    prefilter_hs_match, sc);
	return 0;
}
#endif

static int
prefilter_cmp(const void *a, const void *b)
{
	size_t	x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* The rules rec may match, ascending (see prefilter.h). */
const size_t *
prefilter_eval(struct prefilter *pf, struct record *rec, size_t *n)
{
	struct prefilter_scan	 sc;
	struct prefilter_field	*f;
	size_t			 i, k;
	match_text_cb		*scan;

	*n = 0;
	if (pf->nrules == 0)
		return NULL;
	if (pf->dirty)
		prefilter_compile(pf);
	pf->gen++;
	pf->ncand = 0;
	sc.pf = pf;
	for (i = 0; i < pf->nfields; i++) {
		f = sc.f = &pf->fields[i];
		if (f->overflow) {
			for (k = 0; k < f->npats; k++)
				prefilter_hit(pf, &f->pats[k]);
			continue;
		}
		scan = prefilter_scan_ac;
#ifdef HAVE_HYPERSCAN
		if (f->db != NULL)
			scan = prefilter_scan_hs;
#endif
		match_field_texts(rec, f->name, scan, &sc);
	}
	if (pf->ncand > 1)
		qsort(pf->cand, pf->ncand, sizeof *pf->cand, prefilter_cmp);
	*n = pf->ncand;
	return pf->cand;
}
