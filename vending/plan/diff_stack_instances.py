"""The stack instance operations of one baseline: remove, deploy, fill, retry, exclude.

Each is one StackSet operation over OUs x Regions (a stack set runs one at a time, so they run
in that order). AWS resolves OU targets to their accounts when the operation runs and
auto-deployment adds later accounts, so the plan never lists instances per account except
where an account is the point: one that lacks an instance (fill), one whose instance failed
(retry), one whose file opts out (exclude).
"""
from __future__ import annotations

from dataclasses import dataclass

from vending.model.live_baselines import LiveStackInstance, LiveStackSet, stack_set_name
from vending.model.baseline_types import BaselineSpec, OperationPreferences
from vending.plan import addresses
from vending.plan.baseline_scope import Accounts, Target, covers, excluded, ou_label, target_of, within
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext, where

RETRYABLE = ("FAILED", "CANCELLED")
"""DetailedStatus of an OUTDATED instance that a new operation id retries."""


@dataclass(frozen=True)
class Planned:
    """An instance change and what the linking pass needs besides it."""

    change: Change
    salt: object = None
    """Extra input of its operation id (a retry: the instances' LastOperationId)."""
    removed_ous: tuple[str, ...] = ()


def preferences(prefs: OperationPreferences) -> dict[str, object]:
    """StackSetOperationPreferences as AWS spells them, only the keys that are set."""
    shaped: dict[str, object] = {"RegionConcurrencyType": prefs.region_concurrency,
                                 "ConcurrencyMode": prefs.concurrency_mode}
    for key, value in (("MaxConcurrentCount", prefs.max_concurrent_count),
                       ("MaxConcurrentPercentage", prefs.max_concurrent_percentage),
                       ("FailureToleranceCount", prefs.failure_tolerance_count),
                       ("FailureTolerancePercentage", prefs.failure_tolerance_percentage)):
        if value is not None:
            shaped[key] = value
    return dict(sorted(shaped.items()))


def _change(spec: BaselineSpec, purpose: str, action: Action, operation: str, reason: str, source: str, *,
            ous: list[str], ou_ids: list[str], pending: list[str], regions: list[str], depends: tuple[str, ...] = (),
            accounts: list[str] = (), account_filter: str = "NONE", extra: dict | None = None,
            before: dict | None = None, destructive: bool = False) -> Change:
    after = {
        "stack_set": stack_set_name(spec.name), "operation": operation,
        "ous": ous, "ou_ids": sorted(ou_ids), "pending_ous": pending,
        "accounts": sorted(accounts), "account_filter": account_filter, "regions": sorted(regions),
        "operation_preferences": preferences(spec.operation_preferences), **(extra or {}),
    }
    return Change(address=addresses.stack_instances(spec.name, purpose), kind=Kind.STACK_INSTANCES, action=action,
                  reason=reason, before=before, after=after, depends_on=tuple(sorted(set(depends))),
                  destructive=destructive, source=source)


def _regions(regions: list[str]) -> str:
    return ("Region " if len(regions) == 1 else "Regions ") + ", ".join(regions)


def _key(found: Accounts, instance: LiveStackInstance) -> str:
    return f"{found.name(instance.account)} {instance.region}"


def _why(instance: LiveStackInstance) -> str:
    text = f"{instance.status}/{instance.detailed_status or '-'}"
    return text + (f": {instance.status_reason}" if instance.status_reason else "")


def remove_all(ctx: DiffContext, spec: BaselineSpec, current: LiveStackSet) -> Planned | None:
    """Before a retired baseline's stack set is deleted: every OU target in every Region."""
    if not current.ou_ids or not current.regions:
        return None
    retain = spec.retain_stacks_on_account_removal
    kept = "kept in the accounts (retain_stacks_on_account_removal)" if retain else "deleted from the accounts"
    change = _change(spec, "remove", Action.DELETE, "delete",
                     f"retired: true in {spec.source.file}: every stack instance is removed before the stack set"
                     f" (its stacks are {kept})", where(spec.source, "retired"),
                     ous=[ou_label(ctx, i) for i in current.ou_ids], ou_ids=list(current.ou_ids), pending=[],
                     regions=list(current.regions), extra={"retain_stacks": retain},
                     before={"ous": [ou_label(ctx, i) for i in current.ou_ids], "regions": list(current.regions)},
                     destructive=not retain)
    return Planned(change, removed_ous=current.ou_ids)


