#!/usr/bin/env python3
# List the AWS calls an attack tool makes, as CloudTrail names them, to
# draw rows of tests/attack-tools.tsv from.  The tool is read from a git
# directory: under each given directory, each module (a subdirectory, or
# a file) is read.  Python files, for the boto3 clients they open
# (client("svc"), or service = "svc" as Endgame names them) and the
# client methods they call by name; a method is a call when the service's
# botocore model has the operation.  Calls made through getattr(), a
# paginator or helper modules are not seen.  With --cheat-sheets,
# markdown cheat sheets instead (CloudGoat's walk-throughs, whose Python
# is the victim's code), for the AWS CLI commands they give (aws SERVICE
# COMMAND, s3's ls, cp, sync, rm and mb as the calls they make).  With
# --atomics, Atomic Red Team's test files (atomics/TECHNIQUE/*.yaml), for
# the AWS CLI commands of the tests that run on iaas:aws (not their
# clean-up commands); the module is the technique and the test's number.
# With --athena, the Athena queries of AWS's incident response playbooks
# (athena-queries-*.sql), for the eventName values each query selects
# (= or IN), each under those of the eventSource values it selects whose
# service has the operation (under all of them if none has: a misspelled
# name); a query that names no event source takes, for each name, the
# source of the one service that has the operation among those the
# file's other queries name, or else among all the models; a name still
# ambiguous is reported on stderr and left out.  The module is the
# playbook and the query's number.  With --elastic, Elastic's detection
# rules or hunting queries (TOML), for the event.action values of each
# rule's query under its event.provider values, resolved the same way,
# leaving out wildcards and negated terms; the module is the rule's file
# name.  With --go, Go code written with the AWS SDK for Go v2 (Stratus
# Red Team's techniques), for the calls whose input structures it builds
# (&s3.PutBucketPolicyInput); the module is the file's directory under
# DIR (with --go-files, as CloudFox's code is laid out, the file's path
# under DIR without .go).  With --pages, markdown pages (Hacking the
# Cloud's), for the AWS CLI commands and the Python calls they give;
# the module is the page's path under DIR without .md.  With --sumo, the
# catalogue of Sumo Logic's Cloud SIEM rules (audit/rules.json), for the
# action (eventName) values and the AwsApiCall-NAME event IDs that each
# CloudTrail rule's expressions select, under its application
# (eventSource) values, resolved as for --athena over the whole
# catalogue, leaving out negated terms; a regular expression counts for
# the names it alternates, a lower-cased name for the operation it
# spells, and an application LIKE 'waf%' for the event sources it begins
# (an action LIKE a pattern counts for none).  The module is the rule's
# ID.  With --yaral, Chronicle's YARA-L rules, for the
# metadata.product_event_type (eventName) values each rule compares with
# = under its target.application (eventSource) values, resolved as for
# --elastic, leaving out negated terms and patterns that are not a plain
# name; the module is the rule's file name.  With --spl, Splunk's
# security content detections (YAML), for the eventName and
# api.operation values the search of each detection that reads
# CloudTrail selects (= or IN) under its eventSource values, resolved as
# for --elastic, leaving out negated terms and wildcards; Splunk
# compares values without regard to case, so a name is taken in the case
# the models spell it.  The module is the detection's file name.  With
# --prowler, Prowler's configuration (config.yaml), for the lists of
# actions its CloudTrail threat detection checks count; the module is the
# list's kind.  With --grappler, Permiso's CloudGrappler queries
# (queries.json), for the AWS queries that name a call; the module is the
# query's threat actor or technique.  Neither names an event source: a
# name several services have takes the one that the names of its module
# with a single service have, and is otherwise left out as ambiguous.
# With --tailpipe, the queries of a Tailpipe detection mod (HCL files,
# *.pp), for the event_name values each query's SQL selects (= or IN)
# under its event_source values, resolved as for --elastic, leaving out
# negated terms and LIKE patterns; the module is the query's name.
# With --paths, pathfinding.cloud's privilege escalation paths (YAML),
# for the AWS CLI commands of each path's exploitation steps; the
# module is the path's id.
# With --leonidas, the test case definitions of WithSecure's Leonidas
# (YAML), for the eventName and eventSource of their detections'
# CloudTrail sources, resolved as for --elastic; the module is the
# definition's file name.
# eventSource is the service's signing name (CloudTrail's host name), or
# the 'model' line of tests/cloudtrail-names.tsv; eventName the
# operation, or its 'rename' line.  For the readers of queries, a name no
# model has is one of the table's 'name' lines, under its source.
#
# usage: attack_tool_calls.py BOTOCORE_DATA NAMES_TABLE TOOL GIT_DIR
#	    [--cheat-sheets | --atomics | --pages | --go | --go-files |
#	    --athena | --elastic | --sumo | --yaral | --spl | --prowler |
#	    --grappler | --tailpipe | --paths | --leonidas]
#	    DIR...
#
#	attack_tool_calls.py ... pacu PACU.git pacu/modules
#	attack_tool_calls.py ... endgame ENDGAME.git \
#	    endgame/exposure_via_resource_policies \
#	    endgame/exposure_via_sharing_apis
#	attack_tool_calls.py ... cloudgoat CLOUDGOAT.git --cheat-sheets \
#	    cloudgoat/scenarios/aws
#	attack_tool_calls.py ... atomic-red-team ART.git --atomics atomics
#	attack_tool_calls.py ... aws-ir-playbooks PLAYBOOKS.git --athena \
#	    playbooks/resources
#	attack_tool_calls.py ... elastic DETECTION_RULES.git --elastic \
#	    rules/integrations/aws
#	attack_tool_calls.py ... elastic DETECTION_RULES.git --elastic \
#	    hunting/aws/queries | sed 's,\t,\thunting/,'
#	attack_tool_calls.py ... stratus STRATUS.git --go \
#	    v2/internal/attacktechniques/aws
#	attack_tool_calls.py ... cloudfox CLOUDFOX.git --go-files aws
#	attack_tool_calls.py ... hacking-the-cloud HTC.git --pages \
#	    content/aws
#	attack_tool_calls.py ... sumo SUMO.git --sumo audit
#	attack_tool_calls.py ... chronicle CHRONICLE.git --yaral \
#	    rules/community/aws/cloudtrail
#	attack_tool_calls.py ... splunk SECURITY_CONTENT.git --spl \
#	    detections/cloud
#	attack_tool_calls.py ... prowler PROWLER.git --prowler prowler/config
#	attack_tool_calls.py ... cloudgrappler CLOUDGRAPPLER.git --grappler data
#	attack_tool_calls.py ... tailpipe TAILPIPE_MOD.git --tailpipe detections
#	attack_tool_calls.py ... pathfinding PATHFINDING.git --paths data/paths
#	attack_tool_calls.py ... leonidas LEONIDAS.git --leonidas definitions
#
# Prints "TOOL MODULE EVENTSOURCE EVENTNAME" lines, tab-separated,
# sorted.  The verdicts of the table are not drawn from the code: they
# are ours, and are added by hand.

