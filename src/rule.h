/* SPDX-License-Identifier: ISC */
/*
 * The rule set: Sigma rules read from YAML, compiled once, indexed by the
 * eventSource and eventName values they require, and evaluated against
 * each record.  Loading reports problems through diag() with file and
 * line; evaluation is pure (no I/O).
 */
#ifndef RULE_H
#define RULE_H

#include <stddef.h>
#include <stdint.h>

struct record;
struct rule;
struct rule_set;

enum rule_level {
	RULE_INFORMATIONAL,
	RULE_LOW,
	RULE_MEDIUM,
	RULE_HIGH,
	RULE_CRITICAL,
};

struct rule_opts {
	enum rule_level	  min_level;
	char		**ids;		/* keep only these ids, if nids > 0 */
	size_t		  nids;
	char		**tags;		/* keep rules with one of these tags */
	size_t		  ntags;
	char		**statuses;	/* keep rules with one of these statuses */
	size_t		  nstatuses;
	char		**placeholders;	/* "name=value" for |expand */
	size_t		  nplaceholders;
};

struct rule_set_stats {
	size_t		 loaded;	/* rules compiled and kept */
	size_t		 rejected;	/* rules with an error (reported) */
	size_t		 other_logsource;	/* not CloudTrail: skipped */
	size_t		 filtered;	/* left out by level, id, tag, status */
	size_t		 files;		/* rule files read */
	size_t		 data_only;	/* detections of data events only */
};

/* What evaluating records counted; added up over a run's threads. */
struct rule_tally {
	uint64_t	 re_limits;	/* |re matches stopped at a limit */
	uint64_t	 data_events;	/* records that are data events */
};

typedef void	 rule_match_cb(const struct rule *, struct record *, void *);

struct rule_set	*rule_set_create(const struct rule_opts *);
void		 rule_set_free(struct rule_set *);
/*
 * Load a rule file or every .yml/.yaml file below a directory, in sorted
 * order.  Returns 0, or -1 if any rule was rejected or the path could not
 * be read (each problem already reported); the good rules stay loaded.
 * Correlation rules are resolved at the end of each call, against every
 * rule loaded so far.
 */
int		 rule_set_load(struct rule_set *, const char *);
/* Load rules from a string, as if read from the file name. */
int		 rule_set_load_buffer(struct rule_set *, const char *,
		    const char *, size_t);
const struct rule_set_stats *rule_set_stats(const struct rule_set *);
#define RULE_RE_WARN_MAX	10	/* warnings of stopped |re matches */
/* Add the set's counts to *t. */
void		 rule_set_tally(const struct rule_set *, struct rule_tally *);
/* 1 if some rule read carries the i-th --rule-id, or --tag, given. */
int		 rule_set_id_found(const struct rule_set *, size_t);
int		 rule_set_tag_found(const struct rule_set *, size_t);
size_t		 rule_set_count(const struct rule_set *);
const struct rule *rule_set_get(const struct rule_set *, size_t);
/*
 * Test a record against every rule that can match it, in load order.  A
 * regular expression stopped by PCRE2's limits is warned about (the first
 * RULE_RE_WARN_MAX times) and counted: rule_set_tally().
 */
void		 rule_set_eval(struct rule_set *, struct record *,
		    rule_match_cb *, void *);
/*
 * -j: hand this thread's stopped |re evaluations to cb instead of
 * counting and warning; the main thread passes them, in input order, to
 * rule_set_re_limit(), which counts and warns as rule_set_eval() does.
 */
void		 rule_re_hook_set(rule_match_cb *, void *);
void		 rule_set_re_limit(struct rule_set *, const struct rule *,
		    const char *origin, uint64_t index);

const char	*rule_id(const struct rule *);
const char	*rule_name(const struct rule *);	/* or NULL */
int		 rule_is_correlation(const struct rule *);
/* 0 if the rule's matches only feed correlations (see rule.c). */
int		 rule_generates(const struct rule *);
const char	*rule_title(const struct rule *);
const char	*rule_description(const struct rule *);	/* or "" */
const char	*rule_status(const struct rule *);	/* or "" */
const char	*rule_path(const struct rule *);	/* file it came from */
enum rule_level	 rule_level(const struct rule *);
unsigned int	 rule_forms(const struct rule *);
size_t		 rule_ntags(const struct rule *);
const char	*rule_tag(const struct rule *, size_t);
size_t		 rule_nfalsepositives(const struct rule *);
const char	*rule_falsepositive(const struct rule *, size_t);
size_t		 rule_nreferences(const struct rule *);
const char	*rule_reference(const struct rule *, size_t);

/*
 * Sigma filters (loaded with the rules, kept apart from them): their
 * number, each in load order, and the filter that suppresses a match of
 * rule r on rec, or NULL.  Resolve once all rules are loaded; it warns
 * of names that match no rule.
 */
size_t		 rule_set_nfilters(const struct rule_set *);
const struct rule *rule_set_filter_get(const struct rule_set *, size_t);
void		 rule_set_filters_resolve(struct rule_set *);
const struct rule *rule_set_suppress(struct rule_set *, const struct rule *,
		    struct record *);
int		 rule_is_filter(const struct rule *);

const char	*rule_level_name(enum rule_level);
int		 rule_level_parse(const char *, enum rule_level *);

#endif
