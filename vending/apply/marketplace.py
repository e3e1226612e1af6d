"""Appliers of the Private Marketplace: its two prerequisites, and each experience change as the
Marketplace Catalog change sets it takes.

A plan change carries the changes it sends (`change_requests`, from vending.plan.diff_marketplace);
vending.plan.marketplace_batches groups them into change sets in the order AWS requires (a
procurement policy before what it allows, a disable before an archive) and
vending.apply.marketplace_change_sets sends them and waits for each: one plan change is one
applied unit of one or a few change sets. The applier only puts in ids: the experience's (made
earlier in this apply when the plan did not know it) and those of OUs and accounts this apply made
(`ou:<path>` and `account:<name>` principals). The change sets' ClientRequestTokens derive from the
plan's `client_request_token` seed and their content, so an apply run again after an
interruption sends the same tokens and AWS answers the change sets already started.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.apply.marketplace_change_sets import run
from vending.aws.errors import error_code
from vending.aws.paging import pages
from vending.errors import ApplyFailure
from vending.model.live_marketplace import PRINCIPAL, SERVICE_ROLE
from vending.plan import addresses
from vending.plan.changes import Change, Kind
from vending.plan.marketplace_batches import MarketplaceChange, change_sets


def apply_access(change: Change, ctx: ApplyContext) -> str:
    """EnableAWSServiceAccess, from the management account (synchronous)."""
    ctx.organizations.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    services = pages(ctx.organizations, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    if not any(s["ServicePrincipal"] == PRINCIPAL for s in services):
        raise ApplyFailure(f"EnableAWSServiceAccess returned, but ListAWSServiceAccessForOrganization does not list"
                           f" {PRINCIPAL}; enable it in the Private Marketplace admin page and rerun vend apply")
    return f"trusted access for Private Marketplace ({PRINCIPAL}) enabled in AWS Organizations"


def apply_service_role(change: Change, ctx: ApplyContext) -> str:
    iam = ctx.clients.client("iam", "us-east-1")
    try:
        iam.create_service_linked_role(AWSServiceName=PRINCIPAL)
    except ClientError as exc:
        if error_code(exc) != "InvalidInput" or "has been taken" not in str(exc):
            raise
        return f"{SERVICE_ROLE} already existed"
    return f"service-linked role {SERVICE_ROLE} created"


def _principal(ctx: ApplyContext, value: str) -> str:
    kind, _, name = value.partition(":")
    try:
        if kind == "ou":
            return ctx.ou_id(name)
        if kind == "account":
            return ctx.account_id(name)
    except KeyError:
        raise ApplyFailure(f"{value} was not made by this apply: run vend plan again") from None
    return value


def _resolved(ctx: ApplyContext, details: dict[str, Any]) -> dict[str, Any]:
    if "Principals" not in details:
        return details
    return {**details, "Principals": [_principal(ctx, p) for p in details["Principals"]]}


def apply_experience_change(change: Change, ctx: ApplyContext) -> str:
    fields = change.after or {}
    name = fields["experience"]
    address = addresses.marketplace("experience", name)
    ids: dict[str, str] = {}
    if change.kind is not Kind.MARKETPLACE_EXPERIENCE:
        try:
            ids[name] = ctx.catalog_id(address, fields.get("experience_id"))
        except KeyError:
            raise ApplyFailure(f"experience {name} was not created in this apply: run vend plan again") from None
    requests = [MarketplaceChange(kind, name, _resolved(ctx, details)) for kind, details in fields["change_requests"]]
    sets = change_sets(requests, fields["client_request_token"])
    known = run(ctx.marketplace_catalog, sets, ids, ctx.polling)
    if change.kind is Kind.MARKETPLACE_EXPERIENCE:
        ctx.set_catalog_id(address, known[name])
        return f"experience {name} created ({known[name]})"
    kinds = ", ".join(dict.fromkeys(r.change_type for r in requests))
    return f"{kinds} on {name}: {len(sets)} change set{'' if len(sets) == 1 else 's'} succeeded"
