"""The import round trip on generated organizations built in the local emulator by vend itself
(tests/proofs/generated.py: both engines, OU trees up to 5 deep, OU tags and defaults, SCPs and
tag policies at several levels), then changed to a successor with moved, retagged, suspended
and closed accounts and retired OUs: the import of the result validates and plans no changes."""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.proofs.generated import organizations
from tests.proofs.test_proof_generated import STATE, clients_of, converge, emulator, pristine  # noqa: F401
from vending import engine, importer
from vending.importer import disk
from vending.importer.render import Settings
from vending.model.loader import load


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(pair=organizations())
def test_an_emulated_organization_imports_and_plans_no_changes(pair, pristine):  # noqa: F811
    a, b = pair
    with tempfile.TemporaryDirectory() as scratch:
        repo, into = Path(scratch) / "repo", Path(scratch) / "imported"
        (repo / STATE).parent.mkdir(parents=True)
        shutil.copy(pristine[a.engine], repo / STATE)
        with emulator(repo / ".vend", a.engine) as aws:
            converge(a, repo, aws, allow_destroy=False)
            converge(b, repo, aws, allow_destroy=True)
            source = disk.read_settings(repo)
            clients = clients_of(aws)
            live = engine.read_live(clients, source.settings)
            imported, chosen = importer.build(live, source.settings, Settings(source.data, "../repo/.vend"),
                                              datetime.now(timezone.utc))
            disk.write(into, imported.files)
            plan = engine.plan(load(into), clients, git_commit=None, target="imported")[0]
        assert [f"{c.action.value} {c.address}: {c.reason}" for c in plan.changes] == []
        written = {spec.pinned_id for spec in load(into).accounts.values()}
        assert written == set(live.accounts) - {line.split("(")[1].split(")")[0] for line in chosen.left_out}
