"""Accounts: create, move (incl. suspend into the quarantine OU), tags, close.

A desired account is the live account with its pinned id, else the one with its email
(emails are unique across AWS, names are not). Accounts nobody describes are reported as
unmanaged and never touched.
"""
from __future__ import annotations

from collections import defaultdict

from vending.model.live import LiveAccount
from vending.model.types import AccountSpec, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.account_changes import close, live_ou, move, tag_new_account
from vending.plan.diff_context import DiffContext, where
from vending.plan.diff_factory import factory_create, factory_existing

CLOSED_STATUSES = ("SUSPENDED", "PENDING_CLOSURE")


def closure_quota(member_accounts: int) -> int:
    """Accounts closable per rolling 30 days: the higher of 250 or 20% of members, at most 1,000."""
    return min(1000, max(250, member_accounts * 20 // 100))


def diff_accounts(ctx: DiffContext) -> dict[str, list[str]]:
    """Adds account changes; returns live OU id -> addresses of the changes moving accounts out."""
    by_email = ctx.live.account_by_email()
    pending = {p.account_name: p for p in ctx.live.pending_creations}
    moves_out: dict[str, list[str]] = defaultdict(list)
    for spec in sorted(ctx.desired.accounts.values(), key=lambda a: a.name):
        live_account = _find(ctx, spec, by_email)
        if live_account is None:
            if ctx.control_tower and spec.state == "active":
                factory_create(ctx, spec)
            else:
                _create(ctx, spec, pending)
            continue
        ctx.managed_account_ids.add(live_account.id)
        if live_account.status in CLOSED_STATUSES:
            _closed_or_closing(ctx, spec, live_account)
            continue
        handled, move = factory_existing(ctx, spec, live_account) if ctx.control_tower else (False, None)
        if not handled:
            done, move = _closing(ctx, spec, live_account)
            if done:
                if move is not None:
                    moves_out[live_account.parent_id].append(move)
                continue
            move = _move(ctx, spec, live_account)
        if move is not None:
            moves_out[live_account.parent_id].append(move)
        if spec.state != "closed":
            _tags(ctx, spec, live_account)
    _check_closure_quota(ctx)
    return moves_out


def _find(ctx: DiffContext, spec: AccountSpec, by_email: dict[str, LiveAccount]) -> LiveAccount | None:
    if spec.pinned_id:
        found = ctx.live.accounts.get(spec.pinned_id)
        if found is None:
            ctx.problems.append(
                f"{where(spec.source, 'id')}: id {spec.pinned_id} is not an account of this organization;"
                " remove `id` to create the account, or correct it"
            )
        return found
    return by_email.get(spec.email.lower())


def _create(ctx: DiffContext, spec: AccountSpec, pending: dict) -> None:
    if spec.state != "active":
        ctx.notes.append(
            Note("info", addresses.account(spec.name), f"state: {spec.state}, and no such account exists; nothing to do")
        )
        return
    placement = ctx.desired.placement(spec)
    after = {"name": spec.name, "email": spec.email, "ou": path_str(placement)}
    reason = f"new account in {spec.source.file}"
    if spec.name in pending:
        after["pending_request"] = pending[spec.name].request_id
        reason = (
            "a CreateAccount request from an earlier apply is still in progress;"
            " apply waits for it instead of creating another account"
        )
    ctx.add(
        Change(
            address=addresses.account(spec.name),
            kind=Kind.ACCOUNT,
            action=Action.CREATE,
            reason=reason,
            after=after,
            depends_on=ctx.ou_dependency(placement),
            source=where(spec.source),
        )
    )
    tag_new_account(ctx, spec)


def _closed_or_closing(ctx: DiffContext, spec: AccountSpec, live: LiveAccount) -> bool:
    """Handles closure; True when nothing else may be done to this account."""
    if live.status in CLOSED_STATUSES:
        if spec.state != "closed":
            ctx.notes.append(
                Note(
                    "warning",
                    addresses.account(spec.name),
                    f"account {live.id} is {live.status} in AWS but state is {spec.state} in"
                    f" {spec.source.file}; a closed account can only be reopened through AWS"
                    " Support within 90 days, vend leaves it alone",
                )
            )
        return True
    return False


def _closing(ctx: DiffContext, spec: AccountSpec, live: LiveAccount) -> tuple[bool, str | None]:
    """Closes an active account that YAML says is closed: (True when nothing else may be done
    to it, the address of the change taking it out of its OU). An account YAML also moves is
    moved first, by the same change: a closed account stays in its OU as SUSPENDED for 90 days,
    and an OU that holds one cannot be deleted (OrganizationalUnitNotEmptyException)."""
    if spec.state != "closed":
        return False, None
    if live.id == ctx.live.management_account_id:
        ctx.problems.append(f"{where(spec.source)}: the management account cannot be closed by vend")
        return True, None
    placement = ctx.desired.placement(spec)
    if ctx.matched_live.get(live.parent_id) == placement:
        close(ctx, spec, live, ou=live_ou(ctx, live))
        return True, None
    close(ctx, spec, live, ou=live_ou(ctx, live), to=placement)
    return True, addresses.account(spec.name)


def _move(ctx: DiffContext, spec: AccountSpec, live: LiveAccount) -> str | None:
    if ctx.matched_live.get(live.parent_id) == ctx.desired.placement(spec):
        return None
    return move(ctx, spec, live, current=live_ou(ctx, live))


def _tags(ctx: DiffContext, spec: AccountSpec, live: LiveAccount) -> None:
    desired_tags = ctx.desired.account_tags(spec)
    if desired_tags == live.tags:
        return
    ctx.add(
        Change(
            address=addresses.account_tags(spec.name),
            kind=Kind.ACCOUNT_TAGS,
            action=Action.UPDATE,
            reason=f"tags differ from {spec.source.file} (with inherited OU defaults)",
            before={"id": live.id, "tags": dict(sorted(live.tags.items()))},
            after={"id": live.id, "tags": dict(sorted(desired_tags.items()))},
            source=where(spec.source, "tags"),
        )
    )


def _check_closure_quota(ctx: DiffContext) -> None:
    closing = [c for c in ctx.changes if c.kind is Kind.ACCOUNT and c.action is Action.DELETE]
    members = len(ctx.live.accounts) - 1
    quota = closure_quota(members)
    if len(closing) > quota:
        ctx.problems.append(
            f"the plan closes {len(closing)} accounts but AWS allows {quota} closures per rolling"
            f" 30 days for {members} member accounts; close them over several applies"
        )


def note_unmanaged_accounts(ctx: DiffContext) -> None:
    for account in sorted(ctx.live.accounts.values(), key=lambda a: a.name):
        if account.id not in ctx.managed_account_ids:
            ctx.notes.append(
                Note(
                    kind="unmanaged",
                    address=addresses.account(account.name),
                    message=f"account {account.id} ({account.email}) in {live_ou(ctx, account)}"
                    " is not described in accounts/; vend leaves it untouched",
                )
            )
