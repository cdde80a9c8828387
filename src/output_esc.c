/* SPDX-License-Identifier: ISC */
/*
 * Escaping for the output stage.  Almost every string in a finding comes
 * from the CloudTrail record, and so from whoever made the API call: a
 * userAgent or a bucket name may hold escape sequences, bidirectional
 * overrides, invalid UTF-8 or NUL bytes.  Each format gets its own
 * escaper, and all of them promise valid UTF-8 out and no byte that a
 * terminal would act on.  JSON stays lossless (except for invalid UTF-8,
 * which becomes U+FFFD); text shows hazards as visible escapes; CSV,
 * which has no escapes, replaces them with Unicode control pictures or
 * U+FFFD and defuses spreadsheet formulas.
 */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "output_int.h"

#define OUTPUT_ESC_FFFD		"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* Printable ASCII that some format must escape, for output_esc_run(). */
#define OUTPUT_ESC_QUOTE	0x1
#define OUTPUT_ESC_BSLASH	0x2
static const unsigned char output_esc_special[128] = {
	['"'] = OUTPUT_ESC_QUOTE,
	['\\'] = OUTPUT_ESC_BSLASH,
};

static int	 output_esc_plain8(const char *, int);
static int	 output_esc_width(uint32_t);
static size_t	 output_esc_run(const char *, size_t, int, size_t *);
static void	 output_esc_jsontext1(FILE *, const char *, size_t, int);
static void	 output_esc_picture(FILE *, unsigned char);

/*
 * Decode one UTF-8 character at s (len > 0 bytes): its length and *cpp, or
 * 0 if s does not start a well-formed sequence (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF, nothing cut short).
 */
size_t
output_esc_utf8(const char *s, size_t len, uint32_t *cpp)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp, min;
	size_t			 n, i;

	if (p[0] < 0x80) {
		*cpp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cpp = cp;
	return n;
}

/*
 * Whether a character could act on a terminal or reorder what is shown:
 * C0 and C1 controls, DEL, line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates.
 */
int
output_esc_hazard(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The columns a printable character takes on a terminal, for the text
 * output's padding: two for CJK and other wide characters, none for a
 * combining mark.  The C library knows, through wcwidth(), but only in a
 * UTF-8 locale; ctaudit's own locale stays "C" (numbers and case must not
 * depend on the user's), so C.UTF-8 is used for this call alone.  Where
 * there is no such locale, every character counts as one column.
 */
static int
output_esc_width(uint32_t cp)
{
	static locale_t	 utf8;
	static int	 tried;
	locale_t	 old;
	int		 w;

	if (cp < 0x80)
		return 1;
	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (utf8 == (locale_t)0)
		return 1;
	old = uselocale(utf8);
	w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w < 0 ? 1 : w;
}

/*
 * Whether the 8 bytes at s are all printable ASCII that is not special to
 * the format, tested together: findings are mostly such text, and a byte
 * at a time cost more than the rest of writing them.  A byte is flagged
 * (its top bit set) when it is below 0x20, 0x7f or above, or a quote or
 * backslash the format escapes; each test is exact about whether any byte
 * is flagged, which is all that is asked.
 */
static inline int
output_esc_plain8(const char *s, int special)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 highs = 0x8080808080808080ULL;
	uint64_t	 w, x, bad;

	memcpy(&w, s, 8);
	bad = w | (((w & ~highs) + ones) & highs);	/* 0x7f and above */
	bad |= (w - ones * 0x20) & ~w;			/* below 0x20 */
	if (special & OUTPUT_ESC_QUOTE) {
		x = w ^ (ones * '"');
		bad |= (x - ones) & ~x;
	}
	if (special & OUTPUT_ESC_BSLASH) {
		x = w ^ (ones * '\\');
		bad |= (x - ones) & ~x;
	}
	return (bad & highs) == 0;
}

