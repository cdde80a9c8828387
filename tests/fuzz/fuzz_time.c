/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: the time parser, with a round-trip property.  Any
 * time eventtime_parse() accepts must format to a string that parses back
 * to the same instant and formats the same again.  --since/--until
 * bounds are read too, and whatever they give must format within
 * EVENTTIME_BUFSIZE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventtime.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_TIME_NOW	1700000000000LL	/* 2023-11-14T22:13:20Z */

static void
fuzz_time_roundtrip(int64_t t, const char *what)
{
	char	 a[EVENTTIME_BUFSIZE], b[EVENTTIME_BUFSIZE];
	int64_t	 u;

	eventtime_format(t, a, sizeof a);
	if (eventtime_parse(a, strlen(a), &u) == -1) {
		fprintf(stderr, "%s %lld formats to \"%s\", which does not "
		    "parse\n", what, (long long)t, a);
		abort();
	}
	eventtime_format(u, b, sizeof b);
	if (u != t || strcmp(a, b) != 0) {
		fprintf(stderr, "%s %lld -> \"%s\" -> %lld -> \"%s\"\n", what,
		    (long long)t, a, (long long)u, b);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *cause = NULL, buf[EVENTTIME_BUFSIZE];
	int64_t	 t;

	if (eventtime_parse((const char *)data, size, &t) == 0)
		fuzz_time_roundtrip(t, "parsed");
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (eventtime_bound(s, FUZZ_TIME_NOW, &t, &cause) == 0)
		eventtime_format(t, buf, sizeof buf);
	free(cause);
	free(s);
	return 0;
}
