"""Diff the catalog's available portfolios against vend's portfolios in the hub: each portfolio
with its products, principals and TagOptions (one change), and each constraint (one change).

A portfolio is matched by its `vend:portfolio` tag (its file's stem). Products, principals and
TagOptions are sets: what the file lists is associated, what it no longer lists is
disassociated (a change, undone by the next apply; not a destroy). Constraints are matched per
product and type: an equal one is kept, one whose parameters or description differ - in git or
in the console - is updated (UpdateConstraint), one the file drops is deleted, so a constraint
edited out of band comes back. Deleting the portfolio itself is explicit: `retired: true`, with
`--allow-destroy`. An enforced portfolio is planned as the hub holds it: its product, shared to
its OUs with the StackSets execution role's IAM_PATTERN (vending.model.catalog_enforced).
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from vending.model.catalog_enforced import hub_view
from vending.model.catalog_types import Constraint, PortfolioSpec
from vending.model.live_catalog import LiveCatalog, LiveConstraint, LivePortfolio
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind
from vending.plan.diff_catalog_products import created_tag_options, tag_option_refs
from vending.plan.diff_context import DiffContext, where

FIELDS = ("display_name", "provider", "description", "products", "principals", "tag_options")


def available(ctx: DiffContext) -> list[PortfolioSpec]:
    catalog = ctx.desired.catalog
    """Every portfolio of the hub: enforced ones as the hub holds them (catalog_enforced.hub_view)."""
    return [] if catalog is None else [hub_view(p) for _, p in sorted(catalog.portfolios.items())]


def principal_refs(principals: Any) -> list[str]:
    return sorted({f"{kind} {arn}" for kind, arn in principals})


def desired_fields(spec: PortfolioSpec) -> dict[str, Any]:
    return {"display_name": spec.display_name, "provider": spec.provider, "description": spec.description,
            "products": sorted(set(spec.products)), "principals": principal_refs((p.type, p.arn) for p in spec.principals),
            "tag_options": tag_option_refs(spec.tag_options)}


def live_fields(live: LiveCatalog, found: LivePortfolio) -> dict[str, Any]:
    names = {p.id: p.vend_name for p in live.products}
    return {"display_name": found.display_name, "provider": found.provider, "description": found.description,
            "products": sorted(names.get(i, i) for i in found.product_ids), "principals": principal_refs(found.principals),
            "tag_options": tag_option_refs(found.tag_options)}


def diff_portfolios(ctx: DiffContext) -> None:
    live = ctx.live.catalog
    if live is None:
        return
    for spec in available(ctx):
        found = live.portfolio(spec.name)
        address = addresses.portfolio(spec.name)
        if spec.retired:
            if found is not None:
                _retire(ctx, spec, found)
            continue
        fields = desired_fields(spec)
        ids = {name: p.id for name in fields["products"] if (p := live.product(name))}
        waits = tuple(addresses.catalog_product(n) for n in fields["products"] if n not in ids) + created_tag_options(
            ctx, fields["tag_options"])
        if found is None:
            ctx.add(Change(address=address, kind=Kind.PORTFOLIO, action=Action.CREATE, source=where(spec.source),
                           reason="not in the hub's portfolios", after={"vend_name": spec.name, **fields, "product_ids": ids},
                           depends_on=waits))
            _diff_constraints(ctx, spec, None)
            continue
        before = live_fields(live, found)
        dropped = _diff_constraints(ctx, spec, found)
        if before != fields:
            changed = [k for k in FIELDS if before[k] != fields[k]]
            ctx.add(Change(address=address, kind=Kind.PORTFOLIO, action=Action.UPDATE, source=where(spec.source),
                           reason=f"{', '.join(changed)} differ{'s' if len(changed) == 1 else ''} from {spec.source.file}",
                           before={"id": found.id, **before,
                                   "product_ids": {_product_name(ctx, i): i for i in found.product_ids}},
                           after={"id": found.id, **fields, "product_ids": ids}, depends_on=waits + dropped))
    _order_product_deletes(ctx)


def _retire(ctx: DiffContext, spec: PortfolioSpec, found: LivePortfolio) -> None:
    """DeletePortfolio, after its constraints and shares are gone (the applier disassociates the rest)."""
    waits = []
    for c in found.constraints:
        address = addresses.catalog_constraint(spec.name, _product_name(ctx, c.product_id), c.type) + f"#{c.id}"
        ctx.add(Change(address=address, kind=Kind.CATALOG_CONSTRAINT, action=Action.DELETE, source=where(spec.source, "retired"),
                       reason="its portfolio is retired", before=_live_constraint(found, c)))
        waits.append(address)
    ctx.add(Change(address=addresses.portfolio(spec.name), kind=Kind.PORTFOLIO, action=Action.DELETE, destructive=True,
                   reason=f"retired: true in {spec.source.file}", source=where(spec.source, "retired"),
                   before={"id": found.id, **live_fields(ctx.live.catalog, found),  # type: ignore[arg-type]
                           "product_ids": {_product_name(ctx, i): i for i in found.product_ids}},
                   depends_on=tuple(waits) + tuple(c.address for c in ctx.changes if c.kind is Kind.PORTFOLIO_SHARE
                                                   and c.address.startswith(f"portfolio_share:{spec.name}@"))))


def _product_name(ctx: DiffContext, product_id: str) -> str:
    found = next((p for p in ctx.live.catalog.products if p.id == product_id), None)  # type: ignore[union-attr]
    return found.vend_name if found else product_id


def _live_constraint(found: LivePortfolio, c: LiveConstraint) -> dict[str, Any]:
    return {"portfolio_id": found.id, "product_id": c.product_id, "id": c.id, "type": c.type,
            "description": c.description, "parameters": json.loads(c.parameters)}


def _want(c: Constraint) -> dict[str, Any]:
    return {"type": c.type, "description": c.description, "parameters": c.parameters}


def _diff_constraints(ctx: DiffContext, spec: PortfolioSpec, found: LivePortfolio | None) -> tuple[str, ...]:
    """Changes for each constraint; returns the deletes a product disassociation must wait for."""
    live = ctx.live.catalog
    assert live is not None
    portfolio_address = addresses.portfolio(spec.name)
    existing = list(found.constraints) if found else []
    deletes = []
    products = set(spec.products)
    for product in sorted(products):
        item = live.product(product)
        pair = [c for c in existing if item is not None and c.product_id == item.id]
        for kind in sorted({c.type for c in spec.constraints.get(product, ())} | {c.type for c in pair}):
            wanted = [c for c in spec.constraints.get(product, ()) if c.type == kind]
            have = [c for c in pair if c.type == kind]
            _match(ctx, spec, product, kind, wanted, have, found, portfolio_address, item.id if item else "")
    kept = {p.id for n in products if (p := live.product(n))}
    for c in existing:
        if c.product_id not in kept:
            address = addresses.catalog_constraint(spec.name, _product_name(ctx, c.product_id), c.type) + f"#{c.id}"
            ctx.add(Change(address=address, kind=Kind.CATALOG_CONSTRAINT, action=Action.DELETE, source=where(spec.source),
                           reason="its product is no longer in the portfolio", before=_live_constraint(found, c)))  # type: ignore[arg-type]
            deletes.append(address)
    return tuple(deletes)


def _match(ctx: DiffContext, spec: PortfolioSpec, product: str, kind: str, wanted: list[Constraint],
           have: list[LiveConstraint], found: LivePortfolio | None, portfolio_address: str, product_id: str) -> None:
    canonical = {id(c): json.dumps(c.parameters, sort_keys=True) for c in wanted}
    left = list(have)
    unmatched = []
    for c in wanted:
        same = next((h for h in left if h.parameters == canonical[id(c)] and h.description == c.description), None)
        if same is not None:
            left.remove(same)
        else:
            unmatched.append(c)
    source = where(spec.source, "constraints")
    for c in unmatched:
        address = addresses.catalog_constraint(spec.name, product, kind) + (f"-{wanted.index(c) + 1}" if len(wanted) > 1 else "")
        ident = {"portfolio": spec.name, "product": product, **({"portfolio_id": found.id} if found else {}),
                 **({"product_id": product_id} if product_id else {})}
        if left:
            old = left.pop(0)
            ctx.add(Change(address=address, kind=Kind.CATALOG_CONSTRAINT, action=Action.UPDATE, source=source,
                           reason=f"the {kind} constraint differs from {spec.source.file}",
                           before=_live_constraint(found, old), after={**ident, "id": old.id, **_want(c)}))  # type: ignore[arg-type]
        else:
            ctx.add(Change(address=address, kind=Kind.CATALOG_CONSTRAINT, action=Action.CREATE, source=source,
                           reason=f"no {kind} constraint like it on {product} in the portfolio", after={**ident, **_want(c)},
                           depends_on=(portfolio_address,) if not found or product_id not in found.product_ids
                           else ()))
    for old in left:
        ctx.add(Change(address=addresses.catalog_constraint(spec.name, product, kind) + f"#{old.id}",
                       kind=Kind.CATALOG_CONSTRAINT, action=Action.DELETE, source=source,
                       reason=f"{spec.source.file} has no such {kind} constraint on {product}",
                       before=_live_constraint(found, old)))  # type: ignore[arg-type]


def _order_product_deletes(ctx: DiffContext) -> None:
    """A retired product is deleted after the portfolio changes that let go of it."""
    releasing = [c.address for c in ctx.changes if c.kind is Kind.PORTFOLIO and c.action is not Action.CREATE]
    for i, change in enumerate(ctx.changes):
        if change.kind is Kind.CATALOG_PRODUCT and change.action is Action.DELETE:
            ctx.changes[i] = replace(change, depends_on=tuple(sorted(set(change.depends_on) | set(releasing))))
