/* SPDX-License-Identifier: ISC */
/*
 * The region and the service endpoints, found where the AWS CLI finds
 * them: --region, the environment, the profile's region in
 * ~/.aws/config; AWS_ENDPOINT_URL_SERVICE and AWS_ENDPOINT_URL, else the
 * public endpoint.  Used by the S3 reader, the SNS sink and the
 * credential chain's STS requests.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_config.h"
#include "aws_cred.h"
#include "xmalloc.h"

static int	 aws_region_ok(const char *);

static int
aws_region_ok(const char *r)
{
	size_t	i;

	for (i = 0; r[i] != '\0'; i++)
		if (!(islower((unsigned char)r[i]) ||
		    isdigit((unsigned char)r[i]) || r[i] == '-'))
			return 0;
	return i > 0 && i <= 63;
}

/* The region; see aws_cred.h. */
char *
aws_region_resolve(const char *cli_region, const char *profile,
    char **cause)
{
	static const char	*vars[] = {
		"AWS_REGION", "AWS_DEFAULT_REGION"
	};
	struct aws_config	*cfg;
	const char		*v = NULL, *from = "--region";
	char			*out = NULL;
	size_t			 i;

	*cause = NULL;
	if (cli_region != NULL && *cli_region != '\0')
		v = cli_region;
	for (i = 0; v == NULL && i < nitems(vars); i++)
		if ((v = getenv(vars[i])) != NULL && *v == '\0')
			v = NULL;
		else if (v != NULL)
			from = vars[i];
	if (v != NULL) {
		if (!aws_region_ok(v)) {
			*cause = xprintf("%s: not a region name", from);
			return NULL;
		}
		return xstrdup(v);
	}
	if (profile == NULL || *profile == '\0')
		if ((profile = getenv("AWS_PROFILE")) == NULL ||
		    *profile == '\0')
			profile = "default";
	if ((cfg = aws_config_load(cause)) == NULL)
		return NULL;
	v = aws_config_get(cfg, profile, "region", AWS_CONFIG_ANY);
	if (v != NULL && *v != '\0') {
		if (aws_region_ok(v))
			out = xstrdup(v);
		else
			*cause = xprintf("profile %s: region is not a region "
			    "name", profile);
	}
	aws_config_free(cfg);
	return out;
}

/* The endpoint of a service; see aws_cred.h. */
char *
aws_endpoint_resolve(const char *service, const char *region, int *custom)
{
	char		 var[64], *out;
	const char	*v;
	size_t		 i, len;

	snprintf(var, sizeof var, "AWS_ENDPOINT_URL_%s", service);
	for (i = strlen("AWS_ENDPOINT_URL_"); var[i] != '\0'; i++)
		var[i] = var[i] == '-' ? '_' :
		    (char)toupper((unsigned char)var[i]);
	if (((v = getenv(var)) != NULL && *v != '\0') ||
	    ((v = getenv("AWS_ENDPOINT_URL")) != NULL && *v != '\0')) {
		*custom = 1;
		len = strlen(v);
		while (len > 0 && v[len - 1] == '/')
			len--;
		return xstrndup(v, len);
	}
	*custom = 0;
	if (region == NULL && strcmp(service, "sts") == 0)
		return xstrdup("https://sts.amazonaws.com");
	out = xprintf("https://%s.%s.amazonaws.com", service,
	    region != NULL ? region : "us-east-1");
	return out;
}
