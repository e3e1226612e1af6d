"""Budgets: one cost budget per account that declares one, in the management account, and one
change per alert (notification with its email subscribers).

`budget:<account>` creates the budget with its alerts in one CreateBudget, updates it (UpdateBudget
replaces it whole: amount, currency, period, the LinkedAccount filter) when it differs from git,
or deletes it when the account says `budget: none` (destructive: the budget and its alert
history go). `budget_alert:<account>/<spend>-<threshold>` creates, updates or deletes one
notification of an existing budget: a threshold edited in the console pairs with the one git
wants (same spend type) and comes back as an update. Subscribers are compared only when the plan
read them (`vend plan --check-subscribers`, vend.yaml `budgets.check_subscribers`: one call per
alert); otherwise an update's `set_recipients` tells the applier what to leave, and a note says
they were not checked. Either way each alert's `subscribers_digest` (its `vend:subscribers:<label>`
tag, the digest of what vend last set) is compared with git's, so a change of recipients in git
(or of the owner they name) is planned without reading subscribers, and a budget from before the
tags gets them. `owner` in recipients is the account's owner. Accounts being created get
their budget after the account exists; closed and suspended accounts are left alone.
"""
from __future__ import annotations

from typing import Any

from vending.model.live import LiveAccount, LiveOrg
from vending.model.live_budgets import LiveAlert, LiveBudget, LiveBudgets, alert_label, budget_name, subscribers_digest
from vending.model.settings_types import NONE, Alert, Budget
from vending.model.types import AccountSpec, DesiredOrg
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext, where

BUDGET_TYPE = "COST"
BUDGET_FIELDS = ("budget_type", "amount", "currency", "period", "linked_accounts", "other_filters")
ALERT_FIELDS = ("spend", "threshold", "comparison", "threshold_type", "recipients", "sns")
SUBSCRIBER_FIELDS = ("recipients", "sns")
DIGEST = "subscribers_digest"
"""An alert's digest of its subscribers: git's (after), the budget's tag (before; None: no tag)."""
SET_RECIPIENTS = "set_recipients"
"""An alert update's git recipients when the plan did not read the live ones: the applier reads
that one alert's subscribers and leaves exactly these (shown as context, not as a change)."""
UNCHECKED = ("subscribers of {count} budget alert(s) were not read, so a recipient added or removed"
             " in the console is not shown (a change of recipients in git is, through each budget's"
             " vend:subscribers tags);"
             " check them with `vend plan --check-subscribers` (one DescribeSubscribersForNotification"
             " per alert) or vend.yaml `budgets: {{check_subscribers: true}}`")


def budget_address(account_name: str) -> str:
    return f"budget:{account_name}"


def alert_address(account_name: str, spend: str, threshold: float) -> str:
    return f"budget_alert:{account_name}/{spend}-{threshold:g}"


def managed(desired: DesiredOrg) -> list[tuple[AccountSpec, Budget | str]]:
    """Active accounts whose OUs or file declare `budget` (a Budget, or "none")."""
    found = []
    for spec in sorted(desired.accounts.values(), key=lambda a: a.name):
        budget = desired.account_settings(spec).budget
        if budget is not None and spec.state == "active":
            found.append((spec, budget))
    return found


def reads_budgets(desired: DesiredOrg) -> bool:
    """Whether the plan reads Budgets at all: only when some account declares `budget`."""
    return bool(managed(desired))


def live_account(spec: AccountSpec, live: LiveOrg, by_email: dict[str, LiveAccount]) -> LiveAccount | None:
    if spec.pinned_id:
        return live.accounts.get(spec.pinned_id)
    return by_email.get(spec.email.lower())


def wanted_alert(alert: Alert, owner: str) -> dict[str, Any]:
    recipients = sorted({owner if r == "owner" else r for r in alert.recipients})
    return {"spend": alert.spend, "threshold": float(alert.threshold), "comparison": "GREATER_THAN",
            "threshold_type": "PERCENTAGE", "recipients": recipients, "sns": []}


