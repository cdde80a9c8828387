#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Sign requests with botocore, AWS's own SigV4 signer, to check ctaudit's.

Run with Debian's /usr/bin/python3, which has python3-botocore.

As a library (the loopback S3 and SNS endpoints of the tests import it):

    sign(method, url, headers, body, creds, region, service, amz_date,
         s3=False, unsigned_payload=False)
        -> dict of the headers botocore adds, Authorization included.
    verify(method, url, headers, body, creds)
        -> (ok, expected_authorization, received_authorization)
        Recomputes the signature of a received request from the scope,
        the SignedHeaders list and the X-Amz-Date in it.

    creds is a (access_key_id, secret_key, session_token or None) tuple;
    url is the full URL as sent ("http://host:port/path?query"), its path
    and query percent-encoded exactly as on the wire; body is bytes.

As a program, for tests/sigv4_botocore.sh:

    sigv4_botocore.py requests   the request set, in the input format of
                                 "t_sigv4 -s" (see tests/unit/t_sigv4.c)
    sigv4_botocore.py expected   the same set signed by botocore, in the
                                 output format of "t_sigv4 -s"
    sigv4_botocore.py verify F   check with verify() that each request of
                                 the set, with the headers that "t_sigv4 -s"
                                 wrote to F added, passes, and fails once
                                 its path, a signed header or its body is
                                 changed: what a loopback endpoint does
    sigv4_botocore.py probe      exit 0 if botocore imports, else 77
"""

import datetime
import hashlib
import sys
import threading
import types
from unittest import mock
from urllib.parse import quote, urlencode, urlsplit

AMZ_DATE = "20150830T123600Z"
SUITE_CREDS = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
TOKEN = ("AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwd"
         "QWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kM"
         "cGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp"
         "75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZ"
         "bqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
         "oLxBA==")
TOKEN_CREDS = (SUITE_CREDS[0], SUITE_CREDS[1], TOKEN)

# Headers the signer itself adds, in the order "t_sigv4 -s" prints them.
ADDED = ("X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256",
         "Authorization")

_clock_lock = threading.Lock()


def _fixed_clock(amz_date):
    """A stand-in for botocore.auth's datetime module whose clock is stopped
    at amz_date, so that botocore's own add_auth() runs unchanged."""
    fixed = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")

    class Clock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

        @classmethod
        def now(cls, tz=None):
            return fixed if tz is None else fixed.replace(tzinfo=tz)

    return types.SimpleNamespace(datetime=Clock, timezone=datetime.timezone,
                                 timedelta=datetime.timedelta)


def sign(method, url, headers, body, creds, region, service, amz_date,
         s3=False, unsigned_payload=False):
    """Sign one request with botocore at amz_date ("YYYYMMDDTHHMMSSZ").

    headers is a list of (name, value) pairs, all of which are signed (give
    Host explicitly).  With s3, S3SigV4Auth is used: no path normalisation,
    and an X-Amz-Content-SHA256 header that is UNSIGNED-PAYLOAD if
    unsigned_payload, else the body's SHA-256.  Returns {name: value} for
    the headers botocore set, Authorization included.
    """
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials

    req = AWSRequest(method=method, url=url, data=body)
    for name, value in headers:
        req.headers[name] = value
    if unsigned_payload:
        req.context["client_config"] = Config(
            s3={"payload_signing_enabled": False})
    cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
    signer = cls(Credentials(*creds), service, region)
    with _clock_lock, mock.patch.object(botocore.auth, "datetime",
                                        _fixed_clock(amz_date)):
        signer.add_auth(req)
    before = {n.lower() for n, _ in headers}
    return {n: req.headers[n] for n in ADDED
            if n in req.headers and
            (n.lower() not in before or n == "Authorization")}


def _parse_authorization(value):
    """Split "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., ..."."""
    algo, _, rest = value.partition(" ")
    if algo != "AWS4-HMAC-SHA256":
        raise ValueError("not a SigV4 Authorization header")
    fields = {}
    for part in rest.split(","):
        key, _, val = part.strip().partition("=")
        fields[key] = val
    access, day, region, service, term = fields["Credential"].split("/")
    if term != "aws4_request":
        raise ValueError("bad credential scope")
    return access, day, region, service, fields["SignedHeaders"].split(";")


