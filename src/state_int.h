/* SPDX-License-Identifier: ISC */
/*
 * What the parts of the state share: its structures (the scopes of
 * state.c, the cursors of state_cursor.c, the dedup set of state_seen.c
 * and the journal of state_journal.c) and the helpers they call across
 * files.  Not for use outside state*.c.
 */
#ifndef STATE_INT_H
#define STATE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "hash.h"
#include "state.h"

#define STATE_MAGIC		"ctaudit-state"
#define STATE_JOURNAL_MAGIC	"ctaudit-journal"
#define STATE_BOOT_ID		"/proc/sys/kernel/random/boot_id"
#define STATE_BOOT_MAX		64
#define STATE_JOURNAL_MAX_STR	"64 MB"
/* Of which correlation matches take at most this. */
#define STATE_JOURNAL_CORR_MAX	(16 * 1024 * 1024)
#define STATE_FIELDS_MAX	7	/* corr has the most */

enum state_kind {
	STATE_FILE,
	STATE_S3,
};

/* What is known of one file or key. */
#define STATE_E_OLD	0x01	/* done in an earlier run */
#define STATE_E_SEEN	0x02	/* skipped this run because of that */
#define STATE_E_WANT	0x04	/* handed to the source this run */
#define STATE_E_OK	0x08	/* and read to the end */
#define STATE_E_FAILED	0x10	/* could not be read this run */
#define STATE_E_RETRY	0x20	/* failed in an earlier run */

struct state_ent {
	char		*key;		/* relative path, or S3 key */
	uint64_t	 size;
	int64_t		 mtime, ctime;	/* ns */
	int		 flags;
};

typedef const char *state_key_fn(const void *, size_t);

struct state_scope {
	enum state_kind	  kind;
	char		 *a;		/* realpath of root, or bucket */
	char		 *b;		/* S3 prefix; NULL for files */
	int64_t		  cut;		/* files: ctime ns, 0 if none */
	char		 *mark;		/* S3: NULL if none */
	int		  visited;
	struct state_ent *ents;
	size_t		  nents, entsize;
	struct hash	  tab;
};

struct state_pair {
	char		*key;		/* "RULE\tEVENT" */
	int64_t		 t;		/* eventTime, ms */
};

struct state {
	char			 *path;
	int			  lockfd;
	struct state_opts	  opts;
	struct state_scope	**scopes;
	size_t			  nscopes;
	struct state_scope	 *cur;		/* the file walk going on */
	char			 *cur_given;	/* its root as given */
	struct state_scope	 *last;		/* scope of the last S3 key */
	struct state_pair	 *pairs;
	size_t			  npairs, pairsize;
	struct hash		  pairtab;
	int64_t			  newest;	/* latest eventTime seen */
	int64_t			  latest;	/* of any event, for --stale */
	struct state_carry	 *carry;	/* correlation matches */
	size_t			  ncarry, carrysize;
	struct state_stats	  stats;

	char			 *jpath;	/* PATH.journal */
	FILE			 *jf;		/* NULL: no checkpoints */
	FILE			 *out;		/* where findings go */
	int			  out_sync;	/* out is a regular file */
	struct state_pair	 *pend;		/* written, not journaled */
	size_t			  npend, pendsize;
	size_t			  jcorr;	/* bytes of 'corr' lines */
	int			  jcorr_full;	/* past STATE_JOURNAL_CORR_MAX */
	int64_t			  jsync_ms;	/* monotonic, last sync */
	int			  jdirty;	/* lines since then */
};

/* A record word a reader knows, and its number of fields. */
struct state_rec {
	const char	*word;
	size_t		 nf;
};

size_t	 state_tab_find(const struct hash *, const char *,
		    state_key_fn *, const void *);
void	 state_tab_add(struct hash *, size_t, state_key_fn *,
		    const void *);
struct state_ent *state_ent_get(struct state_scope *, const char *);
struct state_ent *state_ent_add(struct state_scope *, const char *);
struct state_scope *state_scope_add(struct state *, enum state_kind,
		    const char *, const char *);
struct state_scope *state_scope_find(struct state *, enum state_kind,
		    const char *, const char *);
int	 state_number(const char *, int64_t *);
int	 state_hexval(int);
int	 state_needs_escape(unsigned char);
int	 state_fields(const struct state_rec *, size_t, char **,
		    size_t, char **);
int	 state_open_file(const char *, int, char **);
void	 state_put(FILE *, const char *);
void	 state_prune(struct state *, size_t);
void	 state_pair_add(struct state *, const char *, int64_t);
int	 state_journal_load(struct state *, unsigned long *,
		    char **);
void	 state_journal_put(struct state *, struct state_scope *,
		    struct state_ent *);
const char	*state_ent_key(const void *, size_t);
int	 state_carry_parse(struct state *, char **, int, char **);
void	 state_carry_write(struct state *, FILE *, uint64_t *);
const char	*state_pair_key(const void *, size_t);

#endif
