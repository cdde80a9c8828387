/* SPDX-License-Identifier: ISC */
/*
 * ctaudit: audit AWS CloudTrail log archives with Sigma rules.
 *
 * This file wires the pipeline stages together from the command line
 * that cmdline.c parsed (source -> scan (gz, json, record) -> rules ->
 * audit.c's findings stage -> output and sinks) and maps what happened to
 * the exit status.  It is the only place that exits on purpose.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "audit.h"
#include "cmdline.h"
#include "correlate.h"
#include "forms.h"
#include "log.h"
#include "output.h"
#include "partial.h"
#include "progress.h"
#include "rule.h"
#include "sink.h"
#include "source.h"
#include "state.h"
#include "summary.h"
#include "verify.h"
#include "worker.h"
#include "xmalloc.h"

#define MAIN_EXIT_CLEAN		0
#define MAIN_EXIT_FINDINGS	1
#define MAIN_EXIT_INCOMPLETE	2
#define MAIN_EXIT_CONFIG	3
#define MAIN_EXIT_LOCKED	5	/* --state: another run holds it */
#define MAIN_EXIT_DELIVERY	4	/* findings not published */

struct main_ctx {
	struct cmdline		 cl;
	struct rule_set		*rules;
	struct rule_opts	 ropts;		/* the -j workers load them too */
	struct audit_opts	 aopts;		/* the parts of the stage */
	struct audit		*audit;
	struct progress		*progress;
	struct partial		*partial;	/* --partial */
	struct cmdline_list	 bad;		/* rule paths rejected */
	char			*badlist;
};

static int64_t	main_now(void);
static int	main_rules(struct main_ctx *, int *);
static int	main_sinks(struct main_ctx *);
static int	main_state_open(struct main_ctx *);
static int	main_scan(struct main_ctx *);
static void	main_free(struct main_ctx *);

static int64_t
main_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Load the rules: 0, or the exit status; *rejected if one was bad. */
static int
main_rules(struct main_ctx *ctx, int *rejected)
{
	struct cmdline		*cl = &ctx->cl;
	struct rule_opts	*ropts = &ctx->ropts;
	struct stat		 sb;
	size_t			 i;
	int			 typo = 0;

	memset(ropts, 0, sizeof *ropts);
	ropts->min_level = cl->min_level;
	ropts->ids = cl->ids.v;
	ropts->nids = cl->ids.n;
	ropts->tags = cl->tags.v;
	ropts->ntags = cl->tags.n;
	ropts->statuses = cl->statuses.v;
	ropts->nstatuses = cl->statuses.n;
	ropts->placeholders = cl->placeholders.v;
	ropts->nplaceholders = cl->placeholders.n;
	ctx->rules = rule_set_create(ropts);
	if (cl->rulepaths.n == 0) {
		if (stat(CTAUDIT_RULESDIR, &sb) == -1) {
			diag(DIAG_CONFIG, CTAUDIT_RULESDIR, 0, "bundled rules "
			    "not found (%s); use -r", strerror(errno));
			return MAIN_EXIT_CONFIG;
		}
		cmdline_list_add(&cl->rulepaths, (char *)CTAUDIT_RULESDIR);
	}
	*rejected = 0;
	for (i = 0; i < cl->rulepaths.n; i++)
		if (rule_set_load(ctx->rules, cl->rulepaths.v[i]) == -1) {
			*rejected = 1;
			cmdline_list_add(&ctx->bad, cl->rulepaths.v[i]);
		}
	/* --verify: its findings are rules' findings, so filters apply. */
	if (cl->verify && rule_set_load_buffer(ctx->rules, "<verify>",
	    verify_rules_yaml, strlen(verify_rules_yaml)) == -1)
		fatalx("verify rules rejected");
	rule_set_filters_resolve(ctx->rules);
	/* A selector that matches no rule read is a typo, not a choice. */
	for (i = 0; i < cl->ids.n; i++)
		if (!rule_set_id_found(ctx->rules, i)) {
			diag(DIAG_CONFIG, NULL, 0, "--rule-id %s: no rule "
			    "loaded has this id", cl->ids.v[i]);
			typo = 1;
		}
	for (i = 0; i < cl->tags.n; i++)
		if (!rule_set_tag_found(ctx->rules, i)) {
			diag(DIAG_CONFIG, NULL, 0, "--tag %s: no rule loaded "
			    "has this tag", cl->tags.v[i]);
			typo = 1;
		}
	return typo ? MAIN_EXIT_CONFIG : 0;
}

