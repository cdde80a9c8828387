#!/usr/bin/env python3
# Check that every eventSource/eventName pair the Sigma rules under the
# given directories can match is a name CloudTrail logs: an operation of
# the service's botocore model, or a line of the cited table of names that
# CloudTrail logs differently from the API (tests/cloudtrail-names.tsv),
# or the name the model sends an operation under when it is not the
# operation's own (CloudFront's versioned names).
# Then check that every requestParameters (responseElements) field a rule
# tests is a member of the request (response) of one of the operations
# its selection can match (or a field line of the table, for requests): a
# misspelled field never matches, and the rule's own test records,
# written with the same spelling, cannot tell.
# A plain value of a field whose model type is an enumeration must be one
# of its values.  Services whose CloudTrail records carry the XML body as
# sent (rest-xml: S3, CloudFront, Route 53) are counted, not checked.
#
# usage: check_names.py BOTOCORE_DATA TABLE RULEDIR...
#
# Prints "checked N pairs in M rule files, skipped K values" and
# "checked F fields, U with no model to check against" on stdout and one
# line per wrong name or field on stderr:
#	FILE: eventSource S: eventName N: not an operation of MODEL ...
#	FILE: requestParameters.P: not in the request of S N (MODEL) ...
#	FILE: responseElements.P: not in the response of S N (MODEL) ...
#	FILE: requestParameters.P: value V: not one of E1, E2, ...
# Exit 0 when every name and field is known, 1 when one is not, 2 on a
# usage or input error.

import glob
import json
import os
import sys

from rulefiles import VERSIONED, read_rules

# Sigma's wildcards: a value with one of these is a pattern, not a name.
WILDCARDS = ("*", "?")
FIELDS = ("eventSource", "eventName")
# The record's request and response members, and the part of the
# operation each is written from.
PARTS = {"requestParameters": "input", "responseElements": "output"}


def die(msg):
	print("check_names: %s" % msg, file=sys.stderr)
	sys.exit(2)


def load_models(data):
	"""Map each endpointPrefix and signingName to the set of model
	directories that answer to it, and each model directory to its
	model."""
	hosts = {}
	models = {}
	for path in sorted(glob.glob(os.path.join(data, "*", "*",
	    "service-2.json"))):
		svc = path.split(os.sep)[-3]
		with open(path, encoding="utf-8") as f:
			model = json.load(f)
		# Several API versions: the newest (last in order) wins.
		models[svc] = model
		meta = model.get("metadata", {})
		for k in ("endpointPrefix", "signingName"):
			if meta.get(k):
				hosts.setdefault(meta[k], set()).add(svc)
	return hosts, models


def load_table(path, hosts, ops):
	"""Read the cited table: 'model SOURCE SERVICE URL' adds a botocore
	model to an eventSource, 'name SOURCE EVENTNAME URL' adds one name
	that CloudTrail logs but the models do not have, 'rename SOURCE
	API=EVENTNAME URL' says that CloudTrail logs the operation API under
	another name (so API itself is wrong in a rule), and 'field SOURCE
	EVENTNAME:PATH URL' adds a request field (and what lies under it)
	that CloudTrail logs but the model does not have.  Returns the extra
	names by source, the renames, the fields, and each model named by a
	'model' line with its source."""
	extra = {}
	renamed = {}
	fields = set()
	modelled = {}
	with open(path, encoding="utf-8") as f:
		for n, line in enumerate(f, 1):
			line = line.rstrip("\n")
			if not line.strip() or line.startswith("#"):
				continue
			w = line.split()
			where = "%s:%d" % (path, n)
			if len(w) != 4 or w[0] not in ("model", "name", "rename",
			    "field"):
				die("%s: want 'model|name|rename|field SOURCE WORD "
				    "URL'" % where)
			if not w[3].startswith("https://docs.aws.amazon.com/"):
				die("%s: the URL is not AWS documentation" % where)
			if not w[1].endswith(".amazonaws.com"):
				die("%s: %s is not an eventSource" % (where, w[1]))
			prefix = w[1][:-len(".amazonaws.com")]
			if w[0] == "model":
				if w[2] not in ops:
					die("%s: no botocore model %s" % (where, w[2]))
				hosts.setdefault(prefix, set()).add(w[2])
				modelled[w[2]] = w[1]
			elif w[0] == "rename":
				api, eq, ct = w[2].partition("=")
				if not eq or not api or not ct:
					die("%s: want API=EVENTNAME" % where)
				renamed.setdefault((w[1], api), []).append(ct)
				extra.setdefault(w[1], set()).add(ct)
			elif w[0] == "field":
				name, colon, field = w[2].partition(":")
				if not colon or not name or not field:
					die("%s: want EVENTNAME:PATH" % where)
				fields.add((w[1], name, field))
			else:
				extra.setdefault(w[1], set()).add(w[2])
	return extra, renamed, fields, modelled


