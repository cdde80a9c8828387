#!/bin/sh
# The bundled rule pack, tested as data.  tests/rules/*.test name each rule
# with the records it must match (+) and the near misses it must not (-):
#
#	rule rules/ec2/ec2_flow_logs_deleted.yml
#	+ {"eventSource":"ec2.amazonaws.com","eventName":"DeleteFlowLogs",...}
#	- {... same call, but with an errorCode ...}
#
# Blank lines and lines starting with # are ignored.  Every rule file under
# rules/ (but for rules/correlation/) must appear in exactly one rule line,
# with at least one + and one - record, so that no rule goes untested, and
# must carry the pack's metadata.  The whole pack runs over every block's
# records, and the findings of each block's rule on them are compared with
# its + records.  Then the whole pack must load cleanly, and, when the shared
# data sets are present, fire as recorded in tests/expected/rules-*.tsv on
# real attack detonations and on real benign traffic.

. "$TOP_SRCDIR/tests/setup"

PACK=$TOP_SRCDIR/rules
CASES=$TOP_SRCDIR/tests/rules

# Close the current block: check its shape and note it in $T/blocks
# ("block rule testfile line"); its records are in $T/b/BLOCK.json, one
# per line, and their signs in $T/signs ("block index sign line").
end_block() {
	[ -n "$rule" ] || return 0
	if [ "$npos" -eq 0 ] || [ "$nneg" -eq 0 ]; then
		fail "$tf:$rule_line: $rule: needs at least one + and one - record"
	fi
	if [ -f "$TOP_SRCDIR/$rule" ]; then
		printf '%s %s %s\n' "$blk" "$rule" "$tf" >>"$T/blocks"
	else
		fail "$tf:$rule_line: $rule: no such rule file"
	fi
}

# 1. Every rule of the pack is exercised by exactly one block.  Correlation
# rules and their base rules (rules/correlation/) need several records per
# finding and are tested by tests/correlate.sh.
(cd "$TOP_SRCDIR" && find rules -name '*.yml' -o -name '*.yaml') |
    sort >"$T/pack"
grep -v '^rules/correlation/' "$T/pack" >"$T/single" || :
[ -s "$T/pack" ] || fail "no rule files under $PACK"
cat "$CASES"/*.test | sed -n 's/^rule  *//p' | sort >"$T/tested"
if [ -n "$(uniq -d "$T/tested")" ]; then
	fail "rules tested in more than one block:" $(uniq -d "$T/tested")
fi
comm -23 "$T/single" "$T/tested" >"$T/untested"
if [ -s "$T/untested" ]; then
	fail "rules without a test block: $(tr '\n' ' ' <"$T/untested")"
fi

# The metadata every rule of the pack carries, and unique ids.
# One grep per pattern over the whole pack (not one per rule and pattern:
# thousands of processes).
grep -Ev '^rules/[a-z0-9]+/[a-z0-9_]+\.yml$' "$T/single" >"$T/badname" || :
while IFS= read -r r; do
	fail "$r: file name is not rules/<service>/<snake_case>.yml"
done <"$T/badname"
for want in '^id: [0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$' \
    '^status: (experimental|test|stable)$' \
    '^author: ctaudit project$' '^date: [0-9]{4}-[0-9]{2}-[0-9]{2}$' \
    '^references:$' '^    - https://docs\.aws\.amazon\.com/' \
    '^tags:$' '^    - attack\.t[0-9]{4}' \
    '^    product: aws$' '^    service: (cloudtrail|guardduty|cloudtrail-insights)$' \
    '^falsepositives:$' \
    '^level: (informational|low|medium|high|critical)$'; do
	(cd "$TOP_SRCDIR" && grep -EL "$want" $(cat "$T/single")) \
	    >"$T/lacking" || :
	while IFS= read -r r; do
		fail "$r: no line matching $want"
	done <"$T/lacking"
done
# A folded description wrapped after a hyphen reads "crypto- mining".
(cd "$TOP_SRCDIR" && grep -EHn '^    [^ -].*[A-Za-z]-$' $(cat "$T/pack")) \
    >"$T/hyphen" || :
