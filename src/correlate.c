/* SPDX-License-Identifier: ISC */
/*
 * Correlation rules, after the detection stage.  An archive is read file
 * by file, so events come in no useful time order: a window cannot be
 * closed while the scan goes on.  During the scan each match of a rule
 * that a correlation names is reduced to a small entry (eventTime, the
 * rule's place in the list, the value counted) in the state of its group,
 * the group being the values of the group-by fields.  When the scan is
 * over, correlate_finish() sorts each group by time and slides the window
 * over it; the findings of a correlation feed the correlations that name
 * it (rules are resolved before those that name them, so load order is
 * the order of computation), and all findings come out sorted by time,
 * rule and group, so that the output does not depend on the input order.
 *
 * The window.  Events of one group are in one window when the last is
 * less than timespan after the first.  From the earliest event on, the
 * window is the longest one starting at that event; if the condition
 * holds for it, it is a finding and the next window starts after its last
 * event (no event counts twice for one group), otherwise the next window
 * starts at the next event.  temporal_ordered looks, from each event of
 * its first rule, for the earliest event of each next rule in turn.
 *
 * Carrying over (--state).  A run from cron ends in the middle of windows
 * that the next run's files complete.  Each group remembers how far its
 * findings took it (no event counts twice for one group), and
 * correlate_carry() hands on the events after that point which a later
 * event could still join: those less than the timespan, plus a slack for
 * late delivery, before the newest eventTime.  The next run feeds them
 * back with correlate_replay() before it reads anything, so a window cut
 * by the end of a run is judged whole, and a finding already reported is
 * not reported again.  A correlation's findings are events of the
 * correlations that name it and are carried as such.
 *
 * The state is capped (correlate.h): groups per correlation, events per
 * group, events and bytes in all.  A cap is reported once, as a warning;
 * what it leaves out is lost, and findings it may have touched say so
 * ("incomplete").
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "eventtime.h"
#include "hash.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "rule.h"
#include "sigma.h"
#include "xmalloc.h"

/* One match kept for a window. */
struct correlate_ev {
	int64_t			 t;	/* eventTime (a finding: its last) */
	int64_t			 t0;	/* the earliest time it stands for */
	uint64_t		 id;	/* its eventID hashed; 0: none */
	double			 num;	/* value_sum, value_avg */
	uint32_t		 val;	/* value_count: the value's id */
	uint32_t		 slot;	/* which of the named rules */
};

struct correlate_str {
	char			*s;	/* NUL-terminated, may hold NULs */
	size_t			 len;
};

/* The events of one group, that is one set of group-by values. */
struct correlate_group {
	struct correlate_str	*v;
	uint64_t		 hash;
	struct correlate_ev	*ev;
	size_t			 nev, size;
	size_t			 done;		/* events findings took */
	int			 capped;	/* events were left out */
};

/* One window that matched. */
struct correlate_hit {
	struct correlate_corr	*cc;
	struct correlate_group	*g;
	int64_t			 first, last;
	double			 value;
	uint64_t		 events;
	int			 incomplete;
	size_t			 seq;
};

/* One correlation rule and its state. */
struct correlate_corr {
	const struct rule	 *rule;
	const struct sigma_corr	 *sc;
	const char		**fields;	/* [slot * ngroupby + i] */
	const char		**vfield;	/* [slot]: field counted */
	struct correlate_group	**groups;	/* in order of creation */
	size_t			  ngroups;
	struct hash		  gtab;		/* into groups */
	struct correlate_str	 *vals;		/* value_count: by id */
	size_t			  nvals;
	struct hash		  vtab;		/* into vals */
	struct correlate_hit	 *hits;
	size_t			  nhits;
	uint64_t		  untimed;	/* no usable eventTime */
	int			  warned_groups, warned_events;
};

/* A correlation that names a rule, and where in its list. */
struct correlate_user {
	size_t			 corr;
	uint32_t		 slot;
};

struct correlate {
	struct correlate_limits	  lim;
	struct correlate_corr	 *c;
	size_t			  nc;
	struct correlate_user	**users;	/* by rule index */
	size_t			 *nusers;
	const char		***rfields;	/* by rule: correlate_fields() */
	size_t			  nrules;
	size_t			  total, bytes;
	int			  lossy;	/* total or bytes cap hit */
	correlate_emit_cb	 *emit;		/* --partial: hand matches on */
	void			 *emit_arg;
	correlate_emit_cb	 *tap;		/* --state: and keep them */
	void			 *tap_arg;
};

/*
 * Where the fields of a match come from: a record, a finding, or the
 * values a partial file kept (vals: the group-by values, then the
 * value counted).
 */
struct correlate_src {
	struct record			*rec;
	const struct correlate_hit	*hit;
	const struct correlate_val	*vals;
};

static const char *correlate_field(const struct correlate_corr *,
		    uint32_t, const char *);
static int	 correlate_get(const struct correlate_src *, const char *,
		    const char **, size_t *);
static int	 correlate_bytes(struct correlate *, size_t);
static void	 correlate_fields_make(struct correlate *);
static int	 correlate_intern(struct correlate *, struct correlate_corr *,
		    const char *, size_t, uint32_t *);
