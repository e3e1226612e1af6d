"""The flow every command shares: load -> read live -> plan, and apply(plan)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from vending import base_ref
from vending.apply.context import ApplyContext, Polling
from vending.apply.executor import ApplyReport, Progress, execute
from vending.apply.lock import ApplyLock, default_bucket
from vending.apply.registry import holds, limits
from vending.aws.clients import AwsClients
from vending.errors import BaseRefError, DestroyNotAllowed, LockError, PlanError, StalePlanError, ValidationFailed
from vending.model.live import LiveOrg
from vending.model.loader import load
from vending.model.catalog_enforced import BASELINE_PREFIX
from vending.model.live_baselines import LiveBaselines
from vending.model.live_marketplace import PRINCIPAL as MARKETPLACE_PRINCIPAL
from vending.model.live_marketplace import LiveMarketplace
from vending.model.types import DesiredOrg, OrgSettings, OuPath
from vending.plan import origin, staleness
from vending.plan.build import build_plan
from vending.plan.changes import Base, Plan
from vending.plan.diff_budgets import reads_budgets
from vending.plan.diff_contacts import ContactScope, contact_scope
from vending.plan.diff_support import reads_support
from vending.plan.diff_identity import IdentityScope, identity_scope
from vending.plan.diff_licenses import reads_licenses
from vending.plan.diff_marketplace import reads_marketplace
from vending.plan.diff_ous import tag_scope
from vending.plan.catalog_report import CatalogReport
from vending.plan.catalog_report import report as build_catalog_report
from vending.state.baselines import PRINCIPAL as STACKSETS_PRINCIPAL
from vending.state.baselines import StackSetsReader
from vending.state.contacts import ACCOUNT_REGION, ContactsReader
from vending.state.budgets import BUDGETS_REGION, BudgetsReader
from vending.state.catalog import PRINCIPAL as CATALOG_PRINCIPAL
from vending.state.catalog import CatalogReader
from vending.state.catalog_launches import Progress, read_launches, report_role
from vending.state.support import SUPPORT_REGION, SupportReader
from vending.state.control_tower import ControlTowerReader, landing_zone
from vending.state.identity import IdentityReader
from vending.state.licenses import LicensesReader
from vending.state.marketplace import CATALOG_REGION, MarketplaceReader
from vending.state.organizations import OrganizationsReader, delegated_admins

OrganizationsRead = Callable[[Callable[[OuPath, str], bool]], LiveOrg]
"""Reads the Organizations state for an OU tag scope (a full read, or `vending.refresh`)."""


def read_live(
    clients: AwsClients,
    settings: OrgSettings,
    *,
    ou_tags: Callable[[OuPath, str], bool] = lambda path, node_id: True,
    baselines: bool = False,
    contacts: ContactScope | None = None,
    catalog: bool = False,
    budgets: bool = False,
    budget_subscribers: bool = False,
    support: bool = False,
    identity: IdentityScope | None = None,
    licenses: bool = False,
    marketplace: bool = False,
    workers: int = 4,
    organizations: OrganizationsRead | None = None,
) -> LiveOrg:
    """Always through read-only clients: reading can never change AWS. StackSets (in the home
    Region) only with `baselines`, i.e. when the repository declares any; alternate contacts
    only with `contacts` (the accounts and types to read, from the accounts just read); the
    Service Catalog hub only with `catalog` (the repository has catalog/); the management
    account's budgets and support cases only with `budgets` / `support` (some account declares
    one), the budget alerts' subscribers only with `budget_subscribers` as well; IAM Identity
    Center (in the home Region) only with `identity` (the groups and permission sets `access`
    names); License Manager (in the home Region) only with `licenses` (the repository has
    catalog/licenses/); the Private Marketplace only with `marketplace` (the repository has
    experiences). `organizations` reads the Organizations part instead of a full read
    (`vending.refresh`: the snapshot brought up to date by change events)."""
    reader = clients.reader()
    if organizations is not None:
        live = organizations(ou_tags)
    else:
        live = OrganizationsReader(reader.organizations(), workers=workers).read(ou_tags)
    if baselines:
        live = replace(live, baselines=_read_stack_sets(reader, settings, workers))
    if contacts is not None:
        account = reader.client("account", ACCOUNT_REGION)
        read = ContactsReader(account, reader.organizations(), live.management_account_id).read(contacts(live))
        live = replace(live, contacts=read)
    if catalog:
        _refuse_unregistered(reader, settings, "catalog", CATALOG_PRINCIPAL,
                             "a Service Catalog delegated administrator",
                             "remove catalog.delegated_admin and catalog.role_arn from vend.yaml to keep the catalog"
                             " in the management account")
        live = replace(live, catalog=CatalogReader(_hub_clients(reader, settings).client(
            "servicecatalog", settings.home_region)).read())
    if budgets:
        live = replace(live, budgets=BudgetsReader(reader.client("budgets", BUDGETS_REGION), live.management_account_id,
                                                   subscribers=budget_subscribers).read())
    if support:
        live = replace(live, support=SupportReader(reader.client("support", SUPPORT_REGION)).read())
    if identity is not None:
        region = settings.home_region
        read_identity = IdentityReader(reader.client("sso-admin", region), reader.client("identitystore", region),
                                       region, workers=workers).read(identity.groups, identity.permission_sets)
        live = replace(live, identity=read_identity)
    if licenses:
        live = replace(live, licenses=LicensesReader(reader.client("license-manager", settings.home_region)).read())
    if marketplace:
        live = replace(live, marketplace=_read_marketplace(reader, settings))
    if settings.account_factory != "control-tower":
        _refuse_landing_zone(reader.client("controltower", settings.home_region), settings)
        return live
    control_tower = ControlTowerReader(
        reader.client("controltower", settings.home_region),
        reader.client("servicecatalog", settings.home_region),
        workers=workers,
    ).read()
    return replace(live, control_tower=control_tower)


def _read_stack_sets(reader: AwsClients, settings: OrgSettings, workers: int) -> LiveBaselines:
    """vend's stack sets: as the management account, or - with vend.yaml `stacksets` - as the
    registered delegated administrator (its role, CallAs DELEGATED_ADMIN)."""
    admin = settings.stacksets
    if admin is None:
        cloudformation = reader.client("cloudformation", settings.home_region)
        return StackSetsReader(cloudformation, settings.home_region, workers=workers).read()
    _refuse_unregistered(reader, settings, "stacksets", STACKSETS_PRINCIPAL, "a StackSets delegated administrator",
                         "remove stacksets from vend.yaml to run StackSets from the management account")
    cloudformation = reader.assumed(admin.role_arn, settings.home_region).client("cloudformation", settings.home_region)
    return StackSetsReader(cloudformation, settings.home_region, workers=workers, call_as="DELEGATED_ADMIN").read()


def _read_marketplace(reader: AwsClients, settings: OrgSettings) -> LiveMarketplace:
    """As the management account, or - with vend.yaml `marketplace` - through the delegated
    administrator's role, listing what the management account shares with it."""
    admin = settings.marketplace
    _refuse_unregistered(reader, settings, "marketplace", MARKETPLACE_PRINCIPAL,
                         "a delegated administrator for private marketplace",
                         "remove marketplace from vend.yaml to manage the Private Marketplace from the management"
                         " account")
    catalog = (reader.assumed(admin.role_arn, CATALOG_REGION) if admin else reader).client(
        "marketplace-catalog", CATALOG_REGION)
    return MarketplaceReader(catalog, reader.organizations(), reader.client("iam", CATALOG_REGION),
                             shared=admin is not None).read()


