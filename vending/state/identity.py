"""Read IAM Identity Center: the instance, vend's permission sets, the groups `access` names and
their account assignments.

Why this shape (aws-facts §11):
- ListAccountAssignments needs an account *and* a permission set, so an inventory with it costs
  accounts x permission sets calls. ListAccountAssignmentsForPrincipal returns one group's
  assignments across every account, so vend reads one paged call (100 a page) per group `access`
  names: the cost scales with groups and assignments, not with accounts. It must be called from
  the management account that holds the organization instance, which is where vend runs.
- Groups are resolved with identitystore GetGroupId (UniqueAttribute displayName), the lookup
  AWS documents; ListGroups' DisplayName filter is deprecated. ResourceNotFoundException: no
  such group (the plan says so, naming the file).
- Permission sets are listed (100 a page) and described to learn their names (AWS has no lookup
  by name); only the ones the repository declares are read in full: managed and customer managed
  policies, inline policy, permissions boundary, and the accounts still on an older version
  (ListAccountsForProvisionedPermissionSet LATEST_PERMISSION_SET_NOT_PROVISIONED), which
  is how an apply interrupted between an edit and its ProvisionPermissionSet is found again.
- Reads run on a small pool: the sso-admin APIs share one throttle (20 TPS, archived quota
  page, aws-facts §11.4); standard-mode retries back off on ThrottlingException.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable

from botocore.exceptions import ClientError

from vending.aws.errors import error_code
from vending.aws.paging import pages
from vending.model.live_identity import LiveIdentity, LivePermissionSet

PAGE = 100
"""MaxResults' maximum on every sso-admin list vend calls (SSO-API)."""
WORKERS = 4
"""Concurrent reads: well under the 20 requests a second all sso-admin APIs share."""
NOT_PROVISIONED = "LATEST_PERMISSION_SET_NOT_PROVISIONED"


class IdentityReader:
    def __init__(self, sso_admin: Any, identitystore: Any, region: str, workers: int = WORKERS) -> None:
        self.sso = sso_admin
        self.store = identitystore
        self.region = region
        self.workers = workers

    def read(self, groups: Iterable[str], permission_sets: Iterable[str]) -> LiveIdentity:
        instances = list(pages(self.sso, "list_instances", "Instances", page_size=PAGE))
        if not instances:
            return LiveIdentity(instance_arn=None, region=self.region)
        instance = instances[0]
        arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
        wanted = set(permission_sets)
        names = sorted(set(groups))
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            arns = list(pages(self.sso, "list_permission_sets", "PermissionSets", page_size=PAGE, InstanceArn=arn))
            described = list(pool.map(lambda ps: self._describe(arn, ps), arns))
            declared = [d for d in described if d["Name"] in wanted]
            sets = list(pool.map(lambda d: self._permission_set(arn, d), declared))
            ids = list(pool.map(lambda name: self._group_id(store_id, name), names))
            by_arn = {s.arn: s.name for s in sets}
            found = list(pool.map(lambda gid: self._assignments(arn, gid) if gid else [], ids))
        assignments = sorted(
            (name, a["AccountId"], by_arn[a["PermissionSetArn"]])
            for name, rows in zip(names, found) for a in rows if a["PermissionSetArn"] in by_arn
        )
        return LiveIdentity(
            instance_arn=arn, identity_store_id=store_id, region=self.region,
            permission_sets={s.name: s for s in sets}, groups=dict(zip(names, ids)),
            assignments=tuple(assignments),
        )

    def _describe(self, instance: str, arn: str) -> dict[str, Any]:
        return self.sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"]

    def _permission_set(self, instance: str, described: dict[str, Any]) -> LivePermissionSet:
        arn = described["PermissionSetArn"]
        key = {"InstanceArn": instance, "PermissionSetArn": arn}
        managed = pages(self.sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies",
                        page_size=PAGE, **key)
        customer = pages(self.sso, "list_customer_managed_policy_references_in_permission_set",
                         "CustomerManagedPolicyReferences", page_size=PAGE, **key)
        inline = self.sso.get_inline_policy_for_permission_set(**key).get("InlinePolicy") or None
        stale = pages(self.sso, "list_accounts_for_provisioned_permission_set", "AccountIds", page_size=PAGE,
                      ProvisioningStatus=NOT_PROVISIONED, **key)
        return LivePermissionSet(
            name=described["Name"], arn=arn, description=described.get("Description", ""),
            session_duration=described.get("SessionDuration", "PT1H"),
            managed_policies=tuple(sorted(p["Arn"] for p in managed)),
            customer_managed_policies=tuple(sorted((p["Name"], p.get("Path", "/")) for p in customer)),
            inline_policy=inline, boundary=self._boundary(key), stale_accounts=tuple(sorted(stale)),
        )

    def _boundary(self, key: dict[str, str]) -> dict[str, str] | None:
        try:
            found = self.sso.get_permissions_boundary_for_permission_set(**key)["PermissionsBoundary"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise
        if "ManagedPolicyArn" in found:
            return {"managed_policy": found["ManagedPolicyArn"]}
        ref = found["CustomerManagedPolicyReference"]
        return {"customer_managed_policy": ref.get("Path", "/") + ref["Name"]}

    def _group_id(self, store_id: str, name: str) -> str | None:
        try:
            return self.store.get_group_id(IdentityStoreId=store_id, AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}})["GroupId"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise

    def _assignments(self, instance: str, group_id: str) -> list[dict[str, Any]]:
        return list(pages(self.sso, "list_account_assignments_for_principal", "AccountAssignments", page_size=PAGE,
                          InstanceArn=instance, PrincipalId=group_id, PrincipalType="GROUP"))
