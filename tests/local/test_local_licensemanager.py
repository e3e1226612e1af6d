"""The License Manager emulator: the Marketplace licenses the management account bought, grants
with AWS's status workflow, acceptance and activation in the recipient account, auto-acceptance
with AWS Organizations linked, one active license per product per account, read back through
boto3 (as the management account and as the recipient)."""
from __future__ import annotations

from typing import Any

import pytest

from vending.local import LocalAws, isolated_session

SKU = "8a7cbcf2-obs-agent-enterprise"
OPS = ["CheckoutLicense", "CheckInLicense"]


@pytest.fixture
def lm(local: LocalAws) -> Any:
    return local.session().client("license-manager", region_name="us-east-1")


@pytest.fixture
def member(new_account) -> str:
    return new_account("Payments Prod")


def _as(local: LocalAws, account: str) -> Any:
    creds = local.session().client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="test")["Credentials"]
    return isolated_session().client("license-manager", region_name="us-east-1",
                                     aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"],
                                     aws_session_token=creds["SessionToken"])


def _license(lm: Any, sku: str = SKU) -> dict[str, Any]:
    [found] = lm.list_received_licenses(Filters=[{"Name": "ProductSKU", "Values": [sku]}])["Licenses"]
    return found


def _grant(lm: Any, principal: str, token: str = "t1", sku: str = SKU, **extra: Any) -> dict[str, Any]:
    return lm.create_grant(ClientToken=token, GrantName=f"grant-{token}", LicenseArn=_license(lm, sku)["LicenseArn"],
                           Principals=[principal], HomeRegion="us-east-1", AllowedOperations=OPS, **extra)


def test_the_management_account_received_the_marketplace_licenses_it_bought(lm) -> None:
    licenses = lm.list_received_licenses()["Licenses"]
    assert len(licenses) == 3
    found = _license(lm)
    assert found["Issuer"]["Name"] == "AWS/Marketplace" and found["HomeRegion"] == "us-east-1"
    assert found["LicenseArn"].startswith("arn:aws:license-manager::294406891311:license:l-")
    assert found["Entitlements"][0]["Name"] == "Hosts" and found["ReceivedMetadata"]["ReceivedStatus"] == "ACTIVE"
    assert lm.get_license(LicenseArn=found["LicenseArn"])["License"]["ProductSKU"] == SKU
    assert lm.list_licenses()["Licenses"] == []  # it issued none
    first = lm.list_received_licenses(MaxResults=2)
    rest = lm.list_received_licenses(MaxResults=2, NextToken=first["NextToken"])
    assert len(first["Licenses"]) == 2 and len(rest["Licenses"]) == 1 and "NextToken" not in rest


def test_a_grant_waits_for_acceptance_and_activation_in_the_recipient_account(local, lm, member) -> None:
    created = _grant(lm, f"arn:aws:iam::{member}:root")
    assert (created["Status"], created["Version"]) == ("PENDING_WORKFLOW", "1")
    assert created["GrantArn"].startswith("arn:aws:license-manager::123456789012:grant:g-")
    got = lm.get_grant(GrantArn=created["GrantArn"])["Grant"]  # a read: the workflow has run
    assert got["GrantStatus"] == "PENDING_ACCEPT" and got["GrantedOperations"] == OPS
    recipient = _as(local, member)
    [received] = recipient.list_received_grants()["Grants"]
    assert received["GrantArn"] == created["GrantArn"] and received["GrantStatus"] == "PENDING_ACCEPT"
    with pytest.raises(recipient.exceptions.ValidationException, match="accept it first"):
        recipient.create_grant_version(ClientToken="a1", GrantArn=created["GrantArn"], Status="ACTIVE")
    assert recipient.accept_grant(GrantArn=created["GrantArn"])["Status"] == "DISABLED"
    activated = recipient.create_grant_version(ClientToken="a1", GrantArn=created["GrantArn"], Status="ACTIVE")
    assert (activated["Status"], activated["Version"]) == ("ACTIVE", "2")
    assert lm.get_grant(GrantArn=created["GrantArn"])["Grant"]["GrantStatus"] == "ACTIVE"
    [license] = recipient.list_received_licenses()["Licenses"]
    assert license["ReceivedMetadata"] == {"ReceivedStatus": "ACTIVE", "AllowedOperations": OPS}
    assert license["Beneficiary"] == member


