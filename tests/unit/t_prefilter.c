/* SPDX-License-Identifier: ISC */
/*
 * Tests of the content prefilter: the needles an item gives (the longest
 * plain run of each wildcard value, folded), which rules are taken, and
 * which rules each record makes candidates, with the Aho-Corasick matcher,
 * auto and Hyperscan when built in; a candidate list must always hold
 * every rule that matches.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "match.h"
#include "prefilter.h"
#include "record.h"
#include "record_int.h"
#include "rule.h"
#include "sigma.h"
#include "xmalloc.h"

/* Modifiers and values of one item: the needles joined by '|', or "-". */
static const struct {
	const char	*field;
	const char	*mods;		/* comma-separated */
	const char	*vals[4];
	const char	*want;
} needle_cases[] = {
	{ "userAgent",	"contains",	{ "Mozilla" },		"mozilla" },
	{ "userAgent",	"startswith",	{ "aws-cli/" },		"aws-cli/" },
	{ "userAgent",	"endswith",	{ "Kali" },		"kali" },
	{ "userAgent",	"contains",	{ "ab*cdef" },		"cdef" },
	{ "userAgent",	"contains",	{ "abc?de" },		"abc" },
	{ "userAgent",	"contains",	{ "a\\*b" },		"a*b" },
	{ "userAgent",	"contains",	{ "a\\?b\\\\c" },	"a?b\\c" },
	{ "userAgent",	"contains",	{ "*" },		"-" },
	{ "userAgent",	"contains",	{ "?" },		"-" },
	{ "userAgent",	"contains",	{ "" },			"-" },
	{ "userAgent",	"contains",	{ "foo", "*" },		"-" },
	{ "userAgent",	"contains",	{ "foo", "Bar" },	"foo|bar" },
	{ "userAgent",	"contains,all",	{ "ab", "longer" },	"longer" },
	{ "userAgent",	"contains,all",	{ "*", "x?y" },		"x" },
	{ "userAgent",	"contains,all",	{ "*", "?" },		"-" },
	{ "userAgent",	"",		{ "AssumedRole" },	"assumedrole" },
	{ "userAgent",	"cased",	{ "MiXeD" },		"mixed" },
	{ "userAgent",	"contains,cased", { "MiXeD" },		"mixed" },
	{ "userAgent",	"re",		{ "abc.*" },		"-" },
	{ "userAgent",	"neq",		{ "abc" },		"-" },
	{ "userAgent",	"contains,windash", { "-exec" },	"exec" },
	{ "userAgent",	"contains",	{ "\xc3\x84" "BC" },	"\xc3\x84" "bc" },
	{ "userAgent",	"fieldref",	{ "other" },		"-" },
	{ "userAgent",	"cidr",		{ "10.0.0.0/8" },	"-" },
	{ "userAgent",	"gt",		{ "5" },		"-" },
	{ "userAgent",	"contains,base64", { "abc" },		"ywjj" },	/* folded */
	{ "userAgent",	"contains,base64offset", { "abcd" },
	    "ywjjz|fiy2|hymnk" },
	{ NULL,		"",		{ "EvilCorp" },		"evilcorp" },
	{ NULL,		"contains,all",	{ "a*", "bcd" },	"bcd" },
};

#define HDR	"title: t\nid: r%zu\nlogsource:\n  product: aws\n" \
		"  service: cloudtrail\ndetection:\n"

