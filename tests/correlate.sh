#!/bin/sh
# Correlation rules on the command line: the shipped rules in
# rules/correlation against fixtures that must make each fire once (and
# near misses in the same files that must not), in every output format;
# a reference to a missing rule; and the per-group cap with its warning.

. "$TOP_SRCDIR/tests/setup"

C=$TOP_SRCDIR/rules/correlation
P=$TOP_SRCDIR/rules
# Findings name the file they come from: run where the fixtures are.
cd "$TESTDATA/correlate"
D=.

# run NAME WANT_STATUS ARGS...: run ctaudit, keep stdout and stderr.
run() {
	name=$1 want=$2
	shift 2
	set +e
	ctaudit "$@" >"$T/$name.out" 2>"$T/$name.err"
	got=$?
	set -e
	check_status "$name" "$want" "$got"
}

# golden NAME: stdout of the last run is tests/expected/correlate-NAME.
golden() {
	check_file "$1" "$EXPECTED/correlate-$1" "$T/$1.out"
}

SIGNIN="-r $P/signin/signin_console_login_failed.yml
    -r $C/mr_console_signin_failures.yml"
DENIED="-r $P/general/access_denied.yml -r $C/mr_access_denied_burst.yml"
RECON="-r $C/base_sts_get_caller_identity.yml -r $C/base_enumeration.yml
    -r $C/mr_caller_identity_then_enumeration.yml"
CREDS="-r $C/base_credential_read.yml -r $C/base_sts_get_caller_identity.yml
    -r $C/base_enumeration.yml -r $C/mr_credential_read_then_use_elsewhere.yml"
EC2BURST="-r $C/base_ec2_instances_terminated.yml -r $C/mr_ec2_termination_burst.yml
    -r $C/base_ec2_instances_stopped.yml -r $C/mr_ec2_stop_burst.yml"
REGIONS="-r $C/base_regional_footprint_created.yml
    -r $C/mr_resources_created_in_many_regions.yml"
IAMENUM="-r $C/base_iam_read.yml -r $C/mr_iam_enumeration.yml"
DRYRUN="-r $C/base_ec2_dry_run.yml -r $C/mr_ec2_dry_run_probe.yml"
SES="-r $C/base_ses_recon.yml -r $C/mr_ses_recon.yml"
S3ANON="-r $C/base_s3_anonymous_get_object.yml
    -r $C/mr_s3_anonymous_download_burst.yml"
S3DEL="-r $C/base_s3_object_deleted.yml -r $C/mr_s3_mass_deletion.yml"
S3COPY="-r $C/base_s3_object_read_by_copy_tool.yml
    -r $C/mr_s3_bulk_download_by_copy_tool.yml"
SECRETS="-r $C/base_secretsmanager_secret_value_read.yml
    -r $C/mr_secretsmanager_secrets_harvested.yml"
USERDATA="-r $P/ec2/ec2_user_data_read.yml
    -r $C/mr_ec2_user_data_harvested.yml"
LAMBDADEL="-r $C/base_lambda_function_deleted_by_caller.yml
    -r $C/mr_lambda_function_deletion_burst.yml"
ORGACCESS="-r $C/base_organizations_service_access_disabled.yml
    -r $C/mr_organizations_service_access_disabled_burst.yml"
SWEEP="-r $C/base_enumeration.yml -r $C/mr_enumeration_swept_across_regions.yml"
KEYIPS="-r $C/base_access_key_call.yml -r $C/mr_access_key_many_addresses.yml"
SVCKEY="-r $C/base_service_role_session_call.yml
    -r $C/base_role_session_workstation_call.yml
    -r $C/mr_service_credentials_used_from_workstation.yml"
DENIED2="-r $P/general/access_denied.yml
    -r $C/mr_access_denied_across_services.yml"
RECON2="-r $C/base_sts_get_caller_identity.yml -r $C/base_enumeration.yml
    -r $C/mr_caller_identity_then_services_enumerated.yml"
