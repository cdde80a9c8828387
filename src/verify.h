/* SPDX-License-Identifier: ISC */
/*
 * "ctaudit verify": prove an archive whole with CloudTrail's digest
 * files.  Reads every log file and digest the paths name, hashes each
 * log file's inflated bytes, chains the digests per trail, account and
 * region, checks their signatures where signatures and public keys are
 * at hand, and reports what is missing, changed or unlisted as critical
 * findings.
 */
#ifndef VERIFY_H
#define VERIFY_H

#include "scan.h"

struct gz;
struct stream;
struct verify;

/* The subcommand; argv[0] is "verify".  Returns the exit status. */
int		 verify_main(int argc, char **argv);

/*
 * --verify during an audit, in the same pass: the audit hashes each log
 * file as it scans it (scan_hash()) and hands the hash to
 * verify_add_log(); it hands digest files, which it does not audit, to
 * verify_digest_stream().  verify_finish() then runs the checks and
 * hands each finding to cb as an event that verify_rules_yaml matches.
 */
extern const char verify_rules_yaml[];
/* The eventSource of the events that carry verify's findings. */
#define VERIFY_EVENT_SOURCE	"ctaudit.verify"
struct verify	*verify_create(void);
void		 verify_free(struct verify *);
int		 verify_load_signatures(struct verify *, const char *);
int		 verify_load_keys(struct verify *, const char *);
void		 verify_set_profile(struct verify *, const char *);
/* --save-signatures in an audit: written by verify_finish(). */
void		 verify_set_save(struct verify *, const char *path);
int		 verify_is_digest(const char *name);
int		 verify_add_log(struct verify *, const char *name,
		    const char *hex);
/* rbuf holds at least VERIFY_READ_SIZE bytes. */
#define VERIFY_READ_SIZE	(256 * 1024)
int		 verify_digest_stream(struct verify *, struct stream *,
		    struct gz *, char *rbuf);
void		 verify_finish(struct verify *, scan_record_cb *cb, void *arg);

#endif
