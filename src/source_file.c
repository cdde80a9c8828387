/* SPDX-License-Identifier: ISC */
/*
 * The file source: a path names a file, a directory or "-" (standard
 * input).  A directory is walked depth first with each level sorted by
 * strcmp(3), so runs are repeatable; names starting with '.' are skipped
 * and only regular files are read.  Symbolic links are followed, and a
 * link back to a directory already on the current path is reported once
 * instead of being walked for ever.  A file or directory that cannot be
 * opened is an error for that entry only: next() returns -1 and the caller
 * calls it again for the rest.
 * Every directory, and every file that has more than one name (a hard
 * link, or reached through a symbolic link), is remembered by device and
 * inode, and read once: a tree of links that reach one directory by many
 * paths (2^30 of them in 30 levels of two links) costs one visit, and a
 * note says where a file or directory was skipped as already read.
 * With --shard, a file below a directory is read only when its path
 * relative to the directory is in the shard (source.c); a file named on
 * the command line is hashed by its name as given, and standard input
 * is read by shard 0 only.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "source.h"
#include "state.h"
#include "xmalloc.h"

/* Directories and linked files remembered in one walk. */
#define SOURCE_FILE_SEEN_MAX	(4 * 1024 * 1024)

/* A directory or linked file already read, and the path it was read as. */
struct source_file_seen {
	dev_t		 dev;
	ino_t		 ino;
	char		*path;		/* NULL: an empty slot */
};

/* A directory on the current path of the walk. */
struct source_file_dir {
	char		 *path;
	dev_t		  dev;
	ino_t		  ino;
	char		**names;	/* sorted entries */
	size_t		  n, i;
};

/* A file handed to a -j worker (source_file_detach()). */
struct source_file_detached {
	struct stream		 stream;
	int			 fd;
};

struct source_file {
	char			*root;	/* the argument */
	int			 is_dir;
	int			 done;	/* a single file was handed out */
	int			 fd;	/* the current stream's, or -1 */
	char			*name;	/* the current stream's */
	struct state		*state;	/* --state, or NULL */
	struct source_shard	 shard;
	struct stream		 stream;
	struct stream		 failed;	/* names an entry that failed */
	struct source_file_dir	*stack;
	size_t			 depth, size;
	struct source_file_seen	*seen;	/* open addressing, a power of 2 */
	size_t			 nseen, seensize;
	int			 seenfull;	/* past SOURCE_FILE_SEEN_MAX */
};

static void	*source_file_open(const char *, const struct source_opts *,
		    char **);
static int	 source_file_next(void *, struct stream **, char **);
static void	 source_file_close(void *);
static ssize_t	 source_file_read(struct stream *, void *, size_t, char **);
static ssize_t	 source_file_fdread(int, void *, size_t, char **);
static struct stream *source_file_detach(struct stream *);
static ssize_t	 source_file_detached_read(struct stream *, void *, size_t,
		    char **);
static void	 source_file_detached_close(struct stream *);
static int	 source_file_push(struct source_file *, char *,
		    const struct stat *, char **);
static void	 source_file_pop(struct source_file *);
static int	 source_file_fail(struct source_file *, char *,
		    struct stream **);
static int	 source_file_cmp(const void *, const void *);
static void	 source_file_done(struct source_file *);
static const char *source_file_seen(struct source_file *, const char *,
		    const struct stat *);

const struct source_ops source_file_ops = {
	.scheme = "file",
	.open = source_file_open,
	.next = source_file_next,
	.close = source_file_close,
};

static int
source_file_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Remember that path, of device and inode sb, is being read.  Returns
 * NULL, or the path it was read as before (it must not be read again).
 */
