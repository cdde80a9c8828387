/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for aws_config.c, aws_cred.c and the pure parts of http.c.
 *
 * Without arguments: tables of profile files, credential_process command
 * lines, credentials documents (JSON and STS XML), the retry policy,
 * endpoints and the backoff.
 *
 * With a command, a driver for tests/cred.sh (never a user-facing
 * option of ctaudit):
 *
 *	t_aws_cred chain [-p profile] [-r region] [-c container_base]
 *	    [-t process_timeout_ms] [-n gets] [-w wait_ms]
 *		resolve the chain, get the credentials n times (waiting
 *		wait_ms before each), and print the source, the access key
 *		id, whether there is a token and an expiration, and the number
 *		of fetches; never the secret or the token
 *	t_aws_cred region [-p profile] [-r region]
 *	t_aws_cred endpoint SERVICE [REGION]
 *	t_aws_cred http [-a attempts] [-m method] URL
 *		one request through http_do(): status, tries, body
 *
 * A failure prints "t_aws_cred: cause" on stderr and exits 1.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_config.h"
#include "aws_cred.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

static int	failed;

static void
t_fail(const char *what, const char *got, const char *want)
{
	fprintf(stderr, "FAIL %s: got '%s', want '%s'\n", what,
	    got != NULL ? got : "(null)", want != NULL ? want : "(null)");
	failed = 1;
}

static void
t_same(const char *what, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) ||
	    (got != NULL && strcmp(got, want) != 0))
		t_fail(what, got, want);
}

/* Profile files: one text, then lookups in it. */
static const char *const t_creds_file =
    "# a comment\n"
    "; another\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=secret/with+slash=\r\n"
    "\n"
    "  [ spaced ]  # trailing comment\n"
    "\tAWS_ACCESS_KEY_ID   =   AKIDSPACED   \n"
    "aws_secret_access_key: colon:value=x\n"
    "[profile odd]\n"
    "aws_access_key_id = AKIDODD\n"
    "[default]\n"
    "region = eu-west-3\n"
    "aws_access_key_id = AKIDLAST\n";

static const char *const t_config_file =
    "[default]\n"
    "region = us-west-2\n"
    "s3 =\n"
    "  max_concurrent_requests = 20\n"
    "  region = nested-not-a-key\n"
    "output = json\n"
    "[profile audit]\n"
    "role_arn = arn:aws:iam::123456789012:role/Audit\n"
    "source_profile = default\n"
    "[profile   spaced]\n"
    "region = ap-south-1\n"
    "[sso-session corp]\n"
    "sso_region = us-east-1\n"
    "[noprefix]\n"
    "region = xx-none-1\n"
    "[profile default]\n"
    "credential_process = /bin/true\n";

static const struct {
	const char	*profile, *key;
	int		 which;
	const char	*want;
} t_lookups[] = {
	{ "default", "aws_access_key_id", AWS_CONFIG_CREDENTIALS, "AKIDLAST" },
	{ "default", "aws_secret_access_key", AWS_CONFIG_ANY,
	    "secret/with+slash=" },
	{ "default", "region", AWS_CONFIG_ANY, "eu-west-3" },
	{ "default", "region", AWS_CONFIG_CONFIG, "us-west-2" },
	{ "default", "output", AWS_CONFIG_CONFIG, "json" },
	{ "default", "s3", AWS_CONFIG_CONFIG, "" },
	{ "default", "max_concurrent_requests", AWS_CONFIG_ANY, NULL },
	{ "default", "credential_process", AWS_CONFIG_CONFIG, "/bin/true" },
	{ "spaced", "aws_access_key_id", AWS_CONFIG_CREDENTIALS,
	    "AKIDSPACED" },
	{ "spaced", "aws_secret_access_key", AWS_CONFIG_ANY,
	    "colon:value=x" },
	{ "spaced", "region", AWS_CONFIG_ANY, "ap-south-1" },
	{ "profile odd", "aws_access_key_id", AWS_CONFIG_ANY, "AKIDODD" },
	{ "odd", "aws_access_key_id", AWS_CONFIG_ANY, NULL },
	{ "audit", "role_arn", AWS_CONFIG_CONFIG,
	    "arn:aws:iam::123456789012:role/Audit" },
	{ "audit", "role_arn", AWS_CONFIG_CREDENTIALS, NULL },
	{ "corp", "sso_region", AWS_CONFIG_ANY, NULL },
	{ "noprefix", "region", AWS_CONFIG_ANY, NULL },
	{ "nosuch", "region", AWS_CONFIG_ANY, NULL },
};

