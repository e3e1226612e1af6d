"""Self-service launches for `vend catalog report --self-service`: each account's provisioned products.

A provisioned product lives in the account that launched it, so no hub read sees it: the report
reads every active account through a role there (vend.yaml `catalog.report_role`), in the home
Region, the management account with the caller's own credentials. One read per account:
SearchProvisionedProducts with AccessLevelFilter Account/self (every user's, not only the
caller's), 100 a page; its ProvisionedProductAttribute carries ProductId and
ProvisioningArtifactId, which a shared product keeps from the hub. An account whose role cannot
be assumed or read is reported with AWS's error code, never a failure of the whole read.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable

from botocore.exceptions import ClientError

from vending.aws.clients import AwsClients
from vending.aws.paging import token_pages
from vending.model.live_catalog import Launch, Launches
from vending.model.types import OrgSettings

WORKERS = 8
"""Accounts read at once: each costs an AssumeRole (STS allows far more per second) and a few
Service Catalog reads, throttled per account, so 8 keeps a 1,000-account organization to
minutes without bursting the management account's STS and credential-refresh traffic."""
PAGE_SIZE = 100
"""SearchProvisionedProducts' documented maximum PageSize."""

DEFAULT_ROLES = {"control-tower": "AWSControlTowerExecution", "organizations": "OrganizationAccountAccessRole"}
"""The role each account factory creates in every account it vends (and trusts the management account)."""

Progress = Callable[[int, int], None]
"""Told (accounts read so far, accounts to read) after each account."""


def report_role(settings: OrgSettings) -> str:
    """vend.yaml `catalog.report_role`, else the role the account factory puts in every account."""
    return (settings.catalog.report_role if settings.catalog else None) or DEFAULT_ROLES[settings.account_factory]


def role_arn(principal: str | None, account: str, role: str) -> str:
    """The role's ARN in `account`, in the caller's partition (aws, aws-us-gov, aws-cn)."""
    parts = (principal or "").split(":")
    partition = parts[1] if len(parts) > 2 and parts[1] else "aws"
    return f"arn:{partition}:iam::{account}:role/{role}"


def read_launches(clients: AwsClients, accounts: list[str], management: str, role: str, region: str,
                  progress: Progress = lambda done, total: None) -> Launches:
    """The provisioned products of every account in `accounts` (ids), read WORKERS at a time."""
    result = Launches(role=role, accounts=len(accounts))
    principal = clients.principal()
    reader = clients.reader()

    def one(account: str) -> list[Launch]:
        there = reader if account == management else reader.assumed(role_arn(principal, account, role), region)
        servicecatalog = there.client("servicecatalog", region)
        return [Launch(account, p["Name"], p["ProductId"], p["ProvisioningArtifactId"])
                for p in token_pages(servicecatalog.search_provisioned_products, "ProvisionedProducts",
                                     AccessLevelFilter={"Key": "Account", "Value": "self"}, PageSize=PAGE_SIZE)
                if p.get("ProductId") and p.get("ProvisioningArtifactId")]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {pool.submit(one, account): account for account in accounts}
        for done, future in enumerate(as_completed(futures), 1):
            try:
                result.found.extend(future.result())
            except ClientError as error:
                result.unreadable[futures[future]] = str(error.response.get("Error", {}).get("Code") or "Unknown")
            progress(done, len(accounts))
    result.found.sort(key=lambda launch: (launch.account, launch.name))
    return result
