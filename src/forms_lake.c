/* SPDX-License-Identifier: ISC */
/*
 * CloudTrail Lake query results, as "aws cloudtrail get-query-results"
 * writes them: {"QueryStatus": ..., "QueryResultRows": [row, ...]}, each
 * row a list of one-member objects, {"column": "value"}, every value a
 * string.  A row holds a whole event only in its eventJson column (the
 * event's JSON text); the other columns are single values, and nested
 * ones (userIdentity) are not JSON, so a row without eventJson cannot be
 * audited as an event.  The JSON stage builds each row as a record and
 * asks here for its event; it parses the text itself, with its caps.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "forms.h"
#include "record.h"

#define FORMS_LAKE_EVENT	"eventJson"

/*
 * The eventJson string of a Lake row, or NULL; then cols (of size, at
 * least 8) lists the columns the row has, comma-separated, cut with
 * "..." if they do not fit.
 */
const struct rec_value *
forms_lake_event(const struct rec_value *row, char *cols, size_t size)
{
	const struct rec_value	*c, *m;
	size_t			 used = 0, n;

	cols[0] = '\0';
	if (row == NULL || row->type != REC_ARRAY)
		return NULL;
	for (c = row->child; c != NULL; c = c->next) {
		if (c->type != REC_OBJECT)
			continue;
		for (m = c->child; m != NULL; m = m->next) {
			if (m->keylen == sizeof FORMS_LAKE_EVENT - 1 &&
			    memcmp(m->key, FORMS_LAKE_EVENT, m->keylen) == 0 &&
			    m->type == REC_STRING)
				return m;
			n = m->keylen + (used > 0 ? 2 : 0);
			if (used + n + 4 >= size) {
				if (used + 4 < size)
					memcpy(cols + used, "...", 4);
				used = size;
				continue;
			}
			if (used > 0) {
				memcpy(cols + used, ", ", 2);
				used += 2;
			}
			memcpy(cols + used, m->key, m->keylen);
			used += m->keylen;
			cols[used] = '\0';
		}
	}
	if (used == 0)
		snprintf(cols, size, "none");
	return NULL;
}
