"""A builder in a Dev spoke account, after `vend apply` of the example catalog: it finds the shared
product (its launch path, constraints and TagOptions), launches it within the Dev portfolio's
template constraint and is refused outside it; the version lifecycle changed in git (deprecate,
then deactivate) reaches the spoke as AWS behaves; a share whose apply was killed resumes; and
the AWS CLI against `vend local serve` does what the builder does."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import REPO_ROOT, without_baselines
from tests.local.catalog_support import as_role, refused
from tests.proofs.processes import killed_apply
from tests.proofs.repos import vend as run
from vending.local import LocalAws, LocalServer

BUILDER = "builders/app-builder"
PRODUCT = "catalog/products/s3-bucket/product.yaml"


def _with_catalog(example: Path) -> Path:
    example = without_baselines(example)
    shutil.copytree(REPO_ROOT / "catalog", example / "catalog")
    return example


def _ids(aws: LocalAws) -> dict[str, str]:
    org = aws.session().client("organizations")
    return {a["Name"]: a["Id"] for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]}


def _settle(client: Any, record: dict[str, Any]) -> str:
    for _ in range(10):
        status = client.describe_record(Id=record["RecordId"])["RecordDetail"]["Status"]
        if status not in ("CREATED", "IN_PROGRESS"):
            return str(status)
    raise AssertionError(f"{record['RecordId']} never completed")


def _versions(builder: Any, product: str) -> dict[str, str]:
    return {a["Name"]: a["Id"] for a in builder.describe_product(Id=product)["ProvisioningArtifacts"]}


def _launch(builder: Any, product: str, version: str, name: str, storage: str) -> dict[str, Any]:
    return builder.provision_product(ProductId=product, ProvisioningArtifactId=version, ProvisionedProductName=name,
                                     ProvisioningParameters=[{"Key": "StorageClass", "Value": storage}])["RecordDetail"]


def _set_v1(repo: Path, lines: str) -> None:
    """The example's s3-bucket product with v1's guidance/active lines replaced by `lines`."""
    text = (REPO_ROOT / PRODUCT).read_text()
    (repo / PRODUCT).write_text(re.sub(r"    guidance: deprecated[^\n]*\n", lines, text, count=1))


def test_a_dev_builder_launches_within_its_constraint_and_follows_the_version_lifecycle(example, vend):
    repo = _with_catalog(example)
    _set_v1(repo, "")  # v1 starts as a plain version, so a launch of it exists before it is deprecated
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:
        ids = _ids(aws)
        builder = as_role(aws, ids["payments-dev"], BUILDER)
        shared = builder.list_accepted_portfolio_shares(PortfolioShareType="AWS_ORGANIZATIONS")["PortfolioDetails"]
        assert [p["DisplayName"] for p in shared] == ["Dev builders"]
        products = {p["Name"]: p["ProductId"] for p in builder.search_products()["ProductViewSummaries"]}
        assert set(products) == {"S3 bucket", "SQS queue"}
        s3 = products["S3 bucket"]
        [path] = builder.list_launch_paths(ProductId=s3)["LaunchPathSummaries"]
        assert path["Name"] == "Dev builders"
        assert sorted(c["Type"] for c in path["ConstraintSummaries"]) == ["LAUNCH", "RESOURCE_UPDATE", "TEMPLATE"]
        versions = _versions(builder, s3)
        params = builder.describe_provisioning_parameters(ProductId=s3, ProvisioningArtifactId=versions["v2"],
                                                          PathId=path["Id"])
        assert {p["ParameterKey"] for p in params["ProvisioningArtifactParameters"]} == {"StorageClass",
                                                                                          "NoncurrentDays"}
        assert {t["Key"]: sorted(t["Values"]) for t in params["TagOptions"]} == {
            "cost-center": ["1001"], "data-classification": ["confidential", "internal"],
            "environment": ["development"]}
        error = refused("InvalidParametersException", lambda: _launch(builder, s3, versions["v2"], "b", "STANDARD_IA"))
        assert error["Error"]["Message"] == "StorageClass must be one of: STANDARD"
        assert _settle(builder, _launch(builder, s3, versions["v1"], "old-bucket", "STANDARD")) == "SUCCEEDED"
        assert _settle(builder, _launch(builder, s3, versions["v2"], "new-bucket", "STANDARD")) == "SUCCEEDED"
        tester = as_role(aws, ids["analytics-test"], BUILDER)  # the Test team's portfolio offers more
        test_path = tester.list_launch_paths(ProductId=s3)["LaunchPathSummaries"][0]["Name"]
        assert test_path == "Test builders"
        assert _settle(tester, _launch(tester, s3, versions["v2"], "tiered", "INTELLIGENT_TIERING")) == "SUCCEEDED"

    _set_v1(repo, "    guidance: deprecated\n")
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:
        builder = as_role(aws, ids["payments-dev"], BUILDER)
        error = refused("InvalidParametersException", lambda: _launch(builder, s3, versions["v1"], "c", "STANDARD"))
        assert "deprecated" in error["Error"]["Message"]
        updated = builder.update_provisioned_product(ProvisionedProductName="old-bucket", ProvisioningArtifactId=versions[
            "v1"], ProvisioningParameters=[{"Key": "StorageClass", "UsePreviousValue": True}])["RecordDetail"]
        assert _settle(builder, updated) == "SUCCEEDED"

    _set_v1(repo, "    guidance: deprecated\n    active: false\n")
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:
        builder = as_role(aws, ids["payments-dev"], BUILDER)
        assert set(_versions(builder, s3)) == {"v2"}
        refused("ResourceNotFoundException", lambda: _launch(builder, s3, versions["v1"], "d", "STANDARD"))
    assert "No changes." in vend(repo, "plan").out


def test_a_share_whose_apply_was_killed_resumes_and_reaches_the_builder(example, tmp_path):
    repo = _with_catalog(example)
    status = killed_apply(repo, 1, tmp_path / "killed.log", operation="CreatePortfolioShare")
    assert status == -9, (tmp_path / "killed.log").read_text()
    resumed = run(repo, "apply", "--auto-approve")
    if resumed.code == 1 and "vend force-unlock" in resumed.err:  # the killed apply still holds the lock
        lock_id = re.search(r"vend force-unlock (\S+)$", resumed.err.strip()).group(1)
        assert run(repo, "force-unlock", lock_id).code == 0
        resumed = run(repo, "apply", "--auto-approve")
    assert resumed.code == 0, resumed.out + resumed.err
    assert run(repo, "plan", "--detailed-exitcode").code == 0
    with LocalAws(repo / ".vend") as aws:
        hub = aws.session().client("servicecatalog")
        folios = {p["DisplayName"]: p["Id"] for p in hub.list_portfolios()["PortfolioDetails"]}
        for name in ("Dev builders", "Test builders"):
            shares = hub.describe_portfolio_shares(PortfolioId=folios[name], Type="ORGANIZATIONAL_UNIT")
            assert len(shares["PortfolioShareDetails"]) == 1
        builder = as_role(aws, _ids(aws)["payments-dev"], BUILDER)
        assert {p["Name"] for p in builder.search_products()["ProductViewSummaries"]} == {"S3 bucket", "SQS queue"}


def _aws(server: LocalServer, env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(["aws", "--endpoint-url", server.url, "--region", "us-east-1", "--output", "json", *args],
                          env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_against_vend_local_serve_does_what_a_builder_does(example, vend, tmp_path):
    repo = _with_catalog(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:
        dev = _ids(aws)["payments-dev"]
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_MAX_ATTEMPTS": "1"}
    with LocalServer(repo / ".vend", port=0) as server:
        creds = _aws(server, base, "sts", "assume-role", "--role-arn", f"arn:aws:iam::{dev}:role/{BUILDER}",
                     "--role-session-name", "builder")["Credentials"]
        env = {**base, "AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
               "AWS_SESSION_TOKEN": creds["SessionToken"]}
        found = _aws(server, env, "servicecatalog", "search-products")["ProductViewSummaries"]
        s3 = next(p["ProductId"] for p in found if p["Name"] == "S3 bucket")
        [path] = _aws(server, env, "servicecatalog", "list-launch-paths", "--product-id", s3)["LaunchPathSummaries"]
        versions = {a["Name"]: a["Id"] for a in _aws(server, env, "servicecatalog", "describe-product", "--id", s3)[
            "ProvisioningArtifacts"]}
        launch = ["servicecatalog", "provision-product", "--product-id", s3, "--provisioning-artifact-id",
                  versions["v2"], "--path-id", path["Id"]]
        refused = _aws(server, env, *launch, "--provisioned-product-name", "cold", "--provisioning-parameters",
                       "Key=StorageClass,Value=STANDARD_IA")
        assert "InvalidParametersException" in refused and "StorageClass must be one of: STANDARD" in refused
        record = _aws(server, env, *launch, "--provisioned-product-name", "mine", "--provisioning-parameters",
                      "Key=StorageClass,Value=STANDARD")["RecordDetail"]
        for _ in range(4):
            status = _aws(server, env, "servicecatalog", "describe-record", "--id", record["RecordId"])
        assert status["RecordDetail"]["Status"] == "SUCCEEDED"
        mine = _aws(server, env, "servicecatalog", "search-provisioned-products")["ProvisionedProducts"]
        assert [p["Name"] for p in mine] == ["mine"]
