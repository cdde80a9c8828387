#!/usr/bin/env python3
"""Check the level policy's rule for AWS's own callers.

usage: check_service_filter.py EXEMPT.tsv RULEDIR

The man page (The bundled rules) says that calls made by a service-linked
role (a session of a role under /aws-service-role/) or by an AWS service
itself (userIdentity.type AWSService) are left out of every medium, high
and critical rule.  Each such rule of RULEDIR (correlation rules, which
group what their base rules matched, aside) must therefore have a search
identifier that names both, negated in its condition, or be listed in
EXEMPT.tsv with the reason it needs none (a finding rather than a call, a
selection that names the caller).  An exemption that no longer applies is
an error too, so that the table cannot go stale.  Prints one line per
problem on stderr and exits 1 if there is any.
"""
import os
import re
import sys

import yaml

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


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_service_filter.py EXEMPT.tsv RULEDIR")
    table, ruledir = sys.argv[1:]
    exempt = {}
    with open(table) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[1].strip():
                sys.exit("%s:%d: want RULE and a reason, tab-separated"
                         % (table, n))
            exempt[parts[0]] = n
    bad = 0
    seen = set()
    for root, dirs, files in os.walk(ruledir):
        dirs.sort()
        for fn in sorted(files):
            if not fn.endswith(".yml"):
                continue
            path = os.path.join(root, fn)
            rel = os.path.relpath(path, os.path.dirname(ruledir.rstrip("/")))
            with open(path) as f:
                docs = [d for d in yaml.safe_load_all(f) if d]
            for d in docs:
                det = d.get("detection")
                if det is None or d.get("level") not in LEVELS:
                    continue
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
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