static const struct {
	int		 which;
	const char	*text;
	const char	*cause;
} t_bad_files[] = {
	{ AWS_CONFIG_CREDENTIALS, "key = value\n",
	    "f:1: key before any [section]" },
	{ AWS_CONFIG_CREDENTIALS, "[a]\nno delimiter AKIDSECRET\n",
	    "f:2: expected [section] or key = value" },
	{ AWS_CONFIG_CREDENTIALS, "[a]\n= value\n",
	    "f:2: expected [section] or key = value" },
	{ AWS_CONFIG_CONFIG, "\n\n[profile a\n",
	    "f:3: no ']' after '['" },
	{ AWS_CONFIG_CONFIG, "[profile a] junk\n",
	    "f:1: text after a [section]" },
	{ AWS_CONFIG_CONFIG, "[a]\nx = 1\0\n", "f:2: NUL byte" },
};

static void
t_config(void)
{
	struct aws_config	*cfg;
	char			*cause = NULL, what[128];
	size_t			 i, len;

	cfg = aws_config_create();
	if (aws_config_parse(cfg, AWS_CONFIG_CREDENTIALS, "credentials",
	    t_creds_file, strlen(t_creds_file), &cause) == -1 ||
	    aws_config_parse(cfg, AWS_CONFIG_CONFIG, "config", t_config_file,
	    strlen(t_config_file), &cause) == -1) {
		t_fail("parse", cause, NULL);
		free(cause);
		aws_config_free(cfg);
		return;
	}
	for (i = 0; i < nitems(t_lookups); i++) {
		snprintf(what, sizeof what, "lookup %s.%s",
		    t_lookups[i].profile, t_lookups[i].key);
		t_same(what, aws_config_get(cfg, t_lookups[i].profile,
		    t_lookups[i].key, t_lookups[i].which), t_lookups[i].want);
	}
	if (!aws_config_has_profile(cfg, "audit") ||
	    !aws_config_has_profile(cfg, "spaced") ||
	    aws_config_has_profile(cfg, "corp") ||
	    aws_config_has_profile(cfg, "noprefix"))
		t_fail("has_profile", "wrong", "audit, spaced; not corp");
	aws_config_free(cfg);

	for (i = 0; i < nitems(t_bad_files); i++) {
		cfg = aws_config_create();
		cause = NULL;
		len = strlen(t_bad_files[i].text);
		if (strstr(t_bad_files[i].cause, "NUL") != NULL)
			len += 2;
		if (aws_config_parse(cfg, t_bad_files[i].which, "f",
		    t_bad_files[i].text, len, &cause) == 0)
			t_fail("bad file accepted", t_bad_files[i].text,
			    t_bad_files[i].cause);
		else
			t_same("bad file", cause, t_bad_files[i].cause);
		if (cause != NULL && strstr(cause, "AKIDSECRET") != NULL)
			t_fail("cause quotes the line", cause, "no text");
		free(cause);
		aws_config_free(cfg);
	}
}

