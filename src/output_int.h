/* SPDX-License-Identifier: ISC */
/*
 * Shared by the output writers, not by the rest of the pipeline: the
 * columns of a finding in their documented order, how each is read from
 * the rule and the record, and the escaping of untrusted strings for
 * each format.  The escapers in output_esc.c are pure and tested on
 * their own (tests/unit/t_csv.c).
 */
#ifndef OUTPUT_INT_H
#define OUTPUT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct finding;

enum output_col_kind {
	OUTPUT_COL_RULE_ID,
	OUTPUT_COL_RULE_TITLE,
	OUTPUT_COL_LEVEL,
	OUTPUT_COL_TAGS,	/* JSON array; CSV joined with ';' */
	OUTPUT_COL_FIELD,	/* the record's value at path */
	OUTPUT_COL_PRINCIPAL,	/* arn, or the fallbacks in output.c */
	OUTPUT_COL_ORIGIN,
	OUTPUT_COL_INDEX,	/* JSON number */
	OUTPUT_COL_TIME_UTC,	/* eventTime in UTC, see output_time_utc() */
	OUTPUT_COL_RULE_DESC,	/* the rule's description */
	OUTPUT_COL_REFS,	/* lists, as TAGS: the rule's references */
	OUTPUT_COL_FALSEPOS,	/*   and its false positives */
};

struct output_col {
	const char		*name;	/* JSON key and CSV header */
	enum output_col_kind	 kind;
	const char		*path;	/* for OUTPUT_COL_FIELD */
	int			 json_only;	/* not a CSV column */
};

/* Schema version 1, in order; JSON puts "schema" first, "event" last. */
extern const struct output_col	output_cols[];
extern const size_t		output_ncols;

/*
 * A column's text for the string kinds (all but TAGS and INDEX): 1 and
 * *sp, *lenp set (borrowed from the finding), or 0 if absent or null.
 */
int	 output_value(const struct finding *, const struct output_col *,
	    const char **, size_t *);
/* The record's value at a dotted path as text; 1, or 0 if absent/null. */
int	 output_field(const struct finding *, const char *, const char **,
	    size_t *);
/* A list column (TAGS, REFS, FALSEPOS): its length, and item i. */
size_t	 output_list_count(const struct finding *, const struct output_col *);
const char *output_list_get(const struct finding *, const struct output_col *,
	    size_t);
/* eventTime normalised to UTC into buf; 1, or 0 if absent or unparsable. */
int	 output_time_utc(const struct finding *, char *, size_t);
/* The principal: userIdentity.arn or its fallbacks; 1, or 0 if none. */
int	 output_principal(const struct finding *, const char **, size_t *);
#define OUTPUT_CORR_VALUE_SIZE	32
/* A correlation's value as a JSON number, into buf. */
void	 output_corr_value(char *, size_t, double);

struct corr_finding;
/* Writes one group-by value of a correlation finding as a JSON string. */
typedef void	 output_json_value_fn(FILE *, const char *, size_t, void *);
/* The "correlation" member of a finding, shared by -f json and alerts. */
void	 output_json_corr(FILE *, const struct corr_finding *,
	    output_json_value_fn *, void *);
void	 output_json_fields(FILE *, const struct finding *,
	    output_json_value_fn *, void *);

/* Decode one UTF-8 character: its length, or 0 if s is not valid there. */
size_t	 output_esc_utf8(const char *, size_t, uint32_t *);
/* Whether a code point could move or restyle a terminal's text. */
int	 output_esc_hazard(uint32_t);
/* A JSON string, quoted: valid UTF-8 out, hazards as \uXXXX. */
void	 output_esc_json(FILE *, const char *, size_t);
/* Compact JSON text passed through with the same guarantees. */
void	 output_esc_jsontext(FILE *, const char *, size_t);
/* Text for a terminal, hazards made visible; returns columns used. */
size_t	 output_esc_text(FILE *, const char *, size_t);
/* Columns that escaped text (with SGR sequences) takes on a terminal. */
size_t	 output_esc_cols(const char *, size_t);
/* One CSV cell (RFC 4180), quoted if needed, formulas defused. */
void	 output_esc_csv(FILE *, const char *, size_t);
/* Compact JSON text as one quoted CSV cell, escaped as for JSON. */
void	 output_esc_csvjson(FILE *, const char *, size_t);

#endif