static struct correlate_group *correlate_group(struct correlate *,
		    struct correlate_corr *, const struct correlate_str *,
		    uint64_t);
static void	 correlate_add(struct correlate *, struct correlate_corr *,
		    uint32_t, const struct correlate_src *, int64_t, int64_t,
		    uint64_t);
static int	 correlate_test(const struct sigma_corr *, double);
static int	 correlate_cmp_ev(const void *, const void *);
static int	 correlate_cmp_u32(const void *, const void *);
static void	 correlate_hit(struct correlate *, struct correlate_corr *,
		    struct correlate_group *, size_t, size_t, double,
		    uint64_t);
static void	 correlate_ordered(struct correlate *,
		    struct correlate_corr *, struct correlate_group *);
static void	 correlate_windows(struct correlate *,
		    struct correlate_corr *, struct correlate_group *);
static int	 correlate_cmp_str(const struct correlate_str *,
		    const struct correlate_str *);
static int	 correlate_cmp_hit(const void *, const void *);
static void	 correlate_renumber(struct correlate_corr *);

/* The field that group-by name (or the counted field) means in a slot. */
static const char *
correlate_field(const struct correlate_corr *cc, uint32_t slot,
    const char *name)
{
	const struct sigma_corr	*sc = cc->sc;
	size_t			 i;

	for (i = 0; i < sc->naliases; i++) {
		if (sc->aliases[i].ref == slot &&
		    strcmp(sc->aliases[i].alias, name) == 0)
			return sc->aliases[i].field;
	}
	return name;
}

/*
 * A field of a match as text: 1, or 0 if it is absent, null or not a
 * scalar.  A finding has only its group-by values as fields.
 */
static int
correlate_get(const struct correlate_src *src, const char *field,
    const char **sp, size_t *lenp)
{
	const struct rec_value	*v;
	const struct sigma_corr	*sc;
	size_t			 i;

	if (src->rec != NULL) {
		v = record_path(src->rec, field);
		if (v == NULL || v->type == REC_NULL ||
		    v->type == REC_OBJECT || v->type == REC_ARRAY)
			return 0;
		*sp = v->str;
		*lenp = v->len;
		return 1;
	}
	sc = src->hit->cc->sc;
	for (i = 0; i < sc->ngroupby; i++) {
		if (strcmp(sc->groupby[i], field) == 0) {
			*sp = src->hit->g->v[i].s;
			*lenp = src->hit->g->v[i].len;
			return 1;
		}
	}
	return 0;
}

/* FNV-1a, continued from h, over the length and then the bytes. */
uint64_t
correlate_hash(uint64_t h, const char *s, size_t len)
{
	unsigned char	lb[sizeof len];
	size_t		i;

	for (i = 0; i < sizeof len; i++)
		lb[i] = (len >> (8 * i)) & 0xff;
	return hash_bytes(hash_bytes(h, lb, sizeof lb), s, len);
}

/* An eventID as a match keeps it: 63 bits (JSON takes them), never 0. */
uint64_t
correlate_id(const char *s, size_t len)
{
	uint64_t	h = correlate_hash(HASH_INIT, s, len) & INT64_MAX;

	return h != 0 ? h : 1;
}

static int
correlate_val_eq(const void *arg, size_t idx, const void *key)
{
	const struct correlate_str	*v = &((const struct correlate_corr *)
					    arg)->vals[idx], *k = key;

	return v->len == k->len && memcmp(v->s, k->s, k->len) == 0;
}

static uint64_t
correlate_val_rehash(const void *arg, size_t idx)
{
	const struct correlate_str	*v = &((const struct correlate_corr *)
					    arg)->vals[idx];

	return correlate_hash(HASH_INIT, v->s, v->len);
}

/* The group-by values looked for, and their hash. */
struct correlate_gkey {
	const struct correlate_str	*v;
	uint64_t			 hash;
};

static int
correlate_group_eq(const void *arg, size_t idx, const void *key)
{
	const struct correlate_corr	*cc = arg;
	const struct correlate_group	*g = cc->groups[idx];
	const struct correlate_gkey	*k = key;
	size_t				 i;

	if (g->hash != k->hash)
		return 0;
	for (i = 0; i < cc->sc->ngroupby; i++) {
		if (g->v[i].len != k->v[i].len ||
		    memcmp(g->v[i].s, k->v[i].s, k->v[i].len) != 0)
			return 0;
	}
	return 1;
}

static uint64_t
correlate_group_rehash(const void *arg, size_t idx)
{
	return ((const struct correlate_corr *)arg)->groups[idx]->hash;
}

/* What malloc() adds to each block it hands out, as counted here. */
#define CORRELATE_ALLOC_OVERHEAD	16

/* Account for n more bytes of kept values: 0, or -1 past the cap. */
static int
correlate_bytes(struct correlate *e, size_t n)
{
	if (n > e->lim.bytes - e->bytes) {
		if (!e->lossy)
			diag(DIAG_WARN, NULL, 0, "correlation state holds %zu "
			    "bytes of values: further matches are left out "
			    "and findings are marked incomplete", e->lim.bytes);
		e->lossy = 1;
		return -1;
	}
	e->bytes += n;
	return 0;
}

