/* SPDX-License-Identifier: ISC */
/*
 * The command line: getopt_long() over the option table, each value
 * checked where it is read, then the options checked against each other
 * (the output format from -o, "ctaudit rules" taking no path, the --stale
 * default under --state).  Messages go through diag() as configuration
 * errors; main() turns them into exit status 3.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "alert.h"
#include "cmdline.h"
#include "eventtime.h"
#include "log.h"
#include "output.h"
#include "rule.h"
#include "source.h"
#include "state.h"
#include "xmalloc.h"

enum {
	OPT_SINCE = 256,
	OPT_UNTIL,
	OPT_MIN_LEVEL,
	OPT_RULE_ID,
	OPT_TAG,
	OPT_STATUS,
	OPT_RAW,
	OPT_COLOR,
	OPT_STRICT,
	OPT_PLACEHOLDER,
	OPT_ACCOUNT,
	OPT_REGION,
	OPT_PROFILE,
	OPT_STATE,
	OPT_STATE_WAIT,
	OPT_DEDUP_DAYS,
	OPT_SUMMARY,
	OPT_SUMMARY_ONLY,
	OPT_SUMMARY_FORMAT,
	OPT_SNS_TOPIC,
	OPT_NOTIFY,
	OPT_DIGEST_THRESHOLD,
	OPT_DRY_RUN,
	OPT_STALE,
	OPT_SKIP_BAD_RULES,
	OPT_SHARD,
	OPT_OBJECT_DEADLINE,
	OPT_RUN_DEADLINE,
	OPT_SORT,
	OPT_VERIFY,
	OPT_PUBLIC_KEYS,
	OPT_SIGNATURES,
	OPT_SAVE_SIGNATURES,
	OPT_TRANSFERS,
	OPT_PARTIAL,
};

static const struct option cmdline_longopts[] = {
	{ "account",	 required_argument,	NULL, OPT_ACCOUNT },
	{ "color",	 required_argument,	NULL, OPT_COLOR },
	{ "digest-threshold", required_argument, NULL, OPT_DIGEST_THRESHOLD },
	{ "dry-run",	 no_argument,		NULL, OPT_DRY_RUN },
	{ "dedup-days",	 required_argument,	NULL, OPT_DEDUP_DAYS },
	{ "format",	 required_argument,	NULL, 'f' },
	{ "help",	 no_argument,		NULL, 'h' },
	{ "jobs",	 required_argument,	NULL, 'j' },
	{ "min-level",	 required_argument,	NULL, OPT_MIN_LEVEL },
	{ "notify",	 required_argument,	NULL, OPT_NOTIFY },
	{ "object-deadline", required_argument, NULL, OPT_OBJECT_DEADLINE },
	{ "output",	 required_argument,	NULL, 'o' },
	{ "placeholder", required_argument,	NULL, OPT_PLACEHOLDER },
	{ "profile",	 required_argument,	NULL, OPT_PROFILE },
	{ "public-keys", required_argument,	NULL, OPT_PUBLIC_KEYS },
	{ "quiet",	 no_argument,		NULL, 'q' },
	{ "raw",	 no_argument,		NULL, OPT_RAW },
	{ "region",	 required_argument,	NULL, OPT_REGION },
	{ "rule-id",	 required_argument,	NULL, OPT_RULE_ID },
	{ "run-deadline", required_argument,	NULL, OPT_RUN_DEADLINE },
	{ "rules",	 required_argument,	NULL, 'r' },
	{ "shard",	 required_argument,	NULL, OPT_SHARD },
	{ "save-signatures", required_argument, NULL, OPT_SAVE_SIGNATURES },
	{ "signatures",	 required_argument,	NULL, OPT_SIGNATURES },
	{ "partial",	 required_argument,	NULL, OPT_PARTIAL },
	{ "since",	 required_argument,	NULL, OPT_SINCE },
	{ "skip-bad-rules", no_argument,	NULL, OPT_SKIP_BAD_RULES },
	{ "sns-topic",	 required_argument,	NULL, OPT_SNS_TOPIC },
	{ "sort",	 required_argument,	NULL, OPT_SORT },
	{ "transfers",	 required_argument,	NULL, OPT_TRANSFERS },
	{ "stale",	 required_argument,	NULL, OPT_STALE },
	{ "state",	 required_argument,	NULL, OPT_STATE },
	{ "state-wait", no_argument,		NULL, OPT_STATE_WAIT },
	{ "status",	 required_argument,	NULL, OPT_STATUS },
	{ "strict",	 no_argument,		NULL, OPT_STRICT },
	{ "summary",	 no_argument,		NULL, OPT_SUMMARY },
	{ "summary-format", required_argument, NULL, OPT_SUMMARY_FORMAT },
	{ "summary-only", no_argument,		NULL, OPT_SUMMARY_ONLY },
	{ "tag",	 required_argument,	NULL, OPT_TAG },
	{ "until",	 required_argument,	NULL, OPT_UNTIL },
	{ "verify",	 no_argument,		NULL, OPT_VERIFY },
	{ "version",	 no_argument,		NULL, 'V' },
	{ NULL,		 0,			NULL, 0 }
};

/* The synopsis, then one line (or two) for each option, sorted. */
static const char cmdline_synopsis[] =
    "usage: ctaudit [-hqV] [-f text|json|csv] [-o file] [-r rules]...\n"
    "               [--since time] [--until time] [--min-level level]\n"
    "               [--rule-id id]... [--tag tag]... [--status status]...\n"
    "               [--placeholder name=value]... [--raw]\n"
    "               [--color auto|always|never] [--sort time] [--strict]\n"
    "               [--skip-bad-rules]\n"
    "               [--account id]... [--region name]... [--profile name]\n"
    "               [--sns-topic arn]... [--notify sink]...\n"
    "               [--digest-threshold n] [--dry-run]\n"
    "               [--state file] [--state-wait] [--dedup-days n]\n"
    "               [--stale age|none]\n"
    "               [--summary | --summary-only] [--summary-format fmt]\n"
    "               [--shard k/n | n] [--partial file]\n"
    "               [--verify [--public-keys file] [--signatures file]\n"
    "                [--save-signatures file]]\n"
    "               [-j jobs] [--transfers n]\n"
    "               [path | s3://bucket[/prefix] | -]...\n"
    "       ctaudit rules [-f text|json] [-r rules]... [filters]\n"
    "       ctaudit merge [-f fmt] [-o file] [-r rules]... [filters]\n"
    "               [--summary] partial...\n"
    "       ctaudit verify [-q] [-f text|json] [--public-keys file]\n"
    "               [--signatures file] [--save-signatures file]\n"
    "               [--summary] path...\n";