REMOVAL="-r $C/base_access_removed.yml -r $C/mr_access_removal_burst.yml"
BLIND="-r $P/cloudtrail -r $P/guardduty -r $P/config -r $P/securityhub
    -r $P/macie -r $P/inspector -r $P/detective -r $P/accessanalyzer
    -r $P/ec2/ec2_flow_logs_deleted.yml
    -r $C/mr_security_tooling_disabled_across_services.yml"
DEFENSES="-r $C/base_defense_read.yml -r $C/mr_defenses_surveyed.yml"
SNAPSHOTS="-r $C/base_ec2_volume_from_snapshot.yml
    -r $C/mr_ec2_snapshots_mounted.yml"
BEDROCK="-r $C/base_bedrock_logging_read.yml
    -r $C/base_bedrock_model_invoked.yml
    -r $C/mr_bedrock_logging_checked_then_invoked.yml"
PROFILESWAP="-r $C/base_instance_profile_role_removed.yml
    -r $C/base_instance_profile_role_added.yml
    -r $C/mr_instance_profile_role_swapped.yml"
COMPUTE="-r $C/base_compute_launched.yml
    -r $C/mr_compute_launched_across_services.yml
    -r $C/base_ecs_cluster_created.yml -r $C/mr_ecs_cluster_burst.yml"
TERMPROT="-r $C/base_ec2_termination_protection_enabled.yml
    -r $C/mr_ec2_termination_protection_burst.yml"
ROLESWEEP="-r $P/sts/sts_assume_role_denied.yml
    -r $C/mr_assume_role_refused_many_roles.yml"
APIGW="-r $C/base_lambda_function_created.yml
    -r $C/base_apigateway_integration_added.yml
    -r $C/base_apigateway_deployed.yml
    -r $C/mr_lambda_function_exposed_through_api_gateway.yml"
SMS="-r $C/base_sns_sms_published.yml -r $C/mr_sns_sms_burst.yml"
SMSREGIONS="-r $P/sns/sns_sms_capability_checked.yml
    -r $C/mr_sms_capability_checked_across_regions.yml"
BEDROCKPROBE="-r $C/base_bedrock_model_invalid_request.yml
    -r $C/mr_bedrock_models_probed.yml"
BEDROCKMODELS="-r $C/base_bedrock_model_invoked.yml
    -r $C/mr_bedrock_many_models_invoked.yml"
NEWACCOUNTS="-r $C/base_organizations_account_created.yml
    -r $C/mr_organizations_account_creation_burst.yml"
SESIDS="-r $C/base_ses_identity_added.yml
    -r $C/mr_ses_identities_added_burst.yml"
LAMBDACONFIG="-r $P/general/configuration_with_secrets_read.yml
    -r $C/mr_lambda_function_configs_harvested.yml"
SSECCOPY="-r $C/base_s3_object_reencrypted_with_customer_key.yml
    -r $C/mr_s3_objects_reencrypted_with_customer_key.yml"
SESPROD="-r $P/ses/ses_production_access_requested.yml
    -r $C/mr_ses_production_access_many_regions.yml"
SHAREDIP="-r $C/base_service_role_session_call.yml
    -r $C/base_iam_user_key_call.yml
    -r $C/mr_service_session_and_user_key_from_one_address.yml"

# Each shipped correlation, with the base rules it names; the pack's own
# base rules still report (generate: true), ours only feed (the default).
for f in text json; do
	run signin.$f 1 -q -f $f $SIGNIN "$D/signin.json"
	golden signin.$f
	run denied.$f 1 -q -f $f $DENIED "$D/denied.json"
	golden denied.$f
	run recon.$f 1 -q -f $f $RECON "$D/recon.json"
	golden recon.$f
	run creds.$f 1 -q -f $f $CREDS "$D/credentials.json"
	golden creds.$f
