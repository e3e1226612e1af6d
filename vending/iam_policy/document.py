"""`vend iam-policy plan|apply`: the policy documents of the plan role and the apply role.

Actions come from the registry (vending.iam_policy.operations), grouped into one statement per
service; S3 is allowed only on the lock object (the plan role: to read it, and list its bucket),
the live snapshot object (read; written only by the pipeline's Plan stage,
`publish_snapshot_statement`), the apply marker beside it (read; written by the apply role)
and the template bucket's objects,
and sts:AssumeRole only on the StackSets and Private Marketplace delegated administrators' roles, each
from vend.yaml.
"""
from __future__ import annotations

from typing import Any, Literal

from vending.apply.lock_note import PLAN_IAM_ACTIONS as PLAN_LOCK_ACTIONS
from vending.iam_policy.operations import INDIRECT, NO_PERMISSION, READS, TEMPLATE_ACTIONS, WRITES, iam_action
from vending.model.types import OrgSettings
from vending.snapshot_store import marker_key, snapshot_key

Role = Literal["plan", "apply"]
SIDS = {"organizations": "Organizations", "cloudtrail": "CloudTrail", "cloudformation": "StackSets", "controltower": "ControlTower",
        "servicecatalog": "ServiceCatalog", "aws-marketplace": "Marketplace", "sso": "IdentityCenter",
        "identitystore": "IdentityStore", "iam": "IAM"}
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
            found.setdefault(SIDS.get(service, service.title().replace("-", "")), set()).add(iam_action(op))
    return {sid: sorted(actions) for sid, actions in sorted(found.items())}


def policy(role: Role, settings: OrgSettings) -> dict[str, Any]:
    """The role's IAM policy document (identity-based, for an inline or managed policy)."""
    statements = [_statement(sid, actions, "*") for sid, actions in service_actions(role).items()]
    lock_bucket = settings.lock.bucket or "vend-lock-*"
    statements.append(_statement("LiveSnapshot", ["s3:GetObject"], [_snapshot_arn(settings), _marker_arn(settings)]))
    if role == "plan":  # vend plan's note on a held lock (vending.apply.lock_note)
        statements.append(_statement("ReadApplyLock", sorted(PLAN_LOCK_ACTIONS), [
            f"arn:aws:s3:::{lock_bucket}", f"arn:aws:s3:::{lock_bucket}/{settings.lock.key}"]))
    if role == "apply":
        statements.append(_statement("ApplyLock", sorted(WRITES[LOCK_MODULE]),
                                     f"arn:aws:s3:::{lock_bucket}/{settings.lock.key}"))
        statements.append(_statement("ApplyMarker", ["s3:PutObject"], _marker_arn(settings)))
        if settings.template_bucket:
            statements.append(_statement("TemplateBucket", sorted(TEMPLATE_ACTIONS),
                                         f"arn:aws:s3:::{settings.template_bucket}/*"))
    if settings.stacksets:
        statements.append(_statement("AssumeStackSetsRole", sorted(INDIRECT["vending.aws.assume"]),
                                     settings.stacksets.role_arn))
    if settings.marketplace:
        statements.append(_statement("AssumeMarketplaceRole", sorted(INDIRECT["vending.aws.assume"]),
                                     settings.marketplace.role_arn))
    return {"Version": "2012-10-17", "Statement": statements}


def publish_snapshot_statement(settings: OrgSettings) -> dict[str, Any]:
    """What `vend plan --publish-snapshot` needs besides the plan policy: PutObject on the
    snapshot object alone (the pipeline's PlanRole has it, its pull-request role must not)."""
    return _statement("PublishLiveSnapshot", ["s3:PutObject"], _snapshot_arn(settings))


def _snapshot_arn(settings: OrgSettings) -> str:
    return f"arn:aws:s3:::{settings.lock.bucket or 'vend-lock-*'}/{snapshot_key(settings)}"


def _marker_arn(settings: OrgSettings) -> str:
    return f"arn:aws:s3:::{settings.lock.bucket or 'vend-lock-*'}/{marker_key(settings)}"


def _statement(sid: str, actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
