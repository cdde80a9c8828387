/* SPDX-License-Identifier: ISC */
/*
 * Tests of the Sigma engine: condition parsing (precedence, "of", "them",
 * exact error causes), short-circuit evaluation, YAML documents that must
 * load or be rejected with an exact message, rules against records, and
 * the index (a rule is never skipped when it could match).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "match.h"
#include "record.h"
#include "record_int.h"
#include "rule.h"
#include "sigma.h"
#include "xmalloc.h"

#define HDRN(id) "title: t\nid: " id "\nlogsource:\n  product: aws\n" \
		"  service: cloudtrail\n"
#define HDR	HDRN("r1")
#define DET	"detection:\n  sel:\n    eventName: X\n"

/* Condition text over names "a,b,c,...": the tree, or "error: cause". */
static const struct {
	const char	*names;
	const char	*cond;
	const char	*want;
} parse_cases[] = {
	{ "a",		"a",			"a" },
	{ "a,b,c",	"a or b and c",		"(or a (and b c))" },
	{ "a,b,c",	"a and b or c",		"(or (and a b) c)" },
	{ "a,b,c",	"(a or b) and c",	"(and (or a b) c)" },
	{ "a,b",	"not a and b",		"(and (not a) b)" },
	{ "a,b",	"not (a and b)",	"(not (and a b))" },
	{ "a,b",	"not not a",		"(not (not a))" },
	{ "a,b,c",	"a and b and c",	"(and a b c)" },
	{ "a,b,c",	"a or b or c",		"(or a b c)" },
	{ "a,b",	"A AND B",		"error: unknown search "
						"identifier 'A' at column 1" },
	{ "a,b",	"a AND b",		"(and a b)" },
	{ "a,b",	"a\tand\nb",		"(and a b)" },
	{ "sel_1,sel_2,filter", "1 of sel_*",	"(or sel_1 sel_2)" },
	{ "sel_1,sel_2,filter", "any of sel_*",	"(or sel_1 sel_2)" },
	{ "sel_1,sel_2,filter", "all of sel_*",	"(and sel_1 sel_2)" },
	{ "sel_1,sel_2,filter", "1 of filter*",	"filter" },
	{ "sel,filter_a,filter_b", "sel and not 1 of filter_*",
	    "(and sel (not (or filter_a filter_b)))" },
	{ "a,_b,c",	"1 of them",		"(or a c)" },
	{ "a,_b,c",	"all of them",		"(and a c)" },
	{ "a,_b,c",	"1 of _*",		"_b" },
	{ "a,_b",	"_b",			"_b" },
	{ "a,b,c",	"2 of them",		"(2 of a b c)" },
	{ "a,b,c",	"3 of them",		"(and a b c)" },
	{ "a,b,c",	"4 of them",		"error: '4 of them' at column "
					"1 asks for more than the 3 matching "
					"search identifiers" },
	{ "a,b",	"0 of them",		"error: '0 of' at column 1 can "
						"never match" },
	{ "ab,xab,abx",	"1 of *ab*",		"(or ab xab abx)" },
	{ "ab,xab,abx",	"all of a*b",		"ab" },
	{ "a,b",	"1 of c*",		"error: no search identifier "
						"matches 'c*' at column 6" },
	{ "_a",		"1 of them",		"error: no search identifier "
						"matches 'them' at column 6" },
	{ "a,b",	"a*",			"error: pattern 'a*' at column "
						"1 needs '1 of' or 'all of'" },
	{ "a,b",	"1 a",			"error: expected 'of' after '1' "
						"at column 1" },
	{ "a,b",	"1 of",			"error: expected a pattern or "
						"'them' after '1 of'" },
	{ "a,b",	"all of (a)",		"error: unexpected '(' at "
						"column 8" },
	{ "a,b",	"a and",		"error: unexpected end of "
						"condition" },
	{ "a,b",	"a b",			"error: unexpected 'b' at "
						"column 3" },
	{ "a,b",	"(a or b",		"error: missing ')' for the '(' "
						"at column 1" },
	{ "a,b",	"a)",			"error: unexpected ')' at "
						"column 2" },
	{ "a,b",	"",			"error: empty condition" },
	{ "a,b",	"  ",			"error: empty condition" },
	{ "a,b",	"a or or b",		"error: unexpected 'or' at "
						"column 6" },
	{ "a,b",	"a and not",		"error: unexpected end of "
						"condition" },
	{ "a",		"selection | count() > 5",
	    "error: obsolete aggregation '| count() > 5': write a "
	    "correlation rule instead" },
	{ "s1,s2",	"s1 | near s2 ",
	    "error: obsolete aggregation '| near s2': write a correlation "
	    "rule instead" },
	{ "a",		"((((((((((((((((((((((((((((((((((((((((((((((((((((("
			"((((((((((((a))))))))))))))))))))))))))))))))))))))))"
			")))))))))))))))))))))))))",
	    "error: condition nested deeper than 64 levels" },
	{ "a",		"not not not not not not not not not not not not not "
			"not not not not not not not not not not not not not "
			"not not not not not not not not not not not not not "
			"not not not not not not not not not not not not not "
			"not not not not not not not not not not not not not a",
	    "error: condition nested deeper than 64 levels" },
	{ "a",		"((((((((((a))))))))))",	"a" },
};

