/* SPDX-License-Identifier: ISC */
/*
 * Time values: CloudTrail's eventTime, and the bounds given to --since and
 * --until.  Pure functions, milliseconds since the epoch, UTC.
 */
#ifndef EVENTTIME_H
#define EVENTTIME_H

#include <stddef.h>
#include <stdint.h>

/* RFC 3339 ("2026-11-01T10:22:31Z", offsets, fractions): 0, or -1. */
int	 eventtime_parse(const char *, size_t, int64_t *);
/*
 * A bound as users write it: RFC 3339, a date ("2026-11-01", midnight
 * UTC), or an age before now ("30m", "24h", "7d", "2w"): 0, or -1 and
 * *cause.
 */
int	 eventtime_bound(const char *, int64_t now, int64_t *, char **);
#define EVENTTIME_BUFSIZE	32	/* enough for any eventtime_format() */

/* Format as "2026-11-01T10:22:31Z" (with ".123" if ms != 0) into buf. */
void	 eventtime_format(int64_t, char *, size_t);

#endif
