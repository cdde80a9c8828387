/* SPDX-License-Identifier: ISC */
/*
 * The error documents of AWS services, parsed in one place for every
 * caller: S3 (<Error><Code>, with <Region> and <Endpoint> for a wrong
 * region), STS and SNS (<ErrorResponse><Error><Code>) and the JSON
 * protocols ({"__type" or "code", "message"}).  Pure: a buffer in,
 * the fields out, no I/O.
 */
#ifndef AWS_ERROR_H
#define AWS_ERROR_H

#include <stddef.h>

#define AWS_ERROR_FIELD_MAX	1024	/* a code or message, cut to this */

/*
 * What an error document says; NULL where it is silent.  Each field is
 * trimmed of blanks, cut at AWS_ERROR_FIELD_MAX bytes and has its control
 * bytes turned into spaces, so that it can go into a message as it is.
 */
struct aws_error {
	char	*code;		/* "AccessDenied", no "aws.x#" namespace */
	char	*message;
	char	*region;	/* <Region>, as AuthorizationHeaderMalformed */
	char	*endpoint;	/* <Endpoint>, as PermanentRedirect */
};

/*
 * Parse an error document: 0 and er filled (the caller clears it) when it
 * has a code or a message; -1 and er empty if the body is not an error
 * document (an HTML page, a listing, a repeated field, bad XML or JSON).
 */
int	 aws_error_parse(const char *body, size_t len, struct aws_error *er);
void	 aws_error_clear(struct aws_error *);
/* "Code: Message (HTTP n)", or "HTTP n" if body is no error; allocated. */
char	*aws_error_describe(const char *body, size_t len, long status);

#endif
