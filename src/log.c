/* SPDX-License-Identifier: ISC */
/*
 * Diagnostics.  Every message for the user is printed here, in one format,
 * "ctaudit: where:line: level: message", and the worst level seen is kept
 * for main() to map to the exit status (as mandoc's mandoc_msg does).
 * The place and the message are escaped as record fields are in the text
 * output (output_esc_text()): a file name or an S3 key holding a newline,
 * ESC or an OSC sequence can neither forge a line nor drive the terminal.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "output_int.h"
#include "progress.h"

static const char	*diag_progname = "ctaudit";
static int		 diag_quiet;
static enum diag_level	 diag_worst_level = DIAG_NOTE;
static unsigned long	 diag_counts[DIAG_CONFIG + 1];
static __thread diag_capture_cb	*diag_capture_fn;
static __thread void		*diag_capture_arg;

static const char *const diag_names[] = {
	[DIAG_NOTE] = "note",
	[DIAG_WARN] = "warning",
	[DIAG_ERROR] = "error",
	[DIAG_CONFIG] = "error",
};

/* Set the name that prefixes every message. */
void
diag_init(const char *progname)
{
	diag_progname = progname;
}

/* Hide notes and warnings (they are still counted). */
void
diag_set_quiet(int quiet)
{
	diag_quiet = quiet;
}

/* Report a problem at where:line (line 0: no line). */
void
diag(enum diag_level level, const char *where, unsigned long line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 n;

	if (diag_capture_fn != NULL) {
		va_start(ap, fmt);
		n = vasprintf(&msg, fmt, ap);
		va_end(ap);
		if (n == -1)
			fatal("vasprintf");
		diag_capture_fn(level, where, line, msg, diag_capture_arg);
		free(msg);
		return;
	}
	diag_counts[level]++;
	if (level > diag_worst_level)
		diag_worst_level = level;
	if (diag_quiet && level < DIAG_ERROR)
		return;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("vasprintf");
	fflush(stdout);
	progress_hide();
	fprintf(stderr, "%s: ", diag_progname);
	if (where != NULL) {
		output_esc_text(stderr, where, strlen(where));
		if (line > 0)
			fprintf(stderr, ":%lu", line);
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s: ", diag_names[level]);
	output_esc_text(stderr, msg, (size_t)n);
	fputc('\n', stderr);
	progress_show();
	free(msg);
}

/* Send this thread's messages to cb (NULL: to stderr again). */
void
diag_capture(diag_capture_cb *cb, void *arg)
{
	diag_capture_fn = cb;
	diag_capture_arg = arg;
}

/* The worst level reported so far. */
enum diag_level
diag_worst(void)
{
	return diag_worst_level;
}

/* How many messages of this level were reported. */
unsigned long
diag_count(enum diag_level level)
{
	return diag_counts[level];
}

static __dead __printflike(2, 0) void
log_vfatal(int with_errno, const char *fmt, va_list ap)
{
	int	saved = errno;

	fflush(stdout);
	progress_hide();
	fprintf(stderr, "%s: fatal: ", diag_progname);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	exit(3);
}

/* A system error there is no going on from: print with errno and exit. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vfatal(1, fmt, ap);
}

/* A bug or impossible state: print and exit. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vfatal(0, fmt, ap);
}
