"""The import round trip on generated organizations: import, then the repository validates
and plans `No changes.`, every account's effective tags equal its live tags, and everything
not imported is reported."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings as hsettings

from tests.importer.live_orgs import organizations, settings, vend_yaml
from vending import importer
from vending.errors import ImportRefused
from vending.importer import disk
from vending.importer.render import Settings
from vending.model.loader import load
from vending.plan.build import build_plan

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def round_trip(live, engine, required, repo: Path, subtree=None):
    imported, chosen = importer.build(live, settings(engine, required), Settings(vend_yaml(engine, required)),
                                      NOW, subtree)
    disk.write(repo, imported.files)
    desired = load(repo)  # raises ValidationFailed when the files do not validate
    plan = build_plan(desired, live, now=NOW)
    assert [c.address for c in plan.changes] == []
    return desired, chosen


@given(organizations())
@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_generated_organizations_import_and_plan_no_changes(tmp_path_factory, drawn):
    live, engine, required = drawn
    repo = tmp_path_factory.mktemp("import")
    desired, chosen = round_trip(live, engine, required, repo)
    by_id = {a.pinned_id: a for a in desired.accounts.values()}
    pinned = {spec.pinned_id for spec in desired.ous.values()} | {live.root.id}
    reported = " ".join(chosen.left_out)

    def accounted(node_id: str) -> bool:
        """Imported, or reported: itself, or an OU above it that was left out."""
        while node_id not in pinned:
            if f"({node_id})" in reported:
                return True
            node_id = live.ous[node_id].parent_id
        return False

    for account in live.accounts.values():
        spec = by_id.get(account.id)
        if spec is None:
            assert f"({account.id})" in reported or accounted(account.parent_id), account
            continue
        assert desired.account_tags(spec) == account.tags
        if account.status == "SUSPENDED":
            assert spec.state == "closed"
    for ou in live.ous.values():
        assert ou.id in pinned or accounted(ou.id), ou


@given(organizations())
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_subtree_imports_and_plans_no_changes(tmp_path_factory, drawn):
    live, engine, required = drawn
    repo = tmp_path_factory.mktemp("subtree")
    deepest = max(live.ous.values(), key=lambda o: (len(o.path), o.id))
    try:
        desired, chosen = round_trip(live, engine, required, repo, deepest.path)
    except ImportRefused as exc:  # the OU itself may be one the import must leave out
        assert "no such OU can be imported" in str(exc)
        return
    assert all(spec.ou[: len(deepest.path)] == deepest.path or spec.ou == ("Suspended",)
               for spec in desired.accounts.values())
    assert desired.root is None
