/* SPDX-License-Identifier: ISC */
/*
 * Secrets out of text that a server sent back: the chat sinks relay the
 * start of a webhook's complaint, the credential chain STS's Code and
 * Message, and a server may echo the request (the webhook path, the bot
 * token, a web identity token) whole or cut anywhere.
 */
#ifndef SCRUB_H
#define SCRUB_H

#include <stddef.h>

#define SCRUB_MIN	8	/* a shared run this long is a secret's */
#define SCRUB_MARK	"[secret]"

/*
 * A copy of text in which every run of at least SCRUB_MIN bytes that
 * also occurs in one of the n secrets (NULL ones are skipped) is
 * replaced by SCRUB_MARK: the whole secret, or any piece of it a cut
 * left, wherever the cut fell.  A shorter piece is too little of a secret
 * to matter, and matching it would hide ordinary words.  Allocated;
 * never NULL.
 */
char	*scrub(const char *text, const char *const *secrets, size_t n);

#endif