/*
 * The length of the longest prefix of s that an escaper copies as it is:
 * printable ASCII that is not special to the format, and well-formed
 * UTF-8 that is not a hazard.  Writing such runs with one fwrite() keeps
 * the common case from paying a stdio call per byte.  Unless ncp is NULL,
 * *ncp is set to the terminal columns of the run, which only the text
 * format pads by.
 */
static size_t
output_esc_run(const char *s, size_t len, int special, size_t *ncp)
{
	uint32_t	 cp;
	size_t		 i = 0, n, cols = 0;
	unsigned char	 c;

	while (i < len) {
		if (len - i >= 8 && output_esc_plain8(s + i, special)) {
			i += 8;
			cols += 8;
			continue;
		}
		if ((c = (unsigned char)s[i]) >= 0x20 && c < 0x7f) {
			if (output_esc_special[c] & special)
				break;
			n = 1;
			cols++;
		} else if ((unsigned char)s[i] < 0x80 ||
		    (n = output_esc_utf8(s + i, len - i, &cp)) == 0 ||
		    output_esc_hazard(cp))
			break;
		else if (ncp != NULL)
			cols += (size_t)output_esc_width(cp);
		i += n;
	}
	if (ncp != NULL)
		*ncp = cols;
	return i;
}

/* Write s as a quoted JSON string (RFC 8259). */
void
output_esc_json(FILE *f, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n;

	putc('"', f);
	for (i = 0; i < len; i += n) {
		if ((n = output_esc_run(s + i, len - i,
		    OUTPUT_ESC_QUOTE | OUTPUT_ESC_BSLASH, NULL)) > 0) {
			fwrite(s + i, 1, n, f);
			continue;
		}
		if ((n = output_esc_utf8(s + i, len - i, &cp)) == 0) {
			fputs("\\ufffd", f);
			n = 1;
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (output_esc_hazard(cp))
				fprintf(f, "\\u%04x", (unsigned int)cp);
			else
				fwrite(s + i, 1, n, f);
			break;
		}
	}
	putc('"', f);
}

/*
 * Copy JSON text (as record_json() writes it, compact) with the promises
 * of output_esc_json(): escapes and structure are ASCII and pass through;
 * a raw control byte can only be inside a string, so it is escaped there.
 * With csv, the result is also one quoted CSV cell (quotes doubled).
 */
