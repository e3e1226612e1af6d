"""Account changes both account engines (Organizations, Account Factory) plan alike."""
from __future__ import annotations

from vending.model.live import LiveAccount
from vending.model.types import AccountSpec, OuPath, path_str
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind
from vending.plan.diff_context import DiffContext, where


def live_ou(ctx: DiffContext, live: LiveAccount) -> str:
    """Where a live account sits, as an OU path (or its parent id if that is not an OU)."""
    node = ctx.live.node(live.parent_id)
    return path_str(node.path) if node else live.parent_id


def tag_new_account(ctx: DiffContext, spec: AccountSpec) -> None:
    """Tags are their own change after the create, so a failure between the two converges."""
    ctx.add(
        Change(
            address=addresses.account_tags(spec.name),
            kind=Kind.ACCOUNT_TAGS,
            action=Action.UPDATE,
            reason="tag the new account",
            before={"tags": {}},
            after={"tags": dict(sorted(ctx.desired.account_tags(spec).items()))},
            depends_on=(addresses.account(spec.name),),
            source=where(spec.source, "tags"),
        )
    )


def close(ctx: DiffContext, spec: AccountSpec, live: LiveAccount, *, ou: str,
          depends: tuple[str, ...] = (), to: OuPath | None = None) -> None:
    """CloseAccount; with `to`, MoveAccount there first (where YAML places the account)."""
    moving = f"; moved to {path_str(to)} first, as {spec.source.file} places it" if to is not None else ""
    ctx.add(
        Change(
            address=addresses.account(spec.name),
            kind=Kind.ACCOUNT,
            action=Action.DELETE,
            reason=f"state: closed in {spec.source.file} (CloseAccount; reopening needs AWS Support){moving}",
            before={"id": live.id, "name": live.name, "email": live.email, "ou": ou},
            after={"id": live.id, "ou": path_str(to), "state": "closed"} if to is not None else None,
            depends_on=depends + (ctx.ou_dependency(to) if to is not None else ()),
            destructive=True,
            source=where(spec.source, "state"),
        )
    )


def move(ctx: DiffContext, spec: AccountSpec, live: LiveAccount, *, current: str, depends: tuple[str, ...] = ()) -> str:
    """MoveAccount to where YAML places the account (its OU, or quarantine once suspended)."""
    placement = ctx.desired.placement(spec)
    if spec.state == "suspended":
        reason = f"state: suspended in {spec.source.file}: quarantine in {path_str(placement)}"
    else:
        reason = f"{spec.source.file} places it in {path_str(placement)}; it is in {current}"
    address = addresses.account(spec.name)
    ctx.add(
        Change(
            address=address,
            kind=Kind.ACCOUNT,
            action=Action.MOVE,
            reason=reason,
            before={"id": live.id, "ou": current},
            after={"id": live.id, "ou": path_str(placement)},
            depends_on=depends + ctx.ou_dependency(placement),
            source=where(spec.source, "state" if spec.state == "suspended" else "ou"),
        )
    )
    return address
