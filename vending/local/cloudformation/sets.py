"""Stack sets themselves: CreateStackSet, DescribeStackSet, ListStackSets, UpdateStackSet,
DeleteStackSet, and the organizations access StackSets needs (Activate/Deactivate/
DescribeOrganizationsAccess). Sources: CFN-API pages of each operation, aws-facts 4 and 14a.
"""
from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.utils import get_stack_from_s3_url

from vending.local.cloudformation import errors as err
from vending.local.cloudformation import language_extensions, operations, targets, template
from vending.local.cloudformation.calls import (
    PRINCIPAL,
    fingerprint,
    handles,
    owner,
    paged,
    replay,
    stack_set,
    tables_of,
)
from vending.local.cloudformation.store import Item, key, new_uuid, set_summary, set_view
from vending.local.modeled import Call

NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]{0,127}")


def _trusted(backend: Any) -> bool:
    return any(s["ServicePrincipal"] == PRINCIPAL for s in backend.services)


def _check_service_managed(call: Call[Any], account_id: str) -> Any:
    backend = targets.org_backend(account_id)
    if backend is None:
        raise err.validation(err.NOT_ORG_ADMIN)
    if not _trusted(backend):
        raise err.validation(err.TRUSTED_ACCESS)
    return backend


def _auto_deployment(value: dict[str, Any] | None, model: str) -> dict[str, Any] | None:
    if model == "SELF_MANAGED":
        if value:
            raise err.validation("AutoDeployment is only supported for StackSets with "
                                 "service-managed permissions.")
        return None
    if value is None or value.get("Enabled") is None:
        raise err.validation("AutoDeployment must be specified when PermissionModel is "
                             "SERVICE_MANAGED.")
    if value.get("RetainStacksOnAccountRemoval") and not value["Enabled"]:
        raise err.validation("RetainStacksOnAccountRemoval can be specified only when "
                             "AutoDeployment is enabled.")
    result = {"Enabled": bool(value["Enabled"])}
    if value["Enabled"]:
        result["RetainStacksOnAccountRemoval"] = bool(value.get("RetainStacksOnAccountRemoval"))
    if value.get("DependsOn"):
        result["DependsOn"] = list(value["DependsOn"])
    return result


def _template_body(call: Call[Any], previous: str | None = None) -> str:
    """The template a Create/UpdateStackSet gives; a TemplateURL is read from the local S3."""
    params = call.params
    given = [k for k in ("TemplateBody", "TemplateURL") if params.get(k)]
    if params.get("UsePreviousTemplate"):
        given.append("UsePreviousTemplate")
    if len(given) != 1:
        raise err.validation("Specify exactly one of TemplateBody, TemplateURL"
                             + (" or UsePreviousTemplate." if previous is not None else "."))
    if given[0] == "TemplateURL":
        try:
            return get_stack_from_s3_url(params["TemplateURL"], account_id=call.account_id,
                                         partition="aws")
        except Exception:  # no such bucket/key, or not an S3 URL
            raise err.validation("TemplateURL must be a supported URL.") from None
    if given[0] == "UsePreviousTemplate":
        assert previous is not None
        return previous
    return str(params["TemplateBody"])


