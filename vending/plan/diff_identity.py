"""IAM Identity Center access: vend's permission sets, their provisioning, and the account
assignments `access` asks for (group display name -> permission set names, per account).

- A permission set (identity/permission-sets/<name>.yaml) is created when missing and updated
  field by field when it differs; an update is followed by ProvisionPermissionSet to every
  account it is provisioned to (AWS does not push edits by itself), and so is a set AWS reports
  accounts on an older version of (an apply interrupted between the two, or a console edit).
  `retired: true` deletes it (destructive), after its assignments.
- An assignment the resolved `access` gives an account is created when missing (so one removed
  by hand comes back). For each group the account's files (its OUs' or its own) name, the
  permission sets not listed are deleted (destructive, `--allow-destroy`): `Developers: none`,
  `access: none`, or a set taken off the list. Groups no file of the account names, accounts no
  file gives `access`, and permission sets the repository does not declare are left alone.
- A group the identity store does not have, or an instance that does not exist, is a plan-time
  problem naming the file and line that asks for it.
"""
from __future__ import annotations

import json
from typing import Any, NamedTuple

from vending.model.live import LiveAccount, LiveOrg
from vending.model.live_identity import LiveIdentity, LivePermissionSet
from vending.model.settings_types import PermissionSetSpec, SettingsLayer
from vending.model.types import AccountSpec, DesiredOrg, Source
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind
from vending.plan.diff_context import DiffContext, where

ALL_ACCOUNTS = "ALL_PROVISIONED_ACCOUNTS"
FIELDS = ("description", "session_duration", "managed_policies", "customer_managed_policies", "inline_policy",
          "permissions_boundary")


class IdentityScope(NamedTuple):
    """What the plan reads: these groups' assignments and these permission sets."""

    groups: tuple[str, ...]
    permission_sets: tuple[str, ...]


def _layers(desired: DesiredOrg, spec: AccountSpec) -> list[tuple[SettingsLayer, Source]]:
    """The account file's layer first, then its OUs' from the deepest to the root's."""
    found = [(spec.settings, spec.source)]
    for depth in range(len(spec.ou), -1, -1):
        ou = desired.ou(spec.ou[:depth])
        if ou is not None:
            found.append((ou.settings, ou.source))
    return found


def _declares_access(desired: DesiredOrg) -> bool:
    layers = [a.settings for a in desired.accounts.values()] + [o.settings for o in _ous(desired)]
    return any(layer.access is not None or layer.access_none for layer in layers)


def _ous(desired: DesiredOrg) -> list[Any]:
    return [ou for ou in (desired.root, *desired.ous.values()) if ou is not None]


def identity_scope(desired: DesiredOrg) -> IdentityScope | None:
    """None when no file writes `access`: Identity Center is then never called."""
    if not _declares_access(desired):
        return None
    layers = [a.settings for a in desired.accounts.values()] + [o.settings for o in _ous(desired)]
    groups = sorted({g for layer in layers for g in (layer.access or {})})
    return IdentityScope(tuple(groups), tuple(sorted(desired.permission_sets)))


def _live_account(spec: AccountSpec, live: LiveOrg, by_email: dict[str, LiveAccount]) -> LiveAccount | None:
    if spec.pinned_id:
        return live.accounts.get(spec.pinned_id)
    return by_email.get(spec.email.lower())


def diff_identity(ctx: DiffContext) -> None:
    scope = identity_scope(ctx.desired)
    live = ctx.live.identity
    if scope is None or live is None:
        return
    if live.instance_arn is None:
        ctx.problems.append(
            f"{_first_access(ctx.desired)}: access: IAM Identity Center has no instance in {live.region}, the Region"
            " vend reads it in (vend.yaml home_region); enable Identity Center there in the management account,"
            " or remove `access`")
        return
    unknown = [g for g in scope.groups if live.groups.get(g) is None]
    for group in unknown:
        ctx.problems.append(
            f"{_naming(ctx.desired, group)}: access: group {group!r} is not in IAM Identity Center's identity store"
            f" {live.identity_store_id}; create it there (or sync it from your identity provider), or correct the"
            " display name (it is case-sensitive)")
    if unknown:
        return
    set_changes = _permission_sets(ctx, live)
    for change in set_changes:
        ctx.add(change)
    _assignments(ctx, live, {c.address for c in set_changes})