/* credential_process command lines, words joined with '|'. */
static const struct {
	const char	*cmd, *want, *cause;
} t_splits[] = {
	{ "/usr/bin/helper", "/usr/bin/helper", NULL },
	{ "  helper   --profile  x  ", "helper|--profile|x", NULL },
	{ "helper 'a b' \"c d\"", "helper|a b|c d", NULL },
	{ "helper a\\ b 'it'\\''s'", "helper|a b|it's", NULL },
	{ "helper \"q\\\"uote\" \"back\\\\slash\" \"keep\\n\"",
	    "helper|q\"uote|back\\slash|keep\\n", NULL },
	{ "helper '' x\"\"y", "helper||xy", NULL },
	{ "helper $HOME `id` ; rm -rf / # no shell",
	    "helper|$HOME|`id`|;|rm|-rf|/|#|no|shell", NULL },
	{ "helper 'open", NULL, "no closing ' quote" },
	{ "helper \"open", NULL, "no closing \" quote" },
	{ "helper \\", NULL, "a backslash at the end" },
	{ "   ", NULL, "empty command" },
	{ "", NULL, "empty command" },
};

static void
t_split(void)
{
	char	**argv, *cause, joined[512];
	size_t	  i, j;

	for (i = 0; i < nitems(t_splits); i++) {
		cause = NULL;
		argv = aws_config_split(t_splits[i].cmd, &cause);
		if (argv == NULL) {
			t_same(t_splits[i].cmd, cause, t_splits[i].cause);
			if (t_splits[i].want != NULL)
				t_fail(t_splits[i].cmd, cause,
				    t_splits[i].want);
			free(cause);
			continue;
		}
		joined[0] = '\0';
		for (j = 0; argv[j] != NULL; j++) {
			if (j != 0)
				strncat(joined, "|",
				    sizeof joined - strlen(joined) - 1);
			strncat(joined, argv[j],
			    sizeof joined - strlen(joined) - 1);
		}
		t_same(t_splits[i].cmd, joined, t_splits[i].want);
		aws_config_argv_free(argv);
	}
}

/* Credentials documents. */
static const struct {
	int		 kind;		/* 0: STS XML */
	const char	*doc;
	const char	*key;		/* or NULL with cause */
	int		 token;
	long long	 exp_s;		/* seconds since the epoch, or 0 */
	const char	*cause;
} t_docs[] = {
	{ AWS_CRED_JSON_PROCESS, "{\"Version\": 1, \"AccessKeyId\": \"AKP\","
	    " \"SecretAccessKey\": \"sk\", \"SessionToken\": \"tok\","
	    " \"Expiration\": \"2030-01-02T03:04:05Z\"}",
	    "AKP", 1, 1893553445, NULL },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"AKP\","
	    "\"SecretAccessKey\":\"sk\",\"Extra\":{\"AccessKeyId\":\"no\"},"
	    "\"List\":[1,\"x\",{\"a\":null}],\"Flag\":true,\"F\":1.5}",
	    "AKP", 0, 0, NULL },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":2,\"AccessKeyId\":\"A\","
	    "\"SecretAccessKey\":\"s\"}", NULL, 0, 0, "Version 2, not 1" },
	{ AWS_CRED_JSON_PROCESS, "{\"AccessKeyId\":\"A\","
	    "\"SecretAccessKey\":\"s\"}", NULL, 0, 0, "no Version in it" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"SecretAccessKey\":\"s\"}",
	    NULL, 0, 0, "no AccessKeyId in it" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"A\"}",
	    NULL, 0, 0, "no SecretAccessKey in it" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"A\","
	    "\"SecretAccessKey\":\"s\",\"Expiration\":\"soon\"}",
	    NULL, 0, 0, "Expiration is not an RFC 3339 time" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"A B\","
	    "\"SecretAccessKey\":\"s\"}", NULL, 0, 0,
	    "access key id has a byte that is not printable ASCII" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"A\","
	    "\"SecretAccessKey\":\"s\\n\"}", NULL, 0, 0,
	    "secret access key has a byte that is not printable ASCII" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"\","
	    "\"SecretAccessKey\":\"s\"}", NULL, 0, 0, "empty access key id" },
	{ AWS_CRED_JSON_PROCESS, "[1]", NULL, 0, 0, "not a JSON object" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,", NULL, 0, 0,
	    "not valid JSON" },
	{ AWS_CRED_JSON_PROCESS, "", NULL, 0, 0, "not valid JSON" },
	{ AWS_CRED_JSON_PROCESS, "{\"Version\":1,\"AccessKeyId\":\"A\","
	    "\"SecretAccessKey\":\"s\",\"Token\":\"t\"}", "A", 0, 0, NULL },
	{ AWS_CRED_JSON_METADATA, "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\","
	    "\"AccessKeyId\":\"AKM\",\"SecretAccessKey\":\"s\",\"Token\":\"t\","
	    "\"Expiration\":\"2030-01-02T03:04:05Z\"}", "AKM", 1, 1893553445,
	    NULL },
	{ AWS_CRED_JSON_METADATA, "{\"Code\":\"AssumeRoleUnauthorizedAccess\","
	    "\"Message\":\"denied\"}", NULL, 0, 0,
	    "Code is not Success: denied" },
	{ AWS_CRED_JSON_METADATA, "{\"AccessKeyId\":\"A\","
	    "\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\"}", "A", 0, 0,
	    NULL },
	{ 0, "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/"
	    "2011-06-15/\"><AssumeRoleResult><AssumedRoleUser><Arn>a</Arn>"
	    "</AssumedRoleUser><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
	    "<SecretAccessKey>s&amp;k</SecretAccessKey><SessionToken>t"
	    "</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration>"
	    "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
	    "ASIAX", 1, 1893553445, NULL },
	{ 0, "<R><Credentials><SecretAccessKey>s</SecretAccessKey>"
	    "</Credentials><AccessKeyId>outside</AccessKeyId></R>",
	    NULL, 0, 0, "no AccessKeyId in it" },
	{ 0, "<R><Credentials><AccessKeyId>A", NULL, 0, 0,
	    "answer is not XML: no element found" },
	{ 0, "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;"
	    "&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;"
	    "&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><r>"
	    "<Credentials><AccessKeyId>&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"
	    "&d;&d;&d;&d;&d;&d;</AccessKeyId></Credentials></r>", NULL, 0, 0,
	    "answer is not XML: document type declaration refused" },
};

