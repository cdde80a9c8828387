/* SPDX-License-Identifier: ISC */
/* Unit tests for buf.c: growth, the cap, take and reset. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int	failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failed = 1;						\
	}								\
} while (0)

int
main(void)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	buf_init(&b, 10);
	CHECK(buf_add(&b, "hello", 5) == 0);
	CHECK(b.len == 5 && strcmp(b.data, "hello") == 0);
	CHECK(buf_add(&b, "world", 5) == 0);		/* exactly the cap */
	CHECK(b.len == 10);
	CHECK(buf_addc(&b, '!') == -1);			/* one past it */
	CHECK(b.len == 10 && strcmp(b.data, "helloworld") == 0);
	buf_reset(&b);
	CHECK(b.len == 0 && b.data[0] == '\0');
	CHECK(buf_printf(&b, "%d-%s", 42, "x") == 0);
	CHECK(strcmp(b.data, "42-x") == 0);
	CHECK(buf_printf(&b, "%s", "0123456789") == -1);
	CHECK(strcmp(b.data, "42-x") == 0);		/* unchanged */
	s = buf_take(&b);
	CHECK(strcmp(s, "42-x") == 0);
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	buf_clear(&b);

	buf_init(&b, 1 << 20);
	for (i = 0; i < 100000; i++)
		CHECK(buf_addc(&b, (char)('a' + i % 26)) == 0);
	CHECK(b.len == 100000 && b.data[99999] == 'a' + 99999 % 26);
	CHECK(b.data[100000] == '\0');
	buf_clear(&b);

	s = buf_take(&b);		/* an empty buf gives "" */
	CHECK(s != NULL && *s == '\0');
	free(s);
	/* A file read whole, to the byte of the cap and one past it. */
	{
		FILE	*f;

		CHECK((f = tmpfile()) != NULL);
		if (f != NULL) {
			CHECK(fputs("helloworld", f) >= 0);
			rewind(f);
			buf_init(&b, 10);
			CHECK(buf_fread(&b, f) == 0);
			CHECK(b.len == 10 && strcmp(b.data, "helloworld") == 0);
			buf_clear(&b);
			rewind(f);
			buf_init(&b, 9);
			CHECK(buf_fread(&b, f) == 1);
			CHECK(b.len == 0);	/* the chunk did not fit */
			buf_clear(&b);
			fclose(f);
		}
	}
	return failed;
}