def wire_names(models, hosts, extra, renamed):
	"""Operations that a model sends under another name than its own
	key: CloudFront's, whose names carry the API version the caller
	used (UpdateDistribution2020_05_31).  CloudTrail logs that name, as
	the CloudTrail page of the CloudFront Developer Guide shows
	(logging_using_cloudtrail.html), so the bare name is wrong in a rule,
	as a 'rename' line makes it.  Returns the (source, operation) pairs
	so renamed."""
	wired = set()
	for prefix, svcs in hosts.items():
		src = prefix + ".amazonaws.com"
		for svc in sorted(svcs):
			for op, o in models[svc].get("operations", {}).items():
				if o.get("name", op) != op:
					renamed.setdefault((src, op), []).append(
					    o["name"])
					extra.setdefault(src, set()).add(o["name"])
					wired.add((src, op))
	return wired


def name_prefixes(m):
	"""The eventName|startswith values of one selection map."""
	out = []
	for k, v in m.items():
		field, _, mods = str(k).partition("|")
		if field == "eventName" and mods == "startswith":
			out += [x for x in (v if isinstance(v, list) else [v])
			    if isinstance(x, str)]
	return out


def norm(name):
	return name.replace("-", "").replace("_", "").lower()


def resolve(model, shape, comps):
	"""Where the dotted path comps leads from a value of shape, as
	CloudTrail writes it: members by name, wire name (locationName,
	queryName) or, for EC2's lists, NAMESet; lists by their elements,
	with EC2's "items" wrapper.  The shape it ends at (a list's element
	shape for a list), "" when anything may lie there (under a map or a
	document), None when the path cannot be."""
	sh = model["shapes"][shape]
	t = sh.get("type")
	if t == "list":
		member = sh["member"]["shape"]
		if comps and comps[0] == "items":
			comps = comps[1:]
		return resolve(model, member, comps)
	if not comps:
		return shape
	if t == "map" or sh.get("document"):
		return ""
	if t != "structure":
		return None
	want = norm(comps[0])
	for name, mem in sh.get("members", {}).items():
		names = set(norm(x) for x in (name, mem.get("locationName", ""),
		    mem.get("queryName", "")) if x)
		names |= set(x + "set" for x in names) | \
		    set(x[:-1] + "set" for x in names if x.endswith("s"))
		if want in names:
			return resolve(model, mem["shape"], comps[1:])
	return None


def member_has(model, opname, part, comps):
	"""Where the path leads in operation opname's request (part "input")
	or response ("output"), as resolve(); EC2's newer operations are
	logged under an OPERATIONRequest or OPERATIONResponse wrapper."""
	op = model["operations"][opname]
	if part not in op:
		return None
	shape = op[part]["shape"]
	end = resolve(model, shape, comps)
	wrapper = opname + ("Request" if part == "input" else "Response")
	if end is None and comps[0] in (wrapper, shape):
		end = resolve(model, shape, comps[1:])
	return end


class Pairs:
	def __init__(self):
		self.pairs = []		# (file, source or None, name)
		self.fields = []	# (file, field, sources, names, prefixes,
					# plain values)
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
		prefixes = []
		maps = []
		for key, sel in det.items():
			if key == "condition":
				continue
			for m in sel if isinstance(sel, list) else [sel]:
				if isinstance(m, dict):
					pending.append(self.mapping(path, m,
					    sources))
					prefixes.append(name_prefixes(m))
					maps.append(m)
		# Each request field against the operations its own map
		# names, or else every operation the rule names.
		all_names = [n for _, names in pending for n in names]
		all_prefixes = [x for p in prefixes for x in p]
		for (src, names), pre, sel in zip(pending, prefixes, maps):
			for k in sel:
				field, _, mods = str(k).partition("|")
				if field.partition(".")[0] not in PARTS or \
				    "." not in field:
					continue
				own = bool(names or pre)
				# Plain values, to check against an enum.
				v = sel[k]
				plain = () if mods else tuple(str(x) for x in
				    (v if isinstance(v, list) else [v])
				    if isinstance(x, str))
				self.fields.append((path, field,
				    sorted(src or sources),
				    names if own else all_names,
				    pre if own else all_prefixes, plain))
		for src, names in pending:
			# A name without a source in its own map is checked
			# against the sources the rule names elsewhere.
			for s in src or sorted(sources) or [None]:
				for n in names:
					self.pairs.append((path, s, n,
					    bool(src)))


