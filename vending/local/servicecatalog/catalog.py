"""Service Catalog administration: portfolios, products, artifacts, associations, launch paths.

Each handler implements one operation of the Service Catalog API reference (botocore model
`servicecatalog/2015-12-10`), named in its docstring. Creations honour IdempotencyToken ("If
multiple requests differ only by the idempotency token, the same response is returned", SC-API
CreateConstraint, the same trait on CreatePortfolio/CreateProduct). ARNs use AWS's `catalog`
service name: `arn:aws:catalog:<region>:<account>:portfolio/port-...` and `.../product/prod-...`.
"""
from __future__ import annotations

from typing import Any

from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.access import launch_paths, product_of
from vending.local.servicecatalog.constraints import summaries as constraint_summaries
from vending.local.servicecatalog.enduser import own_or_imported
from vending.local.modeled import Call
from vending.local.servicecatalog.tables import (
    Item,
    artifact_view,
    handles,
    new_id,
    now,
    paged,
    portfolio,
    portfolio_view,
    product,
    product_view,
    summary_view,
    tables_of,
    tag_options_view,
)

MAX_PATTERN_PRINCIPALS = 10
"""SC-API AssociatePrincipalWithPortfolio: at most 10 IAM_PATTERN principals per portfolio."""
TEMPLATE_SOURCES = ("LoadTemplateFromURL", "ImportFromPhysicalId")


def _by_token(call: Call[Any], kind: str) -> Item | None:
    tables = tables_of(call)
    found = tables["tokens"].get(f"{kind}:{call.params['IdempotencyToken']}")
    return tables[kind].get(found) if found else None


def _remember(call: Call[Any], kind: str, item_id: str) -> None:
    tables_of(call)["tokens"][f"{kind}:{call.params['IdempotencyToken']}"] = item_id


def new_artifact(spec: dict[str, Any]) -> Item:
    """A provisioning artifact from ProvisioningArtifactProperties; AWS needs a template."""
    info = spec.get("Info") or {}
    if not any(key in info for key in TEMPLATE_SOURCES):
        raise err.invalid("Invalid Info: ProvisioningArtifactParameters.Info must contain "
                          "LoadTemplateFromURL or ImportFromPhysicalId.")
    return {"Id": new_id("pa"), "Name": spec.get("Name"), "Description": spec.get("Description"),
            "Type": spec.get("Type", "CLOUD_FORMATION_TEMPLATE"), "CreatedTime": now(),
            "Active": True, "Guidance": "DEFAULT", "info": dict(info)}


@handles("CreatePortfolio")
def create_portfolio(call: Call[Any]) -> dict[str, Any]:
    """API_CreatePortfolio; ids `port-` + 13."""
    item = _by_token(call, "portfolios")
    if item is None:
        p = call.params
        portfolio_id = new_id("port")
        item = {"Id": portfolio_id, "DisplayName": p["DisplayName"],
                "ARN": f"arn:aws:catalog:{call.region}:{call.account_id}:portfolio/{portfolio_id}",
                "Description": p.get("Description"), "CreatedTime": now(),
                "ProviderName": p["ProviderName"], "Tags": list(p.get("Tags") or []),
                "products": {}, "principals": []}
        tables_of(call)["portfolios"][portfolio_id] = item
        _remember(call, "portfolios", portfolio_id)
    return {"PortfolioDetail": portfolio_view(item), "Tags": item["Tags"]}


@handles("DescribePortfolio")
def describe_portfolio(call: Call[Any]) -> dict[str, Any]:
    """API_DescribePortfolio: ResourceNotFoundException for an unknown id (moto: `{}`)."""
    tables = tables_of(call)
    item = portfolio(tables, call.params["Id"])
    return {"PortfolioDetail": portfolio_view(item), "Tags": item["Tags"], "TagOptions": tag_options_view(tables, item),
            "Budgets": []}


@handles("ListPortfolios")
def list_portfolios(call: Call[Any]) -> dict[str, Any]:
    """API_ListPortfolios, paged by PageSize (default 20, model max 100)."""
    items = [portfolio_view(p) for p in tables_of(call)["portfolios"].values()]
    return paged(call, items, "PortfolioDetails")


@handles("CreateProduct")
def create_product(call: Call[Any]) -> dict[str, Any]:
    """API_CreateProduct with its first provisioning artifact (moto drops it); ids `prod-`,
    `prodview-`, `pa-` + 13."""
    item = _by_token(call, "products")
    if item is None:
        p = call.params
        spec = p.get("ProvisioningArtifactParameters")
        if spec is None:
            raise err.invalid("ProvisioningArtifactParameters is required for this product type.")
        first = new_artifact(spec)
        product_id = new_id("prod")
        item = {"Id": product_id, "ViewId": new_id("prodview"), "Name": p["Name"],
                "ARN": f"arn:aws:catalog:{call.region}:{call.account_id}:product/{product_id}",
                "Owner": p["Owner"], "Type": p["ProductType"], "Description": p.get("Description"),
                "Distributor": p.get("Distributor"), "SupportEmail": p.get("SupportEmail"),
                "SupportDescription": p.get("SupportDescription"),
                "SupportUrl": p.get("SupportUrl"), "CreatedTime": now(),
                "Tags": list(p.get("Tags") or []), "artifacts": {first["Id"]: first},
                "engine": "cloudformation"}
        tables_of(call)["products"][product_id] = item
        _remember(call, "products", product_id)
    newest = max(item["artifacts"].values(), key=lambda a: a["CreatedTime"])
    return {"ProductViewDetail": product_view(item), "ProvisioningArtifactDetail":
            artifact_view(newest), "Tags": item["Tags"]}


