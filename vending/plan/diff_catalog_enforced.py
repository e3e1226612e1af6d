"""Enforced portfolios between the catalog diff and the baselines diff (vending.model.catalog_enforced).

Two things the generic pieces cannot know:
- `forced_update: false` keeps the version the stack set deploys: a new version in git is then
  not rolled out (a note says so), and accounts vended later get the deployed one too, since
  auto-deployment uses the stack set's template (`pin_versions`, before diff_baselines);
- order: a launch from a stack instance needs the product version, the portfolio with its
  principal and its COMPLETED shares, so the stack set and its instance operations wait for
  those changes; a retired portfolio is deleted only after its stack set (`link`, last).
"""
from __future__ import annotations

from dataclasses import replace

from vending.model.catalog_enforced import baseline_name, deployed_version, template
from vending.plan import addresses
from vending.plan.changes import Action, Kind, Note
from vending.plan.diff_context import DiffContext


def pin_versions(ctx: DiffContext) -> None:
    catalog, live = ctx.desired.catalog, ctx.live.baselines
    if catalog is None or live is None:
        return
    baselines = dict(ctx.desired.baselines)
    for name, spec in sorted(catalog.portfolios.items()):
        enforced = spec.enforced
        current = live.stack_sets.get(baseline_name(name))
        if enforced is None or enforced.forced_update or current is None or baseline_name(name) not in baselines:
            continue
        deployed = deployed_version(current.template)
        product = catalog.products.get(enforced.product)
        if deployed is None or deployed == enforced.version or product is None:
            continue
        baselines[baseline_name(name)] = replace(baselines[baseline_name(name)],
                                                 template=template(spec, product, deployed))
        ctx.notes.append(Note("info", addresses.stack_set(baseline_name(name)),
            f"{spec.source.file} names version {enforced.version}, and the accounts run {deployed}:"
            f" without forced_update: true vend keeps {deployed} (new accounts get it too); set"
            " forced_update: true to move every account (one UpdateStackSet)"))
        kept = product.version(deployed)
        if kept is None or not kept.active or kept.guidance == "deprecated":
            state = "gone from the product file" if kept is None else "inactive" if not kept.active else "deprecated"
            ctx.notes.append(Note("warning", addresses.stack_set(baseline_name(name)),
                f"{deployed} is {state}: an account vended into these OUs now fails to launch it"
                " (Service Catalog refuses new launches of it); set forced_update: true"))
    ctx.desired = replace(ctx.desired, baselines=baselines)


def _waits_for(ctx: DiffContext, portfolio: str, product: str, version: str) -> list[str]:
    mine = (addresses.portfolio(portfolio), addresses.catalog_product(product),
            addresses.product_version(product, version), addresses.catalog_org_access())
    return sorted(c.address for c in ctx.changes if c.action is not Action.DELETE and (
        c.address in mine or c.address.startswith(addresses.portfolio_share(portfolio, ""))))


def link(ctx: DiffContext) -> None:
    catalog = ctx.desired.catalog
    if catalog is None:
        return
    for name, spec in sorted(catalog.portfolios.items()):
        if spec.enforced is None:
            continue
        stack_set = addresses.stack_set(baseline_name(name))
        instances = addresses.stack_instances(baseline_name(name), "")
        if spec.retired:
            gone = sorted(c.address for c in ctx.changes if c.action is Action.DELETE
                          and (c.address == stack_set or c.address.startswith(instances)))
            _add(ctx, lambda c: c.address == addresses.portfolio(name) and c.action is Action.DELETE, gone)
            continue
        _ambiguous(ctx, name, spec.enforced.product, spec.enforced.version)
        waits = _waits_for(ctx, name, spec.enforced.product, spec.enforced.version)
        _add(ctx, lambda c: c.action is not Action.DELETE and (c.address == stack_set or (
            c.kind is Kind.STACK_INSTANCES and c.address.startswith(instances))), waits)


def _ambiguous(ctx: DiffContext, portfolio: str, product: str, version: str) -> None:
    """The stack set launches the version by name; a changed template made a second artifact of
    that name (diff_catalog_products), and AWS then refuses the launch."""
    found = ctx.live.catalog.product(product) if ctx.live.catalog else None
    same = [v for v in (found.versions if found else ()) if v.name == version]
    if len(same) > 1 or any(c.address == addresses.product_version(product, version) and (c.after or {}).get("supersedes")
                            for c in ctx.changes):
        ctx.notes.append(Note("warning", addresses.stack_set(baseline_name(portfolio)),
            f"product {product} has (or gets) two versions named {version}: launches by name fail with"
            f" \"Multiple Provisioning Artifact with name {version} found.\" Give the changed template a"
            " new version name and enforce that one"))


def _add(ctx: DiffContext, chosen, waits: list[str]) -> None:
    if not waits:
        return
    for index, change in enumerate(ctx.changes):
        if chosen(change):
            ctx.changes[index] = replace(change, depends_on=tuple(sorted({*change.depends_on, *waits})))

