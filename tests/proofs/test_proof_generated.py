"""Property: for 200 generated organizations, both engines, apply converges (the next plan is
empty); and switching the repository to a successor organization (moves, retags, new OUs and
accounts, suspensions, closures, retired OUs) and applying with --allow-destroy converges too.

Each example gets a fresh emulator: a copy of a pristine landing zone's state file in its own
directory (bootstrapping one per example would cost more than the example). The repository is
written as YAML files and read with `load`, so validation runs on every generated file.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.proofs.generated import ENGINES, Org, organizations, write_repo
from tests.proofs.processes import POLLS
from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load

STATE = Path(".vend") / "local" / "state.pickle"


def emulator(state_dir: Path, engine_name: str) -> LocalAws:
    return LocalAws(state_dir, control_tower=engine_name == "control-tower", **POLLS)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh landing zone's state file per engine."""
    states = {}
    for name in ENGINES:
        repo = tmp_path_factory.mktemp(f"pristine-{name}")
        with emulator(repo / ".vend", name):
            pass
        states[name] = repo / STATE
    return states


class SharedClients(AwsClients):
    """One set of clients for every example, its read-only twin made once too: each
    emulator's management session is the same (dummy credentials, the same pinned account),
    and new sessions and clients would parse the services' models again - most of an
    example's time otherwise. What the clients do is unchanged."""

    def reader(self) -> AwsClients:
        if not hasattr(self, "_reader"):
            self._reader = super().reader()
        return self._reader


CLIENTS: dict[str, AwsClients] = {}


def clients_of(aws: LocalAws) -> AwsClients:
    return CLIENTS.setdefault("management", SharedClients(aws.session()))


def converge(org: Org, repo: Path, aws: LocalAws, *, allow_destroy: bool) -> None:
    write_repo(org, repo)
    desired = load(repo)
    clients = clients_of(aws)
    plan, live = engine.plan(desired, clients, git_commit=None, target="generated")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=allow_destroy,
                               polling=INSTANT, live=live)
    report = engine.apply(plan, ctx, desired.settings)
    assert report.ok, [f"{o.address}: {o.status}: {o.detail}" for o in report.outcomes if o.status != "applied"]
    again = engine.plan(load(repo), clients, git_commit=None, target="generated")[0]
    assert [f"{c.action.value} {c.address}: {c.reason}" for c in again.changes] == []


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(pair=organizations())
def test_generated_organizations_converge_and_so_does_the_switch_to_a_successor(pair, pristine):
    a, b = pair
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        (repo / STATE).parent.mkdir(parents=True)
        shutil.copy(pristine[a.engine], repo / STATE)
        with emulator(repo / ".vend", a.engine) as aws:
            converge(a, repo, aws, allow_destroy=False)
            converge(b, repo, aws, allow_destroy=True)
