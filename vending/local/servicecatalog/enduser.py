"""The spoke side of Service Catalog: what an end user in an account a portfolio is shared with
does (SC-API; aws-facts 3.1, 3.3): ListAcceptedPortfolioShares, AcceptPortfolioShare,
SearchProducts and DescribeProvisioningParameters. DescribeProduct, ListLaunchPaths and
ProvisionProduct (servicecatalog.catalog, .provisioning) see through `servicecatalog.access` too.

Inactive versions are invisible to end users (neither listed nor launchable); deprecated ones are
listed with their guidance and refused for new launches only. TagOptions of a shared portfolio
and of its products reach the recipient only when the share has ShareTagOptions; inactive ones
are not offered.
"""
from __future__ import annotations

from typing import Any

from vending.local.modeled import Call
from vending.local.servicecatalog import access
from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.constraints import summaries
from vending.local.servicecatalog.rules import parameters_view, template_of, usage_instructions
from vending.local.servicecatalog.tables import (
    Item,
    Tables,
    artifact,
    handles,
    paged,
    portfolio_view,
    summary_view,
    tables_of,
)

_SEARCH_FIELDS = {"FullTextSearch": ("Name", "Description", "Owner"), "Owner": ("Owner",),
                  "ProductType": ("Type",), "SourceProductId": ("Id",)}


@handles("ListAcceptedPortfolioShares")
def list_accepted_portfolio_shares(call: Call[Any]) -> dict[str, Any]:
    """API_ListAcceptedPortfolioShares: IMPORTED (the default: accepted account shares) or
    AWS_ORGANIZATIONS (shared through an organization node); AWS_SERVICECATALOG lists the
    AWS-managed portfolios, of which the local AWS has none."""
    wanted = call.params.get("PortfolioShareType") or "IMPORTED"
    found = [portfolio_view(s.portfolio) for s in access.seen(call) if s.share_type == wanted]
    return paged(call, found, "PortfolioDetails")


@handles("AcceptPortfolioShare")
def accept_portfolio_share(call: Call[Any]) -> dict[str, Any]:
    """API_AcceptPortfolioShare: IMPORTED accepts an account-to-account share; AWS_ORGANIZATIONS
    one through the organization (already in effect, so nothing changes); AWS_SERVICECATALOG
    "Not supported. (Throws ResourceNotFoundException.)"."""
    kind = call.params.get("PortfolioShareType") or "IMPORTED"
    wanted = call.params["PortfolioId"]
    if kind == "AWS_SERVICECATALOG":
        raise err.portfolio_not_found(wanted)
    if kind == "AWS_ORGANIZATIONS":
        access.one(call, wanted)
        return {}
    for hub, regions in call.emulator.store.accounts.items():
        folio = regions.get(call.region, {}).get("portfolios", {}).get(wanted)
        share = next((s for s in (folio or {}).get("shares", ()) if s["kind"] == "ACCOUNT_SHARE"
                      and s["PrincipalId"] == call.account_id), None)
        if share is not None and hub != call.account_id:
            share["Accepted"] = True
            return {}
    raise err.portfolio_not_found(wanted)


def _visible_artifacts(item: Item) -> list[Item]:
    return [a for a in item["artifacts"].values() if a["Active"]]


@handles("SearchProducts")
def search_products(call: Call[Any]) -> dict[str, Any]:
    """API_SearchProducts (end user): the products the caller has a launch path to, filtered as
    SearchProductsAsAdmin (case-insensitive substring), sorted by Title, VersionCount or
    CreationDate."""
    items: dict[str, Item] = {}
    for view in access.seen(call):
        if access.may_launch(call, view):
            for product_id in view.portfolio["products"]:
                item = view.tables["products"].get(product_id)
                if item is not None:
                    items[product_id] = item
    found = list(items.values())
    for key, values in (call.params.get("Filters") or {}).items():
        if key not in _SEARCH_FIELDS:
            raise err.invalid(f"Unsupported filter key {key}.")
        found = [i for i in found if any(str(v).lower() in str(i.get(f) or "").lower()
                                         for v in values for f in _SEARCH_FIELDS[key])]
    order = {"CreationDate": lambda i: str(i["CreatedTime"]),
             "VersionCount": lambda i: str(len(_visible_artifacts(i))).zfill(4)}.get(
        call.params.get("SortBy") or "Title", lambda i: str(i["Name"]))
    found.sort(key=order, reverse=call.params.get("SortOrder") == "DESCENDING")
    return paged(call, [summary_view(i) for i in found], "ProductViewSummaries")