done
# The correlations of issue 10: each fires once on its fixture, whose
# near misses (services, failures, one short, too slow) stay silent.
run ec2burst.json 1 -q -f json $EC2BURST "$D/ec2burst.json"
golden ec2burst.json
run regions.json 1 -q -f json $REGIONS "$D/regions.json"
golden regions.json
run iamenum.json 1 -q -f json $IAMENUM "$D/iamenum.json"
golden iamenum.json
run dryrun.json 1 -q -f json $DRYRUN "$D/dryrun.json"
golden dryrun.json
run ses.json 1 -q -f json $SES "$D/ses.json"
golden ses.json
run s3anon.json 1 -q -f json $S3ANON "$D/s3anon.json"
golden s3anon.json
run s3delete.json 1 -q -f json $S3DEL "$D/s3delete.json"
golden s3delete.json
run s3copy.json 1 -q -f json $S3COPY "$D/s3copy.json"
golden s3copy.json
run secrets.json 1 -q -f json $SECRETS "$D/secrets.json"
golden secrets.json
run userdata.json 1 -q -f json $USERDATA "$D/userdata.json"
golden userdata.json
run lambdadel.json 1 -q -f json $LAMBDADEL "$D/lambdadel.json"
golden lambdadel.json
run orgaccess.json 1 -q -f json $ORGACCESS "$D/orgaccess.json"
golden orgaccess.json
run inventory.json 1 -q -f json $RECON "$D/inventory.json"
golden inventory.json
run sweep.json 1 -q -f json $SWEEP "$D/sweep.json"
golden sweep.json
run bedrockmodels.json 1 -q -f json $BEDROCKMODELS "$D/bedrockmodels.json"
golden bedrockmodels.json
run newaccounts.json 1 -q -f json $NEWACCOUNTS "$D/newaccounts.json"
golden newaccounts.json
run sesidentities.json 1 -q -f json $SESIDS "$D/sesidentities.json"
golden sesidentities.json
run sseccopy.json 1 -q -f json $SSECCOPY "$D/sseccopy.json"
golden sseccopy.json
run lambdaconfig.json 1 -q -f json $LAMBDACONFIG "$D/lambdaconfig.json"
golden lambdaconfig.json
run keyips.json 1 -q -f json $KEYIPS "$D/keyips.json"
golden keyips.json
for f in text json; do
	run servicekey.$f 1 -q -f $f $SVCKEY "$D/servicekey.json"
	golden servicekey.$f
done
run sharedip.json 1 -q -f json $SHAREDIP "$D/sharedip.json"
golden sharedip.json
run denied2.json 1 -q -f json $DENIED2 "$D/denied2.json"
golden denied2.json
run recon2.json 1 -q -f json $RECON2 "$D/recon2.json"
golden recon2.json
run removal.json 1 -q -f json $REMOVAL "$D/removal.json"
golden removal.json
run blinding.json 1 -q -f json $BLIND "$D/blinding.json"
golden blinding.json
run defenses.json 1 -q -f json $DEFENSES "$D/defenses.json"
golden defenses.json
run snapshots.json 1 -q -f json $SNAPSHOTS "$D/snapshots.json"
golden snapshots.json
run bedrock.json 1 -q -f json $BEDROCK "$D/bedrock.json"
golden bedrock.json
run profileswap.json 1 -q -f json $PROFILESWAP "$D/profileswap.json"
golden profileswap.json
run compute.json 1 -q -f json $COMPUTE "$D/compute.json"
golden compute.json
run termprotect.json 1 -q -f json $TERMPROT "$D/termprotect.json"
golden termprotect.json
run rolesweep.json 1 -q -f json $ROLESWEEP "$D/rolesweep.json"
golden rolesweep.json
run apigw.json 1 -q -f json $APIGW "$D/apigw.json"
golden apigw.json
run sms.json 1 -q -f json $SMS "$D/sms.json"
golden sms.json
run smsregions.json 1 -q -f json $SMSREGIONS "$D/smsregions.json"
golden smsregions.json
run bedrockprobe.json 1 -q -f json $BEDROCKPROBE "$D/bedrockprobe.json"
golden bedrockprobe.json
run sesprod.json 1 -q -f json $SESPROD "$D/sesprod.json"
golden sesprod.json
run signin.csv 1 -q -f csv $SIGNIN "$D/signin.json"
golden signin.csv
run recon.csv 1 -q -f csv $RECON "$D/recon.json"
golden recon.csv

# The level filter keeps the correlations' base rules running, silent.
run minlevel 1 -q -f json --min-level medium $SIGNIN "$D/signin.json"
golden minlevel

