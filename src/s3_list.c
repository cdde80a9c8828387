/* SPDX-License-Identifier: ISC */
/*
 * CloudTrail's layout in a bucket, as pure functions for the S3 source.
 * CloudTrail writes each file to
 *
 *	[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
 *	    ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz
 *
 * where the date and time are those of delivery, a few minutes after the
 * events in it.  From that, a time window tells which day prefixes can
 * hold its events and which files to read, so that a listing grows with
 * the window, not with the bucket.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "compat.h"
#include "eventtime.h"
#include "s3.h"

#define S3_LIST_DAY_MS	(24 * 60 * 60 * 1000LL)

static int	 s3_list_digits(const char *, size_t);
static int	 s3_list_is_region(const char *, size_t);
static int	 s3_list_stamp(const char *, size_t, int64_t *);
static int64_t	 s3_list_fdiv(int64_t, int64_t);
static enum s3_level s3_list_scan(const char *, const char *, const char **);

static int
s3_list_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* Whether a path component is an AWS account id (twelve digits). */
int
s3_list_is_account(const char *s, size_t n)
{
	return n == 12 && s3_list_digits(s, n);
}

/*
 * Whether a path component is an organization id: "o-" and lower-case
 * letters or digits.  AWS issues 10 to 32 of them, but examples, tests
 * and mirrors use shorter ones: walking one costs a listing, while
 * refusing it would lose every log below it.
 */
int
s3_list_is_org(const char *s, size_t n)
{
	size_t	 i;

	if (n < 3 || n > 34 || s[0] != 'o' || s[1] != '-')
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static int
s3_list_is_region(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < '0' || s[i] > '9') &&
		    s[i] != '-')
			return 0;
	return 1;
}

/*
 * How far a prefix (with or without its final '/') reaches into the
 * layout: S3_LEVEL_NONE unless it has an "AWSLogs" component followed
 * only by what the layout allows there.
 */
enum s3_level
s3_list_level(const char *prefix)
{
	const char	*end;

	end = prefix + strlen(prefix);
	if (end > prefix && end[-1] == '/')
		end--;
	return s3_list_scan(prefix, end, NULL);
}

/*
 * The length of the day directory ("...AWSLogs/[o-ORG/]ACCOUNT/SERVICE/
 * REGION/YYYY/MM/DD/") that a key or path begins with, or 0 when it does
 * not lie below a day of the layout.
 */
size_t
s3_list_day_prefix(const char *key)
{
	const char	*day = NULL;

	s3_list_scan(key, key + strlen(key), &day);
	return day == NULL ? 0 : (size_t)(day - key);
}

/*
 * s3_list_level() of prefix..end.  With day not NULL, the walk stops at
 * the first component after a whole date, which *day is set to.
 */
static enum s3_level
s3_list_scan(const char *prefix, const char *end, const char **day)
{
	static const int	 datelen[] = { 4, 2, 2 };
	const char		*p = prefix, *e;
	size_t			 n;
	int			 found = 0, step = 0, dates = 0;
	/*
	 * step: 0 before AWSLogs, 1 after it, 2 after the organization,
	 * 3 after the account, 4 after the service, 5 after the region.
	 */
	while (p < end) {
		if ((e = memchr(p, '/', (size_t)(end - p))) == NULL)
			e = end;
		n = (size_t)(e - p);
		switch (step) {
		case 0:
			if (n == 7 && memcmp(p, "AWSLogs", 7) == 0) {
				found = 1;
				step = 1;
			}
			break;
		case 1:
			if (s3_list_is_org(p, n)) {
				step = 2;
				break;
			}
			FALLTHROUGH;
		case 2:
			if (!s3_list_is_account(p, n))
				return S3_LEVEL_NONE;
			step = 3;
			break;
		case 3:
			if ((n == 10 && memcmp(p, "CloudTrail", 10) == 0) ||
			    (n == 17 && memcmp(p, "CloudTrail-Digest", 17) ==
			    0) || (n == 18 &&
			    memcmp(p, "CloudTrail-Insight", 18) == 0) ||
			    (n == 9 && memcmp(p, "GuardDuty", 9) == 0))
				step = 4;	/* GuardDuty: its export */
			else
				return S3_LEVEL_NONE;
			break;
		case 4:
			if (!s3_list_is_region(p, n))
				return S3_LEVEL_NONE;
			step = 5;
			break;
		default:
			if (dates == 3 && day != NULL) {
				*day = p;
				return S3_LEVEL_DATE;
			}
			if (dates == 3 || n != (size_t)datelen[dates] ||
			    !s3_list_digits(p, n))
				return S3_LEVEL_NONE;
			dates++;
			break;
		}
		p = e + 1;
	}
	if (!found)
		return S3_LEVEL_NONE;
	switch (step) {
	case 1:
		return S3_LEVEL_ROOT;
	case 2:
		return S3_LEVEL_ORG;
	case 3:
		return S3_LEVEL_ACCOUNT;
	case 4:
		return S3_LEVEL_SERVICE;
	default:
		return dates == 0 ? S3_LEVEL_REGION : S3_LEVEL_DATE;
	}
}