/* Rules in load order; taken says whether the prefilter takes each. */
static const struct {
	const char	*det;
	int		 taken;
} rules[] = {
	/* 0 */ { "  sel:\n    userAgent|contains: kali\n"
	    "  condition: sel\n", 1 },
	/* 1 */ { "  sel:\n    - userAgent|startswith: aws-cli\n"
	    "    - sourceIPAddress|endswith: '.77'\n"
	    "  condition: sel\n", 1 },
	/* 2 */ { "  sel:\n    userAgent|contains: kali\n"
	    "  condition: not sel\n", 0 },
	/* 3 */ { "  sel:\n    requestParameters|contains: '\"enabled\":false'\n"
	    "  condition: sel\n", 1 },
	/* 4 */ { "  keywords:\n    - evilcorp\n  condition: keywords\n", 1 },
	/* 5 */ { "  sel:\n    userAgent|contains|all: [he, hers]\n"
	    "  condition: sel\n", 1 },
	/* 6 */ { "  a:\n    userAgent|contains: she\n"
	    "  b:\n    userAgent|contains: kali\n"
	    "  condition: a and not b\n", 1 },
	/* 7 */ { "  sel_1:\n    userAgent|contains: his\n"
	    "  sel_2:\n    userAgent|re: 'x.*'\n"
	    "  condition: 1 of sel_*\n", 0 },
	/* 8 */ { "  sel:\n    responseElements.x: null\n"
	    "  condition: sel\n", 0 },
	/* 9 */ { "  sel:\n    userAgent|contains: 'a*b*c'\n"
	    "  condition: sel\n", 1 },
	/* 10 */ { "  sel:\n    userAgent|endswith: \"\\xffbin\"\n"
	    "  condition: sel\n", 1 },
	/* 11 */ { "  sel:\n    userAgent|contains: ushers\n"
	    "  condition: sel\n", 1 },
	/* 12 */ { "  sel:\n    userAgent|contains: h\n"
	    "  condition: sel\n", 1 },
	/* 13 */ { "  sel_1:\n    userAgent|contains: his\n"
	    "  sel_2:\n    userAgent|contains: hiss\n"
	    "  sel_3:\n    userIdentity.arn|contains: ':root'\n"
	    "  condition: 2 of sel_*\n", 1 },
	/* 14 */ { "  a:\n    userAgent|contains: zzz\n"
	    "  b:\n    userAgent: zzzz\n"
	    "  condition: a and b\n", 1 },
};

/* Records, and the candidates (bit i: rule i) each must give. */
static const struct {
	const char	*json;
	unsigned	 want;
} records[] = {
	{ "{\"eventName\":\"A\",\"userAgent\":\"Kali Linux\"}",
	    1U << 0 | 1U << 9 },
	{ "{\"eventName\":\"A\",\"userAgent\":\"AWS-CLI/2 sHe hErS\"}",
	    1U << 1 | 1U << 5 | 1U << 6 | 1U << 9 | 1U << 12 },
	{ "{\"eventName\":\"A\",\"requestParameters\":{\"enabled\":false}}",
	    1U << 3 },
	{ "{\"eventName\":\"A\",\"sourceIPAddress\":\"203.0.113.77\","
	    "\"x\":[\"evilCorp\"]}", 1U << 1 | 1U << 4 },
	{ "{\"eventName\":\"A\",\"userAgent\":[\"x\",\"\\u00ffBIN\"]}",
	    1U << 10 },
	{ "{\"eventName\":\"A\",\"userAgent\":\"USHERS\"}",
	    1U << 5 | 1U << 6 | 1U << 11 | 1U << 12 },
	{ "{\"eventName\":\"A\",\"userIdentity\":{\"arn\":\"a:root\"}}", 1U << 13 },
	{ "{\"eventName\":\"A\",\"userAgent\":\"zzzz\"}", 1U << 14 },
	{ "{\"eventName\":\"A\",\"userAgent\":\"zz\\u0000z\"}", 0 },
	{ "{\"eventName\":\"A\"}", 0 },
	{ "{\"eventName\":\"A\",\"k\":{\"s\":\"\\\"enabled\\\":false\"}}",
	    0 },
};

static int	failed;

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

/* The needles of one case, joined, or "-". */
static char *
needles_of(size_t i)
{
	struct match_value	 vals[4];
	struct match_item	*mi;
	const char *const	*s;
	const char		*mods[4], *field;
	const size_t		*lens;
	char			*m, *p, *cause = NULL, *out;
	size_t			 nmods = 0, nvals, n, k, len = 0;

	m = xstrdup(needle_cases[i].mods);
	for (p = strtok(m, ","); p != NULL; p = strtok(NULL, ","))
		mods[nmods++] = p;
	for (nvals = 0; nvals < 4 && needle_cases[i].vals[nvals] != NULL;
	    nvals++) {
		vals[nvals].type = MATCH_V_STRING;
		vals[nvals].text = needle_cases[i].vals[nvals];
		vals[nvals].quoted = 1;
	}
	mi = match_item_compile(needle_cases[i].field, mods, nmods, vals,
	    nvals, &cause);
	free(m);
	if (mi == NULL) {
		out = xprintf("error: %s", cause);
		free(cause);
		return out;
	}
	if (match_item_needles(mi, &field, &s, &lens, &n) == -1) {
		match_item_free(mi);
		return xstrdup("-");
	}
	if ((field == NULL) != (needle_cases[i].field == NULL) ||
	    (field != NULL && strcmp(field, needle_cases[i].field) != 0))
		fail("needle case %zu: wrong field", i);
	for (k = 0; k < n; k++)
		len += lens[k] + 1;
	out = xcalloc(1, len + 1);
	for (k = 0, p = out; k < n; k++) {
		if (k > 0)
			*p++ = '|';
		memcpy(p, s[k], lens[k]);
		p += lens[k];
	}
	match_item_free(mi);
	return out;
}

