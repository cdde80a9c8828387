#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Every cap in the source is in the LIMITS section of the manual, with
its value, for tests/limits.sh.

    check_limits.py SRCDIR MANPAGE

A cap is a macro of src/*.[ch] whose name ends in _MAX, _CAP or _LIMIT,
or one of EXTRA (the tries, waits and deadlines).  Its value is worked
out from its definition (other macros, casts and integer suffixes
allowed) and must appear in the section as a number: as it is, or in
KiB, MiB or GiB when it divides, or in seconds for a name ending in _MS.
Caps that share a value need a mention each.  INTERNAL lists the caps
that bound no input, each with why; a new cap
must be documented or listed there, so none goes undocumented by
accident.  Prints one line per problem; exit 1 if there is any.
"""

import glob
import os
import re
import sys

EXTRA = {
    "HTTP_ATTEMPTS", "HTTP_MAX_DELAY_MS", "HTTP_CONNECT_TIMEOUT_MS",
    "HTTP_STALL_TIMEOUT_MS", "SOURCE_S3_XFER_BUF", "SOURCE_S3_LISTS",
    "SOURCE_S3_AHEAD", "SOURCE_S3_OBJECT_MS", "AWS_CRED_PROCESS_MS",
    "AWS_CRED_STS_MS", "SINK_SEND_MS", "SINK_WEBHOOK_WAITS",
    "SINK_SNS_ROUNDS", "SINK_SNS_BATCH",
}

INTERNAL = {
    # Each is a protocol's or a format's constant, the size of what
    # ctaudit itself writes or builds, or a fixed internal size that no
    # input grows; a cap on input belongs in LIMITS instead.
    "ALERT_DESC_MAX": "cut of a description in a notification",
    "ALERT_FIELD_MAX": "cut of a value in a notification",
    "ALERT_FP_MAX": "false positives listed in a notification",
    "ALERT_GROUP_MAX": "SNS FIFO group id, a protocol limit",
    "ALERT_ID_MAX": "cut of an id in a notification",
    "ALERT_JSON_MAX": "size of a notification ctaudit writes",
    "ALERT_LINE_FIELD_MAX": "cut of a value in a one-line summary",
    "ALERT_SUBJECT_MAX": "SNS subject, a protocol limit",
    "ALERT_TEXT_MAX": "size of a notification ctaudit writes",
    "REC_INDEX_MAX": "root members indexed for rules; with more, the "
                     "members are walked, with the same result",
    "SINK_DISCORD_CONTENT_MAX": "Discord's own limit on a message",
    "SINK_DISCORD_DESC_MAX": "Discord's own limit on an embed",
    "SINK_DISCORD_TITLE_MAX": "Discord's own limit on a title",
    "SINK_SLACK_HEADER_MAX": "Slack's own limit on a header",
    "SINK_SLACK_SECTION_MAX": "Slack's own limit on a section",
    "SINK_TELEGRAM_TEXT_MAX": "Telegram's own limit on a message",
    "SINK_SNS_BODY_MAX": "size of a request ctaudit encodes",
    "SINK_SNS_NAME_MAX": "SNS topic name, a protocol limit",
    "FORMS_ID_MAX": "a finding id ctaudit builds",
    "FORMS_KEY_MAX": "longest member name in ctaudit's own table",
    "FORMS_URL_MAX": "a console URL ctaudit builds",
    "EVENTTIME_ARG_MAX": "cut of a bad argument in a message",
    "EVENTTIME_MAX": "in LIMITS in words: the years 0000 to 9999",
    "SUMMARY_ROWS_MAX": "rows of the chart ctaudit draws",
    "SIGMA_CORR_CONDS_MAX": "one per operator of the Sigma spec",
    "SIGMA_CORR_COUNT_LIMIT": "2^63, int64_t's range, not a cap; in the "
    "correlation section",
    "SUMMARY_KEY_MAX": "cut of a value in the summary",
    "JSON_GUARD_HOLD_MAX": "bytes held back by the parser guard",
    "JSON_TOKEN_MAX": "the same as BUF_RECORD_MAX",
    "HASH_MAX": "hash table size, bound by the caps of its users",
    "SIGV4_ADD_MAX": "headers SigV4 adds, fixed by the protocol",
    "SIGV4_CANON_MAX": "a request ctaudit signs",
    "SIGV4_HEADERS_MAX": "headers of a request ctaudit signs",
    "SIGV4_PARAMS_MAX": "query parameters of a request ctaudit signs",
    "SIGV4_SCOPE_MAX": "a region is a DNS label, 63 bytes by protocol",
    "SIGV4_SECRET_MAX": "bounded by AWS_CRED_FIELD_MAX first",
    "AWS_CRED_HIDE_MAX": "secrets scrubbed from one message",
    "HTTP_HEADERS_MAX": "headers of a request ctaudit sends",
    "S3_LIST_DAYS_MAX": "when to list a region whole: no input is cut",
    "STATE_BOOT_MAX": "the kernel's boot id, a UUID, as a journal has it",
    "STATE_FIELDS_MAX": "fields of a state line, fixed by its format",
}

DEF = re.compile(r"^#define\s+([A-Z][A-Z0-9_]*)\s+(.+?)\s*(?:/\*.*)?$")
CAP = re.compile(r"_(MAX|CAP|LIMIT)$")


def definitions(srcdir):
    defs = {}
    for path in sorted(glob.glob(os.path.join(srcdir, "*.[ch]"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = DEF.match(line)
                if m:
                    defs.setdefault(m.group(1), (m.group(2), path))
    return defs


def value(name, defs, depth=0):
    expr = defs[name][0]
    if depth > 8:
        raise ValueError("too deep")
    expr = re.sub(r"\((?:size_t|int|long|unsigned|int64_t|uint64_t)\)",
                  "", expr)
    expr = re.sub(r"U?INT(?:64|32)_C\(([^)]*)\)", r"(\1)", expr)
    expr = re.sub(r"\b(\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]?)\b", r"\1",
                  expr)
    expr = expr.replace("UINT32_MAX", str(2**32 - 1))

    def sub(m):
        if m.group(0) in defs:
            return "(%d)" % value(m.group(0), defs, depth + 1)
        raise ValueError("unknown name " + m.group(0))
    expr = re.sub(r"\b[A-Z][A-Z0-9_]*\b", sub, expr)
    if not re.fullmatch(r"[\d\s()+\-*/]+", expr):
        raise ValueError("cannot evaluate " + expr)
    return int(eval(expr.replace("/", "//")))  # digits and operators only


