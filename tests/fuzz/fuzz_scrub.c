/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: scrub().  Up to the first NUL byte, up to three
 * secrets, one a line; after it the text.  The result must be no longer
 * than the text, and hold no 8-byte piece of a secret as it is, where
 * the piece cannot have been made by a mark and its neighbours (no '[' or
 * ']') and the secret holds nothing that reads as an escape.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul;
	char		*secrets, *text, *out, *p, *line;
	const char	*sv[3] = { NULL, NULL, NULL };
	size_t		 n = 0, i, j, slen;

	if ((nul = memchr(data, '\0', size)) == NULL)
		return 0;
	secrets = strndup((const char *)data, (size_t)(nul - data));
	text = strndup((const char *)nul + 1, size - (size_t)(nul - data) - 1);
	if (secrets == NULL || text == NULL)
		abort();
	for (p = secrets; n < 3 && (line = strsep(&p, "\n")) != NULL;)
		sv[n++] = line;
	out = scrub(text, sv, n);
	if (strlen(out) > strlen(text)) {
		fprintf(stderr, "longer: '%s' -> '%s'\n", text, out);
		abort();
	}
	for (i = 0; i < n; i++) {
		slen = strlen(sv[i]);
		if (strpbrk(sv[i], "\\%&+") != NULL)
			continue;
		for (j = 0; j + SCRUB_MIN <= slen; j++) {
			if (memchr(sv[i] + j, '[', SCRUB_MIN) != NULL ||
			    memchr(sv[i] + j, ']', SCRUB_MIN) != NULL)
				continue;
			if (memmem(out, strlen(out), sv[i] + j, SCRUB_MIN) !=
			    NULL) {
				fprintf(stderr, "piece of '%s' left in '%s'\n",
				    sv[i], out);
				abort();
			}
		}
	}
	free(out);
	free(secrets);
	free(text);
	return 0;
}
