/* SPDX-License-Identifier: ISC */
/*
 * JSON Lines output: one object per finding, keys in the fixed order of
 * schema version 1 (output_cols in output.c), named as CloudTrail names
 * its own fields so that `jq .eventName` reads the same on a finding as
 * on an event.  Absent values are null; every value but "schema",
 * "tags" and "index" is a string or null.
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

struct output_json {
	FILE	*f;
	int	 raw;
};

static void	*output_json_open(FILE *, const struct output_opts *);
static void	 output_json_write(void *, const struct finding *);
static void	 output_json_close(void *);

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
	const struct output_col	*col;
	const struct rec_value	*root;
	const char		*s;
	size_t			 i, j, len;
	FILE			*f = oj->f;

	fprintf(f, "{\"schema\":%d", OUTPUT_SCHEMA_VERSION);
	for (i = 0; i < output_ncols; i++) {
		col = &output_cols[i];
		fprintf(f, ",\"%s\":", col->name);
		switch (col->kind) {
		case OUTPUT_COL_TAGS:
			putc('[', f);
			for (j = 0; j < rule_ntags(fd->rule); j++) {
				if (j > 0)
					putc(',', f);
				s = rule_tag(fd->rule, j);
				output_esc_json(f, s, strlen(s));
			}
			putc(']', f);
			break;
		case OUTPUT_COL_INDEX:
			fprintf(f, "%" PRIu64, record_index(fd->rec));
			break;
		default:
			if (output_value(fd, col, &s, &len))
				output_esc_json(f, s, len);
			else
				fputs("null", f);
			break;
		}
	}
	if (oj->raw) {
		fputs(",\"event\":", f);
		if ((root = record_root(fd->rec)) != NULL &&
		    (s = record_json(fd->rec, root, &len)) != NULL)
			output_esc_jsontext(f, s, len);
		else
			fputs("null", f);
	}
	fputs("}\n", f);
}

static void
output_json_close(void *priv)
{
	struct output_json	*oj = priv;

	if (oj == NULL)
		return;
	fflush(oj->f);
	free(oj);
}
