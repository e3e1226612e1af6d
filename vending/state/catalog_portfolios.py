"""Read vend's portfolios of the Service Catalog hub: products, principals, TagOptions,
constraints and shares.

ListPortfolios (20 a page) lists the hub's portfolios; each one tagged `vend:portfolio` costs
DescribePortfolio (tags, TagOptions), SearchProductsAsAdmin on it (its products),
ListPrincipalsForPortfolio, ListConstraintsForPortfolio plus DescribeConstraint per constraint
(the parameters), and DescribePortfolioShares for each share type (ACCOUNT: account to account;
ORGANIZATION, ORGANIZATIONAL_UNIT, ORGANIZATION_MEMBER_ACCOUNT: organization nodes). That is O(portfolios + constraints + shares): an OU share
reaching 5,000 accounts is one share read, never a call per account.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from vending.aws.paging import pages, token_pages
from vending.model.live_catalog import LiveConstraint, LivePortfolio, LiveShare

PORTFOLIO_TAG = "vend:portfolio"
PAGE_SIZE = 20
SHARE_TYPES = ("ACCOUNT", "ORGANIZATION", "ORGANIZATIONAL_UNIT", "ORGANIZATION_MEMBER_ACCOUNT")


def canonical(parameters: str) -> str:
    """Constraint parameters as sorted-key JSON (the text itself if it is not JSON)."""
    try:
        return json.dumps(json.loads(parameters), sort_keys=True)
    except ValueError:
        return parameters


def read_portfolios(client: Any) -> tuple[LivePortfolio, ...]:
    found = []
    for detail in pages(client, "list_portfolios", "PortfolioDetails", page_size=PAGE_SIZE):
        described = client.describe_portfolio(Id=detail["Id"])
        tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
        if PORTFOLIO_TAG in tags:
            found.append(_portfolio(client, described, tags[PORTFOLIO_TAG]))
    return tuple(sorted(found, key=lambda p: (p.vend_name, p.id)))


def _portfolio(client: Any, described: dict[str, Any], vend_name: str) -> LivePortfolio:
    detail = described["PortfolioDetail"]
    portfolio_id = detail["Id"]
    products = [v["ProductViewSummary"]["ProductId"] for v in pages(
        client, "search_products_as_admin", "ProductViewDetails", page_size=PAGE_SIZE, PortfolioId=portfolio_id)]
    principals = [(p["PrincipalType"], p["PrincipalARN"]) for p in pages(
        client, "list_principals_for_portfolio", "Principals", page_size=PAGE_SIZE, PortfolioId=portfolio_id)]
    constraints = []
    for c in pages(client, "list_constraints_for_portfolio", "ConstraintDetails", page_size=PAGE_SIZE,
                   PortfolioId=portfolio_id):
        parameters = client.describe_constraint(Id=c["ConstraintId"]).get("ConstraintParameters", "")
        constraints.append(LiveConstraint(id=c["ConstraintId"], product_id=c.get("ProductId", ""), type=c["Type"],
                                          description=c.get("Description", ""), parameters=canonical(parameters)))
    shares = [LiveShare(type=s["Type"], principal=s["PrincipalId"], share_tag_options=bool(s.get("ShareTagOptions")),
                        share_principals=bool(s.get("SharePrincipals")))
              for share_type in SHARE_TYPES for s in _shares(client, portfolio_id, share_type)]
    return LivePortfolio(
        id=portfolio_id, vend_name=vend_name, display_name=detail.get("DisplayName", ""),
        provider=detail.get("ProviderName", ""), description=detail.get("Description", ""),
        product_ids=tuple(sorted(products)), principals=tuple(sorted(principals)),
        tag_options=tuple(sorted((t["Key"], t["Value"]) for t in described.get("TagOptions", []))),
        constraints=tuple(sorted(constraints, key=lambda c: c.id)),
        shares=tuple(sorted(shares, key=lambda s: (s.type, s.principal))))


def _shares(client: Any, portfolio_id: str, share_type: str) -> Iterator[dict[str, Any]]:
    """DescribePortfolioShares (botocore cannot paginate it: PageToken in, NextPageToken out)."""
    return token_pages(client.describe_portfolio_shares, "PortfolioShareDetails",
                       PortfolioId=portfolio_id, Type=share_type, PageSize=PAGE_SIZE)