def test_a_repeated_client_token_answers_the_same_grant(lm, member) -> None:
    first = _grant(lm, f"arn:aws:iam::{member}:root", token="same")
    again = _grant(lm, f"arn:aws:iam::{member}:root", token="same")
    assert again["GrantArn"] == first["GrantArn"]
    assert [g["GrantArn"] for g in lm.list_distributed_grants()["Grants"]] == [first["GrantArn"]]


def test_with_organizations_linked_an_ou_grant_is_accepted_in_each_account_of_it(local, lm, org, root_id,
                                                                                  new_account) -> None:
    assert lm.get_service_settings()["OrganizationConfiguration"] == {"EnableIntegration": False}
    with pytest.raises(lm.exceptions.InvalidParameterValueException, match="linked"):
        lm.update_service_settings(EnableCrossAccountsDiscovery=True)
    lm.update_service_settings(OrganizationConfiguration={"EnableIntegration": True},
                               EnableCrossAccountsDiscovery=True)
    settings = lm.get_service_settings()
    assert settings["OrganizationConfiguration"] == {"EnableIntegration": True}
    assert settings["EnableCrossAccountsDiscovery"] is True and "LicenseManagerResourceShareArn" in settings
    prod = org.create_organizational_unit(ParentId=root_id, Name="Prod")["OrganizationalUnit"]
    account = new_account("Shop Prod")
    org.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=prod["Id"])
    created = _grant(lm, prod["Arn"])
    assert lm.get_grant(GrantArn=created["GrantArn"])["Grant"]["GrantStatus"] == "WORKFLOW_COMPLETED"
    recipient = _as(local, account)
    [received] = recipient.list_received_grants(Filters=[{"Name": "GrantStatus", "Values": ["DISABLED"]}])["Grants"]
    assert received["GranteePrincipalArn"] == prod["Arn"]
    assert recipient.create_grant_version(ClientToken="go", GrantArn=created["GrantArn"],
                                          Status="ACTIVE")["Status"] == "ACTIVE"
    assert _as(local, new_account("Elsewhere")).list_received_grants()["Grants"] == []


def test_one_active_license_per_product_per_account_unless_the_activation_overrides(local, lm, member) -> None:
    lm.update_service_settings(OrganizationConfiguration={"EnableIntegration": True})
    first = _grant(lm, f"arn:aws:iam::{member}:root", token="one")
    second = _grant(lm, f"arn:aws:iam::{member}:root", token="two")
    assert lm.get_grant(GrantArn=first["GrantArn"])["Grant"]["GrantStatus"] == "DISABLED"  # auto-accepted
    recipient = _as(local, member)
    recipient.create_grant_version(ClientToken="x", GrantArn=first["GrantArn"], Status="ACTIVE")
    with pytest.raises(recipient.exceptions.ValidationException, match="already has an active license"):
        recipient.create_grant_version(ClientToken="y", GrantArn=second["GrantArn"], Status="ACTIVE")
    recipient.create_grant_version(ClientToken="z", GrantArn=second["GrantArn"], Status="ACTIVE",
                                   Options={"ActivationOverrideBehavior": "DISTRIBUTED_GRANTS_ONLY"})
    statuses = {g["GrantArn"]: g["GrantStatus"] for g in lm.list_distributed_grants()["Grants"]}
    assert statuses == {first["GrantArn"]: "DISABLED", second["GrantArn"]: "ACTIVE"}


