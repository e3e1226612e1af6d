"""OUs: create, rename (only when declared), tags, and delete (only when retired and empty).

Organizations has no API to move an OU, so an OU is matched to a live one under the same
parent, by name, by `renamed_from`, or by a pinned id that must sit under the same parent.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

from vending.model.live import LiveOu
from vending.model.types import DesiredOrg, OuPath, OuSpec, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext, where


def diff_ous(ctx: DiffContext) -> None:
    children: dict[str, dict[str, LiveOu]] = defaultdict(dict)
    for live_ou in ctx.live.ous.values():
        children[live_ou.parent_id or ""][live_ou.name] = live_ou
    for spec in sorted(ctx.desired.ous.values(), key=lambda s: (len(s.path), s.path)):
        live_ou = _find(ctx, spec, children)
        if live_ou is None:
            if not spec.retired:
                _create(ctx, spec)
            continue
        ctx.match(spec.path, live_ou)
        if spec.retired:
            ctx.retired_ous.add(spec.path)
        elif live_ou.name != spec.name:
            ctx.renamed_ous.add(spec.path)
            ctx.add(
                Change(
                    address=addresses.ou(spec.path),
                    kind=Kind.OU,
                    action=Action.UPDATE,
                    reason=f"renamed from {live_ou.name!r} as declared in {spec.source.file}",
                    before={"id": live_ou.id, "name": live_ou.name},
                    after={"id": live_ou.id, "name": spec.name},
                    source=where(spec.source, "renamed_from"),
                )
            )


def _find(ctx: DiffContext, spec: OuSpec, children: dict[str, dict[str, LiveOu]]) -> LiveOu | None:
    parent = ctx.ou_match.get(spec.parent)
    if spec.pinned_id:
        live_ou = ctx.live.ous.get(spec.pinned_id)
        if live_ou is None:
            ctx.problems.append(
                f"{where(spec.source, 'id')}: id {spec.pinned_id} is not an OU of this organization;"
                " remove `id` to create the OU, or correct it"
            )
        elif parent is None or live_ou.parent_id != parent.id:
            ctx.problems.append(
                f"{where(spec.source, 'id')}: OU {spec.pinned_id} sits in {path_str(live_ou.path)}, not"
                f" under {path_str(spec.parent)}; Organizations cannot move an OU, so create a new"
                " one there and move the accounts"
            )
            return None
        return live_ou
    if parent is None:
        return None
    siblings = children.get(parent.id, {})
    found = siblings.get(spec.name)
    if found is None and spec.renamed_from:
        found = siblings.get(spec.renamed_from)
    return found


def _create(ctx: DiffContext, spec: OuSpec) -> None:
    ctx.created_ous.add(spec.path)
    ctx.add(
        Change(
            address=addresses.ou(spec.path),
            kind=Kind.OU,
            action=Action.CREATE,
            reason=f"declared in {spec.source.file}",
            after={"name": spec.name, "parent": path_str(spec.parent)},
            depends_on=ctx.ou_dependency(spec.parent),
            source=where(spec.source),
        )
    )


def tag_managed(desired: DesiredOrg) -> list[OuSpec]:
    """The OUs (and the root) whose YAML has a `tags` key: only their tags are reconciled."""
    specs = [s for s in desired.ous.values() if not s.retired and s.tags is not None]
    if desired.root is not None and desired.root.tags is not None:
        specs.append(desired.root)
    return specs


def tag_scope(desired: DesiredOrg) -> Callable[[OuPath, str], bool]:
    """Which live OUs' tags a plan must read, by live path and id: the tag-managed OUs under
    their names, their `renamed_from` names or their pinned ids."""
    paths: set[OuPath] = set()
    ids: set[str] = set()
    for spec in tag_managed(desired):
        paths.add(spec.path)
        if spec.renamed_from:
            paths.add(spec.parent + (spec.renamed_from,))
        if spec.pinned_id:
            ids.add(spec.pinned_id)
    return lambda path, node_id: path in paths or node_id in ids


def diff_ou_tags(ctx: DiffContext) -> None:
    for spec in sorted(tag_managed(ctx.desired), key=lambda s: s.path):
        live_ou = ctx.ou_match.get(spec.path)
        live_tags = (live_ou.tags or {}) if live_ou else {}
        if live_tags == spec.tags:
            continue
        ident = {"id": live_ou.id} if live_ou else {}
        ctx.add(
            Change(
                address=addresses.ou_tags(spec.path),
                kind=Kind.OU_TAGS,
                action=Action.UPDATE,
                reason=f"tags in {spec.source.file} differ from the OU's tags",
                before={**ident, "tags": dict(sorted(live_tags.items()))},
                after={**ident, "tags": dict(sorted(spec.tags.items()))},
                depends_on=ctx.ou_dependency(spec.path),
                source=where(spec.source, "tags"),
            )
        )


def diff_ou_deletes(ctx: DiffContext, moves_out: dict[str, list[str]]) -> None:
    """Delete retired OUs, children first, once every account in them has moved out.

    `moves_out` maps a live OU id to the addresses of the account changes taking accounts out.
    """
    for path in sorted(ctx.retired_ous, key=lambda p: (-len(p), p)):
        live_ou = ctx.ou_match[path]
        spec = ctx.desired.ous[path]
        blockers: list[str] = []
        depends: list[str] = []
        for child in ctx.live.ous.values():
            if child.parent_id != live_ou.id:
                continue
            child_path = ctx.matched_live.get(child.id)
            if child_path in ctx.retired_ous:
                depends.append(addresses.ou(child_path))
            else:
                blockers.append(f"OU {path_str(child.path)}")
        if path in ctx.deregistering:
            depends.append(addresses.ou_registration(path))
        leaving = set(moves_out.get(live_ou.id, []))
        for account in ctx.live.accounts.values():
            if account.parent_id != live_ou.id:
                continue
            address = addresses.account(account.name)
            if address in leaving:
                depends.append(address)
            else:
                blockers.append(f"account {account.name} ({account.id})")
        if blockers:
            ctx.problems.append(
                f"{where(spec.source)}: OU {path_str(path)} is retired but still holds "
                + ", ".join(sorted(blockers))
                + "; move them out in YAML (or retire child OUs too) before deleting it"
            )
            continue
        ctx.add(
            Change(
                address=addresses.ou(path),
                kind=Kind.OU,
                action=Action.DELETE,
                reason=f"retired: true in {spec.source.file}",
                before={"id": live_ou.id, "name": live_ou.name, "parent": path_str(path[:-1])},
                depends_on=tuple(sorted(depends)),
                destructive=True,
                source=where(spec.source, "retired"),
            )
        )


def note_unmanaged_ous(ctx: DiffContext) -> None:
    for live_ou in sorted(ctx.live.ous.values(), key=lambda o: o.path):
        if live_ou.id not in ctx.matched_live:
            ctx.notes.append(
                Note(
                    kind="unmanaged",
                    address=addresses.ou(live_ou.path),
                    message=f"OU {live_ou.id} is not described in ous/; vend leaves it untouched",
                )
            )

