"""sso-admin: the instance and permission sets (their policies, inline policy, boundary)."""
from __future__ import annotations

import re
from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call, page
from vending.local.ssoadmin.handlers import sso
from vending.local.ssoadmin.store import (
    INLINE_NON_WHITESPACE,
    PERMISSION_SETS_PER_INSTANCE,
    POLICIES_PER_PERMISSION_SET,
    now,
)

PAGE = 100


def _bad_token() -> AwsServiceError:
    return AwsServiceError("ValidationException", "The NextToken is not valid")


def _page(call: Call[Any], items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    found, following = page(items, call.params.get("MaxResults"), call.params.get("NextToken"), PAGE, _bad_token)
    return found, ({"NextToken": following} if following else {})


@sso("ListInstances")
def list_instances(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.instance
    if found is None or found["Region"] != call.region or found["OwnerAccountId"] != call.account_id:
        return {"Instances": []}
    return {"Instances": [{"InstanceArn": found["InstanceArn"], "IdentityStoreId": found["IdentityStoreId"],
                           "OwnerAccountId": found["OwnerAccountId"], "CreatedDate": found["CreatedDate"],
                           "Status": "ACTIVE"}]}


def _described(arn: str, found: dict[str, Any]) -> dict[str, Any]:
    keys = ("Name", "Description", "SessionDuration", "RelayState", "CreatedDate")
    return {"PermissionSetArn": arn, **{k: found[k] for k in keys if found.get(k) is not None}}


@sso("CreatePermissionSet")
def create_permission_set(call: Call[Any]) -> dict[str, Any]:
    store = call.emulator.store
    instance = store.instance_for(call, call.params["InstanceArn"])
    name = call.params["Name"]
    if any(p["Name"] == name for p in store.permission_sets.values()):
        raise AwsServiceError("ConflictException", f"PermissionSet with name {name} already exists.")
    if len(store.permission_sets) >= PERMISSION_SETS_PER_INSTANCE:
        raise AwsServiceError("ServiceQuotaExceededException", "The number of permission sets in this instance"
                              f" has reached its quota of {PERMISSION_SETS_PER_INSTANCE}")
    _check_duration(call.params.get("SessionDuration", "PT1H"))
    ins = instance["InstanceArn"].rsplit("/", 1)[1]
    arn = f"arn:aws:sso:::permissionSet/{ins}/ps-{store.token('ps', 16)}"
    store.permission_sets[arn] = {
        "Name": name, "Description": call.params.get("Description"), "RelayState": call.params.get("RelayState"),
        "SessionDuration": call.params.get("SessionDuration", "PT1H"), "CreatedDate": now(), "Managed": [],
        "Customer": [], "Inline": None, "Boundary": None, "Version": 1,
    }
    return {"PermissionSet": _described(arn, store.permission_sets[arn])}


@sso("DescribePermissionSet")
def describe_permission_set(call: Call[Any]) -> dict[str, Any]:
    return {"PermissionSet": _described(call.params["PermissionSetArn"], call.emulator.store.permission_set(call))}


@sso("ListPermissionSets")
def list_permission_sets(call: Call[Any]) -> dict[str, Any]:
    store = call.emulator.store
    store.instance_for(call, call.params["InstanceArn"])
    found, more = _page(call, list(store.permission_sets))
    return {"PermissionSets": found, **more}


DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?")


def _check_duration(value: str) -> None:
    match = DURATION.fullmatch(value)
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0) if match else -1
    if not 60 <= minutes <= 720:
        raise AwsServiceError("ValidationException", f"SessionDuration {value} is not between PT1H and PT12H")


@sso("UpdatePermissionSet")
def update_permission_set(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    if "SessionDuration" in call.params:
        _check_duration(call.params["SessionDuration"])
    for key in ("Description", "SessionDuration", "RelayState"):
        if key in call.params:
            found[key] = call.params[key]
    call.emulator.store.edited(found)
    return {}


@sso("DeletePermissionSet")
def delete_permission_set(call: Call[Any]) -> dict[str, Any]:
    store = call.emulator.store
    store.permission_set(call)
    arn = call.params["PermissionSetArn"]
    if any(a[1] == arn for a in store.assignments):
        raise AwsServiceError("ValidationException", f"PermissionSet {arn} still has account assignments; delete"
                              " them first")  # AWS's code for this case is unconfirmed
    del store.permission_sets[arn]
    store.provisioned.pop(arn, None)
    return {}


def _policy_count(found: dict[str, Any]) -> None:
    if len(found["Managed"]) + len(found["Customer"]) >= POLICIES_PER_PERMISSION_SET:
        raise AwsServiceError("ServiceQuotaExceededException", "A permission set can have at most"
                              f" {POLICIES_PER_PERMISSION_SET} AWS managed and customer managed policies")


@sso("AttachManagedPolicyToPermissionSet")
def attach_managed(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    arn = call.params["ManagedPolicyArn"]
    if arn in found["Managed"]:
        raise AwsServiceError("ConflictException", f"Managed policy {arn} is already attached")
    _policy_count(found)
    found["Managed"].append(arn)
    call.emulator.store.edited(found)
    return {}


@sso("DetachManagedPolicyFromPermissionSet")
def detach_managed(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    arn = call.params["ManagedPolicyArn"]
    if arn not in found["Managed"]:
        raise AwsServiceError("ResourceNotFoundException", f"Managed policy {arn} is not attached")
    found["Managed"].remove(arn)
    call.emulator.store.edited(found)
    return {}


@sso("ListManagedPoliciesInPermissionSet")
def list_managed(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    items, more = _page(call, [{"Arn": a, "Name": a.rsplit("/", 1)[1]} for a in found["Managed"]])
    return {"AttachedManagedPolicies": items, **more}


def _ref(params: dict[str, Any]) -> dict[str, str]:
    ref = params["CustomerManagedPolicyReference"]
    return {"Name": ref["Name"], "Path": ref.get("Path", "/")}


@sso("AttachCustomerManagedPolicyReferenceToPermissionSet")
def attach_customer(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    ref = _ref(call.params)
    if ref in found["Customer"]:
        raise AwsServiceError("ConflictException", f"Customer managed policy {ref['Path']}{ref['Name']} is already"
                              " attached")
    _policy_count(found)
    found["Customer"].append(ref)
    call.emulator.store.edited(found)
    return {}


@sso("DetachCustomerManagedPolicyReferenceFromPermissionSet")
def detach_customer(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    ref = _ref(call.params)
    if ref not in found["Customer"]:
        raise AwsServiceError("ResourceNotFoundException", f"Customer managed policy {ref['Path']}{ref['Name']} is"
                              " not attached")
    found["Customer"].remove(ref)
    call.emulator.store.edited(found)
    return {}


@sso("ListCustomerManagedPolicyReferencesInPermissionSet")
def list_customer(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    items, more = _page(call, [dict(r) for r in found["Customer"]])
    return {"CustomerManagedPolicyReferences": items, **more}


@sso("PutInlinePolicyToPermissionSet")
def put_inline(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    policy = call.params["InlinePolicy"]
    if len("".join(policy.split())) > INLINE_NON_WHITESPACE:
        raise AwsServiceError("ValidationException", f"The inline policy has more than {INLINE_NON_WHITESPACE}"
                              " characters that are not white space")
    found["Inline"] = policy
    call.emulator.store.edited(found)
    return {}


@sso("GetInlinePolicyForPermissionSet")
def get_inline(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    return {"InlinePolicy": found["Inline"]} if found["Inline"] else {}


@sso("DeleteInlinePolicyFromPermissionSet")
def delete_inline(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    found["Inline"] = None
    call.emulator.store.edited(found)
    return {}


@sso("PutPermissionsBoundaryToPermissionSet")
def put_boundary(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    boundary = call.params["PermissionsBoundary"]
    if ("ManagedPolicyArn" in boundary) == ("CustomerManagedPolicyReference" in boundary):
        raise AwsServiceError("ValidationException", "PermissionsBoundary takes exactly one of ManagedPolicyArn and"
                              " CustomerManagedPolicyReference")
    found["Boundary"] = ({"ManagedPolicyArn": boundary["ManagedPolicyArn"]} if "ManagedPolicyArn" in boundary
                         else {"CustomerManagedPolicyReference": _ref(boundary)})
    call.emulator.store.edited(found)
    return {}


@sso("GetPermissionsBoundaryForPermissionSet")
def get_boundary(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    if found["Boundary"] is None:
        raise AwsServiceError("ResourceNotFoundException", "The permission set has no permissions boundary")
    return {"PermissionsBoundary": found["Boundary"]}


@sso("DeletePermissionsBoundaryFromPermissionSet")
def delete_boundary(call: Call[Any]) -> dict[str, Any]:
    found = call.emulator.store.permission_set(call)
    found["Boundary"] = None
    call.emulator.store.edited(found)
    return {}


@sso("ListAccountsForProvisionedPermissionSet")
def list_accounts_for_provisioned(call: Call[Any]) -> dict[str, Any]:
    store = call.emulator.store
    found = store.permission_set(call)
    versions = store.provisioned.get(call.params["PermissionSetArn"], {})
    status = call.params.get("ProvisioningStatus")
    accounts = sorted(a for a, v in versions.items() if status is None
                      or (status == "LATEST_PERMISSION_SET_PROVISIONED") == (v == found["Version"]))
    items, more = _page(call, accounts)
    return {"AccountIds": items, **more}
