/* SPDX-License-Identifier: ISC */
/*
 * CSV output (RFC 4180) for spreadsheets: a header row, then one row per
 * finding with the columns of JSON schema version 1 in the same order
 * (without "schema": the header names the columns).  Rows end in CRLF as
 * the RFC says.  Tags are joined with ';'.  An absent value is an empty
 * cell, an empty string is "".  Cells are escaped by output_esc_csv(),
 * which also defuses spreadsheet formulas in attacker-controlled fields.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "output_int.h"
#include "record.h"
#include "rule.h"
#include "xmalloc.h"

#define OUTPUT_CSV_EOL		"\r\n"
#define OUTPUT_CSV_TAGSEP	';'

struct output_csv {
	FILE	*f;
	int	 raw;
};

static void	*output_csv_open(FILE *, const struct output_opts *);
static void	 output_csv_write(void *, const struct finding *);
static void	 output_csv_close(void *);
static void	 output_csv_tags(FILE *, const struct rule *);

const struct output_ops output_csv_ops = {
	.name = "csv",
	.open = output_csv_open,
	.write = output_csv_write,
	.close = output_csv_close,
};

/* Start the output with the header row, so even no findings is valid. */
static void *
output_csv_open(FILE *f, const struct output_opts *opts)
{
	struct output_csv	*oc;
	size_t			 i;

	oc = xcalloc(1, sizeof *oc);
	oc->f = f;
	oc->raw = opts->raw;
	for (i = 0; i < output_ncols; i++) {
		if (i > 0)
			putc(',', f);
		fputs(output_cols[i].name, f);
	}
	if (oc->raw)
		fputs(",event", f);
	fputs(OUTPUT_CSV_EOL, f);
	return oc;
}

/* The rule's tags as one cell. */
static void
output_csv_tags(FILE *f, const struct rule *r)
{
	size_t	 i, n, len = 0;
	char	*s, *p;

	if ((n = rule_ntags(r)) == 0)
		return;
	for (i = 0; i < n; i++)
		len += strlen(rule_tag(r, i)) + 1;
	p = s = xmalloc(len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = OUTPUT_CSV_TAGSEP;
		len = strlen(rule_tag(r, i));
		memcpy(p, rule_tag(r, i), len);
		p += len;
	}
	output_esc_csv(f, s, (size_t)(p - s));
	free(s);
}

/* Write one finding as one row. */
static void
output_csv_write(void *priv, const struct finding *fd)
{
	struct output_csv	*oc = priv;
	const struct output_col	*col;
	const struct rec_value	*root;
	const char		*s;
	size_t			 i, len;
	FILE			*f = oc->f;

	for (i = 0; i < output_ncols; i++) {
		col = &output_cols[i];
		if (i > 0)
			putc(',', f);
		switch (col->kind) {
		case OUTPUT_COL_TAGS:
			output_csv_tags(f, fd->rule);
			break;
		case OUTPUT_COL_INDEX:
			fprintf(f, "%" PRIu64, record_index(fd->rec));
			break;
		default:
			if (output_value(fd, col, &s, &len))
				output_esc_csv(f, s, len);
			break;
		}
	}
	if (oc->raw) {
		putc(',', f);
		if ((root = record_root(fd->rec)) != NULL &&
		    (s = record_json(fd->rec, root, &len)) != NULL)
			output_esc_csv(f, s, len);
	}
	fputs(OUTPUT_CSV_EOL, f);
}

static void
output_csv_close(void *priv)
{
	struct output_csv	*oc = priv;

	if (oc == NULL)
		return;
	fflush(oc->f);
	free(oc);
}