def instance_changes(ctx: DiffContext, spec: BaselineSpec, current: LiveStackSet | None, targets: list[Target],
                     found: Accounts) -> list[Planned]:
    """The operations that bring the stack set's instances where the repository says."""
    planned: list[Planned] = []
    live_ous = set(current.ou_ids) if current else set()
    live_regions = list(current.regions) if current else []
    wanted = sorted(spec.regions)
    before = {"ous": sorted(ou_label(ctx, i) for i in live_ous), "regions": live_regions} if current else None
    wanted_ids = {t.ou_id for t in targets if t.ou_id}
    if current is not None:
        removed = _remove(ctx, spec, current, wanted_ids, wanted, before)
        if removed is not None:
            planned.append(removed)
    deploy = _deploy(ctx, spec, targets, live_ous, live_regions, wanted, found, before)
    if deploy is not None:
        planned.append(deploy)
    if current is not None:
        kept = [t for t in targets if t.ou_id in live_ous]
        regions = [r for r in wanted if r in live_regions]
        for make in (_fill, _retry, _exclude):
            made = make(ctx, spec, current, kept, regions, found, before)
            if made is not None:
                planned.append(made)
    return planned


def _remove(ctx, spec, current, wanted_ids, wanted, before) -> Planned | None:
    gone = [i for i in current.ou_ids if i not in wanted_ids]
    gone_regions = [r for r in current.regions if r not in wanted]
    retain = spec.retain_stacks_on_account_removal
    if gone and current.regions:
        ous, regions = gone, list(current.regions)
        reason = (f"{', '.join(ou_label(ctx, i) for i in gone)} no longer list{'s' if len(gone) == 1 else ''}"
                  f" {spec.name} (in ous/)")
        source = where(spec.source)
        if gone_regions and len(gone) < len(current.ou_ids):
            ctx.notes.append(Note("info", addresses.stack_instances(spec.name, "remove"),
                                  f"{_regions(gone_regions)} also no longer wanted: one DeleteStackInstances"
                                  " covers OUs x Regions, so the next vend plan removes them from the other OUs"))
    elif gone_regions and current.ou_ids:
        ous, regions = list(current.ou_ids), gone_regions
        reason = f"{_regions(gone_regions)} {'is' if len(gone_regions) == 1 else 'are'} no longer in {spec.source.file}"
        source = where(spec.source, "regions")
    else:
        return None
    kept = "kept in the accounts (retain_stacks_on_account_removal)" if retain else "deleted from the accounts"
    change = _change(spec, "remove", Action.DELETE, "delete", f"{reason}; their stacks are {kept}", source,
                     ous=[ou_label(ctx, i) for i in ous], ou_ids=ous, pending=[], regions=regions,
                     extra={"retain_stacks": retain}, before=before, destructive=not retain)
    return Planned(change, removed_ous=tuple(ous))


def _deploy(ctx, spec, targets, live_ous, live_regions, wanted, found, before) -> Planned | None:
    new = [t for t in targets if t.ou_id not in live_ous]
    new_regions = [r for r in wanted if r not in live_regions]
    if not targets or not wanted or (not new and not new_regions):
        return None
    chosen = new if new and not new_regions else targets
    regions = wanted if new else new_regions
    refs = [ref.at for t in chosen for ref in (ctx.desired.ou(t.path).baselines if ctx.desired.ou(t.path) else ())
            if ref.name == spec.name]
    if new:
        reason = f"{spec.name} is listed on {', '.join(t.label for t in new)}"
        source = refs[0] if refs else where(spec.source)
    else:
        reason = f"{_regions(new_regions)} added in {spec.source.file}"
        source = where(spec.source, "regions")
    left_out = _excluded_ids(ctx, spec, chosen, found)
    created = sorted(a.name for a in ctx.desired.accounts.values() if a.name in found.created
                     and excluded(a, spec.name) and within(ctx.desired.placement(a), chosen))
    if left_out or created:
        names = sorted([found.name(i) for i in left_out] + created)
        reason += f"; {', '.join(names)} excluded (exclude: true)"
    change = _change(spec, "deploy", Action.CREATE, "create", reason, source,
                     ous=[t.label for t in chosen], ou_ids=[t.ou_id for t in chosen if t.ou_id],
                     pending=[t.label for t in chosen if t.ou_id is None], regions=regions,
                     depends=tuple(d for t in chosen for d in ctx.ou_dependency(t.path))
                     + tuple(addresses.account(n) for n in _arriving(ctx, chosen, found)),
                     accounts=left_out, account_filter="DIFFERENCE" if left_out or created else "NONE",
                     extra={"covers": covers(ctx, chosen, found, spec.name),
                            **({"pending_accounts": created} if created else {})}, before=before)
    return Planned(change)