/* Open the sinks before the output: a bad one stops the run unwritten. */
static int
main_sinks(struct main_ctx *ctx)
{
	struct cmdline		*cl = &ctx->cl;
	struct sink_opts	 kopts;
	char			*cause = NULL;
	size_t			 i;

	if (cl->dry_run && cl->notify.n == 0) {
		diag(DIAG_CONFIG, NULL, 0, "--dry-run: no --sns-topic or "
		    "--notify to show");
		return MAIN_EXIT_CONFIG;
	}
	if (cl->notify.n == 0)
		return 0;
	memset(&kopts, 0, sizeof kopts);
	kopts.profile = cl->profile;
	kopts.dry_run = cl->dry_run;
	kopts.run_deadline_ms = cl->run_deadline_ms;
	ctx->aopts.sinks = sink_set_create((size_t)cl->threshold, &kopts);
	for (i = 0; i < cl->notify.n; i++) {
		if (sink_set_open(ctx->aopts.sinks, cl->notify.v[i],
		    &cause) == -1) {
			diag(DIAG_CONFIG, NULL, 0, "%s", cause);
			free(cause);
			return MAIN_EXIT_CONFIG;
		}
	}
	return 0;
}

/* Lock and read the state file: 0, or the exit status. */
static int
main_state_open(struct main_ctx *ctx)
{
	struct cmdline		*cl = &ctx->cl;
	struct state_opts	 opts;
	unsigned long		 line;
	char			*cause = NULL, *where = NULL;
	int			 busy;

	memset(&opts, 0, sizeof opts);
	opts.wait = cl->state_wait;
	opts.now_ms = cl->now;
	opts.window_ms = (int64_t)cl->dedup_days * 24 * 60 * 60 * 1000;
	opts.journal_corr_max = cl->journal_corr_max;
	ctx->aopts.state = state_open(cl->statepath, &opts, &busy, &where,
	    &line, &cause);
	if (ctx->aopts.state != NULL)
		return 0;
	if (busy) {
		/* Shown even with -q: cron mails it, and nothing was done. */
		diag(DIAG_ERROR, cl->statepath, 0, "%s; not running "
		    "(--state-wait waits for it)", cause);
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

/* Open the output, scan, deliver and report: the exit status. */
static int
main_scan(struct main_ctx *ctx)
{
	struct cmdline			*cl = &ctx->cl;
	struct source_opts		 sopts;
	struct output_opts		 oopts;
	const struct audit_stats	*astats;
	const char			*outpath = cl->outpath, *nocolor;
	const char			*term;
	const char			*stdin_path = "-";
	char				*cause = NULL;
	FILE				*outf = stdout;
	size_t				 undelivered;
	int				 status, out_failed = 0;

	memset(&sopts, 0, sizeof sopts);
	memset(&oopts, 0, sizeof oopts);
	if (cl->verify) {
		ctx->aopts.verify = verify_create();
		verify_set_profile(ctx->aopts.verify, cl->profile);
		verify_set_save(ctx->aopts.verify, cl->save_signatures);
		if ((cl->signatures != NULL && verify_load_signatures(
		    ctx->aopts.verify, cl->signatures) == -1) ||
		    (cl->public_keys != NULL && verify_load_keys(
		    ctx->aopts.verify, cl->public_keys) == -1))
			return MAIN_EXIT_CONFIG;
	}
	/* --summary-only: the summary is the output, on stdout. */
	if (cl->summary == 2 && outpath == NULL)
		outpath = "/dev/null";
	if (outpath != NULL && (outf = fopen(outpath, "w")) == NULL) {
		diag(DIAG_CONFIG, outpath, 0, "%s", strerror(errno));
		return MAIN_EXIT_CONFIG;
	}
	oopts.raw = cl->raw;
	if (strcmp(cl->color, "always") == 0)
		oopts.color = 1;
	else if (strcmp(cl->color, "auto") == 0)
		oopts.color = isatty(fileno(outf)) &&
		    ((nocolor = getenv("NO_COLOR")) == NULL ||
		    *nocolor == '\0') &&
		    ((term = getenv("TERM")) == NULL ||
		    strcmp(term, "dumb") != 0);
	ctx->aopts.corr = correlate_create(ctx->rules, NULL);
	oopts.corr = ctx->aopts.corr != NULL;
	if (cl->partialpath != NULL && (ctx->partial = partial_create(
	    cl->partialpath, &cl->shard, ctx->aopts.corr, &cause)) == NULL) {
		diag(DIAG_CONFIG, cl->partialpath, 0, "%s", cause);
		free(cause);
		if (outf != stdout)
			fclose(outf);
		return MAIN_EXIT_CONFIG;
	}
	/* Shards hand their matches to ctaudit merge instead. */
	ctx->aopts.carry = ctx->aopts.state != NULL && ctx->partial == NULL;
	if (cl->sort) {
		oopts.sort_inner = ctx->aopts.out_ops;
		oopts.sort_cap = cl->sort_cap;
		ctx->aopts.out_ops = &output_sort_ops;
	}
	ctx->aopts.out = ctx->aopts.out_ops->open(outf, &oopts);
	/*
	 * Checkpoint each stream, so that a run killed half-way is not
	 * written again.  Not with sinks: a dead run delivered nothing, so
	 * the next must read it all again to deliver it (and writes it
	 * again: at least once in the output, exactly once to the sinks).
	 * Nor with --sort: nothing is written before the end.
	 */
	if (ctx->aopts.state != NULL && ctx->aopts.sinks == NULL &&
	    !ctx->aopts.hold && !cl->sort &&
	    state_journal_begin(ctx->aopts.state, outf, &cause) == -1) {
		diag(DIAG_WARN, cl->statepath, 0, "no checkpoints: %s", cause);
		free(cause);
	}
	if (!cl->quiet && isatty(STDERR_FILENO)) {
		ctx->progress = cl->npaths == 0 ?
		    progress_create(&stdin_path, 1) :
		    progress_create((const char *const *)cl->paths,
		    cl->npaths);
		ctx->aopts.progress = progress_update;
		ctx->aopts.progress_arg = ctx->progress;
	}

	sopts.jobs = cl->transfers;
	ctx->aopts.jobs = cl->jobs != 0 ? cl->jobs : worker_default();
	ctx->aopts.ropts = &ctx->ropts;
	ctx->aopts.rulepaths = cl->rulepaths.v;
	ctx->aopts.nrulepaths = cl->rulepaths.n;
	sopts.object_deadline_ms = cl->object_deadline_ms;
	sopts.run_deadline_ms = cl->run_deadline_ms;
	sopts.shard = cl->shard;
	sopts.digests = cl->verify;
	sopts.profile = cl->profile;
	sopts.state = ctx->aopts.state;
	sopts.since_ms = ctx->aopts.since;
	sopts.until_ms = ctx->aopts.until;
	sopts.accounts = (const char *const *)cl->accounts.v;
	sopts.naccounts = cl->accounts.n;
	sopts.regions = (const char *const *)cl->regions.v;
	sopts.nregions = cl->regions.n;
	sopts.forms = forms_wanted(ctx->rules);
	ctx->audit = audit_create(ctx->rules, &ctx->aopts);
	/* ctaudit merge: the shards' matches stand for the scan. */
	if (cl->merging) {
		if (partial_merge(ctx->aopts.corr, cl->paths, cl->npaths) == 0)
			audit_finish(ctx->audit);
	} else if (cl->npaths == 0)
		audit_run(ctx->audit, &stdin_path, 1, &sopts);
	else
		audit_run(ctx->audit, (const char *const *)cl->paths,
		    cl->npaths, &sopts);
	if (ctx->partial != NULL && partial_finish(ctx->partial,
	    diag_count(DIAG_ERROR) != 0, &cause) == -1) {
		diag(DIAG_ERROR, cl->partialpath, 0, "%s", cause);
		free(cause);
	}
	astats = audit_stats(ctx->audit);
	undelivered = audit_commit(ctx->audit, outf,
	    outpath != NULL ? outpath : "<stdout>", cl->statepath);
	if (audit_report(ctx->audit, cl->summary_format,
	    cl->summary == 2 ? stdout : stderr) == -1 || astats->out_failed)
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
	return status;
}

static void
main_free(struct main_ctx *ctx)
{
	audit_free(ctx->audit);
	verify_free(ctx->aopts.verify);
	progress_free(ctx->progress);
	partial_free(ctx->partial);
	summary_free(ctx->aopts.summary);
	state_free(ctx->aopts.state);		/* and the lock with it */
	sink_set_free(ctx->aopts.sinks);
	correlate_free(ctx->aopts.corr);
	rule_set_free(ctx->rules);
	free(ctx->bad.v);
	free(ctx->badlist);
	cmdline_clear(&ctx->cl);
}

int
main(int argc, char **argv)
{
	struct main_ctx	 ctx;
	struct cmdline	*cl = &ctx.cl;
	char		*prev;
	size_t		 i, nrejected;
	int		 status, rejected = 0;

	diag_init("ctaudit");
	/* Digest validation is its own subcommand (verify.c). */
	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return verify_main(argc - 1, argv + 1);
	memset(&ctx, 0, sizeof ctx);
	cmdline_init(cl, main_now());

	switch (cmdline_parse(cl, argc, argv)) {
	case CMDLINE_HELP:
		cmdline_help(stdout);
		cmdline_clear(cl);
		exit(MAIN_EXIT_CLEAN);
	case CMDLINE_VERSION:
		printf("ctaudit %s\n", PACKAGE_VERSION);
		status = MAIN_EXIT_CLEAN;
		goto out;
	case CMDLINE_ERROR:
		status = MAIN_EXIT_CONFIG;
		goto out;
	case CMDLINE_RUN:
		break;
	}
	diag_set_quiet(cl->quiet);
	if (cmdline_check(cl) == -1) {
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	ctx.aopts.since = cl->since;
	ctx.aopts.until = cl->until;
	/* The state keeps the newest event for later runs' --stale. */
	ctx.aopts.timed = cl->stale_cut != 0 || cl->statepath != NULL;
	ctx.aopts.stale_cut = cl->stale_cut;
	ctx.aopts.stale = cl->stale;
	ctx.aopts.out_ops = cl->out_ops;

	/* Rules first: a scan without them would audit nothing. */
	if ((status = main_rules(&ctx, &rejected)) != 0)
		goto out;
	if (cl->listing) {
		if (output_rule_list(stdout, ctx.rules, cl->listjson) == -1) {
			diag(DIAG_ERROR, "<stdout>", 0, "write error: %s",
			    strerror(errno));
			status = MAIN_EXIT_INCOMPLETE;
		} else
			status = rejected ? MAIN_EXIT_CONFIG : MAIN_EXIT_CLEAN;
		goto out;
	}
	/* A rule that did not load is coverage lost: say so, read nothing. */
	if (rejected && (cl->strict || !cl->skip_bad)) {
		nrejected = rule_set_stats(ctx.rules)->rejected;
		diag(DIAG_CONFIG, NULL, 0, "%zu rule%s rejected; not scanning "
		    "(--skip-bad-rules runs the others)", nrejected,
		    nrejected == 1 ? "" : "s");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if (rule_set_count(ctx.rules) == 0) {
		diag(DIAG_CONFIG, NULL, 0, "no rules to run");
		status = MAIN_EXIT_CONFIG;
		goto out;
	}
	if ((status = main_sinks(&ctx)) != 0)
		goto out;
	/* The lock last: a run with a bad option never takes it. */
	if (cl->statepath != NULL && (status = main_state_open(&ctx)) != 0)
		goto out;
	/*
	 * --skip-bad-rules: what this run reads is not marked as audited, so
	 * the next run, with the rule fixed, reads it again (the dedup pairs
	 * keep the other rules from reporting it twice).
	 */
	ctx.aopts.hold = rejected;
	for (i = 0; i < ctx.bad.n; i++) {
		prev = ctx.badlist;
		ctx.badlist = xprintf("%s%s%s", prev != NULL ? prev : "",
		    prev != NULL ? ", " : "", ctx.bad.v[i]);
		free(prev);
	}
	ctx.aopts.held = ctx.badlist;
	if (cl->summary != 0)
		ctx.aopts.summary = summary_create(SUMMARY_TOP, SUMMARY_WIDTH);
	status = main_scan(&ctx);
out:
	main_free(&ctx);
	return status;
}
