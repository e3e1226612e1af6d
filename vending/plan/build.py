"""diff(desired, live) -> ordered Plan. Pure: no AWS, no clock except the plan's timestamp."""
from __future__ import annotations

from datetime import datetime, timezone

from vending.errors import PlanError
from vending.model.live import LiveOrg
from vending.model.types import DesiredOrg
from vending.plan.changes import Change, Note, Plan
from vending.plan.diff_accounts import diff_accounts, note_unmanaged_accounts
from vending.plan import diff_catalog_enforced as enforced
from vending.plan.diff_baselines import diff_baselines
from vending.plan.diff_contacts import contact_scope, diff_contacts
from vending.plan.diff_catalog import diff_tag_options
from vending.plan.diff_budgets import diff_budgets
from vending.plan.diff_support import diff_support
from vending.plan.diff_catalog_portfolios import diff_portfolios
from vending.plan.diff_catalog_shares import diff_shares
from vending.plan.diff_catalog_products import diff_products, note_unmanaged_products
from vending.plan.diff_context import DiffContext
from vending.plan.diff_identity import diff_identity, identity_scope
from vending.plan.diff_licenses import diff_licenses
from vending.plan.diff_marketplace import diff_marketplace
from vending.plan.diff_control_tower import diff_deregistration, diff_registration
from vending.plan.diff_ous import diff_ou_deletes, diff_ou_tags, diff_ous, note_unmanaged_ous
from vending.plan.diff_policies import diff_attachments, diff_policies, diff_policy_types
from vending.plan.graph import build_graph, generations


def diff(desired: DesiredOrg, live: LiveOrg) -> tuple[list[Change], list[Note]]:
    """Every change that makes `live` match `desired`, plus notes; PlanError if impossible."""
    ctx = DiffContext(desired, live)
    diff_policy_types(ctx)
    diff_ous(ctx)
    diff_registration(ctx)
    created_policies = diff_policies(ctx)
    moves_out = diff_accounts(ctx)
    diff_deregistration(ctx, moves_out)
    diff_ou_deletes(ctx, moves_out)
    diff_ou_tags(ctx)
    diff_attachments(ctx, created_policies)
    enforced.pin_versions(ctx)
    diff_baselines(ctx)
    diff_contacts(ctx)
    diff_identity(ctx)
    diff_tag_options(ctx)
    diff_budgets(ctx)
    diff_support(ctx)
    diff_products(ctx)
    diff_shares(ctx)
    diff_portfolios(ctx)
    enforced.link(ctx)
    diff_licenses(ctx)
    diff_marketplace(ctx)
    note_unmanaged_products(ctx)
    note_unmanaged_ous(ctx)
    note_unmanaged_accounts(ctx)
    if ctx.problems:
        raise PlanError(ctx.problems)
    return ctx.changes, ctx.notes


def build_plan(
    desired: DesiredOrg,
    live: LiveOrg,
    *,
    git_commit: str | None = None,
    target: str = "",
    now: datetime | None = None,
) -> Plan:
    changes, notes = diff(desired, live)
    graph = build_graph(changes)
    order = generations(graph)
    rank = {address: i for i, address in enumerate(a for layer in order for a in layer)}
    read = [live.root, *live.ous.values()]
    return Plan(
        ou_tags_read=sorted(node.id for node in read if node.tags is not None),
        baselines_read=live.baselines is not None,
        contacts_read=_contacts_read(desired, live),
        catalog_read=live.catalog is not None,
        budgets_read=live.budgets is not None,
        budget_subscribers_read=live.budgets is not None and live.budgets.subscribers_read,
        support_read=live.support is not None,
        licenses_read=live.licenses is not None,
        marketplace_read=live.marketplace is not None,
        identity_read=_identity_read(desired, live),
        fingerprint=live.fingerprint(),
        changes=sorted(changes, key=lambda c: rank[c.address]),
        order=order,
        notes=notes,
        git_commit=git_commit,
        target=target,
        created_at=(now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
    )


def _contacts_read(desired: DesiredOrg, live: LiveOrg) -> list[list[str]] | None:
    """The (account id, type) pairs apply must read again; None when contacts are not managed."""
    scope = contact_scope(desired)
    return None if scope is None or live.contacts is None else [list(pair) for pair in scope(live)]


def _identity_read(desired: DesiredOrg, live: LiveOrg) -> dict[str, list[str]] | None:
    """The groups and permission sets apply must read again; None when access is not managed."""
    scope = identity_scope(desired)
    if scope is None or live.identity is None:
        return None
    return {"groups": list(scope.groups), "permission_sets": list(scope.permission_sets)}
