"""`AWS::ServiceCatalog::CloudFormationProvisionedProduct` in member stacks: a launch through the
Service Catalog emulator, in the member account, as the StackSets execution role.

AWS (aws-facts 14b): CloudFormation calls ProvisionProduct with the stack's role, for a
SERVICE_MANAGED stack instance the `stacksets-exec-*` role StackSets made in the member. The
launch needs a portfolio holding the product that is shared to the account (an organization
node share reaching it, COMPLETED) with SharePrincipals on and an IAM_PATTERN principal matching
that role; else "No launch paths found for resource". A deprecated or inactive version cannot
be launched, an inactive one not updated to (SC-API, aws-facts 3.3). The resource fails with
StackSets' "ResourceLogicalId:..., ResourceStatusReason:..." text, as resources.py does.

The provisioned product is recorded in the member's Service Catalog tables (what
SearchProvisionedProducts in that account shows), completed at once: CloudFormation waits for
the record, and a stack here is created synchronously. This is deliberately a thin adapter: the
hub's portfolios, shares and principals are read where the Service Catalog emulator keeps them.
"""
from __future__ import annotations

import hashlib
from fnmatch import fnmatchcase
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from vending.local.cloudformation.resources import ResourceHandlerFailed
from vending.local.framework import EmulatorContext
from vending.local.servicecatalog.shares import organization

TYPE = "AWS::ServiceCatalog::CloudFormationProvisionedProduct"
_CATALOG: list[Any] = []
"""The Service Catalog emulator of the running local AWS (set by `install`)."""


def install(ctx: EmulatorContext, catalog: Any) -> None:
    """Serve the resource type from `catalog` (moto caches its model map: cleared here)."""
    _CATALOG[:] = [catalog]
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def execution_role(member: str, admin: str) -> str:
    """The role StackSets made in `member` for stack sets of `admin` (`stacksets-exec-<hash>`)."""
    return f"arn:aws:iam::{member}:role/stacksets-exec-{hashlib.md5(admin.encode()).hexdigest()}"


def _fail(logical_id: str, message: str) -> ResourceHandlerFailed:
    return ResourceHandlerFailed(f"ResourceLogicalId:{logical_id}, ResourceType:{TYPE}, "
                                 f"ResourceStatusReason:{message}")


def _reaches(org: Any, share: dict[str, Any], member: str) -> bool:
    kind, value = share["kind"], share["PrincipalId"]
    if kind == "ORGANIZATION":
        return org.org is not None and value == org.org.id
    if kind == "ACCOUNT":
        return value == member
    if kind != "ORGANIZATIONAL_UNIT":
        return False
    parents = {ou.id: (None if ou.type == "ROOT" else ou.parent_id) for ou in org.ou}
    node = next((a.parent_id for a in org.accounts if a.id == member), None)
    while node is not None:
        if node == value:
            return True
        node = parents.get(node)
    return False


def _launch(properties: dict[str, Any], member: str, region: str, logical_id: str) -> tuple[str, Any, Any, str]:
    """(hub account, product, version, path id) the execution role may launch, or a failure."""
    if not _CATALOG:
        raise _fail(logical_id, "Service Catalog is not emulated in this local AWS")
    catalog = _CATALOG[0]
    wanted = properties.get("ProductId") or properties.get("ProductName")
    for hub, regions in catalog.store.accounts.items():
        tables = regions.get(region)
        org = organization(hub)
        if tables is None or org is None:
            continue  # org-node shares are the management account's or a delegated administrator's
        caller = execution_role(member, hub).replace(f"::{member}:", ":::", 1)  # patterns have no account
        for product in tables["products"].values():
            if wanted not in (product["Id"], product["Name"]):
                continue
            for folio in tables["portfolios"].values():
                if product["Id"] not in folio["products"]:
                    continue
                shared = [s for s in folio.get("shares", []) if s.get("SharePrincipals") and _done(tables, s)
                          and _reaches(org, s, member)]
                allowed = any(p["PrincipalType"] == "IAM_PATTERN" and fnmatchcase(caller, p["PrincipalARN"])
                              for p in folio["principals"])
                if shared and allowed:
                    return hub, product, _version(product, properties, logical_id), folio["products"][product["Id"]]
    raise _fail(logical_id, f"No launch paths found for resource: {wanted}")


def _done(tables: dict[str, Any], share: dict[str, Any]) -> bool:
    """The share's operation completed (a share without one, as a rehearsal copies it, is settled)."""
    op = tables.get("share_ops", {}).get(share.get("token") or "")
    return op is None or op["Status"] in ("COMPLETED", "COMPLETED_WITH_ERRORS")


def _version(product: dict[str, Any], properties: dict[str, Any], logical_id: str) -> Any:
    wanted = properties.get("ProvisioningArtifactId") or properties.get("ProvisioningArtifactName")
    found = [a for a in product["artifacts"].values() if wanted in (a["Id"], a["Name"])]
    if len(found) > 1:  # AWS's words (hashicorp/terraform-provider-aws issue #24362), as tables.artifact
        raise _fail(logical_id, f"Multiple Provisioning Artifact with name {wanted} found.")
    if not found:
        raise _fail(logical_id, f"Provisioning artifact {wanted} not found.")
    return found[0]