/* Condition over a..h with the given true identifiers (a bit each). */
static const struct {
	const char	*cond;
	unsigned	 truth;
	int		 want;
	unsigned	 calls;		/* identifiers evaluated */
} eval_cases[] = {
	{ "a or b",			0x1,	1,	0x1 },
	{ "a or b",			0x2,	1,	0x3 },
	{ "a or b",			0x0,	0,	0x3 },
	{ "a and b",			0x0,	0,	0x1 },
	{ "a and b",			0x3,	1,	0x3 },
	{ "not a",			0x0,	1,	0x1 },
	{ "a and not b",		0x1,	1,	0x3 },
	{ "a and not b",		0x3,	0,	0x3 },
	{ "a or b and c",		0x6,	1,	0x7 },
	{ "(a or b) and c",		0x1,	0,	0x5 },
	{ "2 of them",			0x5,	1,	0x7 },
	{ "2 of them",			0x3,	1,	0x3 },
	{ "2 of them",			0x1,	0,	0xff },
	/* stops once too few are left to reach the count */
	{ "7 of them",			0x00,	0,	0x3 },
	{ "all of them",		0xff,	1,	0xff },
	{ "1 of them",			0x80,	1,	0xff },
	{ "a and a and a",		0x1,	1,	0x1 },
};

