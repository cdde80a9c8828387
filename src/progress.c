/* SPDX-License-Identifier: ISC */
/*
 * The progress line: what the scan has read so far, on one line of
 * standard error that is redrawn with a carriage return.  Short runs
 * never show it; a run that showed it clears it when the scan is done.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "audit.h"
#include "progress.h"
#include "xmalloc.h"

struct progress {
	time_t		 last;		/* the second of the last redraw */
	int		 shown;		/* something is on the line */
};

struct progress *
progress_create(void)
{
	return xcalloc(1, sizeof(struct progress));
}

void
progress_free(struct progress *p)
{
	free(p);
}

/* Redraw the progress line at most once a second; done clears it. */
void
progress_update(const struct audit_stats *st, int done, void *arg)
{
	struct progress	*p = arg;
	time_t		 now;

	if (done) {
		if (p->shown)
			fputs("\r\033[K", stderr);
		return;
	}
	now = time(NULL);
	if (now == p->last)
		return;
	if (p->last == 0) {
		/* Short runs never show the line. */
		p->last = now;
		return;
	}
	p->last = now;
	p->shown = 1;
	fprintf(stderr, "\r\033[Kctaudit: %llu files, %llu records, "
	    "%llu MB, %llu findings",
	    (unsigned long long)st->scan.streams,
	    (unsigned long long)st->scan.records,
	    (unsigned long long)(st->scan.bytes_json >> 20),
	    (unsigned long long)st->nfindings);
}
