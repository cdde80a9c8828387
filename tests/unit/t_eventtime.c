/* SPDX-License-Identifier: ISC */
/*
 * eventtime: RFC 3339 parsing (leap years, offsets, fractions, bad
 * input), --since/--until bounds with their messages, formatting, and a
 * walk over every day of years 0000 to 9999 against a naive calendar.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventtime.h"

#define NOW	INT64_C(1793528551000)	/* 2026-11-01T10:22:31Z */

static const struct {
	const char	*in;
	int		 rv;
	int64_t		 want;
} parse_cases[] = {
	{ "1970-01-01T00:00:00Z",	 0, 0 },
	{ "2026-11-01T10:22:31Z",	 0, INT64_C(1793528551000) },
	{ "2026-11-01t10:22:31z",	 0, INT64_C(1793528551000) },
	{ "2026-11-01 10:22:31Z",	 0, INT64_C(1793528551000) },
	{ "2013-11-01T00:00:00Z",	 0, INT64_C(1383264000000) },
	{ "1969-12-31T23:59:59Z",	 0, -1000 },
	{ "0000-01-01T00:00:00Z",	 0, INT64_C(-62167219200000) },
	{ "0001-01-01T00:00:00Z",	 0, INT64_C(-62135596800000) },
	{ "9999-12-31T23:59:59.999Z",	 0, INT64_C(253402300799999) },
	/* Offsets and leap seconds past the four-digit years (fuzz_time). */
	{ "0000-01-01T00:00:00+00:01",	-1, 0 },
	{ "0000-01-01T00:59:00+01:00",	-1, 0 },
	{ "0000-01-01T00:00:00-00:01",	 0, INT64_C(-62167219140000) },
	{ "9999-12-31T23:59:59-23:59",	-1, 0 },
	{ "9999-12-31T23:59:60Z",	-1, 0 },
	{ "9999-12-31T23:59:59+00:01",	 0, INT64_C(253402300739000) },
	/* Leap years: every 4th, not every 100th, but every 400th. */
	{ "2000-02-29T23:59:59.999Z",	 0, INT64_C(951868799999) },
	{ "2024-02-29T12:00:00+05:30",	 0, INT64_C(1709188200000) },
	{ "2100-03-01T00:00:00Z",	 0, INT64_C(4107542400000) },
	{ "1900-02-28T00:00:00Z",	 0, INT64_C(-2203977600000) },
	{ "1900-02-29T00:00:00Z",	-1, 0 },
	{ "2100-02-29T00:00:00Z",	-1, 0 },
	{ "2023-02-29T00:00:00Z",	-1, 0 },
	{ "2023-04-31T00:00:00Z",	-1, 0 },
	/* Offsets move the instant, not the label. */
	{ "2026-11-01T11:22:31+01:00",	 0, INT64_C(1793528551000) },
	{ "2026-11-01T05:52:31-04:30",	 0, INT64_C(1793528551000) },
	{ "2026-11-01T10:22:31-00:00",	 0, INT64_C(1793528551000) },
	{ "2026-11-02T00:22:31+14:00",	 0, INT64_C(1793528551000) },
	{ "2026-11-01T10:22:31+24:00",	-1, 0 },
	{ "2026-11-01T10:22:31+01:60",	-1, 0 },
	{ "2026-11-01T10:22:31+0100",	-1, 0 },
	{ "2026-11-01T10:22:31+01",	-1, 0 },
	/* Fractions of any length, truncated to milliseconds. */
	{ "2026-11-01T10:22:31.5Z",	 0, INT64_C(1793528551500) },
	{ "2026-11-01T10:22:31.05Z",	 0, INT64_C(1793528551050) },
	{ "2026-11-01T10:22:31.123Z",	 0, INT64_C(1793528551123) },
	{ "2026-11-01T10:22:31.123999999999999999Z", 0,
	    INT64_C(1793528551123) },
	{ "1969-12-31T23:59:59.999Z",	 0, -1 },
	{ "2026-11-01T10:22:31.Z",	-1, 0 },
	{ "2026-11-01T10:22:31,5Z",	-1, 0 },
	/* A leap second reads as the first second of the next minute. */
	{ "2016-12-31T23:59:60Z",	 0, INT64_C(1483228800000) },
	{ "2026-11-01T10:22:61Z",	-1, 0 },
	{ "2026-11-01T24:00:00Z",	-1, 0 },
	{ "2026-11-01T10:60:00Z",	-1, 0 },
	/* Bad input. */
	{ "",				-1, 0 },
	{ "2026-11-01",			-1, 0 },
	{ "2026-11-01T10:22:31",	-1, 0 },
	{ "2026-11-01T10:22Z",		-1, 0 },
	{ "2026-11-01T10:22:31ZZ",	-1, 0 },
	{ "2026-11-01T10:22:31Z ",	-1, 0 },
	{ " 2026-11-01T10:22:31Z",	-1, 0 },
	{ "2026-1-01T10:22:31Z",	-1, 0 },
	{ "26-11-01T10:22:31Z",		-1, 0 },
	{ "+2026-11-01T10:22:31Z",	-1, 0 },
	{ "2026-00-01T10:22:31Z",	-1, 0 },
	{ "2026-13-01T10:22:31Z",	-1, 0 },
	{ "2026-11-00T10:22:31Z",	-1, 0 },
	{ "2026-11-01X10:22:31Z",	-1, 0 },
	{ "2026-11-01T1a:22:31Z",	-1, 0 },
	{ "ThisIsAWrongEventTime",	-1, 0 },
	{ "\xff\xfe",			-1, 0 },
};

