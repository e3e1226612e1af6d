"""Service Catalog constraints: Create/Describe/Update/DeleteConstraint, ListConstraintsForPortfolio.

Parameters are checked as SC-API CreateConstraint documents them (aws-facts 3.4), each failure an
InvalidParametersException: a JSON object; LAUNCH has exactly one of RoleArn and LocalRoleName;
NOTIFICATION a non-empty NotificationArns list of SNS ARNs; RESOURCE_UPDATE Version "2.0" and
TagUpdateOnProvisionedProduct ALLOWED or NOT_ALLOWED; STACKSET Version and the four Properties;
TEMPLATE a Rules object whose rules each hold Assertions with an Assert. At most one LAUNCH and
one STACKSET per product and portfolio, not both; the product must be in the portfolio.
Ids are `cons-` + 13; IdempotencyToken makes a retried create return the same constraint.
"""
from __future__ import annotations

import json
import re
from typing import Any

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call
from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.tables import Item, Tables, handles, new_id, paged, portfolio, product, tables_of

_SNS = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_ONE_PER_PAIR = ("LAUNCH", "STACKSET")


def constraints(tables: Tables) -> dict[str, Item]:
    return tables.setdefault("constraints", {})  # absent from state saved before constraints


def _object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise err.invalid("Parameters must be valid JSON.") from None
    if not isinstance(value, dict):
        raise err.invalid("Parameters must be a JSON object.")
    return value


def check(kind: str, value: dict[str, Any]) -> None:
    """Raise InvalidParametersException unless `value` is a valid `kind` constraint."""
    if kind == "LAUNCH":
        if ("RoleArn" in value) == ("LocalRoleName" in value):
            raise err.invalid("A launch constraint takes exactly one of RoleArn and LocalRoleName.")
        if not str(value.get("RoleArn") or value.get("LocalRoleName") or "").strip():
            raise err.invalid("The launch constraint's role must not be empty.")
    elif kind == "NOTIFICATION":
        arns = value.get("NotificationArns")
        if not isinstance(arns, list) or not arns or not all(isinstance(a, str) and _SNS.match(a) for a in arns):
            raise err.invalid("NotificationArns must be a non-empty list of SNS topic ARNs.")
    elif kind == "RESOURCE_UPDATE":
        props = value.get("Properties") or {}
        if value.get("Version") != "2.0" or props.get("TagUpdateOnProvisionedProduct") not in ("ALLOWED", "NOT_ALLOWED"):
            raise err.invalid('A resource update constraint is {"Version": "2.0", "Properties": '
                              '{"TagUpdateOnProvisionedProduct": "ALLOWED" | "NOT_ALLOWED"}}.')
    elif kind == "STACKSET":
        props = value.get("Properties") or {}
        if "Version" not in value or any(k not in props for k in ("AccountList", "RegionList", "AdminRole", "ExecutionRole")):
            raise err.invalid("A stack set constraint needs Version and Properties AccountList, RegionList, "
                              "AdminRole and ExecutionRole.")
    elif kind == "TEMPLATE":
        rules = value.get("Rules")
        if not isinstance(rules, dict) or not rules:
            raise err.invalid("A template constraint needs a non-empty Rules object.")
        for name, rule in rules.items():
            assertions = rule.get("Assertions") if isinstance(rule, dict) else None
            if not isinstance(assertions, list) or not assertions or not all(
                    isinstance(a, dict) and "Assert" in a for a in assertions):
                raise err.invalid(f"Rule {name} needs Assertions, each with an Assert.")
    else:
        raise err.invalid(f"Unknown constraint type {kind}.")


def _view(item: Item) -> dict[str, Any]:
    detail = {k: item[k] for k in ("ConstraintId", "Type", "Description", "Owner", "ProductId", "PortfolioId")
              if item.get(k) is not None}
    return {"ConstraintDetail": detail, "ConstraintParameters": item["parameters"], "Status": "AVAILABLE"}