def _first_access(desired: DesiredOrg) -> str:
    return min(_sources_naming(desired, None), default="vend.yaml:1")


def _naming(desired: DesiredOrg, group: str) -> str:
    return min(_sources_naming(desired, group), default="vend.yaml:1")


def _sources_naming(desired: DesiredOrg, group: str | None) -> list[str]:
    found = []
    for settings, source in [(a.settings, a.source) for a in desired.accounts.values()] + \
            [(o.settings, o.source) for o in _ous(desired)]:
        if (group is None and (settings.access is not None or settings.access_none)) or \
                (group is not None and group in (settings.access or {})):
            found.append(where(source, "access"))
    return found


def wanted_fields(spec: PermissionSetSpec) -> dict[str, Any]:
    """A declared permission set in the terms the plan compares and shows."""
    boundary = None
    if spec.boundary_managed:
        boundary = {"managed_policy": spec.boundary_managed}
    elif spec.boundary_customer:
        boundary = {"customer_managed_policy": spec.boundary_customer.path + spec.boundary_customer.name}
    return {
        "description": spec.description,
        "session_duration": spec.session_duration,
        "managed_policies": sorted(spec.managed_policies),
        "customer_managed_policies": sorted(p.path + p.name for p in spec.customer_managed_policies),
        "inline_policy": spec.inline_policy,
        "permissions_boundary": boundary,
    }


def live_fields(found: LivePermissionSet) -> dict[str, Any]:
    return {
        "description": found.description,
        "session_duration": found.session_duration,
        "managed_policies": list(found.managed_policies),
        "customer_managed_policies": sorted(path + name for name, path in found.customer_managed_policies),
        "inline_policy": found.inline_policy,
        "permissions_boundary": found.boundary,
    }


def _same(field: str, want: Any, have: Any) -> bool:
    if field == "inline_policy" and want is not None and have is not None:
        try:
            return bool(json.loads(want) == json.loads(have))
        except ValueError:
            return False
    return bool(want == have)


def _permission_sets(ctx: DiffContext, live: LiveIdentity) -> list[Change]:
    changes: list[Change] = []
    ident = {"instance_arn": live.instance_arn}
    for name, spec in sorted(ctx.desired.permission_sets.items()):
        found = live.permission_sets.get(name)
        address = addresses.permission_set(name)
        source = f"{spec.file}:1"
        if spec.retired:
            if found is not None:
                changes.append(Change(address=address, kind=Kind.PERMISSION_SET, action=Action.DELETE, source=source,
                                      reason=f"{spec.file} says retired: true", destructive=True,
                                      before={**ident, "name": name, "arn": found.arn, **live_fields(found)}))
            continue
        want = wanted_fields(spec)
        if found is None:
            changes.append(Change(address=address, kind=Kind.PERMISSION_SET, action=Action.CREATE, source=source,
                                  reason=f"declared in {spec.file}, not in IAM Identity Center",
                                  after={**ident, "name": name, **want}))
            continue
        have = live_fields(found)
        differ = [f for f in FIELDS if not _same(f, want[f], have[f])]
        key = {**ident, "name": name, "arn": found.arn}
        if differ:
            changes.append(Change(address=address, kind=Kind.PERMISSION_SET, action=Action.UPDATE, source=source,
                                  reason=f"{', '.join(differ)} differ from {spec.file} (changed outside git?)",
                                  before={**key, **{f: have[f] for f in differ}},
                                  after={**key, **{f: want[f] for f in differ}}))
        if differ or found.stale_accounts:
            why = (f"the edit reaches the accounts {name} is provisioned to only when provisioned again" if differ
                   else f"{len(found.stale_accounts)} account(s) run an older version of {name} (an edit not"
                        " provisioned yet: an interrupted apply, or the console)")
            changes.append(Change(
                address=addresses.permission_set_provisioning(name), kind=Kind.PERMISSION_SET_PROVISIONING,
                action=Action.UPDATE, source=source, reason=why,
                after={**key, "target": ALL_ACCOUNTS, "stale_accounts": list(found.stale_accounts)},
                depends_on=(address,) if differ else ()))
    return changes


