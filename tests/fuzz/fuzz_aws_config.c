/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness: the AWS shared config and credentials file parser
 * (aws_config.c).  The input is parsed as a credentials file and as a
 * config file; the usual keys are then looked up in the profiles that
 * matter, and credential_process is split into words.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_config.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fuzz_aws_config_profiles[] = {
	"default", "dev", "prod", "a b",
};
static const char *fuzz_aws_config_keys[] = {
	"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
	"region", "role_arn", "source_profile", "credential_source",
	"credential_process", "sso_session", "s3",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_config	*c;
	const char		*v;
	char			*cause = NULL, **argv;
	size_t			 i, k;

	c = aws_config_create();
	if (aws_config_parse(c, AWS_CONFIG_CREDENTIALS, "credentials",
	    (const char *)data, size, &cause) == -1) {
		free(cause);
		cause = NULL;
	}
	if (aws_config_parse(c, AWS_CONFIG_CONFIG, "config",
	    (const char *)data, size, &cause) == -1) {
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < sizeof fuzz_aws_config_profiles /
	    sizeof fuzz_aws_config_profiles[0]; i++) {
		aws_config_has_profile(c, fuzz_aws_config_profiles[i]);
		for (k = 0; k < sizeof fuzz_aws_config_keys /
		    sizeof fuzz_aws_config_keys[0]; k++) {
			v = aws_config_get(c, fuzz_aws_config_profiles[i],
			    fuzz_aws_config_keys[k], AWS_CONFIG_ANY);
			if (v == NULL || k != 7)
				continue;
			if ((argv = aws_config_split(v, &cause)) == NULL) {
				free(cause);
				cause = NULL;
			} else
				aws_config_argv_free(argv);
		}
	}
	aws_config_free(c);
	return 0;
}