def _by_id(tables: Tables, constraint_id: str) -> Item:
    found = constraints(tables).get(constraint_id)
    if found is None:
        raise err.not_found(f"Constraint {constraint_id} not found.")
    return found


@handles("CreateConstraint")
def create_constraint(call: Call[Any]) -> dict[str, Any]:
    """API_CreateConstraint."""
    p = call.params
    tables = tables_of(call)
    key = f"constraints:{p['IdempotencyToken']}"
    known = tables["tokens"].get(key)
    if known in constraints(tables):
        return _view(constraints(tables)[known])
    held = portfolio(tables, p["PortfolioId"])
    item = product(tables, p["ProductId"])
    if item["Id"] not in held["products"]:
        raise err.not_found(f"Product {item['Id']} is not associated with portfolio {held['Id']}.")
    kind = p["Type"]
    check(kind, _object(p["Parameters"]))
    pair = [c for c in constraints(tables).values() if c["PortfolioId"] == held["Id"] and c["ProductId"] == item["Id"]]
    if kind in _ONE_PER_PAIR:
        if any(c["Type"] == kind for c in pair):
            raise AwsServiceError("DuplicateResourceException",
                                  f"A {kind} constraint already exists for this product and portfolio.")
        if any(c["Type"] in _ONE_PER_PAIR for c in pair):
            raise err.invalid("LAUNCH and STACKSET constraints cannot be used together on a product and portfolio.")
    constraint_id = new_id("cons")
    constraints(tables)[constraint_id] = {
        "ConstraintId": constraint_id, "Type": kind, "Description": p.get("Description") or None,
        "Owner": call.account_id, "ProductId": item["Id"], "PortfolioId": held["Id"], "parameters": p["Parameters"]}
    tables["tokens"][key] = constraint_id
    return _view(constraints(tables)[constraint_id])


@handles("DescribeConstraint")
def describe_constraint(call: Call[Any]) -> dict[str, Any]:
    """API_DescribeConstraint: the detail and its parameters."""
    return _view(_by_id(tables_of(call), call.params["Id"]))


@handles("UpdateConstraint")
def update_constraint(call: Call[Any]) -> dict[str, Any]:
    """API_UpdateConstraint: Description and/or Parameters (checked as on create)."""
    item = _by_id(tables_of(call), call.params["Id"])
    if call.params.get("Parameters") is not None:
        check(item["Type"], _object(call.params["Parameters"]))
        item["parameters"] = call.params["Parameters"]
    if call.params.get("Description") is not None:
        item["Description"] = call.params["Description"] or None
    return _view(item)


@handles("DeleteConstraint")
def delete_constraint(call: Call[Any]) -> dict[str, Any]:
    """API_DeleteConstraint."""
    tables = tables_of(call)
    del constraints(tables)[_by_id(tables, call.params["Id"])["ConstraintId"]]
    return {}


@handles("ListConstraintsForPortfolio")
def list_constraints_for_portfolio(call: Call[Any]) -> dict[str, Any]:
    """API_ListConstraintsForPortfolio, optionally of one product, paged (PageSize default 20)."""
    tables = tables_of(call)
    held = portfolio(tables, call.params["PortfolioId"])
    wanted = call.params.get("ProductId")
    found = [_view(c)["ConstraintDetail"] for c in sorted(constraints(tables).values(), key=lambda c: c["ConstraintId"])
             if c["PortfolioId"] == held["Id"] and (not wanted or c["ProductId"] == wanted)]
    return paged(call, found, "ConstraintDetails")


def summaries(tables: Tables, portfolio_id: str, product_id: str) -> list[dict[str, Any]]:
    """A launch path's ConstraintSummaries."""
    return [{"Type": c["Type"], **({"Description": c["Description"]} if c.get("Description") else {})}
            for c in constraints(tables).values() if c["PortfolioId"] == portfolio_id and c["ProductId"] == product_id]
