/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for match.c: wildcards, every modifier, the combinations
 * that must be refused (with their exact causes), the CloudTrail field
 * semantics, and cases taken from the SigmaHQ rules and real records.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match.h"
#include "record.h"
#include "record_int.h"

static int	failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failed = 1;						\
	}								\
} while (0)

/* Values in the tables: the list ends at the first NULL text. */
#define S(t)	{ MATCH_V_STRING, (t), 1 }
#define N(t)	{ MATCH_V_NUMBER, (t), 0 }
#define B(t)	{ MATCH_V_BOOL, (t), 0 }
#define NUL	{ MATCH_V_NULL, "", 0 }
#define END	{ MATCH_V_STRING, NULL, 0 }

static const struct {
	const char	*pat, *subject;
	int		 cased, want;
} wild[] = {
	{ "*.amazonaws.com",	"s3.amazonaws.com",	0, 1 },
	{ "*.amazonaws.com",	".amazonaws.com",	0, 1 },
	{ "*.amazonaws.com",	"amazonaws.com",	0, 0 },
	{ "get*",		"GetObject",		0, 1 },
	{ "get*",		"GetObject",		1, 0 },
	{ "Get*",		"GetObject",		1, 1 },
	{ "Get\\*",		"GetObject",		0, 0 },
	{ "Get\\*",		"Get*",			0, 1 },
	{ "Get\\?",		"Get?",			0, 1 },
	{ "Get\\?",		"Gets",			0, 0 },
	{ "a\\\\b",		"a\\b",			0, 1 },
	{ "a\\\\*",		"a\\xyz",		0, 1 },	/* \\ then * */
	{ "a\\b",		"a\\b",			0, 1 },	/* lone \ */
	{ "a\\",		"a\\",			0, 1 },	/* trailing \ */
	{ "?",			"x",			0, 1 },
	{ "?",			"",			0, 0 },
	{ "?",			"xy",			0, 0 },
	{ "?",			"\xc3\xa9",		0, 1 },	/* one é */
	{ "??",			"\xc3\xa9",		0, 0 },
	{ "a?c",		"a\xe2\x80\x93" "c",	0, 1 },
	{ "*",			"",			0, 1 },
	{ "*",			"anything",		0, 1 },
	{ "**",			"",			0, 1 },
	{ "",			"",			0, 1 },
	{ "",			"x",			0, 0 },
	{ "a*a",		"a",			0, 0 },
	{ "a*a",		"aa",			0, 1 },
	{ "a**b",		"ab",			0, 1 },
	{ "*abc*",		"xxABCxx",		0, 1 },
	{ "*abc*",		"xxABxx",		0, 0 },
	{ "*a*b*c*",		"zzAzzBzzCzz",		0, 1 },
	{ "*a*b*c*",		"zzCzzBzzAzz",		0, 0 },
	{ "*ab?d",		"xxabab_d",		0, 1 },
	{ "*ab?d",		"xxabab_de",		0, 0 },
	{ "*?",			"\xc3\xa9",		0, 1 },
	{ "*??",		"\xc3\xa9",		0, 0 },
	{ "*b?",		"ab\xe2\x82\xac",	0, 1 },
	{ "*aab",		"aaab",			0, 1 },
	{ "*aab*",		"aaab",			0, 1 },
	{ "x*aab",		"xaaaaab",		0, 1 },
	{ "ÄB",			"Äb",			0, 1 },	/* ASCII folding */
	{ "äb",			"ÄB",			0, 0 },	/* only */
	{ "NO",			"No",			0, 1 },
	{ "[x]",		"[X]",			0, 1 },
	{ "@",			"`",			0, 0 },	/* 0x40/0x60 */
};

static void
test_wildcard(void)
{
	size_t	i;
	int	got;

	for (i = 0; i < sizeof wild / sizeof wild[0]; i++) {
		got = match_wildcard(wild[i].pat, strlen(wild[i].pat),
		    wild[i].subject, strlen(wild[i].subject), wild[i].cased);
		if (got != wild[i].want) {
			fprintf(stderr, "'%s' ~ '%s' (cased %d): got %d, "
			    "want %d\n", wild[i].subject, wild[i].pat,
			    wild[i].cased, got, wild[i].want);
			failed = 1;
		}
	}
	/* subjects may hold NULs */
	CHECK(match_wildcard("a*b", 3, "a\0b", 3, 0) == 1);
	CHECK(match_wildcard("a?b", 3, "a\0b", 3, 0) == 1);
	CHECK(match_wildcard("ab", 2, "a\0b", 3, 0) == 0);
}

