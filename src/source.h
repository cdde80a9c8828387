/* SPDX-License-Identifier: ISC */
/*
 * Sources turn a command-line argument into a sequence of byte streams:
 * a file, every file below a directory, standard input, or the objects
 * under an S3 prefix.  source_open() picks the ops by URI scheme.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stdint.h>
#include <sys/types.h>

struct state;

/*
 * --shard: of the files or keys below each root, read only those whose
 * path relative to the root hashes to index (of count).  count 0: all.
 */
#define SOURCE_SHARD_MAX	1000000
struct source_shard {
	uint32_t	 index;
	uint32_t	 count;
};

struct source_opts {
	int64_t		 since_ms;	/* 0: no lower bound on eventTime */
	int64_t		 until_ms;	/* 0: no upper bound */
	/* S3: --account and --region values (comma lists), or none. */
	const char *const *accounts;
	size_t		 naccounts;
	const char *const *regions;
	size_t		 nregions;
	const char	*profile;	/* --profile, or NULL */
	int		 jobs;		/* objects in flight; 0: default */
	/* S3: --object-deadline, --run-deadline; 0: the default, none. */
	int64_t		 object_deadline_ms;
	int64_t		 run_deadline_ms;
	/* --state: skip what earlier runs read (state.h), or NULL. */
	struct state	*state;
	struct source_shard shard;	/* --shard; count 0 for none */
	/* S3: FORMS_ bits of what the rules read: GuardDuty/ is walked too. */
	unsigned int	 forms;
	int		 digests;	/* S3: list CloudTrail-Digest/ too */
};

struct stream {
	const char	*name;		/* path, "<stdin>", or s3://bucket/key */
	/* Read up to len bytes: n > 0, 0 at the end, -1 and *cause on error. */
	ssize_t		 (*read)(struct stream *, void *, size_t, char **);
	void		*priv;
	/*
	 * S3: the object's user metadata named (without "x-amz-meta-"),
	 * once the stream has been read, or NULL.  NULL for other sources.
	 */
	const char	*(*meta)(struct stream *, const char *);
	/*
	 * A regular file's stream: an independent copy over the same open
	 * file, to be read on any thread and ended with its close; the
	 * source lets go of the file.  NULL, or returning NULL, where the
	 * stream cannot be moved (standard input, a FIFO, S3).
	 */
	struct stream	*(*detach)(struct stream *);
	void		 (*close)(struct stream *);
};

struct source_ops {
	const char	 *scheme;	/* "file", "s3" */
	void		*(*open)(const char *, const struct source_opts *,
			    char **);
	/*
	 * 1 and *sp set; 0 at the end; -1 and *cause when one entry could not
	 * be opened (call again to go on with the rest): *sp then either names
	 * that entry (a stream whose read is NULL) and *cause is the reason
	 * alone, or is left as it was and *cause names the entry itself.  The
	 * stream belongs to the source and is valid until the next call.
	 */
	int		 (*next)(void *, struct stream **, char **);
	void		 (*close)(void *);
};

struct source;

extern const struct source_ops	source_file_ops;
extern const struct source_ops	source_s3_ops;

/*
 * When --run-deadline passes (CLOCK_MONOTONIC ms), once the first S3
 * source has started its clock; 0 before that, or without one.
 */
int64_t		 source_s3_run_deadline(void);

struct source	*source_open(const char *, const struct source_opts *,
		    char **);
int		 source_next(struct source *, struct stream **, char **);
void		 source_close(struct source *);

/*
 * Parse a --shard argument, "K/N" or "N"; with "N" the index comes from
 * batch (AWS_BATCH_JOB_ARRAY_INDEX) or else k8s (JOB_COMPLETION_INDEX),
 * either of which may be NULL.  0, or -1 and *cause.
 */
int		 source_shard_parse(const char *, const char *batch,
		    const char *k8s, struct source_shard *, char **cause);
/*
 * 1 if the file or key path, whose part below its root is the suffix rel,
 * is in the shard (its day directory, when it lies in CloudTrail's layout).
 */
int		 source_shard_keep(const struct source_shard *,
		    const char *path, const char *rel);
uint64_t	 source_shard_hash(const char *, size_t);
uint64_t	 source_shard_left(void);

#endif
