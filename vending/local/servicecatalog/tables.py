"""The Service Catalog emulator's tables: ids, lookups and the AWS views of stored items.

One account's catalog in one region is a dict of plain dicts (picklable, renaming-proof):
`portfolios`, `products` (each holding its `artifacts`), `provisioned` (provisioned products),
`records` and `tokens` (idempotency tokens -> record ids). Stored items keep AWS's field names
for what AWS shows, plus lowercase keys for the emulator's own bookkeeping; the `*_view`
functions turn them into the shapes of the `servicecatalog/2015-12-10` model.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from moto.moto_api._internal import mock_random

from vending.local.servicecatalog import errors as err
from vending.local.modeled import Call, page, registry

Tables = dict[str, Any]
Item = dict[str, Any]
TABLES = ("portfolios", "products", "provisioned", "records", "tokens")
HANDLERS, handles = registry()

_SUMMARY_KEYS = ("Name", "Owner", "Distributor", "SupportEmail", "SupportDescription",
                 "SupportUrl")


def new_id(prefix: str) -> str:
    """`prefix-` and 13 lowercase alphanumerics, as Service Catalog's ids."""
    return f"{prefix}-{mock_random.get_random_string(13, lower_case=True)}"


def now() -> datetime:
    return datetime.now(timezone.utc)


class CatalogStore:
    """Account id -> region -> the tables of that account's catalog."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Tables]] = {}

    def tables(self, account_id: str, region: str) -> Tables:
        regions = self.accounts.setdefault(account_id, {})
        return regions.setdefault(region, {name: {} for name in TABLES})


def tables_of(call: Call[Any]) -> Tables:
    return call.emulator.store.tables(call.account_id, call.region)


def paged(call: Call[Any], items: list[Any], key: str, default: int = 20) -> dict[str, Any]:
    """`{key: one page, "NextPageToken": ...}` from PageSize/PageToken."""
    chunk, following = page(items, call.params.get("PageSize") or None,
                            call.params.get("PageToken"), default, err.bad_token)
    result: dict[str, Any] = {key: chunk}
    if following:
        result["NextPageToken"] = following
    return result


# ---------------------------------------------------------------- lookups


def portfolio(tables: Tables, portfolio_id: str | None) -> Item:
    found = tables["portfolios"].get(portfolio_id)
    if found is None:
        raise err.portfolio_not_found(str(portfolio_id))
    return found


def product(tables: Tables, product_id: str | None = None, name: str | None = None) -> Item:
    if product_id:
        found = tables["products"].get(product_id)
    else:
        found = next((p for p in tables["products"].values() if p["Name"] == name), None)
    if found is None:
        raise err.product_not_found(str(product_id or name))
    return found


def artifact(item: Item, artifact_id: str | None = None, name: str | None = None) -> Item:
    """A provisioning artifact of `item` by id or name; by name, exactly one may match."""
    if artifact_id:
        found = item["artifacts"].get(artifact_id)
        if found is None:
            raise err.artifact_not_found(artifact_id)
        return found
    named = [a for a in item["artifacts"].values() if a["Name"] == name]
    if len(named) > 1:  # AWS's words (hashicorp/terraform-provider-aws issue #24362)
        raise err.invalid(f"Multiple Provisioning Artifact with name {name} found.")
    if not named:
        raise err.artifact_not_found(str(name))
    return named[0]


def provisioned(tables: Tables, pp_id: str | None = None, name: str | None = None) -> Item:
    if pp_id:
        found = tables["provisioned"].get(pp_id)
    else:
        found = next((p for p in tables["provisioned"].values() if p["Name"] == name), None)
    if found is None:
        raise err.provisioned_product_not_found(str(pp_id or name))
    return found


# ---------------------------------------------------------------- AWS views


def tag_options_view(tables: Tables, item: Item) -> list[Item]:
    """The TagOptionDetails associated with a portfolio or product."""
    table = tables.get("tag_options", {})
    return [{k: table[t][k] for k in ("Key", "Value", "Active", "Id", "Owner")}
            for t in item.get("tag_options", ()) if t in table]


def public(item: Item) -> Item:
    """AWS's fields of a stored item: its capitalised keys, without empty optional ones."""
    return {k: v for k, v in item.items() if k[:1].isupper() and v is not None}


def portfolio_view(item: Item) -> Item:
    return {k: v for k, v in public(item).items() if k != "Tags"}


def summary_view(item: Item) -> Item:
    summary = {"Id": item["ViewId"], "ProductId": item["Id"], "Type": item["Type"],
               "ShortDescription": item.get("Description"), "HasDefaultPath": False}
    summary.update({k: item[k] for k in _SUMMARY_KEYS if item.get(k) is not None})
    return {k: v for k, v in summary.items() if v is not None}


def product_view(item: Item) -> Item:
    return {"ProductViewSummary": summary_view(item), "Status": "AVAILABLE",
            "ProductARN": item["ARN"], "CreatedTime": item["CreatedTime"]}


def artifact_view(item: Item) -> Item:
    return {k: item[k] for k in ("Id", "Name", "Description", "Type", "CreatedTime", "Active",
                                 "Guidance") if item.get(k) is not None}
