/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: what S3 answers, as the S3 source reads it.  The
 * input is parsed as a ListObjectsV2 page (s3_xml.c) and as an error
 * document (aws_error.c, which STS, SNS and the chat sinks use too).  A
 * page that parses must hold what the parser promised: keys within
 * S3_KEY_MAX without a NUL, a continuation token when truncated.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_error.h"
#include "log.h"
#include "s3.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3_page		 pg;
	struct aws_error	 er;
	char			*cause = NULL;
	size_t			 i;

	if (s3_xml_page((const char *)data, size, &pg, &cause) == 0) {
		for (i = 0; i < pg.nobjects; i++)
			if (pg.objects[i].key == NULL ||
			    strlen(pg.objects[i].key) > S3_KEY_MAX)
				abort();
		if (pg.truncated && pg.next_token == NULL)
			abort();
		s3_page_clear(&pg);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}
	if (aws_error_parse((const char *)data, size, &er) == 0) {
		if (er.code == NULL && er.message == NULL)
			abort();
		if ((er.code != NULL && strlen(er.code) > AWS_ERROR_FIELD_MAX) ||
		    (er.message != NULL &&
		    strlen(er.message) > AWS_ERROR_FIELD_MAX))
			abort();
		aws_error_clear(&er);
	} else if (er.code != NULL || er.message != NULL)
		abort();
	return 0;
}
