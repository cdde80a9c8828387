/* SPDX-License-Identifier: ISC */
/*
 * AWS error documents, XML and JSON, for the S3 source, the credential
 * fetchers (STS), http.c's retry policy and the SNS and chat sinks.  One
 * parser so that every caller reads a document the same way: the XML
 * through xmldoc.c (no DTD, no entities, capped depth and size), the
 * JSON through yajl's event parser with its own depth cap, so that no
 * document is built as a tree.  Only the <Error> element at the root or
 * just below it (STS and SNS wrap it in <ErrorResponse>) and only the
 * keys at the top of a JSON object count; a field given twice makes the
 * body not an error document, as it cannot say which one is meant.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <yajl/yajl_parse.h>

#include "aws_error.h"
#include "buf.h"
#include "log.h"
#include "xmalloc.h"
#include "xmldoc.h"

#define AWS_ERROR_DEPTH_MAX	64	/* JSON nesting */

enum aws_error_field {
	AWS_ERROR_CODE,
	AWS_ERROR_MESSAGE,
	AWS_ERROR_REGION,
	AWS_ERROR_ENDPOINT,
	AWS_ERROR_N
};

/* State of either parser. */
struct aws_error_doc {
	struct xmldoc	*x;
	int		 depth;
	int		 in_error;	/* XML: the depth of <Error>, or 0 */
	int		 field;		/* being read, or -1 */
	int		 dup;		/* a field came twice */
	int		 object;	/* JSON: the top is an object */
	struct buf	 text;
	char		*f[AWS_ERROR_N];
};

static char	*aws_error_field(const char *, size_t);
static void	 aws_error_set(struct aws_error_doc *, int, const char *,
		    size_t);
static int	 aws_error_xml(struct aws_error_doc *, const char *, size_t);
static int	 aws_error_json(struct aws_error_doc *, const char *, size_t);

/* A copy of a server's string fit for a message: printable, bounded. */
static char *
aws_error_field(const char *s, size_t len)
{
	char	*out;
	size_t	 i;

	while (len > 0 && (*s == ' ' || *s == '\n' || *s == '\t' ||
	    *s == '\r')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' ||
	    s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len == 0)
		return NULL;
	if (len > AWS_ERROR_FIELD_MAX)
		len = AWS_ERROR_FIELD_MAX;
	out = xstrndup(s, len);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	return out;
}

/* Store a field; a second one marks the document as ambiguous. */
static void
aws_error_set(struct aws_error_doc *d, int field, const char *s, size_t len)
{
	const char	*hash;

	if (d->f[field] != NULL) {
		d->dup = 1;
		return;
	}
	if (field == AWS_ERROR_CODE) {
		/* "aws.x#Throttling", "X:http://...": the name alone. */
		if ((hash = memchr(s, '#', len)) != NULL) {
			len -= (size_t)(hash + 1 - s);
			s = hash + 1;
		}
		if ((hash = memchr(s, ':', len)) != NULL)
			len = (size_t)(hash - s);
	}
	d->f[field] = aws_error_field(s, len);
}

static void
aws_error_x_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct aws_error_doc	*d = arg;

	(void)attr;
	d->depth++;
	d->field = -1;
	if (d->in_error == 0) {
		if (strcmp(name, "Error") == 0 && d->depth <= 2)
			d->in_error = d->depth;
		return;
	}
	if (d->depth != d->in_error + 1)
		return;
	if (strcmp(name, "Code") == 0)
		d->field = AWS_ERROR_CODE;
	else if (strcmp(name, "Message") == 0)
		d->field = AWS_ERROR_MESSAGE;
	else if (strcmp(name, "Region") == 0)
		d->field = AWS_ERROR_REGION;
	else if (strcmp(name, "Endpoint") == 0)
		d->field = AWS_ERROR_ENDPOINT;
	buf_reset(&d->text);
}

static void
aws_error_x_end(void *arg, const XML_Char *name)
{
	struct aws_error_doc	*d = arg;

	(void)name;
	if (d->field >= 0)
		aws_error_set(d, d->field, d->text.data != NULL ?
		    d->text.data : "", d->text.len);
	d->field = -1;
	if (d->in_error == d->depth)
		d->in_error = -1;	/* one <Error> only */
	d->depth--;
}

static void
aws_error_x_text(void *arg, const XML_Char *s, int len)
{
	struct aws_error_doc	*d = arg;
	size_t			 n = (size_t)len;

	/* Past the cap the text is cut, as aws_error_field() would. */
	if (d->field < 0 || len <= 0 || d->text.len >= AWS_ERROR_FIELD_MAX)
		return;
	if (n > AWS_ERROR_FIELD_MAX - d->text.len)
		n = AWS_ERROR_FIELD_MAX - d->text.len;
	if (buf_add(&d->text, s, n) == -1)
		d->field = -1;
}

static const struct xmldoc_ops aws_error_x_ops = {
	.start = aws_error_x_start,
	.end = aws_error_x_end,
	.text = aws_error_x_text,
};

static int
aws_error_xml(struct aws_error_doc *d, const char *body, size_t len)
{
	buf_init(&d->text, AWS_ERROR_FIELD_MAX);
	d->field = -1;
	return xmldoc_run(&aws_error_x_ops, d, NULL, body, len);
}