def _refuse_unregistered(reader: AwsClients, settings: OrgSettings, key: str, principal: str, what: str,
                         otherwise: str) -> None:
    """vend.yaml `key` names a delegated administrator: the plan stops unless Organizations lists
    it for `principal` (ListDelegatedAdministrators), with the command that registers it."""
    admin = getattr(settings, key)
    account = admin.delegated_admin if admin is not None else None
    if account is None or account in delegated_admins(reader.organizations(), principal):
        return
    raise PlanError([
        f"{settings.source.at(key)}: {key}.delegated_admin: account {account} is not registered as {what}."
        " Register it from the management account (aws organizations register-delegated-administrator"
        f" --account-id {account} --service-principal {principal}, after trusted access is enabled), or"
        f" {otherwise}"
    ])


def _hub_clients(clients: AwsClients, settings: OrgSettings) -> AwsClients:
    """The Service Catalog hub's clients: the management account's, or through catalog.role_arn."""
    hub = settings.catalog
    return clients.assumed(hub.role_arn, settings.home_region) if hub and hub.role_arn else clients


def _refuse_landing_zone(controltower: object, settings: OrgSettings) -> None:
    """Under a Control Tower landing zone, accounts must go through Account Factory: created
    with CreateAccount they would not be enrolled, and moved with MoveAccount their controls
    and baselines go wrong (aws-facts §1.3)."""
    zone = landing_zone(controltower)
    if zone:
        raise PlanError([
            f"{settings.source.at('account_factory')}: account_factory: organizations, but this"
            f" organization has a Control Tower landing zone ({zone}); vend would create and move"
            " accounts behind Control Tower's back. Set account_factory: control-tower in vend.yaml"
        ])


