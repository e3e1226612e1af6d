"""Read vend's products of the Service Catalog hub, with their versions and TagOptions.

SearchProductsAsAdmin (20 a page) lists the hub's products; each one tagged `vend:product` is
vend's, and costs three reads more: DescribeProductAsAdmin (its tags and TagOptions),
ListProvisioningArtifacts (each version's Active and Guidance) and, per version,
DescribeProvisioningArtifact (Info.TemplateUrl, whose key is the template's sha256: how vend
tells a changed template). Products without the tag (Control Tower's Account Factory, the
console's) are not read further. Nothing here is per account.
"""
from __future__ import annotations

import re
from typing import Any

from vending.aws.paging import pages
from vending.model.live_catalog import LiveProduct, LiveVersion

PRODUCT_TAG = "vend:product"
"""The tag whose value is a product's vend name (its folder under catalog/products/)."""
PAGE_SIZE = 20
_SHA = re.compile(r"/([0-9a-f]{64})\.[a-z]+$")


def template_sha256(url: str) -> str:
    """The sha256 in a template URL of vend's (`.../<sha256>.<ext>`), else ""."""
    found = _SHA.search(url or "")
    return found.group(1) if found else ""


def read_products(client: Any) -> tuple[LiveProduct, ...]:
    found = []
    for view in pages(client, "search_products_as_admin", "ProductViewDetails", page_size=PAGE_SIZE):
        product_id = view["ProductViewSummary"]["ProductId"]
        described = client.describe_product_as_admin(Id=product_id)
        tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
        if PRODUCT_TAG in tags:
            found.append(_product(client, product_id, tags[PRODUCT_TAG], described))
    return tuple(sorted(found, key=lambda p: (p.vend_name, p.id)))


def _product(client: Any, product_id: str, vend_name: str, described: dict[str, Any]) -> LiveProduct:
    summary = described["ProductViewDetail"]["ProductViewSummary"]
    versions = []
    for detail in client.list_provisioning_artifacts(ProductId=product_id).get("ProvisioningArtifactDetails", []):
        info = client.describe_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=detail["Id"]).get("Info", {})
        versions.append(LiveVersion(
            id=detail["Id"], name=detail.get("Name", ""), description=detail.get("Description", ""),
            guidance=detail.get("Guidance", "DEFAULT"), active=bool(detail.get("Active", True)),
            template_sha256=template_sha256(info.get("TemplateUrl", ""))))
    return LiveProduct(
        id=product_id, vend_name=vend_name, name=summary.get("Name", ""), owner=summary.get("Owner", ""),
        distributor=summary.get("Distributor", ""), description=summary.get("ShortDescription", ""),
        support_description=summary.get("SupportDescription", ""), support_email=summary.get("SupportEmail", ""),
        support_url=summary.get("SupportUrl", ""), versions=tuple(sorted(versions, key=lambda v: (v.name, v.id))),
        tag_options=tuple(sorted((t["Key"], t["Value"]) for t in described.get("TagOptions", []))),
    )
