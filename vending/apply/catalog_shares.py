"""Appliers of portfolio shares and of Service Catalog's access to Organizations.

An organization-node share (CreatePortfolioShare / UpdatePortfolioShare / DeletePortfolioShare
with OrganizationNode) answers with a PortfolioShareToken; vend polls DescribePortfolioShareStatus
until it leaves NOT_STARTED and IN_PROGRESS, within `deadlines.PORTFOLIO_SHARE`. COMPLETED is done;
COMPLETED_WITH_ERRORS and ERROR fail the change with AWS's ShareErrors verbatim. AWS refuses
UpdatePortfolioShare while the share's operation is in progress (InvalidStateException): vend
waits and tries again, never updating a share mid-operation. An account-to-account share
(AccountId) has no token. EnableAWSOrganizationsAccess is the management account's alone.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply import deadlines
from vending.apply.context import ApplyContext
from vending.apply.waiting import Refused, poll, until_admitted
from vending.errors import ApplyFailure
from vending.plan import addresses
from vending.plan.changes import Action, Change

IN_FLIGHT = ("NOT_STARTED", "IN_PROGRESS")
_NODE = {"ORGANIZATION": "ORGANIZATION", "ORGANIZATIONAL_UNIT": "ORGANIZATIONAL_UNIT",
         "ORGANIZATION_MEMBER_ACCOUNT": "ACCOUNT"}


def apply_org_access(change: Change, ctx: ApplyContext) -> str:
    ctx.clients.client("servicecatalog", ctx.home_region).enable_aws_organizations_access()
    return "Service Catalog may now share portfolios through AWS Organizations"


def _target(ctx: ApplyContext, fields: dict[str, Any]) -> dict[str, Any]:
    """AccountId, or the OrganizationNode, with ids of OUs and accounts made by this apply."""
    kind = fields["type"]
    if kind == "ACCOUNT":
        return {"AccountId": fields["principal"]}
    value = fields.get("principal", "")
    try:
        if not value and kind == "ORGANIZATIONAL_UNIT":
            value = ctx.ou_id(fields["ou"])
        elif not value:
            value = ctx.account_id(fields["account"])
    except KeyError:
        raise ApplyFailure(f"{fields.get('ou') or fields.get('account')} was not created in this apply: run vend plan"
                           " again") from None
    return {"OrganizationNode": {"Type": _NODE[kind], "Value": value}}


def _wait(ctx: ApplyContext, token: str | None, what: str) -> str:
    if not token:
        return "done"
    catalog = ctx.servicecatalog

    def read() -> tuple[str, dict[str, Any] | None]:
        status = catalog.describe_portfolio_share_status(PortfolioShareToken=token)
        return status["Status"], None if status["Status"] in IN_FLIGHT else status

    done = poll(ctx.polling, f"{what} ({token})", deadlines.PORTFOLIO_SHARE, read)
    if done["Status"] != "COMPLETED":
        details = done.get("ShareDetails") or {}
        errors = "; ".join(f"{e.get('Error', '')}: {e.get('Message', '')} (accounts {', '.join(e.get('Accounts', []))})"
                           for e in details.get("ShareErrors", []))
        raise ApplyFailure(f"{what} ended {done['Status']} ({token}): {errors or 'AWS gave no ShareErrors'};"
                           " fix the cause, then run vend plan again")
    reached = len((done.get("ShareDetails") or {}).get("SuccessfulShares", []))
    return f"{reached} account{'' if reached == 1 else 's'}"


def apply_share(change: Change, ctx: ApplyContext) -> str:
    catalog = ctx.servicecatalog
    fields = change.after or change.before or {}
    try:
        portfolio_id = ctx.catalog_id(addresses.portfolio(fields["portfolio"]), fields.get("portfolio_id"))
    except KeyError:
        raise ApplyFailure(f"portfolio {fields['portfolio']} was not created in this apply: run vend plan again") from None
    target = _target(ctx, fields)
    what = f"the share of portfolio {fields['portfolio']} with {change.address.split('@', 1)[1]}"
    flags = {"ShareTagOptions": fields["share_tag_options"]}
    if fields["type"] in ("ORGANIZATION", "ORGANIZATIONAL_UNIT"):
        flags["SharePrincipals"] = fields["share_principals"]
    if change.action is Action.DELETE:
        answer = catalog.delete_portfolio_share(PortfolioId=portfolio_id, **target)
        return f"{what} deleted ({_wait(ctx, answer.get('PortfolioShareToken'), what + ': delete')})"
    if change.action is Action.CREATE:
        answer = catalog.create_portfolio_share(PortfolioId=portfolio_id, **target, **flags)
        return f"{what} created ({_wait(ctx, answer.get('PortfolioShareToken'), what)})"

    def attempt() -> dict[str, Any]:
        try:
            return catalog.update_portfolio_share(PortfolioId=portfolio_id, **target, **flags)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "InvalidStateException":
                raise Refused(exc.response["Error"].get("Message", "the share is in progress")) from None
            raise

    answer = until_admitted(ctx.polling, f"UpdatePortfolioShare of {what}", deadlines.PORTFOLIO_SHARE, attempt)
    return f"{what} updated ({_wait(ctx, answer.get('PortfolioShareToken'), what + ': update')})"
