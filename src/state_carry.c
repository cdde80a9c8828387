/* SPDX-License-Identifier: ISC */
/*
 * The correlation matches of the state file: what one run hands on to
 * the next so that a correlation window cut by the end of a run is
 * judged whole by the next (correlate.c says which matches are kept).
 * The state only stores them; the ids of the correlation rule and of the
 * rule it names find them again in the next run's rule set.
 *
 *	corr T_MS T0_MS ID CORR_ID NAMED_ID VALUES
 *
 * ID is the match's eventID hashed (0 for none, or for a finding of a
 * correlation), so that an event read again counts once.
 * VALUES is "v" followed, for each value (group-by values, then the
 * value counted), by a comma and the value with NUL, ',' and '%' as %XX;
 * the whole field is then escaped as every other field is, so "%" in a
 * value reads "%2525" in the file.  Values may hold NULs, which no other
 * field of the state does.
 *
 * The journal has the same records, written as the matches are made, so
 * that each stream's checkpoint comes after those of its records and a
 * run killed half-way still hands on the matches of the files it
 * finished.  They cover no output, so they need not wait for it; and if
 * a stream's own line was lost the stream is read again, and its
 * matches, met twice, count once by ID.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "state.h"
#include "state_int.h"
#include "xmalloc.h"

static void	 state_carry_free(struct state_carry *);
static struct state_carry *state_carry_new(struct state *, int64_t, int64_t,
		    uint64_t, const char *, const char *);

static int	 state_carry_cmp(const void *, const void *);
static size_t	 state_carry_esc(FILE *, const char *, size_t, int);
static size_t	 state_carry_fput(FILE *, int64_t, int64_t, uint64_t,
		    const char *, const char *, const char *const *,
		    const size_t *, size_t);
static int	 state_carry_decode(struct state_carry *, const char *);

static void
state_carry_free(struct state_carry *c)
{
	size_t	i;

	free(c->corr);
	free(c->named);
	for (i = 0; i < c->nvals; i++)
		free(c->vals[i]);
	free(c->vals);
	free(c->lens);
}

/* Forget every match carried (this run hands on its own). */
void
state_carry_clear(struct state *st)
{
	size_t	i;

	for (i = 0; i < st->ncarry; i++)
		state_carry_free(&st->carry[i]);
	free(st->carry);
	st->carry = NULL;
	st->ncarry = st->carrysize = 0;
}

size_t
state_carry_count(const struct state *st)
{
	return st->ncarry;
}

const struct state_carry *
state_carry_get(const struct state *st, size_t i)
{
	return &st->carry[i];
}

/* A new match at the end, without values yet. */
static struct state_carry *
state_carry_new(struct state *st, int64_t t, int64_t t0, uint64_t id,
    const char *corr, const char *named)
{
	struct state_carry	*c;

	if (st->ncarry == st->carrysize) {
		st->carrysize = st->carrysize == 0 ? 64 : st->carrysize * 2;
		st->carry = xreallocarray(st->carry, st->carrysize,
		    sizeof *st->carry);
	}
	c = &st->carry[st->ncarry++];
	memset(c, 0, sizeof *c);
	c->t = t;
	c->t0 = t0;
	c->id = id;
	c->corr = xstrdup(corr);
	c->named = xstrdup(named);
	return c;
}

/* Keep a copy of one match for the next run. */
void
state_carry_add(struct state *st, int64_t t, int64_t t0, uint64_t id,
    const char *corr, const char *named, const char *const *vals,
    const size_t *lens, size_t nvals)
{
	struct state_carry	*c;
	size_t			 i;

	c = state_carry_new(st, t, t0, id, corr, named);
	c->nvals = nvals;
	c->vals = xcalloc(nvals > 0 ? nvals : 1, sizeof *c->vals);
	c->lens = xcalloc(nvals > 0 ? nvals : 1, sizeof *c->lens);
	for (i = 0; i < nvals; i++) {
		c->vals[i] = xmalloc(lens[i] + 1);
		memcpy(c->vals[i], vals[i], lens[i]);
		c->vals[i][lens[i]] = '\0';
		c->lens[i] = lens[i];
	}
}

/* Whether state_carry_pend() would write: a journal with room for it. */
int
state_carry_journaling(const struct state *st)
{
	return st->jf != NULL && !st->jcorr_full;
}

/*
 * A match of a record of the stream being read, into the journal, ahead
 * of the stream's checkpoint; nothing without a journal, nor once they
 * take journal_corr_max bytes (STATE_JOURNAL_CORR_MAX; said once), which
 * leaves the journal's room to the checkpoints.
 */
