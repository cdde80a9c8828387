#!/usr/bin/env python3
# Check that every eventSource/eventName pair the Sigma rules under the
# given directories can match is a name CloudTrail logs: an operation of
# the service's botocore model, or a line of the cited table of names that
# CloudTrail logs differently from the API (tests/cloudtrail-names.tsv).
#
# usage: check_names.py BOTOCORE_DATA TABLE RULEDIR...
#
# Prints "checked N pairs in M rule files, skipped K values" on stdout and
# one line per wrong name on stderr:
#	FILE: eventSource S: eventName N: not an operation of MODEL ...
# Exit 0 when every name is known, 1 when one is not, 2 on a usage or
# input error.

import glob
import json
import os
import sys

import yaml

# Sigma's wildcards: a value with one of these is a pattern, not a name.
WILDCARDS = ("*", "?")
FIELDS = ("eventSource", "eventName")


def die(msg):
	print("check_names: %s" % msg, file=sys.stderr)
	sys.exit(2)


def load_models(data):
	"""Map each endpointPrefix and signingName to the set of model
	directories that answer to it, and each model to its operations."""
	hosts = {}
	ops = {}
	for path in sorted(glob.glob(os.path.join(data, "*", "*",
	    "service-2.json"))):
		svc = path.split(os.sep)[-3]
		with open(path, encoding="utf-8") as f:
			model = json.load(f)
		# Several API versions: the newest (last in order) wins.
		ops[svc] = set(model.get("operations", {}))
		meta = model.get("metadata", {})
		for k in ("endpointPrefix", "signingName"):
			if meta.get(k):
				hosts.setdefault(meta[k], set()).add(svc)
	return hosts, ops


def load_table(path, hosts, ops):
	"""Read the cited table: 'model SOURCE SERVICE URL' adds a botocore
	model to an eventSource, 'name SOURCE EVENTNAME URL' adds one name
	that CloudTrail logs but the models do not have, and 'rename SOURCE
	API=EVENTNAME URL' says that CloudTrail logs the operation API under
	another name (so API itself is wrong in a rule)."""
	extra = {}
	renamed = {}
	with open(path, encoding="utf-8") as f:
		for n, line in enumerate(f, 1):
			line = line.rstrip("\n")
			if not line.strip() or line.startswith("#"):
				continue
			w = line.split()
			where = "%s:%d" % (path, n)
			if len(w) != 4 or w[0] not in ("model", "name", "rename"):
				die("%s: want 'model|name|rename SOURCE WORD URL'" %
				    where)
			if not w[3].startswith("https://docs.aws.amazon.com/"):
				die("%s: the URL is not AWS documentation" % where)
			if not w[1].endswith(".amazonaws.com"):
				die("%s: %s is not an eventSource" % (where, w[1]))
			prefix = w[1][:-len(".amazonaws.com")]
			if w[0] == "model":
				if w[2] not in ops:
					die("%s: no botocore model %s" % (where, w[2]))
				hosts.setdefault(prefix, set()).add(w[2])
			elif w[0] == "rename":
				api, eq, ct = w[2].partition("=")
				if not eq or not api or not ct:
					die("%s: want API=EVENTNAME" % where)
				renamed.setdefault((w[1], api), []).append(ct)
				extra.setdefault(w[1], set()).add(ct)
			else:
				extra.setdefault(w[1], set()).add(w[2])
	return extra, renamed


