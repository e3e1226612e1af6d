"""Stack instances deploy vend's final templates: the AWS::LanguageExtensions part they use
(Fn::FindInMap with DefaultValue and intrinsic arguments) is expanded per account and Region."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.local.stacksets_support import (  # noqa: F401 (fixtures)
    AUTO,
    REGION,
    cfn,
    instances,
    member_client,
    settle,
    tree,
)
from vending.local import LocalAws
from vending.local.cloudformation import intrinsics, language_extensions
from vending.model.stackset_template import assemble, split

GOLDEN = Path(__file__).parents[1] / "model" / "golden" / "stackset-vpc.json"
REGIONS = ["us-east-1", "eu-west-1"]
EXPAND = ["CAPABILITY_AUTO_EXPAND"]


def _vpc_template(first: str, second: str) -> str:
    """The golden final template of the VPC baseline, its two rows moved to these accounts,
    without its flow log (moto cannot create one into a bucket that does not exist, nor can AWS)."""
    template, rows = split(GOLDEN.read_text())
    body = json.loads(template)
    del body["Resources"]["FlowLog"]
    return assemble(json.dumps(body), {first: rows["111111111111"], second: rows["222222222222"]})


def _create(cfn: Any, body: str, **extra: Any) -> None:
    source = {"TemplateURL": extra.pop("TemplateURL")} if "TemplateURL" in extra else {"TemplateBody": body}
    cfn.create_stack_set(StackSetName="vpc", PermissionModel="SERVICE_MANAGED", AutoDeployment=AUTO,
                         Capabilities=EXPAND, **source, **extra)


def _deploy(cfn: Any, ou: str) -> dict[str, Any]:
    started = cfn.create_stack_instances(StackSetName="vpc", Regions=REGIONS,
                                         DeploymentTargets={"OrganizationalUnitIds": [ou]},
                                         OperationPreferences={"FailureTolerancePercentage": 100})
    return settle(cfn, "vpc", started["OperationId"])


def _vpcs(account: str, region: str) -> list[tuple[str, str]]:
    """(CIDR, Name tag) of the account's non-default VPCs, as the member reads them."""
    vpcs = member_client("ec2", account, region).describe_vpcs()["Vpcs"]
    return sorted((v["CidrBlock"], {t["Key"]: t["Value"] for t in v.get("Tags", [])}.get("Name", ""))
                  for v in vpcs if not v.get("IsDefault"))


def test_each_instance_gets_its_own_row(cfn: Any, tree: dict[str, str]) -> None:
    # p1 has an override (FlowLogTraffic ALL) and CIDRs, pay1 only CIDRs
    _create(cfn, _vpc_template(tree["p1"], tree["pay1"]))
    assert _deploy(cfn, tree["prod"])["Status"] == "SUCCEEDED"
    assert _vpcs(tree["p1"], "us-east-1") == [("10.0.16.0/20", "vpc-platform-ALL")]
    assert _vpcs(tree["p1"], "eu-west-1") == [("10.16.16.0/20", "vpc-platform-ALL")]
    assert _vpcs(tree["pay1"], "us-east-1") == [("10.0.0.0/20", "vpc-platform-REJECT")]  # the default
    assert _vpcs(tree["pay1"], "eu-west-1") == [("10.16.0.0/20", "vpc-platform-REJECT")]
    found = cfn.list_stack_instances(StackSetName="vpc")["Summaries"]
    assert sorted((i["Account"], i["Region"], i["Status"]) for i in found) == sorted(
        (a, r, "CURRENT") for a in (tree["p1"], tree["pay1"]) for r in REGIONS)


