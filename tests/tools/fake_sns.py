#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback Amazon SNS endpoint (the Query API) for tests/sns.sh.

Run with Debian's /usr/bin/python3 (botocore verifies SigV4).  Serves on
127.0.0.1, a free port written to --port-file, until killed.

  POST /   Publish and PublishBatch, form-encoded.  Every request's
           signature is verified with verify() from sigv4_botocore.py
           against --key AKID=SECRET (and --token, which must come as
           X-Amz-Security-Token); its scope must be --region and "sns".
           The request is then checked as SNS checks it: a subject of
           fewer than 100 characters without control characters,
           MessageStructure json with a string "default", 256 KiB per
           message (attributes and subject counted) and per batch, at
           most ten entries with unique ids, MessageGroupId and
           MessageDeduplicationId on a FIFO topic (".fifo") and never on
           another.  Answers are XML as SNS sends them, errors as an
           ErrorResponse.  A FIFO topic drops a message whose
           deduplication id it has seen (and says it was sent).

Faults come from the JSON object in --ctl, read at each request, its
counters restarting whenever the file changes:
  {"throttle": N}   the first N requests: 400 Throttling
  {"error500": N}   the first N requests: 500 InternalError
  {"slow": S}       every request waits S seconds before answering
  {"deny": true}    403 AuthorizationError
  {"fail": {"m2": N}}     PublishBatch entry m2 Failed (InternalError,
                          SenderFault false) the first N times
  {"reject": ["m3"]}      entry m3 Failed for good (SenderFault true)

Each request is appended to --log as one JSON object: the action, the
HTTP status, the signature check, and each entry with its parameters and
what became of it ("sent", "failed", "duplicate").  --raw gets every
request as received, headers and body, for a grep for secrets.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402

NS = "http://sns.amazonaws.com/doc/2010-03-31/"
LIMIT = 262144


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.ctlfile = stubserver.Control(args.ctl)
        self.counts = {}
        self.dedup = set()
        self.requests = 0

    def control(self):
        ctl, changed = self.ctlfile.read()
        if changed:
            self.counts = {}
        return ctl

    def bump(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    def log(self, obj):
        with open(self.args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(obj, sort_keys=True) + "\n")


def error(code, message, kind="Sender"):
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n'
            '  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (NS, kind, code, message, uuid.uuid4()))


def entry_params(form, prefix):
    """The parameters of one message, attributes gathered in a dict."""
    e = {"attributes": {}}
    attrs = {}
    for key, value in form.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):]
        if name.startswith("MessageAttributes.entry."):
            num, _, field = name[len("MessageAttributes.entry."):] \
                .partition(".")
            attrs.setdefault(int(num), {})[field] = value
        else:
            e[name] = value
    for num in sorted(attrs):
        a = attrs[num]
        e["attributes"][a.get("Name")] = [a.get("Value.DataType"),
                                          a.get("Value.StringValue")]
    return e


def check_entry(e, fifo):
    """SNS's own checks of one message: None, or the complaint."""
    subject = e.get("Subject")
    if subject is not None:
        if len(subject) >= 100:
            return "Subject must be less than 100 characters"
        if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in subject):
            return "Subject contains control characters"
    msg = e.get("Message")
    if msg is None:
        return "Message is required"
    if e.get("MessageStructure") == "json":
        try:
            doc = json.loads(msg)
        except ValueError:
            return "Message Structure - JSON message body failed to parse"
        if not isinstance(doc.get("default"), str) or \
                not all(isinstance(v, str) for v in doc.values()):
            return "Message Structure - No default entry in JSON message"
    size = len(msg.encode()) + len((subject or "").encode())
    for name, (dtype, value) in e["attributes"].items():
        if not value:
            return "Message attribute %s has no value" % name
        size += len(name.encode()) + len(dtype.encode()) + \
            len(value.encode())
    if size > LIMIT:
        return "Message too long"
    if fifo and not e.get("MessageGroupId"):
        return "The MessageGroupId parameter is required for FIFO topics"
    if not fifo and ("MessageGroupId" in e or
                     "MessageDeduplicationId" in e):
        return "MessageGroupId is only for FIFO topics"
    return None


