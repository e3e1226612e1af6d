"""`vend apply` killed with SIGKILL at 20 points of its run, then resumed: plan + apply + plan.

The organization lives in a `vend local serve` (its own process, which saves every request), and
vend.yaml points at it with `target: {kind: local, endpoint: URL}`. The killed apply dies right
after its k-th mutating AWS call returned - before vend saw the answer - with up to
`apply_concurrency` other calls in flight. The resume must converge (the second plan is empty)
and leave exactly the organization an uninterrupted apply builds: same OUs, accounts, tags,
policies, attachments, registered OUs and provisioned products, none twice.
"""
from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from tests.proofs.processes import MutationCounter, killed_apply, served
from tests.proofs.readback import dump
from tests.proofs.repos import SMALLER, copy_example, vend
from vending.local.endpoint import EndpointSession

KILL_POINTS = 20
ENGINES = ("organizations", "control-tower")


def endpoint_target(url: str) -> str:
    return f"target:\n  kind: local\n  endpoint: {url}\n"


def kill_at(total: int, point: int) -> int:
    """The `point`-th of KILL_POINTS mutating calls spread evenly from the first to the last."""
    return 1 + round(point * (total - 1) / (KILL_POINTS - 1))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any]]]:
    """Per engine: how many mutating calls a full apply makes, and the organization it builds."""
    runs = {}
    for engine in ENGINES:
        base = tmp_path_factory.mktemp(f"uninterrupted-{engine}")
        with served(base / "state", control_tower=engine == "control-tower") as url:
            repo = copy_example(base / "repo", account_factory=engine, target=endpoint_target(url),
                                without=SMALLER)
            counter = MutationCounter()
            counter.install()
            try:
                applied = vend(repo, "apply", "--auto-approve")
            finally:
                counter.uninstall()
            assert applied.code == 0, applied.err
            runs[engine] = counter.count, dump(EndpointSession(url))
        assert counter.count >= KILL_POINTS
    return runs


@pytest.mark.parametrize("point", range(KILL_POINTS))
@pytest.mark.parametrize("engine", ENGINES)
def test_a_killed_apply_resumes_to_the_same_organization(engine, point, uninterrupted, tmp_path):
    total, expected = uninterrupted[engine]
    with served(tmp_path / "state", control_tower=engine == "control-tower") as url:
        repo = copy_example(tmp_path / "repo", account_factory=engine, target=endpoint_target(url),
                                without=SMALLER)
        k = kill_at(total, point)
        assert killed_apply(repo, k, tmp_path / "killed.log") == -signal.SIGKILL

        planned = vend(repo, "plan", "--format", "json")
        assert planned.code == 0, planned.err
        resumed = vend(repo, "apply", "--auto-approve")
        assert resumed.code == 0, f"kill after mutating call {k}/{total}:\n{resumed.out}\n{resumed.err}"
        again = vend(repo, "plan", "--detailed-exitcode")
        assert again.code == 0, again.out

        state = dump(EndpointSession(url))
    assert state["duplicate_emails"] == []
    assert all(p["count"] == 1 for p in state["provisioned_products"].values())
    assert state == expected