static const char cmdline_options[] =
    "\n"
    "  -f, --format fmt       text, json or csv (default: from -o, else\n"
    "                         text on a terminal, json otherwise)\n"
    "  -h, --help             this help\n"
    "  -j, --jobs n           files or objects decoded at once (1 to 64;\n"
    "                         default: the online CPUs)\n"
    "  -o, --output file      write findings to file\n"
    "  -q, --quiet            only errors on standard error\n"
    "  -r, --rules path       rule file or directory (repeatable)\n"
    "  -V, --version          print the version\n"
    "  --account id,...       S3: only these accounts\n"
    "  --color when           auto, always or never\n"
    "  --dedup-days n         --state: days of eventTime to deduplicate\n"
    "  --digest-threshold n   sinks: one digest past n findings\n"
    "  --dry-run              show what sinks would send, send nothing\n"
    "  --min-level level      informational (info), low, medium, high,\n"
    "                         critical\n"
    "  --notify sink          send findings to a chat (slack, ...)\n"
    "  --object-deadline s    S3: seconds one try at an object may take\n"
    "  --placeholder n=v      value for a |expand placeholder\n"
    "  --profile name         AWS profile for S3 and SNS\n"
    "  --public-keys file     verify: aws cloudtrail list-public-keys output\n"
    "  --raw                  add the whole event to each finding\n"
    "  --region name,...      S3: only these regions\n"
    "  --rule-id id           only this rule (repeatable)\n"
    "  --run-deadline s       S3: seconds the whole scan may take\n"
    "  --save-signatures file verify: write the S3 digests' signatures\n"
    "  --partial file         write the correlation rules' matches to file,\n"
    "                         for ctaudit merge (no correlation findings)\n"
    "  --shard k/n | n        only shard k (0 to n-1) of the files or keys\n"
    "  --signatures file      verify: the digests' signatures, one a line\n"
    "  --since time           events at or after time (RFC 3339, date,\n"
    "                         or age: 30m, 24h, 7d)\n"
    "  --skip-bad-rules       run the other rules if one is rejected\n"
    "  --sns-topic arn        publish findings to an SNS topic\n"
    "  --sort time            write the findings in eventTime order\n"
    "  --stale age|none       error if the newest event is older\n"
    "                         (24h by default with --state)\n"
    "  --state file           remember what was audited and reported\n"
    "  --state-wait           wait for another run's lock\n"
    "  --status status        only rules with this status\n"
    "  --strict               scan nothing if a rule is rejected (default)\n"
    "  --summary              a report on standard error after the run\n"
    "  --summary-format fmt   text or json\n"
    "  --summary-only         the report alone, on standard output\n"
    "  --tag tag              only rules with this tag (repeatable)\n"
    "  --transfers n          S3: objects in flight (1 to 64)\n"
    "  --until time           events before time\n"
    "  --verify               check the digest files in the same pass\n"
    "\n"
    "See ctaudit(1) for the details and the exit statuses.\n";