/* A rule document: loads, or is rejected with exactly this message. */
static const struct {
	const char	*yaml;
	const char	*want;	/* stderr */
	size_t		 loaded, rejected, other;
} load_cases[] = {
	{ HDR DET "  condition: sel\n", "", 1, 0, 0 },
	{ "id: x\nlogsource:\n  product: aws\n  service: cloudtrail\n" DET
	    "  condition: sel\n",
	    "ctaudit: t.yml:1: error: rule has no title\n", 0, 1, 0 },
	{ "title: ''\nlogsource:\n  product: aws\n  service: cloudtrail\n"
	    DET "  condition: sel\n",
	    "ctaudit: t.yml:1: error: rule has no title\n", 0, 1, 0 },
	{ "title: t\n" DET "  condition: sel\n",
	    "ctaudit: t.yml:1: error: rule has no logsource\n", 0, 1, 0 },
	{ "title: t\nlogsource: aws\n" DET "  condition: sel\n",
	    "ctaudit: t.yml:2: error: 'logsource' must be a map\n", 0, 1, 0 },
	/* other log sources are skipped, whatever else is wrong */
	{ "title: t\nlogsource:\n  product: windows\n"
	    "detection:\n  condition: nothing\n", "", 0, 0, 1 },
	{ "title: t\nlogsource:\n  product: aws\n"
	    "detection:\n  condition: nothing\n", "", 0, 0, 1 },
	{ "title: t\nlogsource:\n  product: AWS\n  service: CloudTrail\n"
	    DET "  condition: sel\n", "", 1, 0, 0 },
	{ HDR, "ctaudit: t.yml:1: error: rule has no detection\n", 0, 1, 0 },
	{ HDR DET, "ctaudit: t.yml:6: error: detection has no condition\n",
	    0, 1, 0 },
	{ HDR "detection: sel\n",
	    "ctaudit: t.yml:6: error: 'detection' must be a map\n", 0, 1, 0 },
	{ HDR DET "  condition: sel and sel2\n",
	    "ctaudit: t.yml:9: error: condition: unknown search identifier "
	    "'sel2' at column 9\n", 0, 1, 0 },
	{ HDR DET "  condition:\n    - sel\n    - nope\n",
	    "ctaudit: t.yml:11: error: condition: unknown search identifier "
	    "'nope' at column 1\n", 0, 1, 0 },
	{ HDR DET "  condition:\n    - sel\n    - not sel\n", "", 1, 0, 0 },
	{ HDR DET "  condition: []\n",
	    "ctaudit: t.yml:9: error: 'condition' must be a string or a list "
	    "of strings\n", 0, 1, 0 },
	{ HDR DET "  condition: sel | count() by x > 5\n",
	    "ctaudit: t.yml:9: error: condition: obsolete aggregation "
	    "'| count() by x > 5': write a correlation rule instead\n",
	    0, 1, 0 },
	{ HDR DET "  timeframe: 5m\n  condition: sel\n",
	    "ctaudit: t.yml:9: error: 'timeframe' in a detection is obsolete: "
	    "write a correlation rule instead\n", 0, 1, 0 },
	{ HDR "level: severe\n" DET "  condition: sel\n",
	    "ctaudit: t.yml:6: error: unknown level 'severe' (want "
	    "informational, low, medium, high or critical)\n", 0, 1, 0 },
	{ HDR "status: done\n" DET "  condition: sel\n",
	    "ctaudit: t.yml:6: error: unknown status 'done' (want stable, "
	    "test, experimental, deprecated or unsupported)\n", 0, 1, 0 },
	{ HDR "tags: {a: b}\n" DET "  condition: sel\n",
	    "ctaudit: t.yml:6: error: 'tags' must be a list of strings\n",
	    0, 1, 0 },
	{ HDR "title: again\n" DET "  condition: sel\n",
	    "ctaudit: t.yml:6: error: duplicate key 'title'\n", 0, 1, 0 },
	{ HDR "detection:\n  sel:\n    eventName: X\n    eventName: Y\n"
	    "  condition: sel\n",
	    "ctaudit: t.yml:9: error: duplicate key 'eventName'\n", 0, 1, 0 },
	{ HDR "detection:\n  sel:\n  condition: sel\n",
	    "ctaudit: t.yml:7: error: search identifier 'sel' is empty\n",
	    0, 1, 0 },
	{ HDR "detection:\n  sel: []\n  condition: sel\n",
	    "ctaudit: t.yml:7: error: search identifier 'sel' is empty\n",
	    0, 1, 0 },
	{ HDR "detection:\n  sel:\n    a:\n      b: c\n  condition: sel\n",
	    "ctaudit: t.yml:8: error: 'a' has a map as its value: want a "
	    "value or a list of values\n", 0, 1, 0 },
	{ HDR "detection:\n  sel:\n    a: []\n  condition: sel\n",
	    "ctaudit: t.yml:8: error: empty list of values\n", 0, 1, 0 },
	{ HDR "detection:\n  sel:\n    - [a]\n  condition: sel\n",
	    "ctaudit: t.yml:8: error: search identifier 'sel' has a list in "
	    "a list\n", 0, 1, 0 },
	{ HDR "detection:\n  sel:\n    a||contains: x\n  condition: sel\n",
	    "ctaudit: t.yml:8: error: empty modifier in 'a||contains'\n",
	    0, 1, 0 },
	{ HDR "detection:\n  sel:\n    a: \"x\\0y\"\n  condition: sel\n",
	    "ctaudit: t.yml:8: error: NUL byte in a string\n", 0, 1, 0 },
	{ HDR "detection:\n  sel:\n    a|expand: '%nope%'\n"
	    "  condition: sel\n",
	    "ctaudit: t.yml:8: error: placeholder %nope% has no value\n",
	    0, 1, 0 },
	{ HDR "detection:\n  sel:\n    a|expand: '\\%nope-%a%'\n"
	    "  condition: sel\n", "", 1, 0, 0 },
	{ HDR "detection:\n  sel:\n    '|all':\n      - foo\n      - bar\n"
	    "  condition: sel\n", "", 1, 0, 0 },
	{ HDR "detection:\n  keywords: foo\n  condition: keywords\n",
	    "", 1, 0, 0 },
	{ HDR "detection:\n  sel:\n    - foo\n    - a: b\n"
	    "  condition: sel\n", "", 1, 0, 0 },
	/* YAML hazards */
	{ HDR "detection:\n  sel: &s\n    a: b\n  sel2: *s\n"
	    "  condition: sel\n",
	    "ctaudit: t.yml:9: error: YAML aliases are not supported (the "
	    "anchor is at line 7)\n", 0, 1, 0 },
	{ "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c]\n"
	    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
	    "ctaudit: t.yml:2: error: YAML aliases are not supported (the "
	    "anchor is at line 1)\n", 0, 1, 0 },
	{ "a: &a [*a]\n",
	    "ctaudit: t.yml:1: error: YAML aliases are not supported (the "
	    "anchor is at line 1)\n", 0, 1, 0 },
	{ "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]]]]]]]]]\n",
	    "ctaudit: t.yml:1: error: YAML nested deeper than 32 levels; the "
	    "rest of the file is not read\n", 0, 1, 0 },
	/* The cap holds while reading: the rules before it are kept. */
	{ HDR DET "  condition: sel\n---\nb:\n  - [[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
	    "---\n" HDR DET "  condition: sel\n",
	    "ctaudit: t.yml:12: error: YAML nested deeper than 32 levels; the "
	    "rest of the file is not read\n", 1, 1, 0 },
	{ "title: [\n",
	    "ctaudit: t.yml:2: error: YAML: did not find expected node content "
	    "while parsing a flow node\n", 0, 1, 0 },
	{ "- a\n- b\n",
	    "ctaudit: t.yml:1: error: a rule must be a YAML map\n", 0, 1, 0 },
	{ "? [a]\n: b\n",
	    "ctaudit: t.yml:1: error: mapping keys must be strings\n",
	    0, 1, 0 },
	{ "", "", 0, 0, 0 },
	{ "---\n...\n---\n", "", 0, 0, 0 },
	/* documents: each is a rule, and a bad one does not stop the rest */
	{ HDR DET "  condition: nope\n---\n" HDR DET "  condition: sel\n",
	    "ctaudit: t.yml:9: error: condition: unknown search identifier "
	    "'nope' at column 1\n", 1, 1, 0 },
	{ HDR DET "  condition: sel\n---\ntitle: c\nname: c1\n"
	    "correlation:\n  type: event_count\n  rules: [r1]\n"
	    "  timespan: 1h\n  condition:\n    gte: 10\n", "", 2, 0, 0 },
	{ HDR DET "  condition: sel\n---\ntitle: c\nname: c1\n"
	    "correlation:\n  type: event_count\n  rules: [r2]\n"
	    "  timespan: 1h\n  condition:\n    gte: 10\n",
	    "ctaudit: t.yml:15: error: correlation rule 'c' refers to rule "
	    "'r2', which is not loaded by this or an earlier -r\n", 1, 1, 0 },
	/* a filter for another log source is skipped like a rule */
	{ "title: f\nlogsource:\n  product: aws\nfilter:\n  rules: [r1]\n"
	    "  sel:\n    a: b\n  condition: not sel\n", "", 0, 0, 1 },
	{ HDR DET "  condition: sel\n---\n" HDRN("r2") DET "  condition: sel\n"
	    "---\ntitle: [\n",
	    "ctaudit: t.yml:22: error: YAML: did not find expected node "
	    "content while parsing a flow node\n", 2, 1, 0 },
	/* one id, two rules: the second is refused, naming the first */
	{ HDR DET "  condition: sel\n---\n" HDR DET "  condition: sel\n",
	    "ctaudit: t.yml:11: error: rule id r1 is already used by t.yml:1; "
	    "this rule is not loaded\n", 1, 1, 0 },
};

