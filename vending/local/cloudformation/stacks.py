"""The real stacks behind stack instances, in moto's CloudFormation backend of each member.

A stack instance is a stack named `StackSet-<stack set name>-<uuid>` (as AWS names them) in the
member account and region, created with moto's `create_stack`, so its resources exist there and
`describe-stacks` as that member sees it. moto's member backends are not persisted, so
`materialize` re-creates a stack under its old StackId when the state is restored.
"""
from __future__ import annotations

from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends

Applied = dict[str, Any]  # {"name", "template", "parameters", "StackId"}


def backend(account: str, region: str) -> CloudFormationBackend:
    return cloudformation_backends[account][region]


def find(account: str, region: str, stack_id: str | None) -> Stack | None:
    if not stack_id:
        return None
    return backend(account, region).stacks.get(stack_id)


def deploy(account: str, region: str, applied: Applied) -> str:
    """Create the stack, or update it in place; returns its StackId. Raises what moto raises."""
    existing = find(account, region, applied.get("StackId"))
    if existing is not None:
        existing.update(applied["template"], None, parameters=dict(applied["parameters"]))
        return existing.stack_id
    cfn = backend(account, region)
    try:
        stack = cfn.create_stack(name=applied["name"], template=applied["template"],
                                 parameters=dict(applied["parameters"]))
    except Exception:
        # AWS rolls a failed creation back (deleting what it made) and a retry of the
        # instance starts afresh; moto keeps the half-made stack and its resources
        for stack_id, stack in list(cfn.stacks.items()):
            if stack.name == applied["name"]:
                try:
                    stack.delete()
                finally:
                    del cfn.stacks[stack_id]
        raise
    return stack.stack_id


def remove(account: str, region: str, stack_id: str | None) -> None:
    if find(account, region, stack_id) is not None:
        backend(account, region).delete_stack(stack_id)  # type: ignore[arg-type]


def materialize(account: str, region: str, applied: Applied) -> None:
    """Re-create a stack of a restored state under its recorded StackId."""
    cfn = backend(account, region)
    if applied["StackId"] in cfn.stacks:
        return
    stack = cfn.create_stack(name=applied["name"], template=applied["template"],
                             parameters=dict(applied["parameters"]))
    del cfn.stacks[stack.stack_id]
    stack.stack_id = applied["StackId"]
    cfn.stacks[stack.stack_id] = stack
