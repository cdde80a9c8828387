#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Write rules/general/refused_sensitive_action.yml on standard output: the
# rule that reports at medium a call refused for lack of permission when
# the pack rates the same action medium, high or critical on success (the
# refused-call part of the level policy in man/ctaudit.1).  The list of
# eventSource/eventName pairs is taken from the pack itself, so that it
# cannot drift: tests/rules.sh runs this script and compares its output
# with the file in the tree.  To regenerate after changing a rule:
#
#	python3 tests/tools/gen_refused_rule.py rules \
#	    >rules/general/refused_sensitive_action.yml
#
# usage: gen_refused_rule.py RULEDIR
#
# A pair is taken from every selection (not a filter_* one) of every
# medium, high or critical rule outside rules/correlation that names
# eventName, plainly or with |startswith, next to an eventSource, or in a
# rule that names only one eventSource.  Left out, each for a reason:
#  - read-only names (Get, List, Describe, Head, BatchGet): a refused read
#    stays low and feeds the burst correlations; but for the few that hand
#    out a credential, which the pack rates medium or above by the action
#    alone (CREDENTIAL below): a refused attempt at a password, at secrets
#    in bulk or at new federation credentials is credential access tried;
#  - rules that are themselves about a failed or refused call, or about
#    console sign-in, whose failures are not authorization errors, and
#    rules that say nothing of errorCode: they report a refused attempt
#    themselves (a name only an intruder picks), and the action is not
#    sensitive whatever its arguments;
#  - S3 object calls (PutObject, DeleteObject...) and CreateBucket
#    (S3_BY_REQUEST): those rules are rated by the caller (anonymous), the
#    object's name or the ACL the request carries, not by the action, and
#    a refused object write or bucket creation is everyday application
#    noise;
#  - rules/general, whose rules are rated by the principal (root), not by
#    the action;
#  - events a service logs when another account uses a resource of this
#    one (SERVICE_EVENTS): no caller in this account makes them, so none
#    can be refused here;
#  - actions whose refusal a rule of its own rates (OWN_RULE): a refused
#    AssumeRole is low (sts/sts_assume_role_denied.yml), as SDKs and
#    tools try roles all day, while the role assumed by its own session
#    is medium on success.

import os
import sys

from rulefiles import read_rules, selections

ID = "73895041-b0f4-4d92-a0ff-5987bf923bcf"
OUT = "general/refused_sensitive_action.yml"
LEVELS = ("medium", "high", "critical")
READ_ONLY = ("Get", "List", "Describe", "Head", "BatchGet")
CREDENTIAL = ("GetPasswordData", "BatchGetSecretValue", "GetFederationToken",
    "GetInstanceAccessDetails", "GetRelationalDatabaseMasterUserPassword")
SERVICE_EVENTS = ("SharedSnapshotCopyInitiated", "SharedSnapshotVolumeCreated")
OWN_RULE = (("sts.amazonaws.com", "AssumeRole"),)
S3_BY_REQUEST = ("PutObject", "PutObjectAcl", "CopyObject", "DeleteObject",
    "DeleteObjects", "UploadPart", "UploadPartCopy", "CreateMultipartUpload",
    "CompleteMultipartUpload", "CreateBucket")


def as_list(v):
	return v if isinstance(v, list) else [v]


def error_terms(det):
	"""(in_filter, value) of each errorCode term of a detection, filter_*
	selections' included."""
	return [(key.startswith("filter"), v)
	    for key, sel in det.items() if key != "condition"
	    for m in as_list(sel) if isinstance(m, dict)
	    for k, v in m.items() if k.partition("|")[0] == "errorCode"]


def about_failure(det):
	"""Whether a detection asks for an error (a refused-call rule) rather
	than for its absence."""
	return any(not in_filter and v is not None
	    for in_filter, v in error_terms(det))


def names_error(det):
	"""Whether a detection says anything of errorCode.  One that does not
	reports a refused attempt itself, at its own level (a name only an
	intruder picks): its action is not sensitive whatever the
	arguments."""
	return bool(error_terms(det))