/* Items that must not compile, with the exact cause. */
static const struct {
	const char		*field;
	const char		*mods[5];
	struct match_value	 vals[4];
	const char		*cause;
} bad[] = {
	{ "f", { "containz" }, { S("x"), END },
	    "unknown modifier 'containz'" },
	{ "f", { "expand" }, { S("%x%"), END },
	    "modifier 'expand' was not resolved" },
	{ "f", { "contains", "contains" }, { S("x"), END },
	    "duplicate modifier 'contains'" },
	{ "f", { "re", "contains" }, { S("x"), END },
	    "modifier 'contains' cannot be combined with 're'" },
	{ "f", { "contains", "re" }, { S("x"), END },
	    "modifier 're' cannot be combined with 'contains'" },
	{ "f", { "startswith", "endswith" }, { S("x"), END },
	    "modifier 'endswith' cannot be combined with 'startswith'" },
	{ "f", { "exists", "all" }, { B("true"), END },
	    "modifier 'all' cannot be combined with 'exists'" },
	{ "f", { "cidr", "contains" }, { S("10.0.0.0/8"), END },
	    "modifier 'contains' cannot be combined with 'cidr'" },
	{ "f", { "re", "cased" }, { S("x"), END },
	    "modifier 'cased' cannot be combined with 're'" },
	{ "f", { "lt", "gt" }, { N("1"), END },
	    "modifier 'gt' cannot be combined with 'lt'" },
	{ "f", { "hour", "day" }, { N("1"), END },
	    "modifier 'day' cannot be combined with 'hour'" },
	{ "f", { "neq", "contains" }, { S("x"), END },
	    "modifier 'contains' cannot be combined with 'neq'" },
	{ "f", { "windash", "base64" }, { S("-x"), END },
	    "modifier 'base64' cannot be combined with 'windash'" },
	{ "f", { "accounts", "re" }, { S("x"), END },
	    "modifier 're' cannot be combined with 'accounts'" },
	{ "f", { "cidr", "accounts" }, { S("10.0.0.0/8"), END },
	    "modifier 'accounts' cannot be combined with 'cidr'" },
	{ "f", { "accounts", "exists" }, { B("true"), END },
	    "modifier 'exists' cannot be combined with 'accounts'" },
	{ "f", { "accounts", "gt" }, { N("1"), END },
	    "modifier 'gt' cannot be combined with 'accounts'" },
	{ "f", { "accounts", "base64" }, { S("x"), END },
	    "modifier 'base64' cannot be combined with 'accounts'" },
	{ "f", { "accounts", "accounts" }, { S("x"), END },
	    "duplicate modifier 'accounts'" },
	{ NULL, { "accounts" }, { S("x"), END },
	    "modifier 'accounts' needs a field" },
	{ "f", { "accounts", "fieldref" }, { S(""), END },
	    "modifier 'fieldref' takes a field name, not ''" },
	{ "f", { "fieldref", "re" }, { S("g"), END },
	    "modifier 're' cannot be combined with 'fieldref'" },
	{ "f", { "i" }, { S("x"), END },
	    "modifier 'i' needs 're'" },
	{ "f", { "s", "m" }, { S("x"), END },
	    "modifier 'm' needs 're'" },
	{ "f", { "utf16le" }, { S("x"), END },
	    "modifier 'utf16le' must be followed by 'base64' or "
	    "'base64offset'" },
	{ "f", { "wide", "contains", "base64" }, { S("x"), END },
	    "modifier 'wide' must be followed by 'base64' or "
	    "'base64offset'" },
	{ "f", { "base64", "utf16" }, { S("x"), END },
	    "modifier 'utf16' must come before 'base64'" },
	{ "f", { "utf16le", "utf16be" }, { S("x"), END },
	    "modifier 'utf16be' cannot be combined with 'utf16le'" },
	{ "f", { "base64" }, { S("who*"), END },
	    "value 'who*' has wildcards, which 'base64' cannot encode" },
	{ "f", { "utf16le", "base64" }, { S("\xff"), END },
	    "value '\xff' is not valid UTF-8" },
	{ "f", { "cidr" }, { S("10.0.0.0/33"), END },
	    "value '10.0.0.0/33' is not a CIDR network (for 'cidr')" },
	{ "f", { "cidr" }, { S("10.0.0.010/8"), END },
	    "value '10.0.0.010/8' is not a CIDR network (for 'cidr')" },
	{ "f", { "cidr" }, { S("s3.amazonaws.com"), END },
	    "value 's3.amazonaws.com' is not a CIDR network (for 'cidr')" },
	{ "f", { "lt" }, { S("ten"), END },
	    "value 'ten' is not a number (for 'lt')" },
	{ "f", { "gte" }, { N("0x10"), END },
	    "value '0x10' is not a number (for 'gte')" },
	{ "f", { "hour" }, { N("1.5"), END },
	    "value '1.5' is not an integer (for 'hour')" },
	{ "f", { "exists" }, { S("yes"), END },
	    "modifier 'exists' takes true or false, not 'yes'" },
	{ "f", { "exists" }, { B("true"), B("false"), END },
	    "modifier 'exists' takes a single value" },
	{ "f", { "re" }, { S("a(b"), END },
	    "regular expression 'a(b' at offset 3: missing closing "
	    "parenthesis" },
	{ "f", { "fieldref" }, { S(""), END },
	    "modifier 'fieldref' takes a field name, not ''" },
	{ "f", { "contains" }, { NUL, END },
	    "a null value cannot be used with modifiers" },
	{ NULL, { NULL }, { NUL, END },
	    "a null value needs a field" },
	{ NULL, { "exists" }, { B("true"), END },
	    "modifier 'exists' needs a field" },
	{ NULL, { "cidr" }, { S("10.0.0.0/8"), END },
	    "modifier 'cidr' needs a field" },
	{ "", { NULL }, { S("x"), END },
	    "empty field name" },
	{ "eventName.", { "exists" }, { S("true"), END },
	    "empty part in field name" },
	{ ".eventName", { NULL }, { S("x"), END },
	    "empty part in field name" },
	{ "requestParameters..bucketName", { NULL }, { S("x"), END },
	    "empty part in field name" },
	{ "f", { NULL }, { END },
	    "no values" },
};

static size_t
nmods(const char *const *m)
{
	size_t	n = 0;

	while (n < 5 && m[n] != NULL)
		n++;
	return n;
}

static size_t
nvals(const struct match_value *v)
{
	size_t	n = 0;

	while (v[n].text != NULL)
		n++;
	return n;
}

static void
test_bad(void)
{
	struct match_item	*mi;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		mi = match_item_compile(bad[i].field, bad[i].mods,
		    nmods(bad[i].mods), bad[i].vals, nvals(bad[i].vals),
		    &cause);
		if (mi != NULL) {
			fprintf(stderr, "bad[%zu]: compiled, want '%s'\n", i,
			    bad[i].cause);
			failed = 1;
			match_item_free(mi);
		} else if (cause == NULL || strcmp(cause,
		    bad[i].cause) != 0) {
			fprintf(stderr, "bad[%zu]: cause '%s', want '%s'\n", i,
			    cause ? cause : "(null)", bad[i].cause);
			failed = 1;
		}
		free(cause);
	}
}

/* Base records, after the real ones in /work/shared/data/cloudtrail. */
#define REC_S3 "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":" \
	"\"IAMUser\",\"arn\":\"arn:aws:iam::123456789012:user/alice\"," \
	"\"userName\":\"alice\"},\"eventTime\":\"2023-01-02T03:04:05Z\"," \
	"\"eventSource\":\"s3.amazonaws.com\",\"eventName\":" \
	"\"PutBucketVersioning\",\"sourceIPAddress\":\"203.0.113.7\"," \
	"\"userAgent\":\"[S3 Browser 9.5.5 https://s3browser.com]\"," \
	"\"requestParameters\":{\"bucketName\":\"b\"," \
	"\"VersioningConfiguration\":{\"Status\":\"Suspended\"}}," \
	"\"responseElements\":null,\"readOnly\":false,\"port\":443," \
	"\"additionalEventData\":{\"MFAUsed\":\"No\"},\"tags\":[]}"
#define REC_POLICY "{\"eventName\":\"PutUserPolicy\",\"requestParameters\":" \
	"{\"userName\":\"bob\",\"policyDocument\":\"{\\n \\\"Statement\\\": " \
	"[{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": " \
	"\\\"s3:GetObject\\\", \\\"Resource\\\": " \
	"\\\"arn:aws:s3:::<YOUR-BUCKET-NAME>/*\\\"}]}\"}}"
#define REC_ECS "{\"requestParameters\":{\"containerDefinitions\":[" \
	"{\"name\":\"a\",\"command\":[\"sh\",\"-c\",\"ls\"]}," \
	"{\"name\":\"b\",\"command\":[\"sh\",\"-c\"," \
	"\"curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI\"]}]}}"
#define REC_ERR "{\"errorCode\":\"AccessDenied\"," \
	"\"errorMessage\":\"User is not authorized\"}"
#define REC_ERRNULL "{\"errorCode\":null}"
#define REC_IP(ip) "{\"sourceIPAddress\":\"" ip "\"}"