class Pairs:
	def __init__(self):
		self.pairs = []		# (file, source or None, name)
		self.skipped = 0

	def values(self, v):
		"""The plain names of a value or value list; count the rest."""
		out = []
		for x in (v if isinstance(v, list) else [v]):
			if not isinstance(x, str) or any(c in x for c in WILDCARDS):
				self.skipped += 1
			else:
				out.append(x)
		return out

	def mapping(self, path, m, rule_sources):
		"""One selection map: its sources times its names."""
		src, names = [], []
		for k, v in m.items():
			field, _, mods = str(k).partition("|")
			if field not in FIELDS:
				continue
			if mods:	# startswith, contains, re...: not a name
				self.skipped += len(v) if isinstance(v, list) else 1
				continue
			(src if field == "eventSource" else names).extend(
			    self.values(v))
		for s in src:
			rule_sources.add(s)
		return src, names

	def rule(self, path, doc):
		det = doc.get("detection")
		if not isinstance(det, dict):
			return		# a correlation rule: its base rules count
		sources = set()
		pending = []
		for key, sel in det.items():
			if key == "condition":
				continue
			maps = sel if isinstance(sel, list) else [sel]
			for m in maps:
				if isinstance(m, dict):
					pending.append(self.mapping(path, m,
					    sources))
		for src, names in pending:
			# A name without a source in its own map is checked
			# against the sources the rule names elsewhere.
			for s in src or sorted(sources) or [None]:
				for n in names:
					self.pairs.append((path, s, n,
					    bool(src)))


def main():
	if len(sys.argv) < 4:
		die("usage: check_names.py BOTOCORE_DATA TABLE RULEDIR...")
	hosts, ops = load_models(sys.argv[1])
	if not ops:
		die("%s: no service models" % sys.argv[1])
	extra, renamed = load_table(sys.argv[2], hosts, ops)
	p = Pairs()
	files = []
	for d in sys.argv[3:]:
		for root, _, names in os.walk(d):
			files += [os.path.join(root, n) for n in names
			    if n.endswith((".yml", ".yaml"))]
	for path in sorted(files):
		try:
			with open(path, encoding="utf-8") as f:
				docs = list(yaml.safe_load_all(f))
		except (OSError, yaml.YAMLError) as e:
			die("%s: %s" % (path, e))
		for doc in docs:
			if isinstance(doc, dict):
				p.rule(path, doc)

	def known(s, n):
		if (s, n) in renamed:
			return False
		if n in extra.get(s, ()):
			return True
		svcs = hosts.get(s[:-len(".amazonaws.com")], ()) \
		    if s.endswith(".amazonaws.com") else ()
		return any(n in ops[m] for m in svcs)

	bad = 0
	msgs = []
	tight, loose, bare = {}, {}, {}
	for path, s, n, t in p.pairs:
		if s is None:
			bare[(path, n)] = 1
		elif t:
			tight[(path, s, n)] = 1
		else:
			# A name paired with the rule's other sources: right
			# if any of them has it.
			loose.setdefault((path, n), []).append(s)
	for path, n in bare:
		if not any(n in o for o in ops.values()) and \
		    not any(n in e for e in extra.values()):
			msgs.append("%s: eventName %s: no eventSource in the rule, "
			    "and no service has this operation" % (path, n))
			bad += 1
	for (path, n), srcs in loose.items():
		if any(known(x, n) for x in srcs):
			continue
		msgs.append("%s: eventSource %s: eventName %s: not an operation of "
		    "any service the rule names" %
		    (path, "|".join(sorted(set(srcs))), n))
		bad += 1
	for path, s, n in tight:
		if known(s, n):
			continue
		if (s, n) in renamed:
			msgs.append("%s: eventSource %s: eventName %s: CloudTrail logs "
			    "this operation as %s (%s)" % (path, s, n,
			    " or ".join(renamed[(s, n)]),
			    os.path.basename(sys.argv[2])))
			bad += 1
			continue
		prefix = s[:-len(".amazonaws.com")] \
		    if s.endswith(".amazonaws.com") else s
		svcs = sorted(hosts.get(prefix, ()))
		if svcs:
			why = "not an operation of botocore model %s" % \
			    ",".join(svcs)
		else:
			why = "no botocore model answers to %s" % prefix
		msgs.append("%s: eventSource %s: eventName %s: %s, nor in %s" %
		    (path, s, n, why, os.path.basename(sys.argv[2])))
		bad += 1
	# Sorted, so one file's messages stay together.
	for m in sorted(msgs):
		print(m, file=sys.stderr)
	print("checked %d pairs in %d rule files, skipped %d values" %
	    (len(tight) + len(loose) + len(bare), len(files), p.skipped))
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
