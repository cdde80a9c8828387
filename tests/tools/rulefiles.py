# The Sigma rule files under some directories, read for the checks and
# generators of tests/tools (check_names.py, check_coverage.py,
# gen_refused_rule.py), and what they share about a rule's selections.

import os
import re

import yaml

# CloudTrail's versioned names of some operations: CreateFunction20150331,
# UpdateFunctionConfiguration20150331v2.
VERSIONED = re.compile(r"^(.*?)20[0-9]{6}(v[0-9]+)?$")


def read_rules(dirs):
	"""The .yml and .yaml files under dirs, sorted, and the (path, doc)
	pairs of the mappings they hold.  Raises ValueError naming the file
	that cannot be read or parsed."""
	files = []
	for d in dirs:
		for root, _, names in os.walk(d):
			files += [os.path.join(root, n) for n in names
			    if n.endswith((".yml", ".yaml"))]
	files.sort()
	docs = []
	for path in files:
		try:
			with open(path, encoding="utf-8") as f:
				docs += [(path, d) for d in yaml.safe_load_all(f)
				    if isinstance(d, dict)]
		except (OSError, yaml.YAMLError) as e:
			raise ValueError("%s: %s" % (path, e)) from e
	return files, docs


def selections(det):
	"""The maps of a detection's selections: not the condition, not the
	filter_* ones, which name what the rule leaves out; a list selection
	gives each of its maps."""
	return [m for key, sel in det.items()
	    if key != "condition" and not key.startswith("filter")
	    for m in (sel if isinstance(sel, list) else [sel])
	    if isinstance(m, dict)]
