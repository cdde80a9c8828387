/* SPDX-License-Identifier: ISC */
/*
 * The progress line on a terminal's standard error: redrawn in place at
 * most once a second while a scan runs, and cleared when it ends.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include "audit.h"

struct progress;

struct progress	*progress_create(void);
void		 progress_free(struct progress *);
/* An audit_progress_cb; arg is the struct progress. */
void		 progress_update(const struct audit_stats *, int done,
		    void *arg);

#endif