static const struct {
	const char	*in;
	int		 rv;
	int64_t		 want;
	const char	*cause;
} bound_cases[] = {
	{ "30s",	0, NOW - 30 * 1000, NULL },
	{ "30m",	0, NOW - 30 * 60 * 1000, NULL },
	{ "24h",	0, NOW - 24 * 3600 * 1000, NULL },
	{ "7d",		0, NOW - INT64_C(7) * 86400 * 1000, NULL },
	{ "2w",		0, NOW - INT64_C(14) * 86400 * 1000, NULL },
	{ "0d",		0, NOW, NULL },
	{ "007m",	0, NOW - 7 * 60 * 1000, NULL },
	{ "2026-11-01",	0, INT64_C(1793491200000), NULL },
	{ "2024-02-29",	0, INT64_C(1709164800000), NULL },
	{ "2026-11-01T10:22:31Z", 0, NOW, NULL },
	{ "2026-11-01 11:22:31.250+01:00", 0, NOW + 250, NULL },
	{ "", -1, 0, "empty time" },
	{ "0000-01-01T00:00:00+01:00", -1, 0, "bad time "
	    "\"0000-01-01T00:00:00+01:00\": before year 0000 or after year "
	    "9999 in UTC; use RFC 3339 (2026-11-01T10:22:31Z), a date "
	    "(2026-11-01) or an age (30m, 24h, 7d, 2w)" },
	{ "7x", -1, 0, "bad time \"7x\": unknown unit 'x' (s, m, h, d or w)" },
	{ "7D", -1, 0, "bad time \"7D\": unknown unit 'D' (s, m, h, d or w)" },
	{ "30", -1, 0, "bad time \"30\": missing unit (s, m, h, d or w)" },
	{ "99999999999999999999d", -1, 0,
	    "bad time \"99999999999999999999d\": age too large" },
	{ "9999999999999999w", -1, 0,
	    "bad time \"9999999999999999w\": age too large" },
	{ "-7d", -1, 0, "bad time \"-7d\": not a date (want YYYY-MM-DD); "
	    "use RFC 3339 (2026-11-01T10:22:31Z), a date (2026-11-01) or an "
	    "age (30m, 24h, 7d, 2w)" },
	{ "7 days", -1, 0, "bad time \"7 days\": not a date (want "
	    "YYYY-MM-DD); use RFC 3339 (2026-11-01T10:22:31Z), a date "
	    "(2026-11-01) or an age (30m, 24h, 7d, 2w)" },
	{ "yesterday", -1, 0, "bad time \"yesterday\": not a date (want "
	    "YYYY-MM-DD); use RFC 3339 (2026-11-01T10:22:31Z), a date "
	    "(2026-11-01) or an age (30m, 24h, 7d, 2w)" },
	{ "2026-02-29", -1, 0, "bad time \"2026-02-29\": day out of range; "
	    "use RFC 3339 (2026-11-01T10:22:31Z), a date (2026-11-01) or an "
	    "age (30m, 24h, 7d, 2w)" },
	{ "2026-13-01", -1, 0, "bad time \"2026-13-01\": month out of "
	    "range; use RFC 3339 (2026-11-01T10:22:31Z), a date (2026-11-01) "
	    "or an age (30m, 24h, 7d, 2w)" },
	{ "2026-11-01T10:22:31", -1, 0, "bad time \"2026-11-01T10:22:31\": "
	    "missing time zone (add Z for UTC); use RFC 3339 "
	    "(2026-11-01T10:22:31Z), a date (2026-11-01) or an age (30m, "
	    "24h, 7d, 2w)" },
	{ "2026-11-01T10:22:31Z junk", -1, 0, "bad time "
	    "\"2026-11-01T10:22:31Z junk\": trailing characters after the "
	    "time; use RFC 3339 (2026-11-01T10:22:31Z), a date (2026-11-01) "
	    "or an age (30m, 24h, 7d, 2w)" },
	{ "2026-11-01T25:00:00Z", -1, 0, "bad time \"2026-11-01T25:00:00Z\": "
	    "time of day out of range; use RFC 3339 (2026-11-01T10:22:31Z), "
	    "a date (2026-11-01) or an age (30m, 24h, 7d, 2w)" },
	/* Control characters are not echoed to the terminal. */
	{ "\x1b[31m", -1, 0, "bad time \"?[31m\": not a date (want "
	    "YYYY-MM-DD); use RFC 3339 (2026-11-01T10:22:31Z), a date "
	    "(2026-11-01) or an age (30m, 24h, 7d, 2w)" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaa",
	    -1, 0, "bad time \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaa...\": not a date (want YYYY-MM-DD); use RFC "
	    "3339 (2026-11-01T10:22:31Z), a date (2026-11-01) or an age "
	    "(30m, 24h, 7d, 2w)" },
};

