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

/* The subcommand; argv[0] is "verify".  Returns the exit status. */
int	 verify_main(int argc, char **argv);

#endif