import json
import os
import re
import subprocess
import sys

import tomllib

import yaml

from check_names import load_models, load_table

CLIENT = re.compile(r"""(?:(?:get_boto3_client|get_boto3_resource|client|"""
    r"""resource)\(\s*|\bservice\s*=\s*)['"]([a-z0-9-]+)['"]""")
# Services named as IAM names them, for the botocore model that has the
# calls.
ALIASES = {"elasticfilesystem": "efs", "ebs": "ec2", "ec2-ami": "ec2"}
CALL = re.compile(r"\.([a-z][a-z0-9_]+)\(")
# aws [--flag | --option value]... SERVICE COMMAND
CLI = re.compile(r"\baws\s+(?:(?:--no-[a-z-]+|--debug)\s+|--[a-z-]+\s+\S+\s+)*"
    r"([a-z0-9-]+)\s+([a-z0-9-]+)")
# The CLI's service names that are not botocore's, and the high-level s3
# commands with the call each makes first.
CLI_SERVICES = {"s3api": "s3", "configservice": "config"}
S3_COMMANDS = {"ls": "ListObjectsV2", "cp": "GetObject",
    "sync": "ListObjectsV2", "rm": "DeleteObject", "mb": "CreateBucket"}


def snake(name):
	"""boto3's method name for an operation name."""
	s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
	return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def python_calls(text, ops):
	"""(service, operation) pairs a Python module calls by name."""
	calls = set(CALL.findall(text))
	out = set()
	for svc in set(CLIENT.findall(text)):
		svc = ALIASES.get(svc, svc)
		for op in ops.get(svc, ()):
			if snake(op) in calls:
				out.add((svc, op))
	return out


