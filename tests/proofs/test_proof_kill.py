"""`vend apply` killed with SIGKILL at 20 points of its run, then resumed: plan + apply + plan.

The organization lives in a `vend local serve` (its own process, which saves every request), and
vend.yaml points at it with `target: {kind: local, endpoint: URL}`; and, at 10 points, in the
in-process emulator of `target: {kind: local, state_dir: .vend}`, which the killed apply itself
saves after every request. The killed apply dies right
after its k-th mutating AWS call returned - before vend saw the answer - with up to
`apply_concurrency` other calls in flight. The killed apply's lock (its first mutating call;
its last releases it) refuses the next apply, naming the dead process, until
`vend force-unlock ID` breaks it. The resume must converge (the second plan is empty)
and leave exactly the organization an uninterrupted apply builds: same OUs, accounts, tags,
policies, attachments, registered OUs and provisioned products, none twice.
"""
from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.proofs.processes import MutationCounter, killed_apply, served
from tests.proofs.readback import dump
from tests.proofs.repos import SMALLER, Result, copy_example, vend
from vending.local import LocalAws
from vending.local.endpoint import EndpointSession

KILL_POINTS = 20
IN_PROCESS_KILL_POINTS = 10
ENGINES = ("organizations", "control-tower")


def endpoint_target(url: str) -> str:
    return f"target:\n  kind: local\n  endpoint: {url}\n"


def kill_at(total: int, point: int, points: int = KILL_POINTS) -> int:
    """The `point`-th of `points` mutating calls spread evenly from the first to the last."""
    return 1 + round(point * (total - 1) / (points - 1))


def resume(repo: Path, k: int, total: int) -> Result:
    """`vend apply` after the kill: refused while the killed apply's lock is held, which is
    whenever it died before releasing it (its last mutating call), then force-unlocked."""
    resumed = vend(repo, "apply", "--auto-approve")
    if k == total:
        return resumed
    assert resumed.code == 1 and "no longer runs on this host: that apply was killed" in resumed.err, resumed.err
    lock_id = re.search(r"vend force-unlock (\S+)$", resumed.err.strip()).group(1)
    unlocked = vend(repo, "force-unlock", lock_id)
    assert unlocked.code == 0, unlocked.err
    return vend(repo, "apply", "--auto-approve")


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
        resumed = resume(repo, k, total)
        assert resumed.code == 0, f"kill after mutating call {k}/{total}:\n{resumed.out}\n{resumed.err}"
        again = vend(repo, "plan", "--detailed-exitcode")
        assert again.code == 0, again.out

        state = dump(EndpointSession(url))
    assert state["duplicate_emails"] == []
    assert all(p["count"] == 1 for p in state["provisioned_products"].values())
    assert state == expected


def in_process_repo(into: Path, engine: str) -> Path:
    """The example with the default in-process target, its landing zone already on disk (a
    plan creates it), so that the killed apply's calls are the apply's own."""
    repo = copy_example(into, account_factory=engine, without=SMALLER)
    planned = vend(repo, "plan")
    assert planned.code == 0, planned.err
    return repo


def in_process_dump(repo: Path, engine: str) -> dict[str, Any]:
    with LocalAws(repo / ".vend", control_tower=engine == "control-tower") as aws:
        return dump(aws.session())


@pytest.fixture(scope="module")
def uninterrupted_in_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any]]]:
    runs = {}
    for engine in ENGINES:
        repo = in_process_repo(tmp_path_factory.mktemp(f"in-process-{engine}") / "repo", engine)
        counter = MutationCounter()
        counter.install()
        try:
            applied = vend(repo, "apply", "--auto-approve")
        finally:
            counter.uninstall()
        assert applied.code == 0, applied.err
        runs[engine] = counter.count, in_process_dump(repo, engine)
        assert counter.count >= IN_PROCESS_KILL_POINTS
    return runs


@pytest.mark.parametrize("point", range(IN_PROCESS_KILL_POINTS))
@pytest.mark.parametrize("engine", ENGINES)
def test_a_killed_in_process_apply_resumes_to_the_same_organization(engine, point, uninterrupted_in_process,
                                                                    tmp_path):
    total, expected = uninterrupted_in_process[engine]
    repo = in_process_repo(tmp_path / "repo", engine)
    k = kill_at(total, point, IN_PROCESS_KILL_POINTS)
    assert killed_apply(repo, k, tmp_path / "killed.log") == -signal.SIGKILL

    planned = vend(repo, "plan", "--format", "json")
    assert planned.code == 0, planned.err
    resumed = resume(repo, k, total)
    assert resumed.code == 0, f"kill after mutating call {k}/{total}:\n{resumed.out}\n{resumed.err}"
    again = vend(repo, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out

    state = in_process_dump(repo, engine)
    assert state["duplicate_emails"] == []
    assert all(p["count"] == 1 for p in state["provisioned_products"].values())
    assert state == expected
