/* SPDX-License-Identifier: ISC */
/*
 * Time values for the filter and output stages: CloudTrail's eventTime,
 * the bounds users give to --since and --until, and the times printed in
 * findings.  Every conversion is done here on the proleptic Gregorian
 * calendar in milliseconds since 1970-01-01T00:00:00Z, so nothing depends
 * on the C library's time zone, locale or timegm().
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventtime.h"
#include "xmalloc.h"

#define EVENTTIME_MS_SEC	INT64_C(1000)
#define EVENTTIME_MS_MIN	(60 * EVENTTIME_MS_SEC)
#define EVENTTIME_MS_HOUR	(60 * EVENTTIME_MS_MIN)
#define EVENTTIME_MS_DAY	(24 * EVENTTIME_MS_HOUR)
#define EVENTTIME_MS_WEEK	(7 * EVENTTIME_MS_DAY)
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: RFC 3339's years. */
#define EVENTTIME_MIN		INT64_C(-62167219200000)
#define EVENTTIME_MAX		INT64_C(253402300799999)

#define EVENTTIME_ARG_MAX	64	/* bytes of a bad argument echoed */

static int64_t	 eventtime_fdiv(int64_t, int64_t);
static int	 eventtime_leap(int64_t);
static int	 eventtime_mdays(int64_t, int);
static int64_t	 eventtime_days(int64_t, int, int);
static void	 eventtime_civil(int64_t, int64_t *, int *, int *);
static int	 eventtime_num(const char *, size_t, int *);
static const char *eventtime_scan(const char *, size_t, int, int64_t *);
static int	 eventtime_age(const char *, size_t, int64_t, int64_t *,
		    char **);
static char	*eventtime_quote(const char *);

/* Days before each month in a common year. */
static const int eventtime_before[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
};

/* Division rounding towards minus infinity (b > 0). */
static int64_t
eventtime_fdiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int
eventtime_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
eventtime_mdays(int64_t y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return mdays[m - 1] + (m == 2 && eventtime_leap(y));
}

/*
 * Days from 1970-01-01 to y-m-d.  Leap days before year y are counted as
 * the leap years in [1, y-1] (a closed form with floor division, so it
 * also holds for years before 1), less those before 1970.
 */
static int64_t
eventtime_days(int64_t y, int m, int d)
{
	int64_t	 leaps;

	leaps = eventtime_fdiv(y - 1, 4) - eventtime_fdiv(y - 1, 100) +
	    eventtime_fdiv(y - 1, 400);
	leaps -= 1969 / 4 - 1969 / 100 + 1969 / 400;
	return 365 * (y - 1970) + leaps + eventtime_before[m - 1] +
	    (m > 2 && eventtime_leap(y)) + d - 1;
}

/*
 * The date of a day number: estimate the year from the mean Gregorian
 * year (146097 days in 400 years), correct it by at most a step or two,
 * then find the month.
 */
static void
eventtime_civil(int64_t days, int64_t *yp, int *mp, int *dp)
{
	int64_t	 y, doy;
	int	 m;

	y = 1970 + eventtime_fdiv(days * 400, 146097);
	while (eventtime_days(y, 1, 1) > days)
		y--;
	while (eventtime_days(y + 1, 1, 1) <= days)
		y++;
	doy = days - eventtime_days(y, 1, 1);
	for (m = 1; m < 12 && doy >= eventtime_mdays(y, m); m++)
		doy -= eventtime_mdays(y, m);
	*yp = y;
	*mp = m;
	*dp = (int)doy + 1;
}

/* Exactly n ASCII digits as a number: 0, or -1. */
static int
eventtime_num(const char *s, size_t n, int *vp)
{
	int	 v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	*vp = v;
	return 0;
}

