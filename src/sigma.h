/* SPDX-License-Identifier: ISC */
/*
 * Internals of the Sigma rule engine, shared by sigma_load.c (YAML to
 * compiled rules), sigma_cond.c (condition parser and evaluator) and
 * rule.c (the rule set, its index and evaluation), and by correlate.c,
 * which keeps the state of correlation rules, and by prefilter.c, which
 * reads rule conditions.  Nothing outside these files and their unit tests
 * includes this header.
 */
#ifndef SIGMA_H
#define SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include "rule.h"

struct match_item;

#define SIGMA_FILE_MAX		(1024 * 1024)	/* bytes in one rule file */
#define SIGMA_NODES_MAX		65536		/* YAML nodes in one document */
#define SIGMA_DEPTH_MAX		32		/* YAML nesting */
#define SIGMA_MAP_MAX		4096		/* keys in one YAML mapping */
#define SIGMA_MODS_MAX		16		/* modifiers after one field */
#define SIGMA_VALUES_MAX	4096		/* values of one item, expanded */
#define SIGMA_COND_MAX		4096		/* bytes in one condition */
#define SIGMA_COND_DEPTH	64		/* nesting of (), not */
#define SIGMA_DIR_DEPTH		32		/* directory levels walked */
#define SIGMA_CORR_RULES_MAX	64		/* rules one correlation names */
#define SIGMA_CORR_GROUPBY_MAX	16		/* group-by fields */
#define SIGMA_CORR_ALIASES_MAX	256		/* alias entries */
#define SIGMA_CORR_CONDS_MAX	6		/* gt gte lt lte eq neq */
/* The longest timespan: a year, in milliseconds. */
#define SIGMA_CORR_TIMESPAN_MAX	(366LL * 24 * 60 * 60 * 1000)

/* A group of detection items that must all match (a YAML map). */
struct sigma_group {
	struct match_item	**items;
	size_t			  nitems;
};

/* A search identifier: it matches if any of its groups matches. */
struct sigma_sel {
	char			*name;
	unsigned long		 line;
	struct sigma_group	*groups;
	size_t			  ngroups;
	uint64_t		 gen;	/* record generation of value */
	int			 value;	/* cached result for that record */
};

enum sigma_cond_type {
	SIGMA_COND_SEL,		/* a search identifier */
	SIGMA_COND_NOT,
	SIGMA_COND_AND,
	SIGMA_COND_OR,
	SIGMA_COND_OF,		/* at least need of the kids */
};

/* A compiled condition. */
struct sigma_cond {
	enum sigma_cond_type	  type;
	size_t			  sel;	/* SEL: index of the identifier */
	size_t			  need;	/* OF: kids that must be true */
	struct sigma_cond	**kids;
	size_t			  nkids;
};

enum sigma_corr_type {
	SIGMA_CORR_EVENT_COUNT,
	SIGMA_CORR_VALUE_COUNT,
	SIGMA_CORR_TEMPORAL,
	SIGMA_CORR_TEMPORAL_ORDERED,
	SIGMA_CORR_VALUE_SUM,
	SIGMA_CORR_VALUE_AVG,
};

enum sigma_corr_op {
	SIGMA_CORR_GT,
	SIGMA_CORR_GTE,
	SIGMA_CORR_LT,
	SIGMA_CORR_LTE,
	SIGMA_CORR_EQ,
	SIGMA_CORR_NEQ,
};

/* One comparison of a correlation's condition; all of them must hold. */
struct sigma_corr_cond {
	enum sigma_corr_op	 op;
	double			 value;
};

/* A rule a correlation refers to, by id or name. */
struct sigma_corr_ref {
	char			*text;	/* as written */
	unsigned long		 line;
	struct rule		*rule;	/* once resolved (borrowed) */
};

/* aliases: in events of rule "rule", group-by name "alias" is "field". */
struct sigma_corr_alias {
	char			*alias;
	char			*rule;	/* a name or id among the refs */
	char			*field;
	unsigned long		 line;
	size_t			 ref;	/* index in refs, once resolved */
};

/* The correlation section of a correlation rule. */
struct sigma_corr {
	enum sigma_corr_type	  type;
	struct sigma_corr_ref	 *refs;
	size_t			  nrefs;
	char			**groupby;
	size_t			  ngroupby;
	int64_t			  timespan;	/* milliseconds */
	struct sigma_corr_cond	  conds[SIGMA_CORR_CONDS_MAX];
	size_t			  nconds;
	char			 *field;	/* value_count and metrics */
	struct sigma_corr_alias	 *aliases;
	size_t			  naliases;
	int			  generate;	/* referred rules report too */
};

/*
 * A Sigma filter: the rules it names, by id or name.  Its selections and
 * condition live in the rule like a detection's; a match it also matches
 * is suppressed.
 */
struct sigma_filter {
	struct sigma_corr_ref	 *refs;
	size_t			  nrefs;
	int			  resolved;	/* refs looked up */
};

/* One compiled rule; owned by the rule set once added. */
struct rule {
	char			 *id;
	int			  id_derived;	/* from the file name */
	char			 *name;		/* Sigma "name", or NULL */
	char			 *title;
	char			 *description;
	char			 *status;
	char			 *author;
	char			 *date;
	char			 *modified;
	char			 *path;
	unsigned long		  line;		/* first line of the document */
	enum rule_level		  level;
	char			**tags;
	size_t			  ntags;
	char			**falsepositives;
	size_t			  nfalsepositives;
	char			**references;
	size_t			  nreferences;
	struct sigma_sel	 *sels;
	size_t			  nsels;
	struct sigma_cond	 *cond;		/* NULL for a correlation */
	struct sigma_corr	 *corr;		/* NULL for a detection */
	struct sigma_filter	 *filter;	/* a filter document, or NULL */
	int			  silent;	/* feeds correlations only */
	unsigned int		  forms;	/* records it is for (forms.h) */
	size_t			  index;	/* position in the rule set */
	int			  needs_error;	/* no match without errorCode */
};

/* What the loader needs from the rule set. */
struct sigma_load_ctx {
	const struct rule_opts	*opts;		/* placeholders */
	struct rule_set_stats	*stats;
	/* Take a compiled rule (rejected by nothing). */
	void			(*add)(void *, struct rule *);
	void			 *arg;
};

/* sigma_load.c */
int		 sigma_load_file(const char *, struct sigma_load_ctx *);
int		 sigma_load_buffer(const char *, const char *, size_t,
		    struct sigma_load_ctx *);
void		 sigma_rule_free(struct rule *);
const char	*sigma_level_name(enum rule_level);
int		 sigma_level_parse(const char *, enum rule_level *);

/* sigma_corr.c */
const char	*sigma_corr_type_name(enum sigma_corr_type);

/* sigma_cond.c */
typedef int	 sigma_sel_cb(void *, size_t);
struct sigma_cond *sigma_cond_parse(const char *, const char *const *,
		    size_t, char **);
struct sigma_cond *sigma_cond_or(struct sigma_cond **, size_t);
void		 sigma_cond_free(struct sigma_cond *);
int		 sigma_cond_eval(const struct sigma_cond *, sigma_sel_cb *,
		    void *);
char		*sigma_cond_print(const struct sigma_cond *,
		    const char *const *);

/* rule.c */
int		 rule_set_load_buffer(struct rule_set *, const char *,
		    const char *, size_t);
size_t		 rule_set_nalways(const struct rule_set *);
size_t		 rule_set_nprefiltered(const struct rule_set *);

#endif
