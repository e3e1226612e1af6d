"""Products and versions end to end against the local emulator: read without a call per account,
planned, applied (templates at their content address in the hub bucket), read back through
boto3, converged; a changed template is a new version, guidance and Active are updated in
place, an out-of-band edit comes back, and a retired product is deleted only with --allow-destroy."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients, CallCounter
from vending.errors import DestroyNotAllowed
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.changes import Action, Kind
from vending.render.text import render_text
from tests.state import catalog_repo as repo


@pytest.fixture
def local(tmp_path: Path) -> Any:
    with LocalAws(tmp_path / "aws") as aws:
        repo.create_bucket(aws)
        yield aws


def products(local: LocalAws) -> dict[str, dict[str, Any]]:
    """Each product of the hub by name: its tags, TagOptions and versions (name, guidance, active, url)."""
    client = repo.hub(local)
    found = {}
    for view in client.search_products_as_admin()["ProductViewDetails"]:
        product_id = view["ProductViewSummary"]["ProductId"]
        described = client.describe_product_as_admin(Id=product_id)
        versions = []
        for a in client.list_provisioning_artifacts(ProductId=product_id)["ProvisioningArtifactDetails"]:
            info = client.describe_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=a["Id"])["Info"]
            versions.append((a["Name"], a["Guidance"], a["Active"], info["TemplateUrl"]))
        found[view["ProductViewSummary"]["Name"]] = {
            "id": product_id, "tags": {t["Key"]: t["Value"] for t in described["Tags"]},
            "tag_options": sorted((t["Key"], t["Value"]) for t in described["TagOptions"]),
            "versions": sorted(versions), "owner": view["ProductViewSummary"]["Owner"]}
    return found


def url(key: str) -> str:
    return f"https://{repo.BUCKET}.s3.us-east-1.amazonaws.com/{key}"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_products_and_versions_are_created_read_back_and_converge(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    first, again = repo.apply(local, root)
    kinds = {c.address: (c.kind, c.action) for c in first.changes if c.kind in (Kind.CATALOG_PRODUCT, Kind.PRODUCT_VERSION)}
    assert kinds == {"catalog_product:bucket": (Kind.CATALOG_PRODUCT, Action.CREATE),
                     "catalog_product:queue": (Kind.CATALOG_PRODUCT, Action.CREATE),
                     "product_version:bucket/v2": (Kind.PRODUCT_VERSION, Action.CREATE)}
    bucket = next(c for c in first.changes if c.address == "catalog_product:bucket")
    assert bucket.depends_on == ("tag_option:environment=development",)
    assert bucket.after is not None and bucket.after["first_version"] == {
        "version": "v1", "description": "First", "guidance": "DEPRECATED", "active": True}
    v1, v2 = repo.TEMPLATE, repo.TEMPLATE + "    Properties: {}\n"
    assert bucket.after["template_key"] == f"vend/catalog/bucket/{sha(v1)}.yaml"
    found = products(local)
    assert found["Bucket"]["tags"] == {"vend:product": "bucket"}
    assert found["Bucket"]["tag_options"] == [("environment", "development")]
    assert found["Bucket"]["versions"] == [
        ("v1", "DEPRECATED", True, url(f"vend/catalog/bucket/{sha(v1)}.yaml")),
        ("v2", "DEFAULT", True, url(f"vend/catalog/bucket/{sha(v2)}.yaml"))]
    assert [v[:3] for v in found["Queue"]["versions"]] == [("v1", "DEFAULT", True)]
    s3 = local.session().client("s3", region_name="us-east-1")
    body = s3.get_object(Bucket=repo.BUCKET, Key=f"vend/catalog/bucket/{sha(v2)}.yaml")["Body"].read().decode()
    assert body == v2
    assert repo.pending(again) == []


def test_the_read_is_per_product_and_version_never_per_account(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    counter = CallCounter()
    repo.plan(local, root, counter)
    catalog_reads = {op: n for op, n in counter.counts.items() if op in (
        "SearchProductsAsAdmin", "DescribeProductAsAdmin", "ListProvisioningArtifacts", "DescribeProvisioningArtifact")}
    assert catalog_reads == {"SearchProductsAsAdmin": 3, "DescribeProductAsAdmin": 2,  # 3: the hub, each portfolio
                             "ListProvisioningArtifacts": 2, "DescribeProvisioningArtifact": 3}
    more = {f"accounts/a{i}.yaml": f"name: A{i}\nemail: a{i}@example.com\nou: Workloads\nowner: x\n" for i in range(3)}
    repo.make(root, more)
    repo.apply(local, root)
    counter_after = CallCounter()
    repo.plan(local, root, counter_after)
    assert {op: counter_after.counts[op] for op in catalog_reads} == catalog_reads


def test_a_changed_template_is_a_new_version_and_the_old_one_is_deprecated(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    old_id = next(a["Id"] for a in repo.hub(local).list_provisioning_artifacts(
        ProductId=products(local)["Queue"]["id"])["ProvisioningArtifactDetails"])
    changed = repo.QUEUE + "    Properties: {DelaySeconds: 5}\n"
    (root / "catalog/products/queue/t.yaml").write_text(changed)
    first, again = repo.apply(local, root)
    [create] = [c for c in first.changes if c.kind is Kind.PRODUCT_VERSION]
    assert (create.address, create.action) == ("product_version:queue/v1", Action.CREATE)
    assert create.reason == ("the template of v1 changed: a new provisioning artifact (AWS never edits a version's"
                             f" template in place); {old_id} with the old template is deprecated")
    text = render_text(first.to_json())
    assert "template_body" not in text and "template_sha256" in text
    assert products(local)["Queue"]["versions"] == sorted([
        ("v1", "DEPRECATED", True, url(f"vend/catalog/queue/{sha(repo.QUEUE)}.yaml")),
        ("v1", "DEFAULT", True, url(f"vend/catalog/queue/{sha(changed)}.yaml"))])
    assert repo.pending(again) == []


def test_guidance_active_and_fields_are_updated_in_place_and_drift_comes_back(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    text = (root / "catalog/products/bucket/product.yaml").read_text()
    (root / "catalog/products/bucket/product.yaml").write_text(
        text.replace("guidance: deprecated}", "guidance: deprecated, active: false}").replace("owner: Platform", "owner: Data"))
    found = products(local)["Queue"]
    repo.hub(local).update_product(Id=found["id"], Owner="Someone in the console")
    first, again = repo.apply(local, root)
    changes = {c.address: c for c in first.changes if c.action is not Action.NOOP}
    assert {a for a in changes if a.startswith(("catalog_product", "product_version"))} == {
        "catalog_product:bucket", "catalog_product:queue", "product_version:bucket/v1"}
    v1 = changes["product_version:bucket/v1"]
    assert (v1.action, v1.reason) == (Action.UPDATE, "active differs from product.yaml")
    assert changes["catalog_product:queue"].reason == "owner differs from product.yaml"
    assert changes["catalog_product:queue"].before["owner"] == "Someone in the console"  # type: ignore[index]
    hub = products(local)
    assert hub["Bucket"]["owner"] == "Data" and hub["Queue"]["owner"] == "Platform"
    assert [v[:3] for v in hub["Bucket"]["versions"]] == [("v1", "DEPRECATED", False), ("v2", "DEFAULT", True)]
    assert repo.pending(again) == []


def test_a_retired_product_is_deleted_only_with_allow_destroy(local: LocalAws, tmp_path: Path) -> None:
    root = repo.make(tmp_path / "repo")
    repo.apply(local, root)
    path = root / "catalog/products/queue/product.yaml"
    path.write_text(path.read_text() + "retired: true\n")
    dev = root / "catalog/portfolios/dev.yaml"
    dev.write_text(dev.read_text().replace("[bucket, queue]", "[bucket]").replace(
        "  queue:\n    - launch: {local_role_name: SCLaunchRole}\n", ""))
    desired = load(root)
    clients = AwsClients(local.session())
    plan, live = engine.plan(desired, clients, git_commit=None, target="local")
    [delete] = [c for c in plan.changes if c.kind is Kind.CATALOG_PRODUCT]
    assert (delete.action, delete.destructive, delete.source) == (Action.DELETE, True, "catalog/products/queue/product.yaml:5")
    assert delete.depends_on == ("portfolio:dev",)  # which lets go of it first
    with pytest.raises(DestroyNotAllowed):
        engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
    _, again = repo.apply(local, root, allow_destroy=True)
    assert set(products(local)) == {"Bucket"} and repo.pending(again) == []


def test_a_missing_bucket_fails_with_what_to_do(tmp_path: Path) -> None:
    with LocalAws(tmp_path / "aws") as local:
        root = repo.make(tmp_path / "repo")
        desired = load(root)
        clients = AwsClients(local.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="local")
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
        report = engine.apply(plan, ctx, desired.settings)
    failed = {o.address: o.detail for o in report.outcomes if o.status == "failed"}
    assert failed["catalog_product:queue"] == (
        f"cannot upload catalog/products/queue/t.yaml to s3://{repo.BUCKET}/vend/catalog/queue/{sha(repo.QUEUE)}.yaml:"
        " NoSuchBucket; create the bucket in the hub's home Region (catalog.template_bucket in vend.yaml) and let the"
        " hub write to it")
