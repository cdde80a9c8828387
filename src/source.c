/* SPDX-License-Identifier: ISC */
/*
 * Sources: the registry of ways to turn a command-line argument into
 * streams, picked by URI scheme.  Anything without a known scheme is a
 * local path (or "-" for standard input).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "xmalloc.h"

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