def chosen_path(call: Call[Any], product_id: str, path_id: str | None,
                path_name: str | None) -> tuple[access.Seen, str]:
    """The one launch path a request names (or the only one): ResourceNotFoundException without
    any, InvalidParametersException when several fit."""
    paths = [(view, path) for view, path in access.launch_paths(call, product_id)
             if path_id in (None, path) and path_name in (None, view.portfolio["DisplayName"])]
    if not paths:
        raise err.no_launch_path(product_id)
    if len(paths) > 1:
        raise err.invalid(f"Product {product_id} has more than one launch path; give PathId.")
    return paths[0]


def end_user_artifact(item: Item, artifact_id: str | None, name: str | None) -> Item:
    """A version an end user may see: an inactive one is not found."""
    if not artifact_id and not name:
        listed = [a for a in _visible_artifacts(item) if a["Guidance"] == "DEFAULT"] or _visible_artifacts(item)
        if not listed:
            raise err.artifact_not_found(item["Id"])
        return max(listed, key=lambda a: a["CreatedTime"])
    version = artifact(item, artifact_id, name)
    if not version["Active"]:
        raise err.artifact_not_found(str(artifact_id or name))
    return version


def tag_option_summaries(call: Call[Any], view: access.Seen, item: Item) -> list[Item]:
    """The active TagOptions a launch through `view` offers, by key."""
    if not view.shares_tag_options:
        return []
    table: Tables = view.tables.get("tag_options", {})
    values: dict[str, list[str]] = {}
    for tag_id in [*view.portfolio.get("tag_options", ()), *item.get("tag_options", ())]:
        option = table.get(tag_id)
        if option is not None and option["Active"] and option["Value"] not in values.get(option["Key"], []):
            values.setdefault(option["Key"], []).append(option["Value"])
    return [{"Key": k, "Values": v} for k, v in sorted(values.items())]


@handles("DescribeProvisioningParameters")
def describe_provisioning_parameters(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeProvisioningParameters: the version's template parameters, the path's
    constraint summaries and usage instructions, and the TagOptions offered."""
    p = call.params
    hub_tables, item = access.product_of(call, p.get("ProductId"), p.get("ProductName"))
    view, _ = chosen_path(call, item["Id"], p.get("PathId"), p.get("PathName"))
    version = end_user_artifact(item, p.get("ProvisioningArtifactId"), p.get("ProvisioningArtifactName"))
    folio = view.portfolio["Id"]
    return {"ProvisioningArtifactParameters": parameters_view(template_of(version)),
            "ConstraintSummaries": summaries(hub_tables, folio, item["Id"]),
            "UsageInstructions": usage_instructions(hub_tables, folio, item["Id"], call.account_id),
            "TagOptions": tag_option_summaries(call, view, item)}


def own_or_imported(call: Call[Any], portfolio_id: str) -> list[Item]:
    """The principal list an Associate/DisassociatePrincipal in this account changes: its own
    portfolio's, or the one it keeps for a portfolio shared with it (ResourceNotFound if neither)."""
    own = tables_of(call)["portfolios"].get(portfolio_id)
    if own is not None:
        principals: list[Item] = own["principals"]
        return principals
    access.one(call, portfolio_id)
    return access.imported_principals(call, portfolio_id)
