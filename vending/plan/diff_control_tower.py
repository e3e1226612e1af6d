"""Control Tower OUs: registration (AWSControlTowerBaseline) and controls.

Every OU in YAML is registered, parents before children (Control Tower registers a nested OU
only under a registered parent). A registration that FAILED is reset. Controls listed on an
OU are enabled, others found on it disabled; all wait for the OU's registration. An operation
found in progress on an OU's baseline becomes a change that waits for it (never a second one).
A retired OU is deregistered before it is deleted: its controls disabled, then its baseline
(DisableBaseline), once its accounts and registered child OUs are gone from it.
"""
from __future__ import annotations

from vending.model.types import control_arn, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext, where


def registration_dependency(ctx: DiffContext, path: tuple[str, ...]) -> tuple[str, ...]:
    """What an account vended into `path` must wait for: the OU, and its registration."""
    deps = ctx.ou_dependency(path)
    if path in ctx.registering:
        deps += (addresses.ou_registration(path),)
    return deps


def diff_registration(ctx: DiffContext) -> None:
    ct = ctx.live.control_tower
    if ct is None:
        return
    settings = ctx.desired.settings.control_tower
    registered = {b.target: b for b in ct.enabled_baselines if b.baseline == ct.account_baseline}
    specs = [s for s in ctx.desired.ous.values() if not s.retired]
    for spec in sorted(specs, key=lambda s: (len(s.path), s.path)):
        live_ou = ctx.ou_match.get(spec.path)
        enabled = registered.get(ctx.live.ou_arn(live_ou.id)) if live_ou else None
        address = addresses.ou_registration(spec.path)
        common = {"ou": path_str(spec.path), "baseline": ct.account_baseline}
        if enabled is None:
            ctx.registering.add(spec.path)
            depends = ctx.ou_dependency(spec.path) + _parent_registration(ctx, spec)
            ctx.add(
                Change(
                    address=address,
                    kind=Kind.OU_REGISTRATION,
                    action=Action.CREATE,
                    reason="the OU is not registered with Control Tower"
                    + ("" if live_ou is None else " (registered out of band? enable its baseline)"),
                    after={
                        **common,
                        "version": settings.baseline_version,
                        "identity_center_baseline": ct.identity_center_baseline
                        if settings.identity_center
                        else None,
                    },
                    depends_on=depends,
                    source=where(spec.source),
                )
            )
        elif enabled.status == "FAILED":
            ctx.registering.add(spec.path)
            ctx.add(
                Change(
                    address=address,
                    kind=Kind.OU_REGISTRATION,
                    action=Action.UPDATE,
                    reason="the OU's AWSControlTowerBaseline is FAILED; vend resets it (ResetEnabledBaseline)",
                    before={**common, "enabled_baseline": enabled.arn, "status": "FAILED"},
                    after={**common, "enabled_baseline": enabled.arn, "status": "SUCCEEDED"},
                    source=where(spec.source),
                )
            )
        elif enabled.status == "UNDER_CHANGE" and enabled.operation:
            _await(ctx, spec, enabled, address, common)
        elif enabled.status == "UNDER_CHANGE":
            ctx.notes.append(Note("info", address, "a Control Tower operation is in progress on this OU"))
        diff_controls(ctx, spec, live_ou)
    _note_orphans(ctx, registered)


def _note_orphans(ctx: DiffContext, registered: dict) -> None:
    """An enabled baseline whose OU no longer exists (deleted outside vend, or by a vend before
    it deregistered retired OUs): reported, not touched - its OU is nobody's in YAML."""
    targets = {ctx.live.ou_arn(ou.id) for ou in ctx.live.ous.values()}
    for target, enabled in sorted(registered.items()):
        if target not in targets:
            ctx.notes.append(Note(
                "warning", f"ou_registration:{target.rsplit('/', 1)[-1]}",
                f"AWSControlTowerBaseline {enabled.arn} is enabled on {target}, which is no longer"
                " an OU of this organization; disable it (DisableBaseline) or re-register the OU in"
                " the Control Tower console",
            ))


