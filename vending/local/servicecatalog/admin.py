"""Service Catalog administration beyond creation: updates and deletes of products, versions and
portfolios, product and principal disassociation, and TagOption associations.

As in AWS (SC-API): UpdateProvisioningArtifact changes Name, Description, Active and Guidance
(`DEFAULT | DEPRECATED`) but never the template (a new template is a new artifact); a product
keeps at least one artifact; DeleteProduct and DeletePortfolio refuse while a portfolio holds
the product or the portfolio holds products, principals or constraints
(ResourceInUseException); AssociateTagOptionWithResource takes a portfolio or product id, at most
25 TagOptions per resource, and an inactive TagOption cannot be newly associated.
"""
from __future__ import annotations

from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call
from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.catalog import new_artifact
from vending.local.servicecatalog.tables import (
    Item,
    Tables,
    artifact,
    artifact_view,
    handles,
    paged,
    portfolio,
    portfolio_view,
    product,
    product_view,
    tables_of,
    tag_options_view,
)

MAX_TAG_OPTIONS_PER_RESOURCE = 25
MAX_ARTIFACTS = 100
_GUIDANCE = ("DEFAULT", "DEPRECATED")


def in_use(message: str) -> AwsServiceError:
    return AwsServiceError("ResourceInUseException", message)


def info_view(item: Item) -> dict[str, str]:
    """DescribeProvisioningArtifact's Info: where the template came from."""
    url = item.get("info", {}).get("LoadTemplateFromURL")
    return {"TemplateUrl": url} if url else {}


def _artifact_answer(item: Item) -> dict[str, Any]:
    return {"ProvisioningArtifactDetail": artifact_view(item), "Info": info_view(item), "Status": "AVAILABLE"}


