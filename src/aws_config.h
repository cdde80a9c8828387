/* SPDX-License-Identifier: ISC */
/*
 * The AWS shared configuration files, ~/.aws/credentials and ~/.aws/config,
 * read the way the AWS CLI (botocore) reads them, for aws_cred.c.
 */
#ifndef AWS_CONFIG_H
#define AWS_CONFIG_H

#include <stddef.h>

#define AWS_CONFIG_FILE_MAX	(1024 * 1024)	/* one file */
#define AWS_CONFIG_ARGV_MAX	256		/* credential_process words */

/* Which file a value comes from. */
#define AWS_CONFIG_CREDENTIALS	0x1	/* [name] sections */
#define AWS_CONFIG_CONFIG	0x2	/* [default], [profile name] */
#define AWS_CONFIG_ANY		(AWS_CONFIG_CREDENTIALS | AWS_CONFIG_CONFIG)

struct aws_config;

struct aws_config	*aws_config_create(void);
void			 aws_config_free(struct aws_config *);

/*
 * Add the profiles of one file's text; name is the file's name for causes.
 * Values are copied (and wiped on free).  0, or -1 and *cause naming the
 * file and line, never the line's text (it may hold a secret).
 */
int	 aws_config_parse(struct aws_config *, int which, const char *name,
	    const char *text, size_t len, char **cause);

/*
 * Read the credentials file (AWS_SHARED_CREDENTIALS_FILE or
 * ~/.aws/credentials) and the config file (AWS_CONFIG_FILE or
 * ~/.aws/config); a missing file is no error.  NULL and *cause otherwise.
 */
struct aws_config	*aws_config_load(char **cause);

/*
 * The value of key in profile from the files in which (the credentials
 * file wins over the config file); NULL if unset.  Keys are lower case.
 */
const char	*aws_config_get(const struct aws_config *, const char *profile,
		    const char *key, int which);
/* Whether the profile has a section in any file. */
int		 aws_config_has_profile(const struct aws_config *,
		    const char *profile);
/* The file names used, for messages: "credentials" or "config" file. */
const char	*aws_config_path(const struct aws_config *, int which);

/*
 * Split a credential_process command into words as a POSIX shell would
 * (blanks, single and double quotes, backslashes) without expanding
 * anything, as the AWS CLI does: no shell runs it.  A NULL-terminated
 * argv to free with aws_config_argv_free(); NULL and *cause.
 */
char	**aws_config_split(const char *, char **cause);
void	  aws_config_argv_free(char **);

#endif
