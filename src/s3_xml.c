/* SPDX-License-Identifier: ISC */
/*
 * S3's ListObjectsV2 pages, parsed with expat: the keys and common
 * prefixes the S3 source walks.  Error documents are aws_error.c's.  The
 * caller has the whole body, already capped (BUF_LISTING_MAX); this file
 * adds caps on each text,
 * on the number of entries and on nesting; xmldoc.c refuses any document
 * type or entity declaration, so entity tricks never reach expat.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "buf.h"
#include "log.h"
#include "s3.h"
#include "xmalloc.h"
#include "xmldoc.h"

/* The elements this parser looks at; anything else is skipped. */
enum s3_xml_elem {
	S3_XML_OTHER,
	S3_XML_CONTENTS,
	S3_XML_PREFIXES,
	S3_XML_KEY,
	S3_XML_SIZE,
	S3_XML_ETAG,
	S3_XML_PREFIX,
	S3_XML_TRUNCATED,
	S3_XML_TOKEN,
};

struct s3_xml {
	struct xmldoc		*doc;
	const char		*root;		/* the root element wanted */
	int			 depth;
	enum s3_xml_elem	 stack[S3_XML_DEPTH_MAX + 1];
	int			 capture;	/* collecting text */
	struct buf		 text;
	struct s3_page		*page;
	struct s3_object	 cur;		/* the Contents being read */
	int			 have_size;
	size_t			 nentries, objsize, presize;
	char			*cause;
};

static void	s3_xml_fail(struct s3_xml *, const char *, const char *);
static void	s3_xml_start(void *, const XML_Char *, const XML_Char **);
static void	s3_xml_end(void *, const XML_Char *);
static void	s3_xml_chars(void *, const XML_Char *, int);
static int	s3_xml_run(struct s3_xml *, const char *, size_t);
static enum s3_xml_elem s3_xml_classify(const struct s3_xml *,
		    const char *);
static void	s3_xml_text_done(struct s3_xml *, enum s3_xml_elem);

/* Stop the parse with a reason; the first reason wins. */
static void
s3_xml_fail(struct s3_xml *x, const char *what, const char *name)
{
	if (x->cause == NULL) {
		if (name != NULL)
			xasprintf(&x->cause, "%s <%s>", what, name);
		else
			x->cause = xstrdup(what);
	}
	xmldoc_fail(x->doc, x->cause);
}

/* What an element is, from its name and its parent. */
static enum s3_xml_elem
s3_xml_classify(const struct s3_xml *x, const char *name)
{
	enum s3_xml_elem	 parent = x->stack[x->depth - 1];

	if (x->depth == 1) {
		if (strcmp(name, "Contents") == 0)
			return S3_XML_CONTENTS;
		if (strcmp(name, "CommonPrefixes") == 0)
			return S3_XML_PREFIXES;
		if (strcmp(name, "IsTruncated") == 0)
			return S3_XML_TRUNCATED;
		if (strcmp(name, "NextContinuationToken") == 0)
			return S3_XML_TOKEN;
	} else if (x->depth == 2 && parent == S3_XML_CONTENTS) {
		if (strcmp(name, "Key") == 0)
			return S3_XML_KEY;
		if (strcmp(name, "Size") == 0)
			return S3_XML_SIZE;
		if (strcmp(name, "ETag") == 0)
			return S3_XML_ETAG;
	} else if (x->depth == 2 && parent == S3_XML_PREFIXES) {
		if (strcmp(name, "Prefix") == 0)
			return S3_XML_PREFIX;
	}
	return S3_XML_OTHER;
}

static void
s3_xml_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct s3_xml		*x = arg;
	enum s3_xml_elem	 e;

	(void)attrs;
	if (x->capture) {
		s3_xml_fail(x, "unexpected element", name);
		return;
	}
	if (x->depth == 0) {
		if (strcmp(name, x->root) != 0) {
			s3_xml_fail(x, "unexpected root element", name);
			return;
		}
		x->stack[x->depth++] = S3_XML_OTHER;
		return;
	}
	if (x->depth == S3_XML_DEPTH_MAX) {
		s3_xml_fail(x, "elements nested too deep at", name);
		return;
	}
	e = s3_xml_classify(x, name);
	x->stack[x->depth++] = e;
	switch (e) {
	case S3_XML_OTHER:
		break;
	case S3_XML_CONTENTS:
		memset(&x->cur, 0, sizeof x->cur);
		x->have_size = 0;
		break;
	case S3_XML_PREFIXES:
		break;
	default:
		x->capture = 1;
		buf_reset(&x->text);
		break;
	}
}

static void
s3_xml_chars(void *arg, const XML_Char *s, int len)
{
	struct s3_xml	*x = arg;

	if (x->capture && buf_add(&x->text, s, (size_t)len) == -1)
		s3_xml_fail(x, "text too long in",
		    x->stack[x->depth - 1] == S3_XML_KEY ? "Key" : "element");
}

/* Parse a decimal size: 0, or -1 if it is not one. */
static int
s3_xml_size(const char *s, uint64_t *vp)
{
	uint64_t	 v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*vp = v;
	return 0;
}

