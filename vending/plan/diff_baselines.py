"""Baselines: each one SERVICE_MANAGED stack set `vend-<name>`, diffed field by field, and the
stack instance operations that bring its targets where the repository says.

Runs after the account diff, so the accounts this plan creates or moves are known: a new
account's row enters the template with a placeholder id (the applier fills in the real one),
and a moved account's row is in the template before auto-deployment reaches it. The order of
one baseline is stacksets_access -> stack_set -> remove -> deploy -> fill -> retry -> exclude
(a stack set runs one operation at a time); the README's "Baselines: planning" has the rest.

Decisions: a retired baseline deletes its stack set (instances first, honouring
retain_stacks_on_account_removal); a baseline listed on no OU keeps (or gets) its stack set
with no instances, so baselines depending on it still find its ARN; a `vend-` stack set with no
baselines/ folder is left alone (deletion is explicit: `retired: true`).
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from vending.model import cfn_template
from vending.model.ip_plan import reaching
from vending.model.live_baselines import MANAGED_TAG, LiveBaselines, LiveStackSet, stack_set_name
from vending.model.stackset_template import TemplateLimitError, account_values, final_template, flat_rows, split
from vending.model.baseline_types import BaselineSpec
from vending.plan import addresses
from vending.plan.baseline_scope import Accounts, accounts, desired_targets
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext, where
from vending.plan.diff_stack_instances import (
    Planned, instance_changes, instance_notes, preferences, quota_note, remove_all,
)
from vending.plan.tokens import token

SERVICE_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
INSTANCE_QUOTA = 2_000
"""Stack instances per stack set, the archived default quota (aws-facts §4.4, adjustable)."""
COMPARED = ("description", "template", "parameters", "accounts", "capabilities", "auto_deployment", "tags")
"""The fields of a stack set an update changes (operation preferences belong to each operation)."""
NO_ECHO = "****"


def diff_baselines(ctx: DiffContext) -> None:
    """Adds the baselines' changes and notes; nothing when StackSets were not read."""
    live = ctx.live.baselines
    if live is None:
        return
    found = accounts(ctx)
    planned: dict[str, list[Planned]] = {}
    for name, spec in sorted(ctx.desired.baselines.items()):
        current = live.stack_sets.get(name)
        if spec.retired:
            planned[name] = _retire(ctx, spec, current, found)
        elif current is None and stack_set_name(name) in live.foreign:
            ctx.problems.append(
                f"{spec.source.at()}: a stack set named {stack_set_name(name)} exists but vend does not manage it"
                f" (SELF_MANAGED, or no {MANAGED_TAG[0]}={MANAGED_TAG[1]} tag); rename the baseline's folder, or"
                " delete or rename that stack set")
        else:
            planned[name] = _converge(ctx, spec, current, found)
    for name, current in live.stack_sets.items():
        if name not in ctx.desired.baselines:
            ctx.notes.append(Note("unmanaged", addresses.stack_set(name),
                f"stack set {current.name} has no baselines/{name}/ folder; vend leaves it and its instances alone"
                f" (to delete it, add baselines/{name}/ with retired: true)"))
    _link(ctx, live, planned)


def _retire(ctx: DiffContext, spec: BaselineSpec, current: LiveStackSet | None, found: Accounts) -> list[Planned]:
    if current is None:
        return []
    planned = []
    removed = remove_all(ctx, spec, current)
    if removed is not None:
        planned.append(removed)
    planned.append(Planned(Change(
        address=addresses.stack_set(spec.name), kind=Kind.STACK_SET, action=Action.DELETE,
        reason=f"retired: true in {spec.source.file} (DeleteStackSet, once its instances are gone)",
        before=_live_view(ctx, current, found), destructive=True, source=where(spec.source, "retired"),
        depends_on=tuple(p.change.address for p in planned))))
    return planned


