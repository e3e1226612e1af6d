"""Appliers of products and versions: the template goes to the hub bucket under its content
address, then CreateProduct (with the first version) or CreateProvisioningArtifact, each with an
IdempotencyToken, so a retried or resumed create returns the same product or artifact.
UpdateProvisioningArtifact sets Guidance and Active (and deprecates the artifact a changed
template replaces); UpdateProduct the product's fields; TagOptions are associated and
disassociated one by one (AssociateTagOptionWithResource).
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import ApplyContext
from vending.apply.stackset_operations import template_url
from vending.aws.paging import first
from vending.errors import ApplyFailure
from vending.plan import addresses, tokens
from vending.plan.changes import Action, Change

PRODUCT_TAG = "vend:product"
_PRODUCT_KEYS = {"name": "Name", "owner": "Owner", "distributor": "Distributor", "description": "Description",
                 "support_description": "SupportDescription", "support_email": "SupportEmail",
                 "support_url": "SupportUrl"}


def token(change: Change, ctx: ApplyContext) -> str:
    return tokens.token(change.address, change.before, change.after, salt=ctx.fingerprint)


def upload(ctx: ApplyContext, after: dict[str, Any]) -> str:
    """Put the template at its content address (the same key on a re-run) and return its URL."""
    bucket, key = after["template_bucket"], after["template_key"]
    try:
        ctx.hub_s3.put_object(Bucket=bucket, Key=key, Body=after["template_body"].encode("utf-8"))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NoSuchBucket", "AccessDenied"):
            raise ApplyFailure(f"cannot upload {after['template_file']} to s3://{bucket}/{key}:"
                               f" {exc.response['Error']['Code']}; create the bucket in the hub's home Region"
                               " (catalog.template_bucket in vend.yaml) and let the hub write to it") from None
        raise
    return template_url(bucket, ctx.home_region, key)


def artifact_parameters(after: dict[str, Any], url: str, name: str) -> dict[str, Any]:
    params = {"Name": name, "Info": {"LoadTemplateFromURL": url}, "Type": "CLOUD_FORMATION_TEMPLATE"}
    return {**params, **({"Description": after["description"]} if after.get("description") else {})}


def tag_option_id(ctx: ApplyContext, pair: str) -> str:
    key, value = pair.split("=", 1)
    known = ctx.live.catalog.tag_option(key, value) if ctx.live.catalog else None
    if known is not None:
        return known.id
    found = first(ctx.servicecatalog, "list_tag_options", "TagOptionDetails", lambda t: t["Value"] == value,
                  page_size=20, Filters={"Key": key, "Value": value})
    if found is None:
        raise ApplyFailure(f"TagOption {pair} is not in the hub: run vend plan again (it creates the library first)")
    return found["Id"]


def retag_options(ctx: ApplyContext, resource_id: str, before: list[str], after: list[str]) -> None:
    """Associate the TagOptions `after` adds, disassociate the ones it drops."""
    catalog = ctx.servicecatalog
    for pair in sorted(set(after) - set(before)):
        try:
            catalog.associate_tag_option_with_resource(ResourceId=resource_id, TagOptionId=tag_option_id(ctx, pair))
        except ClientError as exc:  # a resumed apply finds it associated
            if exc.response["Error"]["Code"] != "DuplicateResourceException":
                raise
    for pair in sorted(set(before) - set(after)):
        catalog.disassociate_tag_option_from_resource(ResourceId=resource_id, TagOptionId=tag_option_id(ctx, pair))


def _settle(ctx: ApplyContext, product_id: str, artifact_id: str, after: dict[str, Any]) -> None:
    """Guidance and Active of a new artifact, when not AWS's defaults (DEFAULT, active)."""
    if after["guidance"] != "DEFAULT" or not after["active"]:
        ctx.servicecatalog.update_provisioning_artifact(
            ProductId=product_id, ProvisioningArtifactId=artifact_id, Guidance=after["guidance"], Active=after["active"])


def apply_product(change: Change, ctx: ApplyContext) -> str:
    catalog = ctx.servicecatalog
    if change.action is Action.DELETE:
        before = change.before or {}
        catalog.delete_product(Id=before["id"])
        return f"product {before['name']} ({before['id']}) deleted"
    after = change.after or {}
    fields = {aws: after[key] for key, aws in _PRODUCT_KEYS.items() if after.get(key)}
    if change.action is Action.UPDATE:
        before = change.before or {}
        catalog.update_product(Id=after["id"], **fields)
        retag_options(ctx, after["id"], before.get("tag_options", []), after["tag_options"])
        return f"product {after['name']} ({after['id']}) updated"
    url, version = upload(ctx, after), after["first_version"]
    created = catalog.create_product(
        **fields, ProductType="CLOUD_FORMATION_TEMPLATE", Tags=[{"Key": PRODUCT_TAG, "Value": after["vend_name"]}],
        ProvisioningArtifactParameters=artifact_parameters(version, url, version["version"]),
        IdempotencyToken=token(change, ctx))
    product_id = created["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    artifact_id = created["ProvisioningArtifactDetail"]["Id"]
    ctx.set_catalog_id(change.address, product_id)
    _settle(ctx, product_id, artifact_id, version)
    retag_options(ctx, product_id, [], after["tag_options"])
    return f"product {after['name']} created ({product_id}, version {version['version']} {artifact_id})"


def apply_version(change: Change, ctx: ApplyContext) -> str:
    catalog = ctx.servicecatalog
    after = change.after or {}
    if change.action is Action.UPDATE:
        params = {k: after[k] for k in ("description", "guidance", "active") if k in after}
        catalog.update_provisioning_artifact(
            ProductId=after["product_id"], ProvisioningArtifactId=after["id"],
            **({"Description": params["description"]} if params.get("description") else {}),
            **({"Guidance": params["guidance"]} if "guidance" in params else {}),
            **({"Active": params["active"]} if "active" in params else {}))
        return f"version {after['version']} ({after['id']}) updated"
    try:
        product_id = ctx.catalog_id(addresses.catalog_product(after["product"]), after.get("product_id"))
    except KeyError:
        raise ApplyFailure(f"product {after['product']} was not created in this apply: run vend plan again") from None
    url = upload(ctx, after)
    created = catalog.create_provisioning_artifact(
        ProductId=product_id, Parameters=artifact_parameters(after, url, after["version"]),
        IdempotencyToken=token(change, ctx))
    artifact_id = created["ProvisioningArtifactDetail"]["Id"]
    _settle(ctx, product_id, artifact_id, after)
    for old in after.get("supersedes", []):
        catalog.update_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=old, Guidance="DEPRECATED")
    deprecated = f"; {', '.join(after['supersedes'])} deprecated" if after.get("supersedes") else ""
    return f"version {after['version']} of {after['product']} created ({artifact_id}){deprecated}"