static int
aws_error_j_start_map(void *arg)
{
	struct aws_error_doc	*d = arg;

	if (d->depth == 0)
		d->object = 1;
	d->field = -1;
	return ++d->depth <= AWS_ERROR_DEPTH_MAX;
}

static int
aws_error_j_start_array(void *arg)
{
	struct aws_error_doc	*d = arg;

	d->field = -1;
	return ++d->depth <= AWS_ERROR_DEPTH_MAX;
}

static int
aws_error_j_end(void *arg)
{
	struct aws_error_doc	*d = arg;

	d->field = -1;
	d->depth--;
	return 1;
}

static int
aws_error_j_key(void *arg, const unsigned char *s, size_t len)
{
	static const struct {
		const char	*key;
		int		 field;
	} keys[] = {
		{ "__type", AWS_ERROR_CODE },
		{ "code", AWS_ERROR_CODE },
		{ "Code", AWS_ERROR_CODE },
		{ "message", AWS_ERROR_MESSAGE },
		{ "Message", AWS_ERROR_MESSAGE },
	};
	struct aws_error_doc	*d = arg;
	size_t			 i;

	d->field = -1;
	if (d->depth != 1)
		return 1;
	for (i = 0; i < nitems(keys); i++)
		if (strlen(keys[i].key) == len &&
		    memcmp(keys[i].key, s, len) == 0)
			d->field = keys[i].field;
	return 1;
}

static int
aws_error_j_string(void *arg, const unsigned char *s, size_t len)
{
	struct aws_error_doc	*d = arg;

	if (d->field >= 0)
		aws_error_set(d, d->field, (const char *)s, len);
	d->field = -1;
	return 1;
}

static int
aws_error_j_scalar(void *arg)
{
	struct aws_error_doc	*d = arg;

	d->field = -1;
	return 1;
}

static int
aws_error_j_bool(void *arg, int b)
{
	(void)b;
	return aws_error_j_scalar(arg);
}

static int
aws_error_j_number(void *arg, const char *s, size_t len)
{
	(void)s;
	(void)len;
	return aws_error_j_scalar(arg);
}

static int
aws_error_json(struct aws_error_doc *d, const char *body, size_t len)
{
	static const yajl_callbacks cb = {
		.yajl_null = aws_error_j_scalar,
		.yajl_boolean = aws_error_j_bool,
		.yajl_number = aws_error_j_number,
		.yajl_string = aws_error_j_string,
		.yajl_start_map = aws_error_j_start_map,
		.yajl_map_key = aws_error_j_key,
		.yajl_end_map = aws_error_j_end,
		.yajl_start_array = aws_error_j_start_array,
		.yajl_end_array = aws_error_j_end,
	};
	yajl_handle	 h;
	int		 rv = 0;

	d->field = -1;
	if ((h = yajl_alloc(&cb, NULL, d)) == NULL)
		fatalx("yajl_alloc: out of memory");
	if (yajl_parse(h, (const unsigned char *)body, len) !=
	    yajl_status_ok || yajl_complete_parse(h) != yajl_status_ok ||
	    !d->object)
		rv = -1;
	yajl_free(h);
	return rv;
}

/* Code and Message of an AWS error document; see aws_error.h. */
int
aws_error_parse(const char *body, size_t len, struct aws_error *er)
{
	struct aws_error_doc	 d;
	size_t			 i;
	int			 rv;

	memset(er, 0, sizeof *er);
	if (body == NULL || len == 0 || len > XMLDOC_SIZE_MAX)
		return -1;
	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\n' ||
	    body[i] == '\r' || body[i] == '\t'); i++)
		continue;
	if (i == len || (body[i] != '{' && body[i] != '<'))
		return -1;
	memset(&d, 0, sizeof d);
	if (body[i] == '{')
		rv = aws_error_json(&d, body, len);
	else
		rv = aws_error_xml(&d, body, len);
	buf_clear(&d.text);
	if (rv == 0 && !d.dup && (d.f[AWS_ERROR_CODE] != NULL ||
	    d.f[AWS_ERROR_MESSAGE] != NULL)) {
		er->code = d.f[AWS_ERROR_CODE];
		er->message = d.f[AWS_ERROR_MESSAGE];
		er->region = d.f[AWS_ERROR_REGION];
		er->endpoint = d.f[AWS_ERROR_ENDPOINT];
		return 0;
	}
	for (i = 0; i < AWS_ERROR_N; i++)
		free(d.f[i]);
	return -1;
}

/*
 * "Code: Message (HTTP 403)" for an answer that is not a success, or
 * "HTTP 403" when its body is no error document.  Allocated.
 */
char *
aws_error_describe(const char *body, size_t len, long status)
{
	struct aws_error	 er;
	char			*out;

	if (aws_error_parse(body, len, &er) == -1)
		return xprintf("HTTP %ld", status);
	out = xprintf("%s%s%s (HTTP %ld)", er.code != NULL ? er.code : "",
	    er.code != NULL && er.message != NULL ? ": " : "",
	    er.message != NULL ? er.message : "", status);
	aws_error_clear(&er);
	return out;
}

/* Free what an error holds. */
void
aws_error_clear(struct aws_error *er)
{
	free(er->code);
	free(er->message);
	free(er->region);
	free(er->endpoint);
	memset(er, 0, sizeof *er);
}
