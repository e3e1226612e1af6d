"""identitystore: groups of the instance's store (GetGroupId by displayName, as AWS documents)."""
from __future__ import annotations

from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, page
from vending.local.ssoadmin.handlers import ids
from vending.local.ssoadmin.store import IdentityStore

PAGE = 100


def _store(call: Call[Any]) -> IdentityStore:
    store: IdentityStore = call.emulator.store
    found = store.instance
    if found is None or call.params["IdentityStoreId"] != found["IdentityStoreId"] or call.region != found["Region"]:
        raise AwsServiceError("ResourceNotFoundException", f"Identity store {call.params['IdentityStoreId']} does"
                              f" not exist in {call.region}", ResourceType="IDENTITY_STORE")
    return store


def _group(store: IdentityStore, group_id: str) -> dict[str, Any]:
    found = store.groups[group_id]
    out = {**_ids(store, group_id), "DisplayName": found["DisplayName"], "Revision": "1"}
    return {**out, **({"Description": found["Description"]} if found.get("Description") else {})}


def _ids(store: IdentityStore, group_id: str) -> dict[str, Any]:
    return {"GroupId": group_id, "IdentityStoreId": store.instance["IdentityStoreId"],  # type: ignore[index]
            "GroupArn": f"arn:aws:identitystore:::group/{group_id}"}


@ids("GetGroupId")
def get_group_id(call: Call[Any]) -> dict[str, Any]:
    store = _store(call)
    alternate = call.params["AlternateIdentifier"]
    unique = alternate.get("UniqueAttribute")
    if unique is None or unique["AttributePath"] != "displayName":
        raise AwsServiceError("ValidationException", "For the unique attribute, the only valid path is displayName")
    for group_id, found in store.groups.items():
        if found["DisplayName"] == unique["AttributeValue"]:
            return _ids(store, group_id)
    raise AwsServiceError("ResourceNotFoundException", "GROUP not found.", ResourceType="GROUP")


@ids("DescribeGroup")
def describe_group(call: Call[Any]) -> dict[str, Any]:
    store = _store(call)
    if call.params["GroupId"] not in store.groups:
        raise AwsServiceError("ResourceNotFoundException", "GROUP not found.", ResourceType="GROUP")
    return _group(store, call.params["GroupId"])


@ids("ListGroups")
def list_groups(call: Call[Any]) -> dict[str, Any]:
    store = _store(call)
    filters = call.params.get("Filters") or []
    wanted = [f["AttributeValue"] for f in filters if f["AttributePath"] == "DisplayName"]
    groups = [_group(store, g) for g, found in store.groups.items() if not wanted or found["DisplayName"] in wanted]

    def bad() -> AwsServiceError:
        return AwsServiceError("ValidationException", "The NextToken is not valid")
    items, following = page(groups, call.params.get("MaxResults"), call.params.get("NextToken"), PAGE, bad)
    return {"Groups": items, **({"NextToken": following} if following else {})}


@ids("CreateGroup")
def create_group(call: Call[Any]) -> dict[str, Any]:
    store = _store(call)
    name = call.params.get("DisplayName")
    if not name:
        raise AwsServiceError("ValidationException", "DisplayName is required")
    if any(g["DisplayName"] == name for g in store.groups.values()):
        raise AwsServiceError("ConflictException", f"Duplicate GroupDisplayName {name}", Reason="UNIQUENESS_CONSTRAINT_VIOLATION")
    group_id = store.add_group(name, call.params.get("Description", ""))
    return {**_ids(store, group_id), "Revision": "1"}


@ids("DeleteGroup")
def delete_group(call: Call[Any]) -> dict[str, Any]:
    store = _store(call)
    if store.groups.pop(call.params["GroupId"], None) is None:
        raise AwsServiceError("ResourceNotFoundException", "GROUP not found.", ResourceType="GROUP")
    return {}
