"""Fixtures for the local-AWS tests: a fresh emulated organization per test (in tmp_path)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vending.local import LocalAws


@pytest.fixture
def local(tmp_path) -> Iterator[LocalAws]:
    with LocalAws(tmp_path, create_account_polls=2, close_account_polls=2) as aws:
        yield aws


@pytest.fixture
def org(local: LocalAws) -> Any:
    return local.session().client("organizations")


@pytest.fixture
def root_id(org: Any) -> str:
    return org.list_roots()["Roots"][0]["Id"]


@pytest.fixture
def aws_error() -> Callable[..., dict[str, Any]]:
    """aws_error(code, call, **params): call must fail with `code`; returns the error response."""

    def check(code: str, call: Callable[..., Any], **params: Any) -> dict[str, Any]:
        with pytest.raises(ClientError) as raised:
            call(**params)
        response = raised.value.response
        assert response["Error"]["Code"] == code, response["Error"]
        return response

    return check


@pytest.fixture
def make_ou(org: Any) -> Callable[[str, str], str]:
    def make(parent_id: str, name: str) -> str:
        return org.create_organizational_unit(ParentId=parent_id, Name=name)[
            "OrganizationalUnit"]["Id"]

    return make


@pytest.fixture
def wait_created(org: Any) -> Callable[[str], dict[str, Any]]:
    """Poll DescribeCreateAccountStatus until the request leaves IN_PROGRESS."""

    def wait(request_id: str) -> dict[str, Any]:
        for _ in range(50):
            status = org.describe_create_account_status(CreateAccountRequestId=request_id)[
                "CreateAccountStatus"]
            if status["State"] != "IN_PROGRESS":
                return status
        raise AssertionError(f"{request_id} never completed")

    return wait


@pytest.fixture
def new_account(org: Any, wait_created: Callable[[str], dict[str, Any]]) -> Callable[..., str]:
    """Create an account through the asynchronous API and return its id once SUCCEEDED."""

    def create(name: str, email: str | None = None, **extra: Any) -> str:
        email = email or f"{name.lower().replace(' ', '-')}@example.com"
        request = org.create_account(AccountName=name, Email=email, **extra)["CreateAccountStatus"]
        status = wait_created(request["Id"])
        assert status["State"] == "SUCCEEDED", status
        return status["AccountId"]

    return create


# ---------------------------------------------------------------- Control Tower / Service Catalog

CT_BASELINE = "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"
IC_BASELINE = "arn:aws:controltower:us-east-1::baseline/LN25R72TTG6IGPTQ"


@pytest.fixture
def ct_local(tmp_path) -> Iterator[LocalAws]:
    """A local landing zone with Control Tower set up (Security registered, Account Factory)."""
    with LocalAws(tmp_path, control_tower=True, provisioning_polls=3, operation_polls=2) as aws:
        yield aws


@pytest.fixture
def ct(ct_local: LocalAws) -> Any:
    return ct_local.session().client("controltower")


@pytest.fixture
def sc(ct_local: LocalAws) -> Any:
    return ct_local.session().client("servicecatalog")


@pytest.fixture
def ct_org(ct_local: LocalAws) -> Any:
    return ct_local.session().client("organizations")


@pytest.fixture
def factory(ct_local: LocalAws, sc: Any) -> dict[str, str]:
    """Ids of the Account Factory product and its one version."""
    summary = ct_local.landing_zone()
    assert summary is not None
    product_id = summary.account_factory_product_id
    artifacts = sc.list_provisioning_artifacts(ProductId=product_id)["ProvisioningArtifactDetails"]
    return {"ProductId": product_id, "ProvisioningArtifactId": artifacts[0]["Id"]}


def af_parameters(name: str, ou: str, email: str | None = None) -> list[dict[str, str]]:
    values = {"AccountName": name, "AccountEmail": email or f"{name.lower()}@example.com",
              "ManagedOrganizationalUnit": ou, "SSOUserEmail": "owner@example.com",
              "SSOUserFirstName": "Ada", "SSOUserLastName": "Lovelace"}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def register_ou(ct: Any, ct_org: Any) -> Callable[..., dict[str, Any]]:
    """Create an OU (under the root unless `parent_id`) and register it with Control Tower."""

    def register(name: str, parent_id: str | None = None) -> dict[str, Any]:
        parent = parent_id or ct_org.list_roots()["Roots"][0]["Id"]
        ou = ct_org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]
        identity = ct.list_enabled_baselines(filter={"baselineIdentifiers": [IC_BASELINE]})[
            "enabledBaselines"][0]["arn"]
        started = ct.enable_baseline(
            baselineIdentifier=CT_BASELINE, baselineVersion="4.0", targetIdentifier=ou["Arn"],
            parameters=[{"key": "IdentityCenterEnabledBaselineArn", "value": identity}])
        for _ in range(10):
            op = ct.get_baseline_operation(operationIdentifier=started["operationIdentifier"])
            if op["baselineOperation"]["status"] != "IN_PROGRESS":
                break
        assert op["baselineOperation"]["status"] == "SUCCEEDED", op
        return ou

    return register


@pytest.fixture
def provision(sc: Any, factory: dict[str, str]) -> Callable[..., str]:
    """Start an Account Factory ProvisionProduct; returns the record id."""

    def start(name: str, ou: str, email: str | None = None, token: str | None = None) -> str:
        extra = {"ProvisionToken": token} if token else {}
        detail = sc.provision_product(ProvisionedProductName=name, **factory, **extra,
                                      ProvisioningParameters=af_parameters(name, ou, email))
        return detail["RecordDetail"]["RecordId"]

    return start


@pytest.fixture
def wait_record(sc: Any) -> Callable[[str], dict[str, Any]]:
    """Poll DescribeRecord until the record completes; returns the whole answer."""

    def wait(record_id: str) -> dict[str, Any]:
        for _ in range(50):
            answer = sc.describe_record(Id=record_id)
            if answer["RecordDetail"]["Status"] in ("SUCCEEDED", "FAILED"):
                return answer
        raise AssertionError(f"{record_id} never completed")

    return wait


@pytest.fixture
def af_params() -> Callable[..., list[dict[str, str]]]:
    """af_params(name, ou, email=None): the six Account Factory parameters."""
    return af_parameters