/* A rule, records, and whether each record matches (a bit each). */
static const struct {
	const char	*yaml;
	const char	*records[6];
	unsigned	 want;
} match_cases[] = {
	{ HDR DET "  condition: sel\n",
	    { "{\"eventName\":\"X\"}", "{\"eventName\":\"x\"}",
	      "{\"eventName\":\"Y\"}", "{}", "{\"eventName\":[\"Y\",\"x\"]}",
	      "{\"eventName\":{\"a\":\"X\"}}" }, 0x33 },
	/* null: absent or JSON null */
	{ HDR "detection:\n  sel:\n    errorCode: null\n  condition: sel\n",
	    { "{}", "{\"errorCode\":null}", "{\"errorCode\":\"x\"}",
	      "{\"errorCode\":\"\"}" }, 0x3 },
	{ HDR "detection:\n  sel:\n    errorCode: ''\n  condition: sel\n",
	    { "{}", "{\"errorCode\":null}", "{\"errorCode\":\"x\"}",
	      "{\"errorCode\":\"\"}" }, 0x8 },
	/* a map is AND, a list value is OR, a list of maps is OR */
	{ HDR "detection:\n  sel:\n    a: [x, y]\n    b: z\n"
	    "  condition: sel\n",
	    { "{\"a\":\"x\",\"b\":\"z\"}", "{\"a\":\"y\",\"b\":\"z\"}",
	      "{\"a\":\"x\"}", "{\"a\":\"q\",\"b\":\"z\"}" }, 0x3 },
	{ HDR "detection:\n  sel:\n    - a: x\n    - b: z\n"
	    "  condition: sel\n",
	    { "{\"a\":\"x\"}", "{\"b\":\"z\"}", "{\"a\":\"z\"}" }, 0x3 },
	{ HDR "detection:\n  sel:\n    a|contains|all: [x, y]\n"
	    "  condition: sel\n",
	    { "{\"a\":\"xy\"}", "{\"a\":\"x\"}", "{\"a\":\"yzx\"}" }, 0x5 },
	/* keywords search the whole record */
	{ HDR "detection:\n  kw:\n    - evil\n    - bad\n  condition: kw\n",
	    { "{\"a\":{\"b\":\"very EVIL\"}}", "{\"a\":\"good\"}",
	      "{\"bad\":\"key only\"}" }, 0x1 },
	/* them leaves out _names; not; condition lists */
	{ HDR "detection:\n  a:\n    x: 1\n  _b:\n    y: 1\n"
	    "  condition: all of them\n",
	    { "{\"x\":1}", "{\"y\":1}", "{\"x\":\"1\",\"y\":2}" }, 0x5 },
	{ HDR "detection:\n  a:\n    x: 1\n  b:\n    y: 1\n"
	    "  condition:\n    - a and not b\n    - b and not a\n",
	    { "{\"x\":1}", "{\"y\":1}", "{\"x\":1,\"y\":1}", "{}" }, 0x3 },
	/* placeholders (a=1, a=2, b=q given) */
	{ HDR "detection:\n  sel:\n    x|expand: '%a%-%b%'\n"
	    "  condition: sel\n",
	    { "{\"x\":\"1-q\"}", "{\"x\":\"2-q\"}", "{\"x\":\"3-q\"}",
	      "{\"x\":\"%a%-%b%\"}" }, 0x3 },
	{ HDR "detection:\n  sel:\n    x|expand: '\\%a%%b%'\n"
	    "  condition: sel\n",
	    { "{\"x\":\"%a%q\"}", "{\"x\":\"1q\"}" }, 0x1 },
	{ HDR "detection:\n  sel:\n    x: '%a%'\n  condition: sel\n",
	    { "{\"x\":\"%a%\"}", "{\"x\":\"1\"}" }, 0x1 },
};

