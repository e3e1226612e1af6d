"""Strict Organizations rules for policies: attachment limits and document checks.

Sources: the Organizations API reference pages named in each handler (botocore model
`organizations/2016-11-28`) and aws-facts.md section 2.1 (quotas).
"""
from __future__ import annotations

import json
from typing import Any

from moto.organizations.models import FakePolicy, OrganizationsBackend

from vending.local.organizations import errors as err
from vending.local.framework import LocalSettings
from vending.local.organizations.rules import (
    Params, attach_target, guards, page, policy, replaces, root,
)

MAX_ATTACHED = {"SERVICE_CONTROL_POLICY": 5}
"""aws-facts 2.1: 5 SCPs per root / OU / account (minimum 1)."""
MIN_ATTACHED = {"SERVICE_CONTROL_POLICY": 1}
MAX_POLICY_CHARS = {
    "SERVICE_CONTROL_POLICY": 5120,
    "RESOURCE_CONTROL_POLICY": 5120,
    "TAG_POLICY": 10000,
    "BACKUP_POLICY": 10000,
    "AISERVICES_OPT_OUT_POLICY": 2500,
}
"""aws-facts 2.1 "Max policy document size" (ORG-LIMITS)."""


def _type_enabled(backend: OrganizationsBackend, policy_type: str) -> bool:
    return any(t["Type"] == policy_type and t["Status"] == "ENABLED"
               for t in root(backend).policy_types)  # type: ignore[attr-defined]


def _attached_of_type(target: Any, policy_type: str) -> list[FakePolicy]:
    return [p for p in target.attached_policies if p.type == policy_type]


@guards("AttachPolicy")
def attach_policy(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> None:
    """TargetNotFound, PolicyTypeNotEnabled, DuplicatePolicyAttachment,
    MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED (API_AttachPolicy; aws-facts 2.1: 5 SCPs)."""
    attached = policy(backend, params["PolicyId"])
    target = attach_target(backend, params["TargetId"])
    if not _type_enabled(backend, attached.type):
        raise err.policy_type_not_enabled()
    if attached in target.attached_policies:
        raise err.duplicate_policy_attachment()
    limit = MAX_ATTACHED.get(attached.type)
    if limit is not None and len(_attached_of_type(target, attached.type)) >= limit:
        raise err.constraint_violation(
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to exceed the number of policies of a certain type that can be "
            "attached to an entity at one time.")


@guards("DetachPolicy")
def detach_policy(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> None:
    """TargetNotFound, PolicyNotAttached, MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED
    (API_DetachPolicy: "Every root, OU, and account must have at least one SCP attached")."""
    detached = policy(backend, params["PolicyId"])
    target = attach_target(backend, params["TargetId"])
    if detached not in target.attached_policies:
        raise err.policy_not_attached()
    minimum = MIN_ATTACHED.get(detached.type)
    if minimum is not None and len(_attached_of_type(target, detached.type)) <= minimum:
        raise err.constraint_violation(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to detach a policy from an entity that would cause the entity to "
            "have fewer than the minimum number of policies of a certain type required.")


def _check_content(policy_type: str, content: str) -> None:
    """MalformedPolicyDocument for non-JSON / non-object documents (and an SCP without a
    Statement); POLICY_CONTENT_LIMIT_EXCEEDED over the type's size (aws-facts 2.1)."""
    try:
        document = json.loads(content)
    except ValueError:
        raise err.malformed_policy() from None
    if not isinstance(document, dict) or (
        policy_type == "SERVICE_CONTROL_POLICY" and "Statement" not in document
    ):
        raise err.malformed_policy()
    limit = MAX_POLICY_CHARS.get(policy_type)
    if limit is not None and len(content) > limit:
        raise err.constraint_violation(
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "You attempted to create a policy that is larger than the maximum size.")


def _check_name(backend: OrganizationsBackend, policy_type: str, name: str,
                itself: FakePolicy | None = None) -> None:
    if any(p is not itself and p.type == policy_type and p.name == name for p in backend.policies):
        raise err.duplicate_policy()


def _check_mutable(target: FakePolicy) -> None:
    if target.aws_managed:
        raise err.invalid_input(
            "IMMUTABLE_POLICY",
            "You specified a policy that is managed by Amazon Web Services and can't be modified.")


@guards("DeletePolicy")
def delete_policy(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> None:
    """InvalidInputException IMMUTABLE_POLICY for AWS-managed policies (API_DeletePolicy)."""
    _check_mutable(policy(backend, params["PolicyId"]))


@replaces("CreatePolicy")
def create_policy(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """MalformedPolicyDocument, POLICY_CONTENT_LIMIT_EXCEEDED, DuplicatePolicy within a type
    (API_CreatePolicy); moto checks names across all types and never checks content."""
    if backend.org is None:
        raise err.not_in_use()
    created = FakePolicy(backend.org, **params)  # rejects unsupported types (InvalidInput)
    _check_content(created.type, params["Content"])
    _check_name(backend, created.type, params["Name"])
    backend.policies.append(created)
    return created.describe()


@replaces("UpdatePolicy")
def update_policy(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """IMMUTABLE_POLICY, then the CreatePolicy checks for a new name or content
    (API_UpdatePolicy)."""
    updated = policy(backend, params["PolicyId"])
    _check_mutable(updated)
    if "Content" in params:
        _check_content(updated.type, params["Content"])
    if "Name" in params:
        _check_name(backend, updated.type, params["Name"], itself=updated)
    updated.name = params.get("Name", updated.name)
    updated.description = params.get("Description", updated.description)
    updated.content = params.get("Content", updated.content)
    return updated.describe()


@replaces("ListTargetsForPolicy")
def list_targets_for_policy(backend: OrganizationsBackend, params: Params, _: LocalSettings) -> Any:
    """Paged at most 20 like every Organizations list (API_ListTargetsForPolicy); moto returns
    every target in one page, which would hide the cost of reading a widely attached policy."""
    listed = backend.list_targets_for_policy(PolicyId=params["PolicyId"])["Targets"]
    return page(listed, params, "Targets")