static void
t_docs_run(void)
{
	struct aws_cred	 c;
	char		*cause, *doc;
	size_t		 i;
	int		 rv;

	for (i = 0; i < nitems(t_docs); i++) {
		cause = NULL;
		if (t_docs[i].kind == 0)
			rv = aws_cred_sts_parse(t_docs[i].doc,
			    strlen(t_docs[i].doc), &c, &cause);
		else
			rv = aws_cred_json_parse(t_docs[i].doc,
			    strlen(t_docs[i].doc), t_docs[i].kind, &c, &cause);
		if (rv == -1) {
			t_same(t_docs[i].doc, cause, t_docs[i].cause);
			if (t_docs[i].key != NULL)
				t_fail(t_docs[i].doc, cause, t_docs[i].key);
			free(cause);
			continue;
		}
		t_same(t_docs[i].doc, c.access_key_id, t_docs[i].key);
		if ((c.session_token != NULL) != t_docs[i].token ||
		    c.expiration_ms != t_docs[i].exp_s * 1000)
			t_fail(t_docs[i].doc, "token or expiration",
			    "as in the table");
		aws_cred_clear(&c);
		if (c.access_key_id != NULL || c.secret_access_key != NULL)
			t_fail("aws_cred_clear", "fields left", "NULL");
	}

	/* The field cap, now that entities cannot blow a field up. */
	doc = xprintf("<r><Credentials><AccessKeyId>%0*d</AccessKeyId>"
	    "</Credentials></r>", 16 * 1024 + 1, 0);
	cause = NULL;
	if (aws_cred_sts_parse(doc, strlen(doc), &c, &cause) == 0) {
		t_fail("a 16385-byte AccessKeyId", "parsed", "refused");
		aws_cred_clear(&c);
	} else
		t_same("a 16385-byte AccessKeyId", cause,
		    "a field longer than 16384 bytes");
	free(cause);
	free(doc);
}

