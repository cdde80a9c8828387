/* SPDX-License-Identifier: ISC */
/*
 * ctaudit: audit AWS CloudTrail log archives with Sigma rules.
 *
 * This file parses the command line, wires the pipeline stages together
 * (source -> scan (gz, json, record) -> rules -> audit.c's findings stage
 * -> output and sinks), prints the progress line and the closing summary,
 * and maps what happened to the exit status.  It is the only place that
 * exits on purpose.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "audit.h"
#include "correlate.h"
#include "eventtime.h"
#include "log.h"
#include "output.h"
#include "rule.h"
#include "sink.h"
#include "source.h"
#include "state.h"
#include "summary.h"
#include "xmalloc.h"

#define MAIN_EXIT_CLEAN		0
#define MAIN_EXIT_FINDINGS	1
#define MAIN_EXIT_INCOMPLETE	2
#define MAIN_EXIT_CONFIG	3
#define MAIN_EXIT_LOCKED	5	/* --state: another run holds it */
#define MAIN_EXIT_DELIVERY	4	/* findings not published */

/* --state without --stale: cron is told when no event is this recent. */
#define MAIN_STALE_DEFAULT	"24h"

struct main_list {
	char	**v;
	size_t	  n;
};

struct main_ctx {
	struct rule_set		*rules;
	struct audit_opts	 aopts;		/* the parts of the stage */
	struct audit		*audit;
	time_t			 progress_last;
	int			 progress_shown;
};

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
	OPT_OBJECT_DEADLINE,
	OPT_RUN_DEADLINE,
};

static const struct option main_longopts[] = {
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
	{ "quiet",	 no_argument,		NULL, 'q' },
	{ "raw",	 no_argument,		NULL, OPT_RAW },
	{ "region",	 required_argument,	NULL, OPT_REGION },
	{ "rule-id",	 required_argument,	NULL, OPT_RULE_ID },
	{ "run-deadline", required_argument,	NULL, OPT_RUN_DEADLINE },
	{ "rules",	 required_argument,	NULL, 'r' },
	{ "since",	 required_argument,	NULL, OPT_SINCE },
	{ "skip-bad-rules", no_argument,	NULL, OPT_SKIP_BAD_RULES },
	{ "sns-topic",	 required_argument,	NULL, OPT_SNS_TOPIC },
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
	{ "version",	 no_argument,		NULL, 'V' },
	{ NULL,		 0,			NULL, 0 }
};

static __dead void	main_usage(int);
static const char	*main_format_of(const char *);
static void		main_list_add(struct main_list *, char *);
static void		main_list_split(struct main_list *, char *);
static int		main_number(const char *, int, int, const char **);
static int64_t		main_now(void);
static int		main_list_rules(struct rule_set *, int, int);
static void		main_progress(const struct audit_stats *, int, void *);
static int		main_state_open(struct main_ctx *, const char *, int,
			    int, int64_t);

static __dead void
main_usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: ctaudit [-hqV] [-f text|json|csv] [-o file] [-r rules]...\n"
	    "               [--since time] [--until time] [--min-level level]\n"
	    "               [--rule-id id]... [--tag tag]... [--status status]...\n"
	    "               [--placeholder name=value]... [--raw]\n"
	    "               [--color auto|always|never] [--strict]\n"
	    "               [--skip-bad-rules]\n"
	    "               [--account id]... [--region name]... [--profile name]\n"
	    "               [--sns-topic arn]... [--notify sink]...\n"
	    "               [--digest-threshold n] [--dry-run]\n"
	    "               [--state file] [--state-wait] [--dedup-days n]\n"
	    "               [--stale age|none]\n"
	    "               [--summary | --summary-only] [--summary-format fmt]\n"
	    "               [-j jobs] [path | s3://bucket[/prefix] | -]...\n"
	    "       ctaudit rules [-f text|json] [-r rules]... [filters]\n");
	if (status == 0)
		fputs(
	    "\n"
	    "  -f, --format fmt       text, json or csv (default: from -o, else\n"
	    "                         text on a terminal, json otherwise)\n"
	    "  -h, --help             this help\n"
	    "  -j, --jobs n           S3 objects in flight (1 to 64)\n"
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
	    "  --raw                  add the whole event to each finding\n"
	    "  --region name,...      S3: only these regions\n"
	    "  --rule-id id           only this rule (repeatable)\n"
	    "  --run-deadline s       S3: seconds the whole scan may take\n"
	    "  --since time           events at or after time (RFC 3339, date,\n"
	    "                         or age: 30m, 24h, 7d)\n"
	    "  --skip-bad-rules       run the other rules if one is rejected\n"
	    "  --sns-topic arn        publish findings to an SNS topic\n"
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
	    "  --until time           events before time\n"
	    "\n"
	    "See ctaudit(1) for the details and the exit statuses.\n", f);
	exit(status);
}

