"""The executor: order, skips after failures, per-quota bounds, and bugs contained."""
from __future__ import annotations

import threading
import time

import pytest

from vending.apply import executor, registry
from vending.errors import ApplyFailure
from vending.plan.changes import Action, Change, Kind, Plan


def change(address: str, *deps: str, kind: Kind = Kind.OU, action: Action = Action.CREATE) -> Change:
    return Change(address, kind, action, "r", depends_on=deps)


def run(changes, applier, monkeypatch, *, concurrency=4, limits=None):
    monkeypatch.setattr(executor, "applier_for", lambda c: applier)
    plan = Plan(fingerprint="f", changes=changes, order=[])
    return executor.execute(plan, ctx=None, concurrency=concurrency, limits=limits or {})


def test_prerequisites_run_first_and_a_failure_skips_only_its_dependents(monkeypatch):
    done: list[str] = []

    def applier(c, ctx):
        if c.address == "b":
            raise ApplyFailure("boom")
        done.append(c.address)
        return "ok"

    changes = [change("a"), change("b", "a"), change("c", "b"), change("d", "c"), change("e", "a")]
    report = run(changes, applier, monkeypatch)
    status = {o.address: (o.status, o.detail) for o in report.outcomes}
    assert status["b"] == ("failed", "boom")
    assert status["c"] == ("skipped", "prerequisite b did not apply")
    assert status["d"] == ("skipped", "prerequisite c did not apply")
    assert status["e"][0] == "applied" and done.index("a") < done.index("e")
    assert not report.ok


def test_changes_bound_by_a_quota_never_exceed_it(monkeypatch):
    lock, now, peak = threading.Lock(), [0], [0]

    def applier(c, ctx):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.02)
        with lock:
            now[0] -= 1
        return "ok"

    creates = [change(f"account:{i}", kind=Kind.ACCOUNT) for i in range(9)]
    report = run(creates, applier, monkeypatch, concurrency=8, limits={registry.ACCOUNT_CREATION: 2})
    assert report.ok
    assert 1 <= peak[0] <= 2


def test_a_bug_in_an_applier_fails_that_change_and_the_rest_goes_on(monkeypatch):
    def applier(c, ctx):
        if c.address == "x":
            raise KeyError("id")
        return "ok"

    report = run([change("x"), change("y")], applier, monkeypatch)
    status = {o.address: (o.status, o.detail) for o in report.outcomes}
    assert status == {"x": ("failed", "internal error: KeyError: 'id'"), "y": ("applied", "ok")}


@pytest.mark.parametrize("action", [Action.CREATE, Action.DELETE])
def test_account_creations_and_closures_have_their_own_quota(action):
    key = registry.limit_key(change("account:a", kind=Kind.ACCOUNT, action=action))
    assert key == (registry.ACCOUNT_CREATION if action is Action.CREATE else registry.ACCOUNT_CLOSURE)