/* Rules for the index test: every way a condition can pin eventName. */
static const char index_rules[] =
    HDR DET "  condition: sel\n"
    "---\n" HDRN("r2") DET "  condition: not sel\n"
    "---\n" HDRN("r3") "detection:\n  sel:\n    eventName: [A, B]\n"
    "    x: 1\n  f:\n    y: 1\n  condition: sel and not f\n"
    "---\n" HDRN("r4") "detection:\n  s1:\n    eventName: A\n"
    "  s2:\n    x: 1\n  condition: s1 or s2\n"
    "---\n" HDRN("r5") "detection:\n  s_1:\n    eventName: A\n"
    "  s_2:\n    eventName: c\n  condition: 1 of s_*\n"
    "---\n" HDRN("r6") "detection:\n  sel:\n    - eventName: A\n"
    "    - eventSource: s3.amazonaws.com\n  condition: sel\n"
    "---\n" HDRN("r7") "detection:\n  sel:\n"
    "    eventSource: s3.amazonaws.com\n  condition: sel\n"
    "---\n" HDRN("r8") "detection:\n  sel:\n    eventName|contains: A\n"
    "  condition: sel\n"
    "---\n" HDRN("r9") "detection:\n  kw: [a]\n  condition: kw\n"
    "---\n" HDRN("r10") "detection:\n  a:\n    eventName: A\n"
    "  b:\n    eventName: B\n  c:\n    x: 1\n  condition: 2 of them\n"
    "---\n" HDRN("r11") "detection:\n  a:\n    eventName: A\n"
    "  b:\n    x: 1\n  c:\n    y: 1\n  condition: 2 of them\n"
    "---\n" HDRN("r12") "detection:\n  a:\n    eventName: ''\n"
    "  condition: a\n"
    "---\n" HDRN("r13") "detection:\n  sel:\n"
    "    - errorCode|startswith: AccessDenied\n"
    "    - errorCode|endswith: Unauthorized\n  condition: sel\n"
    "---\n" HDRN("r14") "detection:\n  sel:\n"
    "    userIdentity.type: Root\n  f:\n"
    "    eventSource: signin.amazonaws.com\n  condition: sel and not f\n"
    "---\n" HDRN("r15") "detection:\n  sel:\n    errorCode: null\n"
    "  condition: sel\n"
    "---\n" HDRN("r16") "detection:\n  sel:\n"
    "    errorCode|exists: false\n  condition: sel\n"
    "---\n" HDRN("r17") "detection:\n  a:\n    errorCode|exists: true\n"
    "  b:\n    x: 1\n  condition: a and not b\n"
    "---\n" HDRN("r18") "detection:\n  a:\n"
    "    userIdentity.type: [AssumedRole, IAMUser]\n"
    "    userAgent|contains: kali\n  condition: a\n"
    "---\n" HDRN("r19") "detection:\n  a:\n    eventName: R\n"
    "  d:\n    errorCode|startswith: AccessDenied\n"
    "  condition: a and d\n";

