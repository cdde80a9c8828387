/* SPDX-License-Identifier: ISC */
/*
 * alert.c: subjects within SNS's limit, cuts on character boundaries in
 * bytes and in UTF-16 units, the FIFO ids of a finding, and a batch that
 * turns into a digest past its threshold keeping the most severe.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "record_int.h"
#include "rule.h"
#include "sigma.h"
#include "sigv4.h"
#include "xmalloc.h"

static int	failed;

static void	fail(const char *, ...) __printflike(1, 2);
static void	test_subjects(void);
static void	test_cuts(void);
static void	test_ids(void);
static struct alert *mkalert(enum rule_level, uint64_t, const char *,
		    const char *);
static void	test_batch(void);

static void __attribute__((__format__(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed = 1;
}

#define E	"\xe2\x80\xa6"		/* the ellipsis */

static const struct {
	const char	*prefix, *title, *suffix;
	size_t		 max;
	const char	*want;
} subject_cases[] = {
	{ "[HIGH] ", "Root login", " - 111122223333", 99,
	    "[HIGH] Root login - 111122223333" },
	/* Exactly max fits; one more is cut, with the ellipsis. */
	{ "[", "abcdefgh", "]", 10, "[abcdefgh]" },
	{ "[", "abcdefghi", "]", 10, "[abcdefg" E "]" },
	/* Characters, not bytes: a cut never splits one. */
	{ "", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "", 3, "\xc3\xa9\xc3\xa9" E },
	{ "", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "", 9,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	/* Controls, line breaks and bidi overrides become spaces. */
	{ "", "a\nb\tc\x1b[31md\xe2\x80\xae", "", 99, "a b c [31md " },
	/* Bad UTF-8 becomes U+FFFD; a trailing blank goes before the cut. */
	{ "", "a\xff", "", 99, "a\xef\xbf\xbd" },
	{ "", "abc def", "", 5, "abc" E },
	/* No room for the title: what fits of prefix and suffix. */
	{ "[CRITICAL] ", "t", " - 1", 8, "[CRITICA" },
};

static const struct {
	const char	*s;
	size_t		 max;
	size_t		 bytes, units;	/* alert_cut, alert_cut_utf16 */
} cut_cases[] = {
	{ "abcdef", 4, 4, 4 },
	{ "abc", 9, 3, 3 },
	{ "a\xc3\xa9", 2, 1, 3 },		/* é: 2 bytes, 1 unit */
	{ "a\xe2\x80\xa6z", 3, 1, 5 },		/* …: 3 bytes, 1 unit */
	{ "a\xf0\x9f\x98\x80z", 2, 1, 1 },	/* 😀: 4 bytes, 2 units */
	{ "a\xf0\x9f\x98\x80z", 3, 1, 5 },
	{ "\xf0\x9f\x98\x80", 4, 4, 4 },
	{ "\xf0\x9f\x98\x80", 1, 0, 0 },
	{ "\xff\xfe", 1, 1, 1 },		/* bad bytes count one each */
};

static const struct {
	const char	*record;
	const char	*want_dedup_of;	/* hashed: rule id, "\n", this */
	const char	*want_account;
} id_cases[] = {
	{ "{\"eventName\":\"X\",\"eventID\":\"e-1\","
	    "\"recipientAccountId\":\"111122223333\"}", "e-1",
	    "111122223333" },
	/* Without an eventID, the whole event (as record_json writes it). */
	{ "{\"eventName\":\"X\",\"n\":1}", "{\"eventName\":\"X\",\"n\":1}",
	    NULL },
};

static void
test_subjects(void)
{
	char	*got;
	size_t	 i;

	for (i = 0; i < nitems(subject_cases); i++) {
		got = alert_subject(subject_cases[i].prefix,
		    subject_cases[i].title, subject_cases[i].suffix,
		    subject_cases[i].max);
		if (strcmp(got, subject_cases[i].want) != 0)
			fail("subject %zu: got \"%s\", want \"%s\"", i, got,
			    subject_cases[i].want);
		free(got);
	}
}

static void
test_cuts(void)
{
	size_t	 i, len, got;

	for (i = 0; i < nitems(cut_cases); i++) {
		len = strlen(cut_cases[i].s);
		if ((got = alert_cut(cut_cases[i].s, len,
		    cut_cases[i].max)) != cut_cases[i].bytes)
			fail("cut %zu: %zu bytes, want %zu", i, got,
			    cut_cases[i].bytes);
		if ((got = alert_cut_utf16(cut_cases[i].s, len,
		    cut_cases[i].max)) != cut_cases[i].units)
			fail("cut_utf16 %zu: %zu bytes, want %zu", i, got,
			    cut_cases[i].units);
	}
}

/* Ids of a rendered finding, and a rule id that cannot be a group. */
static void
test_ids(void)
{
	static const char	*ids[] = {
		"5e0c9d1a-0000-4c1b-9a00-000000000001",
		"a rule id with spaces",
	};
	struct rule_set		*rs;
	struct record		*rec;
	struct finding		 fd;
	struct alert		*a;
	char			 want[SIGV4_HEX_LEN + 1], *yaml, *text, *cause;
	size_t			 i, j;

	for (j = 0; j < nitems(ids); j++) {
		rs = rule_set_create(NULL);
		yaml = xprintf("title: Test rule\nid: \"%s\"\nlogsource:\n"
		    "    product: aws\n    service: cloudtrail\ndetection:\n"
		    "    selection:\n        eventName: X\n"
		    "    condition: selection\nlevel: high\n", ids[j]);
		if (rule_set_load_buffer(rs, "t.yml", yaml,
		    strlen(yaml)) == -1 || rule_set_count(rs) != 1)
			fatalx("ids: rule %zu rejected", j);
		free(yaml);
		for (i = 0; i < nitems(id_cases); i++) {
			rec = record_from_json(id_cases[i].record,
			    strlen(id_cases[i].record), "-", &cause);
			if (rec == NULL)
				fatalx("ids: record %zu: %s", i, cause);
			fd.rule = rule_set_get(rs, 0);
			fd.rec = rec;
			fd.corr = NULL;
			a = alert_create(&fd, i + 1);
			text = xprintf("%s\n%s", ids[j],
			    id_cases[i].want_dedup_of);
			sigv4_sha256_hex(text, strlen(text), want);
			free(text);
			if (strcmp(a->dedup, want) != 0)
				fail("ids %zu/%zu: dedup %s, want %s", j, i,
				    a->dedup, want);
			if (j == 0 && strcmp(a->group, ids[j]) != 0)
				fail("ids %zu/%zu: group %s", j, i, a->group);
			sigv4_sha256_hex(ids[j], strlen(ids[j]), want);
			if (j == 1 && (strncmp(a->group, "rule-", 5) != 0 ||
			    strcmp(a->group + 5, want) != 0))
				fail("ids %zu/%zu: group %s", j, i, a->group);
			if ((a->account == NULL) !=
			    (id_cases[i].want_account == NULL) ||
			    (a->account != NULL && strcmp(a->account,
			    id_cases[i].want_account) != 0))
				fail("ids %zu/%zu: account %s", j, i,
				    a->account != NULL ? a->account : "NULL");
			if (strncmp(a->subject, "[HIGH] Test rule", 16) != 0)
				fail("ids %zu/%zu: subject %s", j, i,
				    a->subject);
			alert_free(a);
			record_free(rec);
		}
		rule_set_free(rs);
	}
}

/* A bare alert for the batch: level and seq matter. */
static struct alert *
mkalert(enum rule_level level, uint64_t seq, const char *rule,
    const char *account)
{
	struct alert	*a;

	a = xcalloc(1, sizeof *a);
	a->seq = seq;
	a->level = level;
	a->findings = 1;
	a->rule_id = xstrdup(rule);
	a->title = xprintf("title of %s", rule);
	a->account = account != NULL ? xstrdup(account) : NULL;
	a->subject = xstrdup("s");
	a->text = xstrdup("t");
	a->json = xstrdup("{}");
	a->line = xprintf("line %llu", (unsigned long long)seq);
	a->brief = xprintf("{\"seq\":%llu}", (unsigned long long)seq);
	a->group = xstrdup(rule);
	return a;
}

static void
test_batch(void)
{
	/* Levels of 14 findings; the top 10 keep the order of arrival. */
	static const enum rule_level levels[] = {
		RULE_LOW, RULE_HIGH, RULE_MEDIUM, RULE_LOW, RULE_CRITICAL,
		RULE_INFORMATIONAL, RULE_HIGH, RULE_LOW, RULE_MEDIUM, RULE_LOW,
		RULE_HIGH, RULE_LOW, RULE_CRITICAL, RULE_MEDIUM,
	};
	static const uint64_t want_top[ALERT_TOP] = {
		5, 13, 2, 7, 11, 3, 9, 14, 1, 4,
	};
	struct alert_batch	 b;
	struct alert		*d;
	size_t			 i, threshold;
	char			 rule[16];

	/* Up to the threshold every alert is kept, in order. */
	alert_batch_init(&b, 3);
	for (i = 0; i < 3; i++)
		alert_batch_add(&b, mkalert(levels[i], i + 1, "r", "1"));
	if (b.digest || b.n != 3 || b.v[0]->seq != 1 || b.v[2]->seq != 3)
		fail("batch: not kept in order below the threshold");
	alert_batch_clear(&b);

	for (threshold = 0; threshold <= 13; threshold += 13) {
		alert_batch_init(&b, threshold);
		for (i = 0; i < nitems(levels); i++) {
			snprintf(rule, sizeof rule, "r%d", (int)levels[i]);
			alert_batch_add(&b, mkalert(levels[i], i + 1, rule,
			    i == 3 ? "2" : "1"));
		}
		if (!b.digest || b.n != ALERT_TOP || b.total != 14 ||
		    b.nrules != 5 || b.levels[RULE_LOW] != 5 ||
		    b.accounts != 2)
			fail("batch %zu: digest %d n %zu total %llu rules %zu",
			    threshold, b.digest, b.n,
			    (unsigned long long)b.total, b.nrules);
		for (i = 0; i < b.n && i < ALERT_TOP; i++)
			if (b.v[i]->seq != want_top[i])
				fail("batch %zu: top %zu is %llu, want %llu",
				    threshold, i,
				    (unsigned long long)b.v[i]->seq,
				    (unsigned long long)want_top[i]);
		d = alert_digest(&b);
		if (d->level != RULE_CRITICAL || d->findings != 14 ||
		    d->account != NULL || strcmp(d->subject, "[CRITICAL] "
		    "ctaudit: 14 findings (2 critical, 3 high, 3 medium, "
		    "5 low, 1 informational)") != 0)
			fail("digest %zu: %s", threshold, d->subject);
		if (strstr(d->json, "\"top\":[{\"seq\":5},{\"seq\":13},") ==
		    NULL || strstr(d->json, "\"rules\":[{\"ruleId\":\"r4\","
		    "\"ruleTitle\":\"title of r4\",\"level\":\"critical\","
		    "\"count\":2},") == NULL)
			fail("digest %zu: %s", threshold, d->json);
		if (strstr(d->text, "\n 1. line 5\n 2. line 13\n") == NULL)
			fail("digest %zu: %s", threshold, d->text);
		alert_free(d);
		alert_batch_clear(&b);
	}
}

int
main(void)
{
	test_subjects();
	test_cuts();
	test_ids();
	test_batch();
	return failed;
}
