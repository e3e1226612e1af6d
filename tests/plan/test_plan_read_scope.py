"""read_scope.budgets records whether the budget alerts' subscribers were read, so `vend apply
plan.json` reads the same and the fingerprints compare like with like."""
from __future__ import annotations

import json

from vending.plan.changes import Plan


def _plan(**read: bool) -> Plan:
    return Plan(fingerprint="sha256:x", changes=[], order=[], created_at="t", **read)


def test_budgets_read_scope_round_trips_with_and_without_subscribers() -> None:
    for subscribers in (False, True):
        plan = _plan(budgets_read=True, budget_subscribers_read=subscribers)
        assert plan.to_json()["read_scope"]["budgets"] == {"subscribers": subscribers}
        again = Plan.loads(plan.dumps())
        assert (again.budgets_read, again.budget_subscribers_read) == (True, subscribers)
    assert "budgets" not in _plan().to_json()["read_scope"]


def test_a_plan_saved_before_the_option_read_subscribers() -> None:
    data = _plan(budgets_read=True).to_json()
    data["read_scope"]["budgets"] = True
    again = Plan.loads(json.dumps(data))
    assert (again.budgets_read, again.budget_subscribers_read) == (True, True)
