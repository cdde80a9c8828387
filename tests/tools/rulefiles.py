# The Sigma rule files under some directories, read for the checks of
# tests/tools (check_names.py, check_coverage.py).

import os

import yaml


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
