/* SPDX-License-Identifier: ISC */
/*
 * Allocation wrappers that never return NULL.  Running out of memory is not
 * a condition ctaudit recovers from: every buffer that grows with input has
 * its own cap, so reaching here is a bug or a starved machine.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

/* Allocate size bytes (at least 1). */
void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("xmalloc %zu bytes", size);
	return p;
}

/* Allocate zeroed memory for nmemb elements. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatal("xcalloc %zu x %zu bytes", nmemb, size);
	return p;
}

/* Resize to nmemb elements, checking the multiplication. */
void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = reallocarray(ptr, nmemb, size)) == NULL)
		fatal("xreallocarray %zu x %zu bytes", nmemb, size);
	return p;
}

/* Copy a string. */
char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

/* Copy at most n bytes of a string and terminate it. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Copy n bytes. */
void *
xmemdup(const void *s, size_t n)
{
	void	*p;

	p = xmalloc(n);
	if (n != 0)
		memcpy(p, s, n);
	return p;
}

/* Format into a new string; returns its length. */
int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("xasprintf");
	return n;
}

/* Format into a new string and return it. */
char *
xprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("xprintf");
	va_end(ap);
	return s;
}

/* Wipe a NUL-terminated secret, then free it; accepts NULL. */
void
freezero_str(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