static const char *const index_records[] = {
	"{\"eventName\":\"X\"}",
	"{\"eventName\":\"x\",\"x\":1}",
	"{\"eventName\":\"a\",\"x\":1}",
	"{\"eventName\":\"B\",\"x\":1,\"y\":1}",
	"{\"eventName\":\"C\"}",
	"{\"eventName\":\"Z\",\"eventSource\":\"S3.amazonaws.com\"}",
	"{\"eventSource\":\"s3.amazonaws.com\",\"x\":1,\"y\":1}",
	"{\"eventName\":[\"a\",\"q\"],\"x\":1}",
	"{\"eventName\":{\"n\":\"X\"}}",
	"{\"eventName\":null,\"x\":1}",
	"{\"eventName\":\"\",\"x\":1,\"y\":1}",
	"{\"eventName\":\"Xa\",\"eventSource\":\"s3.amazonaws.com\"}",
	"{\"x\":1,\"y\":1}",
	"{\"q\":\"a\"}",
	/* repeated members: the matcher tries each, so must the index */
	"{\"eventName\":\"X\",\"eventName\":\"A\",\"x\":1}",
	"{\"eventSource\":\"x\",\"eventSource\":\"s3.amazonaws.com\"}",
	/* errorCode and userIdentity.type, in every shape */
	"{\"errorCode\":\"AccessDeniedException\"}",
	"{\"errorCode\":\"Client.UnauthorizedOperation\",\"x\":1}",
	"{\"errorCode\":null,\"userIdentity\":{\"type\":\"root\"}}",
	"{\"errorCode\":[\"AccessDenied\"]}",
	"{\"errorCode\":{\"c\":\"AccessDenied\"}}",
	"{\"userIdentity\":{\"type\":\"Root\"},"
	    "\"eventSource\":\"signin.amazonaws.com\"}",
	"{\"userIdentity\":{\"type\":\"IAMUser\"},\"userAgent\":\"x-kali\"}",
	"{\"userIdentity.type\":\"Root\"}",
	"{\"userIdentity.type\":\"assumedrole\",\"userAgent\":\"kali\"}",
	"{\"userIdentity\":[{\"type\":\"Root\"}]}",
	"{\"userIdentity\":{\"type\":\"X\",\"type\":\"Root\"}}",
	"{\"userIdentity\":{\"type\":[\"Root\"]}}",
	"{\"userIdentity\":{\"type\":{\"a\":\"Root\"}}}",
	"{\"userIdentity\":\"Root\",\"userIdentityX\":{\"type\":\"Root\"}}",
	"{\"userIdentity\":{\"type\":\"Root\"},\"userIdentity\":{}}",
	"{\"userIdentity\":{\"type.x\":\"Root\",\"type\":\"IAMUser\","
	    "\"userAgent\":\"kali\"},\"userAgent\":\"KALI\"}",
	/* r19 is filed under its eventName and needs an errorCode too */
	"{\"eventName\":\"R\"}",
	"{\"eventName\":\"r\",\"errorCode\":\"AccessDeniedException\"}",
	"{\"eventName\":\"R\",\"errorCode\":null}",
	"{\"errorCode\":\"AccessDenied\",\"eventName\":[\"R\"]}",
};

static char	 ph_a1[] = "a=1", ph_a2[] = "a=2", ph_bq[] = "b=q";
static char	*placeholders[] = { ph_a1, ph_a2, ph_bq };

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

/* Split "a,b,c" into names (pointers into a copy kept in *buf). */
static size_t
split(const char *s, char **buf, const char **names, size_t max)
{
	char	*p;
	size_t	 n = 0;

	*buf = xstrdup(s);
	for (p = strtok(*buf, ","); p != NULL && n < max;
	    p = strtok(NULL, ","))
		names[n++] = p;
	return n;
}

static void
test_parse(void)
{
	const char		*names[16];
	struct sigma_cond	*c;
	char			*buf, *cause, *got;
	size_t			 i, n;

	for (i = 0; i < nitems(parse_cases); i++) {
		n = split(parse_cases[i].names, &buf, names, nitems(names));
		c = sigma_cond_parse(parse_cases[i].cond, names, n, &cause);
		if (c != NULL)
			got = sigma_cond_print(c, names);
		else
			got = xprintf("error: %s", cause);
		if (strcmp(got, parse_cases[i].want) != 0)
			fail("parse '%s': got '%s', want '%s'",
			    parse_cases[i].cond, got, parse_cases[i].want);
		free(got);
		free(cause);
		sigma_cond_free(c);
		free(buf);
	}
}

struct eval_arg {
	unsigned	truth, calls;
};

static int
eval_cb(void *arg, size_t i)
{
	struct eval_arg	*ea = arg;

	ea->calls |= 1U << i;
	return (ea->truth >> i) & 1;
}

static void
test_eval(void)
{
	static const char *const names[] = {
		"a", "b", "c", "d", "e", "f", "g", "h"
	};
	struct sigma_cond	*c;
	struct eval_arg		 ea;
	char			*cause;
	size_t			 i;
	int			 got;

	for (i = 0; i < nitems(eval_cases); i++) {
		c = sigma_cond_parse(eval_cases[i].cond, names, nitems(names),
		    &cause);
		if (c == NULL) {
			fail("eval '%s': %s", eval_cases[i].cond, cause);
			free(cause);
			continue;
		}
		ea.truth = eval_cases[i].truth;
		ea.calls = 0;
		got = sigma_cond_eval(c, eval_cb, &ea);
		if (got != eval_cases[i].want || ea.calls != eval_cases[i].calls)
			fail("eval '%s' with %#x: got %d calls %#x, want %d "
			    "calls %#x", eval_cases[i].cond,
			    eval_cases[i].truth, got, ea.calls,
			    eval_cases[i].want, eval_cases[i].calls);
		sigma_cond_free(c);
	}
}

