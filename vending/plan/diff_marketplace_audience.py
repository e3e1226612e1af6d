"""Diff the audiences of Private Marketplace experiences: who is directly in which experience.

A principal is directly in at most one experience (aws-facts 5.3), so every principal leaving an
experience (DisassociateAudience) is planned as its own change, `marketplace_audience:<name>/
disassociate`, and every experience's AssociateAudience waits for the disassociations of the
principals it takes: an OU moved between experiences is disassociated, then associated. A
principal the file gives an experience but another experience holds - one of vend's, or one
made in the console - is taken from it. Principals are the organization's id (the default
experience), OU ids and account ids; one made by this apply is resolved by the applier
(`ou:<path>` / `account:<name>` in the request) and its association waits for it.
"""
from __future__ import annotations

from dataclasses import dataclass

from vending.model.live_marketplace import LiveExperience
from vending.model.marketplace_types import ExperienceSpec, Member
from vending.model.types import parse_path, path_str
from vending.plan import addresses
from vending.plan.diff_context import DiffContext


@dataclass(frozen=True)
class Principal:
    label: str
    """How a reviewer reads it: organization, ou:Workloads/Dev, account:data-lake-prod."""
    id: str
    """Its AWS id, or `label` when this apply makes it."""
    waits: tuple[str, ...] = ()


def desired_principal(ctx: DiffContext, member: Member) -> Principal:
    if member.kind == "organization":
        return Principal("organization", ctx.live.org_id)
    if member.kind == "ou":
        path = parse_path(member.value)
        label, found, waits = f"ou:{path_str(path)}", ctx.ou_match.get(path), ctx.ou_dependency(path)
        return Principal(label, found.id if found is not None and not waits else label, waits)
    spec = ctx.desired.accounts.get(member.value)
    if spec is None:
        return Principal(f"account:{member.value}", member.value)
    label = f"account:{spec.name}"
    if spec.pinned_id:
        return Principal(label, spec.pinned_id)
    live = next((a.id for a in ctx.live.accounts.values() if a.email.lower() == spec.email.lower()), None)
    return Principal(label, live) if live else Principal(label, label, (addresses.account(spec.name),))


def label(ctx: DiffContext, principal_id: str) -> str:
    """A live principal as the files would name it."""
    if principal_id == ctx.live.org_id:
        return "organization"
    if principal_id.startswith("ou-"):
        path = ctx.matched_live.get(principal_id)
        node = ctx.live.ous.get(principal_id)
        return f"ou:{path_str(path if path is not None else node.path)}" if path is not None or node else \
            f"ou:{principal_id}"
    named = next((s.name for s in ctx.desired.accounts.values() if s.pinned_id == principal_id), None)
    account = ctx.live.accounts.get(principal_id)
    if named is None and account is not None:
        named = next((s.name for s in ctx.desired.accounts.values() if s.email.lower() == account.email.lower()),
                     account.name)
    return f"account:{named or principal_id}"


@dataclass
class AudiencePlan:
    """What each experience loses and gains: {experience key: [principal]}."""

    leaving: dict[str, list[Principal]]
    joining: dict[str, list[Principal]]
    holders: dict[str, str]
    """Principal id -> the experience key losing it (so its new experience waits for that)."""


def plan_audiences(ctx: DiffContext, specs: list[ExperienceSpec],
                   live_of: dict[str, LiveExperience | None]) -> AudiencePlan:
    """`live_of` maps each spec's name to its live experience; live experiences no spec names
    are keyed by their id (they only lose principals)."""
    wanted = {spec.name: [desired_principal(ctx, m) for m in spec.members()] for spec in specs
              if spec.status != "archived"}
    archived = {spec.name for spec in specs if spec.status == "archived"}
    held: dict[str, str] = {}
    owners = {exp.id: name for name, exp in live_of.items() if exp is not None}
    managed = {e.id for name, e in live_of.items() if e is not None and name not in archived}
    everyone = [e for e in ctx.live.marketplace.experiences] if ctx.live.marketplace else []
    for exp in everyone:
        for principal in exp.audience.principals if exp.audience else ():
            held[principal] = owners.get(exp.id, exp.id)
    result = AudiencePlan({}, {}, {})
    claimed = {p.id: name for name, principals in wanted.items() for p in principals}
    for exp in everyone:
        key = owners.get(exp.id, exp.id)
        if key in wanted or exp.id in managed:
            keep = {p.id for p in wanted.get(key, [])}
            gone = [p for p in (exp.audience.principals if exp.audience else ()) if p not in keep]
        else:  # not vend's, or archived: it loses only what a file gives another experience
            gone = [p for p in (exp.audience.principals if exp.audience else ()) if p in claimed]
        if gone:
            result.leaving[key] = [Principal(label(ctx, p), p) for p in gone]
            result.holders.update({p: key for p in gone})
    for name, principals in wanted.items():
        new = [p for p in principals if held.get(p.id) != name]
        if new:
            result.joining[name] = new
    return result
