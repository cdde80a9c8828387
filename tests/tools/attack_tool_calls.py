#!/usr/bin/env python3
# List the AWS calls an attack tool makes, as CloudTrail names them, to
# draw rows of tests/attack-tools.tsv from.  The tool's Python source is
# read from a git directory: under each given directory, each module (a
# subdirectory, or a .py file) is read for the boto3 clients it opens
# (client("svc"), or service = "svc" as Endgame names them) and the
# client methods it calls by name; a method is a call when the service's
# botocore model has the operation.  Calls made through getattr(), a
# paginator or helper modules are not seen.  eventSource is the service's
# signing name (CloudTrail's host name), or the 'model' line of
# tests/cloudtrail-names.tsv; eventName the operation, or its 'rename'
# line.
#
# usage: attack_tool_calls.py BOTOCORE_DATA NAMES_TABLE TOOL GIT_DIR DIR...
#
#	attack_tool_calls.py ... pacu PACU.git pacu/modules
#	attack_tool_calls.py ... endgame ENDGAME.git \
#	    endgame/exposure_via_resource_policies \
#	    endgame/exposure_via_sharing_apis
#
# Prints "TOOL MODULE EVENTSOURCE EVENTNAME" lines, tab-separated,
# sorted.  The verdicts of the table are not drawn from the code: they
# are ours, and are added by hand.

import glob
import json
import os
import re
import subprocess
import sys

CLIENT = re.compile(r"""(?:(?:get_boto3_client|get_boto3_resource|client|"""
    r"""resource)\(\s*|\bservice\s*=\s*)['"]([a-z0-9-]+)['"]""")
# Services named as IAM names them, for the botocore model that has the
# calls.
ALIASES = {"elasticfilesystem": "efs", "ebs": "ec2", "ec2-ami": "ec2"}
CALL = re.compile(r"\.([a-z][a-z0-9_]+)\(")


def snake(name):
	"""boto3's method name for an operation name."""
	s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
	return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def git(repo, *args):
	return subprocess.run(["git", "--git-dir", repo] + list(args),
	    check=True, capture_output=True, text=True).stdout


def main():
	if len(sys.argv) < 6:
		print("usage: attack_tool_calls.py BOTOCORE_DATA NAMES_TABLE "
		    "TOOL GIT_DIR DIR...", file=sys.stderr)
		return 2
	data, table, tool, repo = sys.argv[1:5]
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
	for top in sys.argv[5:]:
		for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD",
		    top).split():
			if not path.endswith(".py"):
				continue
			module = path[len(top):].strip("/").split("/")[0]
			module = module[:-3] if module.endswith(".py") else module
			text = git(repo, "show", "HEAD:" + path)
			calls = set(CALL.findall(text))
			for svc in set(CLIENT.findall(text)):
				svc = ALIASES.get(svc, svc)
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
		print("%s\t%s\t%s\t%s" % (tool, module, src, op))
	return 0


if __name__ == "__main__":
	sys.exit(main())
