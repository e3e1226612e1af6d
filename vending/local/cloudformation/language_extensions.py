"""The part of the AWS::LanguageExtensions transform that vend's templates use, run per instance.

moto's CloudFormation does not process this transform, and vend's final templates need it
(vending/model/stackset_template.py: per-account values as `Fn::FindInMap` over `VendAccountsN`
mappings keyed by `AWS::AccountId`, each falling back through `DefaultValue`). AWS runs the
transform when it creates or updates each stack, so the emulator expands the template for that
instance's account and Region before moto sees it, as AWS documents the transform
(CloudFormation Template Reference, "Fn::FindInMap enhancements" and "AWS::LanguageExtensions
transform"):

- every `Fn::FindInMap` whose arguments resolve during the transform is replaced by its value;
  its MapName, TopLevelKey and SecondLevelKey may be `Ref` (to a parameter or to the pseudo
  parameters AWS::AccountId, AWS::Region, AWS::Partition, AWS::URLSuffix, AWS::StackName),
  `Fn::Join`, `Fn::Split` (inside a function that yields a string), `Fn::Select`, `Fn::Sub`
  or another `Fn::FindInMap`;
- a missing key falls back to `DefaultValue` (itself resolved the same way: a value, a
  `Fn::FindInMap`, a `Ref` to a parameter); without one the instance fails (`MISSING`);
- a `Fn::FindInMap` of three plain arguments that do not resolve here is left for moto, as the
  standard function; `AWS::LanguageExtensions` is removed from `Transform` (others stay).

The rest of the transform (`Fn::ForEach::*`, `Fn::Length`, `Fn::ToJsonString`, the
`DeletionPolicy`/`UpdateReplacePolicy` intrinsics) is not emulated: CreateStackSet and
UpdateStackSet refuse a template using it with a ValidationError saying so (`check`), rather
than deploying something AWS would deploy differently. A `DefaultValue` without the transform is
refused with the message AWS gives for a four-argument `Fn::FindInMap`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from vending.local.cloudformation import errors as err

TRANSFORM = "AWS::LanguageExtensions"
NOT_EMULATED = ("Fn::Length", "Fn::ToJsonString")
THREE_ARGUMENTS = ("Template error: every Fn::FindInMap object requires three parameters, the map "
                   "name, map key and the attribute for return value")
"""AWS's words for a four-argument Fn::FindInMap without the transform (quoted in
aws/aws-cdk issue #27987 and cloudformation-coverage-roadmap issue #1826)."""


def MISSING(mapping: str, top: str, second: str) -> str:  # noqa: N802 (a message constant)
    """StatusReason of an instance whose Fn::FindInMap finds no value and has no DefaultValue.
    PLAUSIBLE WORDING, not quoted: AWS's exact text for this case was not found in the docs or
    issues searched; it follows CloudFormation's message for the standard function."""
    return f"Template error: Unable to get mapping for {mapping}::{top}::{second}"


class TransformFailed(Exception):
    """The transform cannot produce this instance's template; the message is its StatusReason."""


class Unresolved(Exception):
    """An argument that is not known during the transform (a resource's Ref, Fn::GetAtt, ...)."""


