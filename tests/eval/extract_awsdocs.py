#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Extract AWS's documented example CloudTrail records from snapshots of
# awsdocs service-guide repositories (CC BY-SA 4.0), label each by its
# action (see MANIFEST, "LABELLING BY ACTION"), and write
#   data/awsdocs/GUIDE.jsonl.gz      the records, one per line
#   awsdocs-pages.tsv                file, index, repository, commit, page
#   labels rows on stdout            part, file, index, eventID, label, theme
# The guides were archived with doc_source/ deleted in their last commit,
# so the pages are read from the parent of the commit that deleted it.
#
# usage: tests/eval/extract_awsdocs.py MIRROR_DIR  (run from the top)

import gzip
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Decided before any measurement; whole guides, never split.
HELDBACK = {
    'amazon-rds-user-guide', 'amazon-s3-userguide', 'iam-user-guide',
    'aws-kms-developer-guide', 'amazon-vpc-user-guide',
    'aws-security-hub-user-guide', 'aws-config-developer-guide',
    'aws-lambda-developer-guide', 'aws-secrets-manager-docs',
    'amazon-sns-developer-guide', 'aws-organizations-docs',
    'amazon-efs-user-guide', 'amazon-ec2-user-guide',
    'aws-single-sign-on-user-guide',
}

