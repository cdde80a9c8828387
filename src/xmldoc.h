/* SPDX-License-Identifier: ISC */
/*
 * The one way to parse an XML document from AWS (S3 listings and
 * errors, STS answers, SNS answers, error documents of every service):
 * expat, hardened.  A document type declaration, an entity declaration
 * or an external entity stops the parse, as do elements nested deeper
 * than XMLDOC_DEPTH_MAX and documents over XMLDOC_SIZE_MAX.  Once the
 * parse has stopped, no handler is called again (expat would still
 * report the end of an empty element whose start stopped it).
 */
#ifndef XMLDOC_H
#define XMLDOC_H

#include <stddef.h>

#include <expat.h>

#define XMLDOC_DEPTH_MAX	32		/* element nesting */
#define XMLDOC_SIZE_MAX		(16 * 1024 * 1024)	/* one document */

struct xmldoc;

/* expat's own handler types; arg is the caller's. */
struct xmldoc_ops {
	XML_StartElementHandler		 start;
	XML_EndElementHandler		 end;
	XML_CharacterDataHandler	 text;	/* or NULL */
};

/*
 * A parser calling ops with arg; ms is NULL, or the allocator expat is
 * to use (aws_cred.c wipes what it frees).
 */
struct xmldoc	*xmldoc_create(const struct xmldoc_ops *, void *arg,
		    const XML_Memory_Handling_Suite *ms);
void		 xmldoc_free(struct xmldoc *);
/* Parse one whole document: 0, or -1 (see xmldoc_cause()). */
int		 xmldoc_parse(struct xmldoc *, const char *, size_t);
/* From a handler: stop the parse for this reason (the first one wins). */
void		 xmldoc_fail(struct xmldoc *, const char *);
/* Why the parse failed: a reason given to xmldoc_fail(), or expat's. */
const char	*xmldoc_cause(const struct xmldoc *);
/* The line of an expat error, or 0 if the reason came from xmldoc_fail. */
unsigned long	 xmldoc_line(const struct xmldoc *);
/* Parse data with ops in one call: 0, or -1. */
int		 xmldoc_run(const struct xmldoc_ops *, void *arg,
		    const XML_Memory_Handling_Suite *, const char *, size_t);

#endif
