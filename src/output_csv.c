/* SPDX-License-Identifier: ISC */
/*
 * CSV output (RFC 4180) for spreadsheets: a header row, then one row per
 * finding with the columns of JSON schema version 2 in the same order
 * (without "schema", nor the JSON-only ruleFalsePositives: free text that
 * no separator can join).  Rows end in CRLF as the RFC says.  Tags are
 * joined with ';', references with ' '.  An absent value is an empty
 * cell, an empty string is "".  Cells are escaped by output_esc_csv(),
 * which also defuses spreadsheet formulas in attacker-controlled fields;
 * the --raw event is JSON, whose own escapes keep it lossless.
 * The columns for correlations follow the others (output_csv_corr_cols)
 * whatever rules are loaded, so that every file has the same header; a
 * correlation finding leaves the event's cells empty, a detection leaves
 * the correlation's empty.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventtime.h"
#include "log.h"
#include "forms.h"
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

static const char *const output_csv_corr_cols[] = {
	"correlationType", "correlationGroupBy", "correlationField",
	"correlationValue", "correlationEvents", "correlationFirstTime",
	"correlationLastTime", "correlationRules", "correlationIncomplete",
};

static void	*output_csv_open(FILE *, const struct output_opts *);
static void	 output_csv_write(void *, const struct finding *);
static int	 output_csv_close(void *);
static void	 output_csv_list(FILE *, const struct finding *,
		    const struct output_col *);
static void	 output_csv_corr(FILE *, const struct corr_finding *);

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
		if (output_cols[i].json_only)
			continue;
		if (i > 0)
			putc(',', f);
		fputs(output_cols[i].name, f);
	}
	if (oc->raw)
		fputs(",event", f);
	for (i = 0; i < nitems(output_csv_corr_cols); i++)
		fprintf(f, ",%s", output_csv_corr_cols[i]);
	for (i = 0; forms_finding_cols[i].csv != NULL; i++)
		fprintf(f, ",%s", forms_finding_cols[i].csv);
	fputs(OUTPUT_CSV_EOL, f);
	return oc;
}

/* The rule's tags as one cell. */
/*
 * A list column as one cell: tags joined with ';', references (URLs,
 * which may hold a ';' but never a space) with ' '.
 */
static void
output_csv_list(FILE *f, const struct finding *fd,
    const struct output_col *col)
{
	size_t	 i, n, len = 0;
	char	*s, *p;
	char	 sep;

	sep = col->kind == OUTPUT_COL_REFS ? ' ' : OUTPUT_CSV_TAGSEP;
	if ((n = output_list_count(fd, col)) == 0)
		return;
	for (i = 0; i < n; i++)
		len += strlen(output_list_get(fd, col, i)) + 1;
	p = s = xmalloc(len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = sep;
		len = strlen(output_list_get(fd, col, i));
		memcpy(p, output_list_get(fd, col, i), len);
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
	char			 buf[EVENTTIME_BUFSIZE];
	char			 url[FORMS_URL_MAX];
	size_t			 i, len;
	FILE			*f = oc->f;

	flockfile(f);		/* once, not for each putc() */
	for (i = 0; i < output_ncols; i++) {
		col = &output_cols[i];
		if (col->json_only)
			continue;
		if (i > 0)
			putc(',', f);
		switch (col->kind) {
		case OUTPUT_COL_TAGS:
		case OUTPUT_COL_REFS:
		case OUTPUT_COL_FALSEPOS:
			output_csv_list(f, fd, col);
			break;
		case OUTPUT_COL_TIME_UTC:
			if (output_time_utc(fd, buf, sizeof buf))
				fputs(buf, f);
			break;
		case OUTPUT_COL_INDEX:
			if (fd->rec != NULL)
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
		if (fd->rec != NULL && (root = record_root(fd->rec)) != NULL &&
		    (s = record_json(fd->rec, root, &len)) != NULL)
			output_esc_csvjson(f, s, len);
	}
	if (fd->corr != NULL)
		output_csv_corr(f, fd->corr);
	else {
		for (i = 0; i < nitems(output_csv_corr_cols); i++)
			putc(',', f);
	}
	/* A GuardDuty finding's own fields (forms.c), else empty cells. */
	for (i = 0; forms_finding_cols[i].csv != NULL; i++) {
		putc(',', f);
		if (forms_is_finding(fd->rec) &&
		    forms_finding_col(fd->rec, i, url, &s, &len))
			output_esc_csv(f, s, len);
	}
	fputs(OUTPUT_CSV_EOL, f);
	funlockfile(f);
}

/*
 * The correlation's cells: the group as a JSON object (values may hold
 * any character), the rules' ids joined with ';'.
 */
static void
output_csv_corr(FILE *f, const struct corr_finding *cf)
{
	char	 buf[EVENTTIME_BUFSIZE];
	char	 num[OUTPUT_CORR_VALUE_SIZE];
	char	*s = NULL, *p;
	size_t	 i, len = 0;
	FILE	*m;

	putc(',', f);
	output_esc_csv(f, cf->type, strlen(cf->type));
	putc(',', f);
	if ((m = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	putc('{', m);
	for (i = 0; i < cf->ngroupby; i++) {
		if (i > 0)
			putc(',', m);
		output_esc_json(m, cf->groupby[i], strlen(cf->groupby[i]));
		putc(':', m);
		output_esc_json(m, cf->values[i], cf->lens[i]);
	}
	putc('}', m);
	if (fclose(m) == EOF)
		fatal("open_memstream");
	output_esc_csv(f, s, len);
	free(s);
	putc(',', f);
	if (cf->field != NULL)
		output_esc_csv(f, cf->field, strlen(cf->field));
	output_corr_value(num, sizeof num, cf->value);
	fprintf(f, ",%s,%" PRIu64, num, cf->events);
	eventtime_format(cf->first, buf, sizeof buf);
	fprintf(f, ",%s", buf);
	eventtime_format(cf->last, buf, sizeof buf);
	fprintf(f, ",%s,", buf);
	for (len = 0, i = 0; i < cf->nrules; i++)
		len += strlen(cf->rules[i]) + 1;
	p = s = xcalloc(1, len + 1);
	for (i = 0; i < cf->nrules; i++) {
		if (i > 0)
			*p++ = OUTPUT_CSV_TAGSEP;
		len = strlen(cf->rules[i]);
		memcpy(p, cf->rules[i], len);
		p += len;
	}
	output_esc_csv(f, s, (size_t)(p - s));
	free(s);
	fprintf(f, ",%s", cf->incomplete ? "true" : "false");
}

static int
output_csv_close(void *priv)
{
	struct output_csv	*oc = priv;

	if (oc == NULL)
		return 0;
	fflush(oc->f);
	free(oc);
	return 0;
}