def forms(name, v):
    out = [r"%d" % v]
    for unit, size in (("KiB", 1024), ("MiB", 1024**2), ("GiB", 1024**3)):
        if v % size == 0:
            out.append(r"%d %s" % (v // size, unit))
    if v % 86400000 == 0:
        out.append(r"%d days" % (v // 86400000))
    if name.endswith("_MS") and v % 1000 == 0:
        out.append(r"%d seconds?" % (v // 1000))
        if v >= 60000 and v % 60000 == 0:
            out.append(r"%d minutes?" % (v // 60000))
    return out


def main(argv):
    srcdir, man = argv[1], argv[2]
    with open(man, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^\.Sh LIMITS\n(.*?)^\.Sh ", text, re.S | re.M)
    if m is None:
        print("no LIMITS section in %s" % man)
        return 1
    section = re.sub(r"\s+", " ", m.group(1))
    defs = definitions(srcdir)
    bad = 0
    need = {}
    for name in sorted(defs):
        if not CAP.search(name) and name not in EXTRA:
            continue
        if name in INTERNAL:
            continue
        try:
            v = value(name, defs)
        except ValueError as e:
            print("%s: %s" % (name, e))
            bad = 1
            continue
        need.setdefault(tuple(forms(name, v)), []).append(name)
    # Each cap needs a mention of its own: as many of a value as caps.
    for fs, names in sorted(need.items()):
        found = sum(len(re.findall(r"(?<![\d.])%s(?![\d])" % f, section))
                    for f in fs)
        if found < len(names):
            print("%s: %s in the LIMITS section %d times, want %d"
                  % (" ".join(names), fs[0], found, len(names)))
            bad = 1
    for name in sorted(set(INTERNAL) - set(defs)):
        print("%s: listed as internal, but no longer defined" % name)
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