/* The retry policy; the error documents are t_aws_error.c's. */
static void
t_retry_run(void)
{
	if (!http_retry_code("SlowDown") || !http_retry_code("Throttling") ||
	    http_retry_code("AccessDenied") || http_retry_code(NULL) ||
	    !http_retry_status(503) || http_retry_status(404) ||
	    http_retry_status(501))
		t_fail("retry policy", "wrong", "SlowDown, 503 only");
}

static void
t_endpoints(void)
{
	char	*e;
	int	 custom;

	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_S3");
	unsetenv("AWS_ENDPOINT_URL_SNS");
	e = aws_endpoint_resolve("s3", "eu-west-1", &custom);
	t_same("endpoint s3", e, "https://s3.eu-west-1.amazonaws.com");
	free(e);
	e = aws_endpoint_resolve("sts", NULL, &custom);
	t_same("endpoint sts", e, "https://sts.amazonaws.com");
	free(e);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9/", 1);
	setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:8//", 1);
	e = aws_endpoint_resolve("s3", "eu-west-1", &custom);
	t_same("endpoint s3 env", e, "http://127.0.0.1:8");
	if (!custom)
		t_fail("custom", "0", "1");
	free(e);
	e = aws_endpoint_resolve("sns", "eu-west-1", &custom);
	t_same("endpoint sns env", e, "http://127.0.0.1:9");
	free(e);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_S3");
}

static void
t_backoff(void)
{
	struct http_opts	 o;
	struct http_client	*c;
	char			*cause = NULL;
	unsigned		 ms, max[6] = { 0 };
	int			 a, i;

	memset(&o, 0, sizeof o);
	o.base_delay_ms = 100;
	o.max_delay_ms = 1000;
	if ((c = http_client_create(&o, &cause)) == NULL) {
		t_fail("http_client_create", cause, NULL);
		free(cause);
		return;
	}
	for (i = 0; i < 2000; i++)
		for (a = 1; a <= 5; a++) {
			ms = http_backoff_ms(c, a, 0);
			if (ms > max[a])
				max[a] = ms;
		}
	/* Caps 100, 200, 400, 800, 1000; full jitter gets near each. */
	if (max[1] > 100 || max[1] < 90 || max[2] > 200 || max[2] < 180 ||
	    max[3] > 400 || max[3] < 360 || max[4] > 800 || max[4] < 720 ||
	    max[5] > 1000 || max[5] < 900)
		t_fail("backoff caps", "out of range", "100..1000");
	if (http_backoff_ms(c, 1, 1) != 1000 ||
	    http_backoff_ms(c, 1, 2) > 100)
		t_fail("Retry-After", "not honoured", "1 s, capped");
	http_client_free(c);
}

static int
t_unit(void)
{
	t_config();
	t_split();
	t_docs_run();
	t_retry_run();
	t_endpoints();
	t_backoff();
	return failed;
}

