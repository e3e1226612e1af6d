"""The StackSets tables (plain dicts, persisted) and the AWS-shaped views of their rows.

Account id -> region -> tables: `sets` (StackSetId -> stack set), `tokens` (CreateStackSet
ClientRequestToken -> StackSetId). A stack set row holds its instances ("account/region" ->
instance), its operations (OperationId -> operation, oldest first), its auto-deployment targets
(OU id -> regions) and the Organizations membership it last saw (`seen`, account -> parent).
Keys starting with a lower-case letter are the emulator's own and never reach an answer.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from moto.moto_api._internal import mock_random

from vending.local.cloudformation import errors as err

Item = dict[str, Any]
Tables = dict[str, Any]


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(mock_random.uuid4())


def public(item: Item, keys: tuple[str, ...]) -> Item:
    return {k: item[k] for k in keys if item.get(k) is not None}


class StackSetStore:
    """Account id -> region -> tables."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Tables]] = {}

    def tables(self, account_id: str, region: str) -> Tables:
        regions = self.accounts.setdefault(account_id, {})
        return regions.setdefault(region, {"sets": {}, "tokens": {}})

    def all_sets(self) -> list[Item]:
        return [s for regions in self.accounts.values() for t in regions.values()
                for s in t["sets"].values()]


def find(tables: Tables, name: str) -> Item:
    """The stack set named `name` (or with that StackSetId): StackSetNotFoundException."""
    for item in tables["sets"].values():
        if item["StackSetId"] == name or (item["StackSetName"] == name
                                           and item["Status"] == "ACTIVE"):
            return item
    raise err.not_found(name)


def key(account: str, region: str) -> str:
    return f"{account}/{region}"


SET_KEYS = ("StackSetName", "StackSetId", "Description", "Status", "TemplateBody", "Parameters",
            "Capabilities", "Tags", "StackSetARN", "AdministrationRoleARN", "ExecutionRoleName",
            "StackSetDriftDetectionDetails", "AutoDeployment", "PermissionModel",
            "OrganizationalUnitIds", "ManagedExecution", "Regions")
SUMMARY_KEYS = ("StackSetName", "StackSetId", "Description", "Status", "AutoDeployment",
                "PermissionModel", "DriftStatus", "LastDriftCheckTimestamp", "ManagedExecution")
INSTANCE_KEYS = ("StackSetId", "Region", "Account", "StackId", "ParameterOverrides", "Status",
                 "StackInstanceStatus", "StatusReason", "OrganizationalUnitId", "DriftStatus",
                 "LastDriftCheckTimestamp", "LastOperationId")
INSTANCE_SUMMARY_KEYS = tuple(k for k in INSTANCE_KEYS if k != "ParameterOverrides")
OPERATION_KEYS = ("OperationId", "StackSetId", "Action", "Status", "OperationPreferences",
                  "RetainStacks", "AdministrationRoleARN", "ExecutionRoleName",
                  "CreationTimestamp", "EndTimestamp", "DeploymentTargets",
                  "StackSetDriftDetectionDetails", "StatusReason", "StatusDetails")
OPERATION_SUMMARY_KEYS = ("OperationId", "Action", "Status", "CreationTimestamp",
                          "EndTimestamp", "StatusReason", "StatusDetails",
                          "OperationPreferences")
RESULT_KEYS = ("Account", "Region", "Status", "StatusReason", "AccountGateResult",
               "OrganizationalUnitId")


def set_view(item: Item) -> Item:
    view = public(item, SET_KEYS)
    view["Regions"] = sorted({i["Region"] for i in item["instances"].values()})
    if item["PermissionModel"] == "SERVICE_MANAGED":
        view["OrganizationalUnitIds"] = sorted(item["auto_targets"])
    return view


def set_summary(item: Item) -> Item:
    view = public(item, SUMMARY_KEYS)
    drift = item.get("StackSetDriftDetectionDetails") or {}
    view["DriftStatus"] = drift.get("DriftStatus", "NOT_CHECKED")
    if drift.get("LastDriftCheckTimestamp"):
        view["LastDriftCheckTimestamp"] = drift["LastDriftCheckTimestamp"]
    return view


def instance_view(item: Item, instance: Item, *, summary: bool = False) -> Item:
    view = public(instance, INSTANCE_SUMMARY_KEYS if summary else INSTANCE_KEYS)
    view["StackSetId"] = item["StackSetId"]
    if not summary:
        view["ParameterOverrides"] = list(instance["ParameterOverrides"])
    return view


def operation_view(operation: Item, *, summary: bool = False) -> Item:
    return public(operation, OPERATION_SUMMARY_KEYS if summary else OPERATION_KEYS)
