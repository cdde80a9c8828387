/* SPDX-License-Identifier: ISC */
/*
 * The pure parts of the S3 reader, kept apart from its I/O so that they
 * are cheap to test: s3_xml.c parses ListObjectsV2 pages with expat
 * (aws_error.c the error documents), and s3_list.c knows CloudTrail's key layout,
 * AWSLogs/[o-xxxx/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, the time stamp
 * in a log file's name, and which day prefixes a time window needs.
 */
#ifndef S3_H
#define S3_H

#include <stddef.h>
#include <stdint.h>

#define S3_KEY_MAX		1024	/* S3's longest key, in bytes */
#define S3_XML_TEXT_MAX		4096	/* one element's text */
#define S3_XML_ENTRIES_MAX	10000	/* keys and prefixes in a page */
#define S3_XML_DEPTH_MAX	16	/* element nesting */

/* One entry of a ListObjectsV2 page. */
struct s3_object {
	char		*key;
	uint64_t	 size;
	char		*etag;		/* as sent, quotes included; or NULL */
};

/* A ListObjectsV2 page; s3_page_clear() frees what it holds. */
struct s3_page {
	struct s3_object *objects;
	size_t		  nobjects;
	char		**prefixes;	/* CommonPrefixes, with delimiter */
	size_t		  nprefixes;
	int		  truncated;	/* IsTruncated */
	char		 *next_token;	/* NextContinuationToken, or NULL */
};

int	 s3_xml_page(const char *, size_t, struct s3_page *, char **cause);
void	 s3_page_clear(struct s3_page *);

/*
 * How far into the CloudTrail layout a prefix reaches.  Every level but
 * S3_LEVEL_NONE means the prefix ends at a directory of the layout.
 */
enum s3_level {
	S3_LEVEL_NONE,		/* not the layout: list it recursively */
	S3_LEVEL_ROOT,		/* .../AWSLogs/ */
	S3_LEVEL_ORG,		/* .../AWSLogs/o-xxxx/ */
	S3_LEVEL_ACCOUNT,	/* ...ACCOUNT/ */
	S3_LEVEL_SERVICE,	/* ...ACCOUNT/CloudTrail/ */
	S3_LEVEL_REGION,	/* ...CloudTrail/REGION/ */
	S3_LEVEL_DATE,		/* ...REGION/YYYY/[MM/[DD/]] */
};

/*
 * A time window over log files.  A file whose name says it was delivered
 * at t (to the minute) can hold events of [since, until) only if
 * lo_ms <= t < hi_ms: delivery follows the event, by up to a day of
 * slack.  With days set, first_day..last_day (days since the epoch) are
 * the day prefixes to list; otherwise a region is listed whole, from its
 * first day (if since is known) and up to its last (if until is).
 */
#define S3_LIST_EARLY_MS	(60 * 60 * 1000LL)	/* clock skew */
#define S3_LIST_LATE_MS		(24 * 60 * 60 * 1000LL)	/* late delivery */
#define S3_LIST_DAYS_MAX	1000	/* more days: list regions whole */
#define S3_LIST_DAY_LEN		11	/* "YYYY/MM/DD/" */

struct s3_window {
	int64_t		 lo_ms, hi_ms;	/* INT64_MIN, INT64_MAX: none */
	int64_t		 first_day, last_day;
	int		 has_first, has_last;
	int		 days;		/* list day prefixes */
};

enum s3_level	 s3_list_level(const char *prefix);
size_t		 s3_list_day_prefix(const char *key);
int		 s3_list_is_account(const char *, size_t);
int		 s3_list_is_org(const char *, size_t);
int		 s3_list_key_time(const char *key, int64_t *ms);
void		 s3_list_window(int64_t since_ms, int64_t until_ms,
		    int64_t now_ms, struct s3_window *);
int		 s3_list_key_in_window(const char *key,
		    const struct s3_window *);
void		 s3_list_day(int64_t day, char [S3_LIST_DAY_LEN + 1]);

#endif
