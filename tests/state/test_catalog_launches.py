"""vending.state.catalog_launches against stand-in clients: a role AWS refuses to let vend assume
is an unreadable account with AWS's code, the management account is read with the caller's own
credentials, at most WORKERS accounts are read at once, every page is read, progress is told."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError

from tests.e2e.conftest import REPO_ROOT
from vending.model.catalog_types import CatalogHub
from vending.model.loader import load
from vending.state import catalog_launches
from vending.state.catalog_launches import WORKERS, read_launches, report_role, role_arn

MANAGEMENT = "111111111111"
CALLER = f"arn:aws-us-gov:sts::{MANAGEMENT}:assumed-role/vend/x"


class _Catalog:
    def __init__(self, account: str, state: dict[str, Any]) -> None:
        self.account, self.state = account, state

    def search_provisioned_products(self, **params: Any) -> dict[str, Any]:
        assert params["AccessLevelFilter"] == {"Key": "Account", "Value": "self"}
        assert params["PageSize"] == 100
        with self.state["lock"]:
            self.state["now"] += 1
            self.state["most"] = max(self.state["most"], self.state["now"])
        time.sleep(0.01)
        with self.state["lock"]:
            self.state["now"] -= 1
        if params.get("PageToken") is None:
            return {"ProvisionedProducts": [{"Name": "a", "ProductId": "prod-1", "ProvisioningArtifactId": "pa-1"}],
                    "NextPageToken": "t"}
        return {"ProvisionedProducts": [{"Name": "b", "ProductId": "prod-1", "ProvisioningArtifactId": "pa-2"}]}


class _Clients:
    def __init__(self, account: str, state: dict[str, Any]) -> None:
        self.account, self.state = account, state

    def principal(self) -> str:
        return CALLER

    def reader(self) -> "_Clients":
        return self

    def assumed(self, arn: str, region: str) -> "_Clients":
        self.state["assumed"].append(arn)
        account = arn.split(":")[4]
        if account.endswith("9"):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole")
        return _Clients(account, self.state)

    def client(self, service: str, region: str) -> _Catalog:
        assert (service, region) == ("servicecatalog", "us-gov-west-1")
        return _Catalog(self.account, self.state)


def test_accounts_are_read_in_parallel_and_a_refused_role_is_unreadable() -> None:
    state: dict[str, Any] = {"lock": threading.Lock(), "now": 0, "most": 0, "assumed": []}
    accounts = [MANAGEMENT] + [f"2222222222{i:02d}" for i in range(30)]
    told: list[tuple[int, int]] = []
    found = read_launches(_Clients(MANAGEMENT, state), accounts, MANAGEMENT, "Reader", "us-gov-west-1",  # type: ignore[arg-type]
                          lambda done, total: told.append((done, total)))
    refused = {a for a in accounts if a.endswith("9")}
    assert found.unreadable == {a: "AccessDenied" for a in refused}
    assert {launch.account for launch in found.found} == set(accounts) - refused
    assert len(found.found) == 2 * (len(accounts) - len(refused))  # both pages of each account
    assert MANAGEMENT not in {arn.split(":")[4] for arn in state["assumed"]}
    assert f"arn:aws-us-gov:iam::{accounts[1]}:role/Reader" in state["assumed"]
    assert 1 < state["most"] <= WORKERS
    assert told == [(i, len(accounts)) for i in range(1, len(accounts) + 1)]


def test_the_report_role_defaults_to_the_account_factory_s_role() -> None:
    settings = load(REPO_ROOT).settings
    assert report_role(replace(settings, catalog=None)) == "OrganizationAccountAccessRole"
    assert report_role(replace(settings, catalog=None, account_factory="control-tower")) == "AWSControlTowerExecution"
    assert report_role(replace(settings, catalog=CatalogHub(report_role="VendReport"))) == "VendReport"
    assert role_arn(None, "123456789012", "R") == "arn:aws:iam::123456789012:role/R"
    assert catalog_launches.DEFAULT_ROLES.keys() == {"organizations", "control-tower"}
