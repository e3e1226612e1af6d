"""Diff each available portfolio's shares against DescribePortfolioShares, and Service Catalog's
access to Organizations.

An OU share, the whole organization and an account of the repository are organization-node
shares (ORGANIZATIONAL_UNIT, ORGANIZATION, and ACCOUNT, which AWS reads back as
ORGANIZATION_MEMBER_ACCOUNT); a 12-digit id outside the repository is an account-to-account
share (ACCOUNT, which the recipient must accept). Organization-node shares need
EnableAWSOrganizationsAccess: planned once (`catalog_org_access`) when
GetAWSOrganizationsAccessStatus is not ENABLED. SharePrincipals is sent only on ORGANIZATION and
ORGANIZATIONAL_UNIT shares, where AWS honours it (V815 warns about the others). A share missing
- never made, or removed in the console - is created; one whose ShareTagOptions or
SharePrincipals differ is updated (UpdatePortfolioShare); one the file no longer lists is
deleted (a change: sharing again undoes it). A retired portfolio's shares are deleted first.
"""
from __future__ import annotations

from typing import Any

from vending.model.catalog_types import PortfolioSpec, Share
from vending.model.live_catalog import LivePortfolio, LiveShare
from vending.model.types import parse_path, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind
from vending.plan.diff_catalog_portfolios import available
from vending.plan.diff_context import DiffContext, where

ORG_NODE_TYPES = ("ORGANIZATION", "ORGANIZATIONAL_UNIT", "ORGANIZATION_MEMBER_ACCOUNT")
PRINCIPAL_SHARING = ("ORGANIZATION", "ORGANIZATIONAL_UNIT")


def _desired(ctx: DiffContext, spec: PortfolioSpec, share: Share) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """(label, fields, what the share waits for) of one share of the file."""
    if share.kind == "organization":
        label, fields, waits = "organization", {"type": "ORGANIZATION", "principal": ctx.live.org_id}, ()
    elif share.kind == "ou":
        path = parse_path(share.value)
        found = ctx.ou_match.get(path)
        label = f"ou:{path_str(path)}"
        known = found is not None and path not in ctx.created_ous and not ctx.ou_dependency(path)
        fields = {"type": "ORGANIZATIONAL_UNIT", **({"principal": found.id} if known else {}), "ou": path_str(path)}
        waits = ctx.ou_dependency(path)
    elif share.value in ctx.desired.accounts:
        account = ctx.desired.accounts[share.value]
        live = _account_id(ctx, account.pinned_id, account.email)
        label = f"account:{share.value}"
        fields = {"type": "ORGANIZATION_MEMBER_ACCOUNT", **({"principal": live} if live else {}), "account": share.value}
        waits = () if live else (addresses.account(share.value),)
    else:
        label, fields, waits = f"account:{share.value}", {"type": "ACCOUNT", "principal": share.value}, ()
    fields["share_tag_options"] = spec.share_tag_options
    fields["share_principals"] = spec.share_principals and fields["type"] in PRINCIPAL_SHARING
    return label, fields, waits


def _account_id(ctx: DiffContext, pinned: str | None, email: str) -> str:
    if pinned:
        return pinned if pinned in ctx.live.accounts else ""
    return next((a.id for a in ctx.live.accounts.values() if a.email.lower() == email.lower()), "")


def _label(ctx: DiffContext, share: LiveShare) -> str:
    if share.type == "ORGANIZATION":
        return "organization"
    if share.type == "ORGANIZATIONAL_UNIT":
        node = ctx.live.ous.get(share.principal)
        return f"ou:{path_str(node.path)}" if node else f"ou:{share.principal}"
    account = ctx.live.accounts.get(share.principal)
    return f"account:{account.name}" if account and share.type != "ACCOUNT" else f"account:{share.principal}"


def _live_fields(share: LiveShare) -> dict[str, Any]:
    return {"type": share.type, "principal": share.principal, "share_tag_options": share.share_tag_options,
            "share_principals": share.share_principals}


def diff_shares(ctx: DiffContext) -> None:
    live = ctx.live.catalog
    if live is None:
        return
    access_needed = False
    for spec in available(ctx):
        found = live.portfolio(spec.name)
        existing = list(found.shares) if found else []
        if spec.retired:
            for share in existing:
                _delete(ctx, spec, found, share, "its portfolio is retired")  # type: ignore[arg-type]
            continue
        portfolio_waits = () if found else (addresses.portfolio(spec.name),)
        for share in spec.shares:
            label, fields, waits = _desired(ctx, spec, share)
            org_node = fields["type"] in ORG_NODE_TYPES
            access_needed = access_needed or org_node
            match = next((s for s in existing if (s.type, s.principal) == (fields["type"], fields.get("principal"))), None)
            address = addresses.portfolio_share(spec.name, label)
            source = where(spec.source, "shares")
            ident = {"portfolio": spec.name, **({"portfolio_id": found.id} if found else {})}
            access = (addresses.catalog_org_access(),) if org_node and live.organizations_access != "ENABLED" else ()
            if match is None:
                ctx.add(Change(address=address, kind=Kind.PORTFOLIO_SHARE, action=Action.CREATE, source=source,
                               reason="not among the portfolio's shares (DescribePortfolioShares)",
                               after={**ident, **fields}, depends_on=portfolio_waits + waits + access))
                continue
            existing.remove(match)
            if _live_fields(match) != {k: fields.get(k) for k in _live_fields(match)}:
                ctx.add(Change(address=address, kind=Kind.PORTFOLIO_SHARE, action=Action.UPDATE, source=source,
                               reason=f"ShareTagOptions or SharePrincipals differ from {spec.source.file}",
                               before={**ident, **_live_fields(match)}, after={**ident, **fields}))
        for share in existing:
            _delete(ctx, spec, found, share, f"{spec.source.file} no longer lists this share")  # type: ignore[arg-type]
    if access_needed and live.organizations_access != "ENABLED":
        ctx.add(Change(address=addresses.catalog_org_access(), kind=Kind.CATALOG_ORG_ACCESS, action=Action.CREATE,
                       reason=f"GetAWSOrganizationsAccessStatus says {live.organizations_access}: Service Catalog"
                       " cannot share with organization nodes until EnableAWSOrganizationsAccess",
                       before={"access": live.organizations_access}, after={"access": "ENABLED"}))


def _delete(ctx: DiffContext, spec: PortfolioSpec, found: LivePortfolio, share: LiveShare, reason: str) -> None:
    ctx.add(Change(address=addresses.portfolio_share(spec.name, _label(ctx, share)), kind=Kind.PORTFOLIO_SHARE,
                   action=Action.DELETE, source=where(spec.source), reason=reason,
                   before={"portfolio": spec.name, "portfolio_id": found.id, **_live_fields(share)}))