/* The values --status accepts. */
static const char *const cmdline_statuses[] = {
	"stable", "test", "experimental", "deprecated", "unsupported", NULL
};

static const char	*cmdline_format_of(const char *);
static void		 cmdline_list_split(struct cmdline_list *, char *);
static int		 cmdline_number(const char *, int, int,
			    const char **);
static int		 cmdline_option(struct cmdline *, int, char **);
static void		 cmdline_unknown(int, char **);

/* Defaults for everything; now (ms) anchors ages such as --since 24h. */
void
cmdline_init(struct cmdline *cl, int64_t now)
{
	memset(cl, 0, sizeof *cl);
	cl->now = now;
	cl->min_level = RULE_INFORMATIONAL;
	cl->dedup_days = STATE_SEEN_DAYS;
	cl->summary_format = SUMMARY_TEXT;
	cl->color = "auto";
	cl->threshold = ALERT_THRESHOLD_DEFAULT;
}

/* Free the lists (and the strings the notify list owns). */
void
cmdline_clear(struct cmdline *cl)
{
	size_t	i;

	for (i = 0; i < cl->notify.n; i++)
		free(cl->notify.v[i]);
	free(cl->notify.v);
	free(cl->rulepaths.v);
	free(cl->ids.v);
	free(cl->tags.v);
	free(cl->statuses.v);
	free(cl->placeholders.v);
	free(cl->accounts.v);
	free(cl->regions.v);
	memset(cl, 0, sizeof *cl);
}

void
cmdline_help(FILE *f)
{
	fputs(cmdline_synopsis, f);
	fputs(cmdline_options, f);
}

void
cmdline_list_add(struct cmdline_list *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

/* Add each comma-separated item of s (modified in place). */
static void
cmdline_list_split(struct cmdline_list *l, char *s)
{
	char	*item;

	while ((item = strsep(&s, ",")) != NULL)
		if (*item != '\0')
			cmdline_list_add(l, item);
}

/* Parse a decimal number in [min, max]; *errstr set on error. */
static int
cmdline_number(const char *s, int min, int max, const char **errstr)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		*errstr = "not a number";
	else if (errno == ERANGE || n < min || n > max)
		*errstr = "out of range";
	else
		return (int)n;
	return 0;
}

/* The format an output file's name asks for, or NULL. */
static const char *
cmdline_format_of(const char *path)
{
	static const struct {
		const char	*ext, *format;
	} exts[] = {
		{ ".csv", "csv" }, { ".json", "json" }, { ".jsonl", "json" },
		{ ".ndjson", "json" }, { ".txt", "text" },
	};
	const char	*dot;
	size_t		 i;

	if ((dot = strrchr(path, '.')) == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].format;
	return NULL;
}

