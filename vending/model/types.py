"""The DESIRED organization, as loaded from the repository's YAML and JSON files.

Pure data: frozen dataclasses with no AWS access. Mappings are plain dicts by convention and
must not be mutated after loading.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

OuPath = tuple[str, ...]
"""An OU by its names from the root: ("Workloads", "Dev"). The root itself is ()."""

ROOT: OuPath = ()

SCP = "SERVICE_CONTROL_POLICY"
TAG_POLICY = "TAG_POLICY"
POLICY_TYPES = (SCP, TAG_POLICY)
POLICY_FOLDERS = {SCP: "scp", TAG_POLICY: "tag"}
"""Policy documents live in <policies_dir>/<folder>/<name>.json."""

FULL_AWS_ACCESS = "FullAWSAccess"
"""The AWS-managed SCP every OU gets on creation; kept unless an OU says `full_aws_access: false`."""

AccountState = Literal["active", "suspended", "closed"]


def path_str(path: OuPath) -> str:
    """Human form of an OU path: "Workloads/Dev", or "Root" for the root."""
    return "/".join(path) if path else "Root"


def parse_path(text: str) -> OuPath:
    """Inverse of `path_str` for user input: "Workloads/Dev" -> ("Workloads", "Dev")."""
    text = text.strip().strip("/")
    if text in ("", "Root"):
        return ROOT
    return tuple(part for part in text.split("/"))


def control_arn(identifier: str, region: str) -> str:
    """A control as the controltower API names it: short ids become regional control ARNs."""
    if identifier.startswith("arn:"):
        return identifier
    return f"arn:aws:controltower:{region}::control/{identifier}"


@dataclass(frozen=True, order=True)
class Source:
    """Where a thing was declared: a repo-relative POSIX path and a 1-based line, plus the
    lines of its top-level keys so a plan can point at the very line asking for a change."""

    file: str
    line: int = 1
    fields: tuple[tuple[str, int], ...] = ()

    def at(self, field: str | None = None) -> str:
        """`file:line` of `field` (or of the declaration when the field is not written)."""
        line = dict(self.fields).get(field, self.line) if field else self.line
        return f"{self.file}:{line}"


@dataclass(frozen=True)
class FaultRule:
    """One injected fault of vend.yaml `target.faults.throttle` / `.fail`."""

    operation: str
    service: str = "organizations"
    times: int = 1
    """throttle: how many calls in a row."""
    on_call: int = 1
    """fail: which call fails."""
    code: str = "ServiceException"
    """fail: the error code."""


@dataclass(frozen=True)
class FaultSettings:
    """vend.yaml `target.faults`: what the in-process local emulator injects."""

    throttle_rate: float = 0.0
    seed: int = 0
    throttle: tuple[FaultRule, ...] = ()
    fail: tuple[FaultRule, ...] = ()


@dataclass(frozen=True)
class Target:
    """Which AWS to talk to: the embedded local emulator, or a real organization."""

    kind: Literal["local", "aws"] = "local"
    profile: str | None = None
    role_arn: str | None = None
    state_dir: str = ".vend"
    endpoint: str | None = None
    """kind local: a running `vend local serve` instead of the in-process emulator."""
    faults: FaultSettings = FaultSettings()


@dataclass(frozen=True)
class SsoUser:
    """Account Factory's Identity Center user (SSOUserEmail/FirstName/LastName)."""

    email: str | None = None
    """None: the account's own email."""
    first_name: str = "Account"
    last_name: str = "Owner"


@dataclass(frozen=True)
class ControlTowerSettings:
    """vend.yaml `control_tower:`; used when account_factory is control-tower."""

    account_concurrency: int = 5
    """Account Factory operations in flight: the quota is 5 by default, at most 10 (aws-facts §1.4)."""
    identity_center: bool = True
    baseline_version: str = "4.0"
    sso_user: SsoUser = SsoUser()


