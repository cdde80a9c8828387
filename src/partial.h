/* SPDX-License-Identifier: ISC */
/*
 * Partial files: what one shard's correlation rules matched (--partial),
 * and ctaudit merge, which reads the partial files of every shard back
 * into the correlation engine.  The format is in ctaudit(1), PARTIAL
 * FILES.
 */
#ifndef PARTIAL_H
#define PARTIAL_H

#include <stddef.h>

struct correlate;
struct partial;
struct source_shard;

#define PARTIAL_VERSION		1
#define PARTIAL_LINE_MAX	(4 * 1024 * 1024)	/* one line read */

/*
 * Write the partial file of this shard (count 0: shard 0 of 1) to path:
 * the header now, then every match the engine (which may be NULL) hands
 * on.  NULL and *cause if path cannot be created.
 */
struct partial	*partial_create(const char *path, const struct source_shard *,
		    struct correlate *, char **cause);
/*
 * Write the end line (incomplete: some input could not be read) and
 * close: 0, or -1 and *cause.
 */
int		 partial_finish(struct partial *, int incomplete, char **cause);
void		 partial_free(struct partial *);
/*
 * ctaudit merge: check the n partial files against each other and the
 * engine's rules, then keep their matches in the engine, shard by shard.
 * 0, or -1 once every problem found is reported (nothing is kept then
 * that should be finished).
 */
int		 partial_merge(struct correlate *, char *const *paths,
		    size_t n);

#endif