# The summary counts correlation findings in their levels.
run summary 1 -f json $CREDS "$D/credentials.json"
check_file summary "$EXPECTED/correlate-summary.err" "$T/summary.err"

# With the whole pack the references resolve, across directories.
if [ -d "$P/signin" ] && [ -d "$P/general" ]; then
	run pack 1 -q -f json -r "$P" "$D/signin.json" "$D/denied.json" \
	    "$D/recon.json" "$D/credentials.json" "$D/ec2burst.json" \
	    "$D/regions.json" "$D/iamenum.json" "$D/ses.json" \
	    "$D/s3anon.json" "$D/keyips.json" "$D/servicekey.json" \
	    "$D/sharedip.json" "$D/s3delete.json" "$D/denied2.json" \
	    "$D/recon2.json" "$D/dryrun.json" "$D/removal.json" \
	    "$D/blinding.json" "$D/defenses.json" \
	    "$D/snapshots.json" "$D/bedrock.json" "$D/profileswap.json" \
	    "$D/compute.json" "$D/termprotect.json" "$D/rolesweep.json" \
	    "$D/apigw.json" "$D/sms.json" "$D/smsregions.json" \
	    "$D/bedrockprobe.json" "$D/sesprod.json" "$D/s3copy.json" \
	    "$D/secrets.json" "$D/userdata.json" "$D/lambdadel.json" \
	    "$D/orgaccess.json" "$D/inventory.json" "$D/sweep.json" \
	    "$D/bedrockmodels.json" "$D/newaccounts.json" \
	    "$D/sesidentities.json" "$D/sseccopy.json" \
	    "$D/lambdaconfig.json"
	jq -c 'select(.correlation != null) | [.ruleId, .correlation.groupBy,
	    .correlation.firstTime]' "$T/pack.out" >"$T/pack.ids"
	check_file pack "$EXPECTED/correlate-pack.ids" "$T/pack.ids"
fi

# A correlation that names a rule not loaded: rejected with file:line.
# (Messages name files as given: drop the source directory.)
run missing 3 -q -r "$C/mr_console_signin_failures.yml" "$D/signin.json"
sed "s|$TOP_SRCDIR/||" "$T/missing.err" >"$T/missing.rel"
check_file missing "$EXPECTED/correlate-missing.err" "$T/missing.rel"
run missing.rules 3 rules -r "$C/mr_console_signin_failures.yml" \
    -r "$C/mr_access_denied_burst.yml"
sed "s|$TOP_SRCDIR/||" "$T/missing.rules.err" >"$T/missing.rules.rel"
check_file missing.rules "$EXPECTED/correlate-missing-rules.err" \
    "$T/missing.rules.rel"

# The cap on matches kept per group: 16385 failures from one address.
awk 'BEGIN {
	r = "\"eventSource\":\"signin.amazonaws.com\",\"eventName\":" \
	    "\"ConsoleLogin\",\"sourceIPAddress\":\"203.0.113.50\"," \
	    "\"userIdentity\":{\"type\":\"IAMUser\"},\"responseElements\":" \
	    "{\"ConsoleLogin\":\"Failure\"}}"
	printf "{\"Records\":[\n"
	for (i = 0; i <= 16384; i++)
		printf "%s{\"eventTime\":\"2024-03-12T10:%02d:%02dZ\",%s\n",
		    (i > 0 ? "," : ""), int(i / 60) % 60, i % 60, r
	printf "]}\n"
}' >"$T/flood.json"
run cap 1 -f json -r "$P/signin/signin_console_login_failed.yml" \
    -r "$C/mr_console_signin_failures.yml" "$T/flood.json"
jq -c 'select(.correlation != null) | .correlation' "$T/cap.out" \
    >"$T/cap.corr"
check_file cap "$EXPECTED/correlate-cap.corr" "$T/cap.corr"
sed "s|$TOP_SRCDIR/||" "$T/cap.err" >"$T/cap.rel"
check_file cap.err "$EXPECTED/correlate-cap.err" "$T/cap.rel"

finish
