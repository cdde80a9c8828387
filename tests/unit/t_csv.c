/* SPDX-License-Identifier: ISC */
/*
 * The output escapers: CSV cells (RFC 4180 quoting, formula defusing,
 * control pictures), JSON strings (RFC 8259, valid UTF-8 out), compact
 * JSON passed through, and text for terminals.  Inputs carry explicit
 * lengths, so embedded NULs and invalid UTF-8 are tested too.
 */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_int.h"

#define S(s)	s, sizeof(s) - 1

enum esc { CSV, JSON, JSONTEXT, CSVJSON, TEXT };

static const struct {
	enum esc	 esc;
	const char	*in;
	size_t		 len;
	const char	*want;
} cases[] = {
	/* CSV: plain cells are written as they are. */
	{ CSV,	S("ConsoleLogin"),		"ConsoleLogin" },
	{ CSV,	S("a b"),			"a b" },
	{ CSV,	S(" lead and trail "),		" lead and trail " },
	{ CSV,	S("caf\xc3\xa9"),		"caf\xc3\xa9" },
	{ CSV,	S("semi;colon"),		"semi;colon" },
	/* Quoting: comma, quote, CR, LF; quotes doubled. */
	{ CSV,	S("a,b"),			"\"a,b\"" },
	{ CSV,	S("say \"hi\""),		"\"say \"\"hi\"\"\"" },
	{ CSV,	S("\""),			"\"\"\"\"" },
	{ CSV,	S("two\nlines"),		"\"two\nlines\"" },
	{ CSV,	S("cr\rlf"),			"\"cr\rlf\"" },
	{ CSV,	S("cr\r\nlf"),			"\"cr\r\nlf\"" },
	{ CSV,	S("tab\there"),			"tab\there" },
	/* An empty string differs from an absent value (no cell text). */
	{ CSV,	S(""),				"\"\"" },
	/* Formula injection: =, +, -, @, tab, CR at the start. */
	{ CSV,	S("=HYPERLINK(\"http://x\")"),
	    "\"'=HYPERLINK(\"\"http://x\"\")\"" },
	{ CSV,	S("+1"),			"\"'+1\"" },
	{ CSV,	S("-2+3"),			"\"'-2+3\"" },
	{ CSV,	S("@SUM(A1)"),			"\"'@SUM(A1)\"" },
	{ CSV,	S("\t=1"),			"\"'\t=1\"" },
	{ CSV,	S("\r=1"),			"\"'\r=1\"" },
	{ CSV,	S("=1,2"),			"\"'=1,2\"" },
	{ CSV,	S("a=1"),			"a=1" },
	{ CSV,	S("'=1"),			"'=1" },
	{ CSV,	S(" =1"),			" =1" },
	/* Control characters become pictures; NUL is not a terminator. */
	{ CSV,	S("\x1b[31mred"),		"\xe2\x90\x9b[31mred" },
	{ CSV,	S("nul\0byte"),			"nul\xe2\x90\x80" "byte" },
	{ CSV,	S("\0"),			"\xe2\x90\x80" },
	{ CSV,	S("del\x7f"),			"del\xe2\x90\xa1" },
	{ CSV,	S("bell\a"),			"bell\xe2\x90\x87" },
	/* C1 controls, bidi controls, separators, invalid UTF-8: U+FFFD. */
	{ CSV,	S("csi\xc2\x9b"),		"csi\xef\xbf\xbd" },
	{ CSV,	S("user/\xe2\x80\xae" "exe.txt"),
	    "user/\xef\xbf\xbd" "exe.txt" },
	{ CSV,	S("\xe2\x81\xa6x\xe2\x80\xa8"),	"\xef\xbf\xbdx\xef\xbf\xbd" },
	{ CSV,	S("bad\xff"),			"bad\xef\xbf\xbd" },
	{ CSV,	S("cut\xe2\x82"),		"cut\xef\xbf\xbd\xef\xbf\xbd" },
	{ CSV,	S("over\xc0\xaf"),	"over\xef\xbf\xbd\xef\xbf\xbd" },
	{ CSV,	S("sur\xed\xa0\x80"),
	    "sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ CSV,	S("emoji\xf0\x9f\x94\x91"),	"emoji\xf0\x9f\x94\x91" },
	{ CSV,	S("max\xf4\x8f\xbf\xbf"),	"max\xf4\x8f\xbf\xbf" },
	{ CSV,	S("past\xf4\x90\x80\x80"),
	    "past\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },

	/* JSON: quotes, backslashes and controls escaped. */
	{ JSON,	S("plain"),			"\"plain\"" },
	{ JSON,	S(""),				"\"\"" },
	{ JSON,	S("q\"b\\s/"),			"\"q\\\"b\\\\s/\"" },
	{ JSON,	S("\b\f\n\r\t"),		"\"\\b\\f\\n\\r\\t\"" },
	{ JSON,	S("\x01\x1b\x1f"),		"\"\\u0001\\u001b\\u001f\"" },
	{ JSON,	S("nul\0byte"),			"\"nul\\u0000byte\"" },
	{ JSON,	S("del\x7f"),			"\"del\\u007f\"" },
	{ JSON,	S("csi\xc2\x9b"),		"\"csi\\u009b\"" },
	/* Valid UTF-8 is kept; separators and bidi controls escaped. */
	{ JSON,	S("caf\xc3\xa9 \xe6\x97\xa5"),
	    "\"caf\xc3\xa9 \xe6\x97\xa5\"" },
	{ JSON,	S("\xf0\x9f\x94\x91"),		"\"\xf0\x9f\x94\x91\"" },
	{ JSON,	S("ls\xe2\x80\xa8ps\xe2\x80\xa9"), "\"ls\\u2028ps\\u2029\"" },
	{ JSON,	S("\xe2\x80\xaegnp.exe"),	"\"\\u202egnp.exe\"" },
	{ JSON,	S("\xe2\x81\xa6x\xe2\x81\xa9"),	"\"\\u2066x\\u2069\"" },
	{ JSON,	S("\xe2\x80\x8e\xd8\x9c"),	"\"\\u200e\\u061c\"" },
	/* Invalid UTF-8 becomes U+FFFD, one per bad byte. */
	{ JSON,	S("bad\xff\xfe"),		"\"bad\\ufffd\\ufffd\"" },
	{ JSON,	S("\xc3"),			"\"\\ufffd\"" },
	{ JSON,	S("\xc3("),			"\"\\ufffd(\"" },
	{ JSON,	S("\xe0\x80\x80"),		"\"\\ufffd\\ufffd\\ufffd\"" },
	{ JSON,	S("\xed\xbf\xbf"),		"\"\\ufffd\\ufffd\\ufffd\"" },
	{ JSON,	S("\xee\x80\x80"),		"\"\xee\x80\x80\"" },
	{ JSON,	S("\xf5\x80\x80\x80"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ JSON,	S("\x80"),			"\"\\ufffd\"" },

	/* Compact JSON text: structure kept, hazards escaped. */
	{ JSONTEXT, S("{\"a\":[1,true,null,\"x\\\"y\"]}"),
	    "{\"a\":[1,true,null,\"x\\\"y\"]}" },
	{ JSONTEXT, S("{\"ua\":\"\x1b]0;pwned\x07\"}"),
	    "{\"ua\":\"\\u001b]0;pwned\\u0007\"}" },
	{ JSONTEXT, S("[\"\xe2\x80\xae\xff\"]"), "[\"\\u202e\\ufffd\"]" },
	{ JSONTEXT, S("[\"\xc3\xa9\"]"),	"[\"\xc3\xa9\"]" },

	/* Compact JSON as a CSV cell: quoted, quotes doubled, lossless. */
	{ CSVJSON, S("{\"a\":\"x,\\\"y\"}"),
	    "\"{\"\"a\"\":\"\"x,\\\"\"y\"\"}\"" },
	{ CSVJSON, S("{}"),			"\"{}\"" },
	{ CSVJSON, S("{\"u\":\"\x1b\xe2\x80\xae\xc2\x9b\xff\"}"),
	    "\"{\"\"u\"\":\"\"\\u001b\\u202e\\u009b\\ufffd\"\"}\"" },
	{ CSVJSON, S("[\"=1\",\"\xc3\xa9\"]"),
	    "\"[\"\"=1\"\",\"\"\xc3\xa9\"\"]\"" },

	/* Text: hazards visible, backslash doubled, UTF-8 kept. */
	{ TEXT,	S("arn:aws:iam::1:user/a"),	"arn:aws:iam::1:user/a" },
	{ TEXT,	S("\x1b[2J\x1b]0;x\x07"),	"\\x1b[2J\\x1b]0;x\\x07" },
	{ TEXT,	S("a\\x1b"),			"a\\\\x1b" },
	{ TEXT,	S("t\tn\nr\r"),			"t\\tn\\nr\\r" },
	{ TEXT,	S("nul\0"),			"nul\\x00" },
	{ TEXT,	S("\x7f\xc2\x9b"),		"\\x7f\\u009b" },
	{ TEXT,	S("\xe2\x80\xae" "evil"),		"\\u202eevil" },
	{ TEXT,	S("bad\xff\xc3"),		"bad\\xff\\xc3" },
	{ TEXT,	S("caf\xc3\xa9"),		"caf\xc3\xa9" },
};

/*
 * Widths reported by output_esc_text(), for padding.  Those marked 1 need
 * the C library's C.UTF-8 locale, which the escaper asks wcwidth() in.
 */
static const struct {
	const char	*in;
	size_t		 len, want;
	int		 utf8;
} widths[] = {
	{ S("us-east-1"),	9, 0 },
	{ S("caf\xc3\xa9"),	4, 0 },
	{ S("\xe4\xb8\xad\xe6\x96\x87"),	4, 1 },	/* two wide CJK characters */
	{ S("e\xcc\x81"),		1, 1 },	/* e and a combining acute */
	{ S("\xef\xbc\xa1" "b"),	3, 1 },	/* a fullwidth A, then b */
	{ S("\x1b"),		4, 0 },
	{ S("\xe2\x80\xae"),	6, 0 },
	{ S("\\"),		2, 0 },
	{ S(""),		0, 0 },
};

static char *
run(enum esc esc, const char *in, size_t len, size_t *outlen, size_t *cols)
{
	FILE	*f;
	char	*out = NULL;

	if ((f = open_memstream(&out, outlen)) == NULL) {
		perror("open_memstream");
		exit(99);
	}
	switch (esc) {
	case CSV:
		output_esc_csv(f, in, len);
		break;
	case JSON:
		output_esc_json(f, in, len);
		break;
	case JSONTEXT:
		output_esc_jsontext(f, in, len);
		break;
	case CSVJSON:
		output_esc_csvjson(f, in, len);
		break;
	case TEXT:
		*cols = output_esc_text(f, in, len);
		break;
	}
	if (fclose(f) != 0) {
		perror("fclose");
		exit(99);
	}
	return out;
}

static void
show(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			fprintf(stderr, "<%02x>", (unsigned char)s[i]);
		else
			putc(s[i], stderr);
	}
}

int
main(void)
{
	static const char *const names[] = { "csv", "json", "jsontext",
	    "csvjson", "text" };
	char		*out;
	size_t		 i, len, cols;
	uint32_t	 cp;
	locale_t	 utf8;
	int		 failed = 0;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out = run(cases[i].esc, cases[i].in, cases[i].len, &len,
		    &cols);
		if (len != strlen(cases[i].want) ||
		    memcmp(out, cases[i].want, len) != 0) {
			fprintf(stderr, "%s \"", names[cases[i].esc]);
			show(cases[i].in, cases[i].len);
			fprintf(stderr, "\": got \"");
			show(out, len);
			fprintf(stderr, "\", want \"");
			show(cases[i].want, strlen(cases[i].want));
			fprintf(stderr, "\"\n");
			failed = 1;
		}
		free(out);
	}

	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 == (locale_t)0)
		fprintf(stderr, "note: no C.UTF-8 locale: wide characters "
		    "count as one column, not tested\n");
	else
		freelocale(utf8);
	for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		if (widths[i].utf8 && utf8 == (locale_t)0)
			continue;
		cols = 0;
		free(run(TEXT, widths[i].in, widths[i].len, &len, &cols));
		if (cols != widths[i].want) {
			fprintf(stderr, "text width \"");
			show(widths[i].in, widths[i].len);
			fprintf(stderr, "\": got %zu, want %zu\n", cols,
			    widths[i].want);
			failed = 1;
		}
	}

	/* Every code point round-trips through the decoder. */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		unsigned char	 b[4];
		uint32_t	 got = 0;
		size_t		 n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			b[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			b[0] = 0xc0 | cp >> 6;
			b[1] = 0x80 | (cp & 0x3f);
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = 0xe0 | cp >> 12;
			b[1] = 0x80 | (cp >> 6 & 0x3f);
			b[2] = 0x80 | (cp & 0x3f);
			n = 3;
		} else {
			b[0] = 0xf0 | cp >> 18;
			b[1] = 0x80 | (cp >> 12 & 0x3f);
			b[2] = 0x80 | (cp >> 6 & 0x3f);
			b[3] = 0x80 | (cp & 0x3f);
			n = 4;
		}
		if (output_esc_utf8((const char *)b, n, &got) != n ||
		    got != cp || (n > 1 &&
		    output_esc_utf8((const char *)b, n - 1, &got) != 0)) {
			fprintf(stderr, "utf8 U+%04x: failed\n",
			    (unsigned int)cp);
			failed = 1;
			break;
		}
	}
	return failed;
}
