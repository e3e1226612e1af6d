"""The SCP grammar, as AWS Organizations documents it, so a mistake is found before CreatePolicy
refuses it with MalformedPolicyDocumentException.

Source: "SCP syntax", https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
(read 2026-12-01). SCPs now support the full IAM policy language (2025): Action, NotAction,
Resource, NotResource and Condition in Allow and Deny statements alike, and wildcards anywhere in
an action (the page's element table; AWS Security Blog "AWS Organizations service control policy
now supports full IAM language"). The page's older sentence that an Allow statement's Resource
can only be "*" contradicts both, so it is not enforced. Still not supported: Principal and
NotPrincipal (the page's "Unsupported elements"). Every SCP needs Version "2012-10-17" (the page's
"Version element"); the top level may also hold IAM's optional Id. Condition operators are IAM's
("IAM JSON policy elements: Condition operators",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
"""
from __future__ import annotations

import difflib
import re
from typing import Any, Callable

from vending.model.policy_json import kind, show
from vending.model.yaml_source import JsonPath

Problem = tuple[str, JsonPath, str, str]
"""(code, where in the document, message, hint)."""

VERSION = "2012-10-17"
TOP_LEVEL = ("Version", "Statement", "Id")
ELEMENTS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
UNSUPPORTED = ("Principal", "NotPrincipal")
EFFECTS = ("Allow", "Deny")

_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9_*?-]+$")
_OPERATORS = (
    "StringEquals StringNotEquals StringEqualsIgnoreCase StringNotEqualsIgnoreCase StringLike StringNotLike "
    "NumericEquals NumericNotEquals NumericLessThan NumericLessThanEquals NumericGreaterThan "
    "NumericGreaterThanEquals DateEquals DateNotEquals DateLessThan DateLessThanEquals DateGreaterThan "
    "DateGreaterThanEquals Bool BinaryEquals IpAddress NotIpAddress ArnEquals ArnLike ArnNotEquals ArnNotLike"
).split()
_OPERATOR = re.compile(r"^(ForAllValues:|ForAnyValue:)?(?:(" + "|".join(_OPERATORS) + r")(IfExists)?|Null)$")


def problems(document: Any) -> list[Problem]:
    """Everything AWS would refuse in this SCP, in document order."""
    if not isinstance(document, dict):
        return [_not_a_document(())]
    found: list[Problem] = []
    for key in document:
        if key not in TOP_LEVEL:
            found.append(_unknown(key, (key,), TOP_LEVEL, "the policy"))
    version = document.get("Version")
    if version != VERSION:
        state = "has no Version" if version is None else f"has Version {show(version)}"
        found.append(("V312", ("Version",) if version is not None else (), f"the SCP {state}",
                      f'SCPs use the current policy language only: start the document with "Version": "{VERSION}"'))
    statement = document.get("Statement")
    if not isinstance(statement, (list, dict)) or not statement:
        found.append(_not_a_document(("Statement",)))
        return found
    statements = [(("Statement",), statement)] if isinstance(statement, dict) else [
        (("Statement", index), item) for index, item in enumerate(statement)]
    sids: dict[str, JsonPath] = {}
    for path, item in statements:
        if not isinstance(item, dict):
            found.append(("V305", path, f"a statement must be an object, not {kind(item)}",
                          'e.g. {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}'))
            continue
        found.extend(_statement(path, item, sids))
    return found


def _statement(path: JsonPath, statement: dict[str, Any], sids: dict[str, JsonPath]) -> list[Problem]:
    found: list[Problem] = []
    for key in statement:
        if key in UNSUPPORTED:
            found.append(("V313", path + (key,), f"{key} is not supported in SCPs",
                          "an SCP applies to every IAM user and role of the accounts it is attached to; to exempt "
                          'some, use a Condition such as "ArnNotLike": {"aws:PrincipalARN": [...]}'))
        elif key not in ELEMENTS:
            found.append(_unknown(key, path + (key,), ELEMENTS, "a statement"))
    found.extend(_sid(path, statement, sids))
    effect = statement.get("Effect")
    if effect not in EFFECTS:
        state = "has no Effect" if effect is None else f"has Effect {show(effect)}"
        found.append(("V314", path + (("Effect",) if effect is not None else ()), f"the statement {state}",
                      'write "Effect": "Allow" or "Effect": "Deny" (case matters)'))
    found.extend(_pair(path, statement, "Action", "NotAction", required=True))
    found.extend(_pair(path, statement, "Resource", "NotResource", required=False))
    for name, code, check in (("Action", "V316", _action_problem), ("NotAction", "V316", _action_problem),
                              ("Resource", "V317", _resource_problem), ("NotResource", "V317", _resource_problem)):
        if name in statement:
            found.extend(_strings(path + (name,), statement[name], code, check))
    if "Condition" in statement:
        found.extend(_condition(path + ("Condition",), statement["Condition"]))
    return found