void
state_carry_pend(struct state *st, int64_t t, uint64_t id, const char *corr,
    const char *named, const char *const *vals, const size_t *lens,
    size_t nvals)
{
	if (st->jf == NULL)
		return;
	if (st->jcorr >= st->opts.journal_corr_max) {
		if (!st->jcorr_full)
			diag(DIAG_NOTE, st->jpath, 0, "correlation matches "
			    "past %zu bytes are not checkpointed: if this "
			    "run is killed, the next may miss correlations "
			    "over the files it read",
			    st->opts.journal_corr_max);
		st->jcorr_full = 1;
		return;
	}
	st->jcorr += state_carry_fput(st->jf, t, t, id, corr, named, vals,
	    lens, nvals);
}

/*
 * Write s escaped as a field (state_escape()) to f, or only count if f
 * is NULL, and return the bytes.  A value (inner) first has NUL, ',' and
 * '%' as %XX, whose '%' the field's escaping then writes as %25.
 */
static size_t
state_carry_esc(FILE *f, const char *s, size_t len, int inner)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;
	char			 esc[2];
	size_t			 i, run, n = 0;
	int			 inner_esc;

	/* A field that is "-" alone would read back empty. */
	if (!inner && len == 1 && *s == '-') {
		if (f != NULL)
			fputs("%2D", f);
		return 3;
	}
	for (i = 0, run = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if (!state_needs_escape(ch) && !(inner && ch == ',')) {
			n++;
			continue;
		}
		/* The bytes before that need no escape, in one write. */
		if (f != NULL && i > run)
			fwrite(s + run, 1, i - run, f);
		run = i + 1;
		/* %XX, or for a value's own escape %25XX. */
		inner_esc = inner && (ch == '\0' || ch == ',' || ch == '%');
		esc[0] = hex[ch >> 4];
		esc[1] = hex[ch & 0xf];
		if (f != NULL) {
			fputs(inner_esc ? "%25" : "%", f);
			fwrite(esc, 1, 2, f);
		}
		n += inner_esc ? 5 : 3;
	}
	if (f != NULL && len > run)
		fwrite(s + run, 1, len - run, f);
	return n;
}

/*
 * One 'corr' line: its length at most, or 0 (nothing written) if it would
 * be over STATE_LINE_MAX bytes, or its time is before 1970 (not a number
 * the state reads back) or a rule id is empty (rules have ids).
 */
static size_t
state_carry_fput(FILE *f, int64_t t, int64_t t0, uint64_t id,
    const char *corr, const char *named, const char *const *vals,
    const size_t *lens, size_t nvals)
{
	size_t	i, n;

	if (t0 < 0 || t < t0 || *corr == '\0' || *named == '\0')
		return 0;
	/* "corr", three numbers of at most 20 bytes, spaces, 'v', '\n'. */
	n = 4 + 3 * 20 + 6 + 1 + 1;
	n += state_carry_esc(NULL, corr, strlen(corr), 0);
	n += state_carry_esc(NULL, named, strlen(named), 0);
	for (i = 0; i < nvals && n <= STATE_LINE_MAX; i++)
		n += 1 + state_carry_esc(NULL, vals[i], lens[i], 1);
	if (n > STATE_LINE_MAX)
		return 0;
	fprintf(f, "corr %lld %lld %llu ", (long long)t, (long long)t0,
	    (unsigned long long)id);
	state_carry_esc(f, corr, strlen(corr), 0);
	putc(' ', f);
	state_carry_esc(f, named, strlen(named), 0);
	fputs(" v", f);
	for (i = 0; i < nvals; i++) {
		putc(',', f);
		state_carry_esc(f, vals[i], lens[i], 1);
	}
	putc('\n', f);
	return n;
}

