/* SPDX-License-Identifier: ISC */
/*
 * Tests of correlation rules: documents that must load or be rejected
 * with an exact message, and windows.  A window case is a set of rules,
 * records given in any order (only their time, fields and eventName
 * matter), optional caps, and the findings and diagnostics expected, one
 * line each.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "correlate.h"
#include "eventtime.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "record_int.h"
#include "rule.h"
#include "sigma.h"
#include "xmalloc.h"

/* Base rules A, B and C match eventName A, B and C. */
#define BASE(x) "title: rule " x "\nid: id-" x "\nname: " x "\n" \
		"logsource:\n  product: aws\n  service: cloudtrail\n" \
		"detection:\n  sel:\n    eventName: " x "\n" \
		"  condition: sel\n---\n"
#define BASES	BASE("A") BASE("B") BASE("C")
#define CORR(body) "title: c\nid: c\ncorrelation:\n" body

/* A record: time (HH:MM:SS on one day), eventName, then more members. */
#define REC(t, n, more) "{\"eventTime\":\"2024-03-12T" t "Z\"," \
		"\"eventName\":\"" n "\"" more "}"
#define K(v)	",\"k\":\"" v "\""

static const struct {
	const char	*yaml;
	const char	*want;		/* diagnostics */
	size_t		 loaded, rejected;
} load_cases[] = {
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2}\n"), "", 4, 0 },
	/* by id as well as by name, and a list of one as a string */
	{ BASES CORR("  type: event_count\n  rules: id-A\n  timespan: 5m\n"
	    "  condition: {gte: 2}\n"), "", 4, 0 },
	{ BASES CORR("  type: event_count\n  rules: [Z]\n  timespan: 5m\n"
	    "  condition: {gte: 2}\n"),
	    "ctaudit: t.yml:38: error: correlation rule 'c' refers to rule 'Z', "
	    "which is not loaded by this or an earlier -r\n", 3, 1 },
	{ BASES CORR("  type: value_median\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2, field: x}\n"),
	    "ctaudit: t.yml:37: error: correlation type 'value_median' is not "
	    "supported (see RULES in ctaudit(1))\n", 3, 1 },
	{ BASES CORR("  type: count\n  rules: [A]\n  timespan: 5m\n"),
	    "ctaudit: t.yml:37: error: unknown correlation type 'count' (want "
	    "event_count, value_count, temporal, temporal_ordered, value_sum "
	    "or value_avg)\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n"
	    "  condition: {gte: 2}\n"),
	    "ctaudit: t.yml:37: error: correlation has no timespan\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5M\n"
	    "  condition: {gte: 2}\n"),
	    "ctaudit: t.yml:39: error: bad timespan '5M' (want a number and "
	    "s, m, h, d or w, such as 90m)\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 400d\n"
	    "  condition: {gte: 2}\n"),
	    "ctaudit: t.yml:39: error: timespan '400d' is longer than 366 "
	    "days\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"),
	    "ctaudit: t.yml:37: error: a event_count correlation needs a "
	    "condition such as {gte: 5}\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2, field: x}\n"),
	    "ctaudit: t.yml:40: error: an event_count correlation takes no "
	    "field\n", 3, 1 },
	{ BASES CORR("  type: value_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2}\n"),
	    "ctaudit: t.yml:40: error: a value_count correlation needs a field "
	    "in its condition\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {more: 2}\n"),
	    "ctaudit: t.yml:40: error: unknown key 'more' in a correlation "
	    "condition (want gt, gte, lt, lte, eq, neq or field)\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2.5}\n"),
	    "ctaudit: t.yml:40: error: a count in a condition must be a whole "
	    "number\n", 3, 1 },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: '2'}\n"),
	    "ctaudit: t.yml:40: error: 'gte' must be a number\n", 3, 1 },
	{ BASES CORR("  type: temporal\n  rules: [A]\n  timespan: 5m\n"),
	    "ctaudit: t.yml:38: error: a temporal correlation needs at least "
	    "two rules\n", 3, 1 },
	{ BASES CORR("  type: temporal_ordered\n  rules: [A, B]\n"
	    "  timespan: 5m\n  condition: {gte: 1}\n"),
	    "ctaudit: t.yml:40: error: a temporal_ordered correlation matches "
	    "all its rules in order: its condition can only be {gte: 2}\n",
	    3, 1 },
	{ BASES CORR("  type: temporal\n  rules: [A, A]\n  timespan: 5m\n"),
	    "ctaudit: t.yml:38: error: rule 'A' is named twice\n", 3, 1 },
	{ BASES CORR("  type: temporal\n  rules: [A, id-A]\n"
	    "  timespan: 5m\n"),
	    "ctaudit: t.yml:38: error: correlation rule 'c' names rule 'id-A' "
	    "twice\n", 3, 1 },
	{ BASES CORR("  type: temporal\n  rules: [A, B]\n  timespan: 5m\n"
	    "  groupby: [x]\n"),
	    "ctaudit: t.yml:40: error: unknown key 'groupby' in "
	    "'correlation'\n", 3, 1 },
	{ BASES CORR("  type: temporal\n  rules: [A, B]\n  timespan: 5m\n"
	    "  generate: yes\n"),
	    "ctaudit: t.yml:40: error: 'generate' must be true or false\n",
	    3, 1 },
	{ BASES CORR("  type: temporal\n  rules: [A, B]\n  timespan: 5m\n"
	    "  group-by: [ip]\n  aliases:\n    ip:\n      C: x\n"),
	    "ctaudit: t.yml:43: error: alias 'ip' names rule 'C', which the "
	    "correlation does not refer to\n", 3, 1 },
	{ BASES "title: c\nid: c\ncorrelation:\n  type: event_count\n"
	    "  rules: [c]\n  timespan: 5m\n  condition: {gte: 2}\n",
	    "ctaudit: t.yml:38: error: correlation rule 'c' refers to itself\n",
	    3, 1 },
	{ BASES "title: c\nid: c\ncorrelation:\n  type: event_count\n"
	    "  rules: [d]\n  timespan: 5m\n  condition: {gte: 2}\n---\n"
	    "title: d\nid: d\ncorrelation:\n  type: event_count\n"
	    "  rules: [c]\n  timespan: 5m\n  condition: {gte: 2}\n",
	    "ctaudit: t.yml:34: error: correlation rule 'c' refers to itself "
	    "through other correlations\n"
	    "ctaudit: t.yml:42: error: correlation rule 'd' refers to itself "
	    "through other correlations\n", 3, 2 },
	{ BASES "title: c\nid: c\ncorrelation:\n  type: event_count\n"
	    "  rules: [A]\n  timespan: 5m\n  condition: {gte: 2}\n"
	    "detection:\n  sel:\n    a: b\n  condition: sel\n",
	    "ctaudit: t.yml:41: error: a rule has either a detection or a "
	    "correlation, not both\n", 3, 1 },
	/* a correlation may come before the rules it names */
	{ CORR("  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2}\n---\n") BASE("A"), "", 2, 0 },
};