def _record(tables: dict[str, Any], pp: dict[str, Any], kind: str, version: Any) -> None:
    from vending.local.servicecatalog.tables import new_id, now

    record_id = new_id("rec")
    tables["records"][record_id] = {
        "RecordId": record_id, "ProvisionedProductName": pp["Name"], "Status": "SUCCEEDED",
        "CreatedTime": now(), "UpdatedTime": now(), "ProvisionedProductType": "CFN_STACK", "RecordType": kind,
        "ProvisionedProductId": pp["Id"], "ProductId": pp["ProductId"], "ProvisioningArtifactId": version["Id"],
        "PathId": pp["PathId"], "RecordErrors": [], "RecordTags": [], "parameters": dict(pp["parameters"]),
        "outputs": [], "polls_left": 0, "fault": None, "doomed": None, "account": pp["account"],
        "region": pp["region"]}
    pp.update(LastRecordId=record_id, LastProvisioningRecordId=record_id,
              LastSuccessfulProvisioningRecordId=record_id, ProvisioningArtifactId=version["Id"])


def _parameters(properties: dict[str, Any]) -> dict[str, str]:
    return {str(p["Key"]): str(p.get("Value", "")) for p in properties.get("ProvisioningParameters") or ()}


class ProvisionedProduct(CloudFormationModel):
    """One provisioned product, by its id in the member's tables."""

    def __init__(self, pp_id: str, account: str, region: str) -> None:
        self.pp_id, self.account, self.region = pp_id, account, region

    @property
    def physical_resource_id(self) -> str:
        return self.pp_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ProvisionedProductName"

    @staticmethod
    def cloudformation_type() -> str:
        return TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ProvisionedProductId", "RecordId")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        pp = _CATALOG[0].store.tables(self.account, self.region)["provisioned"][self.pp_id]
        return pp["Id"] if attribute_name == "ProvisionedProductId" else pp["LastRecordId"]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,
                                        region_name: str, **kwargs: Any) -> "ProvisionedProduct":
        from vending.local.servicecatalog.tables import new_id, now

        properties = cloudformation_json.get("Properties") or {}
        logical_id = kwargs.get("LogicalId", resource_name)
        hub, product, version, path = _launch(properties, account_id, region_name, logical_id)
        tables = _CATALOG[0].store.tables(account_id, region_name)
        name = properties.get("ProvisionedProductName") or resource_name
        existing = next((p for p in tables["provisioned"].values() if p["Name"] == name), None)
        if existing is not None and existing["ProductId"] == product["Id"]:
            return cls(existing["Id"], account_id, region_name)  # a restored stack: the product is there
        if existing is not None:
            raise _fail(logical_id, f"A stack named {name} already exists.")
        if not version["Active"] or version["Guidance"] == "DEPRECATED":
            raise _fail(logical_id, f"Provisioning artifact {version['Id']} cannot be used to launch a new "
                                    "provisioned product.")
        pp_id = new_id("pp")
        tables["provisioned"][pp_id] = {
            "Name": name, "Id": pp_id, "Type": "CFN_STACK", "Status": "AVAILABLE", "CreatedTime": now(),
            "Arn": f"arn:aws:servicecatalog:{region_name}:{account_id}:stack/{name}/{pp_id}",
            "IdempotencyToken": pp_id, "ProductId": product["Id"], "PathId": path, "Tags": [],
            "engine": "cloudformation", "parameters": _parameters(properties), "outputs": [], "pending": None,
            "account": account_id, "region": region_name, "hub": hub}
        _record(tables, tables["provisioned"][pp_id], "PROVISION_PRODUCT", version)
        return cls(pp_id, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: "ProvisionedProduct", new_resource_name: str,
                                        cloudformation_json: Any, account_id: str,
                                        region_name: str) -> "ProvisionedProduct":
        properties = cloudformation_json.get("Properties") or {}
        _, product, version, _ = _launch(properties, account_id, region_name, new_resource_name)
        pp = _CATALOG[0].store.tables(account_id, region_name)["provisioned"][original_resource.pp_id]
        if not version["Active"]:
            raise _fail(new_resource_name, f"Provisioning artifact {version['Id']} is not active.")
        pp["parameters"] = _parameters(properties)
        _record(_CATALOG[0].store.tables(account_id, region_name), pp, "UPDATE_PROVISIONED_PRODUCT", version)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any, account_id: str,
                                        region_name: str) -> None:
        tables = _CATALOG[0].store.tables(account_id, region_name)
        tables["provisioned"].pop(resource_name, None)

    def delete(self, account_id: str, region_name: str) -> None:
        _CATALOG[0].store.tables(self.account, self.region)["provisioned"].pop(self.pp_id, None)

    def is_created(self) -> bool:
        return True
