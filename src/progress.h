/* SPDX-License-Identifier: ISC */
/*
 * The progress line on a terminal's standard error: redrawn in place at
 * most once a second while a scan runs, hidden while any other line is
 * written to the terminal, and cleared when the scan ends.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>

#include "audit.h"

struct progress;

/* The paths give the total when they are local. */
struct progress	*progress_create(const char *const *, size_t);
void		 progress_free(struct progress *);
/* An audit_progress_cb; arg is the struct progress. */
void		 progress_update(const struct audit_stats *, int done,
		    void *arg);
/* Around any other line written to the terminal; no-ops without one. */
void		 progress_hide(void);
void		 progress_show(void);

#endif
