"""Alternate contacts: one change per account and contact type, field by field, and the
trusted access for AWS Account Management they need.

A contact YAML gives (the account's, else its OUs') is set when missing or different, and one
YAML says `none` for is deleted when present: changes made in the console come back to git.
Deleting a contact is not destructive in vend's sense (`--allow-destroy`): `none` asks for it
explicitly, it removes no resource and no access, and the plan shows the values it removes.
Accounts being created get their contacts after the account exists (no read: a new account has
none). Closed and suspended accounts are left alone, as are accounts no YAML gives contacts.
"""
from __future__ import annotations

from typing import Callable

from vending.model.live import LiveAccount, LiveOrg
from vending.model.live_settings import ACCOUNT_PRINCIPAL, LiveContacts
from vending.model.settings_types import CONTACT_TYPES, Contact
from vending.model.types import AccountSpec, DesiredOrg
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind
from vending.plan.diff_context import DiffContext, where

ContactScope = Callable[[LiveOrg], list[tuple[str, str]]]
"""Which (account id, contact type) pairs to read, given the accounts read from Organizations."""

FIELDS = ("name", "title", "email", "phone")
_NOT_READ = LiveContacts(trusted_access=False)


def _managed(desired: DesiredOrg) -> list[tuple[AccountSpec, dict[str, Contact | None]]]:
    found = []
    for spec in sorted(desired.accounts.values(), key=lambda a: a.name):
        contacts = desired.account_settings(spec).contacts
        if contacts and spec.state == "active":
            found.append((spec, contacts))
    return found


def _live_account(spec: AccountSpec, live: LiveOrg, by_email: dict[str, LiveAccount]) -> LiveAccount | None:
    if spec.pinned_id:
        return live.accounts.get(spec.pinned_id)
    return by_email.get(spec.email.lower())


def contact_scope(desired: DesiredOrg) -> ContactScope | None:
    """What the plan reads: the declared types of existing active accounts (None: no account
    declares contacts, so Account Management is never called)."""
    managed = _managed(desired)
    if not managed:
        return None

    def scope(live: LiveOrg) -> list[tuple[str, str]]:
        by_email = live.account_by_email()
        pairs = []
        for spec, contacts in managed:
            account = _live_account(spec, live, by_email)
            if account is not None and account.status == "ACTIVE":
                pairs += [(account.id, kind) for kind in contacts]
        return sorted(pairs)

    return scope


def diff_contacts(ctx: DiffContext) -> None:
    managed = _managed(ctx.desired)
    if not managed:
        return
    live = ctx.live.contacts or _NOT_READ
    by_email = ctx.live.account_by_email()
    creating = {c.address for c in ctx.changes if c.action is Action.CREATE}
    changes: list[Change] = []
    for spec, contacts in managed:
        account = _live_account(spec, ctx.live, by_email)
        if account is not None and account.status != "ACTIVE":
            continue
        for kind in (k for k in CONTACT_TYPES if k in contacts):
            change = _one(spec, kind, contacts[kind], account, live, creating, _declared_at(ctx.desired, spec, kind))
            if change is not None:
                changes.append(change)
    members = [c for c in changes if (c.after or c.before or {}).get("account_id") != ctx.live.management_account_id]
    if members and not live.trusted_access:
        ctx.add(Change(
            address=addresses.account_access(), kind=Kind.ACCOUNT_ACCESS, action=Action.CREATE,
            reason=f"trusted access for AWS Account Management ({ACCOUNT_PRINCIPAL}) is not enabled in Organizations;"
                   " vend needs it to read and set member accounts' alternate contacts",
            after={"service_principal": ACCOUNT_PRINCIPAL},
        ))
        changes = [_after_access(c) if c in members else c for c in changes]
    for change in changes:
        ctx.add(change)


def _after_access(change: Change) -> Change:
    return Change(**{**change.__dict__, "depends_on": change.depends_on + (addresses.account_access(),)})


def _declared_at(desired: DesiredOrg, spec: AccountSpec, kind: str) -> str:
    """`file:line` of the `contacts` that decides this type: the account file's, else the
    deepest OU's that names the type (or says `contacts: none`)."""
    layers = [(spec.settings, spec.source)]
    for depth in range(len(spec.ou), -1, -1):
        ou = desired.ou(spec.ou[:depth])
        if ou is not None:
            layers.append((ou.settings, ou.source))
    for layer, source in layers:
        if layer.contacts_none or kind in (layer.contacts or {}):
            return where(source, "contacts")
    return where(spec.source)


def _one(spec: AccountSpec, kind: str, want: Contact | None, account: LiveAccount | None, live: LiveContacts,
         creating: set[str], source: str) -> Change | None:
    address = addresses.contact(spec.name, kind)
    origin = source.rsplit(":", 1)[0]
    wanted = None if want is None else {f: getattr(want, f) for f in FIELDS}
    ident = {"type": kind.upper()}
    if account is None:
        if wanted is None:
            return None  # a new account has no contacts
        creation = addresses.account(spec.name)  # CreateAccount, or Account Factory under Control Tower
        prerequisites = (creation,) if creation in creating else ()
        return Change(address=address, kind=Kind.CONTACT, action=Action.CREATE, source=source,
                      reason=f"new account: its {kind} contact from {origin}",
                      after={**ident, **wanted}, depends_on=prerequisites)
    ident["account_id"] = account.id
    read, have = live.of(account.id, kind)
    if read and have == wanted:
        return None
    if not read:
        reason = "cannot be read until trusted access for AWS Account Management is enabled; vend sets it"
        if wanted is None:
            return Change(address=address, kind=Kind.CONTACT, action=Action.DELETE, source=source,
                          reason=f"{kind}: none, and whether one is set {reason.replace('vend sets it', 'vend deletes any')}",
                          before=ident)
        return Change(address=address, kind=Kind.CONTACT, action=Action.UPDATE, source=source,
                      reason=f"the {kind} contact {reason}", before=ident, after={**ident, **wanted})
    if wanted is None:
        return Change(address=address, kind=Kind.CONTACT, action=Action.DELETE, source=source,
                      reason=f"{origin} says {kind}: none, and AWS has one (set outside git)",
                      before={**ident, **(have or {})})
    if have is None:
        return Change(address=address, kind=Kind.CONTACT, action=Action.CREATE, source=source,
                      reason=f"the account has no {kind} contact; {origin} gives one",
                      after={**ident, **wanted})
    return Change(address=address, kind=Kind.CONTACT, action=Action.UPDATE, source=source,
                  reason=f"the {kind} contact differs from {origin} (changed outside git?)",
                  before={**ident, **have}, after={**ident, **wanted})