@dataclass(frozen=True)
class OrgSettings:
    """vend.yaml: organization-wide settings."""

    home_region: str
    governed_regions: tuple[str, ...]
    account_factory: Literal["organizations", "control-tower"]
    target: Target
    required_tags: tuple[str, ...]
    quarantine_ou: OuPath
    policies_dir: str = "policies"
    apply_concurrency: int = 4
    control_tower: ControlTowerSettings = ControlTowerSettings()
    source: Source = Source("vend.yaml")


@dataclass(frozen=True)
class OuSpec:
    """ous/<Path>/ou.yaml, or ous/ou.yaml for the root (policies and tags only)."""

    path: OuPath
    source: Source
    description: str = ""
    tags: dict[str, str] | None = None
    """The OU's own tags, fully reconciled; None (no `tags` key) leaves them unmanaged."""
    default_account_tags: dict[str, str] = field(default_factory=dict)
    scps: tuple[str, ...] = ()
    tag_policies: tuple[str, ...] = ()
    full_aws_access: bool = True
    pinned_id: str | None = None
    renamed_from: str | None = None
    retired: bool = False
    controls: tuple[str, ...] = ()
    """Control Tower control identifiers, as written (see `control_arn`)."""

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else "Root"

    @property
    def parent(self) -> OuPath:
        return self.path[:-1]

    def attached(self, policy_type: str) -> tuple[str, ...]:
        """Policy names this OU must have attached, FullAWSAccess included where kept."""
        if policy_type == SCP:
            keep = (FULL_AWS_ACCESS,) if self.full_aws_access else ()
            return keep + tuple(n for n in self.scps if n != FULL_AWS_ACCESS)
        return self.tag_policies


@dataclass(frozen=True)
class AccountSpec:
    """accounts/<name>.yaml."""

    name: str
    email: str
    ou: OuPath
    owner: str
    source: Source
    tags: dict[str, str] = field(default_factory=dict)
    pinned_id: str | None = None
    state: AccountState = "active"
    sso_user: dict[str, str] = field(default_factory=dict)
    """Overrides of vend.yaml's control_tower.sso_user (email, first_name, last_name)."""


@dataclass(frozen=True)
class PolicySpec:
    """<policies_dir>/<scp|tag>/<name>.json. `content` is canonical (minified, sorted) JSON."""

    name: str
    type: str
    content: str
    source: Source
    description: str = ""


@dataclass(frozen=True)
class DesiredOrg:
    """Everything the repository declares."""

    settings: OrgSettings
    root: OuSpec | None
    ous: dict[OuPath, OuSpec]
    accounts: dict[str, AccountSpec]
    policies: dict[tuple[str, str], PolicySpec]

    def ou(self, path: OuPath) -> OuSpec | None:
        return self.root if path == ROOT else self.ous.get(path)

    def account_tags(self, account: AccountSpec) -> dict[str, str]:
        """Effective tags: OU defaults from the root down, then `owner`, then the account's own."""
        tags: dict[str, str] = {}
        for depth in range(len(account.ou) + 1):
            spec = self.ou(account.ou[:depth])
            if spec is not None:
                tags.update(spec.default_account_tags)
        tags["owner"] = account.owner
        tags.update(account.tags)
        return tags

    def sso_user(self, account: AccountSpec) -> SsoUser:
        """The account's Identity Center user: its overrides, then vend.yaml's, then its email."""
        defaults = self.settings.control_tower.sso_user
        merged = {
            "email": defaults.email, "first_name": defaults.first_name, "last_name": defaults.last_name,
            **account.sso_user,
        }
        merged["email"] = merged["email"] or account.email
        return SsoUser(**merged)

    def placement(self, account: AccountSpec) -> OuPath:
        """The OU an account must sit in: its own, or the quarantine OU once suspended."""
        return self.settings.quarantine_ou if account.state == "suspended" else account.ou
