/* SPDX-License-Identifier: ISC */
/*
 * Growable buffers with a cap.  Everything that grows with input (a JSON
 * event, an S3 listing page, a response body) goes into one of these, so
 * a hostile input meets a clear error rather than exhausting memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

/* Prepare an empty buffer that may hold at most max bytes. */
void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->size = 0;
	b->max = max;
}

static int
buf_grow(struct buf *b, size_t need)
{
	size_t	size;

	if (need > b->max || need + 1 < need)
		return -1;
	if (need + 1 <= b->size)
		return 0;
	size = b->size == 0 ? 256 : b->size;
	while (size < need + 1)
		size = size > ((size_t)-1) / 2 ? need + 1 : size * 2;
	if (size > b->max + 1)
		size = b->max + 1;
	b->data = xreallocarray(b->data, 1, size);
	b->size = size;
	return 0;
}

/* Append len bytes; -1 if that would pass the cap (nothing is added). */
int
buf_add(struct buf *b, const void *p, size_t len)
{
	if (buf_grow(b, b->len + len) == -1)
		return -1;
	if (len != 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* Append one byte. */
int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

/* Append formatted text. */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n, rv;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		return -1;
	rv = buf_add(b, s, (size_t)n);
	free(s);
	return rv;
}

/* Forget the contents but keep the storage. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Hand the contents to the caller, who frees them; the buf is reset. */
char *
buf_take(struct buf *b)
{
	char	*p;

	p = b->data != NULL ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->size = 0;
	return p;
}

/*
 * Append the rest of f: 0 at its end, 1 when it holds more than the cap
 * allows (b holds what fitted), -1 on a read error (errno set).
 */
int
buf_fread(struct buf *b, FILE *f)
{
	char	chunk[8192];
	size_t	n;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_add(b, chunk, n) != 0)
			return 1;
	}
	return ferror(f) ? -1 : 0;
}

/* Free the storage. */
void
buf_clear(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}
