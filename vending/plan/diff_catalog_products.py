"""Diff the catalog's products and versions against vend's products in the hub.

A product is matched by its `vend:product` tag (its folder name), a version by its name and
template: a provisioning artifact's template never changes in AWS, so a version whose template
changed is a new artifact of the same name (CreateProvisioningArtifact), and the artifact it
replaces is deprecated in the same step (launches on it still update; new ones use the new
template). Guidance, Active, name and description are updated in place
(UpdateProvisioningArtifact). A product's first version comes with CreateProduct. An artifact
whose name product.yaml no longer lists is left alone and noted: hide it with `active: false`.
Deleting is explicit: `retired: true` deletes the product, with `--allow-destroy`.
"""
from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

from vending.model.catalog_types import ProductSpec, ProductVersion
from vending.model.live_catalog import LiveProduct, LiveVersion
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext, where

PRODUCT_FIELDS = ("name", "owner", "distributor", "description", "support_description", "support_email",
                  "support_url", "tag_options")
VERSION_FIELDS = ("description", "guidance", "active")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def template_key(product: str, version: ProductVersion) -> str:
    """The content address of a template in the hub bucket."""
    suffix = PurePosixPath(version.template_file).suffix.lstrip(".").lower() or "yaml"
    return f"vend/catalog/{product}/{sha256(version.template)}.{suffix if suffix.isalpha() else 'yaml'}"


