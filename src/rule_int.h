/* SPDX-License-Identifier: ISC */
/*
 * What the rule set (rule.c) shares with its index (rule_index.c): the
 * case-folded hash tables of rules by eventName, eventSource and
 * userIdentity.type, and the record members that select them.  Not for
 * other modules.
 */
#ifndef RULE_INT_H
#define RULE_INT_H

#include <stddef.h>

struct rec_value;
struct rule;
struct sigma_cond;

/* The rules in one hash bucket, in load order. */
struct rule_bucket {
	char		*key;		/* case-folded, NULL if free */
	size_t		 keylen;
	size_t		*rules;
	size_t		 nrules;
};

/* eventName, eventSource or userIdentity.type values to rules. */
struct rule_index {
	const char		*field;
	struct rule_bucket	*b;
	size_t			 size;	/* a power of two, or 0 */
	size_t			 used;
};

/* The members of a record that select its rules. */
struct rule_keys {
	const struct rec_value	*name;		/* eventName */
	const struct rec_value	*source;	/* eventSource */
	const struct rec_value	*type;		/* userIdentity.type */
	int			 error;		/* errorCode is there */
	int			 data;		/* a data event */
};

/* rule_index.c */
void		 rule_index_free(struct rule_index *);
int		 rule_index_rule(struct rule_index *, const struct rule *);
void		 rule_defer(struct rule *, const char *, const char *);
int		 rule_needs_cond(const struct rule *, const struct sigma_cond *,
		    const char *);
int		 rule_data_only(const struct rule *);
const size_t	*rule_bucket_get(const struct rule_index *,
		    const struct rec_value *, size_t *, int *);
int		 rule_index_members(const struct rec_value *,
		    struct rule_keys *);

#endif /* RULE_INT_H */
