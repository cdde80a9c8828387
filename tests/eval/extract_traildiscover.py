#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Extract the recorded CloudTrail events of TrailDiscover (CC BY 4.0), a
# catalogue of the AWS API calls that attackers used or may use, each
# with its MITRE ATT&CK tactics and one or more CloudTrail records of the
# call made by the catalogue's author (events/SERVICE/NAME.json.cloudtrail,
# beside the description events/SERVICE/NAME.json), and write
#   data/traildiscover/SERVICE.jsonl.gz   the records of one service
#   labels rows on stdout                 part, file, index, eventID,
#                                         label, theme
# Every record is labelled malicious: the catalogue lists the call as an
# attack technique.  The theme comes from the description's tactics and
# the record's eventSource and eventName by the rule in theme() below,
# fixed before ctaudit was run on any of it (see MANIFEST).  A record
# whose eventID an earlier file (in path order) already gave is left out,
# and so is a record file with no description beside it (two files).
#
# usage: tests/eval/extract_traildiscover.py MIRROR_DIR  (run from the top)

import gzip
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = 'adanalvarez+TrailDiscover'
COMMIT = 'f96cbdb0591f78d16b1948e84c211becce6258e6'
PART = 'heldback'

SOURCE_THEME = {
    'rds.amazonaws.com': 'rds',
    's3.amazonaws.com': 's3',
    'iam.amazonaws.com': 'identity',
    'sts.amazonaws.com': 'identity',
    'signin.amazonaws.com': 'identity',
    'sso.amazonaws.com': 'identity',
    'identitystore.amazonaws.com': 'identity',
    'cognito-identity.amazonaws.com': 'identity',
    'cognito-idp.amazonaws.com': 'identity',
    'ec2.amazonaws.com': 'ec2-vpc',
    'lambda.amazonaws.com': 'lambda-ecr-ecs',
    'ecr.amazonaws.com': 'lambda-ecr-ecs',
    'ecs.amazonaws.com': 'lambda-ecr-ecs',
    'eks.amazonaws.com': 'lambda-ecr-ecs',
    'cloudtrail.amazonaws.com': 'logging/security-tooling',
    'guardduty.amazonaws.com': 'logging/security-tooling',
    'config.amazonaws.com': 'logging/security-tooling',
    'securityhub.amazonaws.com': 'logging/security-tooling',
    'logs.amazonaws.com': 'logging/security-tooling',
    'monitoring.amazonaws.com': 'logging/security-tooling',
    'wafv2.amazonaws.com': 'logging/security-tooling',
}


def theme(meta, rec):
    """Discovery calls are recon; a policy, permission or grant call
    outside IAM is resource-policy; otherwise by service."""
    if any(t.startswith('TA0007') for t in meta.get('mitreAttackTactics',
            [])):
        return 'recon'
    src = rec.get('eventSource') or ''
    name = rec.get('eventName') or ''
    if src != 'iam.amazonaws.com' and any(w in name for w in
            ('Policy', 'Permission', 'Grant')):
        return 'resource-policy'
    return SOURCE_THEME.get(src, 'other')


def git(repo, *args):
    return subprocess.run(['git', '-C', repo] + list(args), check=True,
        stdout=subprocess.PIPE).stdout.decode('utf-8')


def main():
    repo = os.path.join(sys.argv[1], REPO, 'repo')
    outdir = os.path.join(HERE, 'data', 'traildiscover')
    os.makedirs(outdir, exist_ok=True)
    paths = sorted(p for p in git(repo, 'ls-tree', '-r', '--name-only',
        COMMIT).split('\n') if p.startswith('events/') and
        p.endswith('.json.cloudtrail'))
    byservice = {}
    seen = set()
    described = set(p for p in git(repo, 'ls-tree', '-r', '--name-only',
        COMMIT).split('\n') if p.endswith('.json'))
    for path in paths:
        if path[:-len('.cloudtrail')] not in described:
            continue
        meta = json.loads(git(repo, 'show', '%s:%s' % (COMMIT,
            path[:-len('.cloudtrail')])))
        recs = json.loads(git(repo, 'show', '%s:%s' % (COMMIT, path)))
        if isinstance(recs, dict):
            recs = recs.get('Records', [recs])
        for r in recs:
            if r.get('eventID') in seen:
                continue
            seen.add(r.get('eventID'))
            byservice.setdefault(path.split('/')[1], []).append(
                (r, theme(meta, r)))
    rows = []
    for service in sorted(byservice):
        name = 'data/traildiscover/%s.jsonl.gz' % service
        with gzip.GzipFile(os.path.join(HERE, name), 'wb', mtime=0) as f:
            for i, (r, th) in enumerate(byservice[service]):
                f.write((json.dumps(r, sort_keys=True) + '\n').encode())
                rows.append('%s\t%s\t%d\t%s\tmalicious\t%s' % (PART, name,
                    i, r.get('eventID') or '-', th))
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
