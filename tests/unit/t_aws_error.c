/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for aws_error.c: the error documents of S3 (with Region and
 * Endpoint), STS and SNS (wrapped in ErrorResponse) and the JSON
 * protocols; bodies that are not error documents; caps and hostile XML.
 * Each row gives "Code|Message|Region|Endpoint" ("-" where absent), or
 * NULL where the body must be refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_error.h"
#include "compat.h"
#include "xmalloc.h"

#define HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static const struct {
	const char	*body;
	const char	*want;
} errors[] = {
	/* S3. */
	{ HEAD "<Error><Code>AccessDenied</Code><Message>Access Denied"
	  "</Message><RequestId>X</RequestId><HostId>Y</HostId></Error>",
	  "AccessDenied|Access Denied|-|-" },
	{ "<Error><Code>PermanentRedirect</Code><Message>The bucket you are "
	  "attempting to access must be addressed using the specified "
	  "endpoint.</Message><Endpoint>b.s3.eu-west-1.amazonaws.com"
	  "</Endpoint><Bucket>b</Bucket></Error>",
	  "PermanentRedirect|The bucket you are attempting to access must be "
	  "addressed using the specified endpoint.|-|"
	  "b.s3.eu-west-1.amazonaws.com" },
	{ "<Error><Code>AuthorizationHeaderMalformed</Code><Message>m"
	  "</Message><Region>eu-west-1</Region></Error>",
	  "AuthorizationHeaderMalformed|m|eu-west-1|-" },
	{ "<Error><Code>SlowDown</Code></Error>", "SlowDown|-|-|-" },
	{ "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>"
	  "Please reduce your request rate.</Message></Error>",
	  "SlowDown|Please reduce your request rate.|-|-" },
	/* A message alone is an error document; S3's caller wants a Code. */
	{ "<Error><Message>no code</Message></Error>", "-|no code|-|-" },
	/* STS and SNS; control bytes become spaces, blanks are trimmed. */
	{ "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied"
	  "</Code><Message>not\nauthorized</Message></Error><RequestId>x"
	  "</RequestId></ErrorResponse>", "AccessDenied|not authorized|-|-" },
	{ "<ErrorResponse><Error><Code>\n  Throttling\n</Code><Message>a\tb"
	  "</Message></Error></ErrorResponse>", "Throttling|a b|-|-" },
	{ "{\"code\":\" Throttling\\n\",\"message\":\"a\\u001b]0;x\\u0007b\"}",
	  "Throttling|a ]0;x b|-|-" },
	/* Only <Error> at the root or just below it, its own children. */
	{ "<a><b><Error><Code>Deep</Code></Error></b></a>", NULL },
	{ "<Error><x><Code>Nested</Code></x></Error>", NULL },
	{ "<Error><Code>A</Code></Error><Error><Code>B</Code></Error>", NULL },
	/* A field twice cannot say which one is meant. */
	{ "<Error><Code>A</Code><Code>B</Code></Error>", NULL },
	{ "{\"code\":\"A\",\"__type\":\"B\"}", NULL },
	/* JSON protocols. */
	{ "{\"__type\":\"com.amazon.coral#ThrottlingException\","
	  "\"message\":\"Rate exceeded\"}",
	  "ThrottlingException|Rate exceeded|-|-" },
	{ "{\"code\":\"X:http://internal\",\"Message\":\"m\"}", "X|m|-|-" },
	{ "{\"__type\":\"x\"}", "x|-|-|-" },
	{ "  {\"inner\":{\"code\":\"no\"},\"message\":\"top\"}", "-|top|-|-" },
	{ "{\"code\":7,\"message\":null}", NULL },
	{ "[\"code\",\"x\"]", NULL },
	{ "{\"code\":\"x\"} junk", NULL },
	/* Not error documents. */
	{ "<html><body>502 Bad Gateway</body></html>", NULL },
	{ "<html>502 Bad Gateway</html>", NULL },
	{ "Service Unavailable", NULL },
	{ "<ListBucketResult><Contents/></ListBucketResult>", NULL },
	/* Empty wrong roots (the element stack once went to -1). */
	{ "<Foo/>", NULL },
	{ "<ListBucketResult/>", NULL },
	{ "<Error/>", NULL },
	{ "<Error><Code>Truncated", NULL },
	{ "<Error><Code>   </Code></Error>", NULL },
	{ "", NULL },
	/* xmldoc.c: no entities, nothing after the parse stopped. */
	{ "<!DOCTYPE e [<!ENTITY x \"SlowDown\">]><Error><Code>&x;</Code>"
	  "</Error>", NULL },
};