while IFS=: read -r f n _; do
	fail "$f:$n: description wrapped after a hyphen"
done <"$T/hyphen"
dups=$(cd "$TOP_SRCDIR" && sed -n 's/^id: *//p' $(cat "$T/pack") | sort | uniq -d)
[ -z "$dups" ] || fail "rule ids used more than once: $dups"

# 2. Every record is one line of valid JSON.
for f in "$CASES"/*.test; do
	sed -n 's/^[+-] //p' "$f" >"$T/all"
	if [ "$(jq -c . <"$T/all" 2>/dev/null | wc -l)" -ne \
	    "$(wc -l <"$T/all")" ]; then
		fail "tests/rules/${f##*/}: a record is not valid JSON"
	fi
done

# "id path level" for every rule of the pack.
(cd "$TOP_SRCDIR" && grep -H -e '^id:' -e '^level:' $(cat "$T/pack")) |
    awk '{ i = index($0, ":"); f = substr($0, 1, i - 1)
	split(substr($0, i + 1), kv, /: */)
	if (kv[1] == "id") id[f] = kv[2]; else lv[f] = kv[2] }
    END { for (f in id) print id[f], f, lv[f] }' | sort >"$T/ids"

# 3. Each block: + records match, - records do not.  Every block's records
# go in a file of their own, and one run of the whole pack reads them all
# (one process, not one per rule: under valgrind that is minutes apart);
# a block's rule must find exactly its + records in its own file, whatever
# the other rules find there.
mkdir "$T/b"
: >"$T/blocks"
: >"$T/signs"
nblk=0
for f in "$CASES"/*.test; do
	tf=tests/rules/${f##*/}
	rule=
	n=0
	while IFS= read -r l || [ -n "$l" ]; do
		n=$((n + 1))
		case $l in
		''|'#'*)
			;;
		'rule '*)
			end_block
			rule=${l#rule }
			rule_line=$n
			npos=0
			nneg=0
			nblk=$((nblk + 1))
			blk=$(printf '%04d' "$nblk")
			: >"$T/b/$blk.json"
			;;
		'+ '*|'- '*)
			if [ -z "$rule" ]; then
				fail "$tf:$n: record before any rule line"
				continue
			fi
			printf '%s\n' "${l#??}" >>"$T/b/$blk.json"
			printf '%s %d %s %d\n' "$blk" $((npos + nneg)) \
			    "${l%% *}" "$n" >>"$T/signs"
			case $l in
			+*) npos=$((npos + 1)) ;;
			*) nneg=$((nneg + 1)) ;;
			esac
			;;
		*)
			fail "$tf:$n: cannot parse: $l"
			;;
		esac
	done <"$f"
	end_block