@handles("DescribeProduct")
def describe_product(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeProduct (end user): active artifacts and the caller's launch paths, its own
    products or shared ones (servicecatalog.access); a product it cannot launch is not found."""
    _, item = product_of(call, call.params.get("Id"), call.params.get("Name"))
    paths = launch_paths(call, item["Id"])
    if not paths:
        raise err.product_not_found(item["Id"])
    artifacts = [{k: a[k] for k in ("Id", "Name", "Description", "CreatedTime", "Guidance")
                  if a.get(k) is not None} for a in item["artifacts"].values() if a["Active"]]
    return {"ProductViewSummary": summary_view(item), "ProvisioningArtifacts": artifacts,
            "Budgets": [], "LaunchPaths": [{"Id": path, "Name": view.portfolio["DisplayName"]}
                                           for view, path in paths]}


@handles("DescribeProductAsAdmin")
def describe_product_as_admin(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeProductAsAdmin: every artifact, active or not."""
    tables = tables_of(call)
    item = product(tables, call.params.get("Id"), call.params.get("Name"))
    summaries = [{k: a[k] for k in ("Id", "Name", "Description", "CreatedTime")
                  if a.get(k) is not None} for a in item["artifacts"].values()]
    return {"ProductViewDetail": product_view(item), "ProvisioningArtifactSummaries": summaries,
            "Tags": item["Tags"], "TagOptions": tag_options_view(tables, item), "Budgets": []}


@handles("SearchProductsAsAdmin")
def search_products_as_admin(call: Call[Any]) -> dict[str, Any]:
    """API_SearchProductsAsAdmin: PortfolioId and the FullTextSearch / Owner / ProductType
    filters (case-insensitive substring, as a search box), sorted by title; PageSize <= 20."""
    tables = tables_of(call)
    items = list(tables["products"].values())
    if call.params.get("PortfolioId"):
        held = portfolio(tables, call.params["PortfolioId"])["products"]
        items = [i for i in items if i["Id"] in held]
    filters = call.params.get("Filters") or {}
    fields = {"FullTextSearch": ("Name", "Description", "Owner"), "Owner": ("Owner",),
              "ProductType": ("Type",)}
    for key, values in filters.items():
        if key not in fields:
            raise err.invalid(f"Unsupported filter key {key}.")
        items = [i for i in items if any(str(v).lower() in str(i.get(f) or "").lower()
                                         for v in values for f in fields[key])]
    if call.params.get("SortBy") == "CreationDate":
        items.sort(key=lambda i: i["CreatedTime"])
    else:
        items.sort(key=lambda i: i["Name"])
    if call.params.get("SortOrder") == "DESCENDING":
        items.reverse()
    return paged(call, [product_view(i) for i in items], "ProductViewDetails")


@handles("ListProvisioningArtifacts")
def list_provisioning_artifacts(call: Call[Any]) -> dict[str, Any]:
    """API_ListProvisioningArtifacts (moto: missing)."""
    item = product(tables_of(call), call.params["ProductId"])
    return {"ProvisioningArtifactDetails": [artifact_view(a) for a in item["artifacts"].values()]}


@handles("AssociateProductWithPortfolio")
def associate_product(call: Call[Any]) -> dict[str, Any]:
    """API_AssociateProductWithPortfolio; gives the product a launch path (`lpv2-` + 13, the
    form seen in RecordDetail.PathId) through that portfolio. Repeating it changes nothing."""
    tables = tables_of(call)
    item = product(tables, call.params["ProductId"])
    held = portfolio(tables, call.params["PortfolioId"])["products"]
    held.setdefault(item["Id"], new_id("lpv2"))
    return {}


@handles("AssociatePrincipalWithPortfolio")
def associate_principal(call: Call[Any]) -> dict[str, Any]:
    """API_AssociatePrincipalWithPortfolio: IAM or IAM_PATTERN, at most 10 IAM_PATTERN."""
    p = call.params
    principals = own_or_imported(call, p["PortfolioId"])
    entry = {"PrincipalARN": p["PrincipalARN"], "PrincipalType": p["PrincipalType"]}
    if entry in principals:
        return {}
    if p["PrincipalType"] == "IAM_PATTERN" and sum(
            q["PrincipalType"] == "IAM_PATTERN" for q in principals) >= MAX_PATTERN_PRINCIPALS:
        raise err.limit("A portfolio can have at most 10 IAM_PATTERN principals.")
    principals.append(entry)
    return {}


@handles("ListPrincipalsForPortfolio")
def list_principals(call: Call[Any]) -> dict[str, Any]:
    """API_ListPrincipalsForPortfolio, paged (PageSize default 20)."""
    principals = own_or_imported(call, call.params["PortfolioId"])
    return paged(call, [dict(q) for q in principals], "Principals")


@handles("ListLaunchPaths")
def list_launch_paths(call: Call[Any]) -> dict[str, Any]:
    """API_ListLaunchPaths: one path per portfolio (own or shared) the caller may launch the
    product from, with the constraints the hub put on it."""
    _, item = product_of(call, call.params["ProductId"])
    summaries = [{"Id": path, "ConstraintSummaries": constraint_summaries(view.tables, view.portfolio["Id"], item["Id"]),
                  "Tags": [], "Name": view.portfolio["DisplayName"]}
                 for view, path in launch_paths(call, item["Id"])]
    return paged(call, summaries, "LaunchPathSummaries")
