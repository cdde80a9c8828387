/* SPDX-License-Identifier: ISC */
/*
 * Outputs write findings: text for people, JSON Lines for jq, CSV for
 * spreadsheets.  Each format is one file with a const ops table; the
 * registry in output.c finds them by name.  Formatting is pure: a writer
 * only ever sees a finding and its FILE.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct record;
struct rule;
struct rule_set;

#define OUTPUT_SCHEMA_VERSION	2	/* JSON "schema", documented */

/* What a correlation rule found: one window of one group. */
struct corr_finding {
	const char		 *type;		/* "event_count", ... */
	const char *const	 *groupby;	/* group-by names */
	const char *const	 *values;	/* their values (not NUL-safe */
	const size_t		 *lens;		/*   strings: use lens) */
	size_t			  ngroupby;
	const char		 *field;	/* value_count, metrics; or NULL */
	double			  value;	/* what the condition tested */
	uint64_t		  events;	/* events in the window */
	int64_t			  first, last;	/* eventTime, ms since 1970 */
	const char *const	 *rules;	/* ids of the rules it names */
	size_t			  nrules;
	int			  incomplete;	/* a cap dropped some events */
};

/*
 * rule is the rule that matched.  For a detection rec is the event and
 * corr is NULL; for a correlation rec is NULL and corr says what matched.
 */
struct finding {
	const struct rule		*rule;
	struct record			*rec;	/* the event that matched */
	const struct corr_finding	*corr;	/* or NULL */
};

struct output_opts {
	int		 raw;		/* include the whole event */
	int		 color;		/* ANSI colour (text only) */
	int		 corr;		/* correlation columns (CSV only) */
	const struct output_ops *sort_inner;	/* output_sort: the format */
	size_t		 sort_cap;	/* output_sort: bytes in memory */
};

struct output_ops {
	const char	 *name;		/* "text", "json", "csv" */
	void		*(*open)(FILE *, const struct output_opts *);
	void		 (*write)(void *, const struct finding *);
	/* Flushes; accepts NULL; -1 (errno set) if findings were lost. */
	int		 (*close)(void *);
};

extern const struct output_ops	output_text_ops;
extern const struct output_ops	output_json_ops;
extern const struct output_ops	output_csv_ops;
/* --sort time: findings of sort_inner's format, in eventTime order. */
extern const struct output_ops	output_sort_ops;

#define OUTPUT_SORT_CAP		(64 * 1024 * 1024)	/* then spill */
#define OUTPUT_SORT_FANIN	64	/* runs merged at once */

const struct output_ops	*output_find(const char *);
/* Who acted, as a finding's principalArn says, or NULL if no one. */
const char	*output_record_principal(const struct record *);
/* The user agent, as a finding's userAgent says, or NULL if none. */
const char	*output_record_agent(const struct record *);
/* Describe a rule as one JSON object on a line ("ctaudit rules -f json"). */
void		 output_rule_json(FILE *, const struct rule *);
/* List a rule set, as text or JSON Lines: 0, or -1 on a write error. */
int		 output_rule_list(FILE *, const struct rule_set *, int json);

#endif
