"""Policies: enable policy types, create and update documents, attach and detach.

Attachments are fully reconciled on every managed target (the root when ous/ou.yaml exists,
and every OU in YAML). Per target, detaches and attaches are ordered so the target never drops
to zero SCPs (AWS: MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED) nor exceeds five
(MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED).
"""
from __future__ import annotations

from vending.model.types import FULL_AWS_ACCESS, POLICY_FOLDERS, POLICY_TYPES, SCP, OuSpec, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind
from vending.plan.diff_context import DiffContext, where


def managed_targets(ctx: DiffContext) -> list[OuSpec]:
    targets = [s for s in ctx.desired.ous.values() if not s.retired]
    if ctx.desired.root is not None:
        targets.append(ctx.desired.root)
    return sorted(targets, key=lambda s: s.path)


def diff_policy_types(ctx: DiffContext) -> None:
    used = {t for spec in managed_targets(ctx) for t in POLICY_TYPES if spec.attached(t)}
    used |= {policy_type for policy_type, _ in ctx.desired.policies}
    for policy_type in sorted(used - set(ctx.live.enabled_policy_types)):
        ctx.add(
            Change(
                address=addresses.policy_type(policy_type),
                kind=Kind.POLICY_TYPE,
                action=Action.CREATE,
                reason=f"the repository uses {policy_type}s, which are not enabled on the root",
                before={"root_id": ctx.live.root.id, "enabled": False},
                after={"root_id": ctx.live.root.id, "enabled": True},
            )
        )


def _type_dependency(ctx: DiffContext, policy_type: str) -> tuple[str, ...]:
    return () if policy_type in ctx.live.enabled_policy_types else (addresses.policy_type(policy_type),)


def diff_policies(ctx: DiffContext) -> set[str]:
    """Adds policy changes; returns the addresses of policies the plan creates."""
    created: set[str] = set()
    for (policy_type, name), spec in sorted(ctx.desired.policies.items()):
        live = ctx.live.policy_by_name(policy_type).get(name)
        address = addresses.policy(policy_type, name)
        if live is None:
            created.add(address)
            ctx.add(
                Change(
                    address=address,
                    kind=Kind.POLICY,
                    action=Action.CREATE,
                    reason=f"new policy document {spec.source.file}",
                    after={"name": name, "type": policy_type, "content": spec.content},
                    depends_on=_type_dependency(ctx, policy_type),
                    source=where(spec.source),
                )
            )
        elif live.aws_managed:
            ctx.problems.append(
                f"{where(spec.source)}: {name} is the name of an AWS-managed policy; rename the file"
            )
        elif live.content != spec.content:
            ctx.add(
                Change(
                    address=address,
                    kind=Kind.POLICY,
                    action=Action.UPDATE,
                    reason=f"{spec.source.file} differs from the policy in AWS",
                    before={"id": live.id, "content": live.content},
                    after={"id": live.id, "content": spec.content},
                    source=where(spec.source),
                )
            )
    return created


MAX_SCPS = 5
SERVICE_MANAGED_PREFIXES = ("aws-guardrails-",)
"""SCPs that AWS services attach and own: Control Tower attaches aws-guardrails-* SCPs to the
OUs it registers. vend never detaches them (that would silently remove Control Tower's
preventive controls); they still count towards a target's five SCPs."""


def service_managed(name: str) -> bool:
    return name.startswith(SERVICE_MANAGED_PREFIXES)


def diff_attachments(ctx: DiffContext, created_policies: set[str]) -> None:
    names_by_id = {p.id: p.name for p in ctx.live.policies.values()}
    for spec in managed_targets(ctx):
        live_target = ctx.ou_match.get(spec.path)
        for policy_type in POLICY_TYPES:
            wanted = list(spec.attached(policy_type))
            if live_target is None:
                enabled = policy_type in ctx.live.enabled_policy_types
                current = [FULL_AWS_ACCESS] if policy_type == SCP and enabled else []
            else:
                names = [names_by_id.get(i, i) for i in live_target.policies.get(policy_type, ())]
                current = sorted(n for n in names if not service_managed(n))
                kept = len(names) - len(current)
                if policy_type == SCP and kept and len(wanted) + kept > MAX_SCPS:
                    ctx.problems.append(
                        f"{where(spec.source)}: {path_str(spec.path)} would carry {len(wanted) + kept}"
                        f" SCPs: the {len(wanted)} listed plus {kept} that Control Tower attached;"
                        f" AWS allows {MAX_SCPS}, so list fewer"
                    )
            _reconcile(ctx, spec, policy_type, wanted, current, created_policies)


def _reconcile(
    ctx: DiffContext,
    spec: OuSpec,
    policy_type: str,
    wanted: list[str],
    current: list[str],
    created_policies: set[str],
) -> None:
    attach = [n for n in wanted if n not in current]
    detach = [n for n in current if n not in wanted]
    if not attach and not detach:
        return
    base = ctx.ou_dependency(spec.path) + _type_dependency(ctx, policy_type)
    detach_addresses = [addresses.attachment(policy_type, n, spec.path) for n in detach]
    keeps_one = any(n in current for n in wanted) or policy_type != SCP
    if keeps_one:
        # Detach first: the target keeps at least one SCP and never exceeds five.
        first, after_detach = [], attach
    else:
        # Every current SCP goes: attach one replacement first, then detach, then the rest.
        first, after_detach = attach[:1], attach[1:]
    first_addresses = tuple(addresses.attachment(policy_type, n, spec.path) for n in first)
    for name in first:
        _attachment(ctx, spec, policy_type, name, Action.CREATE, base, created_policies)
    for name in detach:
        _attachment(ctx, spec, policy_type, name, Action.DELETE, base + first_addresses, created_policies)
    for name in after_detach:
        _attachment(
            ctx, spec, policy_type, name, Action.CREATE, base + tuple(detach_addresses), created_policies
        )


def _attachment(
    ctx: DiffContext,
    spec: OuSpec,
    policy_type: str,
    name: str,
    action: Action,
    depends: tuple[str, ...],
    created_policies: set[str],
) -> None:
    policy_address = addresses.policy(policy_type, name)
    if policy_address in created_policies:
        depends = depends + (policy_address,)
    fields = {"policy": f"{POLICY_FOLDERS[policy_type]}/{name}", "target": path_str(spec.path)}
    verb = "attach" if action is Action.CREATE else "detach"
    listed = "listed" if action is Action.CREATE else "not listed"
    ctx.add(
        Change(
            address=addresses.attachment(policy_type, name, spec.path),
            kind=Kind.ATTACHMENT,
            action=action,
            reason=f"{verb}: {name} is {listed} in {spec.source.file}",
            before=None if action is Action.CREATE else fields,
            after=fields if action is Action.CREATE else None,
            depends_on=tuple(dict.fromkeys(depends)),
            source=where(spec.source, "scps" if policy_type == SCP else "tag_policies"),
        )
    )