def _retag(item: Item, add: list[dict[str, str]] | None, remove: list[str] | None) -> None:
    tags = {t["Key"]: t["Value"] for t in item["Tags"] if t["Key"] not in (remove or ())}
    tags.update({t["Key"]: t["Value"] for t in add or ()})
    item["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]


@handles("UpdateProduct")
def update_product(call: Call[Any]) -> dict[str, Any]:
    """API_UpdateProduct: fields given are replaced, AddTags/RemoveTags."""
    item = product(tables_of(call), call.params["Id"])
    for key in ("Name", "Owner", "Description", "Distributor", "SupportDescription", "SupportEmail", "SupportUrl"):
        if call.params.get(key) is not None:
            item[key] = call.params[key]
    _retag(item, call.params.get("AddTags"), call.params.get("RemoveTags"))
    return {"ProductViewDetail": product_view(item), "Tags": item["Tags"]}


@handles("DeleteProduct")
def delete_product(call: Call[Any]) -> dict[str, Any]:
    """API_DeleteProduct: not while a portfolio holds it."""
    tables = tables_of(call)
    item = product(tables, call.params["Id"])
    holders = [p["Id"] for p in tables["portfolios"].values() if item["Id"] in p["products"]]
    if holders:
        raise in_use(f"Product {item['Id']} is associated with portfolio(s) {', '.join(holders)}.")
    del tables["products"][item["Id"]]
    return {}


@handles("CreateProvisioningArtifact")
def create_provisioning_artifact(call: Call[Any]) -> dict[str, Any]:
    """API_CreateProvisioningArtifact: a new version, DEFAULT and active; IdempotencyToken."""
    tables = tables_of(call)
    item = product(tables, call.params["ProductId"])
    key = f"artifacts:{call.params['IdempotencyToken']}"
    known = tables["tokens"].get(key)
    if known in item["artifacts"]:
        return _artifact_answer(item["artifacts"][known])
    if len(item["artifacts"]) >= MAX_ARTIFACTS:
        raise err.limit(f"Product {item['Id']} has {MAX_ARTIFACTS} provisioning artifacts, the most allowed.")
    created = new_artifact(call.params["Parameters"])
    item["artifacts"][created["Id"]] = created
    tables["tokens"][key] = created["Id"]
    return _artifact_answer(created)


@handles("DescribeProvisioningArtifact")
def describe_provisioning_artifact(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeProvisioningArtifact by ids or names; Info.TemplateUrl."""
    p = call.params
    item = product(tables_of(call), p.get("ProductId"), p.get("ProductName"))
    return _artifact_answer(artifact(item, p.get("ProvisioningArtifactId"), p.get("ProvisioningArtifactName")))


@handles("UpdateProvisioningArtifact")
def update_provisioning_artifact(call: Call[Any]) -> dict[str, Any]:
    """API_UpdateProvisioningArtifact: Name, Description, Active, Guidance; never the template."""
    p = call.params
    found = artifact(product(tables_of(call), p["ProductId"]), p["ProvisioningArtifactId"])
    if p.get("Guidance") is not None and p["Guidance"] not in _GUIDANCE:
        raise err.invalid(f"Guidance must be one of {', '.join(_GUIDANCE)}.")
    for key in ("Name", "Description", "Active", "Guidance"):
        if p.get(key) is not None:
            found[key] = p[key]
    return _artifact_answer(found)


@handles("DeleteProvisioningArtifact")
def delete_provisioning_artifact(call: Call[Any]) -> dict[str, Any]:
    """API_DeleteProvisioningArtifact: a product keeps at least one version."""
    item = product(tables_of(call), call.params["ProductId"])
    found = artifact(item, call.params["ProvisioningArtifactId"])
    if len(item["artifacts"]) == 1:
        raise in_use("You cannot delete the last provisioning artifact of a product.")
    del item["artifacts"][found["Id"]]
    return {}


@handles("UpdatePortfolio")
def update_portfolio(call: Call[Any]) -> dict[str, Any]:
    """API_UpdatePortfolio (moto: NotImplementedError)."""
    item = portfolio(tables_of(call), call.params["Id"])
    for key in ("DisplayName", "Description", "ProviderName"):
        if call.params.get(key) is not None:
            item[key] = call.params[key]
    _retag(item, call.params.get("AddTags"), call.params.get("RemoveTags"))
    return {"PortfolioDetail": portfolio_view(item), "Tags": item["Tags"]}


@handles("DeletePortfolio")
def delete_portfolio(call: Call[Any]) -> dict[str, Any]:
    """API_DeletePortfolio: not while it holds products, principals, constraints or shares."""
    tables = tables_of(call)
    item = portfolio(tables, call.params["Id"])
    if item["products"] or item["principals"] or item.get("shares"):
        raise in_use(f"Portfolio {item['Id']} still has products, principals or shares associated.")
    del tables["portfolios"][item["Id"]]
    return {}


@handles("DisassociateProductFromPortfolio")
def disassociate_product(call: Call[Any]) -> dict[str, Any]:
    """API_DisassociateProductFromPortfolio: not while constraints of the pair remain."""
    tables = tables_of(call)
    held = portfolio(tables, call.params["PortfolioId"])
    product_id = call.params["ProductId"]
    if product_id not in held["products"]:
        raise err.not_found(f"Product {product_id} is not associated with portfolio {held['Id']}.")
    if any(c["PortfolioId"] == held["Id"] and c["ProductId"] == product_id for c in tables.get("constraints", {}).values()):
        raise in_use(f"Product {product_id} has constraints in portfolio {held['Id']}; delete them first.")
    del held["products"][product_id]
    return {}


@handles("DisassociatePrincipalFromPortfolio")
def disassociate_principal(call: Call[Any]) -> dict[str, Any]:
    """API_DisassociatePrincipalFromPortfolio (PrincipalType IAM by default)."""
    p = call.params
    held = portfolio(tables_of(call), p["PortfolioId"])
    entry = {"PrincipalARN": p["PrincipalARN"], "PrincipalType": p.get("PrincipalType") or "IAM"}
    if entry not in held["principals"]:
        raise err.not_found(f"Principal {p['PrincipalARN']} is not associated with portfolio {held['Id']}.")
    held["principals"].remove(entry)
    return {}


def _resource(tables: Tables, resource_id: str) -> Item:
    found = tables["portfolios"].get(resource_id) or tables["products"].get(resource_id)
    if found is None:
        raise err.not_found(f"Resource {resource_id} not found.")
    return found


def _tag_option(tables: Tables, tag_id: str) -> Item:
    found = tables.setdefault("tag_options", {}).get(tag_id)
    if found is None:
        raise err.not_found(f"TagOption {tag_id} not found.")
    return found


@handles("AssociateTagOptionWithResource")
def associate_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_AssociateTagOptionWithResource: a portfolio or product; an active TagOption, one value
    per key, at most 25 (DuplicateResourceException / InvalidParametersException / LimitExceeded)."""
    tables = tables_of(call)
    item = _resource(tables, call.params["ResourceId"])
    option = _tag_option(tables, call.params["TagOptionId"])
    held = item.setdefault("tag_options", [])
    if option["Id"] in held:
        raise AwsServiceError("DuplicateResourceException", f"TagOption {option['Id']} is already associated.")
    if not option["Active"]:
        raise err.invalid(f"TagOption {option['Id']} is inactive and cannot be associated.")
    if len(held) >= MAX_TAG_OPTIONS_PER_RESOURCE:
        raise err.limit(f"A resource can have at most {MAX_TAG_OPTIONS_PER_RESOURCE} TagOptions.")
    held.append(option["Id"])
    return {}


@handles("DisassociateTagOptionFromResource")
def disassociate_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_DisassociateTagOptionFromResource."""
    tables = tables_of(call)
    held = _resource(tables, call.params["ResourceId"]).setdefault("tag_options", [])
    if call.params["TagOptionId"] not in held:
        raise err.not_found(f"TagOption {call.params['TagOptionId']} is not associated with {call.params['ResourceId']}.")
    held.remove(call.params["TagOptionId"])
    return {}


@handles("ListResourcesForTagOption")
def list_resources_for_tag_option(call: Call[Any]) -> dict[str, Any]:
    """API_ListResourcesForTagOption: ResourceType Portfolio or Product (default both)."""
    tables = tables_of(call)
    tag_id = _tag_option(tables, call.params["TagOptionId"])["Id"]
    kinds = {"Portfolio": ("portfolios",), "Product": ("products",)}.get(call.params.get("ResourceType") or "",
                                                                           ("portfolios", "products"))
    found = [{"Id": i["Id"], "ARN": i["ARN"], "Name": i.get("DisplayName") or i.get("Name"),
              "Description": i.get("Description"), "CreatedTime": i["CreatedTime"]}
             for kind in kinds for i in tables[kind].values() if tag_id in i.get("tag_options", ())]
    answer = paged(call, [{k: v for k, v in r.items() if v is not None} for r in found], "ResourceDetails")
    if "NextPageToken" in answer:
        answer["PageToken"] = answer.pop("NextPageToken")
    return answer