def _live_alert(alert: LiveAlert) -> dict[str, Any]:
    """The alert as read; without recipients and sns when its subscribers were not read."""
    read = {"spend": alert.spend, "threshold": alert.threshold, "comparison": alert.comparison,
            "threshold_type": alert.threshold_type}
    if alert.recipients is None or alert.sns is None:
        return read
    return {**read, "recipients": list(alert.recipients), "sns": list(alert.sns)}


def _wanted_budget(budget: Budget, account_id: str | None) -> dict[str, Any]:
    return {"budget_type": BUDGET_TYPE, "amount": float(budget.amount), "currency": budget.currency,
            "period": budget.period, "linked_accounts": [account_id] if account_id else [], "other_filters": False}


def _live_budget(budget: LiveBudget) -> dict[str, Any]:
    return {"budget_type": budget.budget_type, "amount": budget.amount, "currency": budget.currency,
            "period": budget.period, "linked_accounts": list(budget.linked_accounts),
            "other_filters": budget.other_filters}


def diff_budgets(ctx: DiffContext) -> None:
    accounts = managed(ctx.desired)
    if not accounts:
        return
    live = ctx.live.budgets or LiveBudgets()
    by_email = ctx.live.account_by_email()
    creating = {c.address for c in ctx.changes if c.action is Action.CREATE}
    unchecked = 0
    for spec, budget in accounts:
        account = live_account(spec, ctx.live, by_email)
        if account is not None and account.status != "ACTIVE":
            continue
        source = _declared_at(ctx.desired, spec)
        if account is None:
            if budget != NONE:
                ctx.add(_create(spec, budget, None, source, creating))  # type: ignore[arg-type]
            continue
        have = live.of(account.id)
        if budget == NONE:
            if have is not None:
                ctx.add(Change(address=budget_address(spec.name), kind=Kind.BUDGET, action=Action.DELETE,
                               destructive=True, source=source,
                               reason=f"{source.rsplit(':', 1)[0]} says budget: none, and the management account"
                                      f" has {have.name} (its alerts and history go with it)",
                               before={"account_id": account.id, "budget_name": have.name, **_live_budget(have),
                                       "alerts": [_live_alert(a) for a in have.alerts]}))
            continue
        assert isinstance(budget, Budget)
        if have is None:
            ctx.add(_create(spec, budget, account.id, source, creating))
            continue
        _update(ctx, spec, budget, account.id, have, source)
        unchecked += 0 if live.subscribers_read else len(have.alerts)
    if unchecked:
        ctx.notes.append(Note("info", "budgets", UNCHECKED.format(count=unchecked)))


def _create(spec: AccountSpec, budget: Budget, account_id: str | None, source: str, creating: set[str]) -> Change:
    creation = addresses.account(spec.name)
    alerts = [{k: a[k] for k in ("spend", "threshold", "recipients")}
              for a in (wanted_alert(x, spec.owner) for x in budget.alerts)]
    after = {**_wanted_budget(budget, account_id), "alerts": alerts}
    del after["other_filters"]
    if account_id is None:
        del after["linked_accounts"]  # the new account's id, once it exists
    else:
        after = {"account_id": account_id, "budget_name": budget_name(account_id), **after}
    why = "new account" if account_id is None else "the management account has no budget for this account"
    return Change(address=budget_address(spec.name), kind=Kind.BUDGET, action=Action.CREATE, source=source,
                  reason=f"{why}: its budget and alerts from {source.rsplit(':', 1)[0]}", after=after,
                  depends_on=(creation,) if creation in creating else ())


