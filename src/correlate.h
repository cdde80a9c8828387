/* SPDX-License-Identifier: ISC */
/*
 * Correlation rules: the matches of the rules they name are collected
 * during the scan (time, group, value; never the record), and the
 * windows are computed once the scan is over, because an archive is not
 * in time order.  Findings come out sorted, through a callback.
 */
#ifndef CORRELATE_H
#define CORRELATE_H

#include <stddef.h>
#include <stdint.h>

struct corr_finding;
struct record;
struct rule;
struct rule_set;
struct correlate;

/* The caps on the state kept; every one of them is reported when hit. */
#define CORRELATE_GROUPS_MAX	65536		/* groups per correlation */
#define CORRELATE_EVENTS_MAX	16384		/* events per group */
#define CORRELATE_TOTAL_MAX	(4 * 1024 * 1024)	/* events in all */
#define CORRELATE_BYTES_MAX	(64 * 1024 * 1024)	/* values kept */

struct correlate_limits {
	size_t		 groups;
	size_t		 events;
	size_t		 total;
	size_t		 bytes;
};

typedef void	 correlate_cb(const struct rule *,
		    const struct corr_finding *, void *);

/* One value of a match (not NUL-terminated; may hold NULs). */
struct correlate_val {
	const char	*s;
	size_t		 len;
};

/*
 * --partial: a match of the rule in slot of correlation corr at time t
 * (ms), of the event whose eventID correlate_id() gives as id (0: none),
 * with its correlate_nvalues() values: group-by, then counted.
 */
typedef void	 correlate_emit_cb(size_t corr, uint32_t slot, int64_t t,
		    uint64_t id, const struct correlate_val *, size_t, void *);
/* An eventID as matches keep it: at most INT64_MAX, never 0. */
uint64_t	 correlate_id(const char *, size_t);
/* FNV-1a continued from h (HASH_INIT) over a value's length and bytes. */
uint64_t	 correlate_hash(uint64_t, const char *, size_t);

/*
 * The engine for the correlation rules of a rule set, or NULL if it has
 * none.  limits is NULL for the caps above (tests use smaller ones).
 */
struct correlate *correlate_create(const struct rule_set *,
		    const struct correlate_limits *);
void		 correlate_free(struct correlate *);
/*
 * The fields, NULL-terminated, that correlate_match() reads of a record
 * the rule of this index matched; any thread may ask.
 */
const char *const *correlate_fields(const struct correlate *, size_t);
/* Note a match of rule r (any rule; accepts a NULL engine). */
void		 correlate_match(struct correlate *, const struct rule *,
		    struct record *);
/*
 * Compute every window, write the findings in order through cb and
 * return how many; caps that were hit are reported as warnings.
 */
uint64_t	 correlate_finish(struct correlate *, correlate_cb *, void *);

/*
 * Shards and ctaudit merge (partial.c): matches handed on instead of
 * kept, the correlations by place, and matches kept again.
 */
void		 correlate_set_emit(struct correlate *, correlate_emit_cb *,
		    void *);
size_t		 correlate_count(const struct correlate *);
const struct rule *correlate_rule(const struct correlate *, size_t);
uint32_t	 correlate_nslots(const struct correlate *, size_t);
size_t		 correlate_nvalues(const struct correlate *, size_t);
uint64_t	 correlate_untimed(const struct correlate *, size_t);
void		 correlate_untimed_add(struct correlate *, size_t, uint64_t);
void		 correlate_replay(struct correlate *, size_t, uint32_t, int64_t,
		    int64_t, uint64_t, const struct correlate_val *);

/*
 * --state: the matches a run hands on to the next (correlate_carry(),
 * after correlate_finish()) and the next feeds back (correlate_replay(),
 * before its scan), found by the ids of the correlation and of the rule
 * it names.  Matches of a correlation's findings stand for the span
 * t0..t.
 */
#define CORRELATE_CARRY_SLACK	(15LL * 60 * 1000)	/* late delivery */

typedef void	 correlate_carry_cb(size_t corr, uint32_t slot, int64_t t,
		    int64_t t0, uint64_t id, const struct correlate_val *, size_t,
		    void *);
size_t		 correlate_find(const struct correlate *, const char *);
const struct rule *correlate_named(const struct correlate *, size_t,
		    uint32_t);
size_t		 correlate_carry(const struct correlate *, int64_t, int64_t,
		    correlate_carry_cb *, void *);
void		 correlate_set_tap(struct correlate *, correlate_emit_cb *,
		    void *);

#endif