# eventName -> theme for actions labelled malicious whatever their
# parameters (issue 10 point 1 and the product brief: deletion of data
# or backups, logging or security tooling switched off or narrowed,
# public or cross-account sharing, policies granting access, credential
# creation, public addresses, security-group openings, KMS disable or
# delete).
RISKY = {
    'rds': ['DeleteDBInstance', 'DeleteDBCluster', 'DeleteDBSnapshot',
        'DeleteDBClusterSnapshot', 'DeleteDBInstanceAutomatedBackup',
        'DeleteDBClusterAutomatedBackup', 'ModifyDBSnapshotAttribute',
        'ModifyDBClusterSnapshotAttribute', 'StartExportTask',
        'CopyDBSnapshot', 'CopyDBClusterSnapshot',
        'DownloadDBLogFilePortion', 'DownloadCompleteDBLogFile',
        'AddRoleToDBInstance', 'AddRoleToDBCluster', 'DeleteGlobalCluster'],
    's3': ['DeleteBucket', 'DeleteBucketEncryption',
        'DeleteBucketReplication', 'DeleteBucketPublicAccessBlock',
        'PutBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock',
        'PutAccountPublicAccessBlock', 'PutBucketLifecycle',
        'PutBucketLifecycleConfiguration', 'PutBucketAcl', 'PutObjectAcl',
        'DeleteObjects', 'PutBucketVersioning', 'DeleteVault',
        'DeleteArchive'],
    'resource-policy': ['PutBucketPolicy', 'DeleteBucketPolicy',
        'PutKeyPolicy', 'SetTopicAttributes', 'SetQueueAttributes',
        'AddPermission', 'PutResourcePolicy', 'SetRepositoryPolicy',
        'AddLayerVersionPermission', 'PutFileSystemPolicy',
        'SetVaultAccessPolicy', 'PutAccessPointPolicy',
        'ModifyDocumentPermission', 'CreateResourceShare', 'CreateGrant',
        'UpdateElasticsearchDomainConfig', 'UpdateDomainConfig',
        'PutBackupVaultAccessPolicy', 'PutRegistryPolicy'],
    'logging/security-tooling': ['StopLogging', 'DeleteTrail',
        'UpdateTrail', 'PutEventSelectors', 'DeleteFlowLogs',
        'DeleteDetector', 'UpdateDetector', 'DisassociateFromMasterAccount',
        'DisassociateFromAdministratorAccount', 'DeleteMembers',
        'DisassociateMembers', 'StopMonitoringMembers', 'CreateFilter',
        'CreateIPSet', 'DisableSecurityHub', 'BatchDisableStandards',
        'DisableImportFindingsForProduct', 'UpdateStandardsControl',
        'StopConfigurationRecorder', 'DeleteConfigurationRecorder',
        'DeleteDeliveryChannel', 'DeleteConfigRule',
        'DeleteConformancePack', 'DeleteWebACL', 'DisassociateWebACL',
        'DeleteLoggingConfiguration', 'DeleteLogGroup', 'DeleteLogStream',
        'DeleteRuleGroup', 'DisableOrganizationAdminAccount',
        'DeleteRetentionConfiguration', 'DeleteAggregationAuthorization',
        'UpdateProjectVisibility', 'PutRetentionPolicy'],
    'ec2-vpc': ['AuthorizeSecurityGroupIngress',
        'AuthorizeSecurityGroupEgress', 'AllocateAddress',
        'AssociateAddress', 'ModifySubnetAttribute',
        'AttachInternetGateway', 'CreateVpcPeeringConnection',
        'AcceptVpcPeeringConnection', 'ModifyImageAttribute',
        'ModifySnapshotAttribute', 'DeleteSnapshot', 'DeleteVolume',
        'TerminateInstances', 'DisableEbsEncryptionByDefault',
        'CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget',
        'ModifyInstanceAttribute', 'EnableSerialConsoleAccess',
        'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry',
        'DeleteNetworkAclEntry', 'CreateImage'],
    'identity': ['CreateUser', 'CreateAccessKey', 'CreateLoginProfile',
        'UpdateLoginProfile', 'AttachUserPolicy', 'AttachRolePolicy',
        'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy',
        'PutGroupPolicy', 'AddUserToGroup', 'UpdateAssumeRolePolicy',
        'CreateSAMLProvider', 'UpdateSAMLProvider',
        'CreateOpenIDConnectProvider', 'UpdateOpenIDConnectProviderThumbprint',
        'CreatePolicyVersion', 'SetDefaultPolicyVersion',
        'DeactivateMFADevice', 'DeleteVirtualMFADevice', 'ChangePassword',
        'PasswordUpdated', 'PasswordRecoveryRequested', 'GetSigninToken',
        'CreateAccountAssignment', 'AttachManagedPolicyToPermissionSet',
        'PutInlinePolicyToPermissionSet', 'CreatePermissionSet',
        'ProvisionPermissionSet', 'CreateToken', 'UpdateAccessKey',
        'CreateServiceSpecificCredential', 'UploadSSHPublicKey'],
    'lambda-ecr-ecs': ['UpdateFunctionCode', 'DeleteFunction',
        'PublishLayerVersion', 'PutImage', 'DeleteRepository',
        'BatchDeleteImage'],
    'other': ['DisableKey', 'ScheduleKeyDeletion', 'DeleteSecret',
        'DeleteFileSystem', 'DeleteMountTarget', 'DeleteDomain',
        'DeleteElasticsearchDomain', 'LeaveOrganization',
        'DetachPolicy', 'DeletePolicy', 'DeleteOrganization',
        'RemoveAccountFromOrganization', 'DisablePolicyType',
        'DeleteImportedKeyMaterial', 'DeleteBackupVault',
        'DeleteRecoveryPoint', 'PutSecretValue', 'RestoreSecret',
        'CancelKeyDeletion'],
}
THEME = {e: t for t, es in RISKY.items() for e in es}