/* The id of a counted value, added if new: 0, or -1 past a cap. */
static int
correlate_intern(struct correlate *e, struct correlate_corr *cc,
    const char *s, size_t len, uint32_t *id)
{
	struct correlate_str	 key = { (char *)s, len };
	size_t			 i;
	uint64_t		 h = correlate_hash(HASH_INIT, s, len);

	if ((i = hash_find(&cc->vtab, h, correlate_val_eq, cc, &key)) !=
	    SIZE_MAX) {
		*id = (uint32_t)i;
		return 0;
	}
	/*
	 * Everything a value costs: its bytes, its entry, its share of the
	 * hash table and the allocator's header.
	 */
	if (correlate_bytes(e, len + 1 + sizeof *cc->vals +
	    hash_bytes_per_entry() + CORRELATE_ALLOC_OVERHEAD) == -1)
		return -1;
	if (hash_add(&cc->vtab, h, cc->nvals, correlate_val_rehash, cc) == -1)
		fatalx("correlation: more than %zu values", (size_t)HASH_MAX);
	cc->vals = xreallocarray(cc->vals, cc->nvals + 1, sizeof *cc->vals);
	cc->vals[cc->nvals].s = xmemdup(s, len + 1);
	cc->vals[cc->nvals].s[len] = '\0';
	cc->vals[cc->nvals].len = len;
	*id = (uint32_t)cc->nvals++;
	return 0;
}

/* The group with these values, created if new; NULL past a cap. */
static struct correlate_group *
correlate_group(struct correlate *e, struct correlate_corr *cc,
    const struct correlate_str *v, uint64_t h)
{
	struct correlate_gkey	 key = { v, h };
	struct correlate_group	*g;
	size_t			 ng = cc->sc->ngroupby, i, bytes;

	if ((i = hash_find(&cc->gtab, h, correlate_group_eq, cc, &key)) !=
	    SIZE_MAX)
		return cc->groups[i];
	if (cc->ngroups >= e->lim.groups) {
		if (!cc->warned_groups)
			diag(DIAG_WARN, rule_path(cc->rule), cc->rule->line,
			    "correlation rule '%s': more than %zu groups: "
			    "matches of further groups are left out",
			    rule_title(cc->rule), e->lim.groups);
		cc->warned_groups = 1;
		return NULL;
	}
	for (bytes = sizeof *g, i = 0; i < ng; i++)
		bytes += v[i].len + 1;
	if (correlate_bytes(e, bytes) == -1)
		return NULL;

	if (hash_add(&cc->gtab, h, cc->ngroups, correlate_group_rehash,
	    cc) == -1)
		fatalx("correlation: more than %zu groups", (size_t)HASH_MAX);
	g = xcalloc(1, sizeof *g);
	g->v = xcalloc(ng > 0 ? ng : 1, sizeof *g->v);
	for (i = 0; i < ng; i++) {
		g->v[i].s = xmalloc(v[i].len + 1);
		memcpy(g->v[i].s, v[i].s, v[i].len);
		g->v[i].s[v[i].len] = '\0';
		g->v[i].len = v[i].len;
	}
	g->hash = h;
	cc->groups = xreallocarray(cc->groups, cc->ngroups + 1,
	    sizeof *cc->groups);
	cc->groups[cc->ngroups++] = g;
	return g;
}

/*
 * Keep one match of the rule in slot for correlation cc.  A match that
 * lacks a group-by field, or the field counted, does not count (as in
 * the SIEM backends Sigma converts to).
 */
