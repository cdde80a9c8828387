/* SPDX-License-Identifier: ISC */
/*
 * Outputs write findings: text for people, JSON Lines for jq, CSV for
 * spreadsheets.  Each format is one file with a const ops table; the
 * registry in output.c finds them by name.  Formatting is pure: a writer
 * only ever sees a finding and its FILE.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>

struct record;
struct rule;

#define OUTPUT_SCHEMA_VERSION	1	/* JSON "schema", documented */

struct finding {
	const struct rule	*rule;
	struct record		*rec;	/* the event that matched */
};

struct output_opts {
	int		 raw;		/* include the whole event */
	int		 color;		/* ANSI colour (text only) */
};

struct output_ops {
	const char	 *name;		/* "text", "json", "csv" */
	void		*(*open)(FILE *, const struct output_opts *);
	void		 (*write)(void *, const struct finding *);
	void		 (*close)(void *);	/* flushes; accepts NULL */
};

extern const struct output_ops	output_text_ops;
extern const struct output_ops	output_json_ops;
extern const struct output_ops	output_csv_ops;

const struct output_ops	*output_find(const char *);

#endif