def test_an_account_without_a_row_fails_with_the_reason(cfn: Any, tree: dict[str, str]) -> None:
    _create(cfn, _vpc_template(tree["p1"], tree["pay1"]))
    done = _deploy(cfn, tree["workloads"])  # w1 has no row and its CIDR no default
    assert done["Status"] == "SUCCEEDED" and done["StatusDetails"]["FailedStackInstancesCount"] == 2
    found = {(i["Account"], i["Region"]): i for i in cfn.list_stack_instances(StackSetName="vpc")["Summaries"]}
    failed = {k: v["StatusReason"] for k, v in found.items() if v["StackInstanceStatus"]["DetailedStatus"] == "FAILED"}
    assert failed == {
        (tree["w1"], "us-east-1"): f"Template error: Unable to get mapping for VendAccounts1::{tree['w1']}::VpcCidruseast1",
        (tree["w1"], "eu-west-1"): f"Template error: Unable to get mapping for VendAccounts1::{tree['w1']}::VpcCidreuwest1",
    }
    assert _vpcs(tree["w1"], "us-east-1") == []
    assert _vpcs(tree["pay1"], "us-east-1") == [("10.0.0.0/20", "vpc-platform-REJECT")]


def test_shards_chain_through_default_values(cfn: Any, tree: dict[str, str]) -> None:
    """Rows in a second mapping: the first FindInMap misses and its DefaultValue, a second
    FindInMap, finds it; the last DefaultValue is the stack set's parameter."""
    lookup = {"Fn::FindInMap": ["VendAccounts1", {"Ref": "AWS::AccountId"}, "Name", {"DefaultValue": {
        "Fn::FindInMap": ["VendAccounts2", {"Ref": "AWS::AccountId"}, "Name", {"DefaultValue": {"Ref": "Name"}}]}}]}
    body = json.dumps({
        "Transform": "AWS::LanguageExtensions",
        "Parameters": {"Name": {"Type": "String", "Default": "shared"}},
        "Mappings": {"VendAccounts1": {tree["p1"]: {"Name": "first"}}, "VendAccounts2": {tree["pay1"]: {"Name": "second"}}},
        "Resources": {"Marker": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Name": "/baseline/name", "Type": "String", "Value": lookup}}}})
    cfn.create_stack_set(StackSetName="vpc", PermissionModel="SERVICE_MANAGED", AutoDeployment=AUTO,
                         TemplateBody=body, Capabilities=EXPAND, Parameters=[{"ParameterKey": "Name", "ParameterValue": "fallback"}])
    started = cfn.create_stack_instances(StackSetName="vpc", Regions=[REGION],
                                         DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]]})
    assert settle(cfn, "vpc", started["OperationId"])["Status"] == "SUCCEEDED"
    values = {a: member_client("ssm", a).get_parameter(Name="/baseline/name")["Parameter"]["Value"]
              for a in (tree["w1"], tree["p1"], tree["pay1"])}
    assert values == {tree["w1"]: "fallback", tree["p1"]: "first", tree["pay1"]: "second"}


def test_template_url_bodies_are_expanded_too(local: LocalAws, cfn: Any, tree: dict[str, str]) -> None:
    s3 = local.session().client("s3")
    s3.create_bucket(Bucket="vend-templates")
    s3.put_object(Bucket="vend-templates", Key="vpc.json", Body=_vpc_template(tree["p1"], tree["pay1"]).encode())
    _create(cfn, "", TemplateURL="https://vend-templates.s3.amazonaws.com/vpc.json")
    assert _deploy(cfn, tree["prod"])["Status"] == "SUCCEEDED"
    assert _vpcs(tree["pay1"], "eu-west-1") == [("10.16.0.0/20", "vpc-platform-REJECT")]
    assert set(instances(cfn, "vpc")) == {tree["p1"], tree["pay1"]}


