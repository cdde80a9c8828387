/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: the credentials documents (aws_cred_doc.c).  The
 * first byte picks the parser: the STS AssumeRole XML answer, the JSON
 * of the container and instance metadata endpoints, or what
 * credential_process prints; the rest is the document.  Credentials that
 * parse must be fit for a request (aws_cred_check's promise): a key and a
 * secret, printable ASCII without blanks.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_cred.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_aws_cred_printable(const char *s, int may_be_null)
{
	const unsigned char	*p;

	if (s == NULL) {
		if (!may_be_null)
			abort();
		return;
	}
	if (*s == '\0')
		abort();
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_cred	 c;
	const char	*text;
	char		*cause = NULL;
	int		 rv;

	if (size == 0)
		return 0;
	text = (const char *)data + 1;
	switch (data[0] % 3) {
	case 0:
		rv = aws_cred_sts_parse(text, size - 1, &c, &cause);
		break;
	case 1:
		rv = aws_cred_json_parse(text, size - 1,
		    AWS_CRED_JSON_METADATA, &c, &cause);
		break;
	default:
		rv = aws_cred_json_parse(text, size - 1,
		    AWS_CRED_JSON_PROCESS, &c, &cause);
		break;
	}
	if (rv == 0) {
		fuzz_aws_cred_printable(c.access_key_id, 0);
		fuzz_aws_cred_printable(c.secret_access_key, 0);
		fuzz_aws_cred_printable(c.session_token, 1);
		aws_cred_clear(&c);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}
	return 0;
}