/* Store the text of an element that has just ended. */
static void
s3_xml_text_done(struct s3_xml *x, enum s3_xml_elem e)
{
	struct s3_page	*pg = x->page;
	char		**slot = NULL;
	const char	*t = x->text.data != NULL ? x->text.data : "";

	switch (e) {
	case S3_XML_KEY:
		if (x->text.len == 0 || x->text.len > S3_KEY_MAX ||
		    strlen(t) != x->text.len) {
			s3_xml_fail(x, "bad key in", "Contents");
			return;
		}
		slot = &x->cur.key;
		break;
	case S3_XML_ETAG:
		slot = &x->cur.etag;
		break;
	case S3_XML_SIZE:
		if (s3_xml_size(t, &x->cur.size) == -1) {
			s3_xml_fail(x, "bad number in", "Size");
			return;
		}
		x->have_size = 1;
		return;
	case S3_XML_PREFIX:
		if (x->text.len == 0 || x->text.len > S3_KEY_MAX) {
			s3_xml_fail(x, "bad prefix in", "CommonPrefixes");
			return;
		}
		if (x->nentries++ == S3_XML_ENTRIES_MAX) {
			s3_xml_fail(x, "too many entries in the page", NULL);
			return;
		}
		if (pg->nprefixes == x->presize) {
			x->presize = x->presize == 0 ? 64 : x->presize * 2;
			pg->prefixes = xreallocarray(pg->prefixes, x->presize,
			    sizeof *pg->prefixes);
		}
		pg->prefixes[pg->nprefixes++] = xstrdup(t);
		return;
	case S3_XML_TRUNCATED:
		if (strcmp(t, "true") == 0)
			pg->truncated = 1;
		else if (strcmp(t, "false") == 0)
			pg->truncated = 0;
		else
			s3_xml_fail(x, "bad boolean in", "IsTruncated");
		return;
	case S3_XML_TOKEN:
		slot = &pg->next_token;
		break;
	default:
		return;
	}
	if (*slot != NULL) {
		s3_xml_fail(x, "duplicate element", e == S3_XML_KEY ? "Key" :
		    "element");
		return;
	}
	*slot = xstrdup(t);
}

static void
s3_xml_end(void *arg, const XML_Char *name)
{
	struct s3_xml		*x = arg;
	struct s3_page		*pg = x->page;
	enum s3_xml_elem	 e;

	(void)name;
	e = x->stack[--x->depth];
	if (x->capture) {
		x->capture = 0;
		s3_xml_text_done(x, e);
		return;
	}
	if (e != S3_XML_CONTENTS)
		return;
	if (x->cur.key == NULL || !x->have_size) {
		s3_xml_fail(x, "Key or Size missing in", "Contents");
		free(x->cur.key);
		free(x->cur.etag);
		memset(&x->cur, 0, sizeof x->cur);
		return;
	}
	if (x->nentries++ == S3_XML_ENTRIES_MAX) {
		s3_xml_fail(x, "too many entries in the page", NULL);
		return;
	}
	if (pg->nobjects == x->objsize) {
		x->objsize = x->objsize == 0 ? 64 : x->objsize * 2;
		pg->objects = xreallocarray(pg->objects, x->objsize,
		    sizeof *pg->objects);
	}
	pg->objects[pg->nobjects++] = x->cur;
	memset(&x->cur, 0, sizeof x->cur);
}

static const struct xmldoc_ops s3_xml_ops = {
	.start = s3_xml_start,
	.end = s3_xml_end,
	.text = s3_xml_chars,
};

/* Parse one whole document: 0, or -1 and x->cause. */
static int
s3_xml_run(struct s3_xml *x, const char *data, size_t len)
{
	int	 rv = 0;

	if (len > INT32_MAX) {
		x->cause = xstrdup("document too large");
		return -1;
	}
	x->doc = xmldoc_create(&s3_xml_ops, x, NULL);
	buf_init(&x->text, S3_XML_TEXT_MAX);
	if (xmldoc_parse(x->doc, data, len) == -1) {
		/* x->cause is set if s3_xml_fail() stopped it. */
		if (x->cause == NULL && xmldoc_line(x->doc) != 0)
			xasprintf(&x->cause, "line %lu: %s",
			    xmldoc_line(x->doc), xmldoc_cause(x->doc));
		else if (x->cause == NULL)
			x->cause = xstrdup(xmldoc_cause(x->doc));
		rv = -1;
	}
	free(x->cur.key);
	free(x->cur.etag);
	buf_clear(&x->text);
	xmldoc_free(x->doc);
	return rv;
}

/*
 * Parse a ListObjectsV2 page into pg, which the caller clears.  0, or -1
 * and *cause ("bad listing: ...").
 */
int
s3_xml_page(const char *data, size_t len, struct s3_page *pg, char **cause)
{
	struct s3_xml	 x;

	memset(pg, 0, sizeof *pg);
	memset(&x, 0, sizeof x);
	x.root = "ListBucketResult";
	x.page = pg;
	if (s3_xml_run(&x, data, len) == -1)
		goto bad;
	if (pg->truncated && (pg->next_token == NULL ||
	    *pg->next_token == '\0')) {
		x.cause = xstrdup("truncated without a continuation token");
		goto bad;
	}
	if (!pg->truncated) {
		free(pg->next_token);
		pg->next_token = NULL;
	}
	return 0;
bad:
	xasprintf(cause, "bad listing: %s", x.cause);
	free(x.cause);
	s3_page_clear(pg);
	return -1;
}

/* Free what a page holds. */
void
s3_page_clear(struct s3_page *pg)
{
	size_t	 i;

	for (i = 0; i < pg->nobjects; i++) {
		free(pg->objects[i].key);
		free(pg->objects[i].etag);
	}
	free(pg->objects);
	for (i = 0; i < pg->nprefixes; i++)
		free(pg->prefixes[i]);
	free(pg->prefixes);
	free(pg->next_token);
	memset(pg, 0, sizeof *pg);
}