def tag_option_refs(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[str]:
    return sorted(f"{k}={v}" for k, v in set(pairs))


def bucket(ctx: DiffContext) -> str:
    hub, settings = ctx.desired.settings.catalog, ctx.desired.settings
    return (hub.template_bucket if hub and hub.template_bucket else None) or settings.template_bucket or ""


def product_fields(spec: ProductSpec) -> dict[str, Any]:
    return {"name": spec.display_name, "owner": spec.owner, "distributor": spec.distributor,
            "description": spec.description, "support_description": spec.support_description,
            "support_email": spec.support_email, "support_url": spec.support_url,
            "tag_options": tag_option_refs(spec.tag_options)}


def live_fields(live: LiveProduct) -> dict[str, Any]:
    return {"name": live.name, "owner": live.owner, "distributor": live.distributor,
            "description": live.description, "support_description": live.support_description,
            "support_email": live.support_email, "support_url": live.support_url,
            "tag_options": tag_option_refs(live.tag_options)}


def version_fields(ctx: DiffContext, product: str, version: ProductVersion) -> dict[str, Any]:
    """What a version is; `template_body` goes to the applier only (the key is its address)."""
    return {"version": version.name, "description": version.description,
            "guidance": version.guidance.upper(), "active": version.active,
            "template_file": version.template_file, "template_sha256": sha256(version.template),
            "template_bucket": bucket(ctx), "template_key": template_key(product, version),
            "template_body": version.template}


def _first_version(ctx: DiffContext, product: str, version: ProductVersion) -> dict[str, Any]:
    """CreateProduct's version: its fields under `first_version`, its template beside them."""
    fields = version_fields(ctx, product, version)
    template = {k: v for k, v in fields.items() if k.startswith("template_")}
    return {"first_version": {k: fields[k] for k in ("version", *VERSION_FIELDS)}, **template}


def created_tag_options(ctx: DiffContext, pairs: list[str]) -> tuple[str, ...]:
    """The TagOption creates of this plan that associating `pairs` must wait for."""
    creating = {c.address for c in ctx.changes if c.kind is Kind.TAG_OPTION and c.action is Action.CREATE}
    return tuple(sorted(a for a in (addresses.tag_option(*p.split("=", 1)) for p in pairs) if a in creating))


def diff_products(ctx: DiffContext) -> None:
    catalog, live = ctx.desired.catalog, ctx.live.catalog
    if catalog is None or live is None:
        return
    for name, spec in sorted(catalog.products.items()):
        found = live.product(name)
        address = addresses.catalog_product(name)
        if spec.retired:
            if found is not None:
                ctx.add(Change(address=address, kind=Kind.CATALOG_PRODUCT, action=Action.DELETE,
                               reason="retired: true in product.yaml", destructive=True,
                               before={"id": found.id, **live_fields(found)}, source=where(spec.source, "retired")))
            continue
        if not spec.versions:
            continue
        fields = product_fields(spec)
        if found is None:
            first = spec.versions[0]
            ctx.add(Change(address=address, kind=Kind.CATALOG_PRODUCT, action=Action.CREATE,
                           reason="not in the hub's products", source=where(spec.source),
                           after={"vend_name": name, **fields, **_first_version(ctx, name, first)},
                           depends_on=created_tag_options(ctx, fields["tag_options"])))
            for version in spec.versions[1:]:
                _create_version(ctx, spec, version, (), product_id="")
            continue
        before = live_fields(found)
        if before != fields:
            changed = [k for k in PRODUCT_FIELDS if before[k] != fields[k]]
            ctx.add(Change(address=address, kind=Kind.CATALOG_PRODUCT, action=Action.UPDATE,
                           reason=f"{', '.join(changed)} differ{'s' if len(changed) == 1 else ''} from product.yaml",
                           before={"id": found.id, **before}, after={"id": found.id, **fields},
                           source=where(spec.source), depends_on=created_tag_options(ctx, fields["tag_options"])))
        _diff_versions(ctx, spec, found)


def _diff_versions(ctx: DiffContext, spec: ProductSpec, found: LiveProduct) -> None:
    for version in spec.versions:
        digest = sha256(version.template)
        same_name = [v for v in found.versions if v.name == version.name]
        current = next((v for v in same_name if v.template_sha256 == digest), None)
        older = [v for v in same_name if v is not current and v.guidance != "DEPRECATED"]
        if current is None:
            _create_version(ctx, spec, version, tuple(older), product_id=found.id)
            continue
        _update_version(ctx, spec, version, current, found.id)
        for old in older:
            ctx.add(Change(address=addresses.product_version(spec.name, version.name, old.id),
                           kind=Kind.PRODUCT_VERSION, action=Action.UPDATE, source=where(spec.source, "versions"),
                           reason=f"an older template of {version.name} ({old.id}) is not deprecated",
                           before={"product_id": found.id, "id": old.id, "version": old.name, "guidance": old.guidance},
                           after={"product_id": found.id, "id": old.id, "version": old.name, "guidance": "DEPRECATED"}))
    listed = {v.name for v in spec.versions}
    for old in found.versions:
        if old.name not in listed:
            ctx.notes.append(Note("unlisted_version", addresses.product_version(spec.name, old.name, old.id),
                                  f"version {old.name} ({old.id}) of product {spec.name} is in the hub but not in"
                                  f" {spec.source.file}; vend leaves it (list it with active: false to hide it)"))


def _create_version(ctx: DiffContext, spec: ProductSpec, version: ProductVersion,
                    superseded: tuple[LiveVersion, ...], product_id: str) -> None:
    fields = version_fields(ctx, spec.name, version)
    reason = "not in the hub's versions of the product"
    if superseded:
        ids = ", ".join(v.id for v in superseded)
        reason = (f"the template of {version.name} changed: a new provisioning artifact (AWS never edits a"
                  f" version's template in place); {ids} with the old template is deprecated")
    product_address = addresses.catalog_product(spec.name)
    ctx.add(Change(address=addresses.product_version(spec.name, version.name), kind=Kind.PRODUCT_VERSION,
                   action=Action.CREATE, reason=reason, source=where(spec.source, "versions"),
                   after={"product": spec.name, **({"product_id": product_id} if product_id else {}), **fields,
                          **({"supersedes": [v.id for v in superseded]} if superseded else {})},
                   depends_on=() if product_id else (product_address,)))


def _update_version(ctx: DiffContext, spec: ProductSpec, version: ProductVersion, current: LiveVersion,
                    product_id: str) -> None:
    want = {"description": version.description, "guidance": version.guidance.upper(), "active": version.active}
    have = {"description": current.description, "guidance": current.guidance, "active": current.active}
    if want == have:
        return
    changed = [k for k in VERSION_FIELDS if want[k] != have[k]]
    ident = {"product_id": product_id, "id": current.id, "version": version.name}
    ctx.add(Change(address=addresses.product_version(spec.name, version.name), kind=Kind.PRODUCT_VERSION,
                   action=Action.UPDATE, reason=f"{', '.join(changed)} differ{'s' if len(changed) == 1 else ''}"
                   " from product.yaml", source=where(spec.source, "versions"),
                   before={**ident, **have}, after={**ident, **want}))


def note_unmanaged_products(ctx: DiffContext) -> None:
    """vend-tagged products and portfolios whose files are gone: left alone, and said so."""
    catalog, live = ctx.desired.catalog, ctx.live.catalog
    if catalog is None or live is None:
        return
    for found in live.products:
        if found.vend_name not in catalog.products:
            ctx.notes.append(Note("unmanaged_product", addresses.catalog_product(found.vend_name),
                                  f"product {found.name} ({found.id}) is tagged vend:product={found.vend_name} but"
                                  " catalog/products/ has no such folder; vend leaves it (add it back with"
                                  " retired: true to delete it)"))
    for held in live.portfolios:
        if held.vend_name not in catalog.portfolios:
            ctx.notes.append(Note("unmanaged_portfolio", addresses.portfolio(held.vend_name),
                                  f"portfolio {held.display_name} ({held.id}) is tagged vend:portfolio={held.vend_name}"
                                  " but catalog/portfolios/ has no such file; vend leaves it (add it back with"
                                  " retired: true to delete it)"))