def _arriving(ctx: DiffContext, targets: list[Target], found: Accounts) -> list[str]:
    """Accounts this plan creates inside `targets`: the deploy waits for them, so its own
    operation reaches them (auto-deployment would too, but unordered: a baseline that depends on
    another could then run before the other has reached them)."""
    return sorted(a.name for a in ctx.desired.accounts.values()
                  if a.name in found.created and within(ctx.desired.placement(a), targets))


def _excluded_ids(ctx, spec, targets: list[Target], found: Accounts) -> list[str]:
    """Live ids of excluded accounts that sit (or will sit) inside the targets."""
    ids = {t.ou_id for t in targets if t.ou_id}
    left_out = []
    for account in ctx.desired.accounts.values():
        live = found.live.get(account.name)
        if live is None or not excluded(account, spec.name):
            continue
        if within(ctx.desired.placement(account), targets) or target_of(ctx, live.parent_id, ids):
            left_out.append(live.id)
    return sorted(left_out)


def _fill(ctx, spec, current, kept: list[Target], regions: list[str], found: Accounts, before) -> Planned | None:
    """Accounts that sit in a targeted OU, stay there, and lack an instance in a Region."""
    ids = {t.ou_id for t in kept if t.ou_id}
    have = {(i.account, i.region) for i in current.instances}
    missing: dict[str, list[str]] = {}
    ous: set[str] = set()
    for account in sorted(ctx.desired.accounts.values(), key=lambda a: a.name):
        live = found.live.get(account.name)
        if (live is None or live.status != "ACTIVE" or account.state != "active" or excluded(account, spec.name)
                or live.id == ctx.live.management_account_id
                or ctx.matched_live.get(live.parent_id) != ctx.desired.placement(account)):
            continue
        target = target_of(ctx, live.parent_id, ids)
        lacking = [r for r in regions if (live.id, r) not in have]
        if target and lacking:
            missing[live.id] = lacking
            ous.add(target)
    if not missing:
        return None
    wanted = sorted({r for rs in missing.values() for r in rs})
    instances = {f"{found.name(a)} {r}": "no stack instance" for a, rs in sorted(missing.items()) for r in rs}
    change = _change(spec, "fill", Action.CREATE, "create",
                     f"{len(missing)} account{'s' if len(missing) != 1 else ''} in targeted OUs "
                     f"ha{'ve' if len(missing) != 1 else 's'} no stack instance (deleted by hand, or there before"
                     " the OU was targeted by another tool)", where(spec.source),
                     ous=[ou_label(ctx, i) for i in sorted(ous)], ou_ids=sorted(ous), pending=[], regions=wanted,
                     accounts=sorted(missing), account_filter="INTERSECTION", extra={"instances": instances},
                     before=before)
    return Planned(change)


def _retry(ctx, spec, current, kept: list[Target], regions: list[str], found: Accounts, before) -> Planned | None:
    ids = {t.ou_id for t in kept if t.ou_id}
    failed = []
    for instance in current.instances:
        account = ctx.desired.accounts.get(found.name(instance.account))
        if (instance.status == "OUTDATED" and instance.detailed_status in RETRYABLE and instance.region in regions
                and not (account and excluded(account, spec.name))):
            ou = instance.ou_id if instance.ou_id in ids else _containing(ctx, found, instance, ids)
            if ou:
                failed.append((instance, ou))
    if not failed:
        return None
    instances = {_key(found, i): _why(i) for i, _ in failed}
    change = _change(spec, "retry", Action.UPDATE, "update",
                     f"{len(failed)} stack instance{'s' if len(failed) != 1 else ''} failed (OUTDATED); vend retries"
                     " with a new operation id (UpdateStackInstances). If it fails again, fix the cause AWS names,"
                     " then re-run", where(spec.source),
                     ous=sorted({ou_label(ctx, o) for _, o in failed}), ou_ids=sorted({o for _, o in failed}),
                     pending=[], regions=sorted({i.region for i, _ in failed}),
                     accounts=sorted({i.account for i, _ in failed}), account_filter="INTERSECTION",
                     extra={"instances": instances}, before=before)
    return Planned(change, salt=sorted(f"{i.account} {i.region} {i.last_operation_id}" for i, _ in failed))