static const struct correlate_limits small = { 2, 3, 100, 1 << 20 };

static const struct {
	const char		*yaml;
	const char		*records[12];
	const struct correlate_limits *lim;
	const char		*want;
} win_cases[] = {
#define COUNT3	BASES CORR("  type: event_count\n  rules: [A]\n" \
		"  group-by: [k]\n  timespan: 10m\n  condition: {gte: 3}\n")
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:05:00", "A", K("x")),
	    REC("10:09:59", "A", K("x")), REC("10:09:59", "B", K("x")) }, NULL,
	    "c event_count=3 events=3 10:00:00..10:09:59 k=x\n" },
	/* the same, in another order */
	{ COUNT3, { REC("10:09:59", "A", K("x")), REC("10:00:00", "A", K("x")),
	    REC("10:05:00", "A", K("x")) }, NULL,
	    "c event_count=3 events=3 10:00:00..10:09:59 k=x\n" },
	/* just too long, one short, another group, no group-by field */
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:05:00", "A", K("x")),
	    REC("10:10:00", "A", K("x")) }, NULL, "" },
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:05:00", "A", K("x"))
	    }, NULL, "" },
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:05:00", "A", K("x")),
	    REC("10:06:00", "A", K("y")) }, NULL, "" },
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:05:00", "A", K("x")),
	    REC("10:06:00", "A", "") }, NULL, "" },
	/* the longest window, and no event counted twice */
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:01:00", "A", K("x")),
	    REC("10:02:00", "A", K("x")), REC("10:03:00", "A", K("x")),
	    REC("10:20:00", "A", K("x")), REC("10:21:00", "A", K("x")),
	    REC("10:22:00", "A", K("x")), REC("10:23:00", "A", K("x")),
	    REC("10:24:00", "A", K("x")) }, NULL,
	    "c event_count=4 events=4 10:00:00..10:03:00 k=x\n"
	    "c event_count=5 events=5 10:20:00..10:24:00 k=x\n" },
	/* findings in time order, then by group */
	{ COUNT3, { REC("10:00:00", "A", K("y")), REC("10:01:00", "A", K("y")),
	    REC("10:02:00", "A", K("y")), REC("10:00:00", "A", K("x")),
	    REC("10:01:00", "A", K("x")), REC("10:02:00", "A", K("x")),
	    REC("09:00:00", "A", K("z")), REC("09:00:00", "A", K("z")),
	    REC("09:00:00", "A", K("z")) }, NULL,
	    "c event_count=3 events=3 09:00:00..09:00:00 k=z\n"
	    "c event_count=3 events=3 10:00:00..10:02:00 k=x\n"
	    "c event_count=3 events=3 10:00:00..10:02:00 k=y\n" },
	/* a range, and no group-by: one group */
	{ BASES CORR("  type: event_count\n  rules: [A, B]\n  timespan: 1h\n"
	    "  condition: {gt: 1, lte: 2}\n"),
	    { REC("10:00:00", "A", K("x")), REC("10:30:00", "B", K("y")),
	    REC("12:00:00", "A", ""), REC("12:01:00", "A", ""),
	    REC("12:02:00", "A", "") }, NULL,
	    /* sliding: the window from 12:01 holds two */
	    "c event_count=2 events=2 10:00:00..10:30:00\n"
	    "c event_count=2 events=2 12:01:00..12:02:00\n" },
	{ BASES CORR("  type: event_count\n  rules: [A]\n  timespan: 1h\n"
	    "  condition: {lt: 2}\n"),
	    { REC("10:00:00", "A", ""), REC("12:00:00", "A", ""),
	    REC("12:01:00", "A", "") }, NULL,
	    "c event_count=1 events=1 10:00:00..10:00:00\n"
	    "c event_count=1 events=1 12:01:00..12:01:00\n" },
	/* value_count: distinct values, absent values left out */
	{ BASES CORR("  type: value_count\n  rules: [A]\n  group-by: [k]\n"
	    "  timespan: 10m\n  condition: {field: v, gte: 2}\n"),
	    { REC("10:00:00", "A", K("x") ",\"v\":\"a\""),
	    REC("10:01:00", "A", K("x") ",\"v\":\"a\""),
	    REC("10:02:00", "A", K("x") ",\"v\":\"b\""),
	    REC("11:00:00", "A", K("y") ",\"v\":\"a\""),
	    REC("11:01:00", "A", K("y") ",\"v\":\"a\""),
	    REC("11:02:00", "A", K("y")),
	    REC("12:00:00", "A", K("z") ",\"v\":\"a\""),
	    REC("12:10:00", "A", K("z") ",\"v\":\"b\"") }, NULL,
	    "c value_count(v)=2 events=3 10:00:00..10:02:00 k=x\n" },
	/* temporal: every rule, in any order, within the timespan */
	{ BASES CORR("  type: temporal\n  rules: [A, B]\n  group-by: [k]\n"
	    "  timespan: 5m\n"),
	    { REC("10:04:00", "A", K("x")), REC("10:00:00", "B", K("x")),
	    REC("11:00:00", "A", K("y")), REC("11:05:00", "B", K("y")),
	    REC("12:00:00", "A", K("z")), REC("12:01:00", "A", K("z")) }, NULL,
	    "c temporal=2 events=2 10:00:00..10:04:00 k=x\n" },
	/* temporal_ordered: in the rules' order; a tie counts as in order */
	{ BASES CORR("  type: temporal_ordered\n  rules: [A, B, C]\n"
	    "  group-by: [k]\n  timespan: 5m\n"),
	    { REC("10:00:00", "A", K("x")), REC("10:01:00", "C", K("x")),
	    REC("10:02:00", "B", K("x")), REC("10:03:00", "C", K("x")),
	    REC("11:00:00", "B", K("y")), REC("11:01:00", "A", K("y")),
	    REC("11:02:00", "C", K("y")),
	    REC("12:00:00", "A", K("z")), REC("12:00:00", "B", K("z")),
	    REC("12:00:00", "C", K("z")) }, NULL,
	    "c temporal_ordered=3 events=3 10:00:00..10:03:00 k=x\n"
	    "c temporal_ordered=3 events=3 12:00:00..12:00:00 k=z\n" },
	/* metrics: numbers or strings holding one; others left out */
	{ BASES CORR("  type: value_sum\n  rules: [A]\n  timespan: 1h\n"
	    "  condition: {field: n, gt: 100}\n"),
	    { REC("10:00:00", "A", ",\"n\":60"), REC("10:10:00", "A",
	    ",\"n\":\"50.5\""), REC("10:20:00", "A", ",\"n\":\"many\""),
	    REC("12:00:00", "A", ",\"n\":100") }, NULL,
	    "c value_sum(n)=110.5 events=2 10:00:00..10:10:00\n" },
	{ BASES CORR("  type: value_avg\n  rules: [A]\n  timespan: 1h\n"
	    "  condition: {field: n, gte: 50}\n"),
	    { REC("10:00:00", "A", ",\"n\":60"), REC("10:10:00", "A",
	    ",\"n\":40"), REC("12:00:00", "A", ",\"n\":49") }, NULL,
	    "c value_avg(n)=50 events=2 10:00:00..10:10:00\n" },
	/* aliases: one group-by name, a different field per rule */
	{ BASES CORR("  type: temporal\n  rules: [A, B]\n  group-by: [ip]\n"
	    "  timespan: 5m\n  aliases:\n    ip:\n      A: src\n"
	    "      id-B: dst\n"),
	    { REC("10:00:00", "A", ",\"src\":\"1.2.3.4\",\"dst\":\"9.9.9.9\""),
	    REC("10:01:00", "B", ",\"src\":\"9.9.9.9\",\"dst\":\"1.2.3.4\""),
	    REC("11:00:00", "A", ",\"src\":\"5.5.5.5\""),
	    REC("11:01:00", "B", ",\"src\":\"5.5.5.5\"") }, NULL,
	    "c temporal=2 events=2 10:00:00..10:01:00 ip=1.2.3.4\n" },
	/* a chain: two A then a B; the inner one does not report */
	{ BASES "title: inner\nid: inner\nname: twoA\ncorrelation:\n"
	    "  type: event_count\n  rules: [A]\n  group-by: [k]\n"
	    "  timespan: 5m\n  condition: {gte: 2}\n---\n"
	    CORR("  type: temporal_ordered\n  rules: [twoA, B]\n"
	    "  group-by: [k]\n  timespan: 10m\n"),
	    { REC("10:00:00", "A", K("x")), REC("10:01:00", "A", K("x")),
	    REC("10:05:00", "B", K("x")), REC("11:00:00", "B", K("y")),
	    REC("11:01:00", "A", K("y")), REC("11:02:00", "A", K("y")) },
	    NULL, "c temporal_ordered=2 events=2 10:00:00..10:05:00 k=x\n" },
	/* caps: groups, events per group, eventTime */
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:00:00", "A", K("y")),
	    REC("10:00:00", "A", K("z")), REC("10:01:00", "A", K("x")),
	    REC("10:01:00", "A", K("z")), REC("10:02:00", "A", K("x")),
	    REC("10:03:00", "A", K("x")) }, &small,
	    "c event_count=3 events=3 10:00:00..10:02:00 k=x incomplete\n"
	    "ctaudit: t.yml:34: warning: correlation rule 'c': more than 2 "
	    "groups: matches of further groups are left out\n"
	    "ctaudit: t.yml:34: warning: correlation rule 'c': more than 3 "
	    "matches in one group: further ones are left out and its findings "
	    "are marked incomplete\n" },
	{ COUNT3, { REC("10:00:00", "A", K("x")), "{\"eventName\":\"A\","
	    "\"k\":\"x\"}", "{\"eventName\":\"A\",\"eventTime\":\"noon\","
	    "\"k\":\"x\"}" }, NULL,
	    "ctaudit: t.yml:34: warning: correlation rule 'c': 2 matches "
	    "without a usable eventTime are left out\n" },
	{ COUNT3, { REC("10:00:00", "A", K("x")), REC("10:00:00", "A", K("x")),
	    REC("10:00:00", "A", K("x")) }, &(const struct correlate_limits){
	    10, 10, 2, 1 << 20 },
	    "ctaudit: warning: correlation state holds 2 matches: further "
	    "matches are left out and findings are marked incomplete\n" },
	{ COUNT3, { REC("10:00:00", "A", K("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))
	    }, &(const struct correlate_limits){ 10, 10, 10, 16 },
	    "ctaudit: warning: correlation state holds 16 bytes of values: "
	    "further matches are left out and findings are marked "
	    "incomplete\n" },
	/*
	 * value_count: every value kept counts with its overhead, and none
	 * is kept for a match a cap leaves out (issue 15: 8 million short
	 * values in one group took 449 MB under a 64 MB cap).
	 */
#define VCOUNT	BASES CORR("  type: value_count\n  rules: [A]\n" \
		"  group-by: [k]\n  timespan: 10m\n" \
		"  condition: {field: v, gte: 2}\n")
#define VREC(v)	"{\"eventName\":\"A\",\"eventTime\":" \
		"\"2024-01-01T10:00:00Z\",\"k\":\"x\",\"v\":\"" v "\"}"
	{ VCOUNT, { VREC("a"), VREC("b"), VREC("c"), VREC("d"), VREC("e"),
	    VREC("f") }, &(const struct correlate_limits){ 10, 2, 100, 200 },
	    "c value_count(v)=2 events=2 10:00:00..10:00:00 k=x incomplete\n"
	    "ctaudit: t.yml:34: warning: correlation rule 'c': more than 2 "
	    "matches in one group: further ones are left out and its findings "
	    "are marked incomplete\n" },
	{ VCOUNT, { VREC("a"), VREC("b"), VREC("c"), VREC("d"), VREC("e"),
	    VREC("f") }, &(const struct correlate_limits){ 10, 10, 100, 200 },
	    "c value_count(v)=3 events=3 10:00:00..10:00:00 k=x incomplete\n"
	    "ctaudit: warning: correlation state holds 200 bytes of values: "
	    "further matches are left out and findings are marked "
	    "incomplete\n" },
};

