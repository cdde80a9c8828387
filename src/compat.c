/* SPDX-License-Identifier: ISC */
/*
 * Replacements for functions some libcs lack.  Compiled in only when
 * configure did not find them.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

#ifndef HAVE_EXPLICIT_BZERO
/* Zero memory in a way the compiler may not optimise away. */
void
explicit_bzero(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}
#endif

#ifndef HAVE_REALLOCARRAY
/* realloc with an overflow check on nmemb * size. */
void *
reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, nmemb * size);
}
#endif
