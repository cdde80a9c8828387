/* SPDX-License-Identifier: ISC */
/*
 * The dedup set of the state file: the (rule id, eventID) pairs already
 * reported, with the eventTime of each, so that an event delivered twice
 * or audited again does not alert twice.  It keeps at most seen_max pairs
 * within the window before the newest eventTime, dropping the oldest
 * first.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "s3.h"
#include "state.h"
#include "state_int.h"
#include "xmalloc.h"

static int	 state_pair_cmp(const void *, const void *);

static int
state_pair_cmp(const void *a, const void *b)
{
	const struct state_pair	*x = a, *y = b;

	/* Newest first. */
	return x->t < y->t ? 1 : x->t > y->t ? -1 : strcmp(x->key, y->key);
}

/*
 * An eventTime no later than a day past the clock at the start: the
 * windows the state keeps end at the newest event, and one event from a
 * skewed clock must not make every other look old.
 */
int64_t
state_clamp_time(const struct state *st, int64_t ms)
{
	return ms > st->opts.now_ms + 86400000LL ?
	    st->opts.now_ms + 86400000LL : ms;
}

/* Keep the newest max pairs within the window. */
void
state_prune(struct state *st, size_t max)
{
	int64_t	floor;
	size_t	i, n = 0;

	/*
	 * The window ends at the latest eventTime seen, so that an old
	 * archive audited today keeps its pairs, but not past tomorrow, so
	 * that one event from a skewed clock cannot push every pair out.
	 */
	floor = state_clamp_time(st, st->newest) - st->opts.window_ms;
	if (st->npairs > 0)
		qsort(st->pairs, st->npairs, sizeof *st->pairs,
		    state_pair_cmp);
	for (i = 0; i < st->npairs; i++) {
		if (n < max && st->pairs[i].t >= floor)
			st->pairs[n++] = st->pairs[i];
		else
			free(st->pairs[i].key);
	}
	st->npairs = n;
	hash_clear(&st->pairtab);
	for (i = 0; i < n; i++)
		state_tab_add(&st->pairtab, i, state_pair_key, st);
}

void
state_pair_add(struct state *st, const char *key, int64_t t)
{
	if (st->npairs == st->pairsize) {
		st->pairsize = st->pairsize == 0 ? 256 : st->pairsize * 2;
		st->pairs = xreallocarray(st->pairs, st->pairsize,
		    sizeof *st->pairs);
	}
	st->pairs[st->npairs].key = xstrdup(key);
	st->pairs[st->npairs].t = t;
	state_tab_add(&st->pairtab, st->npairs++, state_pair_key, st);
	if (t > st->newest)
		st->newest = t;
}

/* Whether this rule has reported this event before. */
int
state_seen(struct state *st, const char *rule_id, const char *event_id,
    size_t len, int64_t t)
{
	char	*key;
	int	 dup;

	/* Such a pair would make a state line too long to read back. */
	if (len == 0 || len > STATE_ID_MAX ||
	    strlen(rule_id) > STATE_ID_MAX ||
	    memchr(event_id, '\0', len) != NULL)
		return 0;
	key = xprintf("%s\t%.*s", rule_id, (int)len, event_id);
	dup = state_tab_find(&st->pairtab, key, state_pair_key, st) !=
	    SIZE_MAX;
	if (dup)
		st->stats.duplicates++;
	else {
		state_pair_add(st, key, t);
		/* To the journal once the finding is out, if not too many. */
		if (st->jf != NULL && st->npend < STATE_SEEN_MAX) {
			if (st->npend == st->pendsize) {
				st->pendsize = st->pendsize == 0 ? 64 :
				    st->pendsize * 2;
				st->pend = xreallocarray(st->pend,
				    st->pendsize, sizeof *st->pend);
			}
			st->pend[st->npend].key = xstrdup(key);
			st->pend[st->npend++].t = t;
		}
		/* Bounded in memory too: prune when twice the cap. */
		if (st->npairs >= 2 * st->opts.seen_max)
			state_prune(st, st->opts.seen_max);
	}
	free(key);
	return dup;
}
