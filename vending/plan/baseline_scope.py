"""What the baselines diff needs to know about accounts and OUs, computed once per plan.

Accounts are matched to live ones as diff_accounts does (pinned id, else email); an account the
plan creates gets a placeholder id of an account id's length, so the per-account rows, the
template's shard count and its size come out as they will be once the account exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vending.model.live import LiveAccount
from vending.model.types import ROOT, AccountSpec, OuPath, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Kind
from vending.plan.diff_context import DiffContext

PLACEHOLDER = "new{:09d}"
"""A 12-character stand-in id for an account created in this plan (never sent to AWS)."""


@dataclass
class Accounts:
    """Desired accounts and their live twins."""

    ids: dict[str, str] = field(default_factory=dict)
    """Desired name -> live id, or a placeholder for an account this plan creates."""
    created: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)
    """Live id (or placeholder) -> desired name."""
    live: dict[str, LiveAccount] = field(default_factory=dict)
    """Desired name -> the live account, for accounts that exist."""

    def name(self, account_id: str) -> str:
        """The desired name of an account id, else the id (an account no file describes)."""
        return self.names.get(account_id, account_id)


def accounts(ctx: DiffContext) -> Accounts:
    found = Accounts()
    by_email = ctx.live.account_by_email()
    creating = {c.address for c in ctx.changes
                if c.kind in (Kind.ACCOUNT, Kind.FACTORY_ACCOUNT) and c.action is Action.CREATE}
    for spec in sorted(ctx.desired.accounts.values(), key=lambda a: a.name):
        live = ctx.live.accounts.get(spec.pinned_id) if spec.pinned_id else by_email.get(spec.email.lower())
        if live is not None:
            found.ids[spec.name], found.live[spec.name] = live.id, live
        elif addresses.account(spec.name) in creating:
            found.ids[spec.name] = PLACEHOLDER.format(len(found.created) + 1)
            found.created.add(spec.name)
        else:
            continue
        found.names[found.ids[spec.name]] = spec.name
    return found


@dataclass(frozen=True)
class Target:
    """An OU a baseline's stack set targets: its id, or None when this plan creates it."""

    path: OuPath
    ou_id: str | None

    @property
    def label(self) -> str:
        return path_str(self.path)


def desired_targets(ctx: DiffContext, baseline: str) -> list[Target]:
    """The OUs listing the baseline (none below another), minus OUs the plan deletes."""
    found = []
    for path in ctx.desired.baseline_targets(baseline):
        if path in ctx.retired_ous:
            continue
        if path in ctx.ou_match:
            found.append(Target(path, ctx.ou_match[path].id))
        elif path in ctx.created_ous:
            found.append(Target(path, None))
    return found


def ou_label(ctx: DiffContext, ou_id: str) -> str:
    """A live OU as reviewers read it: its desired path, its live path, else its id."""
    if ou_id in ctx.matched_live:
        return path_str(ctx.matched_live[ou_id])
    node = ctx.live.node(ou_id)
    return path_str(node.path) if node else ou_id


def target_of(ctx: DiffContext, parent_id: str, target_ids: set[str]) -> str | None:
    """The target OU (by id) whose subtree holds the live OU `parent_id`, if any."""
    node = ctx.live.node(parent_id)
    seen = 0
    while node is not None and seen < 100:
        if node.id in target_ids:
            return node.id
        node = ctx.live.node(node.parent_id) if node.parent_id else None
        seen += 1
    return None


def within(path: OuPath, targets: list[Target]) -> bool:
    return any(path[:len(t.path)] == t.path for t in targets)


def excluded(spec: AccountSpec, baseline: str) -> bool:
    entry = spec.baselines.get(baseline)
    return bool(entry and entry.exclude)


def covers(ctx: DiffContext, targets: list[Target], found: Accounts, baseline: str) -> str:
    """`Workloads (with Dev, Prod, Prod/Regulated, Test): 4 accounts today, 1 created by this apply`."""
    parts = []
    for target in targets:
        below = sorted(p[len(target.path):] for p in ctx.desired.ous
                       if len(p) > len(target.path) and p[:len(target.path)] == target.path
                       and not ctx.desired.ous[p].retired)
        label = "Root (the whole organization)" if target.path == ROOT else target.label
        if below and target.path != ROOT:
            label += " (with " + ", ".join("/".join(p) for p in below) + ")"
        parts.append(label)
    today = created = 0
    for spec in ctx.desired.accounts.values():
        if spec.state == "closed" or excluded(spec, baseline) or not within(ctx.desired.placement(spec), targets):
            continue
        if spec.name in found.created:
            created += 1
        elif spec.name in found.live and found.live[spec.name].id != ctx.live.management_account_id:
            today += 1
    text = ", ".join(parts) + f": {today} account{'s' if today != 1 else ''} today"
    return text + (f", {created} created by this apply" if created else "")