static void
test_needles(void)
{
	char	*got;
	size_t	 i;

	for (i = 0; i < nitems(needle_cases); i++) {
		got = needles_of(i);
		if (strcmp(got, needle_cases[i].want) != 0)
			fail("needle case %zu: got '%s', want '%s'", i, got,
			    needle_cases[i].want);
		free(got);
	}
}

static void
match_cb(const struct rule *r, struct record *rec, void *arg)
{
	unsigned	*hits = arg;

	(void)rec;
	*hits |= 1U << r->index;
}

/* Candidates of every record with one engine, against the table. */
static void
test_engine(struct rule_set *rs, enum prefilter_engine e)
{
	struct prefilter	*pf;
	struct record		*rec;
	const size_t		*cand;
	char			*cause = NULL;
	size_t			 i, k, n;
	unsigned		 got, brute;

	pf = prefilter_create_engine(e);
	for (i = 0; i < rule_set_count(rs); i++) {
		if ((prefilter_add(pf, rule_set_get(rs, i)) == 0) !=
		    rules[i].taken)
			fail("%s: rule %zu: taken %d, want %d",
			    prefilter_engine_name(e), i, !rules[i].taken,
			    rules[i].taken);
	}
	for (i = 0; i < nitems(records); i++) {
		rec = record_from_json(records[i].json,
		    strlen(records[i].json), "-", &cause);
		if (rec == NULL)
			fatalx("record %zu: %s", i, cause);
		cand = prefilter_eval(pf, rec, &n);
		got = 0;
		for (k = 0; k < n; k++) {
			if (k > 0 && cand[k] <= cand[k - 1])
				fail("%s: record %zu: candidates out of order",
				    prefilter_engine_name(e), i);
			got |= 1U << cand[k];
		}
		if (got != records[i].want)
			fail("%s: record %zu: candidates %#x, want %#x",
			    prefilter_engine_name(e), i, got, records[i].want);
		/* Every rule taken that matches must be a candidate. */
		brute = 0;
		rule_set_eval(rs, rec, match_cb, &brute);
		for (k = 0; k < nitems(rules); k++) {
			if (rules[k].taken && (brute & (1U << k)) &&
			    !(got & (1U << k)))
				fail("%s: record %zu: rule %zu matches but is "
				    "no candidate", prefilter_engine_name(e),
				    i, k);
		}
		record_free(rec);
	}
	if (prefilter_count(pf) != 12)
		fail("%s: %zu rules taken, want 12", prefilter_engine_name(e),
		    prefilter_count(pf));
	prefilter_free(pf);

	/* Rules added after records were seen: nothing stale is kept. */
	pf = prefilter_create_engine(e);
	rec = record_from_json(records[0].json, strlen(records[0].json), "-",
	    &cause);
	for (i = 0; i < 2; i++) {
		if (prefilter_add(pf, rule_set_get(rs, i == 0 ? 0 : 11)) == -1)
			fatalx("rule not taken");
		cand = prefilter_eval(pf, rec, &n);
		if (n != 1 || cand[0] != 0)
			fail("%s: after adding rules: %zu candidates",
			    prefilter_engine_name(e), n);
	}
	record_free(rec);
	prefilter_free(pf);
}

/*
 * One rule with SIGMA_VALUES_MAX long values: too big a table for auto's
 * automaton, so auto takes Hyperscan when built in.  A record with one
 * value, in another case, makes it a candidate; one without does not.
 */
static const char big_hdr[] = "title: big\nid: big\nlogsource:\n"
    "  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n"
    "    userAgent|contains:\n";