static const char *
source_file_seen(struct source_file *sf, const char *path,
    const struct stat *sb)
{
	struct source_file_seen	*old, *e;
	size_t			 i, h, oldsize;

	if (sf->seenfull)
		return NULL;
	if (sf->seensize > 0) {
		h = ((size_t)sb->st_ino * 0x9e3779b97f4a7c15ULL) ^
		    (size_t)sb->st_dev;
		for (i = h & (sf->seensize - 1); sf->seen[i].path != NULL;
		    i = (i + 1) & (sf->seensize - 1)) {
			e = &sf->seen[i];
			if (e->dev == sb->st_dev && e->ino == sb->st_ino)
				return e->path;
		}
	}
	if (sf->nseen == SOURCE_FILE_SEEN_MAX) {
		diag(DIAG_WARN, sf->root, 0, "more than %d directories and "
		    "linked files: one reached twice past here is read twice",
		    SOURCE_FILE_SEEN_MAX);
		sf->seenfull = 1;
		return NULL;
	}
	if (2 * (sf->nseen + 1) > sf->seensize) {
		old = sf->seen;
		oldsize = sf->seensize;
		sf->seensize = oldsize == 0 ? 64 : oldsize * 2;
		sf->seen = xcalloc(sf->seensize, sizeof *sf->seen);
		sf->nseen = 0;
		for (i = 0; i < oldsize; i++) {
			if (old[i].path == NULL)
				continue;
			h = ((size_t)old[i].ino * 0x9e3779b97f4a7c15ULL) ^
			    (size_t)old[i].dev;
			for (h &= sf->seensize - 1; sf->seen[h].path != NULL;
			    h = (h + 1) & (sf->seensize - 1))
				;
			sf->seen[h] = old[i];
			sf->nseen++;
		}
		free(old);
	}
	h = ((size_t)sb->st_ino * 0x9e3779b97f4a7c15ULL) ^ (size_t)sb->st_dev;
	for (h &= sf->seensize - 1; sf->seen[h].path != NULL;
	    h = (h + 1) & (sf->seensize - 1))
		;
	sf->seen[h].dev = sb->st_dev;
	sf->seen[h].ino = sb->st_ino;
	sf->seen[h].path = xstrdup(path);
	sf->nseen++;
	return NULL;
}

/*
 * Read a directory's entries, sorted, and put it on the walk's path.
 * Takes path.  Returns -1 and *cause ("path: reason") if it cannot be read.
 */
static int
source_file_push(struct source_file *sf, char *path, const struct stat *sb,
    char **cause)
{
	struct source_file_dir	*d;
	struct dirent		*de;
	DIR			*dp;
	char			**names = NULL;
	size_t			 n = 0, size = 0;

	if ((dp = opendir(path)) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dp)) == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		if (n == size) {
			size = size == 0 ? 64 : size * 2;
			names = xreallocarray(names, size, sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		closedir(dp);
		while (n > 0)
			free(names[--n]);
		free(names);
		free(path);
		return -1;
	}
	closedir(dp);
	/* An empty directory has no array: qsort() must not see NULL. */
	if (n > 1)
		qsort(names, n, sizeof *names, source_file_cmp);

	if (sf->depth == sf->size) {
		sf->size = sf->size == 0 ? 8 : sf->size * 2;
		sf->stack = xreallocarray(sf->stack, sf->size,
		    sizeof *sf->stack);
	}
	d = &sf->stack[sf->depth++];
	d->path = path;
	d->dev = sb->st_dev;
	d->ino = sb->st_ino;
	d->names = names;
	d->n = n;
	d->i = 0;
	return 0;
}

/* Leave the innermost directory. */
static void
source_file_pop(struct source_file *sf)
{
	struct source_file_dir	*d = &sf->stack[--sf->depth];

	while (d->i < d->n)
		free(d->names[d->i++]);
	free(d->names);
	free(d->path);
}

