/* SPDX-License-Identifier: ISC */
/*
 * The content prefilter: rules that the rule index cannot file under an
 * eventName, eventSource or userIdentity.type value, but that cannot
 * match unless some literal occurs in some field (contains, startswith,
 * endswith, equality, keywords), are tried only on records in which one
 * of those literals occurs.  One multi-pattern automaton per field finds
 * them all in one pass over the field's texts.  The answer is a superset:
 * the rules' own evaluation still decides, so findings do not change.
 */
#ifndef PREFILTER_H
#define PREFILTER_H

#include <stddef.h>
#include <stdint.h>

struct record;
struct rule;
struct prefilter;

/* The matchers a prefilter can use. */
enum prefilter_engine {
	PREFILTER_OFF,		/* no prefilter: every rule is tried */
	PREFILTER_AC,		/* Aho-Corasick over ASCII-folded bytes */
	PREFILTER_HYPERSCAN,	/* Hyperscan literal databases */
	PREFILTER_AUTO,		/* ac for small tables, else Hyperscan */
};

/* Entries of one field's Aho-Corasick table, at most. */
#define PREFILTER_AC_MAX	(8 * 1024 * 1024)
/* The same for auto, past which Hyperscan (if built in) is used. */
#define PREFILTER_AC_AUTO	(2 * 1024 * 1024)

/*
 * Create a prefilter.  The engine is auto unless CTAUDIT_PREFILTER in
 * the environment says off, ac, hyperscan or auto; without Hyperscan
 * built in, hyperscan and auto are ac.
 */
struct prefilter	*prefilter_create(void);
/* The same with the engine given (for tests). */
struct prefilter	*prefilter_create_engine(enum prefilter_engine);
void			 prefilter_free(struct prefilter *);
enum prefilter_engine	 prefilter_engine(const struct prefilter *);
const char		*prefilter_engine_name(enum prefilter_engine);
/*
 * Take rule r if its condition cannot be true without one of its
 * literals: 0, and the rule is tried only when prefilter_eval() names it;
 * -1 if it must be tried on every record.  Rules come in ascending index.
 */
int			 prefilter_add(struct prefilter *, const struct rule *);
/* Rules taken. */
size_t			 prefilter_count(const struct prefilter *);
/*
 * The indexes of the rules taken that rec may match, ascending; the list
 * is the prefilter's and valid until the next call.
 */
const size_t		*prefilter_eval(struct prefilter *, struct record *,
			    size_t *);

#endif
