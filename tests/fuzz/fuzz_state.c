/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: the state file and journal readers (state.c,
 * state_journal.c).  The input up to the first NUL byte is the state
 * file, what follows it (if anything) the journal beside it; a journal
 * header "ctaudit-journal 1 @" stands for this boot's id, so that both
 * the same-boot and the after-reboot paths are reached.  Whatever loads
 * must be written back and load again the same (a round trip), and the
 * dedup set and cursors are asked a few questions on the way.  Files go
 * to a private directory under /dev/shm (or $TMPDIR), made once.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_STATE_NOW_MS	1735689600000LL	/* 2025-01-01 */

static char	 fuzz_state_dir[64];
static char	 fuzz_state_path[96], fuzz_state_journal[128];
static char	 fuzz_state_boot[64];

static void	 fuzz_state_write(const char *, const void *, size_t);
static struct state *fuzz_state_open(void);
static void	 fuzz_state_clean(void);

/* Make the directory, and learn this boot's id. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp;
	FILE		*f;

	(void)argc;
	(void)argv;
	tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(fuzz_state_dir, sizeof fuzz_state_dir, "%s/fuzz-state.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(fuzz_state_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fuzz_state_path, sizeof fuzz_state_path, "%s/state",
	    fuzz_state_dir);
	snprintf(fuzz_state_journal, sizeof fuzz_state_journal,
	    "%s/state.journal", fuzz_state_dir);
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "r")) != NULL) {
		if (fgets(fuzz_state_boot, sizeof fuzz_state_boot, f) == NULL)
			fuzz_state_boot[0] = '\0';
		fuzz_state_boot[strcspn(fuzz_state_boot, "\n")] = '\0';
		fclose(f);
	}
	diag_init("ctaudit");
	diag_set_quiet(1);
	atexit(fuzz_state_clean);
	return 0;
}

static void
fuzz_state_clean(void)
{
	char	path[128];

	unlink(fuzz_state_path);
	unlink(fuzz_state_journal);
	snprintf(path, sizeof path, "%s.lock", fuzz_state_path);
	unlink(path);
	rmdir(fuzz_state_dir);
}

static void
fuzz_state_write(const char *path, const void *p, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL ||
	    (len > 0 && fwrite(p, len, 1, f) != 1) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static struct state *
fuzz_state_open(void)
{
	struct state_opts	 opts;
	struct state		*st;
	char			*where = NULL, *cause = NULL;
	unsigned long		 line = 0;
	int			 busy = 0;

	memset(&opts, 0, sizeof opts);
	opts.now_ms = FUZZ_STATE_NOW_MS;
	st = state_open(fuzz_state_path, &opts, &busy, &where, &line, &cause);
	if (busy) {
		fprintf(stderr, "fuzz_state: lock busy\n");
		abort();
	}
	free(where);
	free(cause);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 hdr[] = "ctaudit-journal 1 @";
	const uint8_t		*nul;
	struct state		*st;
	struct stat		 sb;
	char			*cause = NULL, *j;
	size_t			 slen, jlen;

	unlink(fuzz_state_journal);
	nul = memchr(data, '\0', size);
	slen = nul != NULL ? (size_t)(nul - data) : size;
	fuzz_state_write(fuzz_state_path, data, slen);
	if (nul != NULL) {
		jlen = size - slen - 1;
		if (jlen >= sizeof hdr - 1 &&
		    memcmp(nul + 1, hdr, sizeof hdr - 1) == 0) {
			/* The header with this boot's id for the '@'. */
			if (asprintf(&j, "%.*s%s%.*s", (int)(sizeof hdr - 2),
			    hdr, fuzz_state_boot,
			    (int)(jlen - (sizeof hdr - 1)),
			    (const char *)nul + sizeof hdr) == -1)
				abort();
			fuzz_state_write(fuzz_state_journal, j, strlen(j));
			free(j);
		} else
			fuzz_state_write(fuzz_state_journal, nul + 1, jlen);
	}

	if ((st = fuzz_state_open()) == NULL)
		return 0;
	(void)state_seen(st, "rule-1", "ev-1", 4, FUZZ_STATE_NOW_MS);
	(void)state_seen(st, "rule-1", "ev-1", 4, FUZZ_STATE_NOW_MS);
	(void)state_stats(st);
	(void)state_latest(st);
	/* What loaded must be saved and load again. */
	if (state_save(st, &cause) == -1) {
		fprintf(stderr, "fuzz_state: save: %s\n", cause);
		abort();
	}
	state_free(st);
	if (stat(fuzz_state_journal, &sb) == 0) {
		fprintf(stderr, "fuzz_state: journal left after save\n");
		abort();
	}
	if ((st = fuzz_state_open()) == NULL) {
		fprintf(stderr, "fuzz_state: saved state does not load\n");
		abort();
	}
	state_free(st);
	return 0;
}