def plan(
    desired: DesiredOrg, clients: AwsClients, *, git_commit: str | None, target: str, saving: bool = False,
    check_subscribers: bool = False,
    organizations: OrganizationsRead | None = None,
) -> tuple[Plan, LiveOrg]:
    """The plan, and the live state it was computed from (for an immediate apply). A plan
    `saving` for a later `vend apply plan.json` keeps per-resource digests of that state, so a
    stale one can say what changed. `check_subscribers` (`vend plan --check-subscribers`) reads
    the budget alerts' subscribers too, as vend.yaml `budgets.check_subscribers` does."""
    live = read_live(clients, desired.settings, ou_tags=tag_scope(desired), baselines=bool(desired.baselines),
                     contacts=contact_scope(desired), catalog=desired.catalog is not None,
                     budgets=reads_budgets(desired), support=reads_support(desired),
                     budget_subscribers=check_subscribers or desired.settings.budgets.check_subscribers,
                     identity=identity_scope(desired), licenses=reads_licenses(desired),
                     marketplace=reads_marketplace(desired), organizations=organizations)
    computed = build_plan(desired, live, git_commit=git_commit, target=target)
    if saving:
        computed.live_digests = staleness.digests(live)
    return computed, live


def plan_with_base(
    desired: DesiredOrg, repo: Path, ref: str, clients: AwsClients, *, git_commit: str | None, target: str,
    saving: bool = False, check_subscribers: bool = False, organizations: OrganizationsRead | None = None,
) -> tuple[Plan, LiveOrg]:
    """The plan, each change marked as this tree's ("pr") or the base's (vending.plan.origin).

    Both trees are planned against one read of the organization, scoped to what either needs,
    so they differ only where their files do. A base that cannot be planned (invalid files, no
    such folder, an impossible plan) is reported in the plan; then every change is this tree's."""
    base = base_ref.resolve(repo, ref)
    base_desired, problem = _load_base(repo, base)
    scopes = [tag_scope(desired)] + ([tag_scope(base_desired)] if base_desired else [])
    live = read_live(
        clients, desired.settings, ou_tags=lambda path, node_id: any(scope(path, node_id) for scope in scopes),
        baselines=bool(desired.baselines) or bool(base_desired and base_desired.baselines),
        contacts=_either(contact_scope(desired), contact_scope(base_desired) if base_desired else None),
        catalog=desired.catalog is not None or bool(base_desired and base_desired.catalog is not None),
        budgets=reads_budgets(desired) or bool(base_desired and reads_budgets(base_desired)),
        budget_subscribers=check_subscribers or desired.settings.budgets.check_subscribers,
        support=reads_support(desired) or bool(base_desired and reads_support(base_desired)),
        identity=_either_identity(identity_scope(desired), identity_scope(base_desired) if base_desired else None),
        licenses=reads_licenses(desired) or bool(base_desired and reads_licenses(base_desired)),
        marketplace=reads_marketplace(desired) or bool(base_desired and reads_marketplace(base_desired)),
        organizations=organizations,
    )
    computed = build_plan(desired, live, git_commit=git_commit, target=target)
    base_plan = None
    if base_desired is not None:
        try:
            base_plan = build_plan(base_desired, live, git_commit=base.commit, target=target)
        except PlanError as exc:
            problem = f"{ref}'s files cannot be planned against this organization: {exc}"
    if problem and len(problem) > 600:  # one sentence in a PR comment, not every finding
        problem = problem[:600] + "..."
    computed = origin.split(computed, base_plan, replace(base, problem=problem))
    if saving:
        computed.live_digests = staleness.digests(live)
    return computed, live


def _either(*scopes: ContactScope | None) -> ContactScope | None:
    """The contacts both trees need read (None when neither declares any)."""
    present = [s for s in scopes if s is not None]
    if not present:
        return None
    return lambda live: sorted({pair for scope in present for pair in scope(live)})


def _either_identity(*scopes: IdentityScope | None) -> IdentityScope | None:
    """The groups and permission sets both trees need read (None when neither declares access)."""
    present = [s for s in scopes if s is not None]
    if not present:
        return None
    return IdentityScope(tuple(sorted({g for s in present for g in s.groups})),
                         tuple(sorted({p for s in present for p in s.permission_sets})))


def _load_base(repo: Path, base: Base) -> tuple[DesiredOrg | None, str | None]:
    try:
        with base_ref.checkout(repo, base) as tree:
            return load(tree), None
    except BaseRefError as exc:
        return None, str(exc)
    except ValidationFailed as exc:
        first = exc.diagnostics[0].format().splitlines()[0] if exc.diagnostics else ""
        return None, f"{base.ref}'s files do not validate ({len(exc.diagnostics)} problem(s); first: {first})"


