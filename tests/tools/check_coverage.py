#!/usr/bin/env python3
# Check the rule pack against a table of the calls attack tools make
# (tests/attack-tools.tsv): a call the table says the pack sees must be
# named by a rule, and a call the table says the pack leaves alone must
# not be (the table would be stale).  A rule names a call when one of its
# selections (not a filter_* one) pairs the eventSource with the
# eventName, exactly, by an eventName|startswith prefix, or with no
# eventSource at all; CloudTrail's versioned Lambda names
# (ListFunctions20150331) stand for the operation.  The rules of
# service-linked roles' changes and of refused calls do not count (see
# NOT_NAMING).
#
# usage: check_coverage.py TABLE RULEDIR...
#
# TABLE lines, tab-separated: TOOL MODULE EVENTSOURCE EVENTNAME VERDICT,
# where VERDICT is "seen" or "- " and the reason the pack leaves the call
# alone.  Prints "N calls of M modules: S seen, L left alone" on stdout
# and one line per disagreement on stderr:
#	TABLE:LINE: S N (MODULE): no rule names it
#	TABLE:LINE: S N (MODULE): RULE names it, but the table leaves it alone
# Exit 0 when rules and table agree, 1 when they do not, 2 on a usage or
# input error.

import os
import sys

from rulefiles import VERSIONED, read_rules, selections

# Rules that name calls for another purpose than reporting them when a
# person makes them: the changes made by service-linked roles, whose
# selection names the medium rules' calls with no event source (so it
# would name every service's call of that name), and the refusals of
# those calls.  Their names do not make a call seen.
NOT_NAMING = {
	"service_linked_role_change.yml",
	"refused_sensitive_action.yml",
}


def die(msg):
	print("check_coverage: %s" % msg, file=sys.stderr)
	sys.exit(2)


def strings(v):
	return [x for x in (v if isinstance(v, list) else [v])
	    if isinstance(x, str)]


def unversion(name):
	m = VERSIONED.match(name)
	return m.group(1) if m else name


class Names:
	"""What the rules name: (source, name) pairs, (source, prefix)
	pairs, and names with no source; each with the first rule file."""

	def __init__(self):
		self.exact, self.prefix, self.bare = {}, {}, {}

	def add(self, path, doc):
		det = doc.get("detection")
		if not isinstance(det, dict):
			return		# a correlation: its base rules count
		maps = selections(det)
		every = {s for m in maps for s in strings(m.get("eventSource"))}
		for m in maps:
			src = set(strings(m.get("eventSource"))) or every
			for n in strings(m.get("eventName")):
				n = unversion(n)
				if not src:
					self.bare.setdefault(n, path)
				for s in src:
					self.exact.setdefault((s, n), path)
			for p in strings(m.get("eventName|startswith")):
				for s in src or ["*"]:
					self.prefix.setdefault((s, p), path)

	def rule(self, s, n):
		"""The rule file that names the call, or None."""
		if (s, n) in self.exact:
			return self.exact[(s, n)]
		if n in self.bare:
			return self.bare[n]
		for (ps, p), path in sorted(self.prefix.items()):
			if ps in (s, "*") and n.startswith(p):
				return path
		return None


def main():
	if len(sys.argv) < 3:
		die("usage: check_coverage.py TABLE RULEDIR...")
	names = Names()
	try:
		_, docs = read_rules(sys.argv[2:])
	except ValueError as e:
		die(str(e))
	for path, doc in docs:
		if os.path.basename(path) not in NOT_NAMING:
			names.add(path, doc)
	table = sys.argv[1]
	try:
		with open(table, encoding="utf-8") as f:
			lines = f.read().split("\n")
	except OSError as e:
		die("%s: %s" % (table, e.strerror))
	msgs = []
	modules = set()
	seen = alone = 0
	where = os.path.basename(table)
	for i, line in enumerate(lines, 1):
		if not line or line.startswith("#"):
			continue
		col = line.split("\t")
		if len(col) != 5 or not all(col) or \
		    (col[4] != "seen" and not col[4].startswith("- ")):
			die("%s:%d: want TOOL MODULE EVENTSOURCE EVENTNAME "
			    "and 'seen' or '- reason'" % (where, i))
		tool, module, s, n, verdict = col
		modules.add((tool, module))
		path = names.rule(s, n)
		if verdict == "seen":
			seen += 1
			if path is None:
				msgs.append("%s:%d: %s %s (%s): no rule names it"
				    % (where, i, s, n, module))
		else:
			alone += 1
			if path is not None:
				msgs.append("%s:%d: %s %s (%s): %s names it, but "
				    "the table leaves it alone" % (where, i, s, n,
				    module, path))
	for m in msgs:
		print(m, file=sys.stderr)
	print("%d calls of %d modules: %d seen, %d left alone" %
	    (seen + alone, len(modules), seen, alone))
	return 1 if msgs else 0


if __name__ == "__main__":
	sys.exit(main())
