"""Diff the catalog's TagOption library against the hub's TagOptions.

Each key/value pair of catalog/tagoptions.yaml is one TagOption: created when missing (and
deactivated in the same step when the library says `active: false`), updated when its Active
flag differs, whoever changed it. Deactivating keeps the TagOption's associations, as AWS does,
so it is not destructive. `retired: true` deletes it (destructive): AWS refuses DeleteTagOption
while anything is associated (ResourceInUseException), so the delete waits for the changes of
vend's products and portfolios that hold it now (V835 makes sure the files dropped it, so those
changes disassociate it). A TagOption of the hub that the library does not list is left alone
(deletion is explicit in YAML) and noted.
"""
from __future__ import annotations

from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.model.catalog_types import TagOption
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
        if option.retired:
            if found is not None:
                _delete(ctx, option, found.id, found.active, source)
        elif found is None:
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


def _delete(ctx: DiffContext, option: TagOption, tag_id: str, active: bool, source: str) -> None:
    live = ctx.live.catalog
    pair = (option.key, option.value)
    holders = tuple(sorted([addresses.catalog_product(p.vend_name) for p in live.products if pair in p.tag_options]
                           + [addresses.portfolio(p.vend_name) for p in live.portfolios if pair in p.tag_options]))
    ctx.add(Change(address=addresses.tag_option(*pair), kind=Kind.TAG_OPTION, action=Action.DELETE, destructive=True,
                   reason="retired in the library" + (f"; disassociated first from {', '.join(holders)}" if holders else ""),
                   before={"id": tag_id, "key": option.key, "value": option.value, "active": active},
                   source=source, depends_on=holders))