def verify(method, url, headers, body, creds):
    """Check the signature of a received request against botocore's.

    headers is the list of (name, value) pairs received.  Only the headers
    named in SignedHeaders are signed again, at the time of X-Amz-Date and
    for the scope in the Credential field; S3 requests are recognised by the
    service "s3", and their X-Amz-Content-SHA256 decides whether the payload
    was signed.  The access key id must be creds[0].  Returns
    (ok, expected, received): an endpoint answers 403 unless ok.
    """
    lower = {}
    for name, value in headers:
        lower.setdefault(name.lower(), []).append(value)
    received = lower.get("authorization", [""])[0]
    try:
        access, day, region, service, signed = _parse_authorization(received)
        amz_date = lower["x-amz-date"][0]
    except (KeyError, ValueError):
        return False, None, received
    if access != creds[0] or not amz_date.startswith(day):
        return False, None, received
    keep = [(n, v) for n, v in headers if n.lower() in signed]
    s3 = service == "s3"
    unsigned = lower.get("x-amz-content-sha256", [""])[0] == "UNSIGNED-PAYLOAD"
    expected = sign(method, url, keep, body, creds, region, service,
                    amz_date, s3=s3, unsigned_payload=unsigned)["Authorization"]
    return expected == received, expected, received


def s3_path(bucket, key):
    """The wire path of an object: each byte of the key but RFC 3986's
    unreserved ones and '/' percent-encoded, as sigv4_uri_encode() does."""
    path = "/" + key
    if bucket is not None:
        path = "/" + bucket + path
    return quote(path, safe="/~")


def query(pairs):
    """A wire query string with every name and value fully encoded."""
    return "&".join(quote(k, safe="-_.~") + "=" + quote(v, safe="-_.~")
                    for k, v in pairs)


def request_set():
    """The cross-checked requests, as dicts."""
    reqs = []
    vhost = "examplebucket.s3.amazonaws.com"
    phost = "s3.eu-west-1.amazonaws.com"
    keys = [
        "AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/02/"
        "123456789012_CloudTrail_us-east-1_20240102T0005Z_Abc123.json.gz",
        "dir with space/file name.json",
        "a+b=c&d;e,f:g@h$i.json",
        "unicod\u00e9/\u65e5\u672c\u8a9e/\u043a\u043b\u044e\u0447.json",
        "weird//double/./dot/../key",
        "tilde~star*paren(1)!'quote.gz",
        "percent%25 literal%.json",
        "",
    ]
    queries = [
        None,
        query([("list-type", "2"), ("prefix", "AWSLogs/"),
               ("delimiter", "/")]),
        query([("list-type", "2"), ("prefix", "dir with space/"),
               ("continuation-token",
                "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="),
               ("max-keys", "1000")]),
        query([("start-after", "\u043a\u043b\u044e\u0447"),
               ("list-type", "2"), ("encoding-type", "url")]),
        "acl",
        query([("versionId", "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"),
               ("x", ""), ("X", "b"), ("a", "2"), ("a", "10")]),
    ]
    n = 0
    for i, key in enumerate(keys):
        for j, q in enumerate(queries):
            if (i + j) % 2 and q is not None:
                continue
            n += 1
            bucket, host = ("examplebucket", phost) if n % 3 == 0 \
                else (None, vhost)
            headers = [("Host", host)]
            if n % 4 == 1:
                headers.append(("Range", "bytes=0-1023"))
            if n % 5 == 2:
                headers.append(("X-Amz-Request-Payer", "requester"))
            if n % 7 == 3:
                headers.append(("X-Odd", "  lots   of\tspace  inside "))
            reqs.append(dict(
                method="GET", host=host, path=s3_path(bucket, key), query=q,
                headers=headers, body=b"",
                region="eu-west-1" if bucket else "us-east-1",
                service="s3", s3=True, unsigned=n % 2 == 0,
                creds=TOKEN_CREDS if n % 3 == 1 else SUITE_CREDS))
    reqs.append(dict(
        method="HEAD", host=vhost, path=s3_path(None, keys[0]), query=None,
        headers=[("Host", vhost)], body=b"", region="us-east-1",
        service="s3", s3=True, unsigned=False, creds=SUITE_CREDS))

    # SNS Publish: an AWS Query API form body, signed with its hash.
    topic = "arn:aws:sns:us-east-1:123456789012:ctaudit-findings"
    messages = [
        "",
        "ctaudit: 1 finding",
        '{"rule":"AWS Root Credentials","eventName":"ConsoleLogin",'
        '"sourceIPAddress":"253.252.51.07","note":"caf\u00e9 \u2713"}',
        "x" * 2048 + "\n&=+%",
    ]
    for i, msg in enumerate(messages):
        form = [("Action", "Publish"), ("Version", "2010-03-31"),
                ("TopicArn", topic), ("Message", msg)]
        if i % 2:
            form.insert(3, ("Subject", "ctaudit findings"))
        body = urlencode(form, quote_via=quote).encode()
        host = "sns.us-east-1.amazonaws.com"
        reqs.append(dict(
            method="POST", host=host, path="/", query=None,
            headers=[("Host", host), ("Content-Type",
                     "application/x-www-form-urlencoded; charset=utf-8")],
            body=body, region="us-east-1", service="sns", s3=False,
            unsigned=False, creds=TOKEN_CREDS if i % 2 else SUITE_CREDS))

    # Another service: the path is normalised and encoded twice.
    host = "example.execute-api.us-east-1.amazonaws.com"
    for path in ["/a/./b//c/../d%20e/", "/stage/%C3%A9t%C3%A9", "//", ""]:
        reqs.append(dict(
            method="GET", host=host, path=path,
            query=query([("b", "x y"), ("a", "\u00e9")]),
            headers=[("Host", host)], body=b"", region="us-east-1",
            service="execute-api", s3=False, unsigned=False,
            creds=SUITE_CREDS))
    return reqs


