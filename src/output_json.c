/* SPDX-License-Identifier: ISC */
/*
 * JSON Lines output: one object per finding, keys in the fixed order of
 * schema version 2 (output_cols in output.c), named as CloudTrail names
 * its own fields so that `jq .eventName` reads the same on a finding as
 * on an event.  Absent values are null; every value but "schema",
 * "index" and the lists ("tags", "ruleReferences", "ruleFalsePositives")
 * is a string or null.  A correlation finding has no
 * event: its event columns are null, and a "correlation" object (before
 * "event") says what was counted, in which group and when.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventtime.h"
#include "forms.h"
#include "output.h"
#include "output_int.h"
#include "record.h"
#include "rule.h"
#include "xmalloc.h"

struct output_json {
	FILE	*f;
	int	 raw;
};

static void	*output_json_open(FILE *, const struct output_opts *);
static void	 output_json_write(void *, const struct finding *);
static int	 output_json_close(void *);
static void	 output_json_value(FILE *, const char *, size_t, void *);

const struct output_ops output_json_ops = {
	.name = "json",
	.open = output_json_open,
	.write = output_json_write,
	.close = output_json_close,
};

static void *
output_json_open(FILE *f, const struct output_opts *opts)
{
	struct output_json	*oj;

	oj = xcalloc(1, sizeof *oj);
	oj->f = f;
	oj->raw = opts->raw;
	return oj;
}

/* Write one finding as one line. */
static void
output_json_write(void *priv, const struct finding *fd)
{
	struct output_json	*oj = priv;
	const struct rec_value	*root;
	const char		*s;
	size_t			 len;
	FILE			*f = oj->f;

	/* Once a finding: with -j, each putc() would take the lock. */
	flockfile(f);
	output_json_fields(f, fd, output_json_value, NULL);
	if (oj->raw) {
		fputs(",\"event\":", f);
		if (fd->rec != NULL && (root = record_root(fd->rec)) != NULL &&
		    (s = record_json(fd->rec, root, &len)) != NULL)
			output_esc_jsontext(f, s, len);
		else
			fputs("null", f);
	}
	fputs("}\n", f);
	funlockfile(f);
}

/*
 * The finding's object up to its last member, without the closing brace:
 * "schema", the columns in order and, for a correlation, "correlation".
 * value writes each string value (alerts cut them to their size limit).
 */
void
output_json_fields(FILE *f, const struct finding *fd,
    output_json_value_fn *value, void *arg)
{
	const struct output_col	*col;
	const char		*s;
	char			 buf[EVENTTIME_BUFSIZE];
	char			 url[FORMS_URL_MAX];
	size_t			 i, j, len;

	fprintf(f, "{\"schema\":%d", OUTPUT_SCHEMA_VERSION);
	for (i = 0; i < output_ncols; i++) {
		col = &output_cols[i];
		/* Not fprintf(): a finding has many keys, and this is cheaper. */
		fputs(",\"", f);
		fputs(col->name, f);
		fputs("\":", f);
		switch (col->kind) {
		case OUTPUT_COL_TAGS:
		case OUTPUT_COL_REFS:
		case OUTPUT_COL_FALSEPOS:
			putc('[', f);
			for (j = 0; j < output_list_count(fd, col); j++) {
				if (j > 0)
					putc(',', f);
				s = output_list_get(fd, col, j);
				value(f, s, strlen(s), arg);
			}
			putc(']', f);
			break;
		case OUTPUT_COL_TIME_UTC:
			if (output_time_utc(fd, buf, sizeof buf))
				fprintf(f, "\"%s\"", buf);
			else
				fputs("null", f);
			break;
		case OUTPUT_COL_INDEX:
			if (fd->rec != NULL)
				fprintf(f, "%" PRIu64, record_index(fd->rec));
			else
				fputs("null", f);
			break;
		default:
			if (output_value(fd, col, &s, &len))
				value(f, s, len, arg);
			else
				fputs("null", f);
			break;
		}
	}
	if (fd->corr != NULL)
		output_json_corr(f, fd->corr, value, arg);
	else if (forms_is_finding(fd->rec)) {
		/* A GuardDuty finding's own fields (forms.c). */
		fputs(",\"finding\":{", f);
		for (i = 0; forms_finding_cols[i].json != NULL; i++) {
			fprintf(f, "%s\"%s\":", i > 0 ? "," : "",
			    forms_finding_cols[i].json);
			if (forms_finding_col(fd->rec, i, url, &s, &len))
				value(f, s, len, arg);
			else
				fputs("null", f);
		}
		putc('}', f);
	}
}

/* A string value, whole. */
static void
output_json_value(FILE *f, const char *s, size_t len, void *arg)
{
	(void)arg;
	output_esc_json(f, s, len);
}

/*
 * The "correlation" member of a correlation finding; value writes each
 * group-by value (alerts cut them to their size limit).
 */
void
output_json_corr(FILE *f, const struct corr_finding *cf,
    output_json_value_fn *value, void *arg)
{
	char	 buf[EVENTTIME_BUFSIZE];
	char	 num[OUTPUT_CORR_VALUE_SIZE];
	size_t	 i;

	fputs(",\"correlation\":{\"type\":", f);
	output_esc_json(f, cf->type, strlen(cf->type));
	fputs(",\"groupBy\":{", f);
	for (i = 0; i < cf->ngroupby; i++) {
		if (i > 0)
			putc(',', f);
		output_esc_json(f, cf->groupby[i], strlen(cf->groupby[i]));
		putc(':', f);
		value(f, cf->values[i], cf->lens[i], arg);
	}
	fputs("},\"field\":", f);
	if (cf->field != NULL)
		output_esc_json(f, cf->field, strlen(cf->field));
	else
		fputs("null", f);
	output_corr_value(num, sizeof num, cf->value);
	fprintf(f, ",\"value\":%s,\"events\":%" PRIu64, num, cf->events);
	eventtime_format(cf->first, buf, sizeof buf);
	fprintf(f, ",\"firstTime\":\"%s\"", buf);
	eventtime_format(cf->last, buf, sizeof buf);
	fprintf(f, ",\"lastTime\":\"%s\",\"rules\":[", buf);
	for (i = 0; i < cf->nrules; i++) {
		if (i > 0)
			putc(',', f);
		output_esc_json(f, cf->rules[i], strlen(cf->rules[i]));
	}
	fprintf(f, "],\"incomplete\":%s}", cf->incomplete ? "true" : "false");
}

static int
output_json_close(void *priv)
{
	struct output_json	*oj = priv;

	if (oj == NULL)
		return 0;
	fflush(oj->f);
	free(oj);
	return 0;
}