static int
test_table(void)
{
	struct aws_error er;
	char		 got[2048];
	size_t		 i;
	int		 rv, failed = 0;

	for (i = 0; i < nitems(errors); i++) {
		rv = aws_error_parse(errors[i].body, strlen(errors[i].body),
		    &er);
		if (rv == -1) {
			if (errors[i].want != NULL || er.code != NULL ||
			    er.message != NULL) {
				fprintf(stderr, "error %zu: rejected\n", i);
				failed = 1;
			}
			continue;
		}
		snprintf(got, sizeof got, "%s|%s|%s|%s",
		    er.code ? er.code : "-", er.message ? er.message : "-",
		    er.region ? er.region : "-",
		    er.endpoint ? er.endpoint : "-");
		aws_error_clear(&er);
		if (errors[i].want == NULL || strcmp(got, errors[i].want) != 0) {
			fprintf(stderr, "error %zu:\n got  %s\n want %s\n", i,
			    got, errors[i].want ? errors[i].want : "(reject)");
			failed = 1;
		}
	}
	return failed;
}

/* The field cap, and JSON nesting that would have built a deep tree. */
static int
test_caps(void)
{
	struct aws_error er;
	char		*body;
	size_t		 n = 100000, i;
	int		 failed = 0;

	body = xmalloc(n + 64);
	memcpy(body, "<Error><Code>", 13);
	memset(body + 13, 'A', 5000);
	strcpy(body + 13 + 5000, "</Code></Error>");
	if (aws_error_parse(body, strlen(body), &er) == -1 ||
	    strlen(er.code) != AWS_ERROR_FIELD_MAX) {
		fprintf(stderr, "field cap: %s\n", er.code ? er.code : "(null)");
		failed = 1;
	}
	aws_error_clear(&er);

	for (i = 0; i < n; i++)
		body[i] = '[';
	if (aws_error_parse(body, n, &er) != -1) {
		fprintf(stderr, "deep JSON: parsed\n");
		failed = 1;
	}
	body[0] = '{';
	memcpy(body + 1, "\"a\":", 4);
	if (aws_error_parse(body, n, &er) != -1) {
		fprintf(stderr, "deep JSON in an object: parsed\n");
		failed = 1;
	}
	free(body);
	return failed;
}

/* The one-line form messages quote, for each kind of body. */
static int
test_describe(void)
{
	static const struct {
		const char	*body;
		const char	*want;
	} t[] = {
		{ "<Error><Code>AccessDenied</Code><Message>Access Denied"
		    "</Message></Error>",
		    "AccessDenied: Access Denied (HTTP 403)" },
		{ "<Error><Code>AccessDenied</Code></Error>",
		    "AccessDenied (HTTP 403)" },
		{ "{\"message\":\"no\"}", "no (HTTP 403)" },
		{ "<html>nope</html>", "HTTP 403" },
		{ "", "HTTP 403" },
	};
	size_t	 i;
	char	*got;
	int	 failed = 0;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = aws_error_describe(t[i].body, strlen(t[i].body), 403);
		if (strcmp(got, t[i].want) != 0) {
			fprintf(stderr, "describe %zu: \"%s\", want \"%s\"\n",
			    i, got, t[i].want);
			failed = 1;
		}
		free(got);
	}
	return failed;
}

int
main(void)
{
	int	 failed = 0;

	failed |= test_table();
	failed |= test_describe();
	failed |= test_caps();
	return failed;
}