static void
output_esc_jsontext1(FILE *f, const char *s, size_t len, int csv)
{
	uint32_t	 cp;
	size_t		 i, n;

	if (csv)
		putc('"', f);
	for (i = 0; i < len; i += n) {
		if ((n = output_esc_run(s + i, len - i,
		    csv ? OUTPUT_ESC_QUOTE : 0, NULL)) > 0)
			fwrite(s + i, 1, n, f);
		else if (s[i] == '"') {
			fputs("\"\"", f);
			n = 1;
		} else if ((n = output_esc_utf8(s + i, len - i, &cp)) == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (output_esc_hazard(cp))
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else
			fwrite(s + i, 1, n, f);
	}
	if (csv)
		putc('"', f);
}

/* Copy compact JSON text, made safe as output_esc_json() promises. */
void
output_esc_jsontext(FILE *f, const char *s, size_t len)
{
	output_esc_jsontext1(f, s, len, 0);
}

/*
 * Compact JSON text as one CSV cell: lossless, unlike output_esc_csv(),
 * because JSON has escapes of its own; it starts with '{' or '[', never
 * with a formula character, and is always quoted.
 */
void
output_esc_csvjson(FILE *f, const char *s, size_t len)
{
	output_esc_jsontext1(f, s, len, 1);
}

/*
 * Write s for a person at a terminal: backslash is doubled, tab, newline
 * and carriage return are \t, \n, \r, other control bytes and bytes that
 * are not UTF-8 are \xHH, and other hazards are \uHHHH.  Returns the
 * number of characters written, for padding (wide characters count one).
 */
size_t
output_esc_text(FILE *f, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n, run, cols = 0;
	int		 w;

	for (i = 0; i < len; i += n) {
		if ((n = output_esc_run(s + i, len - i, OUTPUT_ESC_BSLASH,
		    &run)) > 0) {
			fwrite(s + i, 1, n, f);
			cols += run;
			continue;
		}
		if ((n = output_esc_utf8(s + i, len - i, &cp)) == 0) {
			w = fprintf(f, "\\x%02x", (unsigned char)s[i]);
			n = 1;
		} else if (cp == '\\')
			w = fprintf(f, "\\\\");
		else if (cp == '\t')
			w = fprintf(f, "\\t");
		else if (cp == '\n')
			w = fprintf(f, "\\n");
		else if (cp == '\r')
			w = fprintf(f, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			w = fprintf(f, "\\x%02x", (unsigned int)cp);
		else if (output_esc_hazard(cp))
			w = fprintf(f, "\\u%04x", (unsigned int)cp);
		else {
			fwrite(s + i, 1, n, f);
			w = output_esc_width(cp);
		}
		if (w > 0)
			cols += (size_t)w;
	}
	return cols;
}

/* A C0 control or DEL as its Unicode control picture (U+2400..U+2421). */
static void
output_esc_picture(FILE *f, unsigned char c)
{
	unsigned int	 cp = c == 0x7f ? 0x2421 : 0x2400 + c;

	putc(0xe0 | cp >> 12, f);
	putc(0x80 | (cp >> 6 & 0x3f), f);
	putc(0x80 | (cp & 0x3f), f);
}

/*
 * Write s as one CSV cell (RFC 4180).  The cell is quoted when it holds a
 * comma, a quote, CR or LF, and quotes are doubled; an empty string is
 * written as "" so that it differs from an absent value (an empty cell).
 * CSV has no escapes, so other control characters become control
 * pictures (ESC is U+241B); the other hazards (C1 controls, separators,
 * bidirectional controls that would make "user/\u202eexe.txt" look like
 * "user/txt.exe") and invalid UTF-8 become U+FFFD.
 * A cell that a spreadsheet would run as a formula (one that starts with
 * =, +, -, @, tab or CR) gets a leading single quote and is quoted.
 */
void
output_esc_csv(FILE *f, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n;
	int		 quote, formula;

	formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	quote = len == 0 || formula;
	for (i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n';

	if (quote)
		putc('"', f);
	if (formula)
		putc('\'', f);
	for (i = 0; i < len; i += n) {
		if ((n = output_esc_run(s + i, len - i, OUTPUT_ESC_QUOTE,
		    NULL)) > 0)
			fwrite(s + i, 1, n, f);
		else if ((n = output_esc_utf8(s + i, len - i, &cp)) == 0) {
			fputs(OUTPUT_ESC_FFFD, f);
			n = 1;
		} else if (cp == '"')
			fputs("\"\"", f);
		else if (cp == '\t' || cp == '\r' || cp == '\n')
			putc((int)cp, f);
		else if (cp < 0x20 || cp == 0x7f)
			output_esc_picture(f, (unsigned char)cp);
		else if (output_esc_hazard(cp))
			fputs(OUTPUT_ESC_FFFD, f);
		else
			fwrite(s + i, 1, n, f);
	}
	if (quote)
		putc('"', f);
}

/*
 * Columns that text already escaped by output_esc_text() takes on a
 * terminal: SGR sequences (the text output's colours) take none.
 */
size_t
output_esc_cols(const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i = 0, n, cols = 0;

	while (i < len) {
		if (s[i] == '\033') {
			while (i < len && s[i] != 'm')
				i++;
			i++;
			continue;
		}
		if ((n = output_esc_utf8(s + i, len - i, &cp)) == 0) {
			cols++;
			i++;
			continue;
		}
		cols += (size_t)output_esc_width(cp);
		i += n;
	}
	return cols;
}
