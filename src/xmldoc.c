/* SPDX-License-Identifier: ISC */
/*
 * Hardened expat for AWS answers.  Every XML document ctaudit reads comes
 * from a server it talks to, so none of them has any business declaring
 * a document type or an entity: such a document is refused outright
 * rather than expanded (billion laughs) or followed (external entities).
 * The caller's handlers are wrapped, so that the depth is capped here
 * once and nothing is called after the parse stopped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "log.h"
#include "xmalloc.h"
#include "xmldoc.h"

struct xmldoc {
	XML_Parser		 parser;
	struct xmldoc_ops	 ops;
	void			*arg;
	int			 depth;
	int			 stopped;
	char			*cause;		/* from xmldoc_fail() */
	unsigned long		 line;		/* of an expat error */
	const char		*error;		/* expat's reason */
};

static void	xmldoc_start(void *, const XML_Char *, const XML_Char **);
static void	xmldoc_end(void *, const XML_Char *);
static void	xmldoc_text(void *, const XML_Char *, int);
static void	xmldoc_doctype(void *, const XML_Char *, const XML_Char *,
		    const XML_Char *, int);
static void	xmldoc_entity(void *, const XML_Char *, int, const XML_Char *,
		    int, const XML_Char *, const XML_Char *, const XML_Char *,
		    const XML_Char *);
static int	xmldoc_external(XML_Parser, const XML_Char *,
		    const XML_Char *, const XML_Char *, const XML_Char *);

/* Stop the parse with a reason; the first reason wins. */
void
xmldoc_fail(struct xmldoc *x, const char *why)
{
	if (x->cause == NULL)
		x->cause = xstrdup(why);
	x->stopped = 1;
	XML_StopParser(x->parser, XML_FALSE);
}

static void
xmldoc_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xmldoc	*x = arg;
	char		*why;

	if (x->stopped)
		return;
	if (x->depth == XMLDOC_DEPTH_MAX) {
		why = xprintf("elements nested too deep at <%.64s>", name);
		xmldoc_fail(x, why);
		free(why);
		return;
	}
	x->depth++;
	x->ops.start(x->arg, name, attrs);
}

static void
xmldoc_end(void *arg, const XML_Char *name)
{
	struct xmldoc	*x = arg;

	if (x->stopped)
		return;
	x->depth--;
	x->ops.end(x->arg, name);
}

static void
xmldoc_text(void *arg, const XML_Char *s, int len)
{
	struct xmldoc	*x = arg;

	if (!x->stopped && x->ops.text != NULL)
		x->ops.text(x->arg, s, len);
}

static void
xmldoc_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	xmldoc_fail(arg, "document type declaration refused");
}

static void
xmldoc_entity(void *arg, const XML_Char *name, int param,
    const XML_Char *value, int len, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)param;
	(void)value;
	(void)len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	xmldoc_fail(arg, "entity declaration refused");
}

/* Never reached with the declarations refused; refuse it anyway. */
static int
xmldoc_external(XML_Parser p, const XML_Char *context, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid)
{
	(void)p;
	(void)context;
	(void)base;
	(void)sysid;
	(void)pubid;
	return XML_STATUS_ERROR;
}

struct xmldoc *
xmldoc_create(const struct xmldoc_ops *ops, void *arg,
    const XML_Memory_Handling_Suite *ms)
{
	struct xmldoc	*x;

	x = xcalloc(1, sizeof *x);
	x->ops = *ops;
	x->arg = arg;
	if (ms != NULL)
		x->parser = XML_ParserCreate_MM("UTF-8", ms, NULL);
	else
		x->parser = XML_ParserCreate("UTF-8");
	if (x->parser == NULL)
		fatalx("XML_ParserCreate: out of memory");
	XML_SetUserData(x->parser, x);
	XML_SetElementHandler(x->parser, xmldoc_start, xmldoc_end);
	XML_SetCharacterDataHandler(x->parser, xmldoc_text);
	XML_SetStartDoctypeDeclHandler(x->parser, xmldoc_doctype);
	XML_SetEntityDeclHandler(x->parser, xmldoc_entity);
	XML_SetExternalEntityRefHandler(x->parser, xmldoc_external);
	XML_SetParamEntityParsing(x->parser, XML_PARAM_ENTITY_PARSING_NEVER);
	return x;
}

/* Free a parser; accepts NULL. */
void
xmldoc_free(struct xmldoc *x)
{
	if (x == NULL)
		return;
	XML_ParserFree(x->parser);
	free(x->cause);
	free(x);
}

int
xmldoc_parse(struct xmldoc *x, const char *data, size_t len)
{
	if (len > XMLDOC_SIZE_MAX) {
		xmldoc_fail(x, "document too large");
		return -1;
	}
	if (XML_Parse(x->parser, data, (int)len, XML_TRUE) ==
	    XML_STATUS_OK && x->cause == NULL)
		return 0;
	if (x->cause == NULL) {
		x->line = (unsigned long)XML_GetCurrentLineNumber(x->parser);
		x->error = XML_ErrorString(XML_GetErrorCode(x->parser));
	}
	return -1;
}

const char *
xmldoc_cause(const struct xmldoc *x)
{
	if (x->cause != NULL)
		return x->cause;
	return x->error != NULL ? x->error : "not parsed";
}

unsigned long
xmldoc_line(const struct xmldoc *x)
{
	return x->cause != NULL ? 0 : x->line;
}

int
xmldoc_run(const struct xmldoc_ops *ops, void *arg,
    const XML_Memory_Handling_Suite *ms, const char *data, size_t len)
{
	struct xmldoc	*x;
	int		 rv;

	x = xmldoc_create(ops, arg, ms);
	rv = xmldoc_parse(x, data, len);
	xmldoc_free(x);
	return rv;
}