done
st=0
ctaudit -q -f json --skip-bad-rules -r "$PACK" "$T"/b/*.json >"$T/out" \
    2>"$T/err" || st=$?
check_status "the rule blocks' records under the pack" 1 "$st"
if [ -s "$T/err" ]; then
	fail "the rule blocks' records: unexpected diagnostics: $(cat "$T/err")"
fi
# "block ruleId index" of every event finding.
if ! jq -r --arg d "$T/b/" 'select(.origin != null) |
    (.origin | ltrimstr($d) | rtrimstr(".json")) + " " + .ruleId + " " +
    (.index | tostring)' "$T/out" >"$T/got" 2>"$T/jqerr"; then
	fail "the rule blocks' records: output not JSON: $(head -3 "$T/jqerr")"
fi
# Name every record whose outcome differs, with its line.
awk -v dir="$T/b/" '
    FILENAME == ARGV[1] { id[$2] = $1; next }
    FILENAME == ARGV[2] { rule[$1] = $2; tf[$1] = $3; next }
    FILENAME == ARGV[3] { if ($1 in rule && $2 == id[rule[$1]]) n[$1, $3]++
	next }
    !($1 in rule) { next }
    {
	got = n[$1, $2] + 0
	want = $3 == "+"
	if (got > 1)
		printf "%s:%d: %s: a record matched more than once\n",
		    tf[$1], $4, rule[$1]
	if ((got > 0) == want)
		next
	f = dir $1 ".json"
	for (i = 0; i <= $2 && (getline rec < f) > 0; i++)
		;
	close(f)
	printf "%s:%d: %s: want %s: %s\n", tf[$1], $4, rule[$1],
	    want ? "match" : "no match", rec
    }' "$T/ids" "$T/blocks" "$T/got" "$T/signs" >"$T/wrong"
while IFS= read -r l; do
	fail "$l"
done <"$T/wrong"

# 4. The whole pack loads without a rejected rule.
st=0
ctaudit rules -r "$PACK" >"$T/list" 2>"$T/err" || st=$?
check_status "ctaudit rules -r rules" 0 "$st"
if [ -s "$T/err" ]; then
	fail "ctaudit rules -r rules: diagnostics: $(cat "$T/err")"
fi

# 4b. The refused-call rule is generated from the pack's medium, high and
# critical rules (tests/tools/gen_refused_rule.py): a rule added or raised
# without regenerating it fails here, so the list cannot drift.
if python3 -c 'import yaml' 2>/dev/null; then
	python3 "$TOP_SRCDIR/tests/tools/gen_refused_rule.py" "$PACK" \
	    >"$T/refused.yml" ||
	    fail "gen_refused_rule.py: exit $?"
	check_file refused "$PACK/general/refused_sensitive_action.yml" \
	    "$T/refused.yml"
else
	echo "skip: no python3-yaml: refused_sensitive_action.yml not checked"
fi

# 4c. The level policy leaves service-linked roles and AWS services out
# of every medium, high and critical rule, or the rule is in
# tests/service-filter-exempt.tsv with the reason it needs no filter.
# Then the check fails on a rule raised to medium without the filter,
# and on an exemption that no longer applies.
if python3 -c 'import yaml' 2>/dev/null; then
	SF="python3 $TOP_SRCDIR/tests/tools/check_service_filter.py"
	st=0
	(cd "$TOP_SRCDIR" && $SF tests/service-filter-exempt.tsv rules) \
	    >"$T/sf.out" 2>"$T/sf.err" || st=$?
	check_status "service filter" 0 "$st"
	check_file "service filter" /dev/null "$T/sf.err"
	mkdir -p "$T/sf/rules/ec2"
	sed 's/^level: low$/level: medium/' \
	    "$PACK/ec2/ec2_key_pair_created_or_imported.yml" \
	    >"$T/sf/rules/ec2/raised.yml"
	cp "$PACK/general/root_account_used.yml" "$T/sf/rules/ec2/root.yml"
	printf '%s\t%s\n' rules/ec2/root.yml 'names the caller' \
	    rules/ec2/gone.yml 'no such rule' >"$T/sf/exempt.tsv"
	grep -v 'aws-service-role' \
	    "$PACK/guardduty/guardduty_detector_deleted.yml" |
	    sed 's/^    condition: .*/    condition: selection/' \
	    >"$T/sf/rules/ec2/unfiltered.yml"
	cp "$PACK/guardduty/guardduty_detector_deleted.yml" \
	    "$T/sf/rules/ec2/filtered.yml"
	printf '%s\t%s\n' rules/ec2/filtered.yml 'stale' >>"$T/sf/exempt.tsv"
	st=0
	(cd "$T/sf" && $SF exempt.tsv rules) >"$T/sf.out" 2>"$T/sf.err" ||
	    st=$?
	check_status "service filter, broken" 1 "$st"
	cat >"$T/sf.want" <<EOF2
exempt.tsv:3: rules/ec2/filtered.yml leaves AWS's callers out: the exemption is stale
rules/ec2/raised.yml: medium rule does not leave out service-linked roles and AWS services
rules/ec2/unfiltered.yml: high rule does not leave out service-linked roles and AWS services
exempt.tsv:2: rules/ec2/gone.yml is not a medium, high or critical rule
EOF2
	check_file "service filter, broken" "$T/sf.want" "$T/sf.err"
