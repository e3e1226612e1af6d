"""IAM Identity Center in the local AWS (vending.local.ssoadmin): assignments and provisioning
asynchronous as in AWS, unknown permission sets, principals and accounts refused, quotas and the
botocore model enforced, a missing customer managed policy FAILED in AWS's words, and all of it
kept across processes."""
from __future__ import annotations

from typing import Any

import boto3
import pytest

from vending.local import LocalAws
from vending.local.ssoadmin.store import POLICIES_PER_PERMISSION_SET

REGION = "us-east-1"


@pytest.fixture
def sso(local: LocalAws) -> Any:
    return local.session().client("sso-admin", region_name=REGION)


@pytest.fixture
def instance(sso: Any) -> dict[str, str]:
    (found,) = sso.list_instances()["Instances"]
    return found


@pytest.fixture
def group(local: LocalAws, instance: dict[str, str]) -> str:
    store = local.session().client("identitystore", region_name=REGION)
    return store.get_group_id(IdentityStoreId=instance["IdentityStoreId"], AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Developers"}})["GroupId"]


@pytest.fixture
def member(org: Any) -> str:
    return next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Audit")


def _set(sso: Any, instance: dict[str, str], name: str = "ReadOnly") -> str:
    return sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name=name,
                                     SessionDuration="PT8H")["PermissionSet"]["PermissionSetArn"]


def _assign(sso: Any, instance: dict[str, str], ps: str, account: str, group: str) -> dict[str, Any]:
    return sso.create_account_assignment(InstanceArn=instance["InstanceArn"], TargetId=account,
                                         TargetType="AWS_ACCOUNT", PermissionSetArn=ps, PrincipalType="GROUP",
                                         PrincipalId=group)["AccountAssignmentCreationStatus"]


def test_the_landing_zone_has_an_instance_in_its_home_region_and_the_example_groups(local, instance) -> None:
    store = local.session().client("identitystore", region_name=REGION)
    names = {g["DisplayName"] for g in store.list_groups(IdentityStoreId=instance["IdentityStoreId"])["Groups"]}
    assert {"Developers", "Operators"} <= names
    assert instance["InstanceArn"].startswith("arn:aws:sso:::instance/ssoins-")
    assert local.session().client("sso-admin", region_name="eu-west-1").list_instances()["Instances"] == []


def test_an_assignment_is_in_progress_first_and_visible_once_succeeded(sso, instance, group, member) -> None:
    ps = _set(sso, instance)
    started = _assign(sso, instance, ps, member, group)
    assert started["Status"] == "IN_PROGRESS"
    seen = []
    for _ in range(3):
        seen.append(sso.describe_account_assignment_creation_status(
            InstanceArn=instance["InstanceArn"], AccountAssignmentCreationRequestId=started["RequestId"],
        )["AccountAssignmentCreationStatus"]["Status"])
    assert seen == ["IN_PROGRESS", "SUCCEEDED", "SUCCEEDED"]
    rows = sso.list_account_assignments_for_principal(InstanceArn=instance["InstanceArn"], PrincipalId=group,
                                                      PrincipalType="GROUP")["AccountAssignments"]
    assert rows == [{"AccountId": member, "PermissionSetArn": ps, "PrincipalType": "GROUP", "PrincipalId": group}]


def test_unknown_permission_set_principal_and_account_are_refused(sso, instance, group, member, aws_error) -> None:
    ps = _set(sso, instance)
    missing = ps[:-4] + "ffff"
    key = {"InstanceArn": instance["InstanceArn"], "TargetType": "AWS_ACCOUNT", "PrincipalType": "GROUP"}
    aws_error("ResourceNotFoundException", sso.create_account_assignment, **key, PermissionSetArn=missing,
              TargetId=member, PrincipalId=group)
    error = aws_error("ResourceNotFoundException", sso.create_account_assignment, **key, PermissionSetArn=ps,
                      TargetId=member, PrincipalId="abcdef0123-12345678-1234-1234-1234-123456789012")
    assert "does not exist in identity store" in error["Error"]["Message"]
    aws_error("ValidationException", sso.create_account_assignment, **key, PermissionSetArn=ps,
              TargetId="999999999999", PrincipalId=group)


