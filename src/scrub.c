/* SPDX-License-Identifier: ISC */
/*
 * Scrubbing secrets, and any piece of one, out of text a server sent
 * back.  Matching any shared run rather than the whole secret is what
 * makes it hold however the text was cut: by the server, by a cap here,
 * or in the middle of the secret.  A server may also echo the secret in
 * another encoding than it was sent in: JSON (\/, \u002F), JavaScript or
 * Python (\x2F), a URL or a form (%2F, +), or XML and HTML (&amp;,
 * &#47;).  So the text is matched a unit at a time, where a unit is a
 * byte or one such escape, and a run counts the secret's bytes it
 * stands for.  The texts are short (a message cut to a few hundred
 * bytes, a secret to a few hundred), so the plain search, quadratic in
 * their lengths, costs little.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"
#include "xmalloc.h"

static int	 scrub_hex(const char *, size_t, uint32_t *);
static size_t	 scrub_utf8(uint32_t, unsigned char *);
static size_t	 scrub_unit(const char *, size_t, unsigned char *, size_t *);
static size_t	 scrub_walk(const char *, size_t, const char *, size_t, int,
		    size_t *);
static size_t	 scrub_run(const char *, size_t, const char *, size_t,
		    size_t *);

/* The value of n hex digits at p: 0, or -1 if one is not a digit. */
static int
scrub_hex(const char *p, size_t n, uint32_t *v)
{
	size_t	 i;
	int	 d;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		*v = *v * 16 + (uint32_t)d;
	}
	return 0;
}

