"""An apply with 20% of all calls throttled ends in the same organization as an unthrottled one.

The throttling is vend.yaml's own option, `target: {kind: local, faults: {throttle_rate: 0.2,
seed: 7}}`: the in-process emulator answers one call in five, of every operation of every
service, with the service's throttling error (HTTP 400 TooManyRequestsException for
Organizations, ThrottlingException otherwise), drawn from a seeded source. vend's clients retry
them with botocore's standard retries. `apply_concurrency: 1` makes the sequence of calls, and so
which ones are throttled, the same on every run. Only the backoff's sleep is zeroed (to keep the
test short); whether to retry, and how often, is botocore's decision as in production.
"""
from __future__ import annotations

from collections import Counter

import pytest
from botocore.retries.standard import ExponentialBackoff

from tests.proofs.readback import dump
from tests.proofs.repos import SMALLER, copy_example, vend
from vending.local import LocalAws
from vending.local.faults import Faults

ENGINES = ("organizations", "control-tower")
RATE, SEED = 0.2, 7


def target(faults: str = "") -> str:
    return "target:\n  kind: local\n  state_dir: .vend\n" + faults


def applied_org(repo, engine: str) -> dict:
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace("apply_concurrency: 4", "apply_concurrency: 1"))
    applied = vend(repo, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    again = vend(repo, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out
    with LocalAws(repo / ".vend", control_tower=engine == "control-tower") as aws:
        return dump(aws.session())


@pytest.mark.parametrize("engine", ENGINES)
def test_an_apply_throttled_one_call_in_five_builds_the_same_organization(engine, tmp_path, monkeypatch):
    plain = copy_example(tmp_path / "plain", account_factory=engine, target=target(), without=SMALLER)
    expected = applied_org(plain, engine)

    calls: Counter[str] = Counter()
    take = Faults.take

    def counted(self: Faults, service: str, operation: str):
        fault = take(self, service, operation)
        calls["throttled" if fault is not None else "answered"] += 1
        return fault

    monkeypatch.setattr(Faults, "take", counted)
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    faults = f"  faults:\n    throttle_rate: {RATE}\n    seed: {SEED}\n"
    throttled = copy_example(tmp_path / "throttled", account_factory=engine, target=target(faults),
                             without=SMALLER)
    assert applied_org(throttled, engine) == expected
    share = calls["throttled"] / (calls["throttled"] + calls["answered"])
    assert calls["throttled"] >= 20 and 0.15 < share < 0.25, calls
