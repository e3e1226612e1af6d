"""Portfolio shares end to end against the local emulator: Organizations access enabled once,
organization-node shares created and polled to COMPLETED, read back through boto3 (each share
type), converged; a share removed out of band comes back, a flag change is an update, a share
dropped from the file is deleted. The applier's waiting is checked against scripted answers:
COMPLETED_WITH_ERRORS and ERROR verbatim, no update while a share is in progress."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vending.apply.catalog_shares import apply_share
from vending.apply.context import INSTANT, ApplyContext
from vending.aws.clients import CallCounter
from vending.errors import ApplyFailure
from vending.local import LocalAws
from vending.plan.changes import Action, Change, Kind
from tests.state import catalog_repo as repo


@pytest.fixture
def local(tmp_path: Path) -> Any:
    with LocalAws(tmp_path / "aws") as aws:
        repo.create_bucket(aws)
        yield aws


def shares(local: LocalAws, name: str) -> list[tuple[str, str, bool, bool, bool]]:
    client = repo.hub(local)
    pid = next(p["Id"] for p in client.list_portfolios()["PortfolioDetails"] if p["DisplayName"] == name)
    return sorted((s["Type"], s["PrincipalId"], s["Accepted"], s["ShareTagOptions"], s["SharePrincipals"])
                  for kind in ("ACCOUNT", "ORGANIZATION", "ORGANIZATIONAL_UNIT", "ORGANIZATION_MEMBER_ACCOUNT")
                  for s in client.describe_portfolio_shares(PortfolioId=pid, Type=kind)["PortfolioShareDetails"])


def ids(local: LocalAws) -> dict[str, str]:
    org = local.session().client("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    found = {ou["Name"]: ou["Id"] for ou in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]}
    found.update({a["Name"]: a["Id"] for a in org.list_accounts()["Accounts"]})
    found["org"] = org.describe_organization()["Organization"]["Id"]
    return found


def test_shares_are_created_completed_read_back_and_converge(local: LocalAws, tmp_path: Path) -> None:
    first, again = repo.apply(local, repo.make(tmp_path / "repo"))
    access = next(c for c in first.changes if c.kind is Kind.CATALOG_ORG_ACCESS)
    assert (access.address, access.before, access.after) == ("catalog_org_access", {"access": "DISABLED"}, {"access": "ENABLED"})
    dev = next(c for c in first.changes if c.address == "portfolio_share:dev@ou:Workloads")
    assert dev.depends_on == ("portfolio:dev", "ou:Workloads", "catalog_org_access")
    assert repo.hub(local).get_aws_organizations_access_status()["AccessStatus"] == "ENABLED"
    known = ids(local)
    assert shares(local, "Dev builders") == [("ORGANIZATIONAL_UNIT", known["Workloads"], True, True, True)]
    assert shares(local, "Test builders") == [
        ("ORGANIZATION", known["org"], True, False, True),
        ("ORGANIZATION_MEMBER_ACCOUNT", known["Log Archive"], True, False, False)]  # AWS ignores SharePrincipals there
    assert repo.pending(again) == []


def test_a_share_removed_out_of_band_comes_back_and_flags_and_removals_follow_git(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    client = repo.hub(local)
    known = ids(local)
    dev = next(p["Id"] for p in client.list_portfolios()["PortfolioDetails"] if p["DisplayName"] == "Dev builders")
    client.delete_portfolio_share(PortfolioId=dev, OrganizationNode={"Type": "ORGANIZATIONAL_UNIT", "Value": known["Workloads"]})
    path = root / "catalog/portfolios/test.yaml"
    path.write_text(path.read_text().replace("  - account: Log Archive\n", "").replace(
        "share_principals: true", "share_principals: true\nshare_tag_options: true"))
    first, again = repo.apply(local, root)
    changes = {c.address: c.action for c in first.changes if c.kind is Kind.PORTFOLIO_SHARE}
    assert changes == {"portfolio_share:dev@ou:Workloads": Action.CREATE,
                       "portfolio_share:test@organization": Action.UPDATE,
                       "portfolio_share:test@account:Log Archive": Action.DELETE}
    assert not any(c.kind is Kind.CATALOG_ORG_ACCESS for c in first.changes)
    assert shares(local, "Dev builders") == [("ORGANIZATIONAL_UNIT", known["Workloads"], True, True, True)]
    assert shares(local, "Test builders") == [("ORGANIZATION", known["org"], True, True, True)]
    assert repo.pending(again) == []


def test_the_whole_catalog_is_read_without_a_call_per_account(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    counted = []
    for extra in ({}, {f"accounts/a{i}.yaml": f"name: A{i}\nemail: a{i}@example.com\nou: Workloads\nowner: x\n"
                       for i in range(4)}):
        repo.apply(local, repo.make(root, extra))
        counter = CallCounter()
        repo.plan(local, root, counter)
        counted.append({op: n for op, n in counter.counts.items() if op in CATALOG_READS})
    assert counted[0] == counted[1] == {
        "ListTagOptions": 1, "GetAWSOrganizationsAccessStatus": 1, "SearchProductsAsAdmin": 3,
        "DescribeProductAsAdmin": 2, "ListProvisioningArtifacts": 2, "DescribeProvisioningArtifact": 3,
        "ListPortfolios": 1, "DescribePortfolio": 2, "ListPrincipalsForPortfolio": 2,
        "ListConstraintsForPortfolio": 2, "DescribeConstraint": 5, "DescribePortfolioShares": 8}


CATALOG_READS = ("ListTagOptions", "GetAWSOrganizationsAccessStatus", "SearchProductsAsAdmin", "DescribeProductAsAdmin",
                 "ListProvisioningArtifacts", "DescribeProvisioningArtifact", "ListPortfolios", "DescribePortfolio",
                 "ListPrincipalsForPortfolio", "ListConstraintsForPortfolio", "DescribeConstraint",
                 "DescribePortfolioShares")


class Scripted:
    """A Service Catalog client answering share calls from a script."""

    def __init__(self, statuses: list[dict[str, Any]], refusals: int = 0) -> None:
        self.statuses, self.refusals, self.calls = statuses, refusals, []

    def create_portfolio_share(self, **params: Any) -> dict[str, Any]:
        self.calls.append(("create", params))
        return {"PortfolioShareToken": "share-1"}

    def update_portfolio_share(self, **params: Any) -> dict[str, Any]:
        self.calls.append(("update", params))
        if self.refusals:
            self.refusals -= 1
            raise ClientError({"Error": {"Code": "InvalidStateException", "Message": "share in progress"}},
                              "UpdatePortfolioShare")
        return {"PortfolioShareToken": "share-2", "Status": "NOT_STARTED"}

    def describe_portfolio_share_status(self, **params: Any) -> dict[str, Any]:
        self.calls.append(("status", params))
        return self.statuses.pop(0)


class Context(ApplyContext):
    def __init__(self, client: Scripted) -> None:
        self.client, self.polling, self._catalog_ids = client, INSTANT, {}

    @property
    def servicecatalog(self) -> Any:
        return self.client


SHARE = {"portfolio": "dev", "portfolio_id": "port-1", "type": "ORGANIZATIONAL_UNIT", "principal": "ou-1",
         "ou": "Workloads", "share_tag_options": True, "share_principals": True}


def test_a_share_that_ends_with_errors_fails_with_aws_words() -> None:
    errors = {"Status": "COMPLETED_WITH_ERRORS", "ShareDetails": {"SuccessfulShares": ["111111111111"], "ShareErrors": [
        {"Accounts": ["222222222222"], "Message": "Account is suspended", "Error": "InvalidAccountState"}]}}
    client = Scripted([{"Status": "IN_PROGRESS"}, errors])
    change = Change("portfolio_share:dev@ou:Workloads", Kind.PORTFOLIO_SHARE, Action.CREATE, "r", after=SHARE)
    with pytest.raises(ApplyFailure) as failed:
        apply_share(change, Context(client))
    assert str(failed.value) == (
        "the share of portfolio dev with ou:Workloads ended COMPLETED_WITH_ERRORS (share-1): InvalidAccountState:"
        " Account is suspended (accounts 222222222222); fix the cause, then run vend plan again")
    assert client.calls[0] == ("create", {"PortfolioId": "port-1", "OrganizationNode": {
        "Type": "ORGANIZATIONAL_UNIT", "Value": "ou-1"}, "ShareTagOptions": True, "SharePrincipals": True})
    with pytest.raises(ApplyFailure, match=r"ended ERROR \(share-1\): AWS gave no ShareErrors"):
        apply_share(change, Context(Scripted([{"Status": "ERROR"}])))


def test_an_update_waits_while_the_share_is_in_progress() -> None:
    client = Scripted([{"Status": "COMPLETED", "ShareDetails": {"SuccessfulShares": ["1", "2"], "ShareErrors": []}}],
                      refusals=2)
    change = Change("portfolio_share:dev@ou:Workloads", Kind.PORTFOLIO_SHARE, Action.UPDATE, "r", before=SHARE, after=SHARE)
    assert apply_share(change, Context(client)) == "the share of portfolio dev with ou:Workloads updated (2 accounts)"
    assert [c[0] for c in client.calls] == ["update", "update", "update", "status"]
