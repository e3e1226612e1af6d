"""Available portfolios end to end against the local emulator: created with their products,
principals, TagOptions and constraints, read back through boto3, converged; a constraint edited
or deleted out of band comes back; dropping a product drops its constraints first; a retired
portfolio is deleted only with --allow-destroy."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vending.local import LocalAws
from vending.plan.changes import Action, Kind
from tests.state import catalog_repo as repo


@pytest.fixture
def local(tmp_path: Path) -> Any:
    with LocalAws(tmp_path / "aws") as aws:
        repo.create_bucket(aws)
        yield aws


def portfolios(local: LocalAws) -> dict[str, dict[str, Any]]:
    client = repo.hub(local)
    names = {v["ProductViewSummary"]["ProductId"]: v["ProductViewSummary"]["Name"]
             for v in client.search_products_as_admin()["ProductViewDetails"]}
    found = {}
    for detail in client.list_portfolios()["PortfolioDetails"]:
        pid = detail["Id"]
        described = client.describe_portfolio(Id=pid)
        constraints = []
        for c in client.list_constraints_for_portfolio(PortfolioId=pid)["ConstraintDetails"]:
            params = json.loads(client.describe_constraint(Id=c["ConstraintId"])["ConstraintParameters"])
            constraints.append((names[c["ProductId"]], c["Type"], c.get("Description", ""), params))
        found[detail["DisplayName"]] = {
            "id": pid, "provider": detail["ProviderName"],
            "tags": {t["Key"]: t["Value"] for t in described["Tags"]},
            "tag_options": sorted((t["Key"], t["Value"]) for t in described["TagOptions"]),
            "products": sorted(names[v["ProductViewSummary"]["ProductId"]]
                               for v in client.search_products_as_admin(PortfolioId=pid)["ProductViewDetails"]),
            "principals": sorted((p["PrincipalType"], p["PrincipalARN"])
                                 for p in client.list_principals_for_portfolio(PortfolioId=pid)["Principals"]),
            "constraints": sorted(constraints, key=lambda c: (c[0], c[1]))}
    return found


STANDARD = {"Rules": {"AllowedStorageClass": {"Assertions": [{
    "Assert": {"Fn::Contains": [["STANDARD"], {"Ref": "StorageClass"}]},
    "AssertDescription": "StorageClass must be one of: STANDARD"}]}}}


def test_portfolios_are_created_with_everything_they_hold_and_converge(local: LocalAws, tmp_path: Path) -> None:
    first, again = repo.apply(local, repo.make(tmp_path / "repo"))
    dev = next(c for c in first.changes if c.address == "portfolio:dev")
    assert dev.after is not None and dev.after["principals"] == ["IAM_PATTERN arn:aws:iam:::role/builders/*"]
    assert dev.depends_on == ("catalog_product:bucket", "catalog_product:queue", "tag_option:environment=development")
    found = portfolios(local)
    assert found["Dev builders"] == {
        "id": found["Dev builders"]["id"], "provider": "Platform", "tags": {"vend:portfolio": "dev"},
        "tag_options": [("environment", "development")], "products": ["Bucket", "Queue"],
        "principals": [("IAM_PATTERN", "arn:aws:iam:::role/builders/*")],
        "constraints": [("Bucket", "LAUNCH", "", {"LocalRoleName": "SCLaunchRole"}),
                        ("Bucket", "RESOURCE_UPDATE", "", {"Version": "2.0", "Properties": {"TagUpdateOnProvisionedProduct": "ALLOWED"}}),
                        ("Bucket", "TEMPLATE", "Standard only.", STANDARD),
                        ("Queue", "LAUNCH", "", {"LocalRoleName": "SCLaunchRole"})]}
    test_rules = portfolios(local)["Test builders"]["constraints"][0][3]["Rules"]["AllowedStorageClass"]
    assert test_rules["Assertions"][0]["Assert"]["Fn::Contains"][0] == ["STANDARD", "INTELLIGENT_TIERING"]
    assert repo.pending(again) == []


def test_a_constraint_edited_or_deleted_out_of_band_comes_back(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    client = repo.hub(local)
    dev = portfolios(local)["Dev builders"]["id"]
    details = client.list_constraints_for_portfolio(PortfolioId=dev)["ConstraintDetails"]
    template = next(c for c in details if c["Type"] == "TEMPLATE")
    loose = {"Rules": {"Any": {"Assertions": [{"Assert": {"Fn::Contains": [["GLACIER"], {"Ref": "StorageClass"}]}}]}}}
    client.update_constraint(Id=template["ConstraintId"], Parameters=json.dumps(loose))   # someone in the console
    client.delete_constraint(Id=next(c for c in details if c["Type"] == "RESOURCE_UPDATE")["ConstraintId"])
    first, again = repo.apply(local, root)
    changes = {c.address: c for c in first.changes if c.kind is Kind.CATALOG_CONSTRAINT}
    assert {a: c.action for a, c in changes.items()} == {
        "catalog_constraint:dev/bucket/template": Action.UPDATE,
        "catalog_constraint:dev/bucket/resource_update": Action.CREATE}
    update = changes["catalog_constraint:dev/bucket/template"]
    assert update.before is not None and update.before["parameters"] == loose
    assert update.after is not None and update.after["parameters"] == STANDARD
    assert portfolios(local)["Dev builders"]["constraints"][2] == ("Bucket", "TEMPLATE", "Standard only.", STANDARD)
    assert repo.pending(again) == []


def test_dropping_a_product_deletes_its_constraints_first_and_principals_follow_git(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    path = root / "catalog/portfolios/dev.yaml"
    text = path.read_text().replace("products: [bucket, queue]", "products: [bucket]")
    text = text.replace("  queue:\n    - launch: {local_role_name: SCLaunchRole}\n", "")
    path.write_text(text.replace("role/builders/*", "role/makers/*"))
    first, again = repo.apply(local, root)
    [update] = [c for c in first.changes if c.kind is Kind.PORTFOLIO]
    [delete] = [c for c in first.changes if c.kind is Kind.CATALOG_CONSTRAINT]
    assert delete.action is Action.DELETE and delete.address.startswith("catalog_constraint:dev/queue/launch#cons-")
    assert update.depends_on == (delete.address,) and not update.destructive
    assert update.reason == "products, principals differ from catalog/portfolios/dev.yaml"
    dev = portfolios(local)["Dev builders"]
    assert dev["products"] == ["Bucket"] and dev["principals"] == [("IAM_PATTERN", "arn:aws:iam:::role/makers/*")]
    assert [c[:2] for c in dev["constraints"]] == [("Bucket", "LAUNCH"), ("Bucket", "RESOURCE_UPDATE"), ("Bucket", "TEMPLATE")]
    assert repo.pending(again) == []


def test_a_retired_portfolio_goes_after_its_shares_and_constraints_only_with_allow_destroy(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    path = root / "catalog/portfolios/test.yaml"
    path.write_text(path.read_text() + "retired: true\n")
    plan = repo.plan(local, root)
    [delete] = [c for c in plan.changes if c.kind is Kind.PORTFOLIO]
    assert (delete.action, delete.destructive) == (Action.DELETE, True)
    assert plan.destructive() == ["portfolio:test"]
    waits = sorted(a.split("#")[0] for a in delete.depends_on)
    assert waits == ["catalog_constraint:test/bucket/template", "portfolio_share:test@account:Log Archive",
                     "portfolio_share:test@organization"]
    _, again = repo.apply(local, root, allow_destroy=True)
    assert set(portfolios(local)) == {"Dev builders"} and repo.pending(again) == []


def test_a_saved_plan_goes_stale_when_a_portfolio_changes_and_says_which(local: LocalAws, tmp_path: Path) -> None:
    from vending import engine
    from vending.apply.context import INSTANT
    from vending.aws.clients import AwsClients
    from vending.model.loader import load
    from vending.plan.changes import Plan

    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    desired = load(root)
    clients = AwsClients(local.session())
    saved, _ = engine.plan(desired, clients, git_commit=None, target="local", saving=True)
    dev = portfolios(local)["Dev builders"]["id"]
    repo.hub(local).update_portfolio(Id=dev, Description="edited in the console")
    with pytest.raises(Exception, match="portfolio dev changed"):
        engine.prepare_apply(Plan.loads(saved.dumps()), clients, desired.settings, allow_destroy=False, polling=INSTANT)


def test_a_portfolio_whose_file_is_gone_is_left_alone_and_noted(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    (root / "catalog/portfolios/test.yaml").unlink()
    plan = repo.plan(local, root)
    assert not [c for c in plan.changes if c.kind in (Kind.PORTFOLIO, Kind.PORTFOLIO_SHARE, Kind.CATALOG_CONSTRAINT)]
    test_id = portfolios(local)["Test builders"]["id"]
    assert [(n.address, n.message) for n in plan.notes if n.kind == "unmanaged_portfolio"] == [(
        "portfolio:test", f"portfolio Test builders ({test_id}) is tagged vend:portfolio=test but catalog/portfolios/"
        " has no such file; vend leaves it (add it back with retired: true to delete it)")]