def _exclude(ctx, spec, current, kept: list[Target], regions: list[str], found: Accounts, before) -> Planned | None:
    strays = []
    for instance in current.instances:
        account = ctx.desired.accounts.get(found.name(instance.account))
        if account is not None and account.name in found.live and excluded(account, spec.name):
            ou = instance.ou_id if instance.ou_id in current.ou_ids else _containing(ctx, found, instance,
                                                                                     set(current.ou_ids))
            if ou:
                strays.append((instance, ou, account))
    if not strays:
        return None
    retain = spec.retain_stacks_on_account_removal
    files = sorted({a.source.file for _, _, a in strays})
    kept_text = "kept in the accounts (retain_stacks_on_account_removal)" if retain else "deleted"
    change = _change(spec, "exclude", Action.DELETE, "delete",
                     f"{', '.join(files)} exclude{'s' if len(files) == 1 else ''} {spec.name}, but"
                     f" {'it has' if len(files) == 1 else 'they have'} stack instances; their stacks are {kept_text}",
                     strays[0][2].baselines[spec.name].at,
                     ous=sorted({ou_label(ctx, o) for _, o, _ in strays}), ou_ids=sorted({o for _, o, _ in strays}),
                     pending=[], regions=sorted({i.region for i, _, _ in strays}),
                     accounts=sorted({i.account for i, _, _ in strays}), account_filter="INTERSECTION",
                     extra={"retain_stacks": retain, "instances": {_key(found, i): _why(i) for i, _, _ in strays}},
                     before=before, destructive=not retain)
    return Planned(change)


def _containing(ctx, found: Accounts, instance: LiveStackInstance, ids: set[str]) -> str | None:
    live = found.live.get(found.name(instance.account))
    return target_of(ctx, live.parent_id, ids) if live else None


def instance_notes(ctx: DiffContext, spec: BaselineSpec, current: LiveStackSet, found: Accounts) -> None:
    """What vend cannot do for an instance, with AWS's reason and the manual step."""
    name = current.name
    address = addresses.stack_set(spec.name)
    for instance in current.instances:
        who = _key(found, instance)
        reason = instance.status_reason or "AWS gives no reason"
        if instance.status == "INOPERABLE":
            ctx.notes.append(Note("warning", address,
                f"stack instance {who} of {name} is INOPERABLE: {reason}. vend cannot repair it: remove it with"
                " DeleteStackInstances and RetainStacks true, delete its stack in the account by hand, then run"
                " vend plan again to deploy it anew"))
        elif instance.detailed_status == "SKIPPED_SUSPENDED_ACCOUNT":
            ctx.notes.append(Note("info", address,
                f"stack instance {who} of {name} was skipped: {reason}. Nothing to do; AWS deploys it if the"
                " account is active again"))
        if instance.drift_status == "DRIFTED":
            ctx.notes.append(Note("warning", address,
                f"stack instance {who} of {name} has DRIFTED: its resources were changed outside CloudFormation."
                " vend does not overwrite hand-made changes: undo them in the account (see drift detection in the"
                " CloudFormation console), or change the template to match and apply"))


def quota_note(ctx: DiffContext, spec: BaselineSpec, targets: list[Target], quota: int) -> None:
    reached = sum(1 for a in ctx.desired.accounts.values()
                  if a.state != "closed" and not excluded(a, spec.name) and within(ctx.desired.placement(a), targets))
    count = reached * len(spec.regions)
    if count > quota:
        ctx.notes.append(Note("warning", addresses.stack_set(spec.name),
            f"{stack_set_name(spec.name)} would have {count:,} stack instances ({reached:,} accounts x"
            f" {len(spec.regions)} Regions); the default quota is {quota:,} stack instances per stack set"
            " (aws-facts §4.4): check \"Stack instances per stack set\" in Service Quotas and raise it"
            " before applying"))