/* The format an output file's name asks for, or NULL. */
static const char *
main_format_of(const char *path)
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

static void
main_list_add(struct main_list *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

/* Parse a decimal number in [min, max]; *errstr set on error. */
static int
main_number(const char *s, int min, int max, const char **errstr)
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

/* Add each comma-separated item of s (modified in place). */
static void
main_list_split(struct main_list *l, char *s)
{
	char	*item;

	while ((item = strsep(&s, ",")) != NULL)
		if (*item != '\0')
			main_list_add(l, item);
}

static int64_t
main_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print the loaded rules, one a line; the status says if any was bad. */
static int
main_list_rules(struct rule_set *rs, int rejected, int json)
{
	const struct rule	*r;
	size_t			 i;

	for (i = 0; json && i < rule_set_count(rs); i++)
		output_rule_json(stdout, rule_set_get(rs, i));
	for (i = 0; json && i < rule_set_nfilters(rs); i++)
		output_rule_json(stdout, rule_set_filter_get(rs, i));
	for (i = 0; !json && i < rule_set_count(rs); i++) {
		r = rule_set_get(rs, i);
		printf("%-36s  %-13s  %s  %s\n", rule_id(r),
		    rule_level_name(rule_level(r)), rule_title(r),
		    rule_path(r));
	}
	/* Sigma filters: what they accept is not reported. */
	for (i = 0; !json && i < rule_set_nfilters(rs); i++) {
		r = rule_set_filter_get(rs, i);
		printf("%-36s  %-13s  %s  %s\n", rule_id(r), "filter",
		    rule_title(r), rule_path(r));
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		diag(DIAG_ERROR, "<stdout>", 0, "write error: %s",
		    strerror(errno));
		return MAIN_EXIT_INCOMPLETE;
	}
	return rejected ? MAIN_EXIT_CONFIG : MAIN_EXIT_CLEAN;
}

/* Redraw the progress line at most once a second; done clears it. */
static void
main_progress(const struct audit_stats *st, int done, void *arg)
{
	struct main_ctx	*ctx = arg;
	time_t		 now;

	if (done) {
		if (ctx->progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	now = time(NULL);
	if (now == ctx->progress_last)
		return;
	if (ctx->progress_last == 0) {
		/* Short runs never show the line. */
		ctx->progress_last = now;
		return;
	}
	ctx->progress_last = now;
	ctx->progress_shown = 1;
	fprintf(stderr, "\r\033[Kctaudit: %llu files, %llu records, "
	    "%llu MB, %llu findings",
	    (unsigned long long)st->scan.streams,
	    (unsigned long long)st->scan.records,
	    (unsigned long long)(st->scan.bytes_json >> 20),
	    (unsigned long long)st->nfindings);
}

/* Lock and read the state file: 0, or the exit status. */
static int
main_state_open(struct main_ctx *ctx, const char *path, int wait, int days,
    int64_t now)
{
	struct state_opts	 opts;
	unsigned long		 line;
	char			*cause = NULL, *where = NULL;
	int			 busy;

	memset(&opts, 0, sizeof opts);
	opts.wait = wait;
	opts.now_ms = now;
	opts.window_ms = (int64_t)days * 24 * 60 * 60 * 1000;
	ctx->aopts.state = state_open(path, &opts, &busy, &where, &line, &cause);
	if (ctx->aopts.state != NULL)
		return 0;
	if (busy) {
		/* Shown even with -q: cron mails it, and nothing was done. */
		diag(DIAG_ERROR, path, 0, "%s; not running (--state-wait "
		    "waits for it)", cause);
		free(cause);
		free(where);
		return MAIN_EXIT_LOCKED;
	}
	/* Never start again from nothing: that would re-alert on it all. */
	diag(DIAG_CONFIG, where, line, "state file: %s", cause);
	free(cause);
	free(where);
	return MAIN_EXIT_CONFIG;
}

int
main(int argc, char **argv)
{
	struct main_ctx		 ctx;
	struct rule_opts	 ropts;
	struct source_opts	 sopts;
	struct output_opts	 oopts;
	struct sink_opts	 kopts;
	struct main_list	 rulepaths = { NULL, 0 }, ids = { NULL, 0 };
	struct main_list	 tags = { NULL, 0 }, statuses = { NULL, 0 };
	struct main_list	 placeholders = { NULL, 0 };
	struct main_list	 accounts = { NULL, 0 }, regions = { NULL, 0 };
	struct main_list	 notify = { NULL, 0 }, bad = { NULL, 0 };
	char			*badlist = NULL;
	struct stat		 sb;
	const struct audit_stats *astats;
	const char		*format = NULL, *outpath = NULL, *want;
	char			 optname[64];
	const char		*statepath = NULL, *stdin_path = "-";
	const char		*stale = NULL;
	int64_t			 stale_cut = 0;
	enum summary_format	 summary_format = SUMMARY_TEXT;
	int			 state_wait = 0, dedup_days = STATE_SEEN_DAYS;
	int			 summary = 0;	/* 1: --summary, 2: -only */
	const char		*color = "auto", *errstr, *nocolor;
	char			*cause = NULL;
	FILE			*outf = stdout;
	int64_t			 now;
	size_t			 i;
	int			 ch, n, quiet = 0, strict = 0, listing = 0;
	int			 rejected = 0, status, skip_bad = 0;
	int			 out_failed = 0, typo = 0, listjson = 0;
	int			 threshold = ALERT_THRESHOLD_DEFAULT;
	size_t			 undelivered = 0;

	diag_init("ctaudit");
	memset(&ctx, 0, sizeof ctx);
	memset(&ropts, 0, sizeof ropts);
	memset(&sopts, 0, sizeof sopts);
	memset(&oopts, 0, sizeof oopts);
	memset(&kopts, 0, sizeof kopts);
	ropts.min_level = RULE_INFORMATIONAL;
	now = main_now();

	if (argc > 1 && strcmp(argv[1], "rules") == 0) {
		listing = 1;
		argc--;
		argv++;
	}
	/* Our own messages: "ctaudit:" whatever argv[0], and one line. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:hj:o:qr:V", main_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			main_usage(0);
		case 'j':
			errstr = NULL;
			sopts.jobs = main_number(optarg, 1, 64, &errstr);
			if (errstr != NULL) {
				diag(DIAG_CONFIG, NULL, 0, "-j %s: %s (1 to 64)",
				    optarg, errstr);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		case OPT_OBJECT_DEADLINE:
		case OPT_RUN_DEADLINE:
			errstr = NULL;
			n = main_number(optarg, 1, 604800, &errstr);
			if (errstr != NULL) {
				diag(DIAG_CONFIG, NULL, 0, "--%s %s: %s (1 to "
				    "604800 seconds)", ch == OPT_RUN_DEADLINE ?
				    "run-deadline" : "object-deadline", optarg,
				    errstr);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			if (ch == OPT_RUN_DEADLINE)
				sopts.run_deadline_ms = (int64_t)n * 1000;
			else
				sopts.object_deadline_ms = (int64_t)n * 1000;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			main_list_add(&rulepaths, optarg);
			break;
		case 'V':
			printf("ctaudit %s\n", PACKAGE_VERSION);
			status = MAIN_EXIT_CLEAN;
			goto out;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (eventtime_bound(optarg, now, ch == OPT_SINCE ?
			    &ctx.aopts.since : &ctx.aopts.until, &cause) == -1) {
				/* The cause quotes the argument itself. */
				diag(DIAG_CONFIG, NULL, 0, "%s: %s",
				    ch == OPT_SINCE ? "--since" : "--until",
				    cause);
				free(cause);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		case OPT_MIN_LEVEL:
			/* The text output's name for it is accepted too. */
			if (strcasecmp(optarg, "info") == 0)
				ropts.min_level = RULE_INFORMATIONAL;
			else if (rule_level_parse(optarg,
			    &ropts.min_level) == -1) {
				diag(DIAG_CONFIG, NULL, 0, "--min-level %s: "
				    "unknown level (informational or info, low, "
				    "medium, high, critical)", optarg);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		case OPT_RULE_ID:
			main_list_add(&ids, optarg);
			break;
		case OPT_TAG:
			main_list_add(&tags, optarg);
			break;
		case OPT_STATUS:
			if (strcasecmp(optarg, "stable") != 0 &&
			    strcasecmp(optarg, "test") != 0 &&
			    strcasecmp(optarg, "experimental") != 0 &&
			    strcasecmp(optarg, "deprecated") != 0 &&
			    strcasecmp(optarg, "unsupported") != 0) {
				diag(DIAG_CONFIG, NULL, 0, "--status %s: "
				    "unknown status (stable, test, experimental, "
				    "deprecated, unsupported)", optarg);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			main_list_add(&statuses, optarg);
			break;
		case OPT_PLACEHOLDER:
			if (strchr(optarg, '=') == NULL ||
			    *optarg == '=') {
				diag(DIAG_CONFIG, NULL, 0, "--placeholder %s: "
				    "want name=value", optarg);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			main_list_add(&placeholders, optarg);
			break;
		case OPT_RAW:
			oopts.raw = 1;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") != 0 &&
			    strcmp(optarg, "always") != 0 &&
			    strcmp(optarg, "never") != 0) {
				diag(DIAG_CONFIG, NULL, 0, "--color %s: want "
				    "auto, always or never", optarg);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			color = optarg;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_SKIP_BAD_RULES:
			skip_bad = 1;
			break;
		case OPT_ACCOUNT:
			main_list_split(&accounts, optarg);
			break;
		case OPT_REGION:
			main_list_split(&regions, optarg);
			break;
		case OPT_STATE:
			statepath = optarg;
			break;
		case OPT_STATE_WAIT:
			state_wait = 1;
			break;
		case OPT_DEDUP_DAYS:
			errstr = NULL;
			dedup_days = main_number(optarg, 1, 366, &errstr);
			if (errstr != NULL) {
				diag(DIAG_CONFIG, NULL, 0, "--dedup-days %s: "
				    "%s (1 to 366)", optarg, errstr);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		case OPT_SUMMARY:
			summary = 1;
			break;
		case OPT_SUMMARY_ONLY:
			summary = 2;
			break;
		case OPT_SUMMARY_FORMAT:
			if (strcmp(optarg, "text") == 0)
				summary_format = SUMMARY_TEXT;
			else if (strcmp(optarg, "json") == 0)
				summary_format = SUMMARY_JSON;
			else {
				diag(DIAG_CONFIG, NULL, 0, "--summary-format "
				    "%s: want text or json", optarg);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		case OPT_PROFILE:
			sopts.profile = optarg;
			kopts.profile = optarg;
			break;
		case OPT_SNS_TOPIC:
			main_list_add(&notify, xprintf("sns:%s", optarg));
			break;
		case OPT_NOTIFY:
			main_list_add(&notify, xstrdup(optarg));
			break;
		case OPT_DIGEST_THRESHOLD:
			errstr = NULL;
			threshold = main_number(optarg, 0,
			    ALERT_THRESHOLD_MAX, &errstr);
			if (errstr != NULL) {
				diag(DIAG_CONFIG, NULL, 0, "--digest-threshold "
				    "%s: %s (0 to %d)", optarg, errstr,
				    ALERT_THRESHOLD_MAX);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		case OPT_DRY_RUN:
			kopts.dry_run = 1;
			break;
		case OPT_STALE:
			stale = optarg;
			if (strcmp(optarg, "none") == 0)
				break;
			if (eventtime_bound(optarg, now, &stale_cut,
			    &cause) == -1) {
				diag(DIAG_CONFIG, NULL, 0, "--stale: %s", cause);
				free(cause);
				status = MAIN_EXIT_CONFIG;
				goto out;
			}
			break;
		default:
			/* The option as written, without any "=value". */
			if (optopt != 0 && optopt < OPT_SINCE)
				snprintf(optname, sizeof optname, "-%c",
				    optopt);
			else
				snprintf(optname, sizeof optname, "%.*s",
				    (int)strcspn(argv[optind - 1], "="),
				    argv[optind - 1]);
			diag(DIAG_CONFIG, NULL, 0, ch == ':' ? "%s needs a "
			    "value; see ctaudit --help" : "unknown option "
			    "%s; see ctaudit --help", optname);
			status = MAIN_EXIT_CONFIG;
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	diag_set_quiet(quiet);

	if (ctx.aopts.since != 0 && ctx.aopts.until != 0 && ctx.aopts.since >= ctx.aopts.until) {
		diag(DIAG_CONFIG, NULL, 0, "--since must be before --until");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (listing && argc != 0) {
		diag(DIAG_CONFIG, NULL, 0, "ctaudit rules takes no path "
		    "(%s); see ctaudit --help", argv[0]);
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (!listing && argc == 0 && isatty(STDIN_FILENO)) {
		diag(DIAG_CONFIG, NULL, 0, "no input: name a path or "
		    "s3://bucket[/prefix], or - to read the terminal; see "
		    "ctaudit --help");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	/* -o findings.csv means CSV; with a -f that disagrees, a typo. */
	want = outpath != NULL ? main_format_of(outpath) : NULL;
	if (want != NULL && format != NULL && strcmp(want, format) != 0 &&
	    output_find(format) != NULL) {
		diag(DIAG_CONFIG, NULL, 0, "-o %s looks like %s, but -f is "
		    "%s", outpath, want, format);
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (format == NULL)
		format = want;
	/* "ctaudit rules" lists as text unless told otherwise. */
	if (listing && format != NULL && strcmp(format, "text") != 0 &&
	    strcmp(format, "json") != 0) {
		diag(DIAG_CONFIG, NULL, 0, "ctaudit rules -f %s: want text or "
		    "json", format);
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	listjson = listing && format != NULL && strcmp(format, "json") == 0;
	if (stale == NULL && statepath != NULL &&
	    eventtime_bound(MAIN_STALE_DEFAULT, now, &stale_cut, &cause) == -1)
		fatalx("--stale default: %s", cause);
	/* The state keeps the newest event for later runs' --stale. */
	ctx.aopts.timed = stale_cut != 0 || statepath != NULL;
	ctx.aopts.stale_cut = stale_cut;
	ctx.aopts.stale = stale != NULL ? stale : MAIN_STALE_DEFAULT;
	if (format == NULL)
		format = isatty(outpath == NULL ? STDOUT_FILENO : -1) ?
		    "text" : "json";
	if ((ctx.aopts.out_ops = output_find(format)) == NULL) {
		diag(DIAG_CONFIG, NULL, 0, "-f %s: unknown format (text, "
		    "json, csv)", format);
		status = MAIN_EXIT_CONFIG;
		goto out;
	}

	/* Rules first: a scan without them would audit nothing. */
	ropts.ids = ids.v;
	ropts.nids = ids.n;
	ropts.tags = tags.v;
	ropts.ntags = tags.n;
	ropts.statuses = statuses.v;
	ropts.nstatuses = statuses.n;
	ropts.placeholders = placeholders.v;
	ropts.nplaceholders = placeholders.n;
	ctx.rules = rule_set_create(&ropts);
	if (rulepaths.n == 0) {
		if (stat(CTAUDIT_RULESDIR, &sb) == -1) {
			diag(DIAG_CONFIG, CTAUDIT_RULESDIR, 0, "bundled rules "
			    "not found (%s); use -r", strerror(errno));
			status = MAIN_EXIT_CONFIG;
			goto out;
		}
		main_list_add(&rulepaths, (char *)CTAUDIT_RULESDIR);
	}
	for (i = 0; i < rulepaths.n; i++)
		if (rule_set_load(ctx.rules, rulepaths.v[i]) == -1) {
			rejected = 1;
			main_list_add(&bad, rulepaths.v[i]);
		}
	rule_set_filters_resolve(ctx.rules);
	/* A selector that matches no rule read is a typo, not a choice. */
	for (i = 0; i < ids.n; i++)
		if (!rule_set_id_found(ctx.rules, i)) {
			diag(DIAG_CONFIG, NULL, 0, "--rule-id %s: no rule "
			    "loaded has this id", ids.v[i]);
			typo = 1;
		}
	for (i = 0; i < tags.n; i++)
		if (!rule_set_tag_found(ctx.rules, i)) {
			diag(DIAG_CONFIG, NULL, 0, "--tag %s: no rule loaded "
			    "has this tag", tags.v[i]);
			typo = 1;
		}
	if (typo) {
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (listing) {
		status = main_list_rules(ctx.rules, rejected, listjson);
		goto out;
	}
	/* A rule that did not load is coverage lost: say so, read nothing. */
	if (rejected && (strict || !skip_bad)) {
		diag(DIAG_CONFIG, NULL, 0, "%zu rule%s rejected; not scanning "
		    "(--skip-bad-rules runs the others)",
		    rule_set_stats(ctx.rules)->rejected,
		    rule_set_stats(ctx.rules)->rejected == 1 ? "" : "s");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (rule_set_count(ctx.rules) == 0) {
		diag(DIAG_CONFIG, NULL, 0, "no rules to run");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}

	/* Sinks before the output: a bad one stops the run unwritten. */
	if (kopts.dry_run && notify.n == 0) {
		diag(DIAG_CONFIG, NULL, 0, "--dry-run: no --sns-topic or "
		    "--notify to show");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (notify.n > 0)
		ctx.aopts.sinks = sink_set_create((size_t)threshold, &kopts);
	for (i = 0; i < notify.n; i++) {
		if (sink_set_open(ctx.aopts.sinks, notify.v[i], &cause) == -1) {
			diag(DIAG_CONFIG, NULL, 0, "%s", cause);
			free(cause);
			status = MAIN_EXIT_CONFIG;
			goto out;
		}
	}

	/* The lock last: a run with a bad option never takes it. */
	if (statepath != NULL &&
	    (status = main_state_open(&ctx, statepath, state_wait, dedup_days,
	    now)) != 0)
		goto out;
	sopts.state = ctx.aopts.state;
	/*
	 * --skip-bad-rules: what this run reads is not marked as audited, so
	 * the next run, with the rule fixed, reads it again (the dedup pairs
	 * keep the other rules from reporting it twice).
	 */
	ctx.aopts.hold = rejected;
	for (i = 0; i < bad.n; i++) {
		cause = badlist;
		badlist = xprintf("%s%s%s", cause != NULL ? cause : "",
		    cause != NULL ? ", " : "", bad.v[i]);
		free(cause);
	}
	cause = NULL;
	ctx.aopts.held = badlist;
	if (summary != 0)
		ctx.aopts.summary = summary_create(SUMMARY_TOP, SUMMARY_WIDTH);
	/* --summary-only: the summary is the output, on stdout. */
	if (summary == 2 && outpath == NULL)
		outpath = "/dev/null";
	if (outpath != NULL && (outf = fopen(outpath, "w")) == NULL) {
		diag(DIAG_CONFIG, outpath, 0, "%s", strerror(errno));
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (strcmp(color, "always") == 0)
		oopts.color = 1;
	else if (strcmp(color, "auto") == 0)
		oopts.color = isatty(fileno(outf)) &&
		    ((nocolor = getenv("NO_COLOR")) == NULL ||
		    *nocolor == '\0');
	ctx.aopts.corr = correlate_create(ctx.rules, NULL);
	oopts.corr = ctx.aopts.corr != NULL;
	ctx.aopts.out = ctx.aopts.out_ops->open(outf, &oopts);
	/*
	 * Checkpoint each stream, so that a run killed half-way is not
	 * written again.  Not with sinks: a dead run delivered nothing, so
	 * the next must read it all again to deliver it (and writes it
	 * again: at least once in the output, exactly once to the sinks).
	 */
	if (ctx.aopts.state != NULL && ctx.aopts.sinks == NULL &&
	    !ctx.aopts.hold &&
	    state_journal_begin(ctx.aopts.state, outf, &cause) == -1) {
		diag(DIAG_WARN, statepath, 0, "no checkpoints: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (!quiet && isatty(STDERR_FILENO)) {
		ctx.aopts.progress = main_progress;
		ctx.aopts.progress_arg = &ctx;
	}

	sopts.since_ms = ctx.aopts.since;
	sopts.until_ms = ctx.aopts.until;
	sopts.accounts = (const char *const *)accounts.v;
	sopts.naccounts = accounts.n;
	sopts.regions = (const char *const *)regions.v;
	sopts.nregions = regions.n;
	ctx.audit = audit_create(ctx.rules, &ctx.aopts);
	if (argc == 0)
		audit_run(ctx.audit, &stdin_path, 1, &sopts);
	else
		audit_run(ctx.audit, (const char *const *)argv, (size_t)argc,
		    &sopts);
	astats = audit_stats(ctx.audit);
	undelivered = audit_commit(ctx.audit, outf,
	    outpath != NULL ? outpath : "<stdout>", statepath);
	if (audit_report(ctx.audit, summary_format,
	    summary == 2 ? stdout : stderr) == -1 || astats->out_failed)
		out_failed = 1;

	switch (diag_worst()) {
	case DIAG_CONFIG:
		status = MAIN_EXIT_CONFIG;
		break;
	case DIAG_ERROR:
		status = MAIN_EXIT_INCOMPLETE;
		break;
	default:
		status = astats->nfindings != 0 ?
		    MAIN_EXIT_FINDINGS : MAIN_EXIT_CLEAN;
		break;
	}
	/* Nobody was told: that outweighs an unreadable input (2). */
	if ((undelivered != 0 || out_failed) && status != MAIN_EXIT_CONFIG)
		status = MAIN_EXIT_DELIVERY;
out:
	audit_free(ctx.audit);
	summary_free(ctx.aopts.summary);
	state_free(ctx.aopts.state);		/* and the lock with it */
	sink_set_free(ctx.aopts.sinks);
	for (i = 0; i < notify.n; i++)
		free(notify.v[i]);
	free(notify.v);
	correlate_free(ctx.aopts.corr);
	rule_set_free(ctx.rules);
	free(rulepaths.v);
	free(bad.v);
	free(badlist);
	free(ids.v);
	free(tags.v);
	free(statuses.v);
	free(placeholders.v);
	free(accounts.v);
	free(regions.v);
	return status;
}
