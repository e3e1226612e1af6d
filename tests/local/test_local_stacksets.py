"""The StackSets emulator: stack sets, targets and operations as AWS runs them (CFN-API)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.stacksets_support import (  # noqa: F401 (fixtures)
    AUTO,
    PRINCIPAL,
    REGION,
    TEMPLATE,
    cfn,
    instances,
    make_set,
    member_stacks,
    settle,
    tree,
)
from vending.local import LocalAws


def test_service_managed_needs_trusted_access(local: LocalAws, org: Any, aws_error: Any) -> None:
    client = local.session().client("cloudformation")
    response = aws_error("ValidationError", client.create_stack_set, StackSetName="baseline",
                         TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED",
                         AutoDeployment=AUTO)
    assert response["Error"]["Message"] == (
        "You must enable organizations access to operate a service managed stack set")
    assert client.describe_organizations_access()["Status"] == "DISABLED"
    client.activate_organizations_access()  # enables the trusted access in Organizations
    principals = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [p["ServicePrincipal"] for p in principals] == [PRINCIPAL]
    assert make_set(client).startswith("baseline:")


def test_create_checks_what_aws_checks(cfn: Any, aws_error: Any) -> None:
    base = {"StackSetName": "baseline", "TemplateBody": TEMPLATE,
            "PermissionModel": "SERVICE_MANAGED"}
    aws_error("ValidationError", cfn.create_stack_set, **base)  # AutoDeployment required
    role = json.dumps({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "audit", "AssumeRolePolicyDocument": {}}}}})
    named = aws_error("InsufficientCapabilitiesException", cfn.create_stack_set,
                      **{**base, "TemplateBody": role, "AutoDeployment": AUTO,
                         "Capabilities": ["CAPABILITY_IAM"]})
    assert named["Error"]["Message"] == "Requires capabilities : [CAPABILITY_NAMED_IAM]"
    bad_name = aws_error("ValidationError", cfn.create_stack_set,
                         **{**base, "StackSetName": "9lives", "AutoDeployment": AUTO})
    assert "Member must satisfy regular expression pattern" in bad_name["Error"]["Message"]
    first = cfn.create_stack_set(**base, AutoDeployment=AUTO, ClientRequestToken="t-1")
    again = cfn.create_stack_set(**base, AutoDeployment=AUTO, ClientRequestToken="t-1")
    assert again["StackSetId"] == first["StackSetId"]
    taken = aws_error("NameAlreadyExistsException", cfn.create_stack_set, **base,
                      AutoDeployment=AUTO)
    assert taken["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_describe_and_list_read_back_everything(cfn: Any) -> None:
    make_set(cfn, Description="Account baseline", Capabilities=["CAPABILITY_IAM"],
             Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}],
             Tags=[{"Key": "team", "Value": "platform"}], ManagedExecution={"Active": False})
    described = cfn.describe_stack_set(StackSetName="baseline")["StackSet"]
    assert described["AutoDeployment"] == AUTO
    assert described["ManagedExecution"] == {"Active": False}
    assert described["Parameters"] == [{"ParameterKey": "Env", "ParameterValue": "prod"}]
    assert described["TemplateBody"] == TEMPLATE
    assert described["Capabilities"] == ["CAPABILITY_IAM"]
    assert described["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert described["PermissionModel"] == "SERVICE_MANAGED"
    assert described["OrganizationalUnitIds"] == []
    assert described["StackSetARN"] == (
        f"arn:aws:cloudformation:{REGION}:123456789012:stackset/{described['StackSetId']}")
    for index in range(3):
        make_set(cfn, f"extra{index}")
    cfn.delete_stack_set(StackSetName="extra0")
    first = cfn.list_stack_sets(Status="ACTIVE", MaxResults=2)
    rest = cfn.list_stack_sets(Status="ACTIVE", MaxResults=2, NextToken=first["NextToken"])
    names = [s["StackSetName"] for s in first["Summaries"] + rest["Summaries"]]
    assert names == ["baseline", "extra1", "extra2"]
    assert "NextToken" not in rest
    deleted = cfn.list_stack_sets(Status="DELETED")["Summaries"]
    assert [(s["StackSetName"], s["Status"]) for s in deleted] == [("extra0", "DELETED")]


def test_ou_targets_reach_every_depth_never_the_management_account(
        cfn: Any, tree: dict[str, str]) -> None:
    make_set(cfn)
    started = cfn.create_stack_instances(
        StackSetName="baseline", Regions=[REGION],
        DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]]})
    first = cfn.describe_stack_set_operation(StackSetName="baseline",
                                             OperationId=started["OperationId"])
    assert first["StackSetOperation"]["Status"] == "RUNNING"
    done = settle(cfn, "baseline", started["OperationId"])
    assert done["Status"] == "SUCCEEDED"
    assert done["DeploymentTargets"] == {"OrganizationalUnitIds": [tree["workloads"]]}
    assert done["StatusDetails"]["FailedStackInstancesCount"] == 0
    assert done["OperationPreferences"] == {"RegionConcurrencyType": "SEQUENTIAL",
                                            "FailureToleranceCount": 0, "MaxConcurrentCount": 1}
    found = instances(cfn, "baseline")
    assert set(found) == {tree["w1"], tree["p1"], tree["pay1"]}  # grandchild OU included
    grandchild = found[tree["pay1"]]
    assert grandchild["Status"] == "CURRENT"
    assert grandchild["StackInstanceStatus"] == {"DetailedStatus": "SUCCEEDED"}
    assert grandchild["OrganizationalUnitId"] == tree["workloads"]
    assert grandchild["LastOperationId"] == started["OperationId"]
    name = grandchild["StackId"].split("/")[1]
    assert name.startswith("StackSet-baseline-")
    assert member_stacks(tree["pay1"]) == {name: {"Env": "dev", "Owner": "platform"}}
    whole = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                       DeploymentTargets={"OrganizationalUnitIds": [tree["root"]]})
    settle(cfn, "baseline", whole["OperationId"])
    everyone = instances(cfn, "baseline")
    assert "123456789012" not in everyone
    assert tree["loose"] in everyone and len(everyone) == 6  # + Log Archive, Audit
    assert member_stacks("123456789012") == {}


def test_account_filters(cfn: Any, tree: dict[str, str], aws_error: Any) -> None:
    make_set(cfn)
    targets = {"OrganizationalUnitIds": [tree["workloads"]], "Accounts": [tree["p1"]]}
    aws_error("ValidationError", cfn.create_stack_instances, StackSetName="baseline",
              Regions=[REGION], DeploymentTargets=targets)  # both need AccountFilterType
    aws_error("ValidationError", cfn.create_stack_instances, StackSetName="baseline",
              Regions=[REGION], DeploymentTargets={**targets, "AccountFilterType": "UNION"})
    only = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                      DeploymentTargets={**targets,
                                                         "AccountFilterType": "INTERSECTION"})
    settle(cfn, "baseline", only["OperationId"])
    assert set(instances(cfn, "baseline")) == {tree["p1"]}
    rest = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                      DeploymentTargets={**targets,
                                                         "AccountFilterType": "DIFFERENCE"})
    settle(cfn, "baseline", rest["OperationId"])
    assert set(instances(cfn, "baseline")) == {tree["w1"], tree["p1"], tree["pay1"]}


def test_one_operation_at_a_time(cfn: Any, tree: dict[str, str], aws_error: Any) -> None:
    set_id = make_set(cfn)
    targets = {"OrganizationalUnitIds": [tree["prod"]]}
    first = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                       DeploymentTargets=targets)
    busy = aws_error("OperationInProgressException", cfn.update_stack_set,
                     StackSetName="baseline", UsePreviousTemplate=True)
    assert busy["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert busy["Error"]["Message"] == (
        f"Another Operation on StackSet arn:aws:cloudformation:{REGION}:123456789012:stackset/"
        f"{set_id} is in progress")
    aws_error("OperationInProgressException", cfn.delete_stack_set, StackSetName="baseline")
    settle(cfn, "baseline", first["OperationId"])
    aws_error("StackSetNotEmptyException", cfn.delete_stack_set, StackSetName="baseline")


def test_operation_id_is_an_idempotency_token(cfn: Any, tree: dict[str, str],
                                              aws_error: Any) -> None:
    make_set(cfn)
    request = {"StackSetName": "baseline", "Regions": [REGION], "OperationId": "op-1",
               "DeploymentTargets": {"OrganizationalUnitIds": [tree["prod"]]}}
    assert cfn.create_stack_instances(**request)["OperationId"] == "op-1"
    assert cfn.create_stack_instances(**request)["OperationId"] == "op-1"  # retried, running
    settle(cfn, "baseline", "op-1")
    assert cfn.create_stack_instances(**request)["OperationId"] == "op-1"  # retried, done
    assert len(cfn.list_stack_set_operations(StackSetName="baseline")["Summaries"]) == 1
    aws_error("OperationIdAlreadyExistsException", cfn.create_stack_instances,
              **{**request, "Regions": ["eu-west-1"]})


def test_fifty_ous_at_most(cfn: Any, tree: dict[str, str], aws_error: Any) -> None:
    make_set(cfn)
    many = [tree["prod"]] + [f"ou-abcd-{index:08d}" for index in range(50)]
    response = aws_error("ValidationError", cfn.create_stack_instances,
                         StackSetName="baseline", Regions=[REGION],
                         DeploymentTargets={"OrganizationalUnitIds": many})
    assert response["Error"]["Message"] == (
        "The maximum number of organizational units (OUs) supported by a CreateStackInstances "
        "operation is 50.")


def test_instance_quota(tmp_path: Any) -> None:
    with LocalAws(tmp_path, stack_instance_quota=2) as aws:
        org = aws.session().client("organizations")
        org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
        client = aws.session().client("cloudformation")
        make_set(client)
        root = org.list_roots()["Roots"][0]["Id"]
        security = next(o["Id"] for o in org.list_organizational_units_for_parent(
            ParentId=root)["OrganizationalUnits"] if o["Name"] == "Security")
        with pytest.raises(ClientError) as raised:  # Log Archive and Audit in two Regions
            client.create_stack_instances(StackSetName="baseline", Regions=[REGION, "eu-west-1"],
                                          DeploymentTargets={"OrganizationalUnitIds": [security]})
        assert raised.value.response["Error"]["Code"] == "LimitExceededException"
        assert "would have 4 stack instances; the quota is 2" in str(raised.value)
        assert client.list_stack_instances(StackSetName="baseline")["Summaries"] == []
        one_region = client.create_stack_instances(
            StackSetName="baseline", Regions=[REGION],
            DeploymentTargets={"OrganizationalUnitIds": [security]})
        assert settle(client, "baseline", one_region["OperationId"])["Status"] == "SUCCEEDED"


def test_malformed_requests_get_validation_error(cfn: Any, aws_error: Any) -> None:
    make_set(cfn)
    too_many = aws_error("ValidationError", cfn.list_stack_instances, StackSetName="baseline",
                         MaxResults=500)
    assert too_many["Error"]["Message"] == (
        "1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100")
    bad_ou = aws_error("ValidationError", cfn.create_stack_instances, StackSetName="baseline",
                       Regions=[REGION], DeploymentTargets={"OrganizationalUnitIds": ["nope"]})
    assert "regular expression pattern" in bad_ou["Error"]["Message"]
    aws_error("StackSetNotFoundException", cfn.describe_stack_set, StackSetName="missing")


def test_service_managed_targets_are_ous_of_the_stack_set(cfn: Any, tree: dict[str, str],
                                                          aws_error: Any) -> None:
    make_set(cfn)
    started = cfn.create_stack_instances(StackSetName="baseline", Regions=[REGION],
                                         DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]})
    settle(cfn, "baseline", started["OperationId"])
    accounts_only = aws_error("ValidationError", cfn.delete_stack_instances,
                              StackSetName="baseline", Regions=[REGION], RetainStacks=False,
                              DeploymentTargets={"Accounts": [tree["p1"]]})
    assert accounts_only["Error"]["Message"] == (
        "StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as "
        "target")
    other = aws_error("ValidationError", cfn.update_stack_instances, StackSetName="baseline",
                      Regions=[REGION],
                      DeploymentTargets={"OrganizationalUnitIds": [tree["workloads"]]})
    assert other["Error"]["Message"] == (
        f"Organizational unit {tree['workloads']} not found in StackSet")


def test_template_url_reads_the_local_s3(local: LocalAws, cfn: Any, aws_error: Any) -> None:
    s3 = local.session().client("s3")
    s3.create_bucket(Bucket="templates")
    s3.put_object(Bucket="templates", Key="baseline.json", Body=TEMPLATE.encode())
    url = "https://templates.s3.amazonaws.com/baseline.json"
    cfn.create_stack_set(StackSetName="baseline", TemplateURL=url,
                         PermissionModel="SERVICE_MANAGED", AutoDeployment=AUTO)
    assert cfn.describe_stack_set(StackSetName="baseline")["StackSet"]["TemplateBody"] == TEMPLATE
    missing = aws_error("ValidationError", cfn.update_stack_set, StackSetName="baseline",
                        TemplateURL="https://templates.s3.amazonaws.com/absent.json")
    assert missing["Error"]["Message"] == "TemplateURL must be a supported URL."


def test_self_managed_stack_sets_take_accounts(local: LocalAws, aws_error: Any) -> None:
    client = local.session().client("cloudformation")  # no trusted access needed
    client.create_stack_set(StackSetName="self", TemplateBody=TEMPLATE)
    aws_error("ValidationError", client.create_stack_set, StackSetName="auto",
              TemplateBody=TEMPLATE, AutoDeployment=AUTO)  # service-managed only
    started = client.create_stack_instances(
        StackSetName="self", Accounts=["111111111111"], Regions=[REGION],
        ParameterOverrides=[{"ParameterKey": "Env", "ParameterValue": "sandbox"}])
    assert settle(client, "self", started["OperationId"])["Status"] == "SUCCEEDED"
    assert list(member_stacks("111111111111").values()) == [{"Env": "sandbox",
                                                             "Owner": "platform"}]
    described = client.describe_stack_set(StackSetName="self")["StackSet"]
    assert described["PermissionModel"] == "SELF_MANAGED"
    assert described["AdministrationRoleARN"] == (
        "arn:aws:iam::123456789012:role/AWSCloudFormationStackSetAdministrationRole")
    assert "OrganizationalUnitIds" not in described
