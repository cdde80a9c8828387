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
static int	 state_carry_cmp(const void *, const void *);
static char	*state_carry_encode(const struct state_carry *);
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

/* Keep a copy of one match for the next run. */
void
state_carry_add(struct state *st, int64_t t, int64_t t0, uint64_t id,
    const char *corr, const char *named, const char *const *vals,
    const size_t *lens, size_t nvals)
{
	struct state_carry	*c;
	size_t			 i;

	if (st->ncarry == st->carrysize) {
		st->carrysize = st->carrysize == 0 ? 64 : st->carrysize * 2;
		st->carry = xreallocarray(st->carry, st->carrysize,
		    sizeof *st->carry);
	}
	c = &st->carry[st->ncarry++];
	c->t = t;
	c->t0 = t0;
	c->id = id;
	c->corr = xstrdup(corr);
	c->named = xstrdup(named);
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

/* The VALUES field, before the escaping every field gets. */
static char *
state_carry_encode(const struct state_carry *c)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;
	size_t			 i, k, size = 2;
	char			*out, *p;

	for (i = 0; i < c->nvals; i++)
		size += 1 + 3 * c->lens[i];
	p = out = xmalloc(size);
	*p++ = 'v';
	for (i = 0; i < c->nvals; i++) {
		*p++ = ',';
		for (k = 0; k < c->lens[i]; k++) {
			ch = (unsigned char)c->vals[i][k];
			if (ch == '\0' || ch == ',' || ch == '%') {
				*p++ = '%';
				*p++ = hex[ch >> 4];
				*p++ = hex[ch & 0xf];
			} else
				*p++ = (char)ch;
		}
	}
	*p = '\0';
	return out;
}

/* Undo state_carry_encode() into c's values: 0, or -1. */
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

/* A 'corr' record of the state file (fields unescaped): 0, or -1. */
int
state_carry_parse(struct state *st, char **f, char **cause)
{
	struct state_carry	 c;
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
	if (st->ncarry == STATE_CARRY_MAX) {
		*cause = xprintf("more than %d 'corr' records",
		    STATE_CARRY_MAX);
		return -1;
	}
	memset(&c, 0, sizeof c);
	if (state_carry_decode(&c, f[6]) == -1) {
		state_carry_free(&c);
		*cause = xstrdup("'corr': bad values");
		return -1;
	}
	state_carry_add(st, t, t0, (uint64_t)id, f[4], f[5],
	    (const char *const *)c.vals, c.lens, c.nvals);
	state_carry_free(&c);
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
	char				*v, *e[3];
	size_t				 i, k, from = 0, dropped = 0;

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
		if (c->t0 < 0)
			continue;	/* before 1970: not a state number */
		v = state_carry_encode(c);
		e[0] = state_escape(c->corr);
		e[1] = state_escape(c->named);
		e[2] = state_escape(v);
		free(v);
		/* "corr", three numbers of at most 20 bytes, spaces, \n. */
		if (strlen(e[0]) + strlen(e[1]) + strlen(e[2]) + 4 + 3 * 20 +
		    7 > STATE_LINE_MAX)
			dropped++;
		else {
			fprintf(f, "corr %lld %lld %llu %s %s %s\n",
			    (long long)c->t, (long long)c->t0,
			    (unsigned long long)c->id, e[0], e[1], e[2]);
			(*nrec)++;
		}
		for (k = 0; k < 3; k++)
			free(e[k]);
	}
	if (dropped > 0)
		diag(DIAG_WARN, st->path, 0, "%zu correlation matches with "
		    "values too long for a line of %d bytes are not carried "
		    "to the next run", dropped, STATE_LINE_MAX);
}