class Handler(stubserver.Handler):
    ctype = "text/xml"

    def reply(self, status, body, ctype=None, headers=()):
        super().reply(status, body, ctype, [("x-amzn-RequestId",
                                             str(uuid.uuid4()))])

    def do_POST(self):
        st = self.server.state
        body = self.body()
        with st.lock:
            self.handle_post(st, body)

    def handle_post(self, st, body):
        import sigv4_botocore
        args = st.args
        st.requests += 1
        with open(args.raw, "ab") as f:
            f.write(("%s %s\n" % (self.command, self.path)).encode())
            for name, value in self.headers.items():
                f.write(("%s: %s\n" % (name, value)).encode())
            f.write(b"\n" + body + b"\n\n")
        ctl = st.control()
        rec = {"n": st.requests}
        form = {k: v[0] for k, v in
                parse_qs(body.decode("utf-8"), keep_blank_values=True,
                         strict_parsing=False).items()}
        rec["action"] = form.get("Action")

        url = "http://%s%s" % (self.headers["Host"], self.path)
        akid, secret = args.key.split("=", 1)
        ok = sigv4_botocore.verify("POST", url, list(self.headers.items()),
                                   body, (akid, secret, args.token))[0]
        scope = self.headers.get("Authorization", "") \
            .partition("Credential=")[2].partition(",")[0].split("/")
        if ok and (len(scope) != 5 or scope[2] != args.region or
                   scope[3] != "sns"):
            ok = False
        if args.token and \
                self.headers.get("X-Amz-Security-Token") != args.token:
            ok = False
        if self.headers.get("Content-Type", "").split(";")[0] != \
                "application/x-www-form-urlencoded":
            ok = False
        rec["signature"] = "ok" if ok else "refused"
        if not ok:
            return self.finish_log(st, rec, 403, error(
                "SignatureDoesNotMatch", "The request signature we "
                "calculated does not match the signature you provided."))
        if ctl.get("slow"):
            time.sleep(float(ctl["slow"]))
        if ctl.get("deny"):
            return self.finish_log(st, rec, 403, error(
                "AuthorizationError", "User: arn:aws:iam::111122223333:"
                "user/auditor is not authorized to perform: SNS:Publish "
                "on resource: %s" % form.get("TopicArn")))
        if st.bump("throttle") <= ctl.get("throttle", 0):
            return self.finish_log(st, rec, 400, error(
                "Throttling", "Rate exceeded"))
        if st.bump("error500") <= ctl.get("error500", 0):
            return self.finish_log(st, rec, 500, error(
                "InternalError", "An internal service error has occurred.",
                "Receiver"))
        if form.get("Version") != "2010-03-31":
            return self.finish_log(st, rec, 400, error(
                "InvalidParameter", "Version"))
        topic = form.get("TopicArn", "")
        if topic not in args.topic:
            return self.finish_log(st, rec, 404, error(
                "NotFound", "Topic does not exist"))
        fifo = topic.endswith(".fifo")
        if rec["action"] == "Publish":
            return self.publish(st, rec, form, fifo)
        if rec["action"] == "PublishBatch":
            return self.publish_batch(st, rec, form, fifo, ctl)
        return self.finish_log(st, rec, 400, error(
            "InvalidAction", "no such action"))

    def deliver(self, st, e, fifo):
        if fifo:
            key = e.get("MessageDeduplicationId")
            if key in st.dedup:
                return "duplicate"
            st.dedup.add(key)
        return "sent"

    def publish(self, st, rec, form, fifo):
        e = entry_params(form, "")
        rec["entries"] = [e]
        why = check_entry(e, fifo)
        if why is not None:
            e["result"] = "invalid"
            return self.finish_log(st, rec, 400, error(
                "InvalidParameter", "Invalid parameter: " + why))
        e["result"] = self.deliver(st, e, fifo)
        return self.finish_log(st, rec, 200, (
            '<PublishResponse xmlns="%s">\n  <PublishResult>\n'
            '    <MessageId>%s</MessageId>\n  </PublishResult>\n'
            '  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
            '  </ResponseMetadata>\n</PublishResponse>\n'
            % (NS, uuid.uuid4(), uuid.uuid4())))

    def publish_batch(self, st, rec, form, fifo, ctl):
        prefix = "PublishBatchRequestEntries.member."
        nums = sorted({int(k[len(prefix):].partition(".")[0])
                       for k in form if k.startswith(prefix)})
        entries = [entry_params(form, "%s%d." % (prefix, i)) for i in nums]
        rec["entries"] = entries
        if len(entries) > 10:
            return self.finish_log(st, rec, 400, error(
                "TooManyEntriesInBatchRequest", "The batch request "
                "contains more entries than permissible."))
        ids = [e.get("Id") for e in entries]
        if len(set(ids)) != len(ids):
            return self.finish_log(st, rec, 400, error(
                "BatchEntryIdsNotDistinct", "Two or more batch entries "
                "in the request have the same Id."))
        total = sum(len(e.get("Message", "").encode()) +
                    len(e.get("Subject", "").encode()) +
                    sum(len(k) + len(t) + len(v.encode()) for k, (t, v) in
                        e["attributes"].items()) for e in entries)
        if total > LIMIT:
            return self.finish_log(st, rec, 400, error(
                "BatchRequestTooLong", "The length of all the messages "
                "put together is more than the limit."))
        ok, failed = [], []
        for e in entries:
            why = check_entry(e, fifo)
            if why is not None:
                e["result"] = "invalid"
                failed.append((e["Id"], "InvalidParameter", why, "true"))
            elif e["Id"] in ctl.get("reject", []):
                e["result"] = "failed"
                failed.append((e["Id"], "InvalidParameter",
                               "Invalid parameter: rejected by the test",
                               "true"))
            elif st.bump("fail-" + e["Id"]) <= \
                    ctl.get("fail", {}).get(e["Id"], 0):
                e["result"] = "failed"
                failed.append((e["Id"], "InternalError",
                               "An internal service error has occurred.",
                               "false"))
            else:
                e["result"] = self.deliver(st, e, fifo)
                ok.append(e["Id"])
        xml = ['<PublishBatchResponse xmlns="%s">\n  <PublishBatchResult>'
               '\n    <Successful>\n' % NS]
        for i in ok:
            xml.append('      <member>\n        <Id>%s</Id>\n        '
                       '<MessageId>%s</MessageId>\n      </member>\n'
                       % (i, uuid.uuid4()))
        xml.append('    </Successful>\n    <Failed>\n')
        for i, code, msg, fault in failed:
            xml.append('      <member>\n        <Id>%s</Id>\n        '
                       '<Code>%s</Code>\n        <Message>%s</Message>\n'
                       '        <SenderFault>%s</SenderFault>\n'
                       '      </member>\n' % (i, code, msg, fault))
        xml.append('    </Failed>\n  </PublishBatchResult>\n'
                   '  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
                   '  </ResponseMetadata>\n</PublishBatchResponse>\n'
                   % uuid.uuid4())
        return self.finish_log(st, rec, 200, "".join(xml))

    def finish_log(self, st, rec, status, body):
        rec["status"] = status
        st.log(rec)
        self.reply(status, body)


