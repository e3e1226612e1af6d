"""Support plan enrollment: one case per account and level, opened once.

An account whose OUs or file declare a support level gets `support_case:<account>` (CreateCase
in the management account, asking AWS to add the account to the organization's plan) unless
DescribeCases already returns vend's case for that account and level, open or resolved. The plan
notes every managed account as enrolled (its case is resolved) or pending (its case is still
open). `support: none` opens nothing; vend cannot take an account out of a plan (a person asks
AWS Support), so an account that had a case and now says none gets a note, not a change.
"""
from __future__ import annotations

from vending.model.live_budgets import RESOLVED, SUPPORT_LABELS, LiveSupport, case_subject
from vending.model.settings_types import NONE
from vending.model.types import AccountSpec, DesiredOrg
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_budgets import live_account
from vending.plan.diff_context import DiffContext, where


def support_address(account_name: str) -> str:
    return f"support_case:{account_name}"


def case_body(account_id: str, level: str) -> str:
    """AFT's wording (aws-facts §12.2), with where the request comes from."""
    return (f"Please add account number {account_id} to our {SUPPORT_LABELS[level].lower()} support plan."
            " Requested by vend (GitOps account vending) from the management account.")


def managed(desired: DesiredOrg) -> list[tuple[AccountSpec, str]]:
    found = []
    for spec in sorted(desired.accounts.values(), key=lambda a: a.name):
        level = desired.account_settings(spec).support
        if level is not None and spec.state == "active":
            found.append((spec, level))
    return found


def reads_support(desired: DesiredOrg) -> bool:
    """Whether the plan reads support cases: only when some account declares a level."""
    return any(level != NONE for _, level in managed(desired))


def diff_support(ctx: DiffContext) -> None:
    accounts = managed(ctx.desired)
    if not any(level != NONE for _, level in accounts):
        return
    live = ctx.live.support or LiveSupport()
    by_email = ctx.live.account_by_email()
    creating = {c.address for c in ctx.changes if c.action is Action.CREATE}
    for spec, level in accounts:
        account = live_account(spec, ctx.live, by_email)
        if account is not None and account.status != "ACTIVE":
            continue
        address = support_address(spec.name)
        if level == NONE:
            if account is not None and any(c.account_id == account.id for c in live.cases):
                ctx.notes.append(Note("support", address, "support: none, but vend asked AWS Support to add this"
                                      " account to a plan before; taking it out is a request to AWS Support"))
            continue
        source = _declared_at(ctx.desired, spec)
        cases = live.for_account(account.id, level) if account is not None else []
        if cases:
            done = [c for c in cases if c.status == RESOLVED]
            case = (done or cases)[-1]
            state = "enrolled" if done else "pending"
            ctx.notes.append(Note("support", address, f"{state}: {SUPPORT_LABELS[level]} Support, case"
                                  f" {case.display_id or case.case_id} ({case.status})"))
            continue
        creation = addresses.account(spec.name)
        after = {"level": level, "email": spec.email}
        if account is not None:
            after = {"account_id": account.id, **after, "subject": case_subject(account.id, level)}
        ctx.add(Change(address=address, kind=Kind.SUPPORT_CASE, action=Action.CREATE, source=source,
                       reason=("new account: " if account is None else "")
                       + f"ask AWS Support to add it to the organization's {SUPPORT_LABELS[level]} Support plan"
                       " (no case of vend's for it within DescribeCases' 24 months)",
                       after=after, depends_on=(creation,) if creation in creating else ()))


def _declared_at(desired: DesiredOrg, spec: AccountSpec) -> str:
    if spec.settings.support is not None:
        return where(spec.source, "support")
    for depth in range(len(spec.ou), -1, -1):
        ou = desired.ou(spec.ou[:depth])
        if ou is not None and ou.settings.support is not None:
            return where(ou.source, "support")
    return where(spec.source)
