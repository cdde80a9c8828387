/* SPDX-License-Identifier: ISC */
/*
 * The cursors of the state file (state.c describes the scopes): the
 * questions the sources ask before and after each stream.  A file walk
 * asks whether a path under a root is new since the cut or its done set;
 * an S3 listing asks where to start after (the mark) and whether a key is
 * in the done set; both report each stream as read to the end or failed,
 * which moves the mark and the retry set, and checkpoints the stream in
 * the journal.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "s3.h"
#include "state.h"
#include "state_int.h"
#include "xmalloc.h"

static const char *state_rel(struct state *, const char *);
static struct state_ent *state_stream_mark(struct state *, const char *,
		    int, struct state_scope **);

/* A walk of a local tree begins. */
void
state_file_begin(struct state *st, const char *root)
{
	char	*real;

	free(st->cur_given);
	st->cur_given = xstrdup(root);
	if ((real = realpath(root, NULL)) == NULL)
		real = xstrdup(root);
	if ((st->cur = state_scope_find(st, STATE_FILE, real, NULL)) == NULL)
		st->cur = state_scope_add(st, STATE_FILE, real, NULL);
	st->cur->visited = 1;
	free(real);
}

/* Path relative to the root of the walk: "" for the root itself. */
static const char *
state_rel(struct state *st, const char *path)
{
	size_t	len;

	if (st->cur_given == NULL)
		return NULL;
	len = strlen(st->cur_given);
	if (strncmp(path, st->cur_given, len) != 0)
		return NULL;
	path += len;
	while (*path == '/')
		path++;
	return path;
}

/* Whether to read a file of the walk. */
int
state_file_want(struct state *st, const char *path, const struct stat *sb)
{
	struct state_scope	*sc = st->cur;
	struct state_ent	*e;
	const char		*rel;
	char			*dir, *slash;
	int64_t			 mtime, ctime;
	int			 retry = 0;

	if (sc == NULL || (rel = state_rel(st, path)) == NULL)
		return 1;
	mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
	    sb->st_mtim.tv_nsec;
	ctime = (int64_t)sb->st_ctim.tv_sec * 1000000000 +
	    sb->st_ctim.tv_nsec;

	/* A failure here or in a directory above: read it regardless. */
	dir = xstrdup(rel);
	for (;;) {
		if ((e = state_ent_get(sc, dir)) != NULL &&
		    (e->flags & STATE_E_RETRY))
			retry = 1;
		if ((slash = strrchr(dir, '/')) == NULL)
			break;
		*slash = '\0';
	}
	free(dir);

	e = state_ent_get(sc, rel);
	if (!retry && e != NULL && (e->flags & STATE_E_OLD) && e->size ==
	    (uint64_t)sb->st_size && e->mtime == mtime && e->ctime == ctime) {
		e->flags |= STATE_E_SEEN;
		st->stats.skipped++;
		return 0;
	}
	/* No entry is made for these: memory stays bounded by the new. */
	if (!retry && e == NULL && sc->cut != 0 && ctime < sc->cut) {
		st->stats.skipped++;
		return 0;
	}
	if (e == NULL)
		e = state_ent_add(sc, rel);
	e->flags &= ~(STATE_E_OLD | STATE_E_RETRY);
	e->flags |= STATE_E_WANT;
	e->size = (uint64_t)sb->st_size;
	e->mtime = mtime;
	e->ctime = ctime;
	return 1;
}

/* Something below the root could not be read: try it again next time. */
void
state_file_failed(struct state *st, const char *path)
{
	struct state_ent	*e;
	const char		*rel;

	if (st->cur == NULL || (rel = state_rel(st, path)) == NULL)
		return;
	e = state_ent_add(st->cur, rel);
	e->flags = STATE_E_FAILED;
}

/* Where to start listing an S3 prefix. */
const char *
state_s3_start_after(struct state *st, const char *bucket,
    const char *prefix)
{
	struct state_scope	*sc;

	if ((sc = state_scope_find(st, STATE_S3, bucket, prefix)) == NULL)
		sc = state_scope_add(st, STATE_S3, bucket, prefix);
	sc->visited = 1;
	return sc->mark;
}

/* Whether to read a listed key. */
int
state_s3_want(struct state *st, const char *bucket, const char *prefix,
    const char *key)
{
	struct state_scope	*sc;
	struct state_ent	*e;

	if ((sc = state_scope_find(st, STATE_S3, bucket, prefix)) == NULL) {
		(void)state_s3_start_after(st, bucket, prefix);
		sc = st->scopes[st->nscopes - 1];
	}
	if (sc->mark != NULL && strcmp(key, sc->mark) <= 0) {
		st->stats.skipped++;
		return 0;
	}
	e = state_ent_add(sc, key);
	if (e->flags & STATE_E_OLD) {
		e->flags |= STATE_E_SEEN;
		st->stats.skipped++;
		return 0;
	}
	e->flags = STATE_E_WANT;
	return 1;
}

/* A stream was read to the end, or not; checkpoint it. */
void
state_stream_done(struct state *st, const char *name, int ok)
{
	struct state_scope	*sc = NULL;
	struct state_ent	*e;

	e = state_stream_mark(st, name, ok, &sc);
	if (st->jf != NULL)
		state_journal_put(st, sc, ok ? e : NULL);
}

/* Note how a stream ended: its entry (and *scp), or NULL if it has none. */
static struct state_ent *
state_stream_mark(struct state *st, const char *name, int ok,
    struct state_scope **scp)
{
	struct state_scope	*sc, *best = NULL;
	struct state_ent	*e;
	const char		*key, *rel;
	size_t			 i, blen, plen, bestlen = 0;

	if (strncmp(name, "s3://", 5) != 0) {
		if (st->cur == NULL || (rel = state_rel(st, name)) == NULL ||
		    (e = state_ent_get(st->cur, rel)) == NULL)
			return NULL;
		e->flags &= ~STATE_E_WANT;
		e->flags |= ok ? STATE_E_OK : STATE_E_FAILED;
		*scp = st->cur;
		return e;
	}
	name += 5;
	if ((key = strchr(name, '/')) == NULL)
		return NULL;
	blen = (size_t)(key - name);
	key++;
	/* The longest prefix of the bucket that holds the key. */
	sc = st->last;
	if (sc != NULL && strlen(sc->a) == blen &&
	    strncmp(sc->a, name, blen) == 0 &&
	    strncmp(key, sc->b, strlen(sc->b)) == 0 &&
	    (e = state_ent_get(sc, key)) != NULL)
		best = sc;
	for (i = 0; best == NULL && i < st->nscopes; i++) {
		sc = st->scopes[i];
		plen = sc->b != NULL ? strlen(sc->b) : 0;
		if (sc->kind != STATE_S3 || strlen(sc->a) != blen ||
		    strncmp(sc->a, name, blen) != 0 ||
		    strncmp(key, sc->b, plen) != 0 || plen < bestlen)
			continue;
		if (state_ent_get(sc, key) == NULL)
			continue;
		best = sc;
		bestlen = plen;
	}
	if (best == NULL || (e = state_ent_get(best, key)) == NULL)
		return NULL;
	st->last = best;
	e->flags &= ~STATE_E_WANT;
	e->flags |= ok ? STATE_E_OK : STATE_E_FAILED;
	*scp = best;
	return e;
}
