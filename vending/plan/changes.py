"""Changes and plans: the one plan format every renderer and the applier read.

A `Change` is one step the applier can take with a few AWS calls. Its `before`/`after` hold the
fields a reviewer compares (and the ids the applier needs); `depends_on` names the addresses
that must be applied first (edges prerequisite -> dependent).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from vending.errors import PlanFileError

FORMAT_VERSION = 2
"""2: saved plans carry `live_digests`, so a stale plan names what changed."""


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    MOVE = "move"
    DELETE = "delete"
    NOOP = "no-op"


class Kind(str, Enum):
    """What a change acts on. Each kind has exactly one applier (see vending.apply.registry)."""

    POLICY_TYPE = "policy_type"
    POLICY = "policy"
    OU = "ou"
    OU_TAGS = "ou_tags"
    ATTACHMENT = "policy_attachment"
    ACCOUNT = "account"
    ACCOUNT_TAGS = "account_tags"
    OU_REGISTRATION = "ou_registration"
    """Control Tower: AWSControlTowerBaseline enabled on an OU (EnableBaseline / Reset)."""
    CONTROL = "control"
    """Control Tower: a control enabled on an OU (EnableControl / DisableControl)."""
    FACTORY_ACCOUNT = "factory_account"
    """Control Tower Account Factory: provision, update (move, retry, enroll) an account."""
    ENROLLMENT = "enrollment"
    """Control Tower Account Factory: unmanage an account (TerminateProvisionedProduct)."""
    STACKSETS_ACCESS = "stacksets_access"
    """Baselines: trusted access for StackSets in Organizations (ActivateOrganizationsAccess)."""
    STACK_SET = "stack_set"
    """Baselines: a SERVICE_MANAGED stack set itself (Create/Update/DeleteStackSet)."""
    STACK_INSTANCES = "stack_instances"
    """Baselines: one Create/Update/DeleteStackInstances operation on a stack set's targets."""
    ACCOUNT_ACCESS = "account_access"
    """Account settings: trusted access for AWS Account Management (EnableAWSServiceAccess)."""
    CONTACT = "alternate_contact"
    """Account settings: one alternate contact of one account (Put/DeleteAlternateContact)."""
    PERMISSION_SET = "permission_set"
    """Identity Center: one permission set (Create/Update/DeletePermissionSet and its policies)."""
    PERMISSION_SET_PROVISIONING = "permission_set_provisioning"
    """Identity Center: ProvisionPermissionSet to every account the set is provisioned to."""
    ACCOUNT_ASSIGNMENT = "account_assignment"
    """Identity Center: one group's permission set on one account (Create/DeleteAccountAssignment)."""
    TAG_OPTION = "tag_option"
    """Catalog: one TagOption of the hub's library (CreateTagOption / UpdateTagOption Active)."""
    BUDGET = "budget"
    """Account settings: an account's budget in the management account (Create/Update/DeleteBudget)."""
    BUDGET_ALERT = "budget_alert"
    """Account settings: one notification of a budget and its subscribers."""
    SUPPORT_CASE = "support_case"
    """Account settings: the case asking AWS Support to add an account to the plan (CreateCase)."""
    CATALOG_PRODUCT = "catalog_product"
    """Catalog: a product, its fields and TagOptions (Create/Update/DeleteProduct)."""
    PRODUCT_VERSION = "product_version"
    """Catalog: one provisioning artifact (Create/UpdateProvisioningArtifact)."""
    PORTFOLIO = "portfolio"
    """Catalog: a portfolio, its products, principals and TagOptions (Create/Update/DeletePortfolio)."""
    CATALOG_CONSTRAINT = "catalog_constraint"
    """Catalog: one constraint of a product in a portfolio (Create/Update/DeleteConstraint)."""
    CATALOG_ORG_ACCESS = "catalog_org_access"
    """Catalog: Service Catalog's access to Organizations (EnableAWSOrganizationsAccess)."""
    PORTFOLIO_SHARE = "portfolio_share"
    """Catalog: one organization-node share of a portfolio (Create/Update/DeletePortfolioShare)."""
    LICENSE_MANAGER_ORG = "license_manager_org"
    """Licenses: License Manager linked to AWS Organizations (UpdateServiceSettings)."""
    LICENSE_GRANT = "license_grant"
    """Licenses: one grant of a license to one principal (CreateGrant / CreateGrantVersion / DeleteGrant)."""
    MARKETPLACE_ACCESS = "marketplace_access"
    """Private Marketplace: its trusted access in Organizations (EnableAWSServiceAccess)."""
    MARKETPLACE_ROLE = "marketplace_service_role"
    """Private Marketplace: its service-linked role (iam:CreateServiceLinkedRole)."""
    MARKETPLACE_EXPERIENCE = "marketplace_experience"
    """Private Marketplace: an experience made (CreateExperience); the kinds below are its parts,
    each applied as the Marketplace Catalog change sets it takes (StartChangeSet)."""
    MARKETPLACE_POLICY = "marketplace_policy"
    """Its procurement policy and whether users may ask for products (Create/UpdateProcurementPolicy)."""
    MARKETPLACE_PRODUCTS = "marketplace_products"
    """The products it allows (AllowProductProcurement, DenyProductProcurement)."""
    MARKETPLACE_BRANDING = "marketplace_branding"
    """Its branding (Create/UpdateBrandingSettings)."""
    MARKETPLACE_AUDIENCE = "marketplace_audience"
    """Principals leaving it (DisassociateAudience) or joining it (AssociateAudience)."""
    MARKETPLACE_STATUS = "marketplace_status"
    """Enabled, disabled or archived (UpdateExperience, RestrictExperience, ReviveExperience)."""


