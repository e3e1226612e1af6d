"""Intrinsic functions CloudFormation evaluates and moto's CloudFormation does not, filled in
before a stack instance's template reaches moto.

- `Fn::Cidr [ipBlock, count, cidrBits]`: the first `count` blocks of `cidrBits` host bits in
  `ipBlock` (CloudFormation Template Reference, Fn::Cidr), when its arguments are known before
  the stack exists (literals, `Ref` to a parameter or pseudo parameter, Fn::Select/Join/...;
  a value only a resource gives is left to moto, which then fails the instance).
- `Fn::GetAZs ""` (or `Ref AWS::Region`) means the stack's own Region; moto would use
  us-east-1 in every Region, so the Region is written in.
Nothing else is changed; the result is what AWS would evaluate the same way. Mappings that no
`Fn::FindInMap` refers to any more are dropped: vend's per-account table would otherwise be
copied into every stack (two per account at two Regions), and into the emulator's saved state.
"""
from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

from vending.local.cloudformation.language_extensions import Resolver, TransformFailed, Unresolved


def fill(template: Mapping[str, Any], known: Mapping[str, str]) -> Mapping[str, Any]:
    """`template` with the functions above evaluated (`known`: language_extensions.values)."""
    resolver = Resolver(template.get("Mappings") or {}, known)
    filled = {k: (_walk(v, resolver, known["AWS::Region"]) if k in ("Resources", "Outputs", "Conditions") else v)
              for k, v in template.items()}
    if "Mappings" in filled and "Fn::FindInMap" not in json.dumps({k: v for k, v in filled.items() if k != "Mappings"}):
        del filled["Mappings"]
    return filled


def _walk(node: Any, resolver: Resolver, region: str) -> Any:
    if isinstance(node, list):
        return [_walk(item, resolver, region) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and "Fn::GetAZs" in node and node["Fn::GetAZs"] in ("", {"Ref": "AWS::Region"}):
        return {"Fn::GetAZs": region}
    if len(node) == 1 and "Fn::Cidr" in node:
        try:
            return _cidr(*(resolver.resolve(arg) for arg in node["Fn::Cidr"]))
        except (Unresolved, TypeError):
            pass
    return {k: _walk(v, resolver, region) for k, v in node.items()}


def _cidr(block: Any, count: Any, bits: Any) -> list[str]:
    try:
        network = ipaddress.ip_network(str(block), strict=False)
        prefix = network.max_prefixlen - int(bits)
        found = []
        for subnet in network.subnets(new_prefix=prefix):
            if len(found) == int(count):
                break
            found.append(str(subnet))
    except ValueError as exc:
        raise TransformFailed(f"Template error: Fn::Cidr cannot divide {block} into {count} blocks of {bits} bits: {exc}") from None
    if len(found) < int(count):
        raise TransformFailed(f"Template error: Fn::Cidr: {block} holds fewer than {count} blocks of {bits} bits")
    return found