def url_of(r):
    url = "https://" + r["host"] + (r["path"] or "/")
    if r["query"] is not None:
        url += "?" + r["query"]
    return url


def write_requests(out):
    for r in request_set():
        access, secret, token = r["creds"]
        out.write("method %s\n" % r["method"])
        out.write("path %s\n" % r["path"])
        if r["query"] is not None:
            out.write("query %s\n" % r["query"])
        for name, value in r["headers"]:
            out.write("header %s %s\n" % (name, value))
        if r["unsigned"]:
            out.write("payload UNSIGNED-PAYLOAD\n")
        else:
            out.write("body %s\n" % r["body"].hex())
        out.write("region %s\nservice %s\ndate %s\n" %
                  (r["region"], r["service"], AMZ_DATE))
        out.write("flags %s\n" % ("s3" if r["s3"] else "service"))
        out.write("key %s\nsecret %s\n" % (access, secret))
        if token is not None:
            out.write("token %s\n" % token)
        out.write("end\n")


def write_expected(out):
    for r in request_set():
        added = sign(r["method"], url_of(r), r["headers"], r["body"],
                     r["creds"], r["region"], r["service"], AMZ_DATE,
                     s3=r["s3"], unsigned_payload=r["unsigned"])
        for name in ADDED:
            if name in added:
                out.write("%s: %s\n" % (name, added[name]))
        out.write("\n")


def read_signed(path):
    """The header lines "t_sigv4 -s" printed, one list per request."""
    with open(path, encoding="ascii") as f:
        blocks = f.read().split("\n\n")
    out = []
    for block in blocks[:-1]:
        lines = [ln.partition(": ") for ln in block.split("\n") if ln]
        out.append([(n, v) for n, _, v in lines])
    return out


def check_verify(path):
    reqs = request_set()
    signed = read_signed(path)
    if len(signed) != len(reqs):
        sys.stderr.write("verify: %d results for %d requests\n" %
                         (len(signed), len(reqs)))
        return 1
    bad = 0
    for i, (r, added) in enumerate(zip(reqs, signed)):
        headers = r["headers"] + added
        ok, want, got = verify(r["method"], url_of(r), headers, r["body"],
                               r["creds"])
        if not ok:
            sys.stderr.write("verify: request %d refused\n want %s\n  got %s\n"
                             % (i + 1, want, got))
            bad += 1
        tampered = [(url_of(r) + ("&" if r["query"] else "?") + "x=1",
                     headers, r["body"]),
                    (url_of(r), [(n, v + "x" if n == "Host" else v)
                                 for n, v in headers], r["body"])]
        if not r["unsigned"]:
            tampered.append((url_of(r), headers, r["body"] + b"x"))
        for url, hdrs, body in tampered:
            if verify(r["method"], url, hdrs, body, r["creds"])[0]:
                sys.stderr.write("verify: request %d accepted changed\n"
                                 % (i + 1))
                bad += 1
    print("verify: %d requests accepted, their changed copies refused"
          % (len(reqs) - bad))
    return 1 if bad else 0


def main(argv):
    if len(argv) not in (2, 3) or (len(argv) == 3) != (argv[1] == "verify"):
        sys.stderr.write("usage: sigv4_botocore.py "
                         "requests|expected|probe|verify file\n")
        return 2
    if argv[1] == "requests":
        write_requests(sys.stdout)
        return 0
    try:
        import botocore.auth  # noqa: F401
    except ImportError:
        return 77
    if argv[1] == "probe":
        return 0
    if argv[1] == "expected":
        write_expected(sys.stdout)
        return 0
    if argv[1] == "verify":
        return check_verify(argv[2])
    sys.stderr.write("sigv4_botocore.py: unknown mode %s\n" % argv[1])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