def _converge(ctx: DiffContext, spec: BaselineSpec, current: LiveStackSet | None, found: Accounts) -> list[Planned]:
    targets = desired_targets(ctx, spec.name)
    rows = account_values(ctx.desired, spec, found.ids)
    try:
        final = final_template(spec, rows)
    except TemplateLimitError as exc:
        ctx.problems.append(f"{spec.source.at()}: {exc}")
        return []
    template, _ = split(final.body)
    flat = {found.name(i): attributes for i, attributes in flat_rows(rows).items()}
    after: dict[str, Any] = {
        "name": stack_set_name(spec.name),
        "description": spec.description,
        "template": template,
        "parameters": {n: v for n, v in sorted(spec.parameters.items())
                       if isinstance(v, str) and n in final.parameters},
        "accounts": dict(sorted(flat.items())),
        "account_ids": {n: (None if n in found.created else found.ids[n]) for n in sorted(flat)},
        "capabilities": sorted(final.capabilities),
        "auto_deployment": {"enabled": True, "retain_stacks_on_account_removal": spec.retain_stacks_on_account_removal,
                            "depends_on": sorted(spec.depends_on)},
        "operation_preferences": preferences(spec.operation_preferences),
        "template_bucket": ctx.desired.settings.template_bucket,
        "tags": dict([MANAGED_TAG]),
    }
    planned: list[Planned] = []
    created_rows = sorted(addresses.account(n) for n in flat if n in found.created)
    depends = tuple(created_rows) + tuple(addresses.stack_set(d) for d in spec.depends_on)
    if current is None:
        planned.append(Planned(Change(
            address=addresses.stack_set(spec.name), kind=Kind.STACK_SET, action=Action.CREATE,
            reason=f"new baseline in {spec.source.file}: stack set {after['name']} (SERVICE_MANAGED, auto-deployment)",
            after=after, depends_on=depends, source=where(spec.source))))
    else:
        before = _live_view(ctx, current, found)
        changed = [f for f in COMPARED if not _same(f, before, after, current)]
        if changed:
            planned.append(Planned(Change(
                address=addresses.stack_set(spec.name), kind=Kind.STACK_SET, action=Action.UPDATE,
                reason=f"{', '.join(changed)} differ{'s' if len(changed) == 1 else ''} from {spec.source.file}"
                       " (UpdateStackSet updates every instance)",
                before=before, after=after, depends_on=depends, source=where(spec.source))))
        instance_notes(ctx, spec, current, found)
    if not targets:
        ctx.notes.append(Note("info", addresses.stack_set(spec.name),
            f"baseline {spec.name} is listed on no OU: its stack set has no stack instances (list it in an"
            " ou.yaml to deploy it, or set retired: true to delete it)"))
    quota_note(ctx, spec, targets, INSTANCE_QUOTA)
    # Instances go before the stack set's update, so it never reaches (and fails on) an instance
    # whose row it drops; new instances come after it, so they get the new template.
    instances = instance_changes(ctx, spec, current, targets, found)
    removals = [p for p in instances if p.change.action is Action.DELETE]
    moved_out = _move_edges(ctx, spec, found, flat)
    if moved_out and planned:
        planned[0] = Planned(replace(planned[0].change, depends_on=tuple(sorted({*planned[0].change.depends_on, *moved_out}))))
    return removals + planned + [p for p in instances if p.change.action is not Action.DELETE]


def _live_view(ctx: DiffContext, current: LiveStackSet, found: Accounts) -> dict[str, Any]:
    """The stack set as read, under the change's field names (rows by desired account name)."""
    template, rows = split(current.template)
    names = found.names
    arns = {s.arn: s.baseline for s in (ctx.live.baselines.stack_sets.values() if ctx.live.baselines else ())}
    return {
        "id": current.id, "arn": current.arn, "name": current.name, "description": current.description,
        "template": template, "parameters": dict(current.parameters),
        "accounts": dict(sorted((names.get(i, i), r) for i, r in rows.items())),
        "capabilities": sorted(current.capabilities),
        "auto_deployment": {"enabled": current.auto_deployment,
                            "retain_stacks_on_account_removal": current.retain_stacks_on_account_removal,
                            "depends_on": sorted(arns.get(a, a) for a in current.depends_on)},
        "tags": dict(current.tags),
    }


def _same(name: str, before: dict[str, Any], after: dict[str, Any], current: LiveStackSet) -> bool:
    if name != "parameters":
        return before[name] == after[name]
    return _effective(before["parameters"], current.template, after["parameters"]) == \
        _effective(after["parameters"], after["template"], after["parameters"])


def _effective(values: dict[str, str], template: str, desired: dict[str, str]) -> dict[str, str]:
    """Values as the stacks see them: a template default counts as passed (AWS may list it or
    not), and a NoEcho value (read back as ****) as the one the repository gives."""
    try:
        declared = cfn_template.parameters(json.loads(template))
    except (ValueError, TypeError):
        declared = {}
    effective = {n: str(d["Default"]) for n, d in declared.items() if isinstance(d, dict) and "Default" in d}
    for key, value in values.items():
        effective[key] = desired.get(key, value) if value == NO_ECHO else value
    return effective