def test_what_is_not_emulated_is_refused(cfn: Any, aws_error: Any) -> None:
    resources = {"Marker": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/x", "Type": "String", "Value": "x"}}}
    base = {"StackSetName": "vpc", "PermissionModel": "SERVICE_MANAGED", "AutoDeployment": AUTO}
    for function, value in (("Fn::Length", [1, 2]), ("Fn::ToJsonString", {"a": 1})):
        body = {"Transform": "AWS::LanguageExtensions", "Resources": {"Marker": {**resources["Marker"], "Properties": {
            **resources["Marker"]["Properties"], "Value": {function: value}}}}}
        refused = aws_error("ValidationError", cfn.create_stack_set, **base, TemplateBody=json.dumps(body), Capabilities=EXPAND)
        assert refused["Error"]["Message"] == (
            f"Template format error: {function} of the AWS::LanguageExtensions transform is not emulated by vend "
            "local (only Fn::FindInMap with DefaultValue and intrinsic arguments is); test this template against AWS")
    for_each = {"Transform": "AWS::LanguageExtensions", "Resources": {
        "Fn::ForEach::Topics": ["Name", ["A", "B"], {"Topic${Name}": {"Type": "AWS::SNS::Topic"}}], **resources}}
    refused = aws_error("ValidationError", cfn.create_stack_set, **base, TemplateBody=json.dumps(for_each), Capabilities=EXPAND)
    assert "Fn::ForEach::Topics of the AWS::LanguageExtensions transform is not emulated" in refused["Error"]["Message"]
    default = {"Mappings": {"M": {"a": {"b": "c"}}}, "Resources": {"Marker": {**resources["Marker"], "Properties": {
        **resources["Marker"]["Properties"], "Value": {"Fn::FindInMap": ["M", "a", "x", {"DefaultValue": "d"}]}}}}}
    refused = aws_error("ValidationError", cfn.create_stack_set, **base, TemplateBody=json.dumps(default))
    assert refused["Error"]["Message"] == language_extensions.THREE_ARGUMENTS
    needs = aws_error("InsufficientCapabilitiesException", cfn.create_stack_set, **base,
                      TemplateBody=json.dumps({**default, "Transform": "AWS::LanguageExtensions"}))
    assert needs["Error"]["Message"] == "Requires capabilities : [CAPABILITY_AUTO_EXPAND]"


def test_expand_resolves_intrinsic_arguments_and_drops_the_transform() -> None:
    template = {
        "Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Mappings": {"Cidrs": {"123456789012": {"euwest1": "10.1.0.0/16", "dev": "x"}}},
        "Resources": {"R": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Region": {"Fn::FindInMap": ["Cidrs", {"Ref": "AWS::AccountId"},
                                         {"Fn::Join": ["", {"Fn::Split": ["-", {"Ref": "AWS::Region"}]}]}]},
            "Select": {"Fn::FindInMap": ["Cidrs", {"Fn::Select": [0, {"Fn::Split": [":", "123456789012:y"]}]},
                                         {"Fn::Sub": "${Env}"}]},
            "Missing": {"Fn::FindInMap": ["Cidrs", "000000000000", "dev", {"DefaultValue": {"Ref": "AWS::NoValue"}}]},
            "Standard": {"Fn::FindInMap": ["Cidrs", {"Ref": "Bucket"}, "dev"]}}}}}
    known = language_extensions.values(template, "123456789012", "eu-west-1", "StackSet-x", {})
    expanded = language_extensions.expand(template, known)
    assert expanded["Transform"] == "AWS::Serverless-2016-10-31"
    assert expanded["Resources"]["R"]["Properties"] == {
        "Region": "10.1.0.0/16", "Select": "x", "Missing": {"Ref": "AWS::NoValue"},
        "Standard": {"Fn::FindInMap": ["Cidrs", {"Ref": "Bucket"}, "dev"]}}


def test_intrinsics_moto_lacks_are_filled_in() -> None:
    template = {"Parameters": {"Block": {"Type": "String"}}, "Resources": {"S": {"Type": "AWS::EC2::Subnet", "Properties": {
        "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]},
        "CidrBlock": {"Fn::Select": [1, {"Fn::Cidr": [{"Ref": "Block"}, 2, 11]}]},
        "Later": {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 2, 11]}}}}}
    known = language_extensions.values(template, "123456789012", "eu-west-1", "StackSet-x", {"Block": "10.0.16.0/20"})
    assert intrinsics.fill(template, known)["Resources"]["S"]["Properties"] == {
        "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": "eu-west-1"}]},
        "CidrBlock": {"Fn::Select": [1, ["10.0.16.0/21", "10.0.24.0/21"]]},
        "Later": {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 2, 11]}}


