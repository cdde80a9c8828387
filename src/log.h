/* SPDX-License-Identifier: ISC */
/*
 * The one diagnostics path: every message the user sees goes through diag(),
 * which prints "ctaudit: where:line: level: message" and remembers the worst
 * level seen, so that main() can turn it into the exit status.
 */
#ifndef LOG_H
#define LOG_H

#include "compat.h"

enum diag_level {
	DIAG_NOTE,		/* informational, never changes the status */
	DIAG_WARN,		/* something odd, but everything was read */
	DIAG_ERROR,		/* some input could not be read: exit 2 */
	DIAG_CONFIG,		/* usage, rule or configuration error: exit 3 */
};

void		 diag_init(const char *progname);
void		 diag_set_quiet(int);	/* hide notes and warnings */
void		 diag(enum diag_level, const char *where, unsigned long line,
		    const char *fmt, ...) __printflike(4, 5);
/*
 * Hand this thread's messages to cb instead (formatted, not counted), to
 * be shown later in order with diag(level, where, line, "%s", msg); NULL
 * shows them again.  The -j workers use it (worker.c).
 */
typedef void	 diag_capture_cb(enum diag_level, const char *where,
		    unsigned long line, const char *msg, void *);
void		 diag_capture(diag_capture_cb *, void *);
enum diag_level	 diag_worst(void);	/* DIAG_NOTE if nothing worse seen */
unsigned long	 diag_count(enum diag_level);
__dead void	 fatal(const char *fmt, ...) __printflike(1, 2);
__dead void	 fatalx(const char *fmt, ...) __printflike(1, 2);

#endif