static const char big_miss[] = "{\"userAgent\":\"aws-cli/2.0\"}";

static void
test_big(enum prefilter_engine e)
{
	struct rule_set		*rs;
	struct prefilter	*pf;
	struct record		*rec;
	struct buf		 b;
	const size_t		*cand;
	char			*cause = NULL, v[17], *json;
	size_t			 i, k, n;
	uint32_t		 x = 1;

	buf_init(&b, SIGMA_FILE_MAX);
	json = NULL;
	if (buf_add(&b, big_hdr, strlen(big_hdr)) == -1)
		fatalx("buf_add");
	for (i = 0; i < SIGMA_VALUES_MAX; i++) {
		for (k = 0; k < 16; k++) {
			x = x * 1103515245 + 12345;
			v[k] = "abcdefghijklmnopqrstuvwxyz0123456789._-/"
			    [(x >> 16) % 40];
		}
		v[16] = '\0';
		if (buf_add(&b, "      - '", 9) == -1 ||
		    buf_add(&b, v, 16) == -1 || buf_add(&b, "'\n", 2) == -1)
			fatalx("buf_add");
		if (i == SIGMA_VALUES_MAX / 2) {
			for (k = 0; k < 16; k++)	/* any case matches */
				if (v[k] >= 'a' && v[k] <= 'z')
					v[k] = v[k] - 'a' + 'A';
			json = xprintf("{\"userAgent\":\"x%sx\"}", v);
		}
	}
	if (buf_add(&b, "  condition: sel\n", 16) == -1)
		fatalx("buf_add");
	rs = rule_set_create(NULL);
	if (rule_set_load_buffer(rs, "big.yml", b.data, b.len) == -1 ||
	    rule_set_count(rs) != 1)
		fatalx("big rule does not load");
	pf = prefilter_create_engine(e);
	if (prefilter_add(pf, rule_set_get(rs, 0)) == -1)
		fail("%s: big rule not taken", prefilter_engine_name(e));
	for (i = 0; i < 2; i++) {
		rec = record_from_json(i == 0 ? json : big_miss,
		    strlen(i == 0 ? json : big_miss), "-", &cause);
		if (rec == NULL)
			fatalx("big record: %s", cause);
		cand = prefilter_eval(pf, rec, &n);
		if (n != (i == 0) || (n == 1 && cand[0] != 0))
			fail("%s: big record %zu: %zu candidates",
			    prefilter_engine_name(e), i, n);
		record_free(rec);
	}
	prefilter_free(pf);
	rule_set_free(rs);
	free(json);
	buf_clear(&b);
}

int
main(void)
{
	struct rule_set	*rs;
	char		*yaml;
	size_t		 i;

	test_needles();

	/* The set's own prefilter is off: it tries every rule. */
	setenv("CTAUDIT_PREFILTER", "off", 1);
	rs = rule_set_create(NULL);
	for (i = 0; i < nitems(rules); i++) {
		yaml = xprintf(HDR "%s", i, rules[i].det);
		if (rule_set_load_buffer(rs, "t.yml", yaml,
		    strlen(yaml)) == -1)
			fatalx("rule %zu does not load", i);
		free(yaml);
	}
	if (rule_set_nprefiltered(rs) != 0)
		fail("CTAUDIT_PREFILTER=off: %zu rules taken",
		    rule_set_nprefiltered(rs));
	test_engine(rs, PREFILTER_AC);
	test_engine(rs, PREFILTER_AUTO);
#ifdef HAVE_HYPERSCAN
	test_engine(rs, PREFILTER_HYPERSCAN);
#endif
	rule_set_free(rs);
	test_big(PREFILTER_AC);
	test_big(PREFILTER_AUTO);

	/* By default the set's prefilter takes the same rules. */
	unsetenv("CTAUDIT_PREFILTER");
	rs = rule_set_create(NULL);
	for (i = 0; i < nitems(rules); i++) {
		yaml = xprintf(HDR "%s", i, rules[i].det);
		(void)rule_set_load_buffer(rs, "t.yml", yaml, strlen(yaml));
		free(yaml);
	}
	if (rule_set_nprefiltered(rs) != 12)
		fail("default: %zu rules taken, want 12",
		    rule_set_nprefiltered(rs));
	rule_set_free(rs);
	return failed;
}