def cli_calls(text, ops):
	"""(service, operation) pairs of the AWS CLI commands in a text."""
	out = set()
	for svc, cmd in CLI.findall(text):
		if svc == "s3":
			if cmd in S3_COMMANDS:
				out.add(("s3", S3_COMMANDS[cmd]))
			continue
		svc = CLI_SERVICES.get(svc, svc)
		for op in ops.get(svc, ()):
			if snake(op).replace("_", "-") == cmd:
				out.add((svc, op))
	return out


def atomic_calls(text, ops):
	"""(module, service, operation) triples of an Atomic Red Team file."""
	doc = yaml.safe_load(text)
	out = set()
	for i, test in enumerate(doc.get("atomic_tests") or (), 1):
		if "iaas:aws" not in test.get("supported_platforms", ()):
			continue
		cmd = (test.get("executor") or {}).get("command") or ""
		for svc, op in cli_calls(cmd, ops):
			out.add(("%s-%d" % (doc["attack_technique"], i), svc, op))
	return out


SQL_VALUES = r"\s*(?:=\s*'([^']*)'|IN\s*\(([^)]*)\))"
SQL_SOURCE = re.compile(r"\beventSource" + SQL_VALUES, re.I)
SQL_NAME = re.compile(r"\beventName" + SQL_VALUES, re.I)
SQL_TITLE = re.compile(r"^--\s*([0-9]+)\.", re.M)


def sql_values(regex, text):
	out = []
	for one, many in regex.findall(text):
		out += [one] if one else re.findall(r"'([^']*)'", many)
	return out


def athena_queries(text, stem):
	"""(module, sources, names) of each query of a file of Athena
	queries."""
	queries = []
	number = 0
	for stmt in text.split(";"):
		titles = SQL_TITLE.findall(stmt)
		number = int(titles[-1]) if titles else number
		body = "\n".join(l for l in stmt.splitlines()
		    if not l.lstrip().startswith("--"))
		queries.append(("%s-%d" % (stem, number),
		    sql_values(SQL_SOURCE, body), sql_values(SQL_NAME, body)))
	return queries


# event.provider or event.action, an operator of KQL, EQL or ES|QL, and
# one value or a parenthesized list.
ECS_FIELD = re.compile(r"(\bnot\s+)?\bevent\.(provider|action)\s*"
    r"(?::|==|\bin\b|\bIN\b|\blike\b)\s*(\([^)]*\)|\"[^\"]*\"|[A-Za-z0-9.*-]+)")


def elastic_queries(text, stem):
	"""(module, sources, names) of an Elastic detection rule."""
	doc = tomllib.loads(text)
	query = doc.get("rule", {}).get("query", "") or \
	    "\n".join(doc.get("hunt", {}).get("query", []))
	srcs, names = [], []
	for negated, field, value in ECS_FIELD.findall(query):
		if negated:
			continue
		vals = re.findall(r'"([^"]*)"', value) or \
		    [v for v in re.findall(r"[A-Za-z0-9.*-]+", value)
		    if v not in ("or", "and")]
		vals = [v for v in vals if "*" not in v]
		(srcs if field == "provider" else names).extend(vals)
	return [(stem, srcs, names)]


def positive_terms(regex, text):
	"""(field, value) of each term regex finds in text, but for the
	negated ones: regex has four groups, a negation, the field, the
	operator and the value."""
	return [(field, value) for negated, field, op, value in
	    regex.findall(text) if not negated and op != "!="]


# An action, application or event ID term of a Sumo Logic expression:
# negation, field, operator and one value or a parenthesized list.
SUMO_FIELD = re.compile(r"(\bNOT\s+|!)?(?:lower\()?\b(action|application|"
    r"metadata_deviceEventId)\)?\s*(!=|=|\bIN\b|\bin\b|\bmatches\b|"
    r"\bMATCHES\b|\bLIKE\b)\s*(\([^)]*\)|'[^']*'|\"[^\"]*\"|/[^/]*/)")
SUMO_EXPRESSIONS = ("match_expression", "expression", "filter_expression")


def pattern_names(pattern):
	"""The plain names a /regular expression/ alternates, with its case
	flag, groups and anchors taken off: /(?i:)(A|B)/ and /^A$|B/ stand
	for A and B; an alternative with more to it stands for none."""
	body = re.sub(r"^\(\?i:\)|[()^$]", "", pattern.strip("/"))
	return [v for v in body.split("|") if re.fullmatch(r"\w+", v)]


def sumo_values(value):
	"""The names a Sumo Logic value stands for."""
	if value.startswith("/"):
		return pattern_names(value)
	return re.findall(r"""['"]([^'"]*)['"]""", value)


