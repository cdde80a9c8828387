#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Extract the recorded AWS management-console sessions of Permiso's
# Cloud Console Cartographer (Apache-2.0) from a snapshot of its
# repository, label each record by its action with the rule of
# extract_awsdocs.py (see MANIFEST, "LABELLING BY ACTION"), and write
#   data/permiso/SESSION.jsonl.gz    the records of one session
#   labels rows on stdout            part, file, index, eventID, label, theme
# One file per session, so that a correlation never spans two sessions.
# Demo/InputEvents.json repeats one of the sessions and is left out, and
# a record whose eventID an earlier session (in path order) already gave
# is left out too, so that no record is counted twice.
# The records are as the repository keeps them: eventTime, eventID,
# eventSource, eventName, requestParameters, responseElements, errorCode,
# errorMessage, userAgent, awsRegion (no userIdentity, no address).
#
# usage: tests/eval/extract_permiso.py MIRROR_DIR  (run from the top)

import gzip
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract_awsdocs import label  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = 'Permiso-io-tools+CloudConsoleCartographer'
COMMIT = '10156353fc3f693781bbfb93b923544ac2897deb'
PART = 'heldback'


def git(repo, *args):
    return subprocess.run(['git', '-C', repo] + list(args), check=True,
        stdout=subprocess.PIPE).stdout.decode('utf-8')


def main():
    repo = os.path.join(sys.argv[1], REPO, 'repo')
    outdir = os.path.join(HERE, 'data', 'permiso')
    os.makedirs(outdir, exist_ok=True)
    rows = []
    seen = set()
    paths = sorted(p for p in git(repo, 'ls-tree', '-r', '--name-only',
        COMMIT).split('\n') if p.startswith('Tests/Sessions/') and
        p.endswith('/InputEvents.json'))
    for path in paths:
        session = path.split('/')[2][:16]
        recs = []
        for r in json.loads(git(repo, 'show', '%s:%s' % (COMMIT, path))):
            if r.get('eventID') in seen:
                continue
            seen.add(r.get('eventID'))
            recs.append(r)
        name = 'data/permiso/%s.jsonl.gz' % session
        with gzip.GzipFile(os.path.join(HERE, name), 'wb', mtime=0) as f:
            for i, r in enumerate(recs):
                f.write((json.dumps(r, sort_keys=True) + '\n').encode())
                lab, theme = label(r)
                rows.append('%s\t%s\t%d\t%s\t%s\t%s' % (PART, name, i,
                    r.get('eventID') or '-', lab, theme))
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