@dataclass(frozen=True)
class Change:
    address: str
    kind: Kind
    action: Action
    reason: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    depends_on: tuple[str, ...] = ()
    destructive: bool = False
    source: str | None = None
    """`file:line` of the YAML that asks for this change, for reviewers."""
    origin: str | None = None
    """With `vend plan --base`: "pr" (the files changed since the base ask for it) or "base"
    (the base's own files ask for it too: pending there, or drift); None otherwise."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["action"] = self.action.value
        data["depends_on"] = list(self.depends_on)
        if self.origin is None:
            del data["origin"]
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Change":
        return Change(
            address=data["address"],
            kind=Kind(data["kind"]),
            action=Action(data["action"]),
            reason=data["reason"],
            before=data.get("before"),
            after=data.get("after"),
            depends_on=tuple(data.get("depends_on", ())),
            destructive=bool(data.get("destructive", False)),
            source=data.get("source"),
            origin=data.get("origin"),
        )


@dataclass(frozen=True)
class Note:
    """Something the reviewer should know that is not a change (unmanaged drift, a closed account)."""

    kind: str
    address: str
    message: str


@dataclass(frozen=True)
class Base:
    """What `vend plan --base REF` compared against (vending.plan.origin defines the split)."""

    ref: str
    commit: str
    merge_base: str | None
    """The commit the branch forked from REF at; None when the clone is too shallow to know."""
    changed_files: tuple[str, ...]
    """Repository files changed since the merge base (or REF), committed or not."""
    withdrawn: tuple[str, ...] = ()
    """Addresses the base's plan has and this plan has not: this tree takes those changes back."""
    problem: str | None = None
    """Why the base could not be planned (then every change counts as this tree's)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["changed_files"] = list(self.changed_files)
        data["withdrawn"] = list(self.withdrawn)
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Base":
        return Base(
            ref=data["ref"], commit=data["commit"], merge_base=data.get("merge_base"),
            changed_files=tuple(data.get("changed_files", ())), withdrawn=tuple(data.get("withdrawn", ())),
            problem=data.get("problem"),
        )


@dataclass
class Plan:
    fingerprint: str
    """Fingerprint of the live state the plan was computed from."""
    changes: list[Change]
    order: list[list[str]]
    """Generations of addresses: each may run concurrently once the previous ones are done."""
    notes: list[Note] = field(default_factory=list)
    git_commit: str | None = None
    target: str = ""
    created_at: str = ""
    ou_tags_read: list[str] | None = None
    """Ids of the root/OUs whose tags the plan read (None: all); apply reads the same ones, so
    the fingerprints compare like with like."""
    live_digests: dict[str, str] | None = None
    """Per-resource digests of the live state (`kind:id` -> digest), kept in saved plans so a
    stale one can name what changed (vending.plan.staleness); None when not kept."""
    baselines_read: bool = False
    """The plan read StackSets (the repository declares baselines); apply reads them too."""
    contacts_read: list[list[str]] | None = None
    """[account id, contact type] pairs whose alternate contacts the plan asked for (None: the
    repository declares none); apply reads the same ones."""
    identity_read: dict[str, list[str]] | None = None
    """{"groups": [...], "permission_sets": [...]} the plan read from IAM Identity Center (None:
    the repository declares no access); apply reads the same ones."""
    catalog_read: bool = False
    """The plan read the Service Catalog hub (the repository declares catalog/); apply too."""
    budgets_read: bool = False
    support_read: bool = False
    marketplace_read: bool = False
    """The plan read the Private Marketplace (the repository declares catalog/marketplace/)."""
    """The plan read the management account's budgets / support cases; apply reads them too."""
    licenses_read: bool = False
    """The plan read License Manager (the repository has catalog/licenses/); apply reads it too."""
    budget_subscribers_read: bool = False
    """The plan read the budget alerts' subscribers as well (`--check-subscribers`); apply too."""
    base: Base | None = None
    """Set by `vend plan --base`; older plans and plain plans have none (the key is left out)."""
    refresh: dict[str, Any] | None = None
    """How `vend plan` read the organization (`vending.refresh`: mode, snapshot age, events read,
    why it read in full); None for plans computed elsewhere (the key is left out)."""
    format_version: int = FORMAT_VERSION

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)

    def destructive(self) -> list[str]:
        return [c.address for c in self.changes if c.destructive]

    def summary(self) -> dict[str, int]:
        """Terraform's three counts. "destroy" counts exactly the changes `--allow-destroy`
        guards (closing, unmanaging, deleting an OU); a detach or a disable is reversible by the
        next apply, so it is a change."""
        counts = {"add": 0, "change": 0, "destroy": 0}
        for change in self.changes:
            if change.destructive:
                counts["destroy"] += 1
            elif change.action is Action.CREATE:
                counts["add"] += 1
            elif change.action in (Action.UPDATE, Action.MOVE, Action.DELETE):
                counts["change"] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        base = {"base": self.base.to_json()} if self.base else {}
        return {
            "format_version": self.format_version,
            "created_at": self.created_at,
            "git_commit": self.git_commit,
            **base,
            "target": self.target,
            **({"refresh": self.refresh} if self.refresh is not None else {}),
            "fingerprint": self.fingerprint,
            "read_scope": {"ou_tags": self.ou_tags_read, "baselines": self.baselines_read,
                           **({"contacts": self.contacts_read} if self.contacts_read is not None else {}),
                           **({"catalog": True} if self.catalog_read else {}),
                           **({"budgets": {"subscribers": self.budget_subscribers_read}} if self.budgets_read else {}),
                           **({"support": True} if self.support_read else {}),
                           **({"licenses": True} if self.licenses_read else {}),
                           **({"marketplace": True} if self.marketplace_read else {}),
                           **({"identity": self.identity_read} if self.identity_read is not None else {})},
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
            "order": self.order,
            "notes": [asdict(n) for n in self.notes],
            "live_digests": self.live_digests,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Plan":
        version = data.get("format_version") if isinstance(data, dict) else None
        if version != FORMAT_VERSION:
            raise PlanFileError(
                f"plan format_version {version!r} is not supported (this vend reads {FORMAT_VERSION});"
                " run `vend plan --out` again with this version"
            )
        try:
            return Plan(
                format_version=version,
                fingerprint=data["fingerprint"],
                changes=[Change.from_json(c) for c in data["changes"]],
                order=[list(g) for g in data["order"]],
                notes=[Note(**n) for n in data.get("notes", [])],
                git_commit=data.get("git_commit"),
                target=data.get("target", ""),
                created_at=data.get("created_at", ""),
                ou_tags_read=(data.get("read_scope") or {}).get("ou_tags"),
                live_digests=data.get("live_digests"),
                baselines_read=bool((data.get("read_scope") or {}).get("baselines", False)),
                contacts_read=(data.get("read_scope") or {}).get("contacts"),
                catalog_read=bool((data.get("read_scope") or {}).get("catalog", False)),
                budgets_read=bool((data.get("read_scope") or {}).get("budgets", False)),
                budget_subscribers_read=_subscribers_read((data.get("read_scope") or {}).get("budgets")),
                support_read=bool((data.get("read_scope") or {}).get("support", False)),
                licenses_read=bool((data.get("read_scope") or {}).get("licenses", False)),
                marketplace_read=bool((data.get("read_scope") or {}).get("marketplace", False)),
                identity_read=(data.get("read_scope") or {}).get("identity"),
                base=Base.from_json(data["base"]) if data.get("base") else None,
                refresh=data.get("refresh") if isinstance(data.get("refresh"), dict) else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanFileError(f"plan file is malformed: {exc}") from exc

    @staticmethod
    def loads(text: str) -> "Plan":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanFileError(f"plan file is not JSON: {exc}") from exc
        return Plan.from_json(data)


def _subscribers_read(budgets: Any) -> bool:
    """read_scope.budgets: {"subscribers": bool}; `true` (plans before the option) read them."""
    return bool(budgets.get("subscribers")) if isinstance(budgets, dict) else bool(budgets)