def sumo_queries(text, stem):
	"""(module, sources, names) of each CloudTrail rule of Sumo Logic's
	catalogue."""
	queries = []
	for rid, rule in sorted(json.loads(text).items()):
		exprs = [rule.get(f) or "" for f in SUMO_EXPRESSIONS] + \
		    [e.get("expression", "") for e in
		    rule.get("expressions_and_limits") or ()]
		exprs = [e for e in exprs if "CloudTrail" in e]
		srcs, names = [], []
		for field, value in positive_terms(SUMO_FIELD,
		    "\n".join(exprs)):
			vals = sumo_values(value)
			if field == "application":
				srcs += [v.lower() for v in vals]
			elif field == "action":
				names += [v for v in vals if "%" not in v]
			else:
				names += [v.split("-", 1)[1] for v in vals
				    if v.startswith("AwsApiCall-")]
		if names:
			queries.append((rid, srcs, names))
	return queries


# A product_event_type or application term of a YARA-L rule: negation,
# field, operator and a quoted value or a regular expression.
YARAL_FIELD = re.compile(r"(\bnot\s+)?\$\w+\.(metadata\.product_event_type|"
    r"target\.application)\s*(!=|=)\s*(\"[^\"]*\"|/[^/]*/)")


def yaral_queries(text, stem):
	"""(module, sources, names) of a YARA-L rule."""
	srcs, names = [], []
	for field, value in positive_terms(YARAL_FIELD, text):
		vals = [value.strip('"')] if value.startswith('"') else \
		    pattern_names(value)
		(srcs if field == "target.application" else names).extend(vals)
	return [(stem, srcs, names)]


# An event name or source term of a Splunk search: negation, field,
# operator and one value or a parenthesized list.
SPL_FIELD = re.compile(r"(\bNOT\s+)?\b(eventName|api\.operation|eventSource)"
    r"\s*(!=|=|\bIN\b)\s*(\([^)]*\)|\"[^\"]*\"|[A-Za-z0-9.*_-]+)")


def spl_queries(text, stem):
	"""(module, sources, names) of a Splunk detection that reads
	CloudTrail."""
	if "cloudtrail" not in text.lower():
		return []
	search = (yaml.safe_load(text) or {}).get("search") or ""
	srcs, names = [], []
	for field, value in positive_terms(SPL_FIELD, search):
		vals = re.findall(r'"([^"]*)"', value) or \
		    re.findall(r"[A-Za-z0-9.*_-]+", value)
		vals = [v for v in vals if "*" not in v]
		(srcs if field == "eventSource" else names).extend(vals)
	return [(stem, srcs, names)] if names else []


def prowler_queries(text, stem):
	"""(module, sources, names) of each list of actions Prowler's
	threat detection checks count (threat_detection_KIND_actions in its
	configuration); the module is the kind."""
	queries = []
	for key, value in sorted(((yaml.safe_load(text) or {}).get("aws")
	    or {}).items()):
		m = re.fullmatch(r"threat_detection_(\w+)_actions", key)
		if m and value:
			queries.append((m.group(1), [], sorted(set(value))))
	return queries


def grappler_queries(text, stem):
	"""(module, sources, names) of CloudGrappler's AWS queries that name
	a call: a plain name, or one with a .* pattern after it; the module
	is the query's intelligence value (the threat actor or technique).
	Queries of user agents and addresses name no call; a user name
	spelled like one (Kontolz) is left out, as no service has it."""
	queries = []
	for q in json.loads(text):
		m = re.fullmatch(r"([A-Z][A-Za-z0-9]+)(?:\.\*.*)?", q["Query"])
		if q.get("Source") == "AWS" and m:
			queries.append((q["Intel"]["Value"], [], [m.group(1)]))
	return queries


# An event name or source term of a Tailpipe query's SQL: negation,
# field, operator and one quoted value or a parenthesized list.
TAILPIPE_FIELD = re.compile(r"(\bnot\s+)?\bevent_(name|source)\s*"
    r"(!=|=|\bin\b|\blike\b)\s*(\([^)]*\)|'[^']*')", re.I)
TAILPIPE_QUERY = re.compile(r'^query\s+"([^"]+)"\s*\{(.*?)^\}', re.M | re.S)