static const struct {
	int64_t		 t;
	const char	*want;
} format_cases[] = {
	{ 0,				"1970-01-01T00:00:00Z" },
	{ INT64_C(1793528551000),	"2026-11-01T10:22:31Z" },
	{ INT64_C(1793528551123),	"2026-11-01T10:22:31.123Z" },
	{ INT64_C(1793528551007),	"2026-11-01T10:22:31.007Z" },
	{ -1,				"1969-12-31T23:59:59.999Z" },
	{ -1000,			"1969-12-31T23:59:59Z" },
	{ INT64_C(951868799999),	"2000-02-29T23:59:59.999Z" },
	{ INT64_C(-62167219200000),	"0000-01-01T00:00:00Z" },
	{ INT64_C(253402300799999),	"9999-12-31T23:59:59.999Z" },
	{ INT64_C(253402300800000),	"10000-01-01T00:00:00Z" },
	/* The extremes must not overflow (the text is not RFC 3339). */
	{ INT64_MAX,		"292278994-08-17T07:12:55.807Z" },
	{ INT64_MIN,		"-292275055-05-16T16:47:04.192Z" },
};

static int
t_parse(void)
{
	size_t	 i;
	int64_t	 got;
	int	 rv, failed = 0;

	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		got = 0;
		rv = eventtime_parse(parse_cases[i].in,
		    strlen(parse_cases[i].in), &got);
		if (rv != parse_cases[i].rv ||
		    (rv == 0 && got != parse_cases[i].want)) {
			fprintf(stderr, "parse \"%s\": got %d %" PRId64
			    ", want %d %" PRId64 "\n", parse_cases[i].in, rv,
			    got, parse_cases[i].rv, parse_cases[i].want);
			failed = 1;
		}
	}

	/* Only len bytes are read: no NUL needed, none looked for. */
	if (eventtime_parse("2026-11-01T10:22:31Zjunk", 20, &got) != 0 ||
	    got != INT64_C(1793528551000)) {
		fprintf(stderr, "parse with a length: failed\n");
		failed = 1;
	}
	if (eventtime_parse("2026-11-01T10:22:31\0Z", 21, &got) != -1) {
		fprintf(stderr, "parse with an embedded NUL: accepted\n");
		failed = 1;
	}
	return failed;
}