static void
correlate_add(struct correlate *e, struct correlate_corr *cc, uint32_t slot,
    const struct correlate_src *src, int64_t t, int64_t t0, uint64_t id)
{
	const struct sigma_corr	*sc = cc->sc;
	struct correlate_str	 v[SIGMA_CORR_GROUPBY_MAX];
	struct correlate_val	 pv[SIGMA_CORR_GROUPBY_MAX + 1];
	struct correlate_group	*g;
	struct correlate_ev	*ev;
	const char		*s, *vs = NULL;
	char			*end, *num;
	size_t			 i, len, vlen = 0;
	int			 bad;
	uint64_t		 h = HASH_INIT;
	uint32_t		 val = slot;
	double			 d = 0;

	for (i = 0; i < sc->ngroupby; i++) {
		if (src->vals != NULL) {
			s = src->vals[i].s;
			len = src->vals[i].len;
		} else if (!correlate_get(src,
		    cc->fields[slot * sc->ngroupby + i], &s, &len))
			return;
		v[i].s = (char *)s;
		v[i].len = len;
		h = correlate_hash(h, s, len);
	}
	if (sc->field != NULL) {
		if (src->vals != NULL) {
			s = src->vals[sc->ngroupby].s;
			len = src->vals[sc->ngroupby].len;
		} else if (!correlate_get(src, cc->vfield[slot], &s, &len))
			return;
		if (sc->type == SIGMA_CORR_VALUE_COUNT) {
			/* Interned below, once the caps allow the event. */
			vs = s;
			vlen = len;
		} else {
			/* A number as JSON writes it, or a string holding one. */
			num = xstrndup(s, len);
			errno = 0;
			d = strtod(num, &end);
			bad = end == num || *end != '\0' || errno == ERANGE ||
			    !isfinite(d);
			free(num);
			if (bad)
				return;
		}
	}
	/* The values as a partial file or the journal has them. */
	if ((e->emit != NULL || e->tap != NULL) && src->rec != NULL) {
		for (i = 0; i < sc->ngroupby; i++) {
			pv[i].s = v[i].s;
			pv[i].len = v[i].len;
		}
		if (sc->field != NULL) {
			pv[i].s = s;
			pv[i].len = len;
		}
	}
	/* --partial: the shard keeps nothing, ctaudit merge counts it. */
	if (e->emit != NULL && src->rec != NULL) {
		e->emit((size_t)(cc - e->c), slot, t, id, pv,
		    sc->ngroupby + (sc->field != NULL), e->emit_arg);
		return;
	}
	if ((g = correlate_group(e, cc, v, h)) == NULL)
		return;
	if (g->nev >= e->lim.events) {
		if (!cc->warned_events)
			diag(DIAG_WARN, rule_path(cc->rule), cc->rule->line,
			    "correlation rule '%s': more than %zu matches in "
			    "one group: further ones are left out and its "
			    "findings are marked incomplete",
			    rule_title(cc->rule), e->lim.events);
		cc->warned_events = 1;
		g->capped = 1;
		return;
	}
	if (e->total >= e->lim.total) {
		if (!e->lossy)
			diag(DIAG_WARN, NULL, 0, "correlation state holds %zu "
			    "matches: further matches are left out and "
			    "findings are marked incomplete", e->lim.total);
		e->lossy = 1;
		return;
	}
	if (vs != NULL && correlate_intern(e, cc, vs, vlen, &val) == -1)
		return;
	if (g->nev == g->size) {
		g->size = g->size == 0 ? 8 : g->size * 2;
		if (g->size > e->lim.events)
			g->size = e->lim.events;
		g->ev = xreallocarray(g->ev, g->size, sizeof *g->ev);
	}
	ev = &g->ev[g->nev++];
	ev->t = t;
	ev->t0 = t0;
	ev->id = id;
	ev->num = d;
	ev->val = val;
	ev->slot = slot;
	e->total++;
	if (e->tap != NULL && src->rec != NULL)
		e->tap((size_t)(cc - e->c), slot, t, id, pv,
		    sc->ngroupby + (sc->field != NULL), e->tap_arg);
}

/* Whether a window's value passes every comparison of the condition. */
static int
correlate_test(const struct sigma_corr *sc, double value)
{
	size_t	i;
	double	want;
	int	ok = 1;

	for (i = 0; i < sc->nconds && ok; i++) {
		want = sc->conds[i].value;
		switch (sc->conds[i].op) {
		case SIGMA_CORR_GT:
			ok = value > want;
			break;
		case SIGMA_CORR_GTE:
			ok = value >= want;
			break;
		case SIGMA_CORR_LT:
			ok = value < want;
			break;
		case SIGMA_CORR_LTE:
			ok = value <= want;
			break;
		case SIGMA_CORR_EQ:
			ok = value == want;
			break;
		case SIGMA_CORR_NEQ:
			ok = value != want;
			break;
		}
	}
	return ok;
}

