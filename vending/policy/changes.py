"""What a pull request changes in the desired organization: the base's (REF's tree) against the
working tree's, both loaded by the model's loader. Pure: two DesiredOrgs in, facts out.

Accounts are matched by name, then by pinned id; OUs by path, then by `renamed_from`, then by
pinned id, so a rename is not read as a new thing plus a removed one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vending.model.types import POLICY_TYPES, ROOT, AccountSpec, DesiredOrg, OuPath, OuSpec, Source


@dataclass(frozen=True)
class AccountChange:
    """An account the pull request adds or changes; `before` is None for a new one."""

    account: AccountSpec
    before: AccountSpec | None
    tags: dict[str, str]
    before_tags: dict[str, str]
    placement: OuPath
    before_placement: OuPath | None

    @property
    def is_new(self) -> bool:
        return self.before is None

    @property
    def placed(self) -> bool:
        """Enters an OU: new (and not closed), or placed somewhere else than before."""
        if self.account.state == "closed":
            return False
        return self.before is None or self.before.state == "closed" or self.placement != self.before_placement

    def changed_tags(self) -> dict[str, str]:
        """Effective tags that are new or have another value than before (all of a new account's)."""
        return {k: v for k, v in self.tags.items() if self.before_tags.get(k) != v or self.before is None}

    def entered(self, state: str) -> bool:
        return self.account.state == state and (self.before is None or self.before.state != state)


@dataclass(frozen=True)
class Detach:
    """A policy an OU (or the root) had attached in the base and no longer lists."""

    ou: OuSpec
    policy_type: str
    name: str


@dataclass(frozen=True)
class OrgChanges:
    accounts: tuple[AccountChange, ...] = ()
    retired_ous: tuple[OuSpec, ...] = ()
    detached: tuple[Detach, ...] = field(default_factory=tuple)

    @property
    def new_accounts(self) -> list[AccountChange]:
        return [c for c in self.accounts if c.is_new and c.account.state != "closed"]


def compare(base: DesiredOrg, head: DesiredOrg) -> OrgChanges:
    """Every account, OU retirement and policy detachment the head adds over the base."""
    by_id = {a.pinned_id: a for a in base.accounts.values() if a.pinned_id}
    accounts = []
    for account in sorted(head.accounts.values(), key=lambda a: a.source.file):
        before = base.accounts.get(account.name) or (by_id.get(account.pinned_id) if account.pinned_id else None)
        change = AccountChange(
            account=account, before=before,
            tags=head.account_tags(account), before_tags=base.account_tags(before) if before else {},
            placement=head.placement(account), before_placement=base.placement(before) if before else None,
        )
        if before is None or change.placed or change.changed_tags() or account.email != before.email \
                or account.state != before.state:
            accounts.append(change)
    retired, detached = [], []
    for ou in [_root(head)] + sorted(head.ous.values(), key=lambda o: o.path):
        before = _root(base) if ou.path == ROOT else _match_ou(base, ou)
        if ou.retired:
            if before is None or not before.retired:
                retired.append(ou)
            continue
        if before is None:
            continue
        for policy_type in POLICY_TYPES:
            kept = set(ou.attached(policy_type))
            detached += [Detach(ou, policy_type, name) for name in before.attached(policy_type) if name not in kept]
    return OrgChanges(tuple(accounts), tuple(retired), tuple(detached))


def _root(org: DesiredOrg) -> OuSpec:
    """The root's spec; without ous/ou.yaml the root keeps FullAWSAccess and nothing else."""
    return org.root or OuSpec(path=ROOT, source=Source("ous/ou.yaml"))


def _match_ou(base: DesiredOrg, ou: OuSpec) -> OuSpec | None:
    found = base.ous.get(ou.path)
    if found is None and ou.renamed_from:
        found = base.ous.get(ou.parent + (ou.renamed_from,))
    if found is None and ou.pinned_id:
        found = next((o for o in base.ous.values() if o.pinned_id == ou.pinned_id), None)
    return found
