"""The hub's products, versions and portfolios in the scratch copy, stored straight into the
Service Catalog emulator's tables under their live ids (the fingerprint covers them), so the copy
reads back as read: each product with its `vend:product` tag, versions (guidance, active, and a
template URL carrying the live template's sha256, all the reader compares) and TagOptions; each
portfolio with its `vend:portfolio` tag, products, principals, TagOptions, constraints and shares
(completed), and Service Catalog's access to Organizations. TagOptions themselves are copied by
`copy_settings`; a delegated administrator's hub is not copied yet (`copy_settings.gaps`).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from moto.organizations.models import FakeServiceAccess

from vending.apply.stackset_operations import template_url
from vending.model.live import LiveOrg
from vending.model.live_catalog import LiveCatalog, LivePortfolio, LiveProduct, TagOptionPair
from vending.model.types import OrgSettings
from vending.state.catalog_portfolios import PORTFOLIO_TAG
from vending.state.catalog_products import PRODUCT_TAG

SERVICECATALOG_PRINCIPAL = "servicecatalog.amazonaws.com"
SHARE_KINDS = {"ACCOUNT": "ACCOUNT_SHARE", "ORGANIZATION_MEMBER_ACCOUNT": "ACCOUNT"}
"""DescribePortfolioShares' Type -> the emulator's share kind (the others are the same)."""


def load(live: LiveOrg, settings: OrgSettings, organizations: Any, servicecatalog: Any) -> None:
    """Into the running emulators: `organizations` (moto's backend of the management account)
    and `servicecatalog` (vend's plug-in)."""
    catalog = live.catalog
    if catalog is None:
        return
    if catalog.organizations_access == "ENABLED":
        organizations.services.append(FakeServiceAccess(ServicePrincipal=SERVICECATALOG_PRINCIPAL).describe())
    hub, region = live.management_account_id, settings.home_region
    tables = servicecatalog.store.tables(hub, region)
    bucket = settings.catalog.template_bucket if settings.catalog and settings.catalog.template_bucket else "vend-templates"
    created = datetime(2020, 1, 1, tzinfo=timezone.utc)
    for product in catalog.products:
        tables["products"][product.id] = _product(product, catalog, hub, region, bucket, created)
    for portfolio in catalog.portfolios:
        tables["portfolios"][portfolio.id] = _portfolio(portfolio, catalog, hub, region, created)
        constraints = tables.setdefault("constraints", {})
        for constraint in portfolio.constraints:
            constraints[constraint.id] = {
                "ConstraintId": constraint.id, "Type": constraint.type, "Description": constraint.description or None,
                "Owner": hub, "ProductId": constraint.product_id, "PortfolioId": portfolio.id,
                "parameters": constraint.parameters}


def _tag_option_ids(pairs: tuple[TagOptionPair, ...], catalog: LiveCatalog) -> list[str]:
    return [found.id for key, value in pairs if (found := catalog.tag_option(key, value)) is not None]


def _product(product: LiveProduct, catalog: LiveCatalog, hub: str, region: str, bucket: str,
             created: datetime) -> dict[str, Any]:
    artifacts = {}
    for i, version in enumerate(product.versions):
        key = f"vend/catalog/{product.vend_name}/{version.template_sha256 or 'not-vends'}.yaml"
        artifacts[version.id] = {
            "Id": version.id, "Name": version.name, "Description": version.description or None,
            "Type": "CLOUD_FORMATION_TEMPLATE", "CreatedTime": created + timedelta(seconds=i),
            "Active": version.active, "Guidance": version.guidance,
            "info": {"LoadTemplateFromURL": template_url(bucket, region, key)}}
    return {"Id": product.id, "ViewId": f"prodview-{product.id.removeprefix('prod-')}", "Name": product.name,
            "ARN": f"arn:aws:catalog:{region}:{hub}:product/{product.id}", "Owner": product.owner,
            "Type": "CLOUD_FORMATION_TEMPLATE", "Description": product.description or None,
            "Distributor": product.distributor or None, "SupportEmail": product.support_email or None,
            "SupportDescription": product.support_description or None, "SupportUrl": product.support_url or None,
            "CreatedTime": created, "Tags": [{"Key": PRODUCT_TAG, "Value": product.vend_name}],
            "artifacts": artifacts, "engine": "cloudformation",
            "tag_options": _tag_option_ids(product.tag_options, catalog)}


def _portfolio(portfolio: LivePortfolio, catalog: LiveCatalog, hub: str, region: str,
               created: datetime) -> dict[str, Any]:
    return {"Id": portfolio.id, "DisplayName": portfolio.display_name,
            "ARN": f"arn:aws:catalog:{region}:{hub}:portfolio/{portfolio.id}",
            "Description": portfolio.description or None, "CreatedTime": created,
            "ProviderName": portfolio.provider, "Tags": [{"Key": PORTFOLIO_TAG, "Value": portfolio.vend_name}],
            "products": {product_id: f"lpv2-{product_id.removeprefix('prod-')}" for product_id in portfolio.product_ids},
            "principals": [{"PrincipalARN": arn, "PrincipalType": kind} for kind, arn in portfolio.principals],
            "tag_options": _tag_option_ids(portfolio.tag_options, catalog),
            "shares": [{"kind": SHARE_KINDS.get(share.type, share.type), "PrincipalId": share.principal,
                        "ShareTagOptions": share.share_tag_options, "SharePrincipals": share.share_principals,
                        "Accepted": share.type != "ACCOUNT", "token": None} for share in portfolio.shares]}