def test_requests_outside_the_model_get_aws_validation_errors(sso, instance, aws_error) -> None:
    error = aws_error("ValidationException", sso.create_permission_set, InstanceArn=instance["InstanceArn"],
                      Name="has spaces!")
    assert "failed to satisfy constraint" in error["Error"]["Message"]
    aws_error("ValidationException", sso.create_permission_set, InstanceArn=instance["InstanceArn"], Name="Long",
              SessionDuration="PT13H")


def test_edits_leave_accounts_on_an_older_version_until_provisioned(sso, instance, group, member) -> None:
    ps = _set(sso, instance)
    arn = instance["InstanceArn"]
    _assign(sso, instance, ps, member, group)
    sso.list_instances()
    sso.list_instances()

    def stale() -> list[str]:
        return sso.list_accounts_for_provisioned_permission_set(
            InstanceArn=arn, PermissionSetArn=ps, ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
        )["AccountIds"]

    assert stale() == []
    sso.put_inline_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, InlinePolicy='{"Version":"2012-10-17","Statement":[]}')
    assert stale() == [member]
    started = sso.provision_permission_set(InstanceArn=arn, PermissionSetArn=ps,
                                           TargetType="ALL_PROVISIONED_ACCOUNTS")["PermissionSetProvisioningStatus"]
    assert started["Status"] == "IN_PROGRESS"
    status = "IN_PROGRESS"
    while status == "IN_PROGRESS":
        status = sso.describe_permission_set_provisioning_status(
            InstanceArn=arn, ProvisionPermissionSetRequestId=started["RequestId"])["PermissionSetProvisioningStatus"][
            "Status"]
    assert status == "SUCCEEDED" and stale() == []


def test_a_missing_customer_managed_policy_fails_the_assignment(sso, instance, group, member) -> None:
    ps = _set(sso, instance)
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=ps,
        CustomerManagedPolicyReference={"Name": "team-read", "Path": "/vend/"})
    started = _assign(sso, instance, ps, member, group)
    for _ in range(3):
        status = sso.describe_account_assignment_creation_status(
            InstanceArn=instance["InstanceArn"], AccountAssignmentCreationRequestId=started["RequestId"],
        )["AccountAssignmentCreationStatus"]
    assert status["Status"] == "FAILED"
    assert status["FailureReason"].startswith(f"Received a 404 status error: Not supported policy arn:aws:iam::{member}"
                                              ":policy/vend/team-read")


def test_quotas_are_aws_own(sso, instance, aws_error) -> None:
    ps = _set(sso, instance)
    for i in range(POLICIES_PER_PERMISSION_SET):
        sso.attach_customer_managed_policy_reference_to_permission_set(
            InstanceArn=instance["InstanceArn"], PermissionSetArn=ps, CustomerManagedPolicyReference={"Name": f"p{i}"})
    aws_error("ServiceQuotaExceededException", sso.attach_managed_policy_to_permission_set,
              InstanceArn=instance["InstanceArn"], PermissionSetArn=ps,
              ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    aws_error("ConflictException", sso.create_permission_set, InstanceArn=instance["InstanceArn"],
              Name="ReadOnly")  # the name is taken


def test_a_member_account_may_not_administer_the_organization_instance(local, instance, member, aws_error) -> None:
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    creds = local.session().client("sts").assume_role(RoleArn=role, RoleSessionName="member")["Credentials"]
    other = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"]).client("sso-admin", region_name=REGION)
    assert other.list_instances()["Instances"] == []
    aws_error("AccessDeniedException", other.list_permission_sets, InstanceArn=instance["InstanceArn"])


def test_the_identity_center_survives_a_new_process(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        sso = local.session().client("sso-admin", region_name=REGION)
        arn = sso.list_instances()["Instances"][0]["InstanceArn"]
        ps = sso.create_permission_set(InstanceArn=arn, Name="Kept")["PermissionSet"]["PermissionSetArn"]
    with LocalAws(tmp_path) as local:
        sso = local.session().client("sso-admin", region_name=REGION)
        assert sso.list_instances()["Instances"][0]["InstanceArn"] == arn
        assert sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps)["PermissionSet"]["Name"] == "Kept"
