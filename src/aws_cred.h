/* SPDX-License-Identifier: ISC */
/*
 * AWS credentials, region and endpoints, found where the AWS CLI finds
 * them, so that ctaudit works with what its users already have.
 *
 * The chain, first match wins:
 *  1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *     AWS_SESSION_TOKEN (skipped when a profile is named with --profile,
 *     as the AWS CLI does);
 *  2. the profile (--profile, AWS_PROFILE, or "default") in
 *     ~/.aws/credentials and ~/.aws/config: role_arn with source_profile
 *     or credential_source (STS AssumeRole), web identity (also from
 *     AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), static keys,
 *     credential_process;
 *  3. ECS container credentials (AWS_CONTAINER_CREDENTIALS_*_URI);
 *  4. EC2 instance metadata, IMDSv2 (unless AWS_EC2_METADATA_DISABLED).
 * A profile that is named but does not exist is an error, not a reason to
 * go on down the chain.
 *
 * Temporary credentials are fetched again 5 minutes before they expire.
 * Secrets live only in heap buffers that aws_cred_clear() wipes; no cause
 * ever contains one.
 */
#ifndef AWS_CRED_H
#define AWS_CRED_H

#include <stdint.h>

#define AWS_CRED_REFRESH_MS	(5 * 60 * 1000)	/* refresh this early */

struct aws_cred {
	char		*access_key_id;
	char		*secret_access_key;	/* never printed */
	char		*session_token;		/* NULL for long-term keys */
	int64_t		 expiration_ms;		/* 0: does not expire */
};

struct sigv4_credentials;

struct aws_cred_opts {
	const char	*profile;	/* --profile, or NULL */
	const char	*region;	/* --region, or NULL: for STS */
	/*
	 * For tests only (t_aws_cred): the base URL of the ECS endpoint
	 * used with AWS_CONTAINER_CREDENTIALS_RELATIVE_URI instead of
	 * http://169.254.170.2.  NULL in the program.
	 */
	const char	*container_base;
	long		 process_timeout_ms;	/* tests; 0: 60 seconds */
	/*
	 * No fetch (STS, metadata, credential_process) goes on past
	 * deadline_at, monotonic ms (0: none); it fails with deadline_why.
	 */
	int64_t		 deadline_at;
	const char	*deadline_why;
};

struct aws_cred_chain;

/*
 * Find the first source of the chain that has credentials and fetch them.
 * NULL and *cause ("profile audit: role_arn without source_profile") if
 * a source is configured but fails, or if no source has any.
 */
struct aws_cred_chain	*aws_cred_chain_create(const struct aws_cred_opts *,
			    char **cause);
void			 aws_cred_chain_free(struct aws_cred_chain *);
/* Set or move the deadline of every later fetch; see aws_cred_opts. */
void			 aws_cred_chain_deadline(struct aws_cred_chain *,
			    int64_t at_ms, const char *why);

/*
 * A copy of the current credentials into *out (the caller clears it),
 * fetched again first if they expire within AWS_CRED_REFRESH_MS.  0, or -1
 * and *cause; *out is cleared on failure.  A chain is not safe to share
 * between threads: ctaudit has none, and workers that share one chain
 * will need a lock around this call (and -pthread).
 */
int	 aws_cred_get(struct aws_cred_chain *, struct aws_cred *out,
	    char **cause);

/*
 * Where the credentials come from, for messages: "environment",
 * "profile NAME", "credential_process (profile NAME)", "assume-role
 * (profile NAME)", "web-identity", "container", "instance-metadata".
 */
const char *aws_cred_source(const struct aws_cred_chain *);

/* How many times the credentials were fetched (1 after create). */
unsigned aws_cred_fetches(const struct aws_cred_chain *);

/* Copy a credential; clear (wipe and free the secrets, NULL-safe). */
void	 aws_cred_copy(struct aws_cred *dst, const struct aws_cred *src);
void	 aws_cred_clear(struct aws_cred *);

/*
 * The region: cli_region (--region), AWS_REGION, AWS_DEFAULT_REGION, the
 * region of the profile (profile, AWS_PROFILE or "default") in
 * ~/.aws/config.  An allocated string; NULL and *cause NULL if none is
 * set anywhere (the caller picks a default); NULL and *cause if a file
 * could not be read or the value is not a region name.
 */
char	*aws_region_resolve(const char *cli_region, const char *profile,
	    char **cause);

/*
 * The endpoint of a service ("s3", "sns", "sts"): AWS_ENDPOINT_URL_S3
 * (the service in upper case), then AWS_ENDPOINT_URL, else
 * https://SERVICE.REGION.amazonaws.com.  *custom is set to 1 when it came
 * from the environment (S3 then uses path-style addressing).  Allocated,
 * without a trailing slash.
 */
char	*aws_endpoint_resolve(const char *service, const char *region,
	    int *custom);

/*
 * The parsers of credentials documents, exposed for the unit tests.
 * JSON: what credential_process prints (Version 1, SessionToken), or what
 * the container and instance metadata endpoints send (Token, Code).
 * XML: the answer of STS AssumeRole or AssumeRoleWithWebIdentity.
 * 0 and *out (the caller clears it), or -1 and *cause, which never holds
 * a key, secret or token.
 */
#define AWS_CRED_JSON_PROCESS	1
#define AWS_CRED_JSON_METADATA	2
int	 aws_cred_json_parse(const char *, size_t, int kind,
	    struct aws_cred *out, char **cause);
int	 aws_cred_sts_parse(const char *, size_t, struct aws_cred *out,
	    char **cause);

/* Lend c's keys to the signer (sc points into c). */
void		 aws_cred_sigv4(const struct aws_cred *c,
		    struct sigv4_credentials *sc);

#endif
