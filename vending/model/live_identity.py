"""IAM Identity Center as read from AWS: the instance, vend's permission sets, the groups `access`
names, and those groups' account assignments.

Read only when the repository declares `access`; `groups` and the permission sets read are
recorded in the plan (read_scope.identity) so `vend apply plan.json` reads the same ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LivePermissionSet:
    """One permission set, in the terms of identity/permission-sets/<name>.yaml."""

    name: str
    arn: str
    description: str = ""
    session_duration: str = "PT1H"
    managed_policies: tuple[str, ...] = ()
    """AWS managed policy ARNs, sorted."""
    customer_managed_policies: tuple[tuple[str, str], ...] = ()
    """(name, path) pairs, sorted."""
    inline_policy: str | None = None
    boundary: dict[str, str] | None = None
    """{"managed_policy": arn} or {"customer_managed_policy": "<path><name>"}; None when none."""
    stale_accounts: tuple[str, ...] = ()
    """Accounts that run an older version of the set (LATEST_PERMISSION_SET_NOT_PROVISIONED):
    an edit not provisioned yet, e.g. an apply interrupted between the two."""


@dataclass(frozen=True)
class LiveIdentity:
    instance_arn: str | None
    """None: IAM Identity Center is not enabled in the Region vend reads."""
    identity_store_id: str | None = None
    region: str = ""
    permission_sets: dict[str, LivePermissionSet] = field(default_factory=dict)
    """The instance's permission sets that the repository declares, by name."""
    groups: dict[str, str | None] = field(default_factory=dict)
    """Display name -> group id, for every group `access` names; None when the store has none."""
    assignments: tuple[tuple[str, str, str], ...] = ()
    """(group display name, account id, permission set name) of the groups read, sorted; only
    assignments of permission sets the repository declares."""
