"""Appliers of portfolios and their constraints.

CreatePortfolio and CreateConstraint take an IdempotencyToken (a hash of the change and of the
state the apply started from), so a retried create returns the same portfolio or constraint.
Products, principals (IAM and IAM_PATTERN) and TagOptions are associated and disassociated one
by one; repeating an association changes nothing in AWS, so a resumed apply converges.
"""
from __future__ import annotations

import json
from typing import Any

from vending.apply.catalog_products import retag_options, token
from vending.apply.context import ApplyContext
from vending.errors import ApplyFailure
from vending.plan import addresses
from vending.plan.changes import Action, Change

PORTFOLIO_TAG = "vend:portfolio"


def _product_id(ctx: ApplyContext, name: str, known: str) -> str:
    try:
        return ctx.catalog_id(addresses.catalog_product(name), known)
    except KeyError:
        raise ApplyFailure(f"product {name} was not created in this apply: run vend plan again") from None


def _principal(ref: str) -> dict[str, str]:
    kind, arn = ref.split(" ", 1)
    return {"PrincipalType": kind, "PrincipalARN": arn}


def _associate(ctx: ApplyContext, portfolio_id: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    catalog = ctx.servicecatalog
    ids = after.get("product_ids", {})
    for name in sorted(set(after["products"]) - set(before.get("products", []))):
        catalog.associate_product_with_portfolio(ProductId=_product_id(ctx, name, ids.get(name, "")), PortfolioId=portfolio_id)
    for ref in sorted(set(after["principals"]) - set(before.get("principals", []))):
        catalog.associate_principal_with_portfolio(PortfolioId=portfolio_id, **_principal(ref))
    _release(ctx, portfolio_id, before, after)
    retag_options(ctx, portfolio_id, before.get("tag_options", []), after["tag_options"])


def _release(ctx: ApplyContext, portfolio_id: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    catalog = ctx.servicecatalog
    old_ids = before.get("product_ids", {})
    for name in sorted(set(before.get("products", [])) - set(after.get("products", []))):
        catalog.disassociate_product_from_portfolio(ProductId=old_ids.get(name, name), PortfolioId=portfolio_id)
    for ref in sorted(set(before.get("principals", [])) - set(after.get("principals", []))):
        catalog.disassociate_principal_from_portfolio(PortfolioId=portfolio_id, **_principal(ref))


def apply_portfolio(change: Change, ctx: ApplyContext) -> str:
    catalog = ctx.servicecatalog
    before, after = change.before or {}, change.after or {}
    if change.action is Action.DELETE:
        empty = {"products": [], "principals": [], "tag_options": []}
        _release(ctx, before["id"], before, empty)
        retag_options(ctx, before["id"], before.get("tag_options", []), [])
        catalog.delete_portfolio(Id=before["id"])
        return f"portfolio {before['display_name']} ({before['id']}) deleted"
    fields = {"DisplayName": after["display_name"], "ProviderName": after["provider"],
              **({"Description": after["description"]} if after.get("description") else {})}
    if change.action is Action.CREATE:
        created = catalog.create_portfolio(**fields, Tags=[{"Key": PORTFOLIO_TAG, "Value": after["vend_name"]}],
                                           IdempotencyToken=token(change, ctx))
        portfolio_id = created["PortfolioDetail"]["Id"]
        ctx.set_catalog_id(change.address, portfolio_id)
        _associate(ctx, portfolio_id, {}, after)
        return f"portfolio {after['display_name']} created ({portfolio_id})"
    if any(before.get(k) != after.get(k) for k in ("display_name", "provider", "description")):
        catalog.update_portfolio(Id=after["id"], **fields)
    _associate(ctx, after["id"], before, after)
    return f"portfolio {after['display_name']} ({after['id']}) updated"


def apply_constraint(change: Change, ctx: ApplyContext) -> str:
    catalog = ctx.servicecatalog
    if change.action is Action.DELETE:
        before = change.before or {}
        catalog.delete_constraint(Id=before["id"])
        return f"{before['type']} constraint {before['id']} deleted"
    after = change.after or {}
    parameters = json.dumps(after["parameters"], sort_keys=True)
    if change.action is Action.UPDATE:
        catalog.update_constraint(Id=after["id"], Description=after["description"], Parameters=parameters)
        return f"{after['type']} constraint {after['id']} updated"
    try:
        portfolio_id = ctx.catalog_id(addresses.portfolio(after["portfolio"]), after.get("portfolio_id"))
    except KeyError:
        raise ApplyFailure(f"portfolio {after['portfolio']} was not created in this apply: run vend plan again") from None
    created = catalog.create_constraint(
        PortfolioId=portfolio_id, ProductId=_product_id(ctx, after["product"], after.get("product_id", "")),
        Type=after["type"], Parameters=parameters, IdempotencyToken=token(change, ctx),
        **({"Description": after["description"]} if after.get("description") else {}))
    constraint_id = created["ConstraintDetail"]["ConstraintId"]
    return f"{after['type']} constraint on {after['product']} in {after['portfolio']} created ({constraint_id})"
