"""The example's catalog kept in a Service Catalog delegated administrator (vend.yaml `catalog:
{delegated_admin, role_arn}`): the plan refuses an unregistered one with the register command;
registered, `vend apply` creates the portfolios and products in that account (read back with its
credentials), Organizations access is still the management account's (the administrator may not
enable it), the organization-node shares complete, a Dev builder sees the shared product, the
enforced portfolio's stack set (the management account's) launches the hub's product, and the
next plan is empty."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.e2e.conftest import REPO_ROOT, without_baselines
from tests.local.catalog_support import as_role, refused
from vending.local import LocalAws

PRINCIPAL = "servicecatalog.amazonaws.com"
ROLE = "OrganizationAccountAccessRole"


def _ids(aws: LocalAws) -> dict[str, str]:
    org = aws.session().client("organizations")
    return {a["Name"]: a["Id"] for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]}


def _hub_settings(repo: Path, plain: str, account: str) -> None:
    (repo / "vend.yaml").write_text(plain.replace(
        "catalog:                         # the Service Catalog hub of catalog/ (default: the management account)\n",
        f"catalog:\n  delegated_admin: \"{account}\"\n  role_arn: arn:aws:iam::{account}:role/{ROLE}\n"))


def _portfolios(client: Any) -> dict[str, str]:
    return {p["DisplayName"]: p["Id"] for p in client.list_portfolios()["PortfolioDetails"]}


def test_the_catalog_lives_in_a_registered_delegated_administrator(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0  # the organization, without a catalog yet
    shutil.copytree(REPO_ROOT / "catalog", repo / "catalog")
    plain = (repo / "vend.yaml").read_text()
    assert "catalog:                         #" in plain
    with LocalAws(repo / ".vend") as aws:
        ids = _ids(aws)
    admin = ids["shared-services"]
    _hub_settings(repo, plain, admin)
    unregistered = vend(repo, "plan")
    assert unregistered.code == 1
    assert unregistered.err.strip().endswith(
        f"vend.yaml:19: catalog.delegated_admin: account {admin} is not registered as a Service Catalog delegated"
        " administrator. Register it from the management account (aws organizations"
        f" register-delegated-administrator --account-id {admin} --service-principal {PRINCIPAL}, after trusted"
        " access is enabled), or remove catalog.delegated_admin and catalog.role_arn from vend.yaml to keep the"
        " catalog in the management account"), unregistered.err

    with LocalAws(repo / ".vend") as aws:
        org = aws.session().client("organizations")
        org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
        org.register_delegated_administrator(AccountId=admin, ServicePrincipal=PRINCIPAL)
        # access disabled out of band (the registration stays here): the plan has catalog_org_access, which
        # only the management account may apply
        org.disable_aws_service_access(ServicePrincipal=PRINCIPAL)
    planned = vend(repo, "plan")
    assert "catalog_org_access" in planned.out, planned.out + planned.err
    applied = vend(repo, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    with LocalAws(repo / ".vend") as aws:
        hub = as_role(aws, admin, ROLE)
        assert set(_portfolios(hub)) == {"Dev builders", "Test builders", "Security alarms"}
        products = {v["ProductViewSummary"]["Name"] for v in hub.search_products_as_admin()["ProductViewDetails"]}
        assert products == {"S3 bucket", "DynamoDB table", "SQS queue", "Security alarms"}
        dev = _portfolios(hub)["Dev builders"]
        [share] = hub.describe_portfolio_shares(PortfolioId=dev, Type="ORGANIZATIONAL_UNIT")["PortfolioShareDetails"]
        assert (share["ShareTagOptions"], share["SharePrincipals"]) == (True, True)
        assert hub.get_aws_organizations_access_status()["AccessStatus"] == "ENABLED"
        error = refused("OperationNotSupportedException", hub.enable_aws_organizations_access)
        assert "only the management account" in error["Error"]["Message"]
        management = aws.session().client("servicecatalog", region_name="us-east-1")
        assert _portfolios(management) == {}  # nothing in the management account
        builder = as_role(aws, ids["payments-dev"], "builders/app-builder")
        shared = builder.list_accepted_portfolio_shares(PortfolioShareType="AWS_ORGANIZATIONS")["PortfolioDetails"]
        assert [p["DisplayName"] for p in shared] == ["Dev builders"]
        assert {p["Name"] for p in builder.search_products()["ProductViewSummaries"]} == {"S3 bucket", "SQS queue"}
        # the enforced portfolio: the management account's stack set launches the hub's product in Security
        stacksets = aws.session().client("cloudformation", region_name="us-east-1")
        instances = stacksets.list_stack_instances(StackSetName="vend-catalog-security-alarms")["Summaries"]
        assert instances and {(i["Status"], i["StackInstanceStatus"]["DetailedStatus"]) for i in instances} == {
            ("CURRENT", "SUCCEEDED")}
    again = vend(repo, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
