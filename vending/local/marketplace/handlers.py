"""The Marketplace Catalog operations the emulator answers: StartChangeSet, DescribeChangeSet,
ListChangeSets, CancelChangeSet, ListEntities, DescribeEntity (MPC-API; aws-facts 5.4).

A change set is PREPARING when started and on the first request after that (a read of its
owner's entities or change sets, or another StartChangeSet: time passes for every request),
APPLYING on the second, then SUCCEEDED or FAILED (`step`); its entities are locked until then. A repeated
ClientRequestToken answers the change set it started. Lists page with MaxResults and NextToken
(opaque), 20 change sets or 50 entities a page by default.
"""
from __future__ import annotations

from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.marketplace.changes import apply, check_start
from vending.local.marketplace.state import (
    CHANGE_SET_POLLS,
    ENTITY_TYPES,
    RUNNING,
    Store,
    arn,
    check_catalog,
    entity_type,
    handles,
    new_id,
    not_found,
    now,
    owner,
    store,
    validation,
)
from vending.local.modeled import Call, page


def step(state: Store, org: Any, account: str) -> bool:
    """One read: every running change set moves on one state (module docstring)."""
    changed = False
    for change_set in sorted(state["change_sets"].values(), key=lambda c: c["StartTime"] + c["Id"]):
        if change_set["Status"] not in RUNNING:
            continue
        change_set["Polls"] += 1
        changed = True
        if change_set["Polls"] == 1:
            continue  # the first read finds it PREPARING
        if change_set["Polls"] < CHANGE_SET_POLLS:
            change_set["Status"] = "APPLYING"
            continue
        ok = apply(state, change_set, org, account)
        change_set["Status"] = "SUCCEEDED" if ok else "FAILED"
        change_set["EndTime"] = now()
        if not ok:
            change_set["FailureCode"] = "CLIENT_ERROR"
            change_set["FailureDescription"] = "One or more changes failed; see each change's ErrorDetailList."
    return changed


def _bad_token() -> AwsServiceError:
    return validation("The NextToken is not valid.")


def _scope(call: Call[Any]) -> bool:
    """True when FilterList asks for Scope SharedWithMe (a delegated administrator's view)."""
    for item in call.params.get("FilterList") or ():
        if item.get("Name") == "Scope":
            values = item.get("ValueList") or []
            if values not in (["SharedWithMe"], ["OwnedByMe"]):
                raise validation("The Scope filter takes one value: SharedWithMe or OwnedByMe.")
            return values == ["SharedWithMe"]
    return False


@handles("StartChangeSet")
def start_change_set(call: Call[Any]) -> dict[str, Any]:
    check_catalog(call)
    account = owner(call, shared=True)
    state = store(call, account)
    token = call.params.get("ClientRequestToken")
    if token and token in state["tokens"]:
        existing = state["change_sets"][state["tokens"][token]]
        return {"ChangeSetId": existing["Id"], "ChangeSetArn": existing["Arn"]}
    changes = [dict(c) for c in call.params["ChangeSet"]]
    locks = check_start(changes, state)
    identifier = new_id("", 25)
    change_set = {"Id": identifier, "Arn": arn(call.region, account, "ChangeSet", identifier),
                  "Name": call.params.get("ChangeSetName"), "Intent": call.params.get("Intent", "APPLY"),
                  "Status": "PREPARING", "StartTime": now(), "Polls": 0, "Locks": locks,
                  "ChangeSet": [{**c, "ErrorDetailList": []} for c in changes]}
    state["change_sets"][identifier] = change_set
    if token:
        state["tokens"][token] = identifier
    return {"ChangeSetId": identifier, "ChangeSetArn": change_set["Arn"]}


def _change_set(call: Call[Any]) -> dict[str, Any]:
    check_catalog(call)
    state = store(call, owner(call, shared=True))
    found = state["change_sets"].get(call.params["ChangeSetId"])
    if found is None:
        raise not_found(f"Change set {call.params['ChangeSetId']} does not exist.")
    return found


