/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for scrub.c: a secret, or any piece of 8 bytes or more of
 * one, replaced by [secret] in text, plain or in the encodings a server
 * may echo it in (JSON, JavaScript, percent and form encoding, XML).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

#define S1	"T0k3n/abc+def=ghi"		/* slashes, plus, equals */
#define S2	"hooks/services/T000/B000/XXXXSECRET"
#define S3	"ijklmnopqrstuvwx"
#define S4	"abcdefghijklmnop"

static const struct {
	const char	*secrets[3];
	const char	*text;
	const char	*want;
} cases[] = {
	/* Plain. */
	{ { S1 },	"token " S1 " refused",	"token [secret] refused" },
	{ { S1 },	"no secret here",	"no secret here" },
	{ { NULL, "", S1 }, "x" S1,		"x[secret]" },
	{ { S1 },	"",			"" },
	/* Split, cut: any piece of 8 bytes or more; shorter ones stay. */
	{ { S2 },	"path hooks/services/T0 cut", "path [secret] cut" },
	{ { S2 },	"end: 0/XXXXSECRET",	"end: [secret]" },
	{ { S2 },	"hooks/s ervices",	"hooks/s ervices" },
	{ { S2 },	"hooks/s",		"hooks/s" },
	{ { S2 },	"a T000/B000/XX b",	"a [secret] b" },
	/* Short secrets: under 8 bytes, never matched. */
	{ { "abc" },	"abc abcabc",		"abc abcabc" },
	{ { "1234567" }, "id 1234567",		"id 1234567" },
	{ { "12345678" }, "id 12345678.",	"id [secret]." },
	/* JSON-escaped. */
	{ { S2 },	"{\"path\":\"hooks\\/services\\/T000\\/B000\"}",
			"{\"path\":\"[secret]\"}" },
	{ { S2 },	"\\u0068ooks\\u002Fservices\\u002f",
			"[secret]" },
	{ { S1 },	"\"T0k3n\\/abc+def\\u003dghi\"",	"\"[secret]\"" },
	{ { "p\xc3\xa4ssw\xc3\xb6rd-1" }, "was p\\u00e4ssw\\u00f6rd-1!",
			"was [secret]!" },
	{ { "quote\"d\\secret" }, "q: quote\\\"d\\\\secret",
			"q: [secret]" },
	{ { "line1\nline2x" }, "[line1\\nline2x]",	"[[secret]]" },
	{ { S2 },	"x hooks\\x2fservices y", "x [secret] y" },
	/* Not an escape: left alone. */
	{ { S2 },	"hooks\\q/servi",	"hooks\\q/servi" },
	{ { S2 },	"\\u00zz\\u",		"\\u00zz\\u" },
	/* Percent-encoded, as in a URL or a query string; a form's +. */
	{ { S2 },	"GET /hooks%2Fservices%2FT000%2fB000 404",
			"GET /[secret] 404" },
	{ { S1 },	"token=T0k3n%2Fabc%2Bdef%3Dghi&x=1",
			"token=[secret]&x=1" },
	{ { "two words here" }, "q=two+words+here",	"q=[secret]" },
	{ { S2 },	"%68%6f%6f%6b%73%2f%73%65",	"[secret]" },
	{ { S2 },	"%68%6f%6f%6b%73%2f%73",	"%68%6f%6f%6b%73%2f%73" },
	{ { S2 },	"%zz%2", 			"%zz%2" },
	/* XML and HTML. */
	{ { "a&b<c>d\"e'f" }, "<M>a&amp;b&lt;c&gt;d&quot;e&apos;f</M>",
			"<M>[secret]</M>" },
	{ { S2 },	"hooks&#47;services&#x2F;T",	"[secret]" },
	{ { S2 },	"hooks&#47servi",	"hooks&#47servi" },
	/* A secret that holds an escape is matched as it is, too. */
	{ { "tok%2Fen%2Fform" }, "got tok%2Fen%2Fform", "got [secret]" },
	{ { "tok%2Fen%2Fform" }, "got tok%252Fen%252Fform", "got [secret]" },
	{ { "%25%25%25%25" }, "a %25%25%25%25 b",	"a [secret] b" },
	{ { "%%%%%%%%" }, "a %25%25%25%25%25%25%25%25 b", "a [secret] b" },
	/* Overlapping and adjacent: one mark for the whole stretch. */
	{ { S4, S3 },	"xxabcdefghijklmnopqrstuvwxyy",	"xx[secret]yy" },
	{ { S4 },	"abcdefghijabcdefghij",	"[secret]" },
	{ { S4, S3 },	"abcdefghijklmnop-ijklmnopqrstuvwx",
			"[secret]-[secret]" },
	{ { S1, S2 },	S2 S1,			"[secret]" },
	/* Mixed encodings inside one run. */
	{ { S2 },	"hooks%2Fservices\\/T000&#47;B000",	"[secret]" },
};

int
main(void)
{
	size_t	 i;
	char	*got;
	int	 failed = 0;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = scrub(cases[i].text, cases[i].secrets, 3);
		if (strcmp(got, cases[i].want) != 0) {
			fprintf(stderr, "case %zu: '%s': got '%s', want '%s'\n",
			    i, cases[i].text, got, cases[i].want);
			failed = 1;
		}
		if (strlen(got) > strlen(cases[i].text)) {
			fprintf(stderr, "case %zu: longer than the text\n", i);
			failed = 1;
		}
		free(got);
	}
	return failed;
}