def _move_edges(ctx: DiffContext, spec: BaselineSpec, found: Accounts, flat: dict[str, Any]) -> list[str]:
    """Order account moves against the stack set's update (both planned already; the edges are
    added here with dataclasses.replace):
    - into the baseline's OUs with a row: stack_set:<b> -> the move, so its values are in the
      template before auto-deployment gives it its first instance;
    - out of them: the move -> stack_set:<b> (returned), so auto-deployment has taken its instances
      away before the update drops its row (an instance without its row fails the update). Not
      when the move already waits for a stack set (it also moves into another baseline): that
      edge could close a cycle, and a rerun converges anyway."""
    memo: dict = {}
    moved_out: list[str] = []
    for index, change in enumerate(ctx.changes):
        if change.kind not in (Kind.ACCOUNT, Kind.FACTORY_ACCOUNT) or change.action not in (Action.MOVE, Action.UPDATE):
            continue
        name = change.address.split(":", 1)[1]
        account, live = ctx.desired.accounts.get(name), found.live.get(name)
        if account is None or live is None:
            continue
        was = ctx.matched_live.get(live.parent_id)
        reached_now = spec.name in reaching(ctx.desired, ctx.desired.placement(account), memo)
        reached_before = was is not None and spec.name in reaching(ctx.desired, was, memo)
        address = addresses.stack_set(spec.name)
        if reached_now and not reached_before and name in flat and address not in change.depends_on:
            ctx.changes[index] = replace(change, depends_on=tuple(sorted((*change.depends_on, address))))
        elif reached_before and not reached_now and not any(d.startswith("stack_set:") for d in change.depends_on):
            moved_out.append(change.address)
    return moved_out


def _prerequisites(depends_on: tuple[str, ...], planned: dict[str, list[Planned]]) -> list[str]:
    """What an instance operation of a baseline waits for: the stack sets it depends on, and
    every operation of theirs that puts instances in place (a deploy, a fill or a retry). A VPC
    whose flow logs go to the logging bucket fails in an account the bucket has not reached."""
    return [a for d in depends_on for a in (
        addresses.stack_set(d),
        *(p.change.address for p in planned.get(d, ())
          if p.change.kind is Kind.STACK_INSTANCES and p.change.action is not Action.DELETE))]


def _link(ctx: DiffContext, live: LiveBaselines, planned: dict[str, list[Planned]]) -> None:
    """Edges inside and between baselines, trusted access, operations in flight, tokens."""
    exists = {p.change.address for ps in planned.values() for p in ps}
    needs_access = not live.trusted_access and (exists or any(not s.retired for s in ctx.desired.baselines.values()))
    if needs_access:
        ctx.add(Change(address=addresses.stacksets_access(), kind=Kind.STACKSETS_ACCESS, action=Action.CREATE,
                       reason="trusted access for StackSets is not enabled in Organizations; SERVICE_MANAGED stack"
                              " sets and auto-deployment need it (ActivateOrganizationsAccess)",
                       after={"service_principal": SERVICE_PRINCIPAL}, source=ctx.desired.settings.source.at()))
    retired_ous = {ctx.ou_match[p].id: p for p in ctx.retired_ous if p in ctx.ou_match}
    ou_deletes: dict[str, list[str]] = {}
    for name in sorted(planned):
        chain: list[str] = []
        current = live.stack_sets.get(name)
        for position, item in enumerate(planned[name]):
            change = item.change
            extra = list(change.depends_on)
            if needs_access:
                extra.append(addresses.stacksets_access())
            if chain:
                extra.append(chain[-1])
            elif change.kind is Kind.STACK_INSTANCES and change.action is not Action.DELETE:
                extra.append(addresses.stack_set(name))
            if change.kind is Kind.STACK_INSTANCES and change.action is not Action.DELETE:
                extra += _prerequisites(ctx.desired.baselines[name].depends_on, planned)
            after = dict(change.after) if change.after is not None else None
            before = change.before
            if position == 0 and current is not None and current.busy():
                if after is not None:
                    after["in_flight"] = current.operations[0].id
                else:  # a delete has no after: the applier reads it from before
                    before = {**(before or {}), "in_flight": current.operations[0].id}
            if after is not None:
                key = "client_request_token" if change.kind is Kind.STACK_SET and change.action is Action.CREATE \
                    else "operation_id"
                after[key] = token(change.address, change.before, after, item.salt)
            ctx.add(replace(change, before=before, after=after, depends_on=tuple(sorted(set(a for a in extra if a != change.address)))))
            chain.append(change.address)
            for ou_id in item.removed_ous:
                if ou_id in retired_ous:
                    ou_deletes.setdefault(addresses.ou(retired_ous[ou_id]), []).append(change.address)
        if current is not None and current.busy() and not planned[name]:
            ctx.notes.append(Note("info", addresses.stack_set(name),
                f"operation {current.operations[0].id} ({current.operations[0].action},"
                f" {current.operations[0].status}) is running on {current.name}; vend has nothing to change there"))
    for index, change in enumerate(ctx.changes):
        if change.address in ou_deletes and change.kind is Kind.OU and change.action is Action.DELETE:
            ctx.changes[index] = replace(change, depends_on=tuple(sorted({*change.depends_on, *ou_deletes[change.address]})))