/* Load yaml as t.yml; return what diag() printed. */
static char *
load(struct rule_set *rs, const char *yaml)
{
	FILE	*tmp;
	char	*out;
	long	 len;
	int	 saved;

	fflush(stderr);
	if ((tmp = tmpfile()) == NULL || (saved = dup(2)) == -1 ||
	    dup2(fileno(tmp), 2) == -1)
		fatal("tmpfile");
	rule_set_load_buffer(rs, "t.yml", yaml, strlen(yaml));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	len = ftell(tmp);
	out = xcalloc(1, len + 1);
	rewind(tmp);
	if (fread(out, 1, len, tmp) != (size_t)len)
		fatal("fread");
	fclose(tmp);
	return out;
}

static struct rule_set *
new_set(void)
{
	struct rule_opts	opts;

	memset(&opts, 0, sizeof opts);
	opts.placeholders = placeholders;
	opts.nplaceholders = nitems(placeholders);
	return rule_set_create(&opts);
}

static void
test_load(void)
{
	const struct rule_set_stats	*st;
	struct rule_set			*rs;
	char				*got;
	size_t				 i;

	for (i = 0; i < nitems(load_cases); i++) {
		rs = new_set();
		got = load(rs, load_cases[i].yaml);
		st = rule_set_stats(rs);
		if (strcmp(got, load_cases[i].want) != 0)
			fail("load case %zu: got\n%s want\n%s", i, got,
			    load_cases[i].want);
		if (st->loaded != load_cases[i].loaded ||
		    st->rejected != load_cases[i].rejected ||
		    st->other_logsource != load_cases[i].other)
			fail("load case %zu: loaded %zu rejected %zu other %zu,"
			    " want %zu %zu %zu", i, st->loaded, st->rejected,
			    st->other_logsource, load_cases[i].loaded,
			    load_cases[i].rejected, load_cases[i].other);
		free(got);
		rule_set_free(rs);
	}
}

struct match_arg {
	unsigned	hits;
	size_t		bit;
	size_t		rules[64];
	size_t		nrules;
};

static void
match_cb(const struct rule *r, struct record *rec, void *arg)
{
	struct match_arg	*ma = arg;

	(void)rec;
	ma->hits |= 1U << ma->bit;
	if (ma->nrules < nitems(ma->rules))
		ma->rules[ma->nrules++] = r->index;
}

static struct record *
mkrecord(const char *json)
{
	struct record	*rec;
	char		*cause = NULL;

	if ((rec = record_from_json(json, strlen(json), "-", &cause)) == NULL)
		fatalx("bad test record %s: %s", json, cause);
	return rec;
}

static void
test_match(void)
{
	struct rule_set		*rs;
	struct record		*rec;
	struct match_arg	 ma;
	char			*got;
	size_t			 i, k;

	for (i = 0; i < nitems(match_cases); i++) {
		rs = new_set();
		got = load(rs, match_cases[i].yaml);
		if (*got != '\0' || rule_set_count(rs) != 1) {
			fail("match case %zu does not load: %s", i, got);
			goto next;
		}
		memset(&ma, 0, sizeof ma);
		for (k = 0; k < nitems(match_cases[i].records) &&
		    match_cases[i].records[k] != NULL; k++) {
			rec = mkrecord(match_cases[i].records[k]);
			ma.bit = k;
			rule_set_eval(rs, rec, match_cb, &ma);
			record_free(rec);
		}
		if (ma.hits != match_cases[i].want)
			fail("match case %zu: got %#x, want %#x", i, ma.hits,
			    match_cases[i].want);
next:
		free(got);
		rule_set_free(rs);
	}
}

static int
brute_cb(void *arg, size_t i)
{
	void		**a = arg;
	struct rule	 *r = a[0];
	struct record	 *rec = a[1];
	struct sigma_group *g;
	size_t		  k, n;

	for (k = 0; k < r->sels[i].ngroups; k++) {
		g = &r->sels[i].groups[k];
		for (n = 0; n < g->nitems; n++) {
			if (!match_item_eval(g->items[n], rec))
				break;
		}
		if (n == g->nitems)
			return 1;
	}
	return 0;
}

/* The index gives the same matches, in load order, as trying every rule. */
static void
test_index(void)
{
	struct rule_set		*rs;
	struct record		*rec;
	struct match_arg	 ma;
	struct rule		*r;
	void			*a[2];
	char			*got;
	size_t			 i, k, want[64], nwant;

	rs = new_set();
	got = load(rs, index_rules);
	if (*got != '\0' || rule_set_count(rs) != 19)
		fail("index rules do not load: %s", got);
	free(got);
	/*
	 * Not indexed: r2 (not), r4 and r6 (an OR with an unpinned side),
	 * r8 (contains), r9 (keywords), r11 (2 of 3, one pinned), r12 (''),
	 * r15 and r16 (match without an errorCode).  r13 and r17 need an
	 * errorCode, r14 and r18 are filed under userIdentity.type, r19 under
	 * its eventName, tried only on records with an errorCode.
	 */
	if (rule_set_nalways(rs) != 9)
		fail("index: %zu rules always evaluated, want 9",
		    rule_set_nalways(rs));
	for (i = 0; i < nitems(index_records); i++) {
		rec = mkrecord(index_records[i]);
		memset(&ma, 0, sizeof ma);
		rule_set_eval(rs, rec, match_cb, &ma);
		nwant = 0;
		for (k = 0; k < rule_set_count(rs); k++) {
			r = (struct rule *)rule_set_get(rs, k);
			a[0] = r;
			a[1] = rec;
			if (sigma_cond_eval(r->cond, brute_cb, a))
				want[nwant++] = k;
		}
		if (ma.nrules != nwant || memcmp(ma.rules, want,
		    nwant * sizeof *want) != 0) {
			fail("index: record %s: %zu matches, want %zu",
			    index_records[i], ma.nrules, nwant);
		}
		record_free(rec);
	}
	rule_set_free(rs);
}

