/* SPDX-License-Identifier: ISC */
/*
 * Portability shims shared by every module: attributes, and replacements
 * for the few functions that a libc may lack.
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stddef.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif
#ifndef __printflike
#define __printflike(f, a)	__attribute__((__format__(printf, f, a)))
#endif
#define __unused_result	__attribute__((__warn_unused_result__))
/* A case that goes on into the next: gcc reads the comment, clang not. */
#if defined(__has_attribute)
#if __has_attribute(__fallthrough__)
#define FALLTHROUGH	__attribute__((__fallthrough__))
#endif
#endif
#ifndef FALLTHROUGH
#define FALLTHROUGH	do { } while (0)
#endif

#ifndef nitems
#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#endif

#ifndef HAVE_EXPLICIT_BZERO
void	 explicit_bzero(void *, size_t);
#endif
#ifndef HAVE_REALLOCARRAY
void	*reallocarray(void *, size_t, size_t);
#endif

#endif
