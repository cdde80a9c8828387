/* SPDX-License-Identifier: ISC */
/*
 * Allocation that never returns NULL: on failure it calls fatal(), so the
 * result is never checked by callers.
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

#include "compat.h"

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
int	 xasprintf(char **, const char *, ...) __printflike(2, 3);
char	*xprintf(const char *, ...) __printflike(1, 2);
void	 freezero_str(char *);	/* wipe a NUL-terminated secret, then free */

#endif