/* Open a path: a directory to walk, "-", or one file of any kind. */
static void *
source_file_open(const char *path, const struct source_opts *opts,
    char **cause)
{
	struct source_file	*sf;
	struct stat		 sb;
	char			*reason;
	int			 fd;

	sf = xcalloc(1, sizeof *sf);
	sf->fd = -1;
	sf->root = xstrdup(path);
	sf->stream.read = source_file_read;
	sf->stream.detach = source_file_detach;
	sf->stream.priv = sf;
	sf->shard = opts->shard;

	if (strcmp(path, "-") == 0) {
		sf->fd = STDIN_FILENO;
		sf->name = xstrdup("<stdin>");
		if (sf->shard.count > 1 && sf->shard.index != 0)
			sf->done = 1;
		return sf;
	}
	if (stat(path, &sb) == -1) {
		*cause = xstrdup(strerror(errno));
		goto fail;
	}
	/* A tree or a file has a state; a pipe or standard input has not. */
	if (opts->state != NULL && (S_ISDIR(sb.st_mode) ||
	    S_ISREG(sb.st_mode))) {
		sf->state = opts->state;
		state_file_begin(sf->state, path);
	}
	if (S_ISDIR(sb.st_mode)) {
		sf->is_dir = 1;
		if (source_file_push(sf, xstrdup(path), &sb, cause) == -1) {
			/* The caller names the path: keep only the reason. */
			reason = xstrdup(*cause + strlen(path) + 2);
			free(*cause);
			*cause = reason;
			goto fail;
		}
		return sf;
	}
	if (!source_shard_keep(&sf->shard, path, path)) {
		sf->done = 1;
		return sf;
	}
	/* Given by name, a FIFO or device is read too: <(zcat ...) works. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xstrdup(strerror(errno));
		goto fail;
	}
	sf->fd = fd;
	sf->name = xstrdup(path);
	if (sf->state != NULL && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    !state_file_want(sf->state, path, &sb))
		sf->done = 1;	/* read by an earlier run */
	return sf;

fail:
	source_file_close(sf);
	return NULL;
}

/* Finish with the current stream. */
static void
source_file_done(struct source_file *sf)
{
	if (sf->fd != -1 && sf->fd != STDIN_FILENO)
		close(sf->fd);
	sf->fd = -1;
	free(sf->name);
	sf->name = NULL;
}

/*
 * Report that the entry at path (taken) could not be read: *sp names it,
 * so that the caller can print it as the place of the error.
 */
static int
source_file_fail(struct source_file *sf, char *path, struct stream **sp)
{
	sf->name = path;		/* freed by source_file_done() */
	sf->failed.name = path;
	sf->failed.read = NULL;
	sf->failed.priv = NULL;
	*sp = &sf->failed;
	return -1;
}

/* The next file to read. */
static int
source_file_next(void *priv, struct stream **sp, char **cause)
{
	struct source_file	*sf = priv;
	struct source_file_dir	*d;
	struct stat		 sb, lsb;
	const char		*sep, *first;
	char			*path, *pathcopy = NULL, *reason;
	size_t			 k, len;
	int			 fd;

	if (!sf->is_dir) {
		if (sf->done) {
			source_file_done(sf);
			return 0;
		}
		sf->done = 1;
		sf->stream.name = sf->name;
		*sp = &sf->stream;
		return 1;
	}

	source_file_done(sf);
	while (sf->depth > 0) {
		d = &sf->stack[sf->depth - 1];
		if (d->i == d->n) {
			source_file_pop(sf);
			continue;
		}
		len = strlen(d->path);
		sep = len > 0 && d->path[len - 1] == '/' ? "" : "/";
		xasprintf(&path, "%s%s%s", d->path, sep, d->names[d->i]);
		free(d->names[d->i++]);

		if (stat(path, &sb) == -1) {
			*cause = xstrdup(strerror(errno));
			if (sf->state != NULL)
				state_file_failed(sf->state, path);
			return source_file_fail(sf, path, sp);
		}
		if (S_ISDIR(sb.st_mode)) {
			for (k = 0; k < sf->depth; k++) {
				if (sf->stack[k].dev == sb.st_dev &&
				    sf->stack[k].ino == sb.st_ino) {
					xasprintf(cause, "directory loop (leads "
					    "back to %s), not followed",
					    sf->stack[k].path);
					return source_file_fail(sf, path, sp);
				}
			}
			if ((first = source_file_seen(sf, path, &sb)) != NULL) {
				diag(DIAG_NOTE, path, 0, "the same directory as "
				    "%s, already read", first);
				free(path);
				continue;
			}
			pathcopy = xstrdup(path);
			if (source_file_push(sf, path, &sb, cause) == -1) {
				/* Read it all when it can be read again. */
				if (sf->state != NULL)
					state_file_failed(sf->state, pathcopy);
				/* The cause is "path: reason"; keep the reason. */
				reason = xstrdup(*cause + strlen(pathcopy) + 2);
				free(*cause);
				*cause = reason;
				return source_file_fail(sf, pathcopy, sp);
			}
			free(pathcopy);
			pathcopy = NULL;
			continue;
		}
		if (!S_ISREG(sb.st_mode) ||
		    !source_shard_keep(&sf->shard, path,
		    path + strlen(sf->root))) {
			free(path);
			continue;
		}
		/* O_NONBLOCK: should it have become a FIFO, do not hang. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd == -1) {
			*cause = xstrdup(strerror(errno));
			if (sf->state != NULL)
				state_file_failed(sf->state, path);
			return source_file_fail(sf, path, sp);
		}
		if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    (sf->state != NULL &&
		    !state_file_want(sf->state, path, &sb))) {
			close(fd);
			free(path);
			continue;
		}
		/* Only a file with another name can be reached again. */
		if ((sb.st_nlink > 1 || (lstat(path, &lsb) == 0 &&
		    S_ISLNK(lsb.st_mode))) &&
		    (first = source_file_seen(sf, path, &sb)) != NULL) {
			diag(DIAG_NOTE, path, 0, "the same file as %s, already "
			    "read", first);
			close(fd);
			free(path);
			continue;
		}
		sf->fd = fd;
		sf->name = path;
		sf->stream.name = path;
		*sp = &sf->stream;
		return 1;
	}
	return 0;
}