/* "YYYYMMDDTHHMMZ" or "YYYYMMDDTHHMMSSZ" as milliseconds: 0, or -1. */
static int
s3_list_stamp(const char *s, size_t n, int64_t *ms)
{
	char	 rfc[EVENTTIME_BUFSIZE];

	if ((n != 14 && n != 16) || !s3_list_digits(s, 8) || s[8] != 'T' ||
	    !s3_list_digits(s + 9, n - 10) || s[n - 1] != 'Z')
		return -1;
	memcpy(rfc, "YYYY-MM-DDTHH:MM:00Z", 21);
	memcpy(rfc, s, 4);
	memcpy(rfc + 5, s + 4, 2);
	memcpy(rfc + 8, s + 6, 2);
	memcpy(rfc + 11, s + 9, 2);
	memcpy(rfc + 14, s + 11, 2);
	if (n == 16)
		memcpy(rfc + 17, s + 13, 2);
	return eventtime_parse(rfc, 20, ms);
}

/*
 * The delivery time in a CloudTrail file name (the last path component):
 * the first '_'-separated field that is a time stamp.  0, or -1 if none.
 */
int
s3_list_key_time(const char *key, int64_t *ms)
{
	const char	*p, *e;

	if ((p = strrchr(key, '/')) != NULL)
		p++;
	else
		p = key;
	for (;;) {
		if ((e = strchr(p, '_')) == NULL)
			e = p + strcspn(p, ".");
		if (s3_list_stamp(p, (size_t)(e - p), ms) == 0)
			return 0;
		if (*e != '_')
			return -1;
		p = e + 1;
	}
}

static int64_t
s3_list_fdiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/*
 * The window of files and day prefixes that can hold the events of
 * [since, until) (0: unbounded), given the time now.
 */
void
s3_list_window(int64_t since, int64_t until, int64_t now,
    struct s3_window *w)
{
	memset(w, 0, sizeof *w);
	w->lo_ms = since != 0 ? since - S3_LIST_EARLY_MS : INT64_MIN;
	w->hi_ms = until != 0 ? until + S3_LIST_LATE_MS : INT64_MAX;
	if (since != 0) {
		w->has_first = 1;
		w->first_day = s3_list_fdiv(w->lo_ms, S3_LIST_DAY_MS);
	}
	if (until != 0) {
		w->has_last = 1;
		w->last_day = s3_list_fdiv(w->hi_ms - 1, S3_LIST_DAY_MS);
	} else if (since != 0) {
		/* Nothing is delivered in the future. */
		w->has_last = 1;
		w->last_day = s3_list_fdiv(now + S3_LIST_LATE_MS,
		    S3_LIST_DAY_MS);
	}
	w->days = w->has_first && w->has_last &&
	    w->last_day - w->first_day < S3_LIST_DAYS_MAX;
}

/* Whether a key can hold events of the window (yes if it has no time). */
int
s3_list_key_in_window(const char *key, const struct s3_window *w)
{
	int64_t	 t;

	if (s3_list_key_time(key, &t) == -1)
		return 1;
	return t >= w->lo_ms && t < w->hi_ms;
}

/* A day (days since the epoch) as a key component, "YYYY/MM/DD/". */
void
s3_list_day(int64_t day, char out[S3_LIST_DAY_LEN + 1])
{
	char	 t[EVENTTIME_BUFSIZE];

	eventtime_format(day * S3_LIST_DAY_MS, t, sizeof t);
	memcpy(out, "YYYY/MM/DD/", S3_LIST_DAY_LEN + 1);
	if (strlen(t) >= 10 && t[4] == '-') {
		memcpy(out, t, 4);
		memcpy(out + 5, t + 5, 2);
		memcpy(out + 8, t + 8, 2);
	}
}