def _update(ctx: DiffContext, spec: AccountSpec, budget: Budget, account_id: str, have: LiveBudget, source: str) -> None:
    origin = source.rsplit(":", 1)[0]
    ident = {"account_id": account_id, "budget_name": have.name}
    want, got = _wanted_budget(budget, account_id), _live_budget(have)
    if want != got:
        ctx.add(Change(address=budget_address(spec.name), kind=Kind.BUDGET, action=Action.UPDATE, source=source,
                       reason=f"the budget differs from {origin} (changed outside git?)",
                       before={**ident, **got}, after={**ident, **want}))
    wanted = {(a["spend"], a["threshold"]): a for a in (wanted_alert(x, spec.owner) for x in budget.alerts)}
    found = {(a.spend, a.threshold): _live_alert(a) for a in have.alerts}
    pairs = [(wanted[k], found[k]) for k in sorted(wanted) if k in found]
    missing = [wanted[k] for k in sorted(wanted) if k not in found]
    extra = [found[k] for k in sorted(found) if k not in wanted]
    for want_alert in list(missing):  # a threshold changed in the console: the same alert, edited
        twin = next((e for e in extra if e["spend"] == want_alert["spend"]), None)
        if twin is not None:
            pairs.append((want_alert, twin))
            missing.remove(want_alert)
            extra.remove(twin)
    for want_alert, got_alert in pairs:
        want_alert = {**want_alert, DIGEST: subscribers_digest(want_alert["recipients"], want_alert["sns"])}
        got_alert = {**got_alert, DIGEST: have.digest(alert_label(want_alert["spend"], want_alert["threshold"]))}
        if "recipients" not in got_alert:  # subscribers not read: compare the rest, apply sets them
            want_alert = {**{k: v for k, v in want_alert.items() if k not in SUBSCRIBER_FIELDS},
                          SET_RECIPIENTS: want_alert["recipients"]}
        compared = {k: v for k, v in want_alert.items() if k != SET_RECIPIENTS}
        if compared != got_alert:
            ctx.add(Change(address=alert_address(spec.name, want_alert["spend"], want_alert["threshold"]),
                           kind=Kind.BUDGET_ALERT, action=Action.UPDATE, source=source,
                           reason=_alert_reason(want_alert, compared, got_alert, origin),
                           before={**ident, **got_alert}, after={**ident, **want_alert}))
    for want_alert in missing:
        ctx.add(Change(address=alert_address(spec.name, want_alert["spend"], want_alert["threshold"]),
                       kind=Kind.BUDGET_ALERT, action=Action.CREATE, source=source,
                       reason=f"the budget has no {want_alert['spend']} alert at {want_alert['threshold']:g}%;"
                              f" {origin} asks for one", after={**ident, **want_alert}))
    for got_alert in extra:
        ctx.add(Change(address=alert_address(spec.name, got_alert["spend"], got_alert["threshold"]),
                       kind=Kind.BUDGET_ALERT, action=Action.DELETE, source=source,
                       reason=f"{origin} has no {got_alert['spend']} alert at {got_alert['threshold']:g}%"
                              " (added outside git?)", before={**ident, **got_alert}))


def _alert_reason(want: dict[str, Any], compared: dict[str, Any], got: dict[str, Any], origin: str) -> str:
    alert = f"the {want['spend']} alert at {want['threshold']:g}%"
    if any(compared[k] != got.get(k) for k in compared if k != DIGEST):
        return f"{alert} differs from {origin} (changed outside git?)"
    if got[DIGEST] is None:
        return (f"{alert} has no vend:subscribers tag (set before vend tagged its budgets?):"
                f" its subscribers are set to {origin}'s and tagged")
    return (f"{origin} gives {alert} other recipients than the ones vend last set"
            " (its vend:subscribers tag)")


def _declared_at(desired: DesiredOrg, spec: AccountSpec) -> str:
    """`file:line` of the `budget` that decides: the account file's, else the deepest OU's."""
    if spec.settings.budget is not None or spec.settings.budget_none:
        return where(spec.source, "budget")
    for depth in range(len(spec.ou), -1, -1):
        ou = desired.ou(spec.ou[:depth])
        if ou is not None and (ou.settings.budget is not None or ou.settings.budget_none):
            return where(ou.source, "budget")
    return where(spec.source)
