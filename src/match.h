/* SPDX-License-Identifier: ISC */
/*
 * Detection items: one "field|modifier|...: value(s)" entry of a Sigma
 * detection, compiled once (wildcards, regexes, CIDRs, encodings) and
 * then tested against records.  Pure: no I/O, no diagnostics; compile
 * errors come back in *cause.
 */
#ifndef MATCH_H
#define MATCH_H

#include <stddef.h>
#include <stdint.h>

struct record;
struct match_item;

enum match_vtype {
	MATCH_V_STRING,		/* YAML string (quoted or plain) */
	MATCH_V_NUMBER,		/* YAML int or float, text as written */
	MATCH_V_BOOL,		/* YAML true/false, text "true"/"false" */
	MATCH_V_NULL,		/* YAML null or ~ or empty */
};

struct match_value {
	enum match_vtype	 type;
	const char		*text;	/* NUL-terminated; "" for NULL */
	int			 quoted;	/* 1 if the YAML scalar was quoted */
};

/*
 * Compile one item.  field is NULL for keyword searches (match anywhere
 * in the record).  mods are the modifier names after the field, in order
 * ("contains", "all").  vals is the list of values (a scalar is a list of
 * one); the values are OR'ed unless "all" is given.  Placeholders
 * (|expand) are resolved by the caller before this.
 * Returns NULL and *cause (allocated) when a modifier is unknown, does not
 * apply, or a value does not compile.
 */
struct match_item	*match_item_compile(const char *field,
			    const char *const *mods, size_t nmods,
			    const struct match_value *vals, size_t nvals,
			    char **cause);
void			 match_item_free(struct match_item *);
/*
 * How many |re matches PCRE2's match, depth or heap limit has stopped
 * (each counted as no match) since the program started.
 */
uint64_t		 match_re_limits(void);
/*
 * 1 if the record matches the item, else 0.  Allocates nothing; regexes
 * that pass their step or memory limits count as no match.
 */
int			 match_item_eval(const struct match_item *,
			    struct record *);
/*
 * For the rule index: if the item can only match when the field equals
 * one of a fixed set of strings (plain case-insensitive equality, no
 * wildcards), return that field and set *vals and *nvals; else NULL.
 * The values are unescaped and in ASCII lower case (other bytes as
 * written); they are borrowed from the item.  The item also matches when
 * the field is an array holding such a string, or an object with one
 * inside it, so an index must not skip the item for those.
 */
const char		*match_item_literals(const struct match_item *,
			    const char *const **vals, size_t *nvals);

/*
 * For the rule index: the field the item needs, when it can match only if
 * some member of the record resolves the field; NULL if it can match
 * without one (a null value, exists: false, or a keyword search).
 */
const char		*match_item_needs(const struct match_item *);

/*
 * For the prefilter: 0 if the item can match a record only when one of
 * n byte strings occurs in a text that match_field_texts() visits for
 * *field (NULL: a keyword search, every scalar), else -1.  The strings
 * are in ASCII lower case, to be found with ASCII case folded; they may
 * hold any byte, and are borrowed from the item.
 */
int			 match_item_needles(const struct match_item *,
			    const char **field, const char *const **needles,
			    const size_t **lens, size_t *n);

/* A visitor of texts: return 1 to stop. */
typedef int		 match_text_cb(void *, const char *, size_t);
/*
 * Call cb with every text an item on field is compared with, in the same
 * order (JSON nulls left out): each value the dotted name resolves to,
 * array elements one by one, an object as its compact JSON text and then
 * every scalar inside it.  A NULL field visits every scalar of the record,
 * as a keyword search does.
 */
void			 match_field_texts(struct record *, const char *,
			    match_text_cb *, void *);

/*
 * The accounts modifier: the 12-digit AWS account ids that a text names,
 * at most max of them, each once, in the order of their first mention.
 * An id is the account part of an ARN (arn:PARTITION:SERVICE:REGION:ID:),
 * the whole text, or a quoted string of its own inside the text ("ID",
 * also with escaped quotes, as in a JSON policy held in a JSON string).
 * Returns how many were stored in ids (each MATCH_ACCOUNT_LEN digits, not
 * NUL-terminated).
 */
#define MATCH_ACCOUNT_LEN	12
#define MATCH_ACCOUNTS_MAX	64	/* ids taken from one text */
size_t			 match_accounts(const char *, size_t,
			    char (*)[MATCH_ACCOUNT_LEN], size_t);

/* Case-insensitive Sigma wildcard match (* and ?, \ escapes): 1 or 0. */
int			 match_wildcard(const char *pat, size_t patlen,
			    const char *s, size_t len, int cased);

#endif