static const struct {
	const char		*field;
	const char		*mods[5];
	struct match_value	 vals[4];
	const char		*json;
	int			 want;
} cases[] = {
	/* plain equality: case-insensitive, whole value */
	{ "eventName", { NULL }, { S("putbucketversioning"), END },
	    REC_S3, 1 },
	{ "eventName", { NULL }, { S("PutBucket"), END }, REC_S3, 0 },
	{ "eventName", { NULL }, { S("PutBucket*"), END }, REC_S3, 1 },
	{ "eventName", { NULL }, { S("x"), S("PutBucketVersioning"), END },
	    REC_S3, 1 },
	{ "eventName", { NULL }, { S("x"), S("y"), END }, REC_S3, 0 },
	{ "eventName", { "cased" }, { S("putbucketversioning"), END },
	    REC_S3, 0 },
	{ "eventName", { "cased" }, { S("PutBucketVersioning"), END },
	    REC_S3, 1 },
	{ "missing", { NULL }, { S("x"), END }, REC_S3, 0 },
	{ "missing", { NULL }, { S(""), END }, REC_S3, 0 },
	{ "missing", { NULL }, { S("*"), END }, REC_S3, 0 },
	/* aws_cloudtrail_console_login_success_without_mfa: 'NO' ~ "No" */
	{ "additionalEventData.MFAUsed", { NULL }, { S("NO"), END },
	    REC_S3, 1 },
	/* numbers and booleans compare as their text */
	{ "readOnly", { NULL }, { S("false"), END }, REC_S3, 1 },
	{ "readOnly", { NULL }, { B("false"), END }, REC_S3, 1 },
	{ "readOnly", { NULL }, { B("true"), END }, REC_S3, 0 },
	{ "port", { NULL }, { N("443"), END }, REC_S3, 1 },
	{ "port", { NULL }, { S("443"), END }, REC_S3, 1 },
	{ "port", { NULL }, { S("44"), END }, REC_S3, 0 },
	{ "p", { NULL }, { N("443"), END }, "{\"p\":\"443\"}", 1 },
	{ "requestParameters.enable", { NULL }, { S("false"), END },
	    "{\"requestParameters\":{\"enable\":false}}", 1 },
	/* null: absent or JSON null, never a string */
	{ "errorCode", { NULL }, { NUL, END }, REC_S3, 1 },
	{ "errorCode", { NULL }, { NUL, END }, REC_ERRNULL, 1 },
	{ "errorCode", { NULL }, { NUL, END }, REC_ERR, 0 },
	{ "errorCode", { NULL }, { S("null"), END }, REC_ERRNULL, 0 },
	{ "errorCode", { NULL }, { NUL, S("AccessDenied"), END }, REC_ERR,
	    1 },
	{ "responseElements", { NULL }, { NUL, END }, REC_S3, 1 },
	{ "tags", { NULL }, { NUL, END }, REC_S3, 0 },	/* [] is a value */
	{ "e", { NULL }, { S(""), END }, "{\"e\":\"\"}", 1 },
	{ "e", { NULL }, { S(""), END }, "{\"e\":\" \"}", 0 },
	{ "e", { NULL }, { S(""), END }, "{\"e\":null}", 0 },
	/* |contains: '*' means "has a value" */
	{ "errorCode", { "contains" }, { S("*"), END }, REC_ERR, 1 },
	{ "errorCode", { "contains" }, { S("*"), END }, REC_ERRNULL, 0 },
	{ "errorCode", { "contains" }, { S("*"), END }, REC_S3, 0 },
	{ "errorMessage", { "contains" }, { S("NOT AUTH"), END }, REC_ERR, 1 },
	{ "userAgent", { "contains" }, { S("S3 Browser"), END }, REC_S3, 1 },
	{ "userAgent", { "contains" }, { S("s3 browser"), END }, REC_S3, 1 },
	{ "userAgent", { "contains", "cased" }, { S("s3 browser"), END },
	    REC_S3, 0 },
	{ "userAgent", { "contains" }, { S("TruffleHog"), END }, REC_S3, 0 },
	{ "userAgent", { "contains" }, { S("Browser*s3browser"), END },
	    REC_S3, 1 },
	{ "userAgent", { "contains" }, { S("\\*"), END }, REC_S3, 0 },
	{ "userAgent", { "contains" }, { S("Jersey/${project.version}"),
	    END }, "{\"userAgent\":\"aws-sdk Jersey/${project.version} x\"}",
	    1 },
	{ "eventName", { "startswith" },
	    { S("UpdateFunctionConfiguration"), END },
	    "{\"eventName\":\"UpdateFunctionConfiguration20150331v2\"}", 1 },
	{ "eventName", { "startswith" }, { S("Update"), END }, REC_S3, 0 },
	{ "eventName", { "endswith" }, { S("versioning"), END }, REC_S3, 1 },
	{ "eventName", { "endswith" }, { S("put"), END }, REC_S3, 0 },
	{ "eventName", { "contains", "all" }, { S("put"), S("bucket"), END },
	    REC_S3, 1 },
	{ "eventName", { "contains", "all" }, { S("put"), S("object"), END },
	    REC_S3, 0 },
	{ "eventName", { "contains" }, { S("put"), S("object"), END },
	    REC_S3, 1 },
	/* aws_disable_bucket_versioning: an object as its JSON text */
	{ "requestParameters", { "contains" }, { S("Suspended"), END },
	    REC_S3, 1 },
	{ "requestParameters", { "contains" },
	    { S("\"Status\":\"Suspended\""), END }, REC_S3, 1 },
	{ "requestParameters", { "contains" }, { S("Enabled"), END },
	    REC_S3, 0 },
	/* and as each scalar inside it: the policy is a JSON string */
	{ "requestParameters", { "contains", "all" },
	    { S("\"arn:aws:s3:::<YOUR-BUCKET-NAME>/*\""),
	    S("\"s3:GetObject\""), S("\"Allow\""), END }, REC_POLICY, 1 },
	{ "requestParameters", { "contains", "all" },
	    { S("\"s3:GetObject\""), S("\"Deny\""), END }, REC_POLICY, 0 },
	{ "requestParameters", { NULL }, { S("bob"), END }, REC_POLICY, 1 },
	/* arrays: any element, on the way and at the end */
	{ "requestParameters.containerDefinitions.command", { "contains" },
	    { S("$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), END }, REC_ECS,
	    1 },
	{ "requestParameters.containerDefinitions.name", { NULL },
	    { S("b"), END }, REC_ECS, 1 },
	{ "requestParameters.containerDefinitions.command", { NULL },
	    { S("-c"), END }, REC_ECS, 1 },
	{ "requestParameters.containerDefinitions.command", { NULL },
	    { S("sh -c"), END }, REC_ECS, 0 },
	{ "requestParameters.layers", { "contains" }, { S("*"), END },
	    "{\"requestParameters\":{\"layers\":[\"arn:aws:lambda:l:1\"]}}",
	    1 },
	{ "requestParameters.layers", { "contains" }, { S("*"), END },
	    "{\"requestParameters\":{\"layers\":[]}}", 0 },
	{ "a", { NULL }, { S("x"), END }, "{\"a\":[[\"y\"],[[\"x\"]]]}", 1 },
	{ "a.b", { NULL }, { S("x"), END },
	    "{\"a\":[{\"b\":\"y\"},[{\"b\":\"x\"}]]}", 1 },
	/* dotted names: a member named with dots, or nested objects */
	{ "a.b", { NULL }, { S("x"), END }, "{\"a.b\":\"x\"}", 1 },
	{ "a.b", { NULL }, { S("x"), END }, "{\"a\":{\"b\":\"x\"}}", 1 },
	{ "a.b.c", { NULL }, { S("x"), END },
	    "{\"a.b\":{\"c\":\"y\"},\"a\":{\"b.c\":\"x\"}}", 1 },
	{ "a.b.c", { NULL }, { S("x"), END },
	    "{\"a.b\":{\"c\":\"y\"},\"a\":{\"b.c\":\"z\"}}", 0 },
	{ "a.b", { NULL }, { S("x"), END }, "{\"a\":\"x\"}", 0 },
	{ "A", { NULL }, { S("x"), END }, "{\"a\":\"x\"}", 0 },
	/* re: PCRE2, unanchored, case-sensitive unless i */
	{ "userIdentity.arn", { "re" }, { S(".+:assumed-role/aws:.+"), END },
	    "{\"userIdentity\":{\"arn\":\"arn:aws:sts::1:assumed-role/"
	    "aws:ec2-instance/i-1\"}}", 1 },
	{ "userIdentity.arn", { "re" }, { S(".+:assumed-role/aws:.+"), END },
	    REC_S3, 0 },
	{ "eventName", { "re" }, { S("^put"), END }, REC_S3, 0 },
	{ "eventName", { "re", "i" }, { S("^put"), END }, REC_S3, 1 },
	{ "eventName", { "re" }, { S("Bucket"), END }, REC_S3, 1 },
	{ "eventName", { "re" }, { S("^Bucket$"), END }, REC_S3, 0 },
	{ "m", { "re" }, { S("^b$"), END }, "{\"m\":\"a\\nb\"}", 0 },
	{ "m", { "re", "m" }, { S("^b$"), END }, "{\"m\":\"a\\nb\"}", 1 },
	{ "m", { "re" }, { S("a.b"), END }, "{\"m\":\"a\\nb\"}", 0 },
	{ "m", { "re", "s" }, { S("a.b"), END }, "{\"m\":\"a\\nb\"}", 1 },
	{ "m", { "re", "all" }, { S("a"), S("b"), END }, "{\"m\":\"ab\"}",
	    1 },
	{ "m", { "re", "all" }, { S("a"), S("c"), END }, "{\"m\":\"ab\"}",
	    0 },
	{ "m", { "re" }, { S("^\\d+$"), END }, "{\"m\":443}", 1 },
	/* cidr */
	{ "sourceIPAddress", { "cidr" }, { S("203.0.113.0/24"), END },
	    REC_S3, 1 },
	{ "sourceIPAddress", { "cidr" }, { S("203.0.112.0/24"), END },
	    REC_S3, 0 },
	{ "sourceIPAddress", { "cidr" }, { S("203.0.112.0/23"), END },
	    REC_S3, 1 },
	{ "sourceIPAddress", { "cidr" }, { S("203.0.113.7"), END },
	    REC_S3, 1 },
	{ "sourceIPAddress", { "cidr" }, { S("203.0.113.99/0"), END },
	    REC_S3, 1 },
	{ "sourceIPAddress", { "cidr" }, { S("10.0.0.0/8"),
	    S("203.0.113.0/28"), END }, REC_S3, 1 },
	/* the stratus-red-team trap: leading zeros are not an address */
	{ "sourceIPAddress", { "cidr" }, { S("253.252.51.0/24"), END },
	    REC_IP("253.252.51.07"), 0 },
	{ "sourceIPAddress", { "cidr" }, { S("253.252.51.0/24"), END },
	    REC_IP("253.252.51.7"), 1 },
	{ "sourceIPAddress", { "cidr" }, { S("0.0.0.0/0"), END },
	    REC_IP("s3.amazonaws.com"), 0 },
	{ "sourceIPAddress", { "cidr" }, { S("0.0.0.0/0"), END },
	    REC_IP("1.2.3.4 "), 0 },
	{ "sourceIPAddress", { "cidr" }, { S("0.0.0.0/0"), END },
	    REC_IP("1.2.3.256"), 0 },
	{ "sourceIPAddress", { "cidr" }, { S("2001:db8::/32"), END },
	    REC_IP("2001:DB8:0:1::7"), 1 },
	{ "sourceIPAddress", { "cidr" }, { S("2001:db8::/33"), END },
	    REC_IP("2001:db8:8000::1"), 0 },
	{ "sourceIPAddress", { "cidr" }, { S("::/0"), END },
	    REC_IP("1.2.3.4"), 0 },	/* no cross-family match */
	{ "sourceIPAddress", { "cidr" }, { S("0.0.0.0/0"), END },
	    REC_IP("::ffff:1.2.3.4"), 0 },
	{ "sourceIPAddress", { "cidr", "all" }, { S("10.0.0.0/8"),
	    S("10.1.0.0/16"), END }, REC_IP("10.1.2.3"), 1 },
	/* exists: presence, even of a null or an empty array */
	{ "errorCode", { "exists" }, { B("true"), END }, REC_ERRNULL, 1 },
	{ "errorCode", { "exists" }, { B("true"), END }, REC_S3, 0 },
	{ "errorCode", { "exists" }, { B("false"), END }, REC_S3, 1 },
	{ "errorCode", { "exists" }, { B("false"), END }, REC_ERR, 0 },
	{ "tags", { "exists" }, { B("true"), END }, REC_S3, 1 },
	{ "userIdentity.userName", { "exists" }, { B("true"), END }, REC_S3,
	    1 },
	{ "a.b", { "exists" }, { B("true"), END }, "{\"a\":[{},{\"b\":1}]}",
	    1 },
	/* numbers */
	{ "port", { "gt" }, { N("442"), END }, REC_S3, 1 },
	{ "port", { "gt" }, { N("443"), END }, REC_S3, 0 },
	{ "port", { "gte" }, { N("443"), END }, REC_S3, 1 },
	{ "port", { "lt" }, { N("443.5"), END }, REC_S3, 1 },
	{ "port", { "lte" }, { N("4.43e2"), END }, REC_S3, 1 },
	{ "port", { "lt" }, { N("-1"), END }, REC_S3, 0 },
	{ "p", { "gt" }, { N("1"), END }, "{\"p\":\"2\"}", 1 },
	{ "p", { "gt" }, { N("1"), END }, "{\"p\":\"2x\"}", 0 },
	{ "p", { "gt" }, { N("1"), END }, "{\"p\":true}", 0 },
	{ "p", { "gt" }, { S("1"), END }, "{\"p\":1.5}", 1 },
	{ "p", { "gt" }, { N("9007199254740992"), END },
	    "{\"p\":9007199254740993}", 1 },	/* exact integers */
	{ "p", { "lt" }, { N("10"), END }, "{\"p\":[50,5]}", 1 },
	{ "p", { "gt", "all" }, { N("1"), N("2"), END }, "{\"p\":3}", 1 },
	{ "p", { "gt", "all" }, { N("1"), N("5"), END }, "{\"p\":3}", 0 },
	/* neq: has a value, and it differs from every one listed */
	{ "eventName", { "neq" }, { S("GetObject"), END }, REC_S3, 1 },
	{ "eventName", { "neq" }, { S("putbucketversioning"), END }, REC_S3,
	    0 },
	{ "eventName", { "neq", "cased" }, { S("putbucketversioning"), END },
	    REC_S3, 1 },
	{ "eventName", { "neq" }, { S("a"), S("PutBucketVersioning"), END },
	    REC_S3, 0 },
	{ "eventName", { "neq" }, { S("Put*"), END }, REC_S3, 0 },
	{ "port", { "neq" }, { N("443"), END }, REC_S3, 0 },
	{ "port", { "neq" }, { N("80"), END }, REC_S3, 1 },
	{ "missing", { "neq" }, { S("x"), END }, REC_S3, 0 },
	{ "errorCode", { "neq" }, { S("x"), END }, REC_ERRNULL, 0 },
	/* fieldref: another field of the same record */
	{ "userIdentity.userName", { "fieldref" }, { S("requestParameters."
	    "userName"), END }, "{\"userIdentity\":{\"userName\":\"Bob\"},"
	    "\"requestParameters\":{\"userName\":\"bob\"}}", 1 },
	{ "userIdentity.userName", { "fieldref", "cased" },
	    { S("requestParameters.userName"), END },
	    "{\"userIdentity\":{\"userName\":\"Bob\"},"
	    "\"requestParameters\":{\"userName\":\"bob\"}}", 0 },
	/* aws_update_login_profile: an ARN never equals a user name */
	{ "userIdentity.arn", { "fieldref" },
	    { S("requestParameters.userName"), END },
	    "{\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/bob\"},"
	    "\"requestParameters\":{\"userName\":\"bob\"}}", 0 },
	{ "userIdentity.arn", { "fieldref", "endswith" },
	    { S("requestParameters.userName"), END },
	    "{\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/BOB\"},"
	    "\"requestParameters\":{\"userName\":\"bob\"}}", 1 },
	{ "userIdentity.arn", { "fieldref", "startswith" },
	    { S("requestParameters.userName"), END },
	    "{\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/bob\"},"
	    "\"requestParameters\":{\"userName\":\"arn:\"}}", 1 },
	{ "userIdentity.arn", { "contains", "fieldref" },
	    { S("requestParameters.userName"), END },
	    "{\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/bob/x\"},"
	    "\"requestParameters\":{\"userName\":\"BOB\"}}", 1 },
	{ "userIdentity.arn", { "contains", "fieldref" },
	    { S("requestParameters.userName"), END },
	    "{\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/bob/x\"},"
	    "\"requestParameters\":{\"userName\":\"alice\"}}", 0 },
	{ "a", { "fieldref" }, { S("b"), END }, "{\"a\":\"x*\",\"b\":\"xy\"}",
	    0 },	/* the other value is data, not a pattern */
	{ "a", { "fieldref" }, { S("b"), END }, "{\"a\":\"x\"}", 0 },
	{ "a", { "fieldref" }, { S("b"), END }, "{\"a\":\"x\",\"b\":[1,\"X\"]}",
	    1 },
	{ "a", { "fieldref", "neq" }, { S("b"), END },
	    "{\"a\":\"x\",\"b\":\"y\"}", 1 },
	{ "a", { "fieldref", "neq" }, { S("b"), END },
	    "{\"a\":\"x\",\"b\":\"X\"}", 0 },
	{ "a", { "fieldref", "neq" }, { S("b"), END }, "{\"a\":\"x\"}", 0 },
	/* accounts: the account ids a field names (ctaudit's own) */
#define REC_POL(pol) "{\"recipientAccountId\":\"111122223333\"," \
	"\"userIdentity\":{\"accountId\":\"111122223333\"}," \
	"\"requestParameters\":{\"policy\":\"" pol "\"}}"
#define OWN_ROOT "{\\\"AWS\\\":\\\"arn:aws:iam::111122223333:root\\\"}"
#define OTHER_ID "{\\\"AWS\\\":[\\\"444455556666\\\"]}"
	{ "requestParameters", { "accounts", "fieldref", "neq" },
	    { S("recipientAccountId"), END }, REC_POL(OWN_ROOT), 0 },
	{ "requestParameters", { "accounts", "fieldref", "neq" },
	    { S("recipientAccountId"), END }, REC_POL(OTHER_ID), 1 },
	{ "requestParameters", { "accounts", "fieldref", "neq" },
	    { S("recipientAccountId"), END },
	    REC_POL("[" OWN_ROOT "," OTHER_ID "]"), 1 },
	{ "requestParameters", { "accounts", "fieldref" },
	    { S("recipientAccountId"), END },
	    REC_POL("[" OWN_ROOT "," OTHER_ID "]"), 1 },
	{ "requestParameters", { "accounts", "fieldref" },
	    { S("recipientAccountId"), END }, REC_POL(OTHER_ID), 0 },
	{ "requestParameters", { "accounts", "neq" },
	    { S("111122223333"), END }, REC_POL(OTHER_ID), 1 },
	{ "requestParameters", { "accounts" }, { S("4444*"), END },
	    REC_POL(OTHER_ID), 1 },
	{ "requestParameters", { "accounts", "all" },
	    { S("444455556666"), S("111122223333"), END },
	    REC_POL("[" OWN_ROOT "," OTHER_ID "]"), 1 },
	{ "requestParameters", { "accounts", "all" },
	    { S("444455556666"), S("111122223333"), END },
	    REC_POL(OTHER_ID), 0 },
	/* no referenced field: not comparable, so neq does not match */
	{ "requestParameters", { "accounts", "fieldref", "neq" },
	    { S("recipientAccount"), END }, REC_POL(OTHER_ID), 0 },
	/* a policy that names no account: nothing to differ */
	{ "requestParameters", { "accounts", "fieldref", "neq" },
	    { S("recipientAccountId"), END },
	    REC_POL("{\\\"AWS\\\":\\\"*\\\"}"), 0 },
	/* a bare id as a whole value, in a list or a number */
	{ "p", { "accounts", "fieldref", "neq" }, { S("r"), END },
	    "{\"r\":\"111122223333\",\"p\":\"444455556666\"}", 1 },
	{ "p", { "accounts", "fieldref", "neq" }, { S("r"), END },
	    "{\"r\":\"111122223333\",\"p\":[\"111122223333\"]}", 0 },
	{ "p", { "accounts", "fieldref", "neq" }, { S("r"), END },
	    "{\"r\":111122223333,\"p\":{\"u\":444455556666}}", 1 },
	{ "p", { "accounts", "fieldref", "neq" }, { S("r"), END },
	    "{\"r\":\"111122223333\",\"p\":\"ec2.amazonaws.com\"}", 0 },
	/* time parts of eventTime, as written (no zone conversion) */
	{ "eventTime", { "year" }, { N("2023"), END }, REC_S3, 1 },
	{ "eventTime", { "month" }, { N("1"), END }, REC_S3, 1 },
	{ "eventTime", { "day" }, { N("2"), END }, REC_S3, 1 },
	{ "eventTime", { "hour" }, { N("3"), END }, REC_S3, 1 },
	{ "eventTime", { "minute" }, { N("4"), END }, REC_S3, 1 },
	{ "eventTime", { "minute" }, { N("5"), END }, REC_S3, 0 },
	{ "eventTime", { "week" }, { N("1"), END }, REC_S3, 1 },
	{ "t", { "week" }, { N("52"), END }, "{\"t\":\"2023-01-01T00:00Z\"}",
	    1 },
	{ "t", { "week" }, { N("53"), END }, "{\"t\":\"2021-01-03\"}", 1 },
	{ "t", { "week" }, { N("1"), END }, "{\"t\":\"2024-12-30\"}", 1 },
	{ "t", { "week" }, { N("53"), END }, "{\"t\":\"2026-12-31\"}", 1 },
	{ "t", { "hour" }, { N("23"), END },
	    "{\"t\":\"2023-01-01T23:59:59+05:00\"}", 1 },
	{ "eventTime", { "hour", "gte" }, { N("22"), END }, REC_S3, 0 },
	{ "eventTime", { "hour", "lt" }, { N("6"), END }, REC_S3, 1 },
	{ "eventTime", { "hour", "neq" }, { N("3"), END }, REC_S3, 0 },
	{ "eventTime", { "hour", "neq" }, { N("4"), END }, REC_S3, 1 },
	{ "eventTime", { "day" }, { N("2"), N("3"), END }, REC_S3, 1 },
	{ "t", { "hour" }, { N("0"), END }, "{\"t\":\"2023-01-01\"}", 0 },
	{ "t", { "day" }, { N("1"), END }, "{\"t\":\"2023-01-01\"}", 1 },
	{ "t", { "day" }, { N("1"), END }, "{\"t\":\"yesterday\"}", 0 },
	{ "t", { "month" }, { N("13"), END }, "{\"t\":\"2023-13-01\"}", 0 },
	/* encodings: pySigma's and SigmaHQ's published values */
	{ "c", { "base64" }, { S("whoami /all"), END },
	    "{\"c\":\"d2hvYW1pIC9hbGw=\"}", 1 },
	{ "c", { "base64" }, { S("whoami /all"), END },
	    "{\"c\":\"D2HVYW1PIC9HBGW=\"}", 0 },	/* Base64 is cased */
	{ "c", { "base64", "contains" }, { S("whoami /all"), END },
	    "{\"c\":\"x d2hvYW1pIC9hbGw= y\"}", 1 },
	{ "c", { "base64" }, { S("a\\*"), END }, "{\"c\":\"YSo=\"}", 1 },
	{ "c", { "base64offset", "contains" }, { S("Invoke-"), END },
	    "{\"c\":\"-e SW52b2tlLUV4cHJlc3Npb24=\"}", 1 },
	{ "c", { "base64offset", "contains" }, { S("Invoke-"), END },
	    "{\"c\":\"-e xludm9rZS1FeHByZXNzaW9u\"}", 1 },
	{ "c", { "base64offset", "contains" }, { S("Invoke-"), END },
	    "{\"c\":\"-e eEludm9rZS1FeHByZXNzaW9u\"}", 1 },
	{ "c", { "base64offset", "contains" }, { S("Invoke-"), END },
	    "{\"c\":\"-e eHhJbnZva2UtRXhwcmVzc2lvbg==\"}", 1 },
	{ "c", { "base64offset", "contains" }, { S("Invoke-"), END },
	    "{\"c\":\"-e SW52b2tlIEV4cHJlc3Npb24=\"}", 0 },
	{ "c", { "utf16le", "base64offset", "contains" }, { S("Invoke-"),
	    END }, "{\"c\":\"x SQBuAHYAbwBrAGUALQ y\"}", 1 },
	{ "c", { "wide", "base64offset", "contains" }, { S("Invoke-"),
	    END }, "{\"c\":\"x JAG4AdgBvAGsAZQAtA y\"}", 1 },
	{ "c", { "utf16le", "base64" }, { S("cmd"), END },
	    "{\"c\":\"YwBtAGQA\"}", 1 },
	{ "c", { "utf16be", "base64" }, { S("cmd"), END },
	    "{\"c\":\"AGMAbQBk\"}", 1 },
	{ "c", { "utf16", "base64" }, { S("cmd"), END },
	    "{\"c\":\"//5jAG0AZAA=\"}", 1 },
	{ "c", { "utf16le", "base64" }, { S("\xf0\x9f\x98\x80"), END },
	    "{\"c\":\"PdgA3g==\"}", 1 },
	/* windash: - / en dash, em dash, horizontal bar */
	{ "c", { "windash", "contains" }, { S(" -enc "), END },
	    "{\"c\":\"powershell /enc x\"}", 1 },
	{ "c", { "windash", "contains" }, { S(" /enc "), END },
	    "{\"c\":\"powershell \xe2\x80\x93" "enc x\"}", 1 },
	{ "c", { "windash", "contains" }, { S(" -enc "), END },
	    "{\"c\":\"powershell \xe2\x80\x94" "enc x\"}", 1 },
	{ "c", { "windash", "contains" }, { S(" -enc "), END },
	    "{\"c\":\"powershell \xe2\x80\x95" "enc x\"}", 1 },
	{ "c", { "windash", "contains" }, { S(" -enc "), END },
	    "{\"c\":\"powershell \xe2\x80\x92" "enc x\"}", 0 },
	{ "c", { "windash", "contains" }, { S(" -enc "), END },
	    "{\"c\":\"powershell enc x\"}", 0 },
	{ "c", { "windash" }, { S("-a-b"), END },
	    "{\"c\":\"/a\xe2\x80\x94" "b\"}", 1 },
	{ "c", { "contains" }, { S(" -enc "), END },
	    "{\"c\":\"powershell /enc x\"}", 0 },
	/* keywords: any scalar anywhere, implicitly contains */
	{ NULL, { NULL }, { S("s3browser"), END }, REC_S3, 1 },
	{ NULL, { NULL }, { S("SUSPENDED"), END }, REC_S3, 1 },
	{ NULL, { NULL }, { S("443"), END }, REC_S3, 1 },
	{ NULL, { NULL }, { S("false"), END }, REC_S3, 1 },
	{ NULL, { NULL }, { S("null"), END }, REC_ERRNULL, 0 },
	{ NULL, { NULL }, { S("userAgent"), END }, REC_S3, 0 },	/* keys */
	{ NULL, { NULL }, { S("x"), S("alice"), END }, REC_S3, 1 },
	{ NULL, { "all" }, { S("x"), S("alice"), END }, REC_S3, 0 },
	{ NULL, { "all" }, { S("bucket"), S("alice"), END }, REC_S3, 1 },
	{ NULL, { NULL }, { S("s3:GetObject"), END }, REC_POLICY, 1 },
	{ NULL, { NULL }, { S("s3?Browser"), END }, REC_S3, 1 },
	{ NULL, { "startswith" }, { S("alic"), END }, REC_S3, 1 },
	{ NULL, { "startswith" }, { S("lice"), END }, REC_S3, 0 },
	{ NULL, { "re" }, { S("^203\\.0\\."), END }, REC_S3, 1 },
	{ NULL, { "cased" }, { S("s3 browser"), END }, REC_S3, 0 },
};

static void
test_records(void)
{
	struct match_item	*mi;
	struct record		*rec;
	char			*cause;
	size_t			 i;
	int			 got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		rec = record_from_json(cases[i].json, strlen(cases[i].json),
		    "test", &cause);
		if (rec == NULL) {
			fprintf(stderr, "cases[%zu]: bad JSON: %s\n", i,
			    cause ? cause : "?");
			failed = 1;
			free(cause);
			continue;
		}
		mi = match_item_compile(cases[i].field, cases[i].mods,
		    nmods(cases[i].mods), cases[i].vals,
		    nvals(cases[i].vals), &cause);
		if (mi == NULL) {
			fprintf(stderr, "cases[%zu]: %s\n", i, cause);
			failed = 1;
			free(cause);
			record_free(rec);
			continue;
		}
		got = match_item_eval(mi, rec);
		if (got != cases[i].want) {
			fprintf(stderr, "cases[%zu]: %s|%s '%s' on %s: got %d, "
			    "want %d\n", i, cases[i].field ? cases[i].field :
			    "(keywords)", cases[i].mods[0] ?
			    cases[i].mods[0] : "", cases[i].vals[0].text,
			    cases[i].json, got, cases[i].want);
			failed = 1;
		}
		/* evaluating twice gives the same answer (cached JSON) */
		CHECK(match_item_eval(mi, rec) == got);
		match_item_free(mi);
		record_free(rec);
	}
}

/* match_accounts(): the ids a text names, in order, each once. */
static const struct {
	const char	*text;
	const char	*want;		/* the ids, joined with ',' */
} accounts[] = {
	{ "111122223333",				"111122223333" },
	{ "1111222233334",				"" },	/* 13 digits */
	{ "11112222333",				"" },	/* 11 digits */
	{ " 111122223333",				"" },	/* not whole */
	{ "arn:aws:iam::111122223333:root",		"111122223333" },
	{ "arn:aws-cn:iam::111122223333:user/a",	"111122223333" },
	{ "arn:aws-us-gov:sts::111122223333:assumed-role/r/s",
							"111122223333" },
	{ "arn:aws:kms:us-east-1:111122223333:key/1",	"111122223333" },
	{ "arn:aws:s3:::bucket/111122223333",		"" },	/* a key */
	{ "arn:aws:s3:::111122223333:x",		"" },	/* no service */
	{ "arn:aws:iam::aws:policy/111122223333",	"" },
	{ "xarn:aws:iam::111122223333:root",		"" },
	{ "arn:gcp:iam::111122223333:root",		"" },
	{ "arn:aws:iam::111122223333",			"" },	/* no ':' */
	{ "arn:aws:iam::*:root",			"" },
	{ "{\"AWS\":\"111122223333\"}",		"111122223333" },
	{ "{\"AWS\":[\"111122223333\",\"444455556666\"]}",
					"111122223333,444455556666" },
	{ "{\\\"AWS\\\":\\\"444455556666\\\"}", "444455556666" },
	{ "{\"Version\":\"2012-10-17\",\"n\":111122223333}", "" },
	{ "https://sqs.us-east-1.amazonaws.com/111122223333/q", "" },
	{ "\"111122223333 \"",			"" },
	{ "[\"arn:aws:iam::444455556666:root\",\"444455556666\","
	    "\"arn:aws:iam::111122223333:role/x\"]",
					"444455556666,111122223333" },
};

static void
test_accounts(void)
{
	char	ids[MATCH_ACCOUNTS_MAX][MATCH_ACCOUNT_LEN], got[1024], *p;
	char	many[MATCH_ACCOUNTS_MAX * 20 + 64];
	size_t	i, k, n;

	for (i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
		n = match_accounts(accounts[i].text, strlen(accounts[i].text),
		    ids, MATCH_ACCOUNTS_MAX);
		p = got;
		*p = '\0';
		for (k = 0; k < n; k++) {
			if (k > 0)
				*p++ = ',';
			memcpy(p, ids[k], MATCH_ACCOUNT_LEN);
			p += MATCH_ACCOUNT_LEN;
			*p = '\0';
		}
		if (strcmp(got, accounts[i].want) != 0) {
			fprintf(stderr, "accounts[%zu]: '%s': got '%s', "
			    "want '%s'\n", i, accounts[i].text, got,
			    accounts[i].want);
			failed = 1;
		}
	}
	/* the cap: ids past MATCH_ACCOUNTS_MAX are not taken */
	p = many;
	for (k = 0; k < MATCH_ACCOUNTS_MAX + 2; k++)
		p += snprintf(p, many + sizeof many - p, "\"%012zu\",", k);
	n = match_accounts(many, strlen(many), ids, MATCH_ACCOUNTS_MAX);
	CHECK(n == MATCH_ACCOUNTS_MAX);
	CHECK(memcmp(ids[MATCH_ACCOUNTS_MAX - 1], "000000000063", 12) == 0);
	n = match_accounts(many, strlen(many), ids, 2);
	CHECK(n == 2);
}

/* The rule index sees plain equality only, lower-cased and unescaped. */
static void
test_literals(void)
{
	static const char *const	 none[] = { NULL };
	static const char *const	 contains[] = { "contains" };
	static const char *const	 cased[] = { "cased" };
	static const struct match_value	 v[] = { S("PutBucketVersioning"),
	    N("443"), S("a\\*b") };
	static const struct match_value	 w[] = { S("Put*") };
	static const struct match_value	 n[] = { S("x"), NUL };
	struct match_item		*mi;
	const char *const		*lits;
	const char			*f;
	size_t				 nl;
	char				*cause = NULL;

	mi = match_item_compile("eventName", none, 0, v, 3, &cause);
	CHECK(mi != NULL);
	f = match_item_literals(mi, &lits, &nl);
	CHECK(f != NULL && strcmp(f, "eventName") == 0);
	CHECK(nl == 3);
	CHECK(nl == 3 && strcmp(lits[0], "putbucketversioning") == 0);
	CHECK(nl == 3 && strcmp(lits[1], "443") == 0);
	CHECK(nl == 3 && strcmp(lits[2], "a*b") == 0);
	match_item_free(mi);

	mi = match_item_compile("eventName", none, 0, w, 1, &cause);
	CHECK(mi != NULL && match_item_literals(mi, &lits, &nl) == NULL);
	match_item_free(mi);
	mi = match_item_compile("eventName", contains, 1, v, 1, &cause);
	CHECK(mi != NULL && match_item_literals(mi, &lits, &nl) == NULL);
	match_item_free(mi);
	mi = match_item_compile("eventName", cased, 1, v, 1, &cause);
	CHECK(mi != NULL && match_item_literals(mi, &lits, &nl) == NULL);
	match_item_free(mi);
	mi = match_item_compile("eventName", none, 0, n, 2, &cause);
	CHECK(mi != NULL && match_item_literals(mi, &lits, &nl) == NULL);
	match_item_free(mi);
	mi = match_item_compile(NULL, none, 0, v, 1, &cause);
	CHECK(mi != NULL && match_item_literals(mi, &lits, &nl) == NULL);
	match_item_free(mi);
	CHECK(cause == NULL);
}

/* A catastrophic regex gives up (no match) instead of hanging. */
static void
test_hostile(void)
{
	static const char *const	 re[] = { "re" };
	static const struct match_value	 v[] = { S("^(a+)+$"),
	    S("^(\\w+\\s?)*$") };
	static const char		 json[] = "{\"f\":\"aaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}";
	struct match_item		*mi;
	struct record			*rec;
	char				*cause = NULL;
	clock_t				 t0;
	double				 secs;
	size_t				 i;

	rec = record_from_json(json, strlen(json), "test", &cause);
	CHECK(rec != NULL);
	if (rec == NULL)
		return;
	for (i = 0; i < 2; i++) {
		mi = match_item_compile("f", re, 1, &v[i], 1, &cause);
		CHECK(mi != NULL);
		if (mi == NULL)
			continue;
		t0 = clock();
		CHECK(match_item_eval(mi, rec) == 0);
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		if (secs > 2.0) {
			fprintf(stderr, "hostile regex %zu took %.2fs\n", i,
			    secs);
			failed = 1;
		}
		match_item_free(mi);
	}
	record_free(rec);
}

/* Whether field equals want in rec, and the same in a copy of rec. */
static int
eq(struct record *rec, const char *field, const char *want)
{
	struct match_item	*mi;
	struct match_value	 v[1];
	struct record		*copy;
	size_t			 size;
	char			*cause = NULL;
	int			 got;

	v[0].type = MATCH_V_STRING;
	v[0].text = want;
	v[0].quoted = 1;
	if ((mi = match_item_compile(field, NULL, 0, v, 1, &cause)) == NULL) {
		fprintf(stderr, "%s: %s\n", field, cause);
		free(cause);
		failed = 1;
		return -1;
	}
	got = match_item_eval(mi, rec);
	copy = record_clone(rec, &size);	/* no index: the members walked */
	if (match_item_eval(mi, copy) != got) {
		fprintf(stderr, "%s: a copy disagrees\n", field);
		failed = 1;
	}
	record_free(copy);
	match_item_free(mi);
	return got;
}

/*
 * The index of the root's members (record_root_member()): each member
 * found among many, the last of a repeated name, and no stale answer when
 * the same record is built again, given a member or re-rooted.
 */
static void
test_root_index(void)
{
	struct record		*rec;
	const struct rec_value	*m;
	char			 json[4096], name[16];
	char			*cause = NULL;
	size_t			 n, i, k;

	for (k = 39; k <= 41; k++) {	/* REC_INDEX_MAX is 40 */
		n = (size_t)snprintf(json, sizeof json, "{");
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(json + n, sizeof json - n,
			    "%s\"m%zu\":\"v%zu\"", i ? "," : "", i, i);
		snprintf(json + n, sizeof json - n, "}");
		rec = record_from_json(json, strlen(json), "test", &cause);
		CHECK(rec != NULL);
		if (rec == NULL)
			return;
		CHECK((record_root_member(rec, "m0", 2, &m) == 0) == (k <= 40));
		for (i = 0; i < k; i++) {
			snprintf(name, sizeof name, "m%zu", i);
			snprintf(json, sizeof json, "v%zu", i);
			CHECK(eq(rec, name, json) == 1);
			CHECK(eq(rec, name, "v") == 0);
		}
		CHECK(eq(rec, "m", "v0") == 0);
		record_free(rec);
	}

	snprintf(json, sizeof json, "{\"a\":\"1\",\"b\":{\"c\":\"2\"},"
	    "\"a\":\"3\"}");
	rec = record_from_json(json, strlen(json), "test", &cause);
	CHECK(rec != NULL);
	if (rec == NULL)
		return;
	CHECK(record_root_member(rec, "a", 1, &m) == 0 && m != NULL &&
	    strcmp(m->str, "3") == 0);
	CHECK(record_root_member(rec, "x", 1, &m) == 0 && m == NULL);
	CHECK(record_root_member(rec, "", 0, &m) == -1);
	CHECK(eq(rec, "a", "3") == 1);
	CHECK(eq(rec, "a", "1") == 0);	/* the last of a repeated name */
	CHECK(eq(rec, "b.c", "2") == 1);
	CHECK(eq(rec, "b", "2") == 1);

	/* Given a member after a lookup: found. */
	CHECK(eq(rec, "d", "4") == 0);
	CHECK(record_add_member(rec, "d", "4", 1) == REC_BUILD_OK);
	CHECK(eq(rec, "d", "4") == 1);

	/* Re-rooted at b: a is gone, c is at the top. */
	record_set_root(rec, record_root_member(rec, "b", 1, &m) == 0 ?
	    m : NULL);
	CHECK(eq(rec, "c", "2") == 1);
	CHECK(eq(rec, "a", "3") == 0);

	/* The same record, another event: the index is built again. */
	record_begin(rec, "test", 2);
	CHECK(record_open(rec, REC_OBJECT) == REC_BUILD_OK);
	CHECK(record_key(rec, "e", 1) == REC_BUILD_OK);
	CHECK(record_scalar(rec, REC_STRING, "5", 1) == REC_BUILD_OK);
	record_close(rec);
	CHECK(eq(rec, "e", "5") == 1);
	CHECK(eq(rec, "a", "3") == 0);
	CHECK(eq(rec, "d", "4") == 0);
	record_free(rec);
}

int
main(void)
{
	test_wildcard();
	test_bad();
	test_records();
	test_accounts();
	test_literals();
	test_hostile();
	test_root_index();
	return failed;
}
