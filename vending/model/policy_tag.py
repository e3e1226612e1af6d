"""The tag policy grammar, as AWS Organizations documents it, so a mistake is found before
CreatePolicy refuses it with MalformedPolicyDocumentException.

Sources (read 2026-12-01): "Tag policy syntax and examples",
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_example-tag-policies.html
(a top-level "tags"; per policy key tag_key, tag_value and enforced_for; the policy key matches
tag_key except for case; one * per tag value; enforced_for takes <service>:*,
<service>:ALL_SUPPORTED or a resource type, never all services); "Inheritance operators",
https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html (@@assign for
any setting, @@append/@@remove for multi-valued ones only; @@operators_allowed_for_child_policies
takes @@all, @@none or some of the three); report_required_tag_for, the "required tag key"
reporting element, is named in botocore's resourcegroupstaggingapi model (RequiredTag).
"""
from __future__ import annotations

import difflib
import re
from typing import Any

from vending.model.policy_json import kind, show
from vending.model.policy_scp import Problem
from vending.model.rules_values import tag_key_problem
from vending.model.yaml_source import JsonPath

ELEMENTS = ("tag_key", "tag_value", "enforced_for", "report_required_tag_for")
RESOURCE_LISTS = ("enforced_for", "report_required_tag_for")
VALUE_OPERATORS = ("@@assign", "@@append", "@@remove")
CHILD_CONTROL = "@@operators_allowed_for_child_policies"
CHILD_VALUES = ("@@all", "@@none") + VALUE_OPERATORS

_RESOURCE = re.compile(r"^[a-z0-9-]+:(\*|ALL_SUPPORTED|[A-Za-z0-9_.:/-]+)$")
_EXAMPLE = '{"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100"]}}}}'


def problems(document: dict[str, Any]) -> list[Problem]:
    """Everything AWS would refuse in a tag policy whose "tags" is an object (V306 otherwise)."""
    found: list[Problem] = []
    for key in document:
        if key != "tags":
            found.append(("V320", (key,), f"{show(key)} is not part of a tag policy",
                          f'a tag policy holds one top-level key, "tags", e.g. {_EXAMPLE}'))
    tags = document["tags"]
    for policy_key, body in tags.items():
        path: JsonPath = ("tags", policy_key)
        if policy_key == CHILD_CONTROL:
            found.extend(_child_control(path, body))
        elif policy_key.startswith("@@"):
            found.append(_misplaced_operator(path, policy_key))
        elif not isinstance(body, dict):
            found.append(("V320", path, f"policy key {show(policy_key)} holds {kind(body)}",
                          f"a policy key holds an object of {', '.join(ELEMENTS)}: {_EXAMPLE}"))
        else:
            found.extend(_policy_key(path, policy_key, body))
    return found


def _policy_key(path: JsonPath, policy_key: str, body: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    for element, setting in body.items():
        where = path + (element,)
        if element == CHILD_CONTROL:
            found.extend(_child_control(where, setting))
        elif element.startswith("@@"):
            found.append(_misplaced_operator(where, element))
        elif element not in ELEMENTS:
            close = difflib.get_close_matches(element, ELEMENTS, n=1)
            found.append(("V320", where, f"{show(element)} is not a tag policy element",
                          (f"did you mean {close[0]}? " if close else "") + f"a policy key holds {', '.join(ELEMENTS)}"))
        elif not isinstance(setting, dict):
            found.append(("V321", where, f"{element} holds {kind(setting)}, not inheritance operators",
                          f'write it as {{"@@assign": {show(_sample(element))}}}'))
        else:
            found.extend(_setting(where, policy_key, element, setting))
    return found


def _setting(path: JsonPath, policy_key: str, element: str, setting: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    for operator, value in setting.items():
        where = path + (operator,)
        if operator == CHILD_CONTROL:
            found.extend(_child_control(where, value))
        elif operator not in VALUE_OPERATORS:
            close = difflib.get_close_matches(operator, VALUE_OPERATORS + (CHILD_CONTROL,), n=1)
            found.append(("V321", where, f"{show(operator)} is not an inheritance operator",
                          (f"did you mean {close[0]}? " if close else "") + "use @@assign, @@append or @@remove"))
        elif element == "tag_key":
            found.extend(_tag_key(where, policy_key, operator, value))
        elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            found.append(("V321", where, f"{element} {operator} holds {kind(value)}, not a list of strings",
                          f'write it as {{"{operator}": {show(_sample(element))}}}'))
        else:
            found.extend(_values(where, element, value))
    return found


def _tag_key(path: JsonPath, policy_key: str, operator: str, value: Any) -> list[Problem]:
    if operator != "@@assign":
        return [("V321", path, f"tag_key takes only @@assign, not {operator}",
                 "a tag key is one value: @@append and @@remove work on lists (tag_value, enforced_for)")]
    if not isinstance(value, str):
        return [("V321", path, f"tag_key @@assign holds {kind(value)}, not a string",
                 f'write it as {{"@@assign": {show(policy_key)}}}')]
    problem = tag_key_problem(value)
    if problem:
        return [("V501", path, f"tag key {show(value)} {problem}", "tags use letters, digits, spaces and _ . : / = + - @ only")]
    if value.lower() != policy_key.lower():
        return [("V322", path, f"tag_key {show(value)} does not match its policy key {show(policy_key)}",
                 "the tag key may differ from its policy key in capitalization only: rename one of them")]
    return []


def _values(path: JsonPath, element: str, values: list[str]) -> list[Problem]:
    found: list[Problem] = []
    for index, value in enumerate(values):
        where = path + (index,)
        if element == "tag_value" and value.count("*") > 1:
            found.append(("V323", where, f"tag value {show(value)} has {value.count('*')} wildcards",
                          "AWS allows one * per tag value: *@example.com, not *@*.com"))
        elif element in RESOURCE_LISTS and not _RESOURCE.match(value):
            everything = value == "*" or value.startswith("*:")
            found.append(("V324", where, f"{element} entry {show(value)} "
                          + ("would apply to every service" if everything else "is not service:resource-type"),
                          'name one service per entry: "secretsmanager:*", "ec2:ALL_SUPPORTED" or "ec2:instance"'))
    return found


def _child_control(path: JsonPath, value: Any) -> list[Problem]:
    hint = 'e.g. ["@@none"] to lock the setting, or ["@@append"] to let child policies only add to it'
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return [("V325", path, f"{CHILD_CONTROL} holds {kind(value)}, not a list of operators", hint)]
    unknown = [v for v in value if v not in CHILD_VALUES]
    if unknown:
        return [("V325", path, f"{show(unknown[0])} is not an operator child policies can be allowed",
                 f"list {', '.join(CHILD_VALUES)}; " + hint)]
    alone = [v for v in value if v in ("@@all", "@@none")]
    if alone and len(value) > 1:
        return [("V325", path, f"{alone[0]} must stand alone in {CHILD_CONTROL}", hint)]
    return []


def _misplaced_operator(path: JsonPath, operator: str) -> Problem:
    return ("V321", path, f"{operator} is not allowed here",
            f"value operators go inside an element ({', '.join(ELEMENTS)}); only {CHILD_CONTROL} may stand "
            "beside them")


def _sample(element: str) -> Any:
    return "CostCenter" if element == "tag_key" else ["secretsmanager:*"] if element in RESOURCE_LISTS else ["100", "200"]
