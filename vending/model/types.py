"""The DESIRED organization, as loaded from the repository's YAML and JSON files.

Pure data: frozen dataclasses with no AWS access. Mappings are plain dicts by convention and
must not be mutated after loading.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from vending.model.baseline_types import AccountBaseline, Allocation, BaselineRef, BaselineSpec, IpPlan
    from vending.model.catalog_types import CatalogHub, CatalogSpec
    from vending.model.marketplace_types import MarketplaceSpec

from vending.model.settings_types import EMPTY, AccountSettings, PermissionSetSpec, SettingsLayer, resolve

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
    event_delivery_seconds: float = 0.0
    """kind local: how late the in-process emulator shows a call's CloudTrail event."""


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
class LockSettings:
    """vend.yaml `lock:`: the S3 object `vend apply` holds while it runs (vending.apply.lock)."""

    bucket: str | None = None
    """None: `vend-lock-<account id>` of the credentials vend applies with."""
    key: str = "vend/apply.lock"


@dataclass(frozen=True)
class BudgetsSettings:
    """vend.yaml `budgets:`: how the plan reads vend's budgets (vending.state.budgets)."""

    check_subscribers: bool = False
    """Read every alert's subscribers (one call per alert) so console edits of recipients show."""


@dataclass(frozen=True)
class StackSetsAdmin:
    """vend.yaml `stacksets`: run StackSets from a registered delegated administrator account
    (CallAs DELEGATED_ADMIN) through `role_arn`, a role in that account."""

    delegated_admin: str
    role_arn: str


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
    template_bucket: str | None = None
    """S3 bucket for stack-set templates over the 51,200-byte inline limit (TemplateURL, <= 1 MB)."""
    ip_plan: IpPlan | None = None
    lock: LockSettings = LockSettings()
    stacksets: StackSetsAdmin | None = None
    """None: StackSets calls run in the management account (CallAs SELF)."""
    catalog: CatalogHub | None = None
    """vend.yaml `catalog`: the Service Catalog hub and its template bucket."""
    budgets: BudgetsSettings = BudgetsSettings()
    marketplace: StackSetsAdmin | None = None
    """vend.yaml `marketplace`: a Private Marketplace delegated administrator and its role (None:
    the management account)."""


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
    baselines: tuple[BaselineRef, ...] = ()
    settings: SettingsLayer = EMPTY
    """contacts, budget, access, support inherited by the accounts below."""
    """Baselines every account of this OU's subtree must have (one stack set each, OU-targeted)."""

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
    baselines: dict[str, AccountBaseline] = field(default_factory=dict)
    """Per-account baseline settings: parameter values of its own, or an exclusion."""
    network: dict[str, Allocation] = field(default_factory=dict)
    settings: SettingsLayer = EMPTY
    """The account file's own contacts, budget, access, support (overriding its OUs')."""
    """The account's IP blocks by Region (vend.yaml ip_plan), as committed in its file."""


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
    baselines: dict[str, BaselineSpec] = field(default_factory=dict)
    permission_sets: dict[str, PermissionSetSpec] = field(default_factory=dict)
    catalog: CatalogSpec | None = None
    """catalog/ (None: the repository declares no Service Catalog)."""
    marketplace: MarketplaceSpec | None = None
    """catalog/marketplace/ and catalog/licenses/ (None: the repository declares neither)."""

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

    def account_settings(self, account: AccountSpec) -> AccountSettings:
        """Contacts, budget, access and support: the root's, each OU's down, then the account's."""
        ous = [self.ou(account.ou[:depth]) for depth in range(len(account.ou) + 1)]
        return resolve([spec.settings for spec in ous if spec is not None] + [account.settings])

    def sso_user(self, account: AccountSpec) -> SsoUser:
        """The account's Identity Center user: its overrides, then vend.yaml's, then its email."""
        defaults = self.settings.control_tower.sso_user
        merged = {
            "email": defaults.email, "first_name": defaults.first_name, "last_name": defaults.last_name,
            **account.sso_user,
        }
        merged["email"] = merged["email"] or account.email
        return SsoUser(**merged)

    def baseline_targets(self, name: str) -> tuple[OuPath, ...]:
        """The OUs a baseline's stack set targets: those listing it, minus any below another
        that lists it (AWS's OU targets include every child OU). () is the root."""
        listing = sorted(spec.path for spec in ([self.root] if self.root else []) + list(self.ous.values())
                         if any(ref.name == name for ref in spec.baselines))
        return tuple(p for p in listing if not any(p[:depth] in listing for depth in range(len(p))))

    def placement(self, account: AccountSpec) -> OuPath:
        """The OU an account must sit in: its own, or the quarantine OU once suspended."""
        return self.settings.quarantine_ou if account.state == "suspended" else account.ou