/*
 * Parse an RFC 3339 date-time, or with date_ok also a bare full-date
 * (midnight UTC).  The separator may be 'T', 't' or a space (RFC 3339
 * 5.6 allows the space for readability); the zone is 'Z', 'z' or +-HH:MM
 * and is required.  Fractions of any length are truncated to
 * milliseconds; a leap second (:60) reads as the next second.  Returns
 * NULL, or a static reason.
 */
static const char *
eventtime_scan(const char *s, size_t len, int date_ok, int64_t *tp)
{
	int	 y, mo, d, h, mi, sec, ms = 0, oh, om, digits, sign;
	size_t	 i;
	int64_t	 t;

	if (len < 10 || eventtime_num(s, 4, &y) == -1 || s[4] != '-' ||
	    eventtime_num(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    eventtime_num(s + 8, 2, &d) == -1)
		return "not a date (want YYYY-MM-DD)";
	if (mo < 1 || mo > 12)
		return "month out of range";
	if (d < 1 || d > eventtime_mdays(y, mo))
		return "day out of range";
	t = eventtime_days(y, mo, d) * EVENTTIME_MS_DAY;
	if (len == 10) {
		if (!date_ok)
			return "missing time of day";
		*tp = t;
		return NULL;
	}
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return "expected 'T' after the date";
	if (len < 19 || eventtime_num(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    eventtime_num(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    eventtime_num(s + 17, 2, &sec) == -1)
		return "bad time of day (want HH:MM:SS)";
	if (h > 23 || mi > 59 || sec > 60)
		return "time of day out of range";
	t += h * EVENTTIME_MS_HOUR + mi * EVENTTIME_MS_MIN +
	    sec * EVENTTIME_MS_SEC;

	i = 19;
	if (i < len && s[i] == '.') {
		for (i++, digits = 0; i < len && s[i] >= '0' && s[i] <= '9';
		    i++, digits++) {
			if (digits < 3)
				ms = ms * 10 + (s[i] - '0');
		}
		if (digits == 0)
			return "missing digits after '.'";
		for (; digits < 3; digits++)
			ms *= 10;
		t += ms;
	}

	if (i == len)
		return "missing time zone (add Z for UTC)";
	if (s[i] == 'Z' || s[i] == 'z')
		i++;
	else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '-' ? -1 : 1;
		if (len - i < 6 || eventtime_num(s + i + 1, 2, &oh) == -1 ||
		    s[i + 3] != ':' || eventtime_num(s + i + 4, 2, &om) == -1)
			return "bad time zone offset (want Z or +HH:MM)";
		if (oh > 23 || om > 59)
			return "time zone offset out of range";
		/* Local time is ahead of UTC by a positive offset. */
		t -= sign * (oh * EVENTTIME_MS_HOUR + om * EVENTTIME_MS_MIN);
		i += 6;
	} else
		return "bad time zone (want Z or +HH:MM)";
	if (i != len)
		return "trailing characters after the time";
	/*
	 * An offset or a leap second can carry the instant out of the four
	 * digit years, where eventtime_format() would write what no parser
	 * reads back.
	 */
	if (t < EVENTTIME_MIN || t > EVENTTIME_MAX)
		return "before year 0000 or after year 9999 in UTC";
	*tp = t;
	return NULL;
}

/* Parse an RFC 3339 date-time of len bytes into milliseconds since 1970. */
int
eventtime_parse(const char *s, size_t len, int64_t *tp)
{
	return eventtime_scan(s, len, 0, tp) == NULL ? 0 : -1;
}

/* A printable, shortened copy of a user's argument for a message. */
static char *
eventtime_quote(const char *s)
{
	char	 out[EVENTTIME_ARG_MAX + 4];
	size_t	 i;

	for (i = 0; s[i] != '\0' && i < EVENTTIME_ARG_MAX; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			out[i] = '?';
		else
			out[i] = s[i];
	}
	out[i] = '\0';
	if (s[i] != '\0')
		memcpy(out + i, "...", 4);
	return xstrdup(out);
}

/*
 * An age before now: digits and one unit of s, m, h, d or w.  Returns 1
 * with *tp set, 0 if s does not look like an age, -1 with *cause.
 */
static int
eventtime_age(const char *s, size_t len, int64_t now, int64_t *tp,
    char **cause)
{
	int64_t	 n = 0, unit, age;
	size_t	 i;
	char	*q;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (n > (INT64_MAX - 9) / 10) {
			q = eventtime_quote(s);
			xasprintf(cause, "bad time \"%s\": age too large", q);
			free(q);
			return -1;
		}
		n = n * 10 + (s[i] - '0');
	}
	/* Anything but digits and at most one letter is for the parser. */
	if (i == 0 || len - i > 1 || (i < len && (s[i] < 'A' ||
	    (s[i] > 'Z' && s[i] < 'a') || s[i] > 'z')))
		return 0;
	q = eventtime_quote(s);
	if (i == len) {
		xasprintf(cause, "bad time \"%s\": missing unit "
		    "(s, m, h, d or w)", q);
		free(q);
		return -1;
	}
	switch (s[i]) {
	case 's':
		unit = EVENTTIME_MS_SEC;
		break;
	case 'm':
		unit = EVENTTIME_MS_MIN;
		break;
	case 'h':
		unit = EVENTTIME_MS_HOUR;
		break;
	case 'd':
		unit = EVENTTIME_MS_DAY;
		break;
	case 'w':
		unit = EVENTTIME_MS_WEEK;
		break;
	default:
		xasprintf(cause, "bad time \"%s\": unknown unit '%c' "
		    "(s, m, h, d or w)", q, s[i]);
		free(q);
		return -1;
	}
	/* now - age must not pass INT64_MIN. */
	if (n > INT64_MAX / unit || now < INT64_MIN + (age = n * unit)) {
		xasprintf(cause, "bad time \"%s\": age too large", q);
		free(q);
		return -1;
	}
	free(q);
	*tp = now - age;
	return 1;
}

/*
 * Read a --since or --until bound: an RFC 3339 date-time, a date
 * (midnight UTC), or an age before now ("30s", "30m", "24h", "7d", "2w").
 */
int
eventtime_bound(const char *s, int64_t now, int64_t *tp, char **cause)
{
	const char	*why;
	char		*q;
	size_t		 len = strlen(s);
	int		 rv;

	if (len == 0) {
		*cause = xstrdup("empty time");
		return -1;
	}
	if ((rv = eventtime_age(s, len, now, tp, cause)) != 0)
		return rv == 1 ? 0 : -1;
	if ((why = eventtime_scan(s, len, 1, tp)) != NULL) {
		q = eventtime_quote(s);
		xasprintf(cause, "bad time \"%s\": %s; use RFC 3339 "
		    "(2026-11-01T10:22:31Z), a date (2026-11-01) or an age "
		    "(30m, 24h, 7d, 2w)", q, why);
		free(q);
		return -1;
	}
	return 0;
}

/*
 * Format t as "2026-11-01T10:22:31Z", with ".123" before the Z when the
 * milliseconds are not zero; EVENTTIME_BUFSIZE bytes are always enough.
 */
void
eventtime_format(int64_t t, char *buf, size_t size)
{
	int64_t	 days, rem, y;
	int	 m, d, ms;

	days = t / EVENTTIME_MS_DAY;
	rem = t % EVENTTIME_MS_DAY;
	if (rem < 0) {
		rem += EVENTTIME_MS_DAY;
		days--;
	}
	eventtime_civil(days, &y, &m, &d);
	ms = (int)(rem % EVENTTIME_MS_SEC);
	rem /= EVENTTIME_MS_SEC;
	if (ms != 0)
		snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    (long long)y, m, d, (int)(rem / 3600),
		    (int)(rem / 60 % 60), (int)(rem % 60), ms);
	else
		snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
		    (long long)y, m, d, (int)(rem / 3600),
		    (int)(rem / 60 % 60), (int)(rem % 60));
}
