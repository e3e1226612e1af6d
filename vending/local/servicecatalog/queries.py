"""Service Catalog reads of provisioning: records, provisioned products, outputs.

Every Service Catalog read is also one poll of every record in flight of that account and
region (`servicecatalog.provisioning.step`, run by the dispatcher before the read), so records
complete as time passes, whether or not anyone reads them. SearchProvisionedProducts understands AWS's documented filter
`{"SearchQuery": ["field:value", ...]}` (all terms must match; a term without a field matches
the name) with the fields of SC-API `ProvisionedProductFilters`, and SortBy `arn | id | name |
lastRecordId`. AccessLevelFilter is accepted but not applied: every provisioned product of the
account is visible (against AWS, whose default level is User, pass
`{"Key": "Account", "Value": "self"}` to see the ones Control Tower created).
"""
from __future__ import annotations

from typing import Any

from vending.local.servicecatalog import errors as err
from vending.local.modeled import Call
from vending.local.servicecatalog.provisioning import record_view
from vending.local.servicecatalog.tables import (
    Item,
    Tables,
    handles,
    paged,
    provisioned,
    tables_of,
)

_DETAIL_KEYS = ("Name", "Arn", "Type", "Id", "Status", "StatusMessage", "CreatedTime",
                "IdempotencyToken", "LastRecordId", "LastProvisioningRecordId",
                "LastSuccessfulProvisioningRecordId", "ProductId", "ProvisioningArtifactId")
_SEARCH_FIELDS = {
    "arn": "Arn", "createdTime": "CreatedTime", "id": "Id", "lastRecordId": "LastRecordId",
    "idempotencyToken": "IdempotencyToken", "name": "Name", "physicalId": "PhysicalId",
    "productId": "ProductId", "provisioningArtifactId": "ProvisioningArtifactId",
    "type": "Type", "status": "Status", "lastProvisioningRecordId": "LastProvisioningRecordId",
    "lastSuccessfulProvisioningRecordId": "LastSuccessfulProvisioningRecordId",
    "productName": "ProductName", "provisioningArtifactName": "ProvisioningArtifactName",
}
_SORT_FIELDS = {"arn": "Arn", "id": "Id", "name": "Name", "lastRecordId": "LastRecordId"}


def detail_view(pp: Item) -> Item:
    return {k: pp[k] for k in _DETAIL_KEYS if pp.get(k) is not None}


def attribute_view(tables: Tables, pp: Item) -> Item:
    """ProvisionedProductAttribute: the detail plus tags and product/version names."""
    view = detail_view(pp)
    item = tables["products"].get(pp["ProductId"])
    if item is not None:
        view["ProductName"] = item["Name"]
        version = item["artifacts"].get(pp["ProvisioningArtifactId"])
        if version is not None and version.get("Name"):
            view["ProvisioningArtifactName"] = version["Name"]
    if pp.get("PhysicalId"):
        view["PhysicalId"] = pp["PhysicalId"]
    view["Tags"] = list(pp.get("Tags") or [])
    return view


def _matches(tables: Tables, pp: Item, term: str) -> bool:
    field, sep, value = term.partition(":")
    view = attribute_view(tables, pp)
    if not sep:
        return term.lower() in pp["Name"].lower()
    if field not in _SEARCH_FIELDS:
        raise err.invalid(f"Unsupported search field {field} in SearchQuery.")
    return str(view.get(_SEARCH_FIELDS[field], "")) == value


@handles("DescribeRecord")
def describe_record(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeRecord; RecordOutputs once it succeeded."""
    record = tables_of(call)["records"].get(call.params["Id"])
    if record is None:
        raise err.record_not_found(call.params["Id"])
    return {**record_view(record), "RecordOutputs": list(record["outputs"])}


@handles("DescribeProvisionedProduct")
def describe_provisioned_product(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeProvisionedProduct by Id or Name."""
    pp = provisioned(tables_of(call), call.params.get("Id"), call.params.get("Name"))
    return {"ProvisionedProductDetail": detail_view(pp), "CloudWatchDashboards": []}


@handles("SearchProvisionedProducts")
def search_provisioned_products(call: Call[Any]) -> dict[str, Any]:
    """API_SearchProvisionedProducts: Filters.SearchQuery, SortBy/SortOrder, PageSize <= 100."""
    tables = tables_of(call)
    filters = call.params.get("Filters") or {}
    unknown = set(filters) - {"SearchQuery"}
    if unknown:
        raise err.invalid(f"Unsupported filter key {sorted(unknown)[0]}; use SearchQuery.")
    terms = filters.get("SearchQuery") or []
    found = [pp for pp in tables["provisioned"].values()
             if all(_matches(tables, pp, term) for term in terms)]
    sort_by = call.params.get("SortBy")
    if sort_by is not None:
        if sort_by not in _SORT_FIELDS:
            raise err.invalid(f"Unsupported SortBy {sort_by}.")
        found.sort(key=lambda pp: str(pp.get(_SORT_FIELDS[sort_by]) or ""))
    if call.params.get("SortOrder") == "DESCENDING":
        found.reverse()
    result = paged(call, [attribute_view(tables, pp) for pp in found], "ProvisionedProducts")
    result["TotalResultsCount"] = len(found)
    return result


@handles("ScanProvisionedProducts")
def scan_provisioned_products(call: Call[Any]) -> dict[str, Any]:
    """API_ScanProvisionedProducts, PageSize <= 20."""
    tables = tables_of(call)
    return paged(call, [detail_view(pp) for pp in tables["provisioned"].values()],
                 "ProvisionedProducts")


@handles("GetProvisionedProductOutputs")
def get_provisioned_product_outputs(call: Call[Any]) -> dict[str, Any]:
    """API_GetProvisionedProductOutputs by id or name, optionally only some OutputKeys."""
    p = call.params
    if not p.get("ProvisionedProductId") and not p.get("ProvisionedProductName"):
        raise err.invalid("Either ProvisionedProductId or ProvisionedProductName is required.")
    pp = provisioned(tables_of(call), p.get("ProvisionedProductId"),
                     p.get("ProvisionedProductName"))
    keys = p.get("OutputKeys")
    outputs = [dict(o) for o in pp["outputs"] if not keys or o["OutputKey"] in keys]
    return paged(call, outputs, "Outputs")
