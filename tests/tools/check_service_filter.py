#!/usr/bin/env python3
# Check the level policy's rule for AWS's own callers.
#
# usage: check_service_filter.py EXEMPT.tsv RULEDIR
#
# The man page (The bundled rules) says that calls made by a service-linked
# role (a session of a role under /aws-service-role/) or by an AWS service
# itself (userIdentity.type AWSService) are left out of every medium, high
# and critical rule.  Each such rule of RULEDIR (correlation rules, which
# group what their base rules matched, have no detection of their own) must
# therefore have a search identifier that names both, negated in its
# condition, or be listed in EXEMPT.tsv with the reason it needs none (a
# finding rather than a call, a selection that names the caller).  An
# exemption that no longer applies is an error too, so that the table
# cannot go stale.  Prints one line per problem on stderr and exits 1 if
# there is any, 2 if a file cannot be read.

import os
import re
import sys

from rulefiles import read_rules

LEVELS = ("medium", "high", "critical")


def filtered(det):
	"""Whether a negated identifier of det names both kinds of caller."""
	cond = det.get("condition", "")
	if isinstance(cond, list):
		cond = " ".join(cond)
	cond = " ".join(str(cond).split())
	for name, value in det.items():
		if name == "condition":
			continue
		text = repr(value)
		if ":role/aws-service-role/" not in text or "AWSService" not in text:
			continue
		if re.search(r"\bnot\s+%s\b" % re.escape(name), cond):
			return True
		for m in re.finditer(r"\bnot\s+1\s+of\s+(\w+)\*", cond):
			if name.startswith(m.group(1)):
				return True
	return False


def read_exempt(table):
	"""The rules of the exemption table, each with its line number."""
	exempt = {}
	with open(table, encoding="utf-8") as f:
		for n, line in enumerate(f, 1):
			line = line.rstrip("\n")
			if not line or line.startswith("#"):
				continue
			parts = line.split("\t")
			if len(parts) != 2 or not parts[1].strip():
				raise ValueError("%s:%d: want RULE and a reason, "
				    "tab-separated" % (table, n))
			exempt[parts[0]] = n
	return exempt


def main():
	if len(sys.argv) != 3:
		print("usage: check_service_filter.py EXEMPT.tsv RULEDIR",
		    file=sys.stderr)
		return 2
	table, ruledir = sys.argv[1:]
	try:
		exempt = read_exempt(table)
		_, docs = read_rules([ruledir])
	except (OSError, ValueError) as e:
		print("check_service_filter: %s" % e, file=sys.stderr)
		return 2
	top = os.path.dirname(ruledir.rstrip("/")) or "."
	bad = 0
	seen = set()
	for path, d in docs:
		det = d.get("detection")
		if det is None or d.get("level") not in LEVELS:
			continue
		rel = os.path.relpath(path, top)
		ok = filtered(det)
		if rel in exempt:
			seen.add(rel)
			if ok:
				print("%s:%d: %s leaves AWS's callers out: the "
				    "exemption is stale" % (table, exempt[rel], rel),
				    file=sys.stderr)
				bad += 1
		elif not ok:
			print("%s: %s rule does not leave out service-linked "
			    "roles and AWS services" % (rel, d["level"]),
			    file=sys.stderr)
			bad += 1
	for rel, n in sorted(exempt.items()):
		if rel not in seen:
			print("%s:%d: %s is not a medium, high or critical rule"
			    % (table, n, rel), file=sys.stderr)
			bad += 1
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
