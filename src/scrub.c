/* SPDX-License-Identifier: ISC */
/*
 * Scrubbing secrets, and any piece of one, out of text a server sent
 * back.  Matching any shared run rather than the whole secret is what
 * makes it hold however the text was cut: by the server, by a cap here,
 * or in the middle of the secret.  The texts are short (a message cut to
 * a few hundred bytes, a secret to a few hundred), so the plain search,
 * quadratic in their lengths, costs little.
 */
#include "config.h"

#include <string.h>

#include "scrub.h"
#include "xmalloc.h"

/* The longest run at t[0..len) that also occurs in s. */
static size_t
scrub_run(const char *t, size_t len, const char *s)
{
	size_t	 best = 0, j, k, slen = strlen(s);

	for (j = 0; j < slen && best < len; j++) {
		for (k = 0; k < len && j + k < slen && t[k] == s[j + k]; k++)
			continue;
		if (k > best)
			best = k;
	}
	return best;
}

/* See scrub.h. */
char *
scrub(const char *text, const char *const *secrets, size_t n)
{
	size_t	 len = strlen(text), i = 0, o = 0, k, run, r;
	char	*out;

	/* A mark replaces at least SCRUB_MIN bytes: never longer. */
	out = xmalloc(len + 1);
	while (i < len) {
		run = 0;
		for (k = 0; k < n; k++) {
			if (secrets[k] == NULL || *secrets[k] == '\0')
				continue;
			if ((r = scrub_run(text + i, len - i, secrets[k])) > run)
				run = r;
		}
		if (run >= SCRUB_MIN) {
			memcpy(out + o, SCRUB_MARK, sizeof SCRUB_MARK - 1);
			o += sizeof SCRUB_MARK - 1;
			i += run;
		} else
			out[o++] = text[i++];
	}
	out[o] = '\0';
	return out;
}