/* Report an unknown option or a missing value in one line. */
static void
cmdline_unknown(int ch, char **argv)
{
	char	optname[64];

	/* The option as written, without any "=value". */
	if (optopt != 0 && optopt < OPT_SINCE)
		snprintf(optname, sizeof optname, "-%c", optopt);
	else
		snprintf(optname, sizeof optname, "%.*s",
		    (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
	diag(DIAG_CONFIG, NULL, 0, ch == ':' ? "%s needs a value; see "
	    "ctaudit --help" : "unknown option %s; see ctaudit --help",
	    optname);
}

/* Take one option's value: 0, or -1 when it was reported as bad. */
static int
cmdline_option(struct cmdline *cl, int ch, char **argv)
{
	const char	*errstr = NULL;
	char		*cause = NULL;
	size_t		 i;
	int		 n;

	switch (ch) {
	case 'f':
		cl->format = optarg;
		break;
	case 'j':
		cl->jobs = cmdline_number(optarg, 1, 64, &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0, "-j %s: %s (1 to 64)",
			    optarg, errstr);
			return -1;
		}
		break;
	case OPT_TRANSFERS:
		cl->transfers = cmdline_number(optarg, 1, 64, &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0, "--transfers %s: %s (1 to 64)",
			    optarg, errstr);
			return -1;
		}
		break;
	case OPT_OBJECT_DEADLINE:
	case OPT_RUN_DEADLINE:
		n = cmdline_number(optarg, 1, 604800, &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0, "--%s %s: %s (1 to 604800 "
			    "seconds)", ch == OPT_RUN_DEADLINE ? "run-deadline" :
			    "object-deadline", optarg, errstr);
			return -1;
		}
		if (ch == OPT_RUN_DEADLINE)
			cl->run_deadline_ms = (int64_t)n * 1000;
		else
			cl->object_deadline_ms = (int64_t)n * 1000;
		break;
	case 'o':
		cl->outpath = optarg;
		break;
	case OPT_VERIFY:
		cl->verify = 1;
		break;
	case OPT_PUBLIC_KEYS:
		cl->public_keys = optarg;
		break;
	case OPT_SIGNATURES:
		cl->signatures = optarg;
		break;
	case OPT_SAVE_SIGNATURES:
		cl->save_signatures = optarg;
		break;
	case 'q':
		cl->quiet = 1;
		break;
	case 'r':
		cmdline_list_add(&cl->rulepaths, optarg);
		break;
	case OPT_PARTIAL:
		cl->partialpath = optarg;
		break;
	case OPT_SHARD:
		if (source_shard_parse(optarg,
		    getenv("AWS_BATCH_JOB_ARRAY_INDEX"),
		    getenv("JOB_COMPLETION_INDEX"), &cl->shard, &cause) == -1) {
			diag(DIAG_CONFIG, NULL, 0, "--shard %s: %s", optarg,
			    cause);
			free(cause);
			return -1;
		}
		break;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (eventtime_bound(optarg, cl->now, ch == OPT_SINCE ?
		    &cl->since : &cl->until, &cause) == -1) {
			/* The cause quotes the argument itself. */
			diag(DIAG_CONFIG, NULL, 0, "%s: %s",
			    ch == OPT_SINCE ? "--since" : "--until", cause);
			free(cause);
			return -1;
		}
		break;
	case OPT_MIN_LEVEL:
		/* The text output's name for it is accepted too. */
		if (strcasecmp(optarg, "info") == 0)
			cl->min_level = RULE_INFORMATIONAL;
		else if (rule_level_parse(optarg, &cl->min_level) == -1) {
			diag(DIAG_CONFIG, NULL, 0, "--min-level %s: unknown "
			    "level (informational or info, low, medium, high, "
			    "critical)", optarg);
			return -1;
		}
		break;
	case OPT_RULE_ID:
		cmdline_list_add(&cl->ids, optarg);
		break;
	case OPT_TAG:
		cmdline_list_add(&cl->tags, optarg);
		break;
	case OPT_STATUS:
		for (i = 0; cmdline_statuses[i] != NULL; i++)
			if (strcasecmp(optarg, cmdline_statuses[i]) == 0)
				break;
		if (cmdline_statuses[i] == NULL) {
			diag(DIAG_CONFIG, NULL, 0, "--status %s: unknown "
			    "status (stable, test, experimental, deprecated, "
			    "unsupported)", optarg);
			return -1;
		}
		cmdline_list_add(&cl->statuses, optarg);
		break;
	case OPT_PLACEHOLDER:
		if (strchr(optarg, '=') == NULL || *optarg == '=') {
			diag(DIAG_CONFIG, NULL, 0, "--placeholder %s: want "
			    "name=value", optarg);
			return -1;
		}
		cmdline_list_add(&cl->placeholders, optarg);
		break;
	case OPT_RAW:
		cl->raw = 1;
		break;
	case OPT_COLOR:
		if (strcmp(optarg, "auto") != 0 &&
		    strcmp(optarg, "always") != 0 &&
		    strcmp(optarg, "never") != 0) {
			diag(DIAG_CONFIG, NULL, 0, "--color %s: want auto, "
			    "always or never", optarg);
			return -1;
		}
		cl->color = optarg;
		break;
	case OPT_STRICT:
		cl->strict = 1;
		break;
	case OPT_SKIP_BAD_RULES:
		cl->skip_bad = 1;
		break;
	case OPT_ACCOUNT:
		cmdline_list_split(&cl->accounts, optarg);
		break;
	case OPT_REGION:
		cmdline_list_split(&cl->regions, optarg);
		break;
	case OPT_STATE:
		cl->statepath = optarg;
		break;
	case OPT_STATE_WAIT:
		cl->state_wait = 1;
		break;
	case OPT_DEDUP_DAYS:
		cl->dedup_days = cmdline_number(optarg, 1, 366, &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0, "--dedup-days %s: %s "
			    "(1 to 366)", optarg, errstr);
			return -1;
		}
		break;
	case OPT_SUMMARY:
		cl->summary = 1;
		break;
	case OPT_SUMMARY_ONLY:
		cl->summary = 2;
		break;
	case OPT_SUMMARY_FORMAT:
		if (strcmp(optarg, "text") == 0)
			cl->summary_format = SUMMARY_TEXT;
		else if (strcmp(optarg, "json") == 0)
			cl->summary_format = SUMMARY_JSON;
		else {
			diag(DIAG_CONFIG, NULL, 0, "--summary-format %s: "
			    "want text or json", optarg);
			return -1;
		}
		break;
	case OPT_PROFILE:
		cl->profile = optarg;
		break;
	case OPT_SNS_TOPIC:
		cmdline_list_add(&cl->notify, xprintf("sns:%s", optarg));
		break;
	case OPT_NOTIFY:
		cmdline_list_add(&cl->notify, xstrdup(optarg));
		break;
	case OPT_DIGEST_THRESHOLD:
		cl->threshold = cmdline_number(optarg, 0, ALERT_THRESHOLD_MAX,
		    &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0, "--digest-threshold %s: "
			    "%s (0 to %d)", optarg, errstr,
			    ALERT_THRESHOLD_MAX);
			return -1;
		}
		break;
	case OPT_DRY_RUN:
		cl->dry_run = 1;
		break;
	case OPT_SORT:
		if (strcmp(optarg, "time") != 0) {
			diag(DIAG_CONFIG, NULL, 0, "--sort %s: want time",
			    optarg);
			return -1;
		}
		cl->sort = 1;
		break;
	case OPT_STALE:
		cl->stale = optarg;
		if (strcmp(optarg, "none") == 0)
			break;
		if (eventtime_bound(optarg, cl->now, &cl->stale_cut,
		    &cause) == -1) {
			diag(DIAG_CONFIG, NULL, 0, "--stale: %s", cause);
			free(cause);
			return -1;
		}
		break;
	default:
		cmdline_unknown(ch, argv);
		return -1;
	}
	return 0;
}