def _assignments(ctx: DiffContext, live: LiveIdentity, planned_sets: set[str]) -> None:
    have: dict[tuple[str, str], set[str]] = {}
    for group, account_id, name in live.assignments:
        have.setdefault((group, account_id), set()).add(name)
    retired = {n for n, s in ctx.desired.permission_sets.items() if s.retired}
    creating = {c.address for c in ctx.changes if c.action is Action.CREATE}
    by_email = ctx.live.account_by_email()
    deletes_of: dict[str, list[str]] = {}
    handled: set[tuple[str, str, str]] = set()
    for spec in sorted(ctx.desired.accounts.values(), key=lambda a: a.name):
        access = ctx.desired.account_settings(spec).access
        if access is None or spec.state != "active":
            continue
        account = _live_account(spec, ctx.live, by_email)
        if account is not None and account.status != "ACTIVE":
            continue
        layers = _layers(ctx.desired, spec)
        named = sorted({g for layer, _ in layers for g in (layer.access or {})})
        for group in named:
            want = set(access.get(group, ()))
            present = have.get((group, account.id), set()) if account is not None else set()
            source = _deciding(layers, group)
            base = {"instance_arn": live.instance_arn, "account_id": account.id if account else None,
                    "group": group, "group_id": live.groups[group]}
            for name in sorted(want - present):
                prerequisites = [a for a in (addresses.account(spec.name), addresses.permission_set(name))
                                 if a in creating or (a in planned_sets and a.startswith("permission_set:"))]
                found = live.permission_sets.get(name)
                reason = (f"new account: {group} gets {name} from {source.rsplit(':', 1)[0]}" if account is None else
                          f"{source.rsplit(':', 1)[0]} gives {group} {name} on this account, and IAM Identity Center"
                          " has no such assignment (removed outside git?)")
                ctx.add(Change(address=addresses.account_assignment(spec.name, group, name),
                               kind=Kind.ACCOUNT_ASSIGNMENT, action=Action.CREATE, source=source, reason=reason,
                               after={**base, "permission_set": name, "permission_set_arn": found.arn if found else None},
                               depends_on=tuple(prerequisites)))
            for name in sorted(present - want):
                handled.add((group, account.id, name))  # type: ignore[union-attr]
                address = addresses.account_assignment(spec.name, group, name)
                deletes_of.setdefault(name, []).append(address)
                why = (f"permission set {name} is retired" if name in retired else
                       f"{source.rsplit(':', 1)[0]} does not give {group} {name} on this account")
                ctx.add(Change(address=address, kind=Kind.ACCOUNT_ASSIGNMENT, action=Action.DELETE, source=source,
                               reason=why, destructive=True,
                               before={**base, "permission_set": name,
                                       "permission_set_arn": live.permission_sets[name].arn}))
    _retired_elsewhere(ctx, live, retired, handled, deletes_of)


def _retired_elsewhere(ctx: DiffContext, live: LiveIdentity, retired: set[str],
                       handled: set[tuple[str, str, str]], deletes_of: dict[str, list[str]]) -> None:
    """Assignments of a retired set on accounts no file manages access of: AWS keeps the set
    until they are gone, so they go too; then the set's delete waits for all of them."""
    names = {a.id: a.name for a in ctx.live.accounts.values()}
    for group, account_id, name in live.assignments:
        if name not in retired or (group, account_id, name) in handled:
            continue
        address = addresses.account_assignment(names.get(account_id, account_id), group, name)
        deletes_of.setdefault(name, []).append(address)
        ctx.add(Change(address=address, kind=Kind.ACCOUNT_ASSIGNMENT, action=Action.DELETE,
                       source=f"{ctx.desired.permission_sets[name].file}:1", destructive=True,
                       reason=f"permission set {name} is retired", before={
                           "instance_arn": live.instance_arn, "account_id": account_id, "group": group,
                           "group_id": live.groups[group], "permission_set": name,
                           "permission_set_arn": live.permission_sets[name].arn}))
    for index, change in enumerate(ctx.changes):
        if change.kind is Kind.PERMISSION_SET and change.action is Action.DELETE:
            name = change.address.split(":", 1)[1]
            ctx.changes[index] = Change(**{**change.__dict__, "depends_on": tuple(sorted(deletes_of.get(name, [])))})


def _deciding(layers: list[tuple[SettingsLayer, Source]], group: str) -> str:
    """`file:line` of the `access` that decides this group: the nearest file naming it."""
    for layer, source in layers:
        if group in (layer.access or {}) or layer.access_none:
            return where(source, "access")
    return where(layers[0][1])