static int
t_chain(int argc, char **argv)
{
	struct aws_cred_opts	 o;
	struct aws_cred_chain	*ch;
	struct aws_cred		 c;
	struct timespec		 ts;
	char			*cause = NULL;
	long			 wait_ms = 0;
	int			 ch_, n = 0, i;

	memset(&o, 0, sizeof o);
	while ((ch_ = getopt(argc, argv, "c:n:p:r:t:w:")) != -1) {
		switch (ch_) {
		case 'c':
			o.container_base = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'p':
			o.profile = optarg;
			break;
		case 'r':
			o.region = optarg;
			break;
		case 't':
			o.process_timeout_ms = atol(optarg);
			break;
		case 'w':
			wait_ms = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if ((ch = aws_cred_chain_create(&o, &cause)) == NULL) {
		fprintf(stderr, "t_aws_cred: %s\n", cause);
		free(cause);
		return 1;
	}
	for (i = 0; i < n; i++) {
		ts.tv_sec = wait_ms / 1000;
		ts.tv_nsec = (wait_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		if (aws_cred_get(ch, &c, &cause) == -1) {
			fprintf(stderr, "t_aws_cred: %s\n", cause);
			free(cause);
			aws_cred_chain_free(ch);
			return 1;
		}
		if (i + 1 < n)
			aws_cred_clear(&c);
	}
	if (n == 0 && aws_cred_get(ch, &c, &cause) == -1) {
		fprintf(stderr, "t_aws_cred: %s\n", cause);
		free(cause);
		aws_cred_chain_free(ch);
		return 1;
	}
	printf("source: %s\n", aws_cred_source(ch));
	printf("access_key_id: %s\n", c.access_key_id);
	printf("session_token: %s\n", c.session_token != NULL ? "yes" : "no");
	printf("expires: %s\n", c.expiration_ms != 0 ? "yes" : "no");
	printf("fetches: %u\n", aws_cred_fetches(ch));
	aws_cred_clear(&c);
	aws_cred_chain_free(ch);
	return 0;
}

static int
t_region(int argc, char **argv)
{
	const char	*profile = NULL, *region = NULL;
	char		*r, *cause = NULL;
	int		 c;

	while ((c = getopt(argc, argv, "p:r:")) != -1) {
		if (c == 'p')
			profile = optarg;
		else if (c == 'r')
			region = optarg;
		else
			return 2;
	}
	if ((r = aws_region_resolve(region, profile, &cause)) == NULL) {
		if (cause == NULL) {
			printf("region: none\n");
			return 0;
		}
		fprintf(stderr, "t_aws_cred: %s\n", cause);
		free(cause);
		return 1;
	}
	printf("region: %s\n", r);
	free(r);
	return 0;
}

static int
t_http(int argc, char **argv)
{
	struct http_opts	 o;
	struct http_client	*hc;
	struct http_request	 rq;
	struct http_response	 rs;
	char			*cause = NULL, ra[64];
	int			 c, rv = 1;

	memset(&o, 0, sizeof o);
	memset(&rq, 0, sizeof rq);
	o.base_delay_ms = 10;
	o.max_delay_ms = 2000;
	o.stall_timeout_ms = 2000;
	rq.method = "GET";
	while ((c = getopt(argc, argv, "a:m:")) != -1) {
		if (c == 'a')
			o.max_attempts = atoi(optarg);
		else if (c == 'm')
			rq.method = optarg;
		else
			return 2;
	}
	if (optind + 1 != argc)
		return 2;
	rq.url = argv[optind];
	if ((hc = http_client_create(&o, &cause)) == NULL) {
		fprintf(stderr, "t_aws_cred: %s\n", cause);
		free(cause);
		return 1;
	}
	http_response_init(&rs);
	if (http_do(hc, &rq, &rs, &cause) == -1) {
		fprintf(stderr, "t_aws_cred: %s\n", cause);
		printf("attempts: %d\n", rs.attempts);
		free(cause);
	} else {
		printf("status: %ld\nattempts: %d\n", rs.status, rs.attempts);
		if (http_response_header(&rs, "x-test", ra, sizeof ra) != NULL)
			printf("x-test: %s\n", ra);
		printf("body: %s\n", rs.body.data != NULL ? rs.body.data : "");
		rv = 0;
	}
	http_response_clear(&rs);
	http_client_free(hc);
	return rv;
}

int
main(int argc, char **argv)
{
	char	*e;
	int	 custom;

	diag_init("t_aws_cred");
	if (argc < 2)
		return t_unit();
	if (strcmp(argv[1], "chain") == 0)
		return t_chain(argc - 1, argv + 1);
	if (strcmp(argv[1], "region") == 0)
		return t_region(argc - 1, argv + 1);
	if (strcmp(argv[1], "http") == 0)
		return t_http(argc - 1, argv + 1);
	if (strcmp(argv[1], "endpoint") == 0 && (argc == 3 || argc == 4)) {
		e = aws_endpoint_resolve(argv[2], argc == 4 ? argv[3] : NULL,
		    &custom);
		printf("endpoint: %s%s\n", e, custom ? " (custom)" : "");
		free(e);
		return 0;
	}
	fprintf(stderr, "usage: t_aws_cred [chain|region|endpoint|http ...]\n");
	return 2;
}