/* Read from the current file. */
static ssize_t
source_file_read(struct stream *s, void *buf, size_t len, char **cause)
{
	struct source_file	*sf = s->priv;

	return source_file_fdread(sf->fd, buf, len, cause);
}

/* Read from a descriptor, in whatever pieces read(2) gives. */
static ssize_t
source_file_fdread(int fd, void *buf, size_t len, char **cause)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	for (;;) {
		if ((n = read(fd, buf, len)) != -1)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			/* A non-blocking descriptor we inherited: wait. */
			pfd.fd = fd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1, -1);
			continue;
		}
		xasprintf(cause, "read error: %s", strerror(errno));
		return -1;
	}
}

/*
 * Hand the current file to the caller (a -j worker reads it on its own
 * thread, rather than the main thread copying it whole): regular files
 * only, since a pipe's or a terminal's reader may not wait elsewhere.
 */
static struct stream *
source_file_detach(struct stream *s)
{
	struct source_file		*sf = s->priv;
	struct source_file_detached	*d;
	struct stat			 sb;

	if (sf->fd == -1 || sf->fd == STDIN_FILENO ||
	    fstat(sf->fd, &sb) == -1 || !S_ISREG(sb.st_mode))
		return NULL;
	d = xcalloc(1, sizeof *d);
	d->fd = sf->fd;
	d->stream.name = NULL;		/* the caller keeps the name */
	d->stream.read = source_file_detached_read;
	d->stream.close = source_file_detached_close;
	d->stream.priv = d;
	sf->fd = -1;
	return &d->stream;
}

static ssize_t
source_file_detached_read(struct stream *s, void *buf, size_t len,
    char **cause)
{
	struct source_file_detached	*d = s->priv;

	return source_file_fdread(d->fd, buf, len, cause);
}

static void
source_file_detached_close(struct stream *s)
{
	struct source_file_detached	*d = s->priv;

	close(d->fd);
	free(d);
}

/* Close the source. */
static void
source_file_close(void *priv)
{
	struct source_file	*sf = priv;
	size_t			 i;

	if (sf == NULL)
		return;
	source_file_done(sf);
	while (sf->depth > 0)
		source_file_pop(sf);
	free(sf->stack);
	for (i = 0; i < sf->seensize; i++)
		free(sf->seen[i].path);
	free(sf->seen);
	free(sf->root);
	free(sf);
}
