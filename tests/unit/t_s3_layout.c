/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for s3_list.c: how far a prefix reaches into CloudTrail's
 * layout, the delivery time in a file name, and the day prefixes and
 * file filter of a time window.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eventtime.h"
#include "compat.h"
#include "s3.h"

static const struct {
	const char	*prefix;
	enum s3_level	 want;
} levels[] = {
	{ "",						S3_LEVEL_NONE },
	{ "logs",					S3_LEVEL_NONE },
	{ "AWSLogs",					S3_LEVEL_ROOT },
	{ "AWSLogs/",					S3_LEVEL_ROOT },
	{ "trail/AWSLogs/",				S3_LEVEL_ROOT },
	{ "a/b/AWSLogs",				S3_LEVEL_ROOT },
	{ "AWSLogsX/",					S3_LEVEL_NONE },
	{ "awslogs/",					S3_LEVEL_NONE },
	{ "AWSLogs/o-exampleorgid/",			S3_LEVEL_ORG },
	{ "AWSLogs/o-a/",				S3_LEVEL_ORG },
	{ "AWSLogs/o-abc123/",				S3_LEVEL_ORG },
	{ "AWSLogs/o-/",				S3_LEVEL_NONE },
	{ "AWSLogs/o-EXAMPLEORGID/",			S3_LEVEL_NONE },
	{ "AWSLogs/111122223333",			S3_LEVEL_ACCOUNT },
	{ "AWSLogs/o-exampleorgid/111122223333/",	S3_LEVEL_ACCOUNT },
	{ "AWSLogs/11112222333/",			S3_LEVEL_NONE },
	{ "AWSLogs/o-exampleorgid/o-exampleorgid/",	S3_LEVEL_NONE },
	{ "AWSLogs/111122223333/CloudTrail/",		S3_LEVEL_SERVICE },
	{ "AWSLogs/111122223333/CloudTrail-Digest",	S3_LEVEL_SERVICE },
	{ "AWSLogs/111122223333/CloudTrail-Insight/",	S3_LEVEL_SERVICE },
	{ "AWSLogs/111122223333/Config/",		S3_LEVEL_NONE },
	{ "AWSLogs/111122223333/GuardDuty/",		S3_LEVEL_SERVICE },
	{ "AWSLogs/111122223333/GuardDuty/us-east-1/2024/03/01/",
	  S3_LEVEL_DATE },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/",	S3_LEVEL_REGION },
	{ "AWSLogs/111122223333/CloudTrail/US_EAST/",	S3_LEVEL_NONE },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024",	S3_LEVEL_DATE },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/",	S3_LEVEL_DATE },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/",
	  S3_LEVEL_DATE },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/3/",	S3_LEVEL_NONE },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/x.json.gz",
	  S3_LEVEL_NONE },
	{ "AWSLogs//111122223333/",			S3_LEVEL_NONE },
};

/* Key, and its delivery time in RFC 3339, or NULL if it has none. */
static const struct {
	const char	*key;
	const char	*want;
} times[] = {
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/"
	  "111122223333_CloudTrail_us-east-1_20240312T0300Z_9HAdYzc6ecM29HfS"
	  ".json.gz", "2024-03-12T03:00:00Z" },
	{ "111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_"
	  "20240312T031457Z.json.gz", "2024-03-12T03:14:57Z" },
	{ "x/111122223333_CloudTrail-Insight_us-east-1_20240312T0305Z_mku"
	  ".json.gz", "2024-03-12T03:05:00Z" },
	{ "20241231T2359Z.json", "2024-12-31T23:59:00Z" },
	{ "a_20240230T0000Z_b.json.gz", NULL },		/* no such day */
	{ "a_20240312T2400Z_b.json.gz", NULL },
	{ "a_20240312T0300_b.json.gz", NULL },
	{ "a_2024031T0300Z_b.json.gz", NULL },
	{ "20240312T0300Z/file.json", NULL },	/* only the name counts */
	{ "", NULL },
	{ "_", NULL },
};

/* A window: since, until, now; days or not, first and last day. */
static const struct {
	const char	*since, *until, *now;
	int		 days;
	const char	*first, *last;
	const char	*in, *out;	/* a key time inside, one outside */
} windows[] = {
	/* One day: the day before (an hour of skew) and the day after. */
	{ "2024-03-12T00:00:00Z", "2024-03-13T00:00:00Z",
	  "2025-01-01T00:00:00Z", 1, "2024/03/11/", "2024/03/13/",
	  "20240313T2359Z", "20240314T0000Z" },
	{ "2024-03-12T06:00:00Z", "2024-03-12T07:00:00Z",
	  "2025-01-01T00:00:00Z", 1, "2024/03/12/", "2024/03/13/",
	  "20240312T0500Z", "20240312T0459Z" },
	/* Since only: up to a day after now. */
	{ "2024-12-31T12:00:00Z", NULL, "2025-01-01T00:00:00Z", 1,
	  "2024/12/31/", "2025/01/02/", "20991231T0000Z", "20241231T1059Z" },
	/* Until only: the whole region, from its start. */
	{ NULL, "2024-03-01T00:00:00Z", "2025-01-01T00:00:00Z", 0,
	  NULL, "2024/03/01/", "19700101T0000Z", "20240302T0000Z" },
	/* Over S3_LIST_DAYS_MAX days: the whole region, bounded. */
	{ "2020-01-01T00:00:00Z", "2024-01-01T00:00:00Z",
	  "2025-01-01T00:00:00Z", 0, "2019/12/31/", "2024/01/01/",
	  "20200101T0000Z", "20240102T0000Z" },
	/* Leap day. */
	{ "2024-02-29T00:30:00Z", "2024-02-29T01:00:00Z",
	  "2025-01-01T00:00:00Z", 1, "2024/02/28/", "2024/03/01/",
	  "20240229T0000Z", "20240301T0100Z" },
};