/* Code point c in UTF-8 into b: its length, 0 for a surrogate or worse. */
static size_t
scrub_utf8(uint32_t c, unsigned char *b)
{
	if (c < 0x80) {
		b[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000 && (c < 0xd800 || c > 0xdfff)) {
		b[0] = (unsigned char)(0xe0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	if (c >= 0x10000 && c <= 0x10ffff) {
		b[0] = (unsigned char)(0xf0 | c >> 18);
		b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		return 4;
	}
	return 0;
}

/*
 * The escape at t[0..len), if there is one: the bytes it stands for into
 * b (at most 4), their number into *nb, and the length of the escape;
 * 0 if t does not start with one.  Every escape is at least as long as
 * what it stands for, so a mark never makes the text longer.
 */
static size_t
scrub_unit(const char *t, size_t len, unsigned char *b, size_t *nb)
{
	static const struct {
		const char	*name;
		char		 c;
	} ent[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	const char	*p;
	uint32_t	 c;
	size_t		 i, n;

	switch (t[0]) {
	case '\\':
		if (len < 2)
			return 0;
		if ((p = strchr("/\\\"'", t[1])) != NULL && *p != '\0') {
			b[0] = (unsigned char)*p;
			*nb = 1;
			return 2;
		}
		if ((p = strchr("b\bf\fn\nr\rt\t", t[1])) != NULL &&
		    *p != '\0' && ((p - "b\bf\fn\nr\rt\t") & 1) == 0) {
			b[0] = (unsigned char)p[1];
			*nb = 1;
			return 2;
		}
		if (t[1] == 'u' && len >= 6 && scrub_hex(t + 2, 4, &c) == 0 &&
		    (*nb = scrub_utf8(c, b)) != 0)
			return 6;
		if (t[1] == 'x' && len >= 4 && scrub_hex(t + 2, 2, &c) == 0) {
			b[0] = (unsigned char)c;
			*nb = 1;
			return 4;
		}
		return 0;
	case '%':
		if (len < 3 || scrub_hex(t + 1, 2, &c) == -1)
			return 0;
		b[0] = (unsigned char)c;
		*nb = 1;
		return 3;
	case '+':
		b[0] = ' ';		/* a form's space */
		*nb = 1;
		return 1;
	case '&':
		for (i = 0; i < sizeof ent / sizeof ent[0]; i++) {
			n = strlen(ent[i].name);
			if (len >= n && memcmp(t, ent[i].name, n) == 0) {
				b[0] = (unsigned char)ent[i].c;
				*nb = 1;
				return n;
			}
		}
		if (len < 4 || t[1] != '#')
			return 0;
		c = 0;
		if (t[2] == 'x' || t[2] == 'X') {
			for (n = 3; n < len && n < 9 && t[n] != ';'; n++)
				continue;
			if (n == 3 || n >= len || t[n] != ';' ||
			    scrub_hex(t + 3, n - 3, &c) == -1)
				return 0;
		} else {
			for (n = 2; n < len && n < 9 && t[n] >= '0' &&
			    t[n] <= '9'; n++)
				c = c * 10 + (uint32_t)(t[n] - '0');
			if (n == 2 || n >= len || t[n] != ';')
				return 0;
		}
		if ((*nb = scrub_utf8(c, b)) == 0)
			return 0;
		return n + 1;
	default:
		return 0;
	}
}

/*
 * How far s[q..slen) is matched by text from t[0..len): the number of
 * the secret's bytes, and in *used the text they take.  Where a unit
 * could match both as an escape and as the byte itself (a secret that
 * holds "%25", say), escapes go first if escape is set.
 */
static size_t
scrub_walk(const char *t, size_t len, const char *s, size_t slen, int escape,
    size_t *used)
{
	unsigned char	 b[4];
	size_t		 p = 0, q = 0, u, nb;

	while (p < len && q < slen) {
		if (!escape && t[p] == s[q]) {
			p++;
			q++;
		} else if ((u = scrub_unit(t + p, len - p, b, &nb)) != 0 &&
		    nb <= slen - q && memcmp(b, s + q, nb) == 0) {
			p += u;
			q += nb;
		} else if (t[p] == s[q]) {
			p++;
			q++;
		} else
			break;
	}
	*used = p;
	return q;
}

/*
 * The longest run at t[0..len) that stands for bytes that also occur in
 * s: the number of the secret's bytes, and in *used the text it takes.
 */
static size_t
scrub_run(const char *t, size_t len, const char *s, size_t slen,
    size_t *used)
{
	size_t	 best = 0, j, q, u;
	int	 escape;

	*used = 0;
	for (j = 0; j < slen; j++) {
		for (escape = 1; escape >= 0; escape--) {
			q = scrub_walk(t, len, s + j, slen - j, escape, &u);
			if (q > best) {
				best = q;
				*used = u;
			}
		}
	}
	return best;
}

/* See scrub.h. */
char *
scrub(const char *text, const char *const *secrets, size_t n)
{
	size_t	 len = strlen(text), i, o, k, run, used, end;
	char	*out, *mark;

	/*
	 * Mark every byte that is in a run of a secret, then replace each
	 * stretch of marked bytes with one mark: runs that overlap or touch
	 * (two secrets, or two pieces of one) leave nothing between them.
	 * Every stretch holds a run of SCRUB_MIN bytes or more, so a mark is
	 * never longer than what it replaces.
	 */
	mark = xcalloc(len + 1, 1);
	for (i = 0, end = 0; i < len; i++) {
		for (k = 0; k < n; k++) {
			if (secrets[k] == NULL || *secrets[k] == '\0')
				continue;
			run = scrub_run(text + i, len - i, secrets[k],
			    strlen(secrets[k]), &used);
			if (run >= SCRUB_MIN && i + used > end)
				end = i + used;
		}
		if (i < end)
			mark[i] = 1;
	}
	out = xmalloc(len + 1);
	for (i = 0, o = 0; i < len;) {
		if (!mark[i]) {
			out[o++] = text[i++];
			continue;
		}
		memcpy(out + o, SCRUB_MARK, sizeof SCRUB_MARK - 1);
		o += sizeof SCRUB_MARK - 1;
		while (i < len && mark[i])
			i++;
	}
	out[o] = '\0';
	free(mark);
	return out;
}
