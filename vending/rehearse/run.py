"""The rehearsal: read the organization, copy it into a scratch local AWS, apply, plan again.

The real target is only ever read, through `engine.read_live` (read-only clients: a mutating
call raises before it is sent), and its connection is closed before the scratch emulator
starts. Every tag is read, whatever the repository manages, so the copy holds them all; a
fresh plan then sees exactly what `vend plan` would (`scoped`), and a saved plan is accepted
by the copy exactly when it would be accepted by the organization: `engine.prepare_apply`
checks its fingerprint against the copy as `vend apply` checks it against AWS.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from vending import engine
from vending.apply.context import INSTANT
from vending.apply.executor import ApplyReport, Outcome
from vending.aws.clients import AwsClients
from vending.errors import RehearsalError
from vending.model.live import LiveOrg, LiveOu
from vending.model.types import DesiredOrg, OrgSettings
from vending.plan import staleness
from vending.plan.build import build_plan
from vending.plan.changes import Plan
from vending.plan.diff_budgets import reads_budgets
from vending.plan.diff_licenses import reads_licenses
from vending.plan.diff_contacts import ContactScope, contact_scope
from vending.plan.diff_support import reads_support
from vending.plan.diff_identity import IdentityScope, identity_scope
from vending.plan.diff_marketplace import reads_marketplace
from vending.plan.diff_ous import tag_scope
from vending.rehearse import copy, copy_control_tower
from vending.target import connect


@dataclass(frozen=True)
class Rehearsal:
    plan: Plan
    """The plan rehearsed: the saved one, or one computed from the organization just read."""
    source: str
    """The target that was read (and never written)."""
    copied: copy.Copied
    report: ApplyReport
    end_plan: Plan
    """The repository planned against the copy after the apply."""

    def refused(self) -> list[Outcome]:
        return self.report.by_status("failed")

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.end_plan.has_changes


def rehearse(
    desired: DesiredOrg,
    repo: Path,
    saved: Plan | None,
    *,
    git_commit: str | None,
    observers: tuple[Callable[[str], None], ...] = (),
) -> Rehearsal:
    """Rehearse `saved` (or a plan computed now) on a copy of the organization vend.yaml names.
    `observers` see every request sent to the real target (none of the scratch copy's)."""
    settings = desired.settings
    scope = Scope(baselines=bool(desired.baselines) or bool(saved and saved.baselines_read),
                  contacts=_contacts(desired, saved),
                  catalog=desired.catalog is not None or bool(saved and saved.catalog_read),
                  budgets=reads_budgets(desired) or bool(saved and saved.budgets_read),
                  support=reads_support(desired) or bool(saved and saved.support_read),
                  identity=_identity(desired, saved),
                  licenses=reads_licenses(desired) or bool(saved and saved.licenses_read),
                  marketplace=reads_marketplace(desired) or bool(saved and saved.marketplace_read))
    live, source, outputs = read(settings, repo, scope, observers=observers)
    missing = copy.gaps(live, settings)
    if missing:
        raise RehearsalError(
            f"cannot rehearse against {source}: the scratch copy cannot reproduce "
            + "; ".join(missing) + " yet, so nothing was rehearsed")
    plan = saved or fresh_plan(desired, live, git_commit=git_commit, target=source)
    with tempfile.TemporaryDirectory(prefix="vend-rehearse-") as scratch:
        from vending.local import LocalAws

        quota = settings.control_tower.account_concurrency
        with LocalAws(Path(scratch), management_account_id=live.management_account_id,
                      account_factory_quota=quota) as aws:
            copied = copy.load(live, settings, aws.emulator, outputs)
            aws.save()
            clients = AwsClients(aws.session())
            _check_copy(clients, settings, live, source)
            if settings.target.kind == "local":  # vend.yaml's faults: the rehearsal runs under them too
                aws.faults.configure(settings.target.faults, settings.source.file)
            ctx = engine.prepare_apply(plan, clients, settings, allow_destroy=True, polling=INSTANT)
            report = engine.apply(plan, ctx, settings)
            end_plan, _ = engine.plan(desired, clients, git_commit=git_commit, target=f"a copy of {source}")
    return Rehearsal(plan, source, copied, report, end_plan)


@dataclass(frozen=True)
class Scope:
    """What besides Organizations the rehearsal reads: what the repository or the saved plan needs."""
    baselines: bool = False
    contacts: ContactScope | None = None
    catalog: bool = False
    budgets: bool = False
    support: bool = False
    identity: IdentityScope | None = None
    licenses: bool = False
    marketplace: bool = False


def _identity(desired: DesiredOrg, saved: Plan | None) -> IdentityScope | None:
    """The groups and permission sets the repository names, and those the saved plan read."""
    declared = identity_scope(desired)
    read = saved.identity_read if saved else None
    if declared is None and read is None:
        return None
    groups = {*(declared.groups if declared else ()), *((read or {}).get("groups", ()))}
    sets = {*(declared.permission_sets if declared else ()), *((read or {}).get("permission_sets", ()))}
    return IdentityScope(tuple(sorted(groups)), tuple(sorted(sets)))


def _contacts(desired: DesiredOrg, saved: Plan | None) -> ContactScope | None:
    """The contacts the repository declares, and those the saved plan read (its fingerprint
    covers them)."""
    declared = contact_scope(desired)
    pairs = [(a, k) for a, k in (saved.contacts_read or [])] if saved else []
    if declared is None and not (saved and saved.contacts_read is not None):
        return None
    return lambda live: sorted({*(declared(live) if declared else ()), *pairs})


def read(
    settings: OrgSettings, repo: Path, scope: Scope, *, observers: tuple[Callable[[str], None], ...]
) -> tuple[LiveOrg, str, copy_control_tower.Outputs]:
    """The whole organization (every OU's tags), read-only, and the outputs of Account
    Factory's provisioned products (which accounts they manage); the connection is closed after."""
    with connect(settings, repo, observers=observers) as connection:
        live = engine.read_live(connection.clients, settings, baselines=scope.baselines,
                                contacts=scope.contacts, catalog=scope.catalog, budgets=scope.budgets,
                                budget_subscribers=scope.budgets,  # the copy keeps every alert's subscribers
                                support=scope.support, identity=scope.identity, licenses=scope.licenses,
                                marketplace=scope.marketplace)
        outputs: copy_control_tower.Outputs = {}
        if live.control_tower is not None and not copy.gaps(live, settings):
            servicecatalog = connection.clients.reader().client("servicecatalog", settings.home_region)
            outputs = copy_control_tower.read_outputs(servicecatalog, live.control_tower)
        return live, connection.description, outputs


def fresh_plan(desired: DesiredOrg, live: LiveOrg, *, git_commit: str | None, target: str) -> Plan:
    """What `vend plan --out` would save now: computed from what `vend plan` reads."""
    seen = scoped(live, tag_scope(desired))
    if seen.budgets is not None and not desired.settings.budgets.check_subscribers:
        seen = replace(seen, budgets=seen.budgets.without_subscribers())
    plan = build_plan(desired, seen, git_commit=git_commit, target=target)
    plan.live_digests = staleness.digests(seen)
    return plan


def scoped(live: LiveOrg, ou_tags: Callable[[tuple[str, ...], str], bool]) -> LiveOrg:
    """`live` as a read of only the tags `ou_tags` selects would have found it."""
    def keep(node: LiveOu) -> LiveOu:
        return node if ou_tags(node.path, node.id) else replace(node, tags=None)

    return replace(live, root=keep(live.root), ous={i: keep(ou) for i, ou in live.ous.items()})


def _check_copy(clients: AwsClients, settings: OrgSettings, live: LiveOrg, source: str) -> None:
    """The copy must read back as the organization did, or the rehearsal proves nothing."""
    pairs = list(live.contacts.read) if live.contacts is not None else None
    copied = engine.read_live(clients, settings, baselines=live.baselines is not None,
                              contacts=None if pairs is None else (lambda _: pairs),
                              catalog=live.catalog is not None, budgets=live.budgets is not None,
                              budget_subscribers=live.budgets is not None and live.budgets.subscribers_read,
                              support=live.support is not None, licenses=live.licenses is not None,
                              identity=None if live.identity is None else IdentityScope(
                                  tuple(live.identity.groups), tuple(live.identity.permission_sets)),
                              marketplace=live.marketplace is not None)
    if copied.fingerprint() != live.fingerprint():
        raise RehearsalError(
            f"the scratch copy of {source} does not read back as the organization did (a vend bug;"
            " nothing was rehearsed): " + staleness.what_changed(staleness.digests(live), copied))
