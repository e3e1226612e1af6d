"""Service Catalog TagOptions: Create/Update/Describe/DeleteTagOption, ListTagOptions.

A TagOption is one key/value pair (`tag-` + 13 ids), owned by the account that created it. As in
AWS, a pair exists once (DuplicateResourceException), and deactivating one (UpdateTagOption
Active=false) keeps its associations: only new launches stop offering it (aws-facts §3.5).
DeleteTagOption is refused while the TagOption is associated with a portfolio or product
(ResourceInUseException, SC-API). ListTagOptions pages with PageToken in both directions (the model's output token is PageToken,
not NextPageToken) and filters on Key, Value and Active.
"""
from __future__ import annotations

from typing import Any

from vending.local.servicecatalog import errors as err
from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, page
from vending.local.servicecatalog.tables import Item, handles, new_id, tables_of

MAX_VALUES_PER_KEY = 25
"""Service Catalog quota "values per TagOption" (aws-facts §3.7)."""


def _table(call: Call[Any]) -> dict[str, Item]:
    return tables_of(call).setdefault("tag_options", {})  # absent from state saved before TagOptions


def _duplicate(key: str, value: str) -> AwsServiceError:
    return AwsServiceError("DuplicateResourceException", f"TagOption with key {key} and value {value} already exists.")


def _view(item: Item) -> Item:
    return {k: item[k] for k in ("Key", "Value", "Active", "Id", "Owner")}


def _by_id(call: Call[Any]) -> Item:
    found = _table(call).get(call.params["Id"])
    if found is None:
        raise err.not_found(f"TagOption {call.params['Id']} not found.")
    return found


@handles("CreateTagOption")
def create_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_CreateTagOption: a new pair, active."""
    key, value = call.params["Key"], call.params["Value"]
    table = _table(call)
    if any(t["Key"] == key and t["Value"] == value for t in table.values()):
        raise _duplicate(key, value)
    if sum(1 for t in table.values() if t["Key"] == key) >= MAX_VALUES_PER_KEY:
        raise err.limit(f"TagOption key {key} has {MAX_VALUES_PER_KEY} values, the most Service Catalog allows.")
    tag_id = new_id("tag")
    table[tag_id] = {"Id": tag_id, "Key": key, "Value": value, "Active": True, "Owner": call.account_id}
    return {"TagOptionDetail": _view(table[tag_id])}


@handles("UpdateTagOption")
def update_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_UpdateTagOption: a new Value and/or Active; associations are kept either way."""
    item = _by_id(call)
    value = call.params.get("Value")
    if value is not None and value != item["Value"]:
        if any(t["Key"] == item["Key"] and t["Value"] == value for t in _table(call).values()):
            raise _duplicate(item["Key"], value)
        item["Value"] = value
    if call.params.get("Active") is not None:
        item["Active"] = bool(call.params["Active"])
    return {"TagOptionDetail": _view(item)}


@handles("DescribeTagOption")
def describe_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeTagOption."""
    return {"TagOptionDetail": _view(_by_id(call))}


@handles("ListTagOptions")
def list_tag_options(call: Call[Any]) -> dict[str, Any]:
    """API_ListTagOptions: filtered on Key, Value, Active; PageSize at most 20 by default."""
    filters = call.params.get("Filters") or {}
    items = [_view(t) for t in sorted(_table(call).values(), key=lambda t: t["Id"])
             if all(filters.get(f) is None or t[f] == filters[f] for f in ("Key", "Value", "Active"))]
    chunk, following = page(items, call.params.get("PageSize") or None, call.params.get("PageToken"), 20, err.bad_token)
    return {"TagOptionDetails": chunk, **({"PageToken": following} if following else {})}


@handles("DeleteTagOption")
def delete_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_DeleteTagOption: not while associated with a resource (ResourceInUseException)."""
    item = _by_id(call)
    tables = tables_of(call)
    holders = sorted(r["Id"] for kind in ("portfolios", "products") for r in tables[kind].values()
                     if item["Id"] in r.get("tag_options", ()))
    if holders:
        raise AwsServiceError("ResourceInUseException", f"TagOption {item['Id']} is associated with "
                              f"{', '.join(holders)}; disassociate it before deleting it.")
    del _table(call)[item["Id"]]
    return {}
