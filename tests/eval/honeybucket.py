#!/usr/bin/env python3
# Rebuild CloudTrail's file form {"Records": [...]} from OTRF's
# AWS_S3_HoneyBucketLogs.csv, a column export of CloudTrail S3 records.
# Only columns the export kept become fields; eventSource is S3 for every
# row (HeadBucket, ListObjects, PutObject). Rows keep their order.
import ast, csv, gzip, json, sys

rows = csv.DictReader(open(sys.argv[1], newline=''))
recs = []
for r in rows:
    recs.append({
        'userIdentity': ast.literal_eval(r['User ID']),
        'eventTime': r['Event DateTime'],
        'eventSource': 's3.amazonaws.com',
        'eventName': r['Event Name'],
        'sourceIPAddress': r['Source IP'],
        'userAgent': r['Request User Agent'],
        'requestParameters': ast.literal_eval(r['Request Parameters']),
        'requestID': r['Request ID'],
        'eventID': r['Event ID'],
        'eventType': r['Event Type'],
    })
with gzip.GzipFile(sys.argv[2], 'wb', mtime=0) as f:
    f.write(json.dumps({'Records': recs}, indent=None).encode())
