"""The LIVE side of baselines: vend's stack sets as read from CloudFormation, normalised.

A baseline `<name>` is the SERVICE_MANAGED stack set `vend-<name>`, tagged
`vend:managed-by=vend`: the prefix keeps vend's names apart from everyone else's, the tag tells
a stack set vend created from one that merely has such a name (vend leaves that one alone).

Templates and parameters are compared in canonical form, so a template read back as YAML, as
JSON, with other key order or white space is equal to the one vend sends: `canonical_template`
parses it (short-form tags such as `!Ref` become their long form) and dumps sorted, minified
JSON; parameters are a name -> value map. Pure data, no boto3.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vending.model import cfn_template

STACK_SET_PREFIX = "vend-"
MANAGED_TAG = ("vend:managed-by", "vend")
"""The tag (key, value) on every stack set vend creates."""
IN_PROGRESS = ("RUNNING", "QUEUED", "STOPPING")
"""Stack set operation statuses that still hold (or will take) the stack set."""


def stack_set_name(baseline: str) -> str:
    """The stack set of a baseline: `vend-<name>` (a letter first, as stack set names need)."""
    return STACK_SET_PREFIX + baseline


def baseline_of(stack_set: str) -> str | None:
    """The baseline a stack set name belongs to, or None for names vend does not give."""
    if not stack_set.startswith(STACK_SET_PREFIX):
        return None
    return stack_set[len(STACK_SET_PREFIX):] or None


def canonical_template(text: str) -> str:
    """The template as sorted, minified JSON; a body that does not parse is kept as written
    (stripped), so it differs from any template vend renders and shows up as a change."""
    try:
        data = cfn_template.parse(text)
    except cfn_template.TemplateSyntaxError:
        return text.strip()
    return json.dumps(_long_form(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _long_form(node: Any) -> Any:
    """`{"Fn::GetAtt": "A.B"}` (JSON's string form) as `["A", "B"]`, as the YAML tag reads."""
    if isinstance(node, list):
        return [_long_form(item) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and isinstance(node.get("Fn::GetAtt"), str):
        return {"Fn::GetAtt": node["Fn::GetAtt"].split(".", 1)}
    return {key: _long_form(value) for key, value in node.items()}


@dataclass(frozen=True)
class LiveStackInstance:
    """One stack instance (ListStackInstances summary); timestamps left out of the state."""

    account: str
    region: str
    status: str
    """CURRENT, OUTDATED or INOPERABLE."""
    detailed_status: str
    """PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, INOPERABLE, SKIPPED_SUSPENDED_ACCOUNT..."""
    drift_status: str
    """DRIFTED, IN_SYNC, UNKNOWN or NOT_CHECKED."""
    ou_id: str = ""
    """The target OU that reached the account (SERVICE_MANAGED)."""
    status_reason: str = ""
    last_operation_id: str = ""
    """The operation that last acted on it: a retry after a new failure gets a new operation id."""


@dataclass(frozen=True)
class StackSetOperation:
    """An operation still RUNNING, QUEUED or STOPPING (e.g. left behind by a killed apply)."""

    id: str
    action: str
    status: str


@dataclass(frozen=True)
class LiveStackSet:
    """A stack set vend manages (DescribeStackSet), with its instances and busy operations."""

    baseline: str
    name: str
    id: str
    arn: str
    description: str
    template: str
    """`canonical_template` of its TemplateBody."""
    parameters: dict[str, str]
    """The stack set's own values, by name (sorted); per-account values live in its Mappings.
    A NoEcho parameter reads back as `****` (AWS never returns its value)."""
    capabilities: tuple[str, ...]
    tags: dict[str, str]
    ou_ids: tuple[str, ...]
    """Its OU targets (OrganizationalUnitIds), sorted."""
    regions: tuple[str, ...]
    auto_deployment: bool
    retain_stacks_on_account_removal: bool
    managed_execution: bool
    drift_status: str
    """The stack set's last drift detection: DRIFTED, IN_SYNC, NOT_CHECKED..."""
    instances: tuple[LiveStackInstance, ...] = ()
    """Sorted by account, then Region."""
    operations: tuple[StackSetOperation, ...] = ()
    """Operations in progress (the first page of ListStackSetOperations)."""
    depends_on: tuple[str, ...] = ()
    """AutoDeployment.DependsOn: ARNs of the stack sets auto-deployment deploys first, sorted."""

    def busy(self) -> bool:
        return bool(self.operations)


@dataclass(frozen=True)
class LiveBaselines:
    """CloudFormation StackSets in the home Region, as far as baselines need them."""

    region: str
    trusted_access: bool
    """Trusted access for member.org.stacksets.cloudformation.amazonaws.com is enabled."""
    stack_sets: dict[str, LiveStackSet] = field(default_factory=dict)
    """vend's stack sets by baseline name."""
    foreign: tuple[str, ...] = ()
    """Active stack sets named `vend-...` that vend does not manage (no tag, or SELF_MANAGED):
    their names are taken, so a baseline of that name cannot be created."""
