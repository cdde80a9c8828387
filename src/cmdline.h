/* SPDX-License-Identifier: ISC */
/*
 * The command line: the option table, the --help text, and the parsing
 * and cross-checks that turn argv into a struct cmdline.  Nothing here
 * opens a file or loads a rule; main() wires the stages from the result
 * and decides the exit status.
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rule.h"
#include "source.h"
#include "summary.h"

struct output_ops;

/* --state without --stale: cron is told when no event is this recent. */
#define CMDLINE_STALE_DEFAULT	"24h"

/* What cmdline_parse() asks main() to do. */
enum cmdline_action {
	CMDLINE_RUN,		/* scan (or list the rules) */
	CMDLINE_HELP,		/* --help */
	CMDLINE_VERSION,	/* --version */
	CMDLINE_ERROR,		/* already reported: exit 3 */
};

struct cmdline_list {
	char		**v;
	size_t		  n;
};

struct cmdline {
	int			 listing;	/* "ctaudit rules" */
	int			 listjson;	/* "ctaudit rules -f json" */
	int			 merging;	/* "ctaudit merge PARTIAL..." */
	const char		*partialpath;	/* --partial */
	int64_t			 now;		/* ms, for ages */
	const char		*format, *outpath;
	const struct output_ops	*out_ops;	/* resolved from format */
	struct cmdline_list	 rulepaths, ids, tags, statuses;
	struct cmdline_list	 placeholders, accounts, regions;
	struct cmdline_list	 notify;	/* owned strings */
	enum rule_level		 min_level;
	int64_t			 since, until;	/* ms; 0: unbounded */
	const char		*statepath;
	const char		*stale;		/* as given, or the default */
	int64_t			 stale_cut;	/* ms; 0: no check */
	int			 state_wait, dedup_days;
	int			 summary;	/* 1: --summary, 2: -only */
	enum summary_format	 summary_format;
	const char		*color;		/* auto, always, never */
	const char		*profile;
	int			 quiet, strict, skip_bad, raw, dry_run;
	int			 jobs, transfers, threshold;
	int64_t			 object_deadline_ms;	/* S3; 0: default */
	int64_t			 run_deadline_ms;	/* S3; 0: none */
	struct source_shard	 shard;		/* --shard; count 0: none */
	int			 sort;		/* --sort time */
	size_t			 sort_cap;	/* bytes; 0: the default */
	size_t			 journal_corr_max; /* bytes; 0: default */
	int			 verify;	/* --verify */
	const char		*public_keys, *signatures;
	const char		*save_signatures;	/* --save-signatures */
	char			**paths;	/* borrowed from argv */
	size_t			 npaths;
};

void			 cmdline_init(struct cmdline *, int64_t now);
void			 cmdline_clear(struct cmdline *);
/* Print the synopsis and a line for each option (--help). */
void			 cmdline_help(FILE *);
/* Parse argv into cl; errors are reported through diag(). */
enum cmdline_action	 cmdline_parse(struct cmdline *, int, char **);
/* Check the options against each other: 0, or -1 (reported). */
int			 cmdline_check(struct cmdline *);
/* Append to a list (the string is borrowed unless the list owns them). */
void			 cmdline_list_add(struct cmdline_list *, char *);

#endif