def prepare_apply(
    saved: Plan,
    clients: AwsClients,
    settings: OrgSettings,
    *,
    allow_destroy: bool,
    polling: Polling,
    live: LiveOrg | None = None,
) -> ApplyContext:
    """Check a plan may be applied; `live` is the state it was just computed from, if any.

    A saved plan is applied only while the organization is exactly as it was when the plan was
    computed: the live state is read again and its fingerprint compared.
    """
    destructive = saved.destructive()
    if destructive and not allow_destroy:
        raise DestroyNotAllowed(destructive)
    if live is None:
        scope = None if saved.ou_tags_read is None else set(saved.ou_tags_read)
        live = read_live(
            clients, settings, ou_tags=lambda path, node_id: scope is None or node_id in scope,
            baselines=saved.baselines_read, catalog=saved.catalog_read,
            budgets=saved.budgets_read, budget_subscribers=saved.budget_subscribers_read, support=saved.support_read,
            licenses=saved.licenses_read,
            contacts=None if saved.contacts_read is None else _saved_scope(saved.contacts_read),
            identity=None if saved.identity_read is None else IdentityScope(
                tuple(saved.identity_read.get("groups", ())), tuple(saved.identity_read.get("permission_sets", ()))),
            marketplace=saved.marketplace_read,
        )
    if live.fingerprint() != saved.fingerprint:
        changed = staleness.what_changed(saved.live_digests, live) if saved.live_digests else ""
        raise StalePlanError(
            "plan is stale, run vend plan again: the organization changed since the plan was"
            f" computed (plan {saved.fingerprint[:19]}, now {live.fingerprint()[:19]})"
            + (f": {changed}" if changed else "")
        )
    role = settings.stacksets.role_arn if settings.stacksets else None
    hub_role = settings.catalog.role_arn if settings.catalog else None
    return ApplyContext(live, clients, polling, settings.home_region, stacksets_role=role, catalog_role=hub_role,
                        marketplace_role=settings.marketplace.role_arn if settings.marketplace else None)


def _saved_scope(pairs: list[list[str]]) -> ContactScope:
    return lambda live: [(account_id, kind) for account_id, kind in pairs]


def apply(
    saved: Plan,
    ctx: ApplyContext,
    settings: OrgSettings,
    *,
    progress: Progress = lambda outcome: None,
) -> ApplyReport:
    return execute(
        saved, ctx, concurrency=settings.apply_concurrency, limits=limits(settings), holds=holds(ctx),
        progress=progress,
    )


def apply_lock(clients: AwsClients, settings: OrgSettings) -> ApplyLock:
    """The organization's apply lock (vend.yaml `lock`); by default in the bucket
    `vend-lock-<account id>` of the credentials vend applies with (the management account)."""
    bucket = settings.lock.bucket
    if bucket is None:
        principal = clients.principal()
        if principal is None:
            raise LockError("cannot tell which account vend applies as (sts:GetCallerIdentity"
                            " failed), so not the apply lock's default bucket either: set"
                            " lock.bucket in vend.yaml")
        bucket = default_bucket(principal.split(":")[4])
    return ApplyLock(clients.client("s3", settings.home_region), bucket, settings.lock.key)


def git_commit(repo: Path) -> str | None:
    """The commit the repository is at ("<sha>-dirty" with uncommitted changes), if it is git."""
    try:
        import git

        repository = git.Repo(repo, search_parent_directories=True)
        sha = repository.head.commit.hexsha
    except Exception:  # not a git checkout, no commits yet, or git missing: the plan says null
        return None
    return f"{sha}-dirty" if repository.is_dirty(untracked_files=True) else sha


def catalog_report(desired: DesiredOrg, clients: AwsClients, *, self_service: bool = False,
                   progress: Progress = lambda done, total: None) -> CatalogReport:
    """`vend catalog report` from the reads a plan makes of the hub and of the enforced
    portfolios' stack sets (vending.plan.catalog_report); with `self_service`, also each active
    account's provisioned products through the report role (one AssumeRole per account)."""
    enforced = {n: b for n, b in desired.baselines.items() if n.startswith(BASELINE_PREFIX)}
    live = read_live(clients, desired.settings, ou_tags=lambda path, node_id: False, baselines=bool(enforced),
                     catalog=desired.catalog is not None)
    launches = None
    if self_service:
        active = sorted(a.id for a in live.accounts.values() if a.status == "ACTIVE")
        launches = read_launches(clients, active, live.management_account_id, report_role(desired.settings),
                                 desired.settings.home_region, progress)
    return build_catalog_report(desired, live, launches)