def _summary_change(change: dict[str, Any]) -> dict[str, Any]:
    out = {"ChangeType": change["ChangeType"], "Entity": dict(change["Entity"]),
           "ErrorDetailList": change["ErrorDetailList"]}
    for key in ("Details", "DetailsDocument", "ChangeName"):
        if key in change:
            out[key] = change[key]
    return out


def _times(change_set: dict[str, Any]) -> dict[str, Any]:
    out = {"StartTime": change_set["StartTime"]}
    if "EndTime" in change_set:
        out["EndTime"] = change_set["EndTime"]
    return out


@handles("DescribeChangeSet")
def describe_change_set(call: Call[Any]) -> dict[str, Any]:
    found = _change_set(call)
    out = {"ChangeSetId": found["Id"], "ChangeSetArn": found["Arn"], "Intent": found["Intent"],
           "Status": found["Status"], "ChangeSet": [_summary_change(c) for c in found["ChangeSet"]], **_times(found)}
    if found["Name"]:
        out["ChangeSetName"] = found["Name"]
    for key in ("FailureCode", "FailureDescription"):
        if key in found:
            out[key] = found[key]
    return out


@handles("CancelChangeSet")
def cancel_change_set(call: Call[Any]) -> dict[str, Any]:
    found = _change_set(call)
    if found["Status"] != "PREPARING":
        raise AwsServiceError("ResourceInUseException", f"Change set {found['Id']} is {found['Status']} and can no "
                              "longer be cancelled.")
    found["Status"], found["EndTime"] = "CANCELLED", now()
    return {"ChangeSetId": found["Id"], "ChangeSetArn": found["Arn"]}


@handles("ListChangeSets")
def list_change_sets(call: Call[Any]) -> dict[str, Any]:
    check_catalog(call)
    state = store(call, owner(call, shared=_scope(call)))
    items = sorted(state["change_sets"].values(), key=lambda c: (c["StartTime"], c["Id"]))
    shown, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 20, _bad_token)
    summaries = []
    for c in shown:
        item = {"ChangeSetId": c["Id"], "ChangeSetArn": c["Arn"], "Status": c["Status"], **_times(c),
                "EntityIdList": sorted({ch["Entity"]["Identifier"].split("@")[0] for ch in c["ChangeSet"]
                                        if ch["Entity"].get("Identifier")})}
        if c["Name"]:
            item["ChangeSetName"] = c["Name"]
        if "FailureCode" in c:
            item["FailureCode"] = c["FailureCode"]
        summaries.append(item)
    return {"ChangeSetSummaryList": summaries, **({"NextToken": token} if token else {})}


@handles("ListEntities")
def list_entities(call: Call[Any]) -> dict[str, Any]:
    check_catalog(call)
    kind = entity_type(call.params["EntityType"])
    if kind not in ENTITY_TYPES:
        raise validation(f"Entity type {call.params['EntityType']} is not a Private Marketplace entity type.")
    account = owner(call, shared=_scope(call))
    state = store(call, account)
    items = sorted((e for e in state["entities"].values() if e["Type"] == kind), key=lambda e: e["Id"])
    shown, token = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), 50, _bad_token)
    summaries = [{"Name": e["Name"], "EntityType": e["Type"], "EntityId": e["Id"],
                  "EntityArn": arn(call.region, account, e["Type"], e["Id"]), "LastModifiedDate": e["LastModified"]}
                 for e in shown]
    return {"EntitySummaryList": summaries, **({"NextToken": token} if token else {})}


@handles("DescribeEntity")
def describe_entity(call: Call[Any]) -> dict[str, Any]:
    check_catalog(call)
    account = owner(call, shared=True)
    found = store(call, account)["entities"].get(call.params["EntityId"])
    if found is None:
        raise not_found(f"Entity {call.params['EntityId']} does not exist.")
    document = dict(found["Details"])
    if found["ExperienceId"]:
        document["ExperienceId"] = found["ExperienceId"]
    return {"EntityType": f"{found['Type']}@1.0", "EntityIdentifier": f"{found['Id']}@{found['Revision']}",
            "EntityArn": arn(call.region, account, found["Type"], found["Id"]), "LastModifiedDate": found["LastModified"],
            "DetailsDocument": document}

