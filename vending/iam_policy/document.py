"""`vend iam-policy plan|apply`: the policy documents of the plan role and the apply role.

Actions come from the registry (vending.iam_policy.operations), grouped into one statement per
service; S3 is allowed only on the lock object and the template bucket's objects, and
sts:AssumeRole only on the StackSets delegated administrator's role, each from vend.yaml.
"""
from __future__ import annotations

from typing import Any, Literal

from vending.iam_policy.operations import INDIRECT, NO_PERMISSION, READS, TEMPLATE_ACTIONS, WRITES
from vending.model.types import OrgSettings

Role = Literal["plan", "apply"]
SIDS = {"organizations": "Organizations", "cloudformation": "StackSets", "controltower": "ControlTower",
        "servicecatalog": "ServiceCatalog", "sso": "IdentityCenter", "identitystore": "IdentityStore"}
"""Statement ids by service (another service gets its own name); the pipeline template's
statements carry the same ids."""
SCOPED = frozenset({"s3", "sts"})
"""Services allowed only on named resources, in statements of their own."""
LOCK_MODULE = "vending.apply.lock"


def operations(role: Role) -> set[str]:
    """Every `service:Operation` the role's commands may call."""
    registries = [READS] if role == "plan" else [READS, WRITES]
    return {op for registry in registries for ops in registry.values() for op in ops}


def service_actions(role: Role) -> dict[str, list[str]]:
    """Statement id -> its sorted actions, for the services allowed on every resource."""
    found: dict[str, set[str]] = {}
    for op in operations(role) - NO_PERMISSION:
        service = op.split(":", 1)[0]
        if service not in SCOPED:
            found.setdefault(SIDS.get(service, service.title().replace("-", "")), set()).add(op)
    return {sid: sorted(actions) for sid, actions in sorted(found.items())}


def policy(role: Role, settings: OrgSettings) -> dict[str, Any]:
    """The role's IAM policy document (identity-based, for an inline or managed policy)."""
    statements = [_statement(sid, actions, "*") for sid, actions in service_actions(role).items()]
    if role == "apply":
        lock_bucket = settings.lock.bucket or "vend-lock-*"
        statements.append(_statement("ApplyLock", sorted(WRITES[LOCK_MODULE]),
                                     f"arn:aws:s3:::{lock_bucket}/{settings.lock.key}"))
        if settings.template_bucket:
            statements.append(_statement("TemplateBucket", sorted(TEMPLATE_ACTIONS),
                                         f"arn:aws:s3:::{settings.template_bucket}/*"))
    if settings.stacksets:
        statements.append(_statement("AssumeStackSetsRole", sorted(INDIRECT["vending.aws.assume"]),
                                     settings.stacksets.role_arn))
    return {"Version": "2012-10-17", "Statement": statements}


def _statement(sid: str, actions: list[str], resource: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