@handles("CreateStackSet")
def create_stack_set(call: Call[Any]) -> dict[str, Any]:
    p, tables = call.params, tables_of(call)
    token = p.get("ClientRequestToken")
    if token and token in tables["tokens"]:
        return {"StackSetId": tables["tokens"][token]}
    name = p["StackSetName"]
    if not NAME.fullmatch(name):
        raise err.validation(f"1 validation error detected: Value '{name}' at 'stackSetName' "
                             "failed to satisfy constraint: Member must satisfy regular "
                             "expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
    if p.get("StackId"):
        raise err.validation("Importing a stack (StackId) is not supported by the local emulator.")
    if any(s["StackSetName"] == name and s["Status"] == "ACTIVE"
           for s in tables["sets"].values()):
        raise err.name_exists(name)
    model = p.get("PermissionModel") or "SELF_MANAGED"
    account_id = owner(call)
    auto = _auto_deployment(p.get("AutoDeployment"), model)
    backend = _check_service_managed(call, account_id) if model == "SERVICE_MANAGED" else None
    body = _template_body(call)
    parsed = template.parse(body)
    template.check_capabilities(parsed, list(p.get("Capabilities") or []))
    language_extensions.check(parsed, list(p.get("Capabilities") or []))
    parameters = template.values(list(p.get("Parameters") or []), {})
    template.check_keys(parsed, list(parameters))
    set_id = f"{name}:{new_uuid()}"
    item: Item = {
        "StackSetName": name, "StackSetId": set_id, "Description": p.get("Description"),
        "Status": "ACTIVE", "TemplateBody": body, "Parameters": template.as_list(parameters),
        "Capabilities": list(p.get("Capabilities") or []), "Tags": list(p.get("Tags") or []),
        "StackSetARN": f"arn:aws:cloudformation:{call.region}:{account_id}:stackset/{set_id}",
        "AdministrationRoleARN": p.get("AdministrationRoleARN") or (
            f"arn:aws:iam::{account_id}:role/AWSCloudFormationStackSetAdministrationRole"
            if model == "SELF_MANAGED" else None),
        "ExecutionRoleName": p.get("ExecutionRoleName") or (
            "AWSCloudFormationStackSetExecutionRole" if model == "SELF_MANAGED" else None),
        "PermissionModel": model, "AutoDeployment": auto,
        "ManagedExecution": {"Active": bool((p.get("ManagedExecution") or {}).get("Active"))},
        "owner": account_id, "instances": {}, "operations": {}, "auto_targets": {},
        "seen": targets.membership(backend) if backend is not None else {},
    }
    tables["sets"][set_id] = item
    if token:
        tables["tokens"][token] = set_id
    return {"StackSetId": set_id}


@handles("DescribeStackSet")
def describe_stack_set(call: Call[Any]) -> dict[str, Any]:
    return {"StackSet": set_view(stack_set(call, poll=True))}


@handles("ListStackSets")
def list_stack_sets(call: Call[Any]) -> dict[str, Any]:
    status = call.params.get("Status")
    items = [set_summary(s) for s in tables_of(call)["sets"].values()
             if status in (None, s["Status"])]
    return paged(call, items, "Summaries")


@handles("UpdateStackSet")
def update_stack_set(call: Call[Any]) -> dict[str, Any]:
    p, item = call.params, stack_set(call)
    replayed = replay(call, item)
    if replayed:
        return replayed
    managed = item["ManagedExecution"]["Active"]
    if operations.busy(item) and not managed:
        raise err.in_progress(item["StackSetARN"])
    model = item["PermissionModel"]
    if p.get("PermissionModel") not in (None, model) and item["instances"]:
        raise err.validation("PermissionModel cannot be changed while the StackSet has stack "
                             "instances.")
    if p.get("AutoDeployment") and (p.get("DeploymentTargets") or p.get("Regions")):
        raise err.validation("If you specify AutoDeployment, don't specify DeploymentTargets "
                             "or Regions.")
    body = _template_body(call, item["TemplateBody"])
    parsed = template.parse(body)
    granted = list(p["Capabilities"]) if p.get("Capabilities") is not None \
        else item["Capabilities"]
    template.check_capabilities(parsed, granted)
    language_extensions.check(parsed, granted)
    previous = template.values(item["Parameters"], {})
    parameters = template.values(list(p.get("Parameters") or []), previous)
    template.check_keys(parsed, list(parameters))
    changed = body != item["TemplateBody"] or parameters != previous
    scope = _scope(call, item)
    if p.get("AutoDeployment") is not None:
        item["AutoDeployment"] = _auto_deployment(p["AutoDeployment"], model)
    item.update(TemplateBody=body, Parameters=template.as_list(parameters), Capabilities=granted)
    for field in ("Description", "AdministrationRoleARN", "ExecutionRoleName"):
        if p.get(field):
            item[field] = p[field]
    if p.get("Tags") is not None:
        item["Tags"] = list(p["Tags"])
    if p.get("ManagedExecution") is not None:
        item["ManagedExecution"] = {"Active": bool(p["ManagedExecution"].get("Active"))}
    if changed:
        for instance in item["instances"].values():
            if instance["Status"] != "INOPERABLE":
                instance["Status"] = "OUTDATED"
    operation = operations.start(item, call.settings, "UPDATE", scope, p,
                                 fingerprint=fingerprint(call), queue=managed)
    return {"OperationId": operation["OperationId"]}


def _scope(call: Call[Any], item: Item) -> list[tuple[str, str, str | None]]:
    """The instances an UpdateStackSet updates: all, or those DeploymentTargets/Accounts and
    Regions select (both or neither, CFN-API UpdateStackSet)."""
    p = call.params
    selects = p.get("DeploymentTargets") or p.get("Accounts")
    if bool(selects) != bool(p.get("Regions")):
        raise err.validation("Specify both Regions and DeploymentTargets (or Accounts), or "
                             "neither to update every stack instance.")
    live = [i for i in item["instances"].values() if i["Status"] != "INOPERABLE"]
    if not selects:
        return [(i["Account"], i["Region"], i.get("OrganizationalUnitId")) for i in live]
    chosen, _ = targets.resolve(targets.org_backend(item["owner"]), item["PermissionModel"], p,
                                "UpdateStackSet")
    regions = set(p["Regions"])
    accounts = {a for a, _ in chosen}
    return [(i["Account"], i["Region"], i.get("OrganizationalUnitId")) for i in live
            if i["Account"] in accounts and i["Region"] in regions
            and key(i["Account"], i["Region"]) in item["instances"]]


@handles("DeleteStackSet")
def delete_stack_set(call: Call[Any]) -> dict[str, Any]:
    item = stack_set(call)
    if operations.busy(item):
        raise err.in_progress(item["StackSetARN"])
    if item["instances"]:
        raise err.not_empty(item["StackSetName"])
    item["Status"] = "DELETED"
    return {}


@handles("ActivateOrganizationsAccess")
def activate_organizations_access(call: Call[Any]) -> dict[str, Any]:
    """Enables trusted access for StackSets in Organizations, as AWS's does."""
    backend = targets.org_backend(call.account_id)
    if backend is None:
        raise err.validation(err.NOT_ORG_ADMIN)
    backend.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    return {}


@handles("DeactivateOrganizationsAccess")
def deactivate_organizations_access(call: Call[Any]) -> dict[str, Any]:
    backend = targets.org_backend(call.account_id)
    if backend is None:
        raise err.validation(err.NOT_ORG_ADMIN)
    if _trusted(backend):
        backend.disable_aws_service_access(ServicePrincipal=PRINCIPAL)
    return {}


@handles("DescribeOrganizationsAccess")
def describe_organizations_access(call: Call[Any]) -> dict[str, Any]:
    """CallAs DELEGATED_ADMIN asks about the delegated administrator's organization."""
    backend = targets.org_backend(owner(call))
    enabled = backend is not None and _trusted(backend)
    return {"Status": "ENABLED" if enabled else "DISABLED"}