def label(rec):
    """Label a record by its action alone: (label, theme)."""
    name = rec.get('eventName', '')
    src = rec.get('eventSource', '')
    theme = THEME.get(name)
    # same names, other meanings
    if name in ('PutSecretValue', 'RestoreSecret', 'CancelKeyDeletion'):
        theme = None
    if name in ('DeletePolicy', 'DetachPolicy') and \
            not src.startswith('organizations'):
        theme = None
    if name == 'CreateToken' and not src.startswith('sso'):
        theme = None
    if name == 'ModifyInstanceAttribute' and 'userData' not in \
            json.dumps(rec.get('requestParameters') or {}):
        theme = None
    if name == 'ModifyDBInstance' or name == 'ModifyDBCluster':
        rp = rec.get('requestParameters') or {}
        if rp.get('publiclyAccessible') is True:
            theme = 'rds'
        elif rp.get('masterUserPassword') is not None:
            theme = 'rds'
    if name == 'RestoreDBInstanceFromDBSnapshot' and \
            (rec.get('requestParameters') or {}).get('publiclyAccessible'):
        theme = 'rds'
    if name == 'CreateFunctionUrlConfig' and \
            (rec.get('requestParameters') or {}).get('authType') == 'NONE':
        theme = 'lambda-ecr-ecs'
    if name == 'RegisterTaskDefinition' and re.search(
            r'"privileged": true|"networkMode": "host"',
            json.dumps(rec.get('requestParameters') or {})):
        theme = 'lambda-ecr-ecs'
    return ('malicious', theme) if theme else ('benign', '-')


def git(repo, *args):
    return subprocess.run(['git', '-C', repo] + list(args), check=True,
        stdout=subprocess.PIPE).stdout.decode('utf-8', 'replace')


def records(doc):
    """The CloudTrail records of a JSON example."""
    if isinstance(doc, list):
        for d in doc:
            yield from records(d)
        return
    if not isinstance(doc, dict):
        return
    if isinstance(doc.get('Records'), list):
        yield from records(doc['Records'])
    elif isinstance(doc.get('eventSource'), str) and \
            isinstance(doc.get('eventName'), str):
        yield doc
    elif isinstance(doc.get('detail'), dict):
        yield from records(doc['detail'])


FENCE = re.compile(r'^```[^\n]*\n(.*?)^```', re.S | re.M)


def main():
    mirror = sys.argv[1]
    outdir = os.path.join(HERE, 'data', 'awsdocs')
    os.makedirs(outdir, exist_ok=True)
    pages = ['file\tindex\trepository\tcommit\tpage']
    rows = []
    for d in sorted(os.listdir(mirror)):
        if not d.startswith('awsdocs+') or d == \
                'awsdocs+aws-cloudtrail-user-guide':
            continue
        guide = d[len('awsdocs+'):]
        repo = os.path.join(mirror, d, 'repo')
        dele = git(repo, 'log', '--format=%H', '-n1', '--diff-filter=D',
            '--', 'doc_source').strip()
        commit = git(repo, 'rev-parse', (dele + '^') if dele else
            'HEAD').strip()
        recs = []
        hits = subprocess.run(['git', '-C', repo, 'grep', '-l',
            'eventSource', commit, '--', 'doc_source'],
            stdout=subprocess.PIPE).stdout.decode()
        for path in sorted(l.split(':', 1)[1] for l in hits.split('\n')
                if l):
            if not path.endswith('.md'):
                continue
            text = git(repo, 'show', '%s:%s' % (commit, path))
            for m in FENCE.finditer(text):
                try:
                    doc = json.loads(m.group(1))
                except ValueError:
                    continue
                for r in records(doc):
                    recs.append((r, path))
        if not recs:
            continue
        name = 'data/awsdocs/%s.jsonl.gz' % guide
        part = 'heldback' if guide in HELDBACK else 'development'
        with gzip.GzipFile(os.path.join(HERE, name), 'wb', mtime=0) as f:
            for i, (r, path) in enumerate(recs):
                f.write((json.dumps(r, sort_keys=True) + '\n').encode())
                pages.append('%s\t%d\tawsdocs/%s\t%s\t%s' % (name, i, guide,
                    commit, path))
                lab, theme = label(r)
                rows.append('%s\t%s\t%d\t%s\t%s\t%s' % (part, name, i,
                    r.get('eventID') or '-', lab, theme))
    with open(os.path.join(HERE, 'awsdocs-pages.tsv'), 'w') as f:
        f.write('\n'.join(pages) + '\n')
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
