"""CloudFormation templates as data: YAML (with the short-form `!Ref`-style tags) or JSON in,
plain dicts out, and the few facts about them the rules need (parameters, IAM resources).

Pure and small on purpose: cfn-lint checks templates in depth (vending/model/template_lint.py);
this module only reads what vend itself must know to build and check a stack set.
"""
from __future__ import annotations

from typing import Any

import yaml

_SCALAR_FUNCTIONS = {"Ref": "Ref", "Condition": "Condition"}
"""Short tags that keep their name; every other `!X` is `Fn::X`."""

IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}
"""IAM resource types and the property that gives them a custom name (CAPABILITY_NAMED_IAM)."""

IAM_TYPES = set(IAM_NAME_PROPERTIES) | {"AWS::IAM::Policy", "AWS::IAM::AccessKey", "AWS::IAM::UserToGroupAddition"}
"""Resource types that need CAPABILITY_IAM (or CAPABILITY_NAMED_IAM) to be created."""


class TemplateSyntaxError(Exception):
    """The template is not YAML/JSON or not a mapping; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads `!Ref x` as {"Ref": "x"}, `!GetAtt a.b` as {"Fn::GetAtt": ["a", "b"]}."""


def _tag(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = _SCALAR_FUNCTIONS.get(suffix, f"Fn::{suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _tag)
# CloudFormation reads dates and times as strings; keep them strings.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(text: str) -> dict[str, Any]:
    """The template as data; raises TemplateSyntaxError."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise TemplateSyntaxError(mark.line + 1 if mark else 1, exc.problem or "invalid YAML") from exc
    except yaml.YAMLError as exc:
        raise TemplateSyntaxError(1, str(exc)) from exc
    if not isinstance(data, dict):
        raise TemplateSyntaxError(1, "a template is a mapping with a Resources section")
    return data


def parameters(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Declared parameters by name (their declarations; "Default" in it when there is one)."""
    declared = template.get("Parameters") or {}
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in declared.items()} if isinstance(declared, dict) else {}


def required_capabilities(template: dict[str, Any]) -> dict[str, str]:
    """Capability -> the first resource (or transform) that needs it."""
    needed: dict[str, str] = {}
    resources = template.get("Resources") or {}
    for logical_id, resource in (resources.items() if isinstance(resources, dict) else ()):
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind not in IAM_TYPES:
            continue
        props = resource.get("Properties") or {}
        named = IAM_NAME_PROPERTIES.get(kind) in props if isinstance(props, dict) else False
        needed.setdefault("CAPABILITY_NAMED_IAM" if named else "CAPABILITY_IAM", f"{logical_id} ({kind})")
    transform = template.get("Transform")
    if transform:
        needed.setdefault("CAPABILITY_AUTO_EXPAND", f"Transform {transform}")
    return needed