enum cmdline_action
cmdline_parse(struct cmdline *cl, int argc, char **argv)
{
	int	ch;

	if (argc > 1 && strcmp(argv[1], "rules") == 0) {
		cl->listing = 1;
		argc--;
		argv++;
	} else if (argc > 1 && strcmp(argv[1], "merge") == 0) {
		cl->merging = 1;
		argc--;
		argv++;
	}
	/* Our own messages: "ctaudit:" whatever argv[0], and one line. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:hj:o:qr:V", cmdline_longopts,
	    NULL)) != -1) {
		if (ch == 'h')
			return CMDLINE_HELP;
		if (ch == 'V')
			return CMDLINE_VERSION;
		if (cmdline_option(cl, ch, argv) == -1)
			return CMDLINE_ERROR;
	}
	cl->paths = argv + optind;
	cl->npaths = (size_t)(argc - optind);
	return CMDLINE_RUN;
}

int
cmdline_check(struct cmdline *cl)
{
	const char	*want, *cap, *errstr = NULL;
	char		*cause = NULL;

	if (cl->since != 0 && cl->until != 0 && cl->since >= cl->until) {
		diag(DIAG_CONFIG, NULL, 0, "--since must be before --until");
		return -1;
	}
	/*
	 * Verification needs every log file and digest of the hours it
	 * checks: a window, a shard or --state would leave some unread and
	 * call them deleted.
	 */
	if (cl->verify && (cl->since != 0 || cl->until != 0 ||
	    cl->shard.count != 0 || cl->statepath != NULL)) {
		diag(DIAG_CONFIG, NULL, 0, "--verify reads every file: not "
		    "with --since, --until, --shard or --state");
		return -1;
	}
	if (!cl->verify && (cl->public_keys != NULL ||
	    cl->signatures != NULL || cl->save_signatures != NULL)) {
		diag(DIAG_CONFIG, NULL, 0, "--public-keys, --signatures and "
		    "--save-signatures need --verify");
		return -1;
	}
	if (cl->listing && cl->npaths != 0) {
		diag(DIAG_CONFIG, NULL, 0, "ctaudit rules takes no path "
		    "(%s); see ctaudit --help", cl->paths[0]);
		return -1;
	}
	if (cl->merging && cl->npaths == 0) {
		diag(DIAG_CONFIG, NULL, 0, "ctaudit merge: name the partial "
		    "files of every shard");
		return -1;
	}
	if (cl->merging && (cl->partialpath != NULL || cl->shard.count != 0 ||
	    cl->statepath != NULL)) {
		diag(DIAG_CONFIG, NULL, 0, "ctaudit merge takes no %s",
		    cl->partialpath != NULL ? "--partial" :
		    cl->shard.count != 0 ? "--shard" : "--state");
		return -1;
	}
	if (!cl->listing && cl->npaths == 0 && isatty(STDIN_FILENO)) {
		diag(DIAG_CONFIG, NULL, 0, "no input: name a path or "
		    "s3://bucket[/prefix], or - to read the terminal; see "
		    "ctaudit --help");
		return -1;
	}
	/* -o findings.csv means CSV; with a -f that disagrees, a typo. */
	want = cl->outpath != NULL ? cmdline_format_of(cl->outpath) : NULL;
	if (want != NULL && cl->format != NULL &&
	    strcmp(want, cl->format) != 0 && output_find(cl->format) != NULL) {
		diag(DIAG_CONFIG, NULL, 0, "-o %s looks like %s, but -f is "
		    "%s", cl->outpath, want, cl->format);
		return -1;
	}
	if (cl->format == NULL)
		cl->format = want;
	/* "ctaudit rules" lists as text unless told otherwise. */
	if (cl->listing && cl->format != NULL &&
	    strcmp(cl->format, "text") != 0 &&
	    strcmp(cl->format, "json") != 0) {
		diag(DIAG_CONFIG, NULL, 0, "ctaudit rules -f %s: want text or "
		    "json", cl->format);
		return -1;
	}
	cl->listjson = cl->listing && cl->format != NULL &&
	    strcmp(cl->format, "json") == 0;
	if (cl->stale == NULL && cl->statepath != NULL &&
	    eventtime_bound(CMDLINE_STALE_DEFAULT, cl->now, &cl->stale_cut,
	    &cause) == -1)
		fatalx("--stale default: %s", cause);
	if (cl->stale == NULL)
		cl->stale = CMDLINE_STALE_DEFAULT;
	/* Tests make --sort spill with a small cap. */
	if (cl->sort && (cap = getenv("CTAUDIT_SORT_CAP")) != NULL) {
		cl->sort_cap = (size_t)cmdline_number(cap, 1, INT_MAX, &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0, "CTAUDIT_SORT_CAP=%s: %s",
			    cap, errstr);
			return -1;
		}
	}
	/* Tests fill the journal's share of correlation matches. */
	if (cl->statepath != NULL &&
	    (cap = getenv("CTAUDIT_JOURNAL_CORR_MAX")) != NULL) {
		cl->journal_corr_max = (size_t)cmdline_number(cap, 1, INT_MAX,
		    &errstr);
		if (errstr != NULL) {
			diag(DIAG_CONFIG, NULL, 0,
			    "CTAUDIT_JOURNAL_CORR_MAX=%s: %s", cap, errstr);
			return -1;
		}
	}
	if (cl->format == NULL)
		cl->format = isatty(cl->outpath == NULL ? STDOUT_FILENO : -1) ?
		    "text" : "json";
	if ((cl->out_ops = output_find(cl->format)) == NULL) {
		diag(DIAG_CONFIG, NULL, 0, "-f %s: unknown format (text, "
		    "json, csv)", cl->format);
		return -1;
	}
	return 0;
}
