"""A small repository with a catalog: two products (one with two versions), two portfolios."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from vending import engine
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.changes import Action, Plan
from tests.state.small_repo import SMALL_REPO, write

BUCKET = "vend-catalog-test"
TEMPLATE = ("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  StorageClass:\n    Type: String\n"
            "    Default: STANDARD\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
QUEUE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
CATALOG = {
    "vend.yaml": SMALL_REPO["vend.yaml"] + f"catalog: {{template_bucket: {BUCKET}}}\n",
    "ous/Workloads/ou.yaml": "",
    "catalog/tagoptions.yaml": "tag_options:\n  environment:\n    - {value: development}\n    - {value: test}\n",
    "catalog/products/bucket/product.yaml": (
        "name: Bucket\nowner: Platform\ndescription: A bucket.\nversions:\n"
        "  - {name: v1, template: v1.yaml, description: First, guidance: deprecated}\n"
        "  - {name: v2, template: v2.yaml}\ntag_options: {environment: [development]}\n"),
    "catalog/products/bucket/v1.yaml": TEMPLATE,
    "catalog/products/bucket/v2.yaml": TEMPLATE + "    Properties: {}\n",
    "catalog/products/queue/product.yaml": "name: Queue\nowner: Platform\nversions:\n  - {name: v1, template: t.yaml}\n",
    "catalog/products/queue/t.yaml": QUEUE,
    "catalog/portfolios/dev.yaml": (
        "display_name: Dev builders\nprovider: Platform\ndescription: For Dev.\ndistribution: available\n"
        "products: [bucket, queue]\nshares:\n  - ou: Workloads\nshare_tag_options: true\nshare_principals: true\n"
        "principals:\n  - iam_pattern: arn:aws:iam:::role/builders/*\n"
        "tag_options: {environment: [development]}\nconstraints:\n  bucket:\n"
        "    - launch: {local_role_name: SCLaunchRole}\n    - template:\n        description: Standard only.\n"
        "        parameters: {StorageClass: [STANDARD]}\n    - resource_update: {tag_updates: allowed}\n"
        "  queue:\n    - launch: {local_role_name: SCLaunchRole}\n"),
    "catalog/portfolios/test.yaml": (
        "display_name: Test builders\nprovider: Data\ndistribution: available\nproducts: [bucket]\n"
        "shares:\n  - organization: true\n  - account: Log Archive\nshare_principals: true\n"
        "principals:\n  - iam_pattern: arn:aws:iam:::role/testers/??-*\n"
        "constraints:\n  bucket:\n    - template:\n        parameters: {StorageClass: [STANDARD, INTELLIGENT_TIERING]}\n"),
}


def make(root: Path, extra: dict[str, str] | None = None) -> Path:
    return write(root, {**SMALL_REPO, **CATALOG, **(extra or {})})


def hub(local: LocalAws) -> Any:
    return local.session().client("servicecatalog", region_name="us-east-1")


def create_bucket(local: LocalAws) -> None:
    local.session().client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)


def plan(local: LocalAws, root: Path, counter: CallCounter | None = None) -> Plan:
    clients = AwsClients(local.session(), observers=(counter,) if counter else ())
    return engine.plan(load(root), clients, git_commit=None, target="local")[0]


def apply(local: LocalAws, root: Path, *, allow_destroy: bool = False) -> tuple[Plan, Plan]:
    """Plan, apply (every change must apply), plan again."""
    desired = load(root)
    clients = AwsClients(local.session())
    first, live = engine.plan(desired, clients, git_commit=None, target="local")
    ctx = engine.prepare_apply(first, clients, desired.settings, allow_destroy=allow_destroy, polling=INSTANT, live=live)
    report = engine.apply(first, ctx, desired.settings)
    assert report.ok, [(o.address, o.detail) for o in report.outcomes if o.status != "applied"]
    return first, plan(local, root)


def pending(plan: Plan) -> list[str]:
    return [c.address for c in plan.changes if c.action is not Action.NOOP]
