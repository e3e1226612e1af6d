"""Diff the catalog's TagOption library against the hub's TagOptions.

Each key/value pair of catalog/tagoptions.yaml is one TagOption: created when missing (and
deactivated in the same step when the library says `active: false`), updated when its Active
flag differs, whoever changed it. Deactivating keeps the TagOption's associations, as AWS does,
so it is not destructive. A TagOption of the hub that the library does not list is left alone
(deletion is explicit in YAML; the library has no way to ask for it yet) and noted.
"""
from __future__ import annotations

from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext

LIBRARY = "catalog/tagoptions.yaml"


def diff_tag_options(ctx: DiffContext) -> None:
    catalog, live = ctx.desired.catalog, ctx.live.catalog
    if catalog is None or catalog.tag_options is None or live is None:
        return
    library = catalog.tag_options
    for (key, value), option in library.options.items():
        address = addresses.tag_option(key, value)
        found = live.tag_option(key, value)
        after = {"key": key, "value": value, "active": option.active}
        source = f"{LIBRARY}:{option.line}"
        if found is None:
            ctx.add(Change(address=address, kind=Kind.TAG_OPTION, action=Action.CREATE,
                           reason="not in the hub's TagOptions", after=after, source=source))
        elif found.active != option.active:
            state = "active" if found.active else "inactive"
            ctx.add(Change(address=address, kind=Kind.TAG_OPTION, action=Action.UPDATE,
                           reason=f"{state} in the hub, {'active' if option.active else 'inactive'} in the library",
                           before={"id": found.id, "key": key, "value": value, "active": found.active},
                           after={"id": found.id, **after}, source=source))
    for found in live.tag_options:
        if (found.key, found.value) not in library.options:
            ctx.notes.append(Note("unmanaged_tag_option", addresses.tag_option(found.key, found.value),
                                  f"TagOption {found.key}={found.value} ({found.id}) is in the hub but not in {LIBRARY};"
                                  " vend leaves it alone"))
