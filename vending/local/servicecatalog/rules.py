"""A launch's parameters against the product version's template and the template constraints.

The template is read from where the version's `LoadTemplateFromURL` points, in the local S3
(virtual-hosted or path-style URL, as vend uploads them); a version whose template is not there
(Control Tower's Account Factory) has no parameters to check. Parameters are checked as
CloudFormation checks a stack's, in its words ("Parameters: [X] do not exist in the template",
"Parameters: [X] must have values", "Parameter 'X' must be one of AllowedValues").

Template constraint rules follow the Service Catalog admin guide's "Template constraint rules":
each rule has an optional RuleCondition and Assertions of Assert and AssertDescription, built
from the rule functions Fn::And, Fn::Or, Fn::Not, Fn::Equals, Fn::Contains, Fn::EachMemberEquals,
Fn::EachMemberIn and Ref to a parameter (the subset vend compiles and hand-written rules use most).
A failed assertion refuses the launch with InvalidParametersException; its message is the
assertion's AssertDescription (the text the guide says end users are shown), or the rule's name
when it has none.
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlparse

from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends

from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.constraints import constraints
from vending.local.servicecatalog.tables import Item, Tables
from vending.model.cfn_template import TemplateSyntaxError, parse

_VIRTUAL = re.compile(r"^(?P<bucket>.+)\.s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$")


def template_of(version: Item) -> dict[str, Any] | None:
    """The version's template from the local S3, or None when it is not there."""
    url = urlparse(version.get("info", {}).get("LoadTemplateFromURL", ""))
    host, path = url.netloc, unquote(url.path.lstrip("/"))
    virtual = _VIRTUAL.match(host)
    bucket, key = (virtual["bucket"], path) if virtual else (path.partition("/")[0], path.partition("/")[2])
    owner = s3_backends.bucket_accounts.get(bucket)
    if not owner or not key:
        return None
    try:
        body = s3_backends[owner]["aws"].get_object(bucket, key)
    except MissingBucket:  # nothing to check against
        return None
    if body is None:
        return None
    try:
        return parse(body.value.decode())
    except (TemplateSyntaxError, UnicodeDecodeError):
        return None


def parameters_view(template: dict[str, Any] | None) -> list[Item]:
    """DescribeProvisioningParameters' ProvisioningArtifactParameters."""
    found = []
    for key, spec in (template or {}).get("Parameters", {}).items():
        view: Item = {"ParameterKey": key, "ParameterType": str(spec.get("Type", "String")),
                      "IsNoEcho": str(spec.get("NoEcho", "false")).lower() == "true"}
        if "Default" in spec:
            view["DefaultValue"] = str(spec["Default"])
        if spec.get("Description"):
            view["Description"] = str(spec["Description"])
        limits = {"AllowedValues": [str(v) for v in spec.get("AllowedValues", ())] or None,
                  **{k: str(spec[k]) for k in ("AllowedPattern", "ConstraintDescription", "MaxLength",
                                              "MinLength", "MaxValue", "MinValue") if k in spec}}
        view["ParameterConstraints"] = {k: v for k, v in limits.items() if v is not None}
        found.append(view)
    return found


def resolve(template: dict[str, Any] | None, given: dict[str, str]) -> dict[str, str]:
    """The stack's parameter values: given ones over the template's defaults, as CloudFormation
    checks them."""
    if template is None:
        return dict(given)
    declared = template.get("Parameters", {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise err.invalid(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    values = {k: str(spec["Default"]) for k, spec in declared.items() if "Default" in spec}
    values.update(given)
    missing = [k for k in declared if k not in values]
    if missing:
        raise err.invalid(f"Parameters: [{', '.join(missing)}] must have values")
    for key, spec in declared.items():
        allowed = [str(v) for v in spec.get("AllowedValues", ())]
        if allowed and values[key] not in allowed:
            raise err.invalid(f"Parameter '{key}' must be one of AllowedValues")
    return values


def _value(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, dict) and len(node) == 1:
        (name, arg), = node.items()
        if name == "Ref":
            return values.get(str(arg), "")
        return _evaluate(name, arg, values)
    if isinstance(node, list):
        return [_value(n, values) for n in node]
    return str(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else node


def _members(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else str(value).split(",")


def _evaluate(name: str, arg: Any, values: dict[str, str]) -> Any:
    args = [_value(a, values) for a in arg] if isinstance(arg, list) else [_value(arg, values)]
    if name == "Fn::And":
        return all(bool(a) for a in args)
    if name == "Fn::Or":
        return any(bool(a) for a in args)
    if name == "Fn::Not":
        return not bool(args[0])
    if name == "Fn::Equals":
        return str(args[0]) == str(args[1])
    if name == "Fn::Contains":
        return str(args[1]) in [str(v) for v in args[0]]
    if name == "Fn::EachMemberEquals":
        return all(m == str(args[1]) for m in _members(args[0]))
    if name == "Fn::EachMemberIn":
        return all(m in _members(args[1]) for m in _members(args[0]))
    raise err.invalid(f"Template constraint rule function {name} is not supported.")


def check_rules(tables: Tables, portfolio_id: str, product_id: str, values: dict[str, str]) -> None:
    """Refuse `values` if an assertion of a TEMPLATE constraint on the path fails."""
    for constraint in constraints(tables).values():
        if (constraint["Type"], constraint["PortfolioId"], constraint["ProductId"]) != (
                "TEMPLATE", portfolio_id, product_id):
            continue
        for name, rule in json.loads(constraint["parameters"])["Rules"].items():
            if "RuleCondition" in rule and not _value(rule["RuleCondition"], values):
                continue
            for assertion in rule["Assertions"]:
                if not _value(assertion["Assert"], values):
                    raise err.invalid(assertion.get("AssertDescription") or f"Rule {name} failed.")


def usage_instructions(tables: Tables, portfolio_id: str, product_id: str, account_id: str) -> list[Item]:
    """UsageInstructions as AWS lists them for a path: its template rules, launch role and tag
    update setting."""
    found = []
    for c in sorted(constraints(tables).values(), key=lambda c: c["ConstraintId"]):
        if (c["PortfolioId"], c["ProductId"]) != (portfolio_id, product_id):
            continue
        body = json.loads(c["parameters"])
        if c["Type"] == "TEMPLATE":
            found.append({"Type": "rules", "Value": json.dumps(body["Rules"])})
        elif c["Type"] == "LAUNCH":
            role = body.get("RoleArn") or f"arn:aws:iam::{account_id}:role/{body['LocalRoleName']}"
            found.append({"Type": "launchAsRole", "Value": role})
        elif c["Type"] == "RESOURCE_UPDATE":
            found.append({"Type": "tagUpdateOnProvisionedProduct",
                          "Value": body["Properties"]["TagUpdateOnProvisionedProduct"]})
    return found