def test_versions_and_deletion_by_the_granter(local, lm, member) -> None:
    created = _grant(lm, f"arn:aws:iam::{member}:root")
    changed = lm.create_grant_version(ClientToken="v2", GrantArn=created["GrantArn"], SourceVersion="1",
                                      AllowedOperations=["CheckoutLicense"], GrantName="renamed")
    assert changed["Version"] == "2"
    got = lm.get_grant(GrantArn=created["GrantArn"])["Grant"]
    assert (got["GrantName"], got["GrantedOperations"]) == ("renamed", ["CheckoutLicense"])
    with pytest.raises(lm.exceptions.ValidationException, match="not the current version"):
        lm.delete_grant(GrantArn=created["GrantArn"], Version="1")
    assert lm.delete_grant(GrantArn=created["GrantArn"], Version="2")["Status"] == "DELETED"
    [listed] = lm.list_distributed_grants()["Grants"]  # still listed, as DELETED
    assert listed["GrantStatus"] == "DELETED"
    assert lm.get_grant(GrantArn=created["GrantArn"])["Grant"]["GrantStatus"] == "DELETED"
    assert _as(local, member).list_received_grants()["Grants"] == []
    with pytest.raises(lm.exceptions.ValidationException, match="deleted"):
        lm.create_grant_version(ClientToken="v3", GrantArn=created["GrantArn"], GrantName="again")
    again = _grant(lm, f"arn:aws:iam::{member}:root")  # the first token: AWS answers the deleted grant
    assert (again["GrantArn"], again["Status"]) == (created["GrantArn"], "DELETED")


def test_strict_where_aws_is(lm, member, aws_error) -> None:
    arn = _license(lm)["LicenseArn"]
    base = dict(ClientToken="t", GrantName="g", LicenseArn=arn, Principals=[f"arn:aws:iam::{member}:root"],
                HomeRegion="us-east-1", AllowedOperations=OPS)
    aws_error("InvalidParameterValueException", lm.create_grant,
              **{**base, "LicenseArn": "arn:aws:license-manager::294406891311:license:l-" + "0" * 32})
    aws_error("InvalidParameterValueException", lm.create_grant,
              **{**base, "Principals": ["arn:aws:organizations::123456789012:ou/o-nope/ou-nope-nope1234"]})
    aws_error("InvalidParameterValueException", lm.create_grant, **{**base, "HomeRegion": "eu-west-1"})
    aws_error("ValidationException", lm.create_grant, **{**base, "AllowedOperations": ["Fly"]})
    aws_error("ValidationException", lm.create_grant,
              **{**base, "Principals": [f"arn:aws:iam::{member}:root", "arn:aws:iam::111111111111:root"]})
    aws_error("InvalidParameterValueException", lm.list_distributed_grants, Filters=[{"Name": "Nope", "Values": ["x"]}])
    assert lm.list_distributed_grants()["Grants"] == []


def test_grants_persist_across_processes_and_serve_over_http(tmp_path) -> None:
    import boto3

    from vending.local import LocalServer

    with LocalAws(tmp_path) as aws:
        lm = aws.session().client("license-manager", region_name="us-east-1")
        created = _grant(lm, "arn:aws:iam::111122223333:root")
    with LocalServer(tmp_path, port=0) as server:
        remote = boto3.client("license-manager", endpoint_url=server.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        assert remote.get_grant(GrantArn=created["GrantArn"])["Grant"]["GrantStatus"] == "PENDING_ACCEPT"
        remote.create_grant_version(ClientToken="v2", GrantArn=created["GrantArn"], GrantName="over-http")
    with LocalAws(tmp_path) as aws:
        lm = aws.session().client("license-manager", region_name="us-east-1")
        got = lm.get_grant(GrantArn=created["GrantArn"])["Grant"]
        assert (got["GrantName"], got["Version"]) == ("over-http", "2")


def test_vends_clients_retry_license_managers_throttling(local, monkeypatch) -> None:
    """RateLimitExceededException is modeled without botocore's retryable trait: standard mode
    alone would give up at once; vend's clients back off and retry it."""
    from vending.aws.clients import AwsClients

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    local.faults.fail("ListDistributedGrants", code="RateLimitExceededException", service="license-manager")
    local.faults.fail("ListDistributedGrants", on_call=2, code="RateLimitExceededException", service="license-manager")
    lm = AwsClients(local.session()).client("license-manager", "us-east-1")
    assert lm.list_distributed_grants()["Grants"] == []
    plain = local.session().client("license-manager", region_name="us-east-1")
    local.faults.fail("ListDistributedGrants", code="RateLimitExceededException", service="license-manager")
    with pytest.raises(plain.exceptions.RateLimitExceededException):
        plain.list_distributed_grants()