def test_the_stack_keeps_only_the_mappings_still_referred_to() -> None:
    # vend's per-account table is resolved by the transform: no stack carries every account's rows
    rows = {"VendAccounts1": {"123456789012": {"Cidr": "10.0.0.0/20"}, "210987654321": {"Cidr": "10.0.16.0/20"}}}
    resolved = {"Mappings": rows, "Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/20"}}}}
    left = {"Mappings": rows, "Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {
        "CidrBlock": {"Fn::FindInMap": ["VendAccounts1", {"Ref": "AWS::AccountId"}, "Cidr"]}}}}}
    known = language_extensions.values(resolved, "123456789012", "us-east-1", "StackSet-x", {})
    assert "Mappings" not in intrinsics.fill(resolved, known)
    assert intrinsics.fill(left, known)["Mappings"] == rows


def test_an_instance_whose_stack_failed_is_created_afresh_on_retry(cfn: Any, tree: dict[str, str]) -> None:
    body = json.dumps({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "vend-first"}},
        "Log": {"Type": "AWS::EC2::FlowLog", "DependsOn": "Topic", "Properties": {
            "ResourceId": "vpc-12345678", "ResourceType": "VPC", "TrafficType": "ALL",
            "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::no-such-bucket"}}}})
    cfn.create_stack_set(StackSetName="vpc", PermissionModel="SERVICE_MANAGED", AutoDeployment=AUTO, TemplateBody=body)
    started = cfn.create_stack_instances(StackSetName="vpc", Regions=[REGION],
                                         DeploymentTargets={"OrganizationalUnitIds": [tree["payments"]]})
    assert settle(cfn, "vpc", started["OperationId"])["Status"] == "FAILED"  # moto cannot log into no bucket
    assert member_client("sns", tree["pay1"]).list_topics()["Topics"] == []  # rolled back
    fixed = json.loads(body)
    del fixed["Resources"]["Log"]
    updated = cfn.update_stack_set(StackSetName="vpc", TemplateBody=json.dumps(fixed))
    assert settle(cfn, "vpc", updated["OperationId"])["Status"] == "SUCCEEDED"
    stacks = member_client("cloudformation", tree["pay1"]).describe_stacks()["Stacks"]
    assert [s["StackId"] for s in stacks] == [instances(cfn, "vpc")[tree["pay1"]]["StackId"]]


def test_a_flow_log_into_a_missing_bucket_fails_with_ec2s_reason(cfn: Any, tree: dict[str, str]) -> None:
    body = json.dumps({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "FlowLog": {"Type": "AWS::EC2::FlowLog", "Properties": {
            "ResourceId": {"Ref": "Vpc"}, "ResourceType": "VPC", "TrafficType": "REJECT",
            "LogDestinationType": "s3", "LogDestination": {"Fn::Sub": "arn:aws:s3:::logs-${AWS::AccountId}"}}}}})
    cfn.create_stack_set(StackSetName="vpc", PermissionModel="SERVICE_MANAGED", AutoDeployment=AUTO, TemplateBody=body)
    started = cfn.create_stack_instances(StackSetName="vpc", Regions=[REGION],
                                         DeploymentTargets={"Accounts": [tree["pay1"]], "AccountFilterType": "INTERSECTION",
                                                            "OrganizationalUnitIds": [tree["payments"]]})
    assert settle(cfn, "vpc", started["OperationId"])["Status"] == "FAILED"
    failed = cfn.list_stack_instances(StackSetName="vpc")["Summaries"]
    assert [i["StatusReason"] for i in failed] == [
        "ResourceLogicalId:FlowLog, ResourceType:AWS::EC2::FlowLog, ResourceStatusReason:Resource handler"
        f' returned message: "LogDestination: logs-{tree["pay1"]} does not exist." (HandlerErrorCode: InvalidRequest).']
    member_client("s3", tree["pay1"]).create_bucket(Bucket=f"logs-{tree['pay1']}")
    retried = cfn.create_stack_instances(StackSetName="vpc", Regions=[REGION], DeploymentTargets={
        "Accounts": [tree["pay1"]], "AccountFilterType": "INTERSECTION", "OrganizationalUnitIds": [tree["payments"]]},
        OperationId="retry-1")
    assert settle(cfn, "vpc", retried["OperationId"])["Status"] == "SUCCEEDED"
    logs = member_client("ec2", tree["pay1"]).describe_flow_logs()["FlowLogs"]
    assert [(f["LogDestination"], f["TrafficType"]) for f in logs] == [(f"arn:aws:s3:::logs-{tree['pay1']}", "REJECT")]