def diff_deregistration(ctx: DiffContext, moves_out: dict[str, list[str]]) -> None:
    """Retired OUs registered with Control Tower, children first: disable the controls enabled
    on each, then its AWSControlTowerBaseline, after the changes taking its accounts out (so
    they stay governed) and its children's deregistration; `diff_ou_deletes` then deletes the
    OU after it. Deleting a registered OU would leave its baseline enabled on a missing OU."""
    ct = ctx.live.control_tower
    if ct is None:
        return
    registered = {b.target: b for b in ct.enabled_baselines if b.baseline == ct.account_baseline}
    for path in sorted(ctx.retired_ous, key=lambda p: (-len(p), p)):
        live_ou = ctx.ou_match[path]
        target = ctx.live.ou_arn(live_ou.id)
        enabled = registered.get(target)
        if enabled is None:
            continue
        spec = ctx.desired.ous[path]
        common = {"ou": path_str(path), "baseline": ct.account_baseline}
        depends = list(moves_out.get(live_ou.id, []))
        depends += [addresses.ou_registration(p) for p in ctx.deregistering if p[:-1] == path]
        for control in sorted((c for c in ct.enabled_controls if c.target == target), key=lambda c: c.control):
            address = addresses.control(_short(control.control), path)
            depends.append(address)
            ctx.add(Change(
                address=address,
                kind=Kind.CONTROL,
                action=Action.DELETE,
                reason=f"retired: true in {spec.source.file}: disabled before the OU is deregistered",
                before={"control": control.control, "ou": path_str(path), "status": control.status},
                source=where(spec.source, "retired"),
            ))
        ctx.deregistering.add(path)
        ctx.add(Change(
            address=addresses.ou_registration(path),
            kind=Kind.OU_REGISTRATION,
            action=Action.DELETE,
            reason=f"retired: true in {spec.source.file}: deregister the OU from Control Tower"
            " (DisableBaseline) before deleting it",
            before={**common, "enabled_baseline": enabled.arn, "status": enabled.status},
            depends_on=tuple(sorted(depends)),
            destructive=True,
            source=where(spec.source, "retired"),
        ))


def _await(ctx: DiffContext, spec, enabled, address: str, common: dict) -> None:
    """An operation in progress on the OU's baseline (an interrupted apply, the console): apply
    waits for it, holding the one OU-operation slot, and so does everything vended into the OU
    (Account Factory refuses an OU whose registration has not finished)."""
    ctx.registering.add(spec.path)
    ctx.add(
        Change(
            address=address,
            kind=Kind.OU_REGISTRATION,
            action=Action.UPDATE,
            reason=f"Control Tower operation {enabled.operation} is in progress on the OU (an"
            " interrupted apply, or the console); apply waits for it to finish, and so do the"
            " OU's accounts and controls",
            before={**common, "enabled_baseline": enabled.arn, "status": "UNDER_CHANGE"},
            after={**common, "enabled_baseline": enabled.arn, "status": "SUCCEEDED",
                   "operation": enabled.operation},
            depends_on=_parent_registration(ctx, spec),
            source=where(spec.source),
        )
    )


def _parent_registration(ctx: DiffContext, spec) -> tuple[str, ...]:
    parent = spec.parent
    return (addresses.ou_registration(parent),) if parent and parent in ctx.registering else ()


def diff_controls(ctx: DiffContext, spec, live_ou) -> None:
    ct = ctx.live.control_tower
    region = ctx.desired.settings.home_region
    wanted = {control_arn(c, region): c for c in spec.controls}
    target = ctx.live.ou_arn(live_ou.id) if live_ou else None
    present = {c.control: c for c in ct.enabled_controls if c.target == target}
    base = registration_dependency(ctx, spec.path)
    for arn in sorted(set(wanted) - set(present)):
        ctx.add(
            Change(
                address=addresses.control(_short(arn), spec.path),
                kind=Kind.CONTROL,
                action=Action.CREATE,
                reason=f"listed in {spec.source.file}",
                after={"control": arn, "ou": path_str(spec.path)},
                depends_on=base,
                source=where(spec.source, "controls"),
            )
        )
    for arn in sorted(set(present) - set(wanted)):
        ctx.add(
            Change(
                address=addresses.control(_short(arn), spec.path),
                kind=Kind.CONTROL,
                action=Action.DELETE,
                reason=f"enabled on the OU but not listed in {spec.source.file}",
                before={"control": arn, "ou": path_str(spec.path), "status": present[arn].status},
                source=where(spec.source, "controls"),
            )
        )
    for arn in sorted(set(present) & set(wanted)):
        if present[arn].status == "FAILED" or present[arn].drift == "DRIFTED":
            ctx.notes.append(
                Note(
                    "warning",
                    addresses.control(_short(arn), spec.path),
                    f"control is {present[arn].status}, drift {present[arn].drift or 'unknown'};"
                    " re-enable it in the Control Tower console (ResetEnabledControl)",
                )
            )


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