def uses(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    names = [transform] if isinstance(transform, str) else list(transform or [])
    return TRANSFORM in names


def check(template: Mapping[str, Any], granted: list[str]) -> None:
    """Refuse what the emulator does not do as AWS would (CreateStackSet/UpdateStackSet); a
    template with a transform needs CAPABILITY_AUTO_EXPAND (CFN-API CreateStackSet.Capabilities)."""
    with_transform = uses(template)
    if with_transform and "CAPABILITY_AUTO_EXPAND" not in granted:
        raise err.capabilities("CAPABILITY_AUTO_EXPAND")
    for node in _nodes(template):
        for name in node:
            if with_transform and (name in NOT_EMULATED or str(name).startswith("Fn::ForEach::")):
                raise err.validation(
                    f"Template format error: {name} of the {TRANSFORM} transform is not emulated by "
                    "vend local (only Fn::FindInMap with DefaultValue and intrinsic arguments is); "
                    "test this template against AWS")
            if name == "Fn::FindInMap" and not with_transform and _has_default(node[name]):
                raise err.validation(THREE_ARGUMENTS)


def values(template: Mapping[str, Any], account: str, region: str, stack_name: str,
           parameters: Mapping[str, str]) -> dict[str, str]:
    """What a `Ref` resolves to during the transform: parameters (given, else their Default)
    and the pseudo parameters known before the stack exists."""
    declared = template.get("Parameters") or {}
    known = {name: str(spec["Default"]) for name, spec in declared.items()
             if isinstance(spec, dict) and "Default" in spec}
    known.update(parameters)
    known.update({"AWS::AccountId": account, "AWS::Region": region, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": stack_name})
    return known


def expand(template: Mapping[str, Any], known: Mapping[str, str]) -> Mapping[str, Any]:
    """The template as the transform hands it on, for the account and Region in `known`
    (`values`); `template` itself when it does not use the transform. Raises TransformFailed."""
    if not uses(template):
        return template
    resolver = Resolver(template.get("Mappings") or {}, known)
    result = {k: (v if k in ("Mappings", "Parameters") else resolver.walk(v)) for k, v in template.items()}
    others = [t for t in ([template["Transform"]] if isinstance(template["Transform"], str)
                          else template["Transform"]) if t != TRANSFORM]
    if others:
        result["Transform"] = others[0] if len(others) == 1 else others
    else:
        del result["Transform"]
    return result


class Resolver:
    """Evaluates what the transform can evaluate; `resolve` raises Unresolved for the rest."""

    def __init__(self, mappings: Mapping[str, Any], values: Mapping[str, str]) -> None:
        self.mappings = mappings
        self.values = values

    def walk(self, node: Any) -> Any:
        """`node` with every resolvable Fn::FindInMap replaced by its value."""
        if isinstance(node, list):
            return [self.walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1 and "Fn::FindInMap" in node:
            args = node["Fn::FindInMap"]
            try:
                return self.find(args)
            except Unresolved:
                if _has_default(args):
                    raise TransformFailed(f"Template error: the arguments of Fn::FindInMap {json.dumps(args)} "
                                          f"must resolve during the {TRANSFORM} transform") from None
                return {"Fn::FindInMap": self.walk(args)}
        return {k: self.walk(v) for k, v in node.items()}

    def find(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) not in (3, 4):
            raise TransformFailed(THREE_ARGUMENTS)
        mapping, top, second = (self.string(a) for a in args[:3])
        found = (self.mappings.get(mapping) or {}).get(top)
        if isinstance(found, dict) and second in found:
            return found[second]
        if len(args) == 4 and _has_default(args):
            return self.value(args[3]["DefaultValue"])
        raise TransformFailed(MISSING(mapping, top, second))

    def value(self, node: Any) -> Any:
        """A DefaultValue: resolved where it can be, else handed on (e.g. Ref AWS::NoValue)."""
        try:
            return self.resolve(node)
        except Unresolved:
            return self.walk(node)

    def string(self, node: Any) -> str:
        value = self.resolve(node)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise TransformFailed(f"Template error: Fn::FindInMap arguments must be strings, not {json.dumps(value)}")
        return str(value)

    def resolve(self, node: Any) -> Any:
        """The value of an argument during the transform, or Unresolved."""
        if isinstance(node, (str, int, float)):
            return node
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict) or len(node) != 1:
            raise Unresolved
        (name, arg), = node.items()
        if name == "Ref":
            if arg in self.values:
                return self.values[arg]
            raise Unresolved
        if name == "Fn::FindInMap":
            return self.find(arg)
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            items = self.resolve(arg[1])
            if not isinstance(items, list):
                raise Unresolved
            return str(arg[0]).join(str(i) for i in items)
        if name == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
            return str(self.resolve(arg[1])).split(str(arg[0]))
        if name == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            items = self.resolve(arg[1])
            index = int(self.resolve(arg[0]))
            if not isinstance(items, list) or not 0 <= index < len(items):
                raise TransformFailed(f"Template error: Fn::Select cannot select item {index} of {json.dumps(items)}")
            return items[index]
        if name == "Fn::Sub":
            return self.sub(arg)
        raise Unresolved

    def sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
        local = {k: self.resolve(v) for k, v in dict(variables).items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(local[name])
            if name in self.values:
                return self.values[name]
            raise Unresolved

        return re.sub(r"\$\{([^}]+)\}", one, str(text))


def _has_default(args: Any) -> bool:
    return isinstance(args, list) and len(args) == 4 and isinstance(args[3], dict) \
        and set(args[3]) == {"DefaultValue"}


def _nodes(node: Any) -> Any:
    """Every dict inside `node` (depth first)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)
