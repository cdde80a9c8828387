/* SPDX-License-Identifier: ISC */
/*
 * Sources: the registry of ways to turn a command-line argument into
 * streams, picked by URI scheme.  Anything without a known scheme is a
 * local path (or "-" for standard input).
 *
 * Sharding (--shard K/N) lives here too, so that every source splits its
 * files or keys the same way: by a hash of the path relative to the root
 * given on the command line, which does not change when the tree or the
 * bucket is listed again, nor between a tree on disk and its copy in S3.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3.h"
#include "source.h"
#include "xmalloc.h"

/*
 * What --shard left to other shards, for audit_path() to tell a shard
 * that owns nothing of an argument from an empty one.  Sources are read
 * on the main thread only.
 */
static uint64_t	source_shard_others;

struct source {
	const struct source_ops	*ops;
	void			*priv;
};

/* Every source; the file source, which takes any path, comes last. */
static const struct source_ops *const source_table[] = {
	&source_s3_ops,
	&source_file_ops,
	NULL
};

/* Open the source an argument names. */
struct source *
source_open(const char *uri, const struct source_opts *opts, char **cause)
{
	const struct source_ops	*ops = NULL;
	struct source		*src;
	const char		*colon;
	size_t			 i, len;
	void			*priv;

	colon = strstr(uri, "://");
	for (i = 0; source_table[i] != NULL; i++) {
		len = strlen(source_table[i]->scheme);
		if (colon != NULL && (size_t)(colon - uri) == len &&
		    strncmp(uri, source_table[i]->scheme, len) == 0) {
			ops = source_table[i];
			break;
		}
	}
	if (ops == NULL) {
		/* No scheme we know: a path, which may contain "://" too. */
		ops = &source_file_ops;
	}
	if ((priv = ops->open(uri, opts, cause)) == NULL)
		return NULL;
	src = xmalloc(sizeof *src);
	src->ops = ops;
	src->priv = priv;
	return src;
}

/* The next stream: 1, 0 at the end, -1 for an entry that failed. */
int
source_next(struct source *src, struct stream **sp, char **cause)
{
	return src->ops->next(src->priv, sp, cause);
}

/* Close the source and its current stream. */
void
source_close(struct source *src)
{
	if (src == NULL)
		return;
	src->ops->close(src->priv);
	free(src);
}

/*
 * A 64-bit hash of n bytes of a relative path: FNV-1a, then a finaliser
 * so that the low bits, which pick the shard, depend on every byte.  It
 * is part of the interface: changing it moves files between shards.
 */
uint64_t
source_shard_hash(const char *rel, size_t n)
{
	const unsigned char	*p = (const unsigned char *)rel;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * Whether the file or key path, whose part below its root is rel (a
 * suffix of path), belongs to the shard.  What is shared out is the day
 * directory of CloudTrail's layout that path lies in (its part below the
 * root, up to "DD/"), so that an S3 shard lists only its own days when a
 * window names them; a file outside the layout, or named below a day, is
 * shared out alone.  The day prefixes the S3 planner pushes (ending in
 * "DD/") hash to the same shard as the files below them.
 */
int
source_shard_keep(const struct source_shard *sh, const char *path,
    const char *rel)
{
	size_t	 off, day, n;

	if (sh == NULL || sh->count <= 1)
		return 1;
	while (*rel == '/')
		rel++;
	off = (size_t)(rel - path);
	n = strlen(rel);
	if ((day = s3_list_day_prefix(path)) > off)
		n = day - off;
	if (source_shard_hash(rel, n) % sh->count == sh->index)
		return 1;
	source_shard_others++;
	return 0;
}

/* How many files, keys or days source_shard_keep() left to other shards. */
uint64_t
source_shard_left(void)
{
	return source_shard_others;
}

/* A decimal number from 0 to max, digits only: 0, or -1. */
static int
source_shard_number(const char *s, size_t len, uint32_t max, uint32_t *vp)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*vp = (uint32_t)v;
	return 0;
}

/* Parse "K/N", or "N" with the index from the environment. */
int
source_shard_parse(const char *arg, const char *batch, const char *k8s,
    struct source_shard *sh, char **cause)
{
	const char	*slash, *count, *var = NULL, *idx = NULL;
	uint32_t	 n, k = 0;

	if ((slash = strchr(arg, '/')) != NULL) {
		count = slash + 1;
		idx = arg;
	} else {
		count = arg;
		if (batch != NULL && *batch != '\0') {
			var = "AWS_BATCH_JOB_ARRAY_INDEX";
			idx = batch;
		} else if (k8s != NULL && *k8s != '\0') {
			var = "JOB_COMPLETION_INDEX";
			idx = k8s;
		}
	}
	if (source_shard_number(count, strlen(count), UINT32_MAX, &n) == -1 ||
	    (slash != NULL && source_shard_number(arg, (size_t)(slash - arg),
	    UINT32_MAX, &k) == -1)) {
		*cause = xstrdup("not K/N or N (K from 0 to N-1)");
		return -1;
	}
	if (n < 1 || n > SOURCE_SHARD_MAX) {
		xasprintf(cause, "the count must be 1 to %d", SOURCE_SHARD_MAX);
		return -1;
	}
	if (idx == NULL) {
		*cause = xstrdup("no index: give K/N, or set "
		    "AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX");
		return -1;
	}
	if (var != NULL && source_shard_number(idx, strlen(idx), UINT32_MAX,
	    &k) == -1) {
		xasprintf(cause, "%s=%s: not an index", var, idx);
		return -1;
	}
	if (k >= n) {
		if (var != NULL)
			xasprintf(cause, "%s=%s: the index must be below the "
			    "count (0 to %u)", var, idx, n - 1);
		else
			xasprintf(cause, "the index must be below the count "
			    "(0 to %u)", n - 1);
		return -1;
	}
	sh->index = k;
	sh->count = n;
	return 0;
}
