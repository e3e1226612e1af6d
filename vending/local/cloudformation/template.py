"""Templates of stack sets: parsing, the IAM capabilities they need, and their parameters.

CFN-API CreateStackSet.Capabilities: templates with IAM resources need CAPABILITY_IAM or
CAPABILITY_NAMED_IAM, IAM resources with custom names need CAPABILITY_NAMED_IAM, else
InsufficientCapabilities. Parameter values of an instance are the stack set's, overlaid with the
instance's ParameterOverrides; keys must be declared in the template (CFN-API
UpdateStackInstances: "You can only override the parameter values that are specified in the
StackSet").
"""
from __future__ import annotations

import functools
import json
from typing import Any

from moto.cloudformation.models import Stack

from vending.local.cloudformation import errors as err

IAM_TYPES = {"AWS::IAM::AccessKey", "AWS::IAM::Group", "AWS::IAM::InstanceProfile",
             "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User",
             "AWS::IAM::UserToGroupAddition"}
NAME_PROPERTIES = ("RoleName", "UserName", "GroupName", "ManagedPolicyName",
                   "InstanceProfileName")


def parse(body: str) -> dict[str, Any]:
    """The template as a dict (JSON or YAML), or ValidationError "Template format error".

    Shared, never to be changed: every instance of an operation deploys the same body, which
    is parsed once (vend's per-account table makes bodies of hundreds of KB at 5,000 accounts,
    and moto parses JSON with its YAML loader, about a second each)."""
    try:
        parsed = _parsed(body)
    except Exception as exc:  # yaml/json errors of every kind
        raise err.validation(f"Template format error: {exc}") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("Resources"), dict) \
            or not parsed["Resources"]:
        raise err.validation("Template format error: At least one Resources member must be "
                             "defined.")
    return parsed


@functools.lru_cache(maxsize=16)
def _parsed(body: str) -> Any:
    try:
        return json.loads(body)  # JSON is YAML too, and json reads it 100 times faster
    except ValueError:
        return Stack.parse_template(body)


def check_capabilities(template: dict[str, Any], granted: list[str]) -> None:
    iam = [r for r in template["Resources"].values()
           if isinstance(r, dict) and r.get("Type") in IAM_TYPES]
    if not iam:
        return
    named = any(any(key in (r.get("Properties") or {}) for key in NAME_PROPERTIES) for r in iam)
    if named and "CAPABILITY_NAMED_IAM" not in granted:
        raise err.capabilities("CAPABILITY_NAMED_IAM")
    if not {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} & set(granted):
        raise err.capabilities("CAPABILITY_IAM")


def declared(template: dict[str, Any]) -> dict[str, Any]:
    """Parameter name -> its declaration."""
    return dict(template.get("Parameters") or {})


def values(entries: list[dict[str, Any]], previous: dict[str, str]) -> dict[str, str]:
    """A Parameters list as a dict; UsePreviousValue takes the value from `previous`."""
    result: dict[str, str] = {}
    for entry in entries:
        key = entry["ParameterKey"]
        if entry.get("UsePreviousValue"):
            if entry.get("ParameterValue") is not None:
                raise err.validation(f"Invalid input for parameter key {key}. Cannot specify "
                                     "usePreviousValue as true and non empty value for a "
                                     "parameter")
            if key in previous:
                result[key] = previous[key]
        elif entry.get("ParameterValue") is not None:
            result[key] = entry["ParameterValue"]
    return result


def check_keys(template: dict[str, Any], keys: list[str]) -> None:
    unknown = sorted(set(keys) - set(declared(template)))
    if unknown:
        raise err.validation(f"Parameters: [{', '.join(unknown)}] do not exist in the template")


def missing(template: dict[str, Any], given: dict[str, str]) -> list[str]:
    """Declared parameters with neither a value nor a default."""
    return [key for key, spec in declared(template).items()
            if key not in given and not (isinstance(spec, dict) and "Default" in spec)]


def as_list(parameters: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