def check_fields(fields, hosts, models, renamed, tfields, table):
	"""Check the request fields the rules test (Pairs.fields) against the
	models; return the messages and the counts checked and unchecked."""
	ops = {k: m.get("operations", {}) for k, m in models.items()}
	msgs = []
	api_names = {}
	for (src, api), cts in renamed.items():
		for ct in cts:
			api_names.setdefault((src, ct), []).append(api)
	checked = unchecked = 0
	for path, field, srcs, names, prefixes, plain in sorted(set(
	    (a, b, tuple(c), tuple(d), tuple(e), f)
	    for a, b, c, d, e, f in fields)):
		top, _, rest = field.partition(".")
		part, comps = PARTS[top], rest.split(".")
		cands = []	# (source, eventName, model directory, operation)
		for src in srcs:
			prefix = src[:-len(".amazonaws.com")] \
			    if src.endswith(".amazonaws.com") else src
			for svc in sorted(hosts.get(prefix, ())):
				for opname in ops[svc]:
					for n in names:
						v = VERSIONED.match(n)
						apis = api_names.get((src, n), []) + \
						    [n, v.group(1) if v else n]
						if opname in apis:
							cands.append((src, n, svc,
							    opname))
					if any(opname.startswith(x) for x in prefixes):
						cands.append((src, opname, svc, opname))
		listed = [f for s2, n2, f in tfields if s2 in srcs and
		    (n2 in names or any(n2.startswith(x) for x in prefixes))]
		if part == "input" and any(rest == f or
		    rest.startswith(f + ".") for f in listed):
			checked += 1
			continue
		# S3, CloudFront and Route 53 (rest-xml) log their XML bodies
		# and headers as they came (LifecycleConfiguration.Rule,
		# bucketPolicy, x-amz-...), not the models' member names: a
		# field no other operation has may be theirs.
		xml = [c for c in cands if models[c[2]].get("metadata",
		    {}).get("protocol") == "rest-xml"]
		cands = [c for c in cands if c not in xml]
		ends = [(svc, member_has(models[svc], op, part, comps))
		    for _, _, svc, op in cands]
		ends = [(svc, e) for svc, e in ends if e is not None]
		if ends:
			checked += 1
			# A value the field's enum does not have never
			# matches (Sigma compares without case).
			enums = [models[svc]["shapes"][e].get("enum")
			    for svc, e in ends if e]
			if plain and enums and all(enums) and len(enums) == \
			    len(ends):
				allowed = set(x.lower() for e in enums for x in e)
				for v in plain:
					if v.lower() in allowed:
						continue
					msgs.append("%s: %s: value %s: not one of "
					    "%s" % (path, field, v,
					    ", ".join(sorted(set(x for e in enums
					    for x in e)))))
			continue
		if xml or not cands:
			unchecked += 1
			continue
		checked += 1
		where = ", ".join(sorted(set("%s %s (%s)" % (s2[:-len(
		    ".amazonaws.com")], n2, svc) for s2, n2, svc, _ in cands)))
		msgs.append("%s: %s: not in the %s of %s, nor in %s" %
		    (path, field, "request" if part == "input" else "response",
		    where, table))
	return msgs, checked, unchecked


def main():
	if len(sys.argv) < 4:
		die("usage: check_names.py BOTOCORE_DATA TABLE RULEDIR...")
	hosts, models = load_models(sys.argv[1])
	ops = {k: m.get("operations", {}) for k, m in models.items()}
	if not ops:
		die("%s: no service models" % sys.argv[1])
	extra, renamed, tfields, _ = load_table(sys.argv[2], hosts, ops)
	wired = wire_names(models, hosts, extra, renamed)
	p = Pairs()
	try:
		files, docs = read_rules(sys.argv[3:])
	except ValueError as e:
		die(str(e))
	for path, doc in docs:
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
			    "its model's name for it" if (s, n) in wired else
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
	fmsgs, checked, unchecked = check_fields(p.fields, hosts, models,
	    renamed, tfields, os.path.basename(sys.argv[2]))
	msgs += fmsgs
	bad += len(fmsgs)
	# Sorted, so one file's messages stay together.
	for m in sorted(msgs):
		print(m, file=sys.stderr)
	print("checked %d pairs in %d rule files, skipped %d values" %
	    (len(tight) + len(loose) + len(bare), len(files), p.skipped))
	print("checked %d fields, %d with no model to check against" %
	    (checked, unchecked))
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