def show(path, full):
    """The log as text for a golden file: each request, each entry, and
    with full, each message's subject, attributes, ids and bodies."""
    with open(path, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f]
    for n, rec in enumerate(recs, 1):
        print("request %d: %s %s %s" % (n, rec.get("action"),
                                       rec["status"], rec["signature"]))
        for e in rec.get("entries", []):
            print("  entry %s: %s" % (e.get("Id", "-"), e.get("result")))
            if not full:
                continue
            print("    Subject: %s" % e.get("Subject"))
            for name, (dtype, value) in e["attributes"].items():
                print("    attribute %s (%s): %s" % (name, dtype, value))
            for key in ("MessageGroupId", "MessageDeduplicationId"):
                if key in e:
                    print("    %s: %s" % (key, e[key]))
            doc = json.loads(e["Message"])
            print("    Message keys: %s" % " ".join(sorted(doc)))
            for line in doc["default"].split("\n"):
                print("    | %s" % line)
            print("    sqs: %s" % doc["sqs"])
            if doc["sqs"] != doc["lambda"]:
                print("    lambda differs: %s" % doc["lambda"])


def main():
    if len(sys.argv) == 3 and sys.argv[1] in ("show", "brief"):
        show(sys.argv[2], sys.argv[1] == "show")
        return
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--ctl", required=True)
    p.add_argument("--key", required=True, help="AKID=SECRET")
    p.add_argument("--token")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--topic", action="append", required=True)
    args = p.parse_args()
    stubserver.serve(Handler, State(args), args.port_file)


if __name__ == "__main__":
    main()