static int	 failed;

static void __attribute__((__format__(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	putchar('\n');
	failed = 1;
}

static FILE	*capture_tmp;
static int	 capture_saved;

/* Send stderr (diag) to a temporary file until capture_end(). */
static void
capture_start(void)
{
	fflush(stderr);
	if ((capture_tmp = tmpfile()) == NULL ||
	    (capture_saved = dup(2)) == -1 ||
	    dup2(fileno(capture_tmp), 2) == -1)
		fatal("tmpfile");
}

/* What was written to stderr since capture_start(), appended to b. */
static void
capture_end(struct buf *b)
{
	char	tmp[4096];
	size_t	n;

	fflush(stderr);
	dup2(capture_saved, 2);
	close(capture_saved);
	rewind(capture_tmp);
	while ((n = fread(tmp, 1, sizeof tmp, capture_tmp)) > 0) {
		if (buf_add(b, tmp, n) == -1)
			fatalx("buf_add");
	}
	fclose(capture_tmp);
}

static void
test_load(void)
{
	const struct rule_set_stats	*st;
	struct rule_set			*rs;
	struct buf			 got;
	size_t				 i;

	for (i = 0; i < nitems(load_cases); i++) {
		buf_init(&got, 1 << 20);
		rs = rule_set_create(NULL);
		capture_start();
		rule_set_load_buffer(rs, "t.yml", load_cases[i].yaml,
		    strlen(load_cases[i].yaml));
		capture_end(&got);
		st = rule_set_stats(rs);
		if (strcmp(got.data != NULL ? got.data : "",
		    load_cases[i].want) != 0)
			fail("load case %zu: got\n%s want\n%s", i,
			    got.data != NULL ? got.data : "",
			    load_cases[i].want);
		if (st->loaded != load_cases[i].loaded ||
		    st->rejected != load_cases[i].rejected)
			fail("load case %zu: loaded %zu rejected %zu, want %zu "
			    "%zu", i, st->loaded, st->rejected,
			    load_cases[i].loaded, load_cases[i].rejected);
		rule_set_free(rs);
		buf_clear(&got);
	}
}

static void
match_cb(const struct rule *r, struct record *rec, void *arg)
{
	correlate_match(arg, r, rec);
}

/* "HH:MM:SS" of a time, as the cases write it. */
static void
hms(struct buf *b, int64_t t)
{
	char	tmp[EVENTTIME_BUFSIZE];

	eventtime_format(t, tmp, sizeof tmp);
	if (buf_printf(b, "%.8s", tmp + 11) == -1)
		fatalx("buf_printf");
}

static void
finding_cb(const struct rule *r, const struct corr_finding *cf, void *arg)
{
	struct buf	*b = arg;
	char		 num[32];
	size_t		 i;
	int		 rv;

	if (cf->value == (double)(int64_t)cf->value)
		snprintf(num, sizeof num, "%lld", (long long)cf->value);
	else
		snprintf(num, sizeof num, "%g", cf->value);
	rv = buf_printf(b, "%s %s%s%s%s=%s events=%llu ", rule_id(r), cf->type,
	    cf->field != NULL ? "(" : "", cf->field != NULL ? cf->field : "",
	    cf->field != NULL ? ")" : "", num, (unsigned long long)cf->events);
	hms(b, cf->first);
	rv |= buf_add(b, "..", 2);
	hms(b, cf->last);
	for (i = 0; i < cf->ngroupby; i++)
		rv |= buf_printf(b, " %s=%.*s", cf->groupby[i],
		    (int)cf->lens[i], cf->values[i]);
	rv |= buf_printf(b, "%s\n", cf->incomplete ? " incomplete" : "");
	if (rv == -1)
		fatalx("buf_printf");
}

static void
test_windows(void)
{
	struct rule_set		*rs;
	struct correlate	*e;
	struct record		*rec;
	struct buf		 got;
	char			*cause = NULL;
	size_t			 i, j;

	for (i = 0; i < nitems(win_cases); i++) {
		buf_init(&got, 1 << 20);
		rs = rule_set_create(NULL);
		if (rule_set_load_buffer(rs, "t.yml", win_cases[i].yaml,
		    strlen(win_cases[i].yaml)) == -1) {
			fail("window case %zu: rules rejected", i);
			rule_set_free(rs);
			continue;
		}
		e = correlate_create(rs, win_cases[i].lim);
		capture_start();
		for (j = 0; j < nitems(win_cases[i].records) &&
		    win_cases[i].records[j] != NULL; j++) {
			rec = record_from_json(win_cases[i].records[j],
			    strlen(win_cases[i].records[j]), "-", &cause);
			if (rec == NULL)
				fatalx("case %zu record %zu: %s", i, j, cause);
			rule_set_eval(rs, rec, match_cb, e);
			record_free(rec);
		}
		correlate_finish(e, finding_cb, &got);
		capture_end(&got);
		if (strcmp(got.data != NULL ? got.data : "",
		    win_cases[i].want) != 0)
			fail("window case %zu: got\n%s want\n%s", i,
			    got.data != NULL ? got.data : "",
			    win_cases[i].want);
		correlate_free(e);
		rule_set_free(rs);
		buf_clear(&got);
	}
}

/* generate: rules named by a correlation report only if it says so. */
static void
test_generate(void)
{
	static const struct {
		const char	*gen;
		int		 a, b;
	} cases[] = {
		{ "", 0, 1 },
		{ "  generate: false\n", 0, 1 },
		{ "  generate: true\n", 1, 1 },
	};
	struct rule_set	*rs;
	char		*yaml;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		yaml = xprintf(BASE("A") BASE("B") "title: c\ncorrelation:\n"
		    "  type: event_count\n  rules: [A]\n  timespan: 5m\n"
		    "  condition: {gte: 2}\n%s", cases[i].gen);
		rs = rule_set_create(NULL);
		if (rule_set_load_buffer(rs, "t.yml", yaml, strlen(yaml)) ==
		    -1 || rule_set_count(rs) != 3)
			fail("generate case %zu: not loaded", i);
		else if (rule_generates(rule_set_get(rs, 0)) != cases[i].a ||
		    rule_generates(rule_set_get(rs, 1)) != cases[i].b ||
		    !rule_generates(rule_set_get(rs, 2)) ||
		    !rule_is_correlation(rule_set_get(rs, 2)))
			fail("generate case %zu: A %d B %d, want %d %d", i,
			    rule_generates(rule_set_get(rs, 0)),
			    rule_generates(rule_set_get(rs, 1)), cases[i].a,
			    cases[i].b);
		rule_set_free(rs);
		free(yaml);
	}
}

/* A rule left out by a filter comes back, silent, for a correlation. */
static void
test_filtered(void)
{
	static const char yaml[] = BASE("A") BASE("B")
	    "title: c\nid: c\nlevel: high\ncorrelation:\n"
	    "  type: event_count\n  rules: [A]\n  timespan: 5m\n"
	    "  condition: {gte: 2}\n  generate: true\n";
	struct rule_opts	 opts;
	struct rule_set		*rs;
	const struct rule	*a, *c;

	memset(&opts, 0, sizeof opts);
	opts.min_level = RULE_HIGH;
	rs = rule_set_create(&opts);
	if (rule_set_load_buffer(rs, "t.yml", yaml, sizeof yaml - 1) == -1 ||
	    rule_set_count(rs) != 2) {
		fail("filtered: not loaded");
		rule_set_free(rs);
		return;
	}
	/* A is taken back while c is resolved, so it comes first. */
	a = rule_set_get(rs, 0);
	c = rule_set_get(rs, 1);
	if (strcmp(rule_id(a), "id-A") != 0 || rule_generates(a) ||
	    strcmp(rule_id(c), "c") != 0 || !rule_generates(c) ||
	    rule_set_stats(rs)->filtered != 1)
		fail("filtered: A %s generates %d, c %s, filtered %zu",
		    rule_id(a), rule_generates(a), rule_id(c),
		    rule_set_stats(rs)->filtered);
	rule_set_free(rs);
}

int
main(void)
{
	diag_init("ctaudit");
	test_load();
	test_windows();
	test_generate();
	test_filtered();
	return failed;
}
