"""The LIVE organization, as read from AWS and normalised to the model's vocabulary.

Readers in `vending.state` build these; `vending.plan` compares them with `DesiredOrg`. Nothing
here knows about boto3. The fingerprint is what a saved plan embeds to detect a stale plan.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from vending.model.types import OuPath


@dataclass(frozen=True)
class LiveOu:
    """An OU, or the root (path ())."""

    id: str
    name: str
    parent_id: str | None
    path: OuPath
    tags: dict[str, str] = field(default_factory=dict)
    policies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Attached policy ids by policy type, sorted."""


@dataclass(frozen=True)
class LiveAccount:
    id: str
    name: str
    email: str
    status: str
    """ACTIVE, SUSPENDED or PENDING_CLOSURE."""
    parent_id: str
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LivePolicy:
    id: str
    name: str
    type: str
    content: str
    """Canonical JSON (see `vending.model.policy_json.canonical`)."""
    aws_managed: bool = False
    description: str = ""


@dataclass(frozen=True)
class PendingCreation:
    """A CreateAccount request still IN_PROGRESS (e.g. from an interrupted apply)."""

    request_id: str
    account_name: str


@dataclass(frozen=True)
class LiveOrg:
    org_id: str
    management_account_id: str
    root: LiveOu
    enabled_policy_types: tuple[str, ...]
    ous: dict[str, LiveOu]
    """Every OU below the root, by id."""
    accounts: dict[str, LiveAccount]
    policies: dict[str, LivePolicy]
    """Every policy of the managed types, by id (AWS-managed ones included)."""
    pending_creations: tuple[PendingCreation, ...] = ()

    def node(self, node_id: str) -> LiveOu | None:
        return self.root if node_id == self.root.id else self.ous.get(node_id)

    def ou_by_path(self) -> dict[OuPath, LiveOu]:
        index = {ou.path: ou for ou in self.ous.values()}
        index[()] = self.root
        return index

    def account_by_email(self) -> dict[str, LiveAccount]:
        return {a.email.lower(): a for a in self.accounts.values()}

    def policy_by_name(self, policy_type: str) -> dict[str, LivePolicy]:
        return {p.name: p for p in self.policies.values() if p.type == policy_type}

    def fingerprint(self) -> str:
        """A stable hash of everything read: equal exactly when the live state is equal."""
        data = asdict(self)
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=list)
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
