/* SPDX-License-Identifier: ISC */
/*
 * Internals of the Sigma rule engine, shared by sigma_load.c (YAML to
 * compiled rules), sigma_cond.c (condition parser and evaluator) and
 * rule.c (the rule set, its index and evaluation).  Nothing outside these
 * three files and their unit test includes this header.
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

/* One compiled rule; owned by the rule set once added. */
struct rule {
	char			 *id;
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
	struct sigma_cond	 *cond;
	size_t			  index;	/* position in the rule set */
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

#endif