/* By time, then by slot (ties count as in the rules' order), fully. */
static int
correlate_cmp_ev(const void *a, const void *b)
{
	const struct correlate_ev	*x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	if (x->val != y->val)
		return x->val < y->val ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

static int
correlate_cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Record the window of events from..to-1 of g as a finding. */
static void
correlate_hit(struct correlate *e, struct correlate_corr *cc,
    struct correlate_group *g, size_t from, size_t to, double value,
    uint64_t events)
{
	struct correlate_hit	*hit;
	size_t			 i;

	(void)e;
	cc->hits = xreallocarray(cc->hits, cc->nhits + 1, sizeof *cc->hits);
	hit = &cc->hits[cc->nhits];
	hit->cc = cc;
	hit->g = g;
	hit->first = g->ev[from].t0;
	for (i = from; i < to; i++) {
		if (g->ev[i].t0 < hit->first)
			hit->first = g->ev[i].t0;
	}
	hit->last = g->ev[to - 1].t;
	hit->value = value;
	hit->events = events;
	hit->incomplete = g->capped;
	hit->seq = cc->nhits++;
	g->done = to;
}

/* temporal_ordered: each named rule in turn, from one of the first. */
static void
correlate_ordered(struct correlate *e, struct correlate_corr *cc,
    struct correlate_group *g)
{
	const struct sigma_corr	*sc = cc->sc;
	struct correlate_ev	*ev = g->ev;
	size_t			 i, q, last, n = g->nev;
	uint32_t		 k;

	for (i = 0; i < n;) {
		if (ev[i].slot != 0) {
			i++;
			continue;
		}
		last = i;
		for (k = 1, q = i + 1; q < n && k < sc->nrefs &&
		    ev[q].t - ev[i].t < sc->timespan; q++) {
			if (ev[q].slot == k) {
				k++;
				last = q;
			}
		}
		if (k < sc->nrefs) {
			i++;
			continue;
		}
		/* first is taken over the whole span: it is a lower bound. */
		correlate_hit(e, cc, g, i, last + 1, (double)sc->nrefs,
		    sc->nrefs);
		i = last + 1;
	}
}

/*
 * Slide the window over the sorted events of g: the longest window from
 * each event, a finding when the condition holds, and the next window
 * after its last event.  Distinct values are counted with a count per
 * value, so each event enters and leaves the window once.
 */
static void
correlate_windows(struct correlate *e, struct correlate_corr *cc,
    struct correlate_group *g)
{
	const struct sigma_corr	*sc = cc->sc;
	struct correlate_ev	*ev = g->ev;
	uint32_t		*ids = NULL, *loc = NULL, *cnt = NULL, *p;
	size_t			 n = g->nev, i, j, k, nids = 0, distinct = 0;
	long double		 sum = 0;
	double			 value;
	int			 distinctive;

	if (n == 0)
		return;
	qsort(ev, n, sizeof *ev, correlate_cmp_ev);
	/*
	 * One event twice (CloudTrail delivers some twice; a file read
	 * again meets the matches the last run carried): count it once.
	 */
	for (i = 1, j = 1; i < n; i++) {
		if (ev[i].id == 0 ||
		    correlate_cmp_ev(&ev[i], &ev[j - 1]) != 0)
			ev[j++] = ev[i];
	}
	n = g->nev = j;
	if (sc->type == SIGMA_CORR_TEMPORAL_ORDERED) {
		correlate_ordered(e, cc, g);
		return;
	}
	distinctive = sc->type == SIGMA_CORR_VALUE_COUNT ||
	    sc->type == SIGMA_CORR_TEMPORAL;
	if (distinctive) {
		/* Number the values of this group 0..nids-1. */
		ids = xcalloc(n, sizeof *ids);
		for (i = 0; i < n; i++)
			ids[i] = ev[i].val;
		qsort(ids, n, sizeof *ids, correlate_cmp_u32);
		for (i = 0; i < n; i++) {
			if (i == 0 || ids[i] != ids[nids - 1])
				ids[nids++] = ids[i];
		}
		loc = xcalloc(n, sizeof *loc);
		for (i = 0; i < n; i++) {
			p = bsearch(&ev[i].val, ids, nids, sizeof *ids,
			    correlate_cmp_u32);
			loc[i] = (uint32_t)(p - ids);
		}
		cnt = xcalloc(nids, sizeof *cnt);
	}

	for (i = 0, j = 0; i < n;) {
		for (; j < n && ev[j].t - ev[i].t < sc->timespan; j++) {
			if (distinctive && cnt[loc[j]]++ == 0)
				distinct++;
			sum += ev[j].num;
		}
		switch (sc->type) {
		case SIGMA_CORR_VALUE_COUNT:
		case SIGMA_CORR_TEMPORAL:
			value = (double)distinct;
			break;
		case SIGMA_CORR_VALUE_SUM:
			value = (double)sum;
			break;
		case SIGMA_CORR_VALUE_AVG:
			value = (double)(sum / (long double)(j - i));
			break;
		default:
			value = (double)(j - i);
			break;
		}
		if (correlate_test(sc, value)) {
			correlate_hit(e, cc, g, i, j, value, j - i);
			for (k = i; k < j; k++) {
				if (distinctive)
					cnt[loc[k]] = 0;
			}
			distinct = 0;
			sum = 0;
			i = j;
			continue;
		}
		if (distinctive && --cnt[loc[i]] == 0)
			distinct--;
		sum -= ev[i].num;
		i++;
	}
	free(ids);
	free(loc);
	free(cnt);
}

/* Build the engine for the correlation rules of rs; NULL if none. */
struct correlate *
correlate_create(const struct rule_set *rs,
    const struct correlate_limits *lim)
{
	struct correlate	*e;
	struct correlate_corr	*cc;
	struct correlate_user	*u;
	const struct rule	*r;
	const struct sigma_corr	*sc;
	size_t			 i, nc = 0, ri, k, ng;

	for (i = 0; i < rule_set_count(rs); i++) {
		if (rule_set_get(rs, i)->corr != NULL)
			nc++;
	}
	if (nc == 0)
		return NULL;
	e = xcalloc(1, sizeof *e);
	if (lim != NULL)
		e->lim = *lim;
	else {
		e->lim.groups = CORRELATE_GROUPS_MAX;
		e->lim.events = CORRELATE_EVENTS_MAX;
		e->lim.total = CORRELATE_TOTAL_MAX;
		e->lim.bytes = CORRELATE_BYTES_MAX;
	}
	e->nrules = rule_set_count(rs);
	e->users = xcalloc(e->nrules, sizeof *e->users);
	e->nusers = xcalloc(e->nrules, sizeof *e->nusers);
	e->c = xcalloc(nc, sizeof *e->c);
	for (i = 0; i < e->nrules; i++) {
		r = rule_set_get(rs, i);
		if ((sc = r->corr) == NULL)
			continue;
		cc = &e->c[e->nc];
		cc->rule = r;
		cc->sc = sc;
		ng = sc->ngroupby;
		cc->fields = xcalloc(sc->nrefs * (ng > 0 ? ng : 1),
		    sizeof *cc->fields);
		cc->vfield = xcalloc(sc->nrefs, sizeof *cc->vfield);
		for (k = 0; k < sc->nrefs; k++) {
			for (ri = 0; ri < ng; ri++)
				cc->fields[k * ng + ri] = correlate_field(cc,
				    (uint32_t)k, sc->groupby[ri]);
			if (sc->field != NULL)
				cc->vfield[k] = correlate_field(cc,
				    (uint32_t)k, sc->field);
			ri = sc->refs[k].rule->index;
			e->users[ri] = xreallocarray(e->users[ri],
			    e->nusers[ri] + 1, sizeof *e->users[ri]);
			u = &e->users[ri][e->nusers[ri]++];
			u->corr = e->nc;
			u->slot = (uint32_t)k;
		}
		e->nc++;
	}
	correlate_fields_make(e);
	return e;
}

/*
 * For each rule, the fields correlate_match() looks up in a record it
 * matched: its eventTime and eventID, then each field of each
 * correlation naming it.
 */
static void
correlate_fields_make(struct correlate *e)
{
	const struct correlate_corr	*cc;
	const struct correlate_user	*u;
	size_t				 ri, i, k, n, ng;

	e->rfields = xcalloc(e->nrules, sizeof *e->rfields);
	for (ri = 0; ri < e->nrules; ri++) {
		if (e->nusers[ri] == 0)
			continue;
		n = 1;
		for (i = 0; i < e->nusers[ri]; i++) {
			cc = &e->c[e->users[ri][i].corr];
			n += cc->sc->ngroupby + (cc->sc->field != NULL);
		}
		e->rfields[ri] = xcalloc(n + 2, sizeof *e->rfields[ri]);
		n = 0;
		e->rfields[ri][n++] = "eventTime";
		e->rfields[ri][n++] = "eventID";
		for (i = 0; i < e->nusers[ri]; i++) {
			u = &e->users[ri][i];
			cc = &e->c[u->corr];
			ng = cc->sc->ngroupby;
			for (k = 0; k < ng; k++)
				e->rfields[ri][n++] = cc->fields[u->slot * ng + k];
			if (cc->sc->field != NULL)
				e->rfields[ri][n++] = cc->vfield[u->slot];
		}
	}
}

/*
 * The fields, NULL-terminated, that correlate_match() reads of a record
 * the rule of this index matched (none: it reads nothing).  Made once,
 * never changed: threads other than the engine's may read them.
 */
const char *const *
correlate_fields(const struct correlate *e, size_t rule)
{
	static const char *const	 none[] = { NULL };

	if (e == NULL || rule >= e->nrules || e->rfields[rule] == NULL)
		return none;
	return e->rfields[rule];
}

/* Free the engine and its state. */
void
correlate_free(struct correlate *e)
{
	struct correlate_corr	*cc;
	size_t			 i, j, k;

	if (e == NULL)
		return;
	for (i = 0; i < e->nc; i++) {
		cc = &e->c[i];
		for (j = 0; j < cc->ngroups; j++) {
			for (k = 0; k < cc->sc->ngroupby; k++)
				free(cc->groups[j]->v[k].s);
			free(cc->groups[j]->v);
			free(cc->groups[j]->ev);
			free(cc->groups[j]);
		}
		free(cc->groups);
		hash_clear(&cc->gtab);
		for (j = 0; j < cc->nvals; j++)
			free(cc->vals[j].s);
		free(cc->vals);
		hash_clear(&cc->vtab);
		free(cc->hits);
		free(cc->fields);
		free(cc->vfield);
	}
	free(e->c);
	for (i = 0; i < e->nrules; i++) {
		free(e->users[i]);
		free(e->rfields[i]);
	}
	free(e->rfields);
	free(e->users);
	free(e->nusers);
	free(e);
}

/* Note a match of rule r, if a correlation names r. */
void
correlate_match(struct correlate *e, const struct rule *r,
    struct record *rec)
{
	struct correlate_src	 src;
	const struct rec_value	*v;
	struct correlate_user	*u;
	size_t			 i, n;
	int64_t			 t;
	uint64_t		 id = 0;

	if (e == NULL || r->index >= e->nrules ||
	    (n = e->nusers[r->index]) == 0)
		return;
	u = e->users[r->index];
	v = record_path(rec, "eventTime");
	if (v == NULL || v->type != REC_STRING ||
	    eventtime_parse(v->str, v->len, &t) == -1) {
		for (i = 0; i < n; i++)
			e->c[u[i].corr].untimed++;
		return;
	}
	if ((v = record_path(rec, "eventID")) != NULL &&
	    v->type == REC_STRING && v->len > 0)
		id = correlate_id(v->str, v->len);
	src.rec = rec;
	src.hit = NULL;
	src.vals = NULL;
	for (i = 0; i < n; i++)
		correlate_add(e, &e->c[u[i].corr], u[i].slot, &src, t, t, id);
}

static int
correlate_cmp_str(const struct correlate_str *a,
    const struct correlate_str *b)
{
	int	c;

	if ((c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len)) != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Findings in order: first time, last time, rule, group values. */
static int
correlate_cmp_hit(const void *a, const void *b)
{
	const struct correlate_hit	*x = *(const struct correlate_hit *
					    const *)a;
	const struct correlate_hit	*y = *(const struct correlate_hit *
					    const *)b;
	size_t				 i;
	int				 c;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	if (x->cc->rule->index != y->cc->rule->index)
		return x->cc->rule->index < y->cc->rule->index ? -1 : 1;
	for (i = 0; i < x->cc->sc->ngroupby; i++) {
		if ((c = correlate_cmp_str(&x->g->v[i], &y->g->v[i])) != 0)
			return c;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A counted value and its id, to number the values in their order. */
struct correlate_rank {
	const struct correlate_str	*v;
	uint32_t			 id;
};

static int
correlate_cmp_rank(const void *a, const void *b)
{
	const struct correlate_rank	*x = a, *y = b;

	return correlate_cmp_str(x->v, y->v);
}

/*
 * Give the counted values of cc ids in the order of the values, not in
 * the order they were met, so that events of one time sort the same way
 * whatever the order of the files (or of the shards' partial files).
 */
static void
correlate_renumber(struct correlate_corr *cc)
{
	struct correlate_rank	*rk;
	struct correlate_str	*vals;
	struct correlate_group	*g;
	uint32_t		*map;
	size_t			 i, j;

	if (cc->nvals < 2)
		return;
	rk = xcalloc(cc->nvals, sizeof *rk);
	for (i = 0; i < cc->nvals; i++) {
		rk[i].v = &cc->vals[i];
		rk[i].id = (uint32_t)i;
	}
	qsort(rk, cc->nvals, sizeof *rk, correlate_cmp_rank);
	map = xcalloc(cc->nvals, sizeof *map);
	vals = xcalloc(cc->nvals, sizeof *vals);
	for (i = 0; i < cc->nvals; i++) {
		map[rk[i].id] = (uint32_t)i;
		vals[i] = *rk[i].v;
	}
	for (i = 0; i < cc->ngroups; i++) {
		g = cc->groups[i];
		for (j = 0; j < g->nev; j++)
			g->ev[j].val = map[g->ev[j].val];
	}
	free(cc->vals);
	cc->vals = vals;
	hash_clear(&cc->vtab);
	for (i = 0; i < cc->nvals; i++) {
		if (hash_add(&cc->vtab, correlate_hash(HASH_INIT,
		    vals[i].s, vals[i].len), i, correlate_val_rehash,
		    cc) == -1)
			fatalx("correlation: more than %zu values",
			    (size_t)HASH_MAX);
	}
	free(map);
	free(rk);
}

/* --partial: hand each match of a base rule to cb instead of keeping it. */
void
correlate_set_emit(struct correlate *e, correlate_emit_cb *cb, void *arg)
{
	e->emit = cb;
	e->emit_arg = arg;
}

/*
 * --state: also hand cb each match of a record that the engine keeps,
 * so that a killed run's journal holds the matches of the files it
 * finished.
 */
void
correlate_set_tap(struct correlate *e, correlate_emit_cb *cb, void *arg)
{
	e->tap = cb;
	e->tap_arg = arg;
}

/* How many correlation rules the engine runs (0 for a NULL engine). */
size_t
correlate_count(const struct correlate *e)
{
	return e != NULL ? e->nc : 0;
}

/* The correlation rule at place i. */
const struct rule *
correlate_rule(const struct correlate *e, size_t i)
{
	return e->c[i].rule;
}

/* How many rules correlation i names. */
uint32_t
correlate_nslots(const struct correlate *e, size_t i)
{
	return (uint32_t)e->c[i].sc->nrefs;
}

/* How many values a match of correlation i carries: group-by, counted. */
size_t
correlate_nvalues(const struct correlate *e, size_t i)
{
	return e->c[i].sc->ngroupby + (e->c[i].sc->field != NULL);
}

/* Matches of correlation i left out for want of a usable eventTime. */
uint64_t
correlate_untimed(const struct correlate *e, size_t i)
{
	return e->c[i].untimed;
}

/* Count n more such matches (ctaudit merge). */
void
correlate_untimed_add(struct correlate *e, size_t i, uint64_t n)
{
	e->c[i].untimed += n;
}

/*
 * Keep a match of the rule in slot of correlation i as a partial file or
 * the state has it: its time, the earliest time it stands for (its time,
 * unless it is a finding of a correlation) and its correlate_nvalues()
 * values.
 */
void
correlate_replay(struct correlate *e, size_t i, uint32_t slot, int64_t t,
    int64_t t0, uint64_t id, const struct correlate_val *vals)
{
	struct correlate_src	src;

	src.rec = NULL;
	src.hit = NULL;
	src.vals = vals;
	correlate_add(e, &e->c[i], slot, &src, t, t0, id);
}

/* The place of the correlation rule with this id, or SIZE_MAX. */
size_t
correlate_find(const struct correlate *e, const char *id)
{
	size_t	i;

	for (i = 0; e != NULL && i < e->nc; i++) {
		if (strcmp(rule_id(e->c[i].rule), id) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* The rule in slot of correlation i. */
const struct rule *
correlate_named(const struct correlate *e, size_t i, uint32_t slot)
{
	return e->c[i].sc->refs[slot].rule;
}

/*
 * After correlate_finish(): hand cb the events that a later run could
 * still join to a window, those no finding took and less than the
 * timespan plus slack (ms) before newest, and return how many.
 */
size_t
correlate_carry(const struct correlate *e, int64_t newest, int64_t slack,
    correlate_carry_cb *cb, void *arg)
{
	const struct correlate_corr	*cc;
	const struct correlate_group	*g;
	const struct correlate_ev	*ev;
	struct correlate_val		 v[SIGMA_CORR_GROUPBY_MAX + 1];
	char				 num[64];
	size_t				 i, j, k, ng, n = 0;
	int64_t				 floor;

	for (i = 0; e != NULL && i < e->nc; i++) {
		cc = &e->c[i];
		ng = cc->sc->ngroupby;
		floor = newest - cc->sc->timespan - slack;
		for (j = 0; j < cc->ngroups; j++) {
			g = cc->groups[j];
			for (k = 0; k < ng; k++) {
				v[k].s = g->v[k].s;
				v[k].len = g->v[k].len;
			}
			for (k = g->done; k < g->nev; k++) {
				ev = &g->ev[k];
				if (ev->t <= floor)
					continue;
				if (cc->sc->type == SIGMA_CORR_VALUE_COUNT) {
					v[ng].s = cc->vals[ev->val].s;
					v[ng].len = cc->vals[ev->val].len;
				} else if (cc->sc->field != NULL) {
					/* Read back exactly by strtod(). */
					v[ng].len = (size_t)snprintf(num,
					    sizeof num, "%.17g", ev->num);
					v[ng].s = num;
				}
				cb(i, ev->slot, ev->t, ev->t0, ev->id, v,
				    ng + (cc->sc->field != NULL), arg);
				n++;
			}
		}
	}
	return n;
}

/*
 * Compute the windows of every correlation, each after the ones it
 * names, and write the findings of those that report, in order.
 */
uint64_t
correlate_finish(struct correlate *e, correlate_cb *cb, void *arg)
{
	struct corr_finding	  cf;
	struct correlate_corr	 *cc;
	struct correlate_hit	**all = NULL, *hit;
	struct correlate_user	 *u;
	struct correlate_src	  src;
	const char		 *values[SIGMA_CORR_GROUPBY_MAX];
	size_t			  lens[SIGMA_CORR_GROUPBY_MAX];
	const char		 *ids[SIGMA_CORR_RULES_MAX];
	size_t			  i, j, n = 0, nall = 0;

	/* --partial: the findings are ctaudit merge's to write. */
	if (e == NULL || e->emit != NULL)
		return 0;
	for (i = 0; i < e->nc; i++) {
		cc = &e->c[i];
		correlate_renumber(cc);
		for (j = 0; j < cc->ngroups; j++)
			correlate_windows(e, cc, cc->groups[j]);
		if (cc->untimed > 0)
			diag(DIAG_WARN, rule_path(cc->rule), cc->rule->line,
			    "correlation rule '%s': %llu matches without a "
			    "usable eventTime are left out",
			    rule_title(cc->rule),
			    (unsigned long long)cc->untimed);
		/* Findings are matches for the correlations that name cc. */
		src.rec = NULL;
		src.vals = NULL;
		for (j = 0; j < cc->nhits; j++) {
			hit = &cc->hits[j];
			if (e->lossy)
				hit->incomplete = 1;
			src.hit = hit;
			u = e->users[cc->rule->index];
			for (n = 0; n < e->nusers[cc->rule->index]; n++)
				correlate_add(e, &e->c[u[n].corr], u[n].slot,
				    &src, hit->last, hit->first, 0);
		}
		if (rule_generates(cc->rule)) {
			all = xreallocarray(all, nall + cc->nhits,
			    sizeof *all);
			for (j = 0; j < cc->nhits; j++)
				all[nall++] = &cc->hits[j];
		}
	}
	if (nall > 0)
		qsort(all, nall, sizeof *all, correlate_cmp_hit);
	for (i = 0; i < nall; i++) {
		hit = all[i];
		cc = hit->cc;
		memset(&cf, 0, sizeof cf);
		cf.type = sigma_corr_type_name(cc->sc->type);
		cf.groupby = (const char *const *)cc->sc->groupby;
		for (j = 0; j < cc->sc->ngroupby; j++) {
			values[j] = hit->g->v[j].s;
			lens[j] = hit->g->v[j].len;
		}
		cf.values = values;
		cf.lens = lens;
		cf.ngroupby = cc->sc->ngroupby;
		cf.field = cc->sc->field;
		cf.value = hit->value;
		cf.events = hit->events;
		cf.first = hit->first;
		cf.last = hit->last;
		for (j = 0; j < cc->sc->nrefs; j++)
			ids[j] = rule_id(cc->sc->refs[j].rule);
		cf.rules = ids;
		cf.nrules = cc->sc->nrefs;
		cf.incomplete = hit->incomplete || e->lossy;
		cb(cc->rule, &cf, arg);
	}
	free(all);
	return nall;
}