/* s3_list_day_prefix(): the day directory a key lies in, by length. */
static const struct {
	const char	*key;
	size_t		 want;
} dayprefixes[] = {
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/"
	  "111122223333_CloudTrail_us-east-1_20240312T0310Z_k.json.gz", 53 },
	{ "pfx/AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/"
	  "2024/03/12/x.json.gz", 73 },
	{ "/data/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/a/b",
	  59 },
	/* A day prefix itself, a month, no layout, a bad date. */
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/", 0 },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/x.json.gz", 0 },
	{ "logs/2024/03/12/x.json.gz", 0 },
	{ "AWSLogs/111122223333/CloudTrail/us-east-1/2024/3/12/x.json.gz", 0 },
	{ "", 0 },
};

static int
test_dayprefixes(void)
{
	size_t	 i, got;
	int	 failed = 0;

	for (i = 0; i < nitems(dayprefixes); i++) {
		got = s3_list_day_prefix(dayprefixes[i].key);
		if (got != dayprefixes[i].want) {
			fprintf(stderr, "day prefix '%s': got %zu, want %zu\n",
			    dayprefixes[i].key, got, dayprefixes[i].want);
			failed = 1;
		}
	}
	return failed;
}

static int64_t
t_ms(const char *s)
{
	int64_t	 t;

	if (s == NULL)
		return 0;
	if (eventtime_parse(s, strlen(s), &t) == -1) {
		fprintf(stderr, "bad time in test: %s\n", s);
		return 0;
	}
	return t;
}

static int
test_levels(void)
{
	size_t	 i;
	int	 got, failed = 0;

	for (i = 0; i < nitems(levels); i++) {
		got = (int)s3_list_level(levels[i].prefix);
		if (got != (int)levels[i].want) {
			fprintf(stderr, "level '%s': got %d, want %d\n",
			    levels[i].prefix, got, (int)levels[i].want);
			failed = 1;
		}
	}
	return failed;
}

static int
test_times(void)
{
	char	 got[EVENTTIME_BUFSIZE];
	int64_t	 t;
	size_t	 i;
	int	 failed = 0;

	for (i = 0; i < nitems(times); i++) {
		if (s3_list_key_time(times[i].key, &t) == -1)
			snprintf(got, sizeof got, "(none)");
		else
			eventtime_format(t, got, sizeof got);
		if (strcmp(got, times[i].want ? times[i].want : "(none)") !=
		    0) {
			fprintf(stderr, "time '%s': got %s, want %s\n",
			    times[i].key, got,
			    times[i].want ? times[i].want : "(none)");
			failed = 1;
		}
	}
	return failed;
}

static int
test_windows(void)
{
	struct s3_window	 w;
	char			 first[S3_LIST_DAY_LEN + 1];
	char			 last[S3_LIST_DAY_LEN + 1], key[64];
	size_t			 i;
	int			 failed = 0;

	for (i = 0; i < nitems(windows); i++) {
		s3_list_window(t_ms(windows[i].since), t_ms(windows[i].until),
		    t_ms(windows[i].now), &w);
		s3_list_day(w.first_day, first);
		s3_list_day(w.last_day, last);
		if (w.days != windows[i].days ||
		    w.has_first != (windows[i].first != NULL) ||
		    (w.has_first && strcmp(first, windows[i].first) != 0) ||
		    !w.has_last || strcmp(last, windows[i].last) != 0) {
			fprintf(stderr, "window %zu: days %d, first %s, "
			    "last %s\n", i, w.days, w.has_first ? first : "-",
			    w.has_last ? last : "-");
			failed = 1;
		}
		snprintf(key, sizeof key, "a/1_CloudTrail_r_%s_u.json.gz",
		    windows[i].in);
		if (!s3_list_key_in_window(key, &w)) {
			fprintf(stderr, "window %zu: %s left out\n", i, key);
			failed = 1;
		}
		snprintf(key, sizeof key, "a/1_CloudTrail_r_%s_u.json.gz",
		    windows[i].out);
		if (s3_list_key_in_window(key, &w)) {
			fprintf(stderr, "window %zu: %s let in\n", i, key);
			failed = 1;
		}
		if (!s3_list_key_in_window("a/no-time.json", &w)) {
			fprintf(stderr, "window %zu: untimed key left out\n",
			    i);
			failed = 1;
		}
	}
	return failed;
}

int
main(void)
{
	int	 failed = 0;

	failed |= test_levels();
	failed |= test_dayprefixes();
	failed |= test_times();
	failed |= test_windows();
	return failed;
}
