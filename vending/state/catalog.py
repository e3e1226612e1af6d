"""Read the Service Catalog hub (vend.yaml `catalog`): its TagOption library, vend's products
(`vending.state.catalog_products`), portfolios (`vending.state.catalog_portfolios`), and
whether Service Catalog may share through Organizations (GetAWSOrganizationsAccessStatus, once).

ListTagOptions pages 20 at a time (PageSize 0-20, PageToken both ways, SC-API): one request
per 20 TagOptions of the hub, never a call per account. The reader runs only when the
repository declares catalog/ (vending.engine), as the management account or, with
`catalog.delegated_admin`, through `catalog.role_arn`.
"""
from __future__ import annotations

from typing import Any

from vending.aws.paging import pages
from vending.model.live_catalog import LiveCatalog, LiveTagOption
from vending.state.catalog_portfolios import read_portfolios
from vending.state.catalog_products import read_products

PRINCIPAL = "servicecatalog.amazonaws.com"
"""Service Catalog's service principal (trusted access, delegated administrators)."""
PAGE_SIZE = 20
"""ListTagOptions serves at most 20 TagOptions a page."""


class CatalogReader:
    """Builds `LiveCatalog` from one read-only Service Catalog client of the hub's home Region."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def read(self) -> LiveCatalog:
        found = [LiveTagOption(id=t["Id"], key=t["Key"], value=t["Value"], active=bool(t.get("Active", True)))
                 for t in pages(self.client, "list_tag_options", "TagOptionDetails", page_size=PAGE_SIZE)]
        access = self.client.get_aws_organizations_access_status().get("AccessStatus", "DISABLED")
        return LiveCatalog(tag_options=tuple(sorted(found, key=lambda t: (t.key, t.value, t.id))),
                           products=read_products(self.client), portfolios=read_portfolios(self.client),
                           organizations_access=access)