def pairs(doc):
	"""(source, name, startswith) of one rule."""
	det = doc.get("detection")
	if not isinstance(det, dict) or about_failure(det) or \
	    not names_error(det):
		return []
	maps = selections(det)
	sources = set()
	for m in maps:
		for s in as_list(m.get("eventSource")):
			if isinstance(s, str):
				sources.add(s)
	out = []
	for m in maps:
		src = [s for s in as_list(m.get("eventSource"))
		    if isinstance(s, str)]
		if not src:
			if len(sources) != 1:
				continue
			src = sorted(sources)
		for k, v in m.items():
			field, _, mods = k.partition("|")
			if field != "eventName" or mods not in ("", "startswith"):
				continue
			for n in as_list(v):
				if isinstance(n, str) and "*" not in n:
					out += [(s, n, mods == "startswith")
					    for s in src]
	return out


def keep(s, n):
	if s == "signin.amazonaws.com" or n in SERVICE_EVENTS or \
	    (s, n) in OWN_RULE:
		return False
	if n.startswith(READ_ONLY) and n not in CREDENTIAL:
		return False
	return not (s == "s3.amazonaws.com" and n in S3_BY_REQUEST)


def main():
	if len(sys.argv) != 2:
		print("usage: gen_refused_rule.py RULEDIR", file=sys.stderr)
		return 2
	top = sys.argv[1]
	try:
		_, docs = read_rules([top])
	except ValueError as e:
		print("gen_refused_rule: %s" % e, file=sys.stderr)
		return 2
	found = {}
	for path, d in docs:
		if os.path.relpath(path, top).split(os.sep)[0] in \
		    ("correlation", "general") or d.get("level") not in LEVELS:
			continue
		for s, n, sw in pairs(d):
			if keep(s, n):
				found.setdefault((s, sw), set()).add(n)
	w = sys.stdout.write
	w("""# GENERATED by tests/tools/gen_refused_rule.py from the medium, high and
# critical rules of the pack; do not edit, regenerate (see the script).
# tests/rules.sh fails when this file and the script's output differ.
title: Sensitive Action Refused for Lack of Permission
id: %s
status: stable
description: >-
    A principal tried an action that the pack reports at medium or above
    when it succeeds (a deletion, a logging or security-tool change, a
    permission, policy or sharing change) and was refused for lack of
    permission. The attempt beyond one's permissions at a destructive,
    evasive or privilege-changing action is itself evidence of stolen
    credentials or a malicious principal, whatever its arguments. Refused
    read-only calls are left to the access-denied rules.
references:
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
author: ctaudit project
date: 2026-12-05
tags:
    - attack.privilege-escalation
    - attack.defense-evasion
    - attack.impact
    - attack.t1078.004
logsource:
    product: aws
    service: cloudtrail
detection:
""" % ID)
	used = {}
	for (s, sw) in sorted(found):
		base = "sel_" + s.split(".")[0].replace("-", "_")
		key = base + ("_prefix" if sw else "")
		assert key not in used, key
		used[key] = 1
		w("    %s:\n" % key)
		w("        eventSource: %s\n" % s)
		w("        eventName%s:\n" % ("|startswith" if sw else ""))
		for n in sorted(found[(s, sw)]):
			w("            - %s\n" % n)
	w("""    denied:
        - errorCode|startswith: AccessDenied
        - errorCode|endswith:
            - UnauthorizedOperation
            - UnauthorizedAccess
        - errorCode:
            - AuthorizationError
            - NotAuthorizedException
            - UnauthorizedException
            - ForbiddenException
            - InsufficientPrivilegesException
            - UnauthorizedClientException
    filter_service_linked:
        - userIdentity.sessionContext.sessionIssuer.arn|contains: ':role/aws-service-role/'
        - userIdentity.type: AWSService
    condition: (1 of sel_* and denied) and not filter_service_linked
falsepositives:
    - A new deployment or a person missing a permission they will be given
    - Console pages that try a change to find out whether it is allowed
level: medium
""")
	return 0


if __name__ == "__main__":
	sys.exit(main())