def tailpipe_queries(text, stem):
	"""(module, sources, names) of each query of a Tailpipe detection
	mod's file (HCL: query "NAME" { sql = ... }); the module is the
	query's name.  A name with a % pattern is left out."""
	queries = []
	for name, body in TAILPIPE_QUERY.findall(text):
		srcs, names = [], []
		for field, value in positive_terms(TAILPIPE_FIELD, body):
			vals = [v for v in re.findall(r"'([^']*)'", value)
			    if "%" not in v]
			(srcs if field == "source" else names).extend(vals)
		if names:
			queries.append((name, srcs, names))
	return queries


def leonidas_queries(text, stem):
	"""(module, sources, names) of a Leonidas test case definition for
	AWS: the eventName and eventSource attributes of its detection's
	CloudTrail sources (a source written *.svc.amazonaws.com is
	svc.amazonaws.com; a detection not yet written names "None"); the
	module is the definition's file name."""
	doc = yaml.safe_load(text) or {}
	if doc.get("platform") != "aws":
		return []
	queries = []
	for src in (doc.get("detection") or {}).get("sources") or []:
		attrs = (src or {}).get("attributes") or {}
		name, where = attrs.get("eventName"), attrs.get("eventSource")
		if isinstance(name, str) and name != "None":
			queries.append((stem, [where.lstrip("*.")]
			    if isinstance(where, str) else [], [name]))
	return queries


def resolve(queries, sources, by_context=False):
	"""(module, source, name) triples of queries, and the (module, name)
	pairs left out as ambiguous.  sources maps an operation to the event
	sources of the services whose model has it.  A source that ends in
	% stands for those that begin with the rest.  A name spelled in
	another case than a model's is taken in the model's; a lower-cased
	name no model has is left out as ambiguous.  A name given without a
	source takes the one of its sources that the queries name, or with
	by_context (for catalogues that name no source at all), the one that
	the names of its own module with a single source have."""
	named = {s for _, srcs, _ in queries for s in srcs}
	context = {}
	if by_context:
		for module, _, names in queries:
			context.setdefault(module, set()).update(
			    next(iter(sources[n])) for n in names
			    if len(sources.get(n, ())) == 1)
	spelled = {n.lower(): n for n in sources}
	out, unknown = set(), set()
	for module, srcs, names in queries:
		for name in names:
			if name not in sources and name.lower() in spelled:
				name = spelled[name.lower()]
			elif name.islower():
				unknown.add((module, name))
				continue
			have = sources.get(name, set())
			exact = {s for s in srcs if not s.endswith("%")}
			begun = {h for h in have for s in srcs
			    if s.endswith("%") and h.startswith(s[:-1])}
			if exact or begun:
				out |= {(module, src, name) for src in
				    (exact & have | begun or exact)}
				continue
			near = context.get(module, named)
			pick = have & near if len(have & near) == 1 else have
			if len(pick) == 1:
				out.add((module, next(iter(pick)), name))
			else:
				unknown.add((module, name))
	return out, unknown


GO_INPUT = re.compile(r"&([a-z0-9]+)\.([A-Z][A-Za-z0-9]*)Input\b")


def go_calls(text, ops):
	"""(service, operation) pairs of the inputs a Go file builds; the
	SDK's package is the service's name without its hyphens."""
	byname = {svc.replace("-", ""): svc for svc in ops}
	out = set()
	for pkg, op in GO_INPUT.findall(text):
		svc = byname.get(pkg)
		if svc and op in ops[svc]:
			out.add((svc, op))
	return out


def module_of(path, top):
	"""A file's module: its first component under top, without .py."""
	module = path[len(top):].strip("/").split("/")[0]
	return module[:-3] if module.endswith(".py") else module


def read_python(path, top, text, ops):
	return {(module_of(path, top),) + c for c in python_calls(text, ops)}


def read_cheat_sheet(path, top, text, ops):
	return {(module_of(path, top),) + c for c in cli_calls(text, ops)}


def read_atomics(path, top, text, ops):
	return atomic_calls(text, ops)


def read_page(path, top, text, ops):
	module = path[len(top):].strip("/")[:-len(".md")]
	return {(module,) + c for c in
	    cli_calls(text, ops) | python_calls(text, ops)}


def read_path(path, top, text, ops):
	"""The AWS CLI commands of the exploitation steps of a privilege
	escalation path (pathfinding.cloud's YAML); the module is its id."""
	doc = yaml.safe_load(text) or {}
	steps = (doc.get("exploitationSteps") or {}).get("awscli") or []
	cmds = "\n".join(str(s.get("command") or "") for s in steps
	    if isinstance(s, dict))
	return {(doc.get("id") or module_of(path, top),) + c
	    for c in cli_calls(cmds, ops)}