def _sid(path: JsonPath, statement: dict[str, Any], sids: dict[str, JsonPath]) -> list[Problem]:
    if "Sid" not in statement:
        return []
    sid = statement["Sid"]
    if not isinstance(sid, str):
        return [("V319", path + ("Sid",), f"Sid is {kind(sid)}, not a string", 'e.g. "Sid": "DenyLeaveOrganization"')]
    if sid in sids:
        return [("V319", path + ("Sid",), f"Sid {show(sid)} is also the Sid of {_where(sids[sid])}",
                 "give every statement of a policy its own Sid, or none")]
    sids[sid] = path
    return []


def _pair(path: JsonPath, statement: dict[str, Any], one: str, other: str, required: bool) -> list[Problem]:
    if one in statement and other in statement:
        return [("V315", path + (other,), f"the statement has both {one} and {other}",
                 f"keep one of them: {other} means every {one.lower()} except those listed")]
    if required and one not in statement and other not in statement:
        return [("V315", path, f"the statement has neither {one} nor {other}",
                 f'list what it allows or denies, e.g. "{one}": "s3:*"')]
    return []


def _strings(path: JsonPath, value: Any, code: str, check: Callable[[str], tuple[str, str] | None]) -> list[Problem]:
    """A string or a non-empty list of strings, each passing `check`."""
    if isinstance(value, str):
        problem = check(value)
        return [(code, path, problem[0], problem[1])] if problem else []
    if not isinstance(value, list) or not value:
        return [(code, path, f"{path[-1]} is {kind(value)}", f"{path[-1]} is a string or a non-empty list of strings")]
    found: list[Problem] = []
    for index, item in enumerate(value):
        problem = check(item) if isinstance(item, str) else (f"{path[-1]} lists {kind(item)}", "list strings only")
        if problem:
            found.append((code, path + (index,), problem[0], problem[1]))
    return found


def _action_problem(action: str) -> tuple[str, str] | None:
    if action == "*" or _ACTION.match(action):
        return None
    if ":" not in action:
        return (f"action {show(action)} names no service",
                'write service:action, e.g. "s3:GetObject", "ec2:Describe*" or "*" for every action')
    return (f"action {show(action)} is not service:action",
            "the service prefix (s3, ec2, organizations ...) and the action name hold letters, digits, '-', "
            "'*' and '?' only, with one ':' between them")


def _resource_problem(resource: str) -> tuple[str, str] | None:
    if resource == "*":
        return None
    if resource.startswith("arn:") and (resource.count(":") >= 5 or "*" in resource[4:]):
        return None
    return (f"resource {show(resource)} is not an ARN",
            'use "*" or an ARN such as "arn:aws:iam::*:role/admin" (arn:partition:service:region:account:resource)')


def _condition(path: JsonPath, condition: Any) -> list[Problem]:
    hint = 'write "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}'
    if not isinstance(condition, dict):
        return [("V318", path, f"Condition is {kind(condition)}, not an object of operators", hint)]
    found: list[Problem] = []
    for operator, keys in condition.items():
        where = path + (operator,)
        if not _OPERATOR.match(operator):
            close = difflib.get_close_matches(operator, _OPERATORS + ["Null"], n=1)
            found.append(("V318", where, f"{show(operator)} is not a condition operator",
                          (f"did you mean {close[0]}? " if close else "") + "IAM's operators are StringEquals, "
                          "StringLike, ArnNotLike, Bool, ... optionally with ForAnyValue:/ForAllValues: and IfExists"))
            continue
        if not isinstance(keys, dict) or not keys:
            found.append(("V318", where, f"{operator} holds {kind(keys)}, not condition keys", hint))
            continue
        for key, value in keys.items():
            found.extend(_condition_key(where + (key,), key, value))
    return found


def _condition_key(path: JsonPath, key: str, value: Any) -> list[Problem]:
    if ":" not in key:
        return [("V318", path, f"condition key {show(key)} names no service",
                 "condition keys carry a prefix: aws:RequestedRegion, aws:PrincipalARN, ec2:InstanceType ...")]
    scalar = (str, int, float, bool)
    if isinstance(value, scalar) or (isinstance(value, list) and value and all(isinstance(v, scalar) for v in value)):
        return []
    return [("V318", path, f"the value of {key} is {kind(value)}",
             "a condition value is a string, number or boolean, or a non-empty list of them")]


def _not_a_document(path: JsonPath) -> Problem:
    return ("V305", path, "an SCP needs a \"Statement\" (a statement object or a non-empty list)",
            f'an SCP is an IAM-style policy: {{"Version": "{VERSION}", "Statement": [...]}}')


def _unknown(key: str, path: JsonPath, allowed: tuple[str, ...], where: str) -> Problem:
    close = difflib.get_close_matches(key, allowed, n=1)
    guess = f"did you mean {close[0]}? " if close else ""
    return ("V313", path, f"{show(key)} is not an element of {where} in an SCP",
            f"{guess}{where} may hold {', '.join(allowed)}")


def _where(path: JsonPath) -> str:
    return "the statement" if len(path) == 1 else f"Statement[{path[1]}]"