static int
t_bound(void)
{
	size_t	 i;
	int64_t	 got;
	char	*cause;
	int	 rv, failed = 0;

	for (i = 0; i < sizeof bound_cases / sizeof bound_cases[0]; i++) {
		got = 0;
		cause = NULL;
		rv = eventtime_bound(bound_cases[i].in, NOW, &got, &cause);
		if (rv != bound_cases[i].rv ||
		    (rv == 0 && got != bound_cases[i].want) ||
		    (rv == -1 && (cause == NULL ||
		    strcmp(cause, bound_cases[i].cause) != 0))) {
			fprintf(stderr, "bound \"%s\": got %d %" PRId64
			    " \"%s\", want %d %" PRId64 " \"%s\"\n",
			    bound_cases[i].in, rv, got,
			    cause ? cause : "(null)", bound_cases[i].rv,
			    bound_cases[i].want, bound_cases[i].cause ?
			    bound_cases[i].cause : "(null)");
			failed = 1;
		}
		free(cause);
	}

	/* An age from a "now" near the bottom of the range is refused. */
	cause = NULL;
	if (eventtime_bound("1s", INT64_MIN + 999, &got, &cause) != -1) {
		fprintf(stderr, "bound underflow: accepted\n");
		failed = 1;
	}
	free(cause);
	return failed;
}

static int
t_format(void)
{
	char	 buf[EVENTTIME_BUFSIZE], small[8];
	size_t	 i;
	int	 failed = 0;

	for (i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
		eventtime_format(format_cases[i].t, buf, sizeof buf);
		if (strcmp(buf, format_cases[i].want) != 0) {
			fprintf(stderr, "format %" PRId64 ": got \"%s\", "
			    "want \"%s\"\n", format_cases[i].t, buf,
			    format_cases[i].want);
			failed = 1;
		}
	}
	eventtime_format(0, small, sizeof small);
	if (strcmp(small, "1970-01") != 0) {
		fprintf(stderr, "format truncation: got \"%s\"\n", small);
		failed = 1;
	}
	return failed;
}

/*
 * Every day from 0000-01-01 to 9999-12-31, counted one at a time with the
 * calendar rules written out longhand: parse and format must agree with
 * the count, at midnight and at the last millisecond of the day.
 */
static int
t_walk(void)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	char	 want[64], got[EVENTTIME_BUFSIZE];
	int64_t	 t, day = INT64_C(-62167219200000) / 86400000;
	int	 y, m, d, n, leap;

	for (y = 0; y <= 9999; y++) {
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (m = 1; m <= 12; m++) {
			n = mdays[m - 1] + (m == 2 && leap);
			for (d = 1; d <= n; d++, day++) {
				snprintf(want, sizeof want,
				    "%04d-%02d-%02dT23:59:59.999Z", y, m, d);
				if (eventtime_parse(want, strlen(want),
				    &t) == -1 ||
				    t != day * 86400000 + 86399999) {
					fprintf(stderr, "walk: parse %s\n",
					    want);
					return 1;
				}
				eventtime_format(day * 86400000 + 86399999,
				    got, sizeof got);
				if (strcmp(got, want) != 0) {
					fprintf(stderr, "walk: format %s, "
					    "want %s\n", got, want);
					return 1;
				}
				eventtime_format(day * 86400000, got,
				    sizeof got);
				if (strncmp(got, want, 10) != 0 ||
				    strcmp(got + 10, "T00:00:00Z") != 0) {
					fprintf(stderr, "walk: format %s\n",
					    got);
					return 1;
				}
			}
		}
	}
	if (day != 2932897) {	/* 10000 * 365.2425 days after year 0 */
		fprintf(stderr, "walk: ended at day %" PRId64 "\n", day);
		return 1;
	}
	return 0;
}

int
main(void)
{
	int	 failed = 0;

	failed |= t_parse();
	failed |= t_bound();
	failed |= t_format();
	failed |= t_walk();
	return failed;
}
