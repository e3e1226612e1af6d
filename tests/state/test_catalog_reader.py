"""The TagOption library end to end against the local emulator: read only when declared, paged,
planned, applied, read back through boto3, and converged (plan empty), out-of-band changes included."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.session
import pytest

from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.live_catalog import LiveTagOption
from vending.model.loader import load
from vending.plan.changes import Action, Kind, Plan
from tests.state.small_repo import SMALL_REPO, write

LIBRARY = ("tag_options:\n  environment:\n    - {value: development}\n    - {value: legacy, active: false}\n"
           "  cost-center:\n" + "".join(f"    - {{value: \"{1000 + i}\"}}\n" for i in range(23)))
CATALOG = {"catalog/tagoptions.yaml": LIBRARY}
_model = botocore.session.get_session().get_service_model
SERVICE_CATALOG_ONLY = set(_model("servicecatalog").operation_names) - set(_model("organizations").operation_names)


@pytest.fixture
def local(tmp_path: Path) -> Any:
    with LocalAws(tmp_path / "aws") as aws:
        yield aws


def plan_and_apply(local: LocalAws, root: Path, counter: CallCounter | None = None) -> tuple[Plan, Plan]:
    desired = load(root)
    clients = AwsClients(local.session(), observers=(counter,) if counter else ())
    first, live = engine.plan(desired, clients, git_commit=None, target="local")
    ctx = engine.prepare_apply(first, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
    report = engine.apply(first, ctx, desired.settings)
    assert report.ok, [(o.address, o.detail) for o in report.outcomes if o.status != "applied"]
    again, _ = engine.plan(desired, clients, git_commit=None, target="local")
    return first, again


def hub_tag_options(local: LocalAws) -> list[tuple[str, str, bool]]:
    client = local.session().client("servicecatalog", region_name="us-east-1")
    pages = client.get_paginator("list_tag_options").paginate()
    return sorted((t["Key"], t["Value"], t["Active"]) for p in pages for t in p["TagOptionDetails"])


def test_a_repo_without_catalog_makes_no_service_catalog_call(local: LocalAws, tmp_path: Path) -> None:
    desired = load(write(tmp_path / "repo", SMALL_REPO))
    counter = CallCounter()
    plan, live = engine.plan(desired, AwsClients(local.session(), observers=(counter,)), git_commit=None, target="local")
    assert live.catalog is None and plan.catalog_read is False and "catalog" not in plan.to_json()["read_scope"]
    assert counter.total > 0 and not set(counter.counts) & SERVICE_CATALOG_ONLY


def test_the_library_is_created_read_back_and_converges(local: LocalAws, tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {**SMALL_REPO, **CATALOG})
    first, again = plan_and_apply(local, root)
    creates = [c for c in first.changes if c.kind is Kind.TAG_OPTION]
    assert len(creates) == 25 and {c.action for c in creates} == {Action.CREATE}
    legacy = next(c for c in creates if c.address == "tag_option:environment=legacy")
    assert legacy.after == {"key": "environment", "value": "legacy", "active": False}
    assert legacy.source == "catalog/tagoptions.yaml:4"
    assert first.catalog_read is True and Plan.loads(first.dumps()).catalog_read is True
    expected = sorted([("environment", "development", True), ("environment", "legacy", False)]
                      + [("cost-center", str(1000 + i), True) for i in range(23)])
    assert hub_tag_options(local) == expected
    assert [c for c in again.changes if c.action is not Action.NOOP] == []


def test_reads_page_twenty_at_a_time(local: LocalAws, tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {**SMALL_REPO, **CATALOG})
    plan_and_apply(local, root)
    counter = CallCounter()
    desired = load(root)
    _, live = engine.plan(desired, AwsClients(local.session(), observers=(counter,)), git_commit=None, target="local")
    assert counter.counts["ListTagOptions"] == 2  # 25 TagOptions, 20 a page
    assert live.catalog is not None and len(live.catalog.tag_options) == 25
    catalog_reads = {op: n for op, n in counter.counts.items() if op in SERVICE_CATALOG_ONLY}
    assert catalog_reads == {"ListTagOptions": 2, "SearchProductsAsAdmin": 1, "ListPortfolios": 1,
                             "GetAWSOrganizationsAccessStatus": 1}  # no product, no portfolio: nothing more


def test_an_out_of_band_change_is_put_back_and_an_unlisted_tag_option_is_noted(local: LocalAws, tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {**SMALL_REPO, **CATALOG})
    plan_and_apply(local, root)
    client = local.session().client("servicecatalog", region_name="us-east-1")
    found = client.list_tag_options(Filters={"Key": "environment", "Value": "development"})["TagOptionDetails"][0]
    client.update_tag_option(Id=found["Id"], Active=False)           # someone in the console
    console = client.create_tag_option(Key="team", Value="payments")["TagOptionDetail"]
    first, again = plan_and_apply(local, root)
    [update] = [c for c in first.changes if c.kind is Kind.TAG_OPTION]
    assert (update.address, update.action, update.reason) == (
        "tag_option:environment=development", Action.UPDATE, "inactive in the hub, active in the library")
    assert update.before == {"id": found["Id"], "key": "environment", "value": "development", "active": False}
    assert [(n.kind, n.address) for n in first.notes if n.kind == "unmanaged_tag_option"] == [
        ("unmanaged_tag_option", "tag_option:team=payments")]
    assert ("environment", "development", True) in hub_tag_options(local)
    assert ("team", "payments", True) in hub_tag_options(local) and console["Id"]
    assert [c for c in again.changes if c.action is not Action.NOOP] == []


def test_deactivating_in_the_library_updates_the_hub(local: LocalAws, tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {**SMALL_REPO, **CATALOG})
    plan_and_apply(local, root)
    (root / "catalog/tagoptions.yaml").write_text(LIBRARY.replace("{value: development}", "{value: development, active: false}"))
    first, again = plan_and_apply(local, root)
    [update] = [c for c in first.changes if c.kind is Kind.TAG_OPTION]
    assert update.after is not None and update.after["active"] is False and not update.destructive
    assert ("environment", "development", False) in hub_tag_options(local)
    assert [c for c in again.changes if c.action is not Action.NOOP] == []


def test_the_fingerprint_covers_the_tag_options(local: LocalAws, tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {**SMALL_REPO, **CATALOG})
    plan_and_apply(local, root)
    desired = load(root)
    clients = AwsClients(local.session())
    plan, live = engine.plan(desired, clients, git_commit=None, target="local")
    assert live.catalog is not None
    assert live.catalog.tag_option("environment", "legacy") == LiveTagOption(
        live.catalog.tag_option("environment", "legacy").id, "environment", "legacy", False)  # type: ignore[union-attr]
    client = local.session().client("servicecatalog", region_name="us-east-1")
    client.create_tag_option(Key="late", Value="x")
    with pytest.raises(Exception, match="plan is stale"):
        engine.prepare_apply(Plan.loads(plan.dumps()), clients, desired.settings, allow_destroy=False, polling=INSTANT)