def read_go(path, top, text, ops):
	module = os.path.dirname(path[len(top):].strip("/"))
	return {(module,) + c for c in go_calls(text, ops)}


def read_go_file(path, top, text, ops):
	module = path[len(top):].strip("/")[:-len(".go")]
	return {(module,) + c for c in go_calls(text, ops)}


# The readers of code and commands, by option: which files they read and
# the (module, service, operation) triples they find.
CALL_READERS = {
	None: (r".*\.py", read_python),
	"--cheat-sheets": (r".*cheat.*\.md", read_cheat_sheet),
	"--atomics": (r"T[0-9.]+\.yaml", read_atomics),
	"--pages": (r".*\.md", read_page),
	"--go": (r"(?!.*_test\.go$).*\.go", read_go),
	"--go-files": (r"(?!.*_test\.go$).*\.go", read_go_file),
	"--paths": (r".*\.yaml", read_path),
}
# The readers of queries, by option: which files they read (the group is
# the module's stem) and the (module, sources, names) of their queries.
QUERY_READERS = {
	"--athena": (r"athena-queries-(.*)\.sql", athena_queries),
	"--elastic": (r"(.*)\.toml", elastic_queries),
	"--sumo": (r"(rules)\.json", sumo_queries),
	"--yaral": (r"(.*)\.yaral", yaral_queries),
	"--spl": (r"(.*)\.yml", spl_queries),
	"--prowler": (r"(config)\.yaml", prowler_queries),
	"--grappler": (r"(queries)\.json", grappler_queries),
	"--tailpipe": (r"(.*)\.pp", tailpipe_queries),
	"--leonidas": (r"(.*)\.yml", leonidas_queries),
}
# The readers of catalogues that name no event source: their names are
# resolved by the context of their module.
BY_CONTEXT = {"--prowler", "--grappler"}


def git(repo, *args):
	return subprocess.run(["git", "--git-dir", repo] + list(args),
	    check=True, capture_output=True, text=True).stdout


def main():
	modes = [m for m in CALL_READERS if m] + list(QUERY_READERS)
	if len(sys.argv) < 6:
		print("usage: attack_tool_calls.py BOTOCORE_DATA NAMES_TABLE "
		    "TOOL GIT_DIR [%s] DIR..." % " | ".join(modes),
		    file=sys.stderr)
		return 2
	data, table, tool, repo = sys.argv[1:5]
	_, models = load_models(data)
	ops = {svc: m.get("operations", {}) for svc, m in models.items()}
	extra, renamed, _, modelled = load_table(table, {}, ops)
	rename = {k: v[-1] for k, v in renamed.items()}

	def event_source(svc):
		meta = models[svc]["metadata"]
		return modelled.get(svc, meta.get("signingName",
		    meta["endpointPrefix"]) + ".amazonaws.com")

	# Each name, API's or CloudTrail's, with the event sources that log
	# it: for queries, which name events rather than calls.  A name no
	# model has takes the sources the table gives it.
	by_name = {}
	for svc in ops:
		src = event_source(svc)
		for op in ops[svc]:
			for n in (op, rename.get((src, op), op)):
				by_name.setdefault(n, set()).add(src)
	modelled_names = set(by_name)
	for src, names in extra.items():
		for n in names - modelled_names:
			by_name.setdefault(n, set()).add(src)

	tops = sys.argv[5:]
	mode = tops[0] if tops[0] in modes else None
	tops = tops[1:] if mode else tops
	rows = set()
	for top in tops:
		for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD",
		    top).split():
			name = os.path.basename(path)
			if mode in QUERY_READERS:
				pattern, read = QUERY_READERS[mode]
				m = re.fullmatch(pattern, name)
				if not m:
					continue
				found, unknown = resolve(read(git(repo, "show",
				    "HEAD:" + path), m.group(1)), by_name,
				    mode in BY_CONTEXT)
				for mod, n in sorted(unknown):
					print("%s: %s: %s: no one service has it" %
					    (path, mod, n), file=sys.stderr)
				rows |= found
				continue
			pattern, read = CALL_READERS[mode]
			if not re.fullmatch(pattern, name):
				continue
			text = git(repo, "show", "HEAD:" + path)
			for module, svc, op in read(path, top, text, ops):
				src = event_source(svc)
				rows.add((module, src, rename.get((src, op), op)))
	for module, src, op in sorted(rows):
		print("%s\t%s\t%s\t%s" % (tool, module, src, op))
	return 0


if __name__ == "__main__":
	sys.exit(main())