/* Level, id, tag and status filters; defaults for missing id and level. */
static void
test_filters(void)
{
	static const char rules[] =
	    "title: one\nlogsource:\n  product: aws\n  service: cloudtrail\n"
	    DET "  condition: sel\n"
	    "---\n" HDRN("r2") "level: high\ntags: [attack.x, Attack.Y]\n"
	    "status: test\n" DET "  condition: sel\n"
	    "---\n" HDRN("r3") "level: low\nstatus: stable\n" DET
	    "  condition: sel\n";
	static char		 id1[] = "R2", id2[] = "r3", tag[] = "attack.y";
	static char		 st1[] = "test", st2[] = "stable";
	static char		*ids[] = { id1, id2 }, *tags[] = { tag };
	static char		*statuses[] = { st1, st2 };
	struct rule_opts	 opts;
	struct rule_set		*rs;
	const struct rule	*r;
	char			*got;

	memset(&opts, 0, sizeof opts);
	rs = rule_set_create(&opts);
	free(load(rs, rules));
	if (rule_set_count(rs) != 3)
		fail("filters: %zu rules", rule_set_count(rs));
	else {
		r = rule_set_get(rs, 0);
		if (strcmp(rule_id(r), "t") != 0 ||
		    rule_level(r) != RULE_MEDIUM || *rule_status(r) != '\0')
			fail("filters: no id/level gives '%s' %s",
			    rule_id(r), rule_level_name(rule_level(r)));
		r = rule_set_get(rs, 2);
		if (strcmp(rule_id(r), "r3") != 0)
			fail("filters: third rule is %s", rule_id(r));
	}
	rule_set_free(rs);

	opts.min_level = RULE_MEDIUM;
	opts.ids = ids;
	opts.nids = nitems(ids);
	rs = rule_set_create(&opts);
	free(load(rs, rules));
	if (rule_set_count(rs) != 1 || rule_set_stats(rs)->filtered != 2)
		fail("filters: level+id keep %zu", rule_set_count(rs));
	rule_set_free(rs);

	memset(&opts, 0, sizeof opts);
	opts.tags = tags;
	opts.ntags = 1;
	rs = rule_set_create(&opts);
	free(load(rs, rules));
	if (rule_set_count(rs) != 1)
		fail("filters: tag keeps %zu", rule_set_count(rs));
	rule_set_free(rs);

	memset(&opts, 0, sizeof opts);
	opts.statuses = statuses;
	opts.nstatuses = 2;
	rs = rule_set_create(&opts);
	got = load(rs, rules);
	if (rule_set_count(rs) != 2)
		fail("filters: status keeps %zu", rule_set_count(rs));
	free(got);
	rule_set_free(rs);
}

/* Directories are walked in sorted order, .yml and .yaml only. */
static void
test_dir(void)
{
	static const char *const want[] = { "w1", "w3", "w2", "w4" };
	const struct rule_set_stats	*st;
	struct rule_set			*rs;
	const char			*td;
	char				*path;
	size_t				 i;

	if ((td = getenv("TESTDATA")) == NULL)
		return;
	path = xprintf("%s/rules/walk", td);
	rs = rule_set_create(NULL);
	if (rule_set_load(rs, path) != 0)
		fail("walk: rule_set_load failed");
	st = rule_set_stats(rs);
	if (rule_set_count(rs) != nitems(want) || st->files != 4 ||
	    st->other_logsource != 1)
		fail("walk: %zu rules, %zu files, %zu other", rule_set_count(rs),
		    st->files, st->other_logsource);
	for (i = 0; i < rule_set_count(rs) && i < nitems(want); i++) {
		if (strcmp(rule_id(rule_set_get(rs, i)), want[i]) != 0)
			fail("walk: rule %zu is %s, want %s", i,
			    rule_id(rule_set_get(rs, i)), want[i]);
	}
	rule_set_free(rs);
	free(path);
}

int
main(void)
{
	diag_init("ctaudit");
	test_parse();
	test_eval();
	test_load();
	test_match();
	test_index();
	test_filters();
	test_dir();
	return failed;
}