/* Undo the inner escaping of VALUES into c's values: 0, or -1. */
static int
state_carry_decode(struct state_carry *c, const char *s)
{
	const char	*p, *end;
	char		*out;
	size_t		 n = 0, i;
	int		 hi, lo;

	if (*s++ != 'v')
		return -1;
	for (p = s; *p != '\0'; p++)
		n += *p == ',';
	if (n > STATE_CARRY_VALUES_MAX || (n == 0 && *s != '\0'))
		return -1;
	c->vals = xcalloc(n > 0 ? n : 1, sizeof *c->vals);
	c->lens = xcalloc(n > 0 ? n : 1, sizeof *c->lens);
	for (i = 0; i < n; i++) {
		s++;		/* the comma */
		if ((end = strchr(s, ',')) == NULL)
			end = s + strlen(s);
		out = c->vals[i] = xmalloc((size_t)(end - s) + 1);
		c->nvals = i + 1;
		for (; s < end; s++) {
			if (*s != '%') {
				*out++ = *s;
				continue;
			}
			if (end - s < 3 ||
			    (hi = state_hexval((unsigned char)s[1])) == -1 ||
			    (lo = state_hexval((unsigned char)s[2])) == -1)
				return -1;
			*out++ = (char)(hi << 4 | lo);
			s += 2;
		}
		c->lens[i] = (size_t)(out - c->vals[i]);
		*out = '\0';
	}
	return 0;
}

/*
 * A 'corr' record of the state file or, if journal, of the journal
 * (fields unescaped): 0, or -1.  The journal is bounded by its own size;
 * state_carry_write() keeps the newest of what it adds.
 */
int
state_carry_parse(struct state *st, char **f, int journal, char **cause)
{
	struct state_carry	*c;
	int64_t			 t, t0, id;

	if (state_number(f[1], &t) == -1 || state_number(f[2], &t0) == -1 ||
	    t0 > t) {
		*cause = xstrdup("'corr': bad time");
		return -1;
	}
	if (state_number(f[3], &id) == -1) {
		*cause = xstrdup("'corr': bad event id");
		return -1;
	}
	if (*f[4] == '\0' || *f[5] == '\0') {
		*cause = xstrdup("'corr': empty rule id");
		return -1;
	}
	if (!journal && st->ncarry == STATE_CARRY_MAX) {
		*cause = xprintf("more than %d 'corr' records",
		    STATE_CARRY_MAX);
		return -1;
	}
	c = state_carry_new(st, t, t0, (uint64_t)id, f[4], f[5]);
	if (state_carry_decode(c, f[6]) == -1) {
		state_carry_free(c);
		st->ncarry--;
		*cause = xstrdup("'corr': bad values");
		return -1;
	}
	return 0;
}

/* Oldest first; equal times by rule ids, so the file diffs well. */
static int
state_carry_cmp(const void *a, const void *b)
{
	const struct state_carry	*x = a, *y = b;
	size_t				 i, n;
	int				 d;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if ((d = strcmp(x->corr, y->corr)) != 0)
		return d;
	if ((d = strcmp(x->named, y->named)) != 0)
		return d;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	for (i = 0; i < x->nvals && i < y->nvals; i++) {
		n = x->lens[i] < y->lens[i] ? x->lens[i] : y->lens[i];
		if ((d = memcmp(x->vals[i], y->vals[i], n)) != 0)
			return d;
		if (x->lens[i] != y->lens[i])
			return x->lens[i] < y->lens[i] ? -1 : 1;
	}
	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

/*
 * Write the newest STATE_CARRY_MAX matches; a match that would make a
 * line too long is left out.  Either loss is a warning, naming the file.
 */
void
state_carry_write(struct state *st, FILE *f, uint64_t *nrec)
{
	const struct state_carry	*c;
	size_t				 i, from = 0, dropped = 0, early = 0;

	if (st->ncarry > 0)
		qsort(st->carry, st->ncarry, sizeof *st->carry,
		    state_carry_cmp);
	if (st->ncarry > STATE_CARRY_MAX) {
		from = st->ncarry - STATE_CARRY_MAX;
		diag(DIAG_WARN, st->path, 0, "%zu correlation matches to "
		    "carry to the next run, more than %d: the oldest %zu are "
		    "left out", st->ncarry, STATE_CARRY_MAX, from);
	}
	for (i = from; i < st->ncarry; i++) {
		c = &st->carry[i];
		if (c->t0 < 0) {
			early++;	/* not a number the state reads */
			continue;
		}
		if (state_carry_fput(f, c->t, c->t0, c->id, c->corr, c->named,
		    (const char *const *)c->vals, c->lens, c->nvals) > 0)
			(*nrec)++;
		else
			dropped++;
	}
	if (early > 0)
		diag(DIAG_WARN, st->path, 0, "%zu correlation matches from "
		    "before 1970 are not carried to the next run", early);
	if (dropped > 0)
		diag(DIAG_WARN, st->path, 0, "%zu correlation matches with "
		    "values too long for a line of %d bytes are not carried "
		    "to the next run", dropped, STATE_LINE_MAX);
}
