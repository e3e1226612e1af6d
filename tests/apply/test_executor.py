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


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _ctx_with(polling):
    class Ctx:
        pass

    ctx = Ctx()
    ctx.polling = polling
    return ctx


def test_slots_held_by_operations_in_aws_start_reduced(monkeypatch):
    """Three CreateAccount requests in flight (seen by the plan): one is resumed by its change
    (which inherits its slot), the other two keep theirs: never more than 5 in AWS at once."""
    from vending.apply.context import Polling

    clock = _Clock()
    polling = Polling(first_delay=1, max_delay=1, sleep=clock.sleep, clock=lambda: clock.now)
    lock, now, peak, reads = threading.Lock(), [0], [0], []

    def applier(c, ctx):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.01)
        with lock:
            now[0] -= 1
        return "ok"

    def still_running():
        reads.append(clock.now)
        return {"car-a", "car-b"}

    hold = registry.Hold(frozenset({"car-a", "car-b", "car-r"}), still_running, deadline=600)
    resumed = Change("account:r", Kind.ACCOUNT, Action.CREATE, "r", after={"pending_request": "car-r"})
    creates = [change(f"account:{i}", kind=Kind.ACCOUNT) for i in range(6)] + [resumed]
    monkeypatch.setattr(executor, "applier_for", lambda c: applier)
    plan = Plan(fingerprint="f", changes=creates, order=[])
    report = executor.execute(plan, ctx=_ctx_with(polling), concurrency=8,
                              limits={registry.ACCOUNT_CREATION: 5}, holds={registry.ACCOUNT_CREATION: hold})
    assert report.ok
    assert reads  # AWS was read while changes waited for the held slots
    assert peak[0] == 3  # 5 minus the two requests still in progress in AWS


def test_held_slots_are_released_when_aws_says_the_operations_ended(monkeypatch):
    from vending.apply.context import Polling

    clock = _Clock()
    polling = Polling(first_delay=5, max_delay=30, sleep=clock.sleep, clock=lambda: clock.now)
    running = [{f"car-{i}" for i in range(5)}]

    def still_running():
        running[0] = set()  # they all ended by the first read
        return running[0]

    hold = registry.Hold(frozenset({f"car-{i}" for i in range(5)}), still_running, deadline=600)
    monkeypatch.setattr(executor, "applier_for", lambda c: lambda c, ctx: "ok")
    plan = Plan(fingerprint="f", changes=[change("account:x", kind=Kind.ACCOUNT)], order=[])
    report = executor.execute(plan, ctx=_ctx_with(polling), concurrency=2,
                              limits={registry.ACCOUNT_CREATION: 5}, holds={registry.ACCOUNT_CREATION: hold})
    assert report.ok and clock.now == 5  # one read, after the first delay


def test_holds_are_dropped_at_their_deadline(monkeypatch):
    from vending.apply.context import Polling

    clock = _Clock()
    polling = Polling(first_delay=60, max_delay=60, sleep=clock.sleep, clock=lambda: clock.now)
    hold = registry.Hold(frozenset({f"car-{i}" for i in range(5)}), lambda: {f"car-{i}" for i in range(5)}, deadline=600)
    monkeypatch.setattr(executor, "applier_for", lambda c: lambda c, ctx: "ok")
    plan = Plan(fingerprint="f", changes=[change("account:x", kind=Kind.ACCOUNT)], order=[])
    report = executor.execute(plan, ctx=_ctx_with(polling), concurrency=2,
                              limits={registry.ACCOUNT_CREATION: 5}, holds={registry.ACCOUNT_CREATION: hold})
    assert report.ok  # after 10 simulated minutes the applier's own backoff decides
    assert clock.now == 600
