#!/usr/bin/python3
# contrib_check.py TOP: check contrib/ (tests/contrib.sh).  The AWS Batch
# files are parsed as JSON and checked against the shapes of botocore's
# model of the Batch API (RegisterJobDefinition, SubmitJob input): every
# key known, every required key there, every type and enum right.  The
# Kubernetes files are parsed as YAML and checked against each other and
# the Batch files: the same shard count, volume and run directory.
# Prints one line per problem and exits 1, or prints "ok" and exits 0;
# exits 77 when PyYAML or botocore's model is missing.
import glob
import json
import os
import sys

try:
    import yaml
except ImportError:
    print("skip: PyYAML not found")
    sys.exit(77)

models = sorted(glob.glob(
    "/usr/lib/python3/dist-packages/botocore/data/batch/*/service-2.json"))
if not models:
    print("skip: botocore's Batch model not found")
    sys.exit(77)
with open(models[-1]) as f:
    shapes = json.load(f)["shapes"]

problems = []


def bad(where, msg):
    problems.append("%s: %s" % (where, msg))


def check(name, v, where):
    sh = shapes[name]
    t = sh["type"]
    if t == "structure":
        if not isinstance(v, dict):
            return bad(where, "want an object (%s)" % name)
        for k in sh.get("required", []):
            if k not in v:
                bad(where, "%s: required %s missing" % (name, k))
        for k, x in v.items():
            m = sh["members"].get(k)
            if m is None:
                bad(where, "%s: unknown member %s" % (name, k))
            else:
                check(m["shape"], x, "%s.%s" % (where, k))
    elif t == "list":
        if not isinstance(v, list):
            return bad(where, "want an array (%s)" % name)
        for i, x in enumerate(v):
            check(sh["member"]["shape"], x, "%s[%d]" % (where, i))
    elif t == "map":
        if not isinstance(v, dict):
            return bad(where, "want an object (%s)" % name)
        for k, x in v.items():
            check(sh["key"]["shape"], k, "%s key" % where)
            check(sh["value"]["shape"], x, "%s.%s" % (where, k))
    elif t == "string":
        if not isinstance(v, str):
            return bad(where, "want a string (%s)" % name)
        if "enum" in sh and v not in sh["enum"]:
            bad(where, "%r not one of %s" % (v, sh["enum"]))
    elif t in ("integer", "long"):
        if not isinstance(v, int) or isinstance(v, bool):
            bad(where, "want an integer (%s)" % name)
    elif t == "boolean":
        if not isinstance(v, bool):
            bad(where, "want a boolean (%s)" % name)
    else:
        bad(where, "no check for shape type %s" % t)


top = sys.argv[1]
batch = os.path.join(top, "contrib", "aws-batch")


def load_json(name):
    path = os.path.join(batch, name)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        bad(name, str(e))
        return {}


jd = load_json("job-definition.json")
check("RegisterJobDefinitionRequest", jd, "job-definition.json")
subs = {}
for name in ("submit-shards.json", "submit-merge.json"):
    subs[name] = load_json(name)
    check("SubmitJobRequest", subs[name], name)

# The parameters every command names exist; the counts agree.
params = jd.get("parameters", {})
cmds = [("job-definition.json", jd.get("containerProperties", {})
         .get("command", []))]
cmds.append(("submit-merge.json", subs["submit-merge.json"]
             .get("containerOverrides", {}).get("command", [])))
for where, cmd in cmds:
    for a in cmd:
        if a.startswith("Ref::") and a[5:] not in params:
            bad(where, "%s: no such parameter" % a)
if cmds[0][1][:1] != ["ctaudit-shard"] or cmds[1][1][:1] != ["ctaudit-merge"]:
    bad("aws-batch", "the shards run ctaudit-shard, the merge ctaudit-merge")
shards = subs["submit-shards.json"]
n = shards.get("arrayProperties", {}).get("size")
for name, s in subs.items():
    if s.get("parameters", {}).get("shards") != str(n):
        bad(name, "shards parameter is not the array size %s" % n)
    if s.get("jobDefinition") != jd.get("jobDefinitionName"):
        bad(name, "not the job definition registered")
deps = subs["submit-merge.json"].get("dependsOn", [])
if len(deps) != 1 or "type" in deps[0]:
    bad("submit-merge.json", "want one dependency on the whole array job")

# Kubernetes.
kube = os.path.join(top, "contrib", "kubernetes")
docs = {}
for path in sorted(glob.glob(os.path.join(kube, "*.yaml"))):
    try:
        with open(path) as f:
            for d in yaml.safe_load_all(f):
                docs[(d["kind"], d["metadata"]["name"])] = d
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        bad(os.path.basename(path), str(e))
sj = docs.get(("Job", "ctaudit-shards"))
mj = docs.get(("Job", "ctaudit-merge"))
pvc = docs.get(("PersistentVolumeClaim", "ctaudit-shared"))
if sj is None or mj is None or pvc is None:
    bad("kubernetes", "want Jobs ctaudit-shards and ctaudit-merge and "
        "the claim ctaudit-shared")
else:
    s = sj["spec"]
    sc = s["template"]["spec"]["containers"][0]
    mc = mj["spec"]["template"]["spec"]["containers"][0]
    if s.get("completionMode") != "Indexed":
        bad("shards-job.yaml", "not an Indexed Job")
    if sc["command"][0] != "ctaudit-shard" or \
            mc["command"][0] != "ctaudit-merge":
        bad("kubernetes", "the shards run ctaudit-shard, the merge "
            "ctaudit-merge")
    k = sc["command"][1]
    if str(s.get("completions")) != k or str(s.get("parallelism")) != k \
            or mc["command"][1] != k:
        bad("kubernetes", "completions, parallelism and the shard counts "
            "differ")
    if sc["command"][2] != mc["command"][2]:
        bad("kubernetes", "the shards and the merge use other run "
            "directories")
    for name, job in (("shards-job.yaml", sj), ("merge-job.yaml", mj)):
        t = job["spec"]["template"]["spec"]
        if t.get("restartPolicy") not in ("Never", "OnFailure"):
            bad(name, "a Job's restartPolicy is Never or OnFailure")
        claims = [v["persistentVolumeClaim"]["claimName"]
                  for v in t.get("volumes", [])
                  if "persistentVolumeClaim" in v]
        if claims != ["ctaudit-shared"]:
            bad(name, "does not mount the claim ctaudit-shared")
    if pvc["spec"]["accessModes"] != ["ReadWriteMany"]:
        bad("shared-pvc.yaml", "the shards share it: ReadWriteMany")

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print("ok")