else
	echo "skip: no python3-yaml: the service filter policy not checked"
fi

# 5. Real data: which rules fire, at which level, on each stratus-red-team
# detonation (every technique needs one finding at medium or above), on
# the OTRF lab attack (likewise), and on benign Control Tower traffic
# (nothing above low).
if [ ! -d "$SHARED/data/cloudtrail" ]; then
	echo "skip: $SHARED/data not found: real-data checks not run"
	finish
fi
# These checks measure detection, which does not depend on the build;
# under valgrind, one run of the pack per detonation costs minutes that
# the plain and sanitizer suites, which run them, do not.
if [ -n "${CTAUDIT_VALGRIND:-}" ]; then
	echo "skip: real-data checks not run under valgrind"
	finish
fi

# findings NAME JSONFILE: "NAME<tab>rule<tab>level<tab>count", sorted.
findings() {
	jq -r '.ruleId' "$2" | sort | uniq -c | while read -r c id; do
		awk -v id="$id" -v name="$1" -v c="$c" '$1 == id {
			printf "%s\t%s\t%s\t%d\n", name, $2, $3, c; found = 1 }
		    END { if (!found) printf "%s\t%s\t?\t%d\n", name, id, c }' \
		    "$T/ids"
	done | sort
}

: >"$T/stratus.tsv"
for f in "$SHARED"/data/cloudtrail/stratus-red-team/*.json; do
	name=${f##*/}
	name=${name%.json}
	# The detonation logs are bare JSON arrays; give them CloudTrail's
	# file form so this test depends on the rules, not on input sniffing.
	jq -c '{Records: .}' "$f" >"$T/technique.json"
	st=0
	ctaudit -q -f json -r "$PACK" "$T/technique.json" >"$T/out" \
	    2>"$T/err" || st=$?
	check_status "$name" 1 "$st"
	findings "$name" "$T/out" | tee "$T/one" >>"$T/stratus.tsv"
	if ! awk -F '\t' '$3 ~ /^(medium|high|critical)$/ { ok = 1 }
	    END { exit !ok }' "$T/one"; then
		fail "$name: no finding at medium or above"
	fi
done
check_file stratus "$EXPECTED/rules-stratus.tsv" "$T/stratus.tsv"

# The OTRF lab attack: instance credentials stolen through an SSRF and
# replayed from a laptop to list and copy S3 objects.
st=0
ctaudit -q -f json -r "$PACK" \
    "$SHARED/data/cloudtrail/otrf-ec2-proxy-s3-exfiltration.jsonl" \
    >"$T/out" 2>"$T/err" || st=$?
check_status otrf 1 "$st"
findings otrf "$T/out" >"$T/otrf.tsv"
if ! awk -F '\t' '$3 ~ /^(medium|high|critical)$/ { ok = 1 }
    END { exit !ok }' "$T/otrf.tsv"; then
	fail "otrf: no finding at medium or above"
fi
check_file otrf "$EXPECTED/rules-otrf.tsv" "$T/otrf.tsv"

st=0
ctaudit -q -f json -r "$PACK" \
    "$SHARED/data/cloudtrail/cribl-controltower-2022.json.gz" \
    >"$T/out" 2>"$T/err" || st=$?
findings cribl "$T/out" >"$T/cribl.tsv"
if [ -s "$T/cribl.tsv" ]; then want=1; else want=0; fi
check_status cribl "$want" "$st"
if awk -F '\t' '$3 !~ /^(informational|low)$/ { bad = 1 } END { exit !bad }' \
    "$T/cribl.tsv"; then
	fail "cribl: benign traffic raised a finding above low"
fi
grep -v '^#' "$EXPECTED/rules-cribl.tsv" >"$T/cribl.want" || :
check_file cribl "$T/cribl.want" "$T/cribl.tsv"

finish
