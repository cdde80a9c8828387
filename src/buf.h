/* SPDX-License-Identifier: ISC */
/*
 * A growable byte buffer with a cap.  Going past the cap is a bad-input
 * error for the caller to report, never an abort.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdio.h>

#include "compat.h"

#define BUF_RECORD_MAX	(4 * 1024 * 1024)	/* one JSON event */
#define BUF_LISTING_MAX	(8 * 1024 * 1024)	/* one ListObjectsV2 page */

struct buf {
	char	*data;		/* NUL-terminated, owned by the buf */
	size_t	 len, size, max;
};

void	 buf_init(struct buf *, size_t max);
int	 buf_add(struct buf *, const void *, size_t) __unused_result;
int	 buf_addc(struct buf *, char) __unused_result;
int	 buf_printf(struct buf *, const char *, ...)
	    __printflike(2, 3) __unused_result;
int	 buf_fread(struct buf *, FILE *) __unused_result;
void	 buf_reset(struct buf *);	/* len = 0, storage kept */
char	*buf_take(struct buf *);	/* caller owns it; buf is reset */
void	 buf_clear(struct buf *);	/* frees the storage */

#endif
