#!/usr/bin/env python3
# List the AWS calls an attack tool's modules make, as CloudTrail names
# them, to draw the rows of tests/attack-tools.tsv from.  The tool is
# Pacu (a git directory of its source): each module's Python files are
# read for the boto3 clients they open and the client methods they call
# by name; a method is a call when the service's botocore model has the
# operation.  Calls made through getattr() or helper modules are not
# seen.  eventSource is the service's signing name (CloudTrail's host
# name), or the 'model' line of tests/cloudtrail-names.tsv; eventName
# the operation, or its 'rename' line.
#
# usage: attack_tool_calls.py PACU_GIT_DIR BOTOCORE_DATA NAMES_TABLE
#
# Prints "pacu MODULE EVENTSOURCE EVENTNAME" lines, tab-separated,
# sorted.  The verdicts of the table are not drawn from the code: they
# are ours, and are added by hand.

import glob
import json
import os
import re
import subprocess
import sys

CLIENT = re.compile(r"""(?:get_boto3_client|get_boto3_resource|client|"""
    r"""resource)\(\s*['"]([a-z0-9-]+)['"]""")
CALL = re.compile(r"\.([a-z][a-z0-9_]+)\(")


def snake(name):
	"""boto3's method name for an operation name."""
	s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
	return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def git(repo, *args):
	return subprocess.run(["git", "--git-dir", repo] + list(args),
	    check=True, capture_output=True, text=True).stdout


def main():
	if len(sys.argv) != 4:
		print("usage: attack_tool_calls.py PACU_GIT_DIR BOTOCORE_DATA "
		    "NAMES_TABLE", file=sys.stderr)
		return 2
	repo, data, table = sys.argv[1:]
	models = {}
	for path in glob.glob(os.path.join(data, "*", "*", "service-2.json")):
		svc = path.split(os.sep)[-3]
		with open(path, encoding="utf-8") as f:
			m = json.load(f)
		# The newest API version of a service wins.
		if svc not in models or path > models[svc][0]:
			models[svc] = (path, m)
	source, rename = {}, {}
	with open(table, encoding="utf-8") as f:
		for line in f:
			col = line.rstrip("\n").split("\t")
			if col[0] == "model":
				source[col[2]] = col[1]
			elif col[0] == "rename":
				api, _, logged = col[2].partition("=")
				rename[(col[1], api)] = logged
	rows = set()
	for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD",
	    "pacu/modules").split():
		if not path.endswith(".py"):
			continue
		module = path.split("/")[2]
		text = git(repo, "show", "HEAD:" + path)
		calls = set(CALL.findall(text))
		for svc in set(CLIENT.findall(text)):
			if svc not in models:
				continue
			m = models[svc][1]
			meta = m["metadata"]
			src = source.get(svc, meta.get("signingName",
			    meta["endpointPrefix"]) + ".amazonaws.com")
			for op in m["operations"]:
				if snake(op) in calls:
					rows.add((module, src,
					    rename.get((src, op), op)))
	for module, src, op in sorted(rows):
		print("pacu\t%s\t%s\t%s" % (module, src, op))
	return 0


if __name__ == "__main__":
	sys.exit(main())
