"""The example's catalog end to end through the CLI: `vend apply` creates its TagOption library,
products, versions, available portfolios (principals, constraints, TagOptions) and OU shares in
the local hub, boto3 reads them back from the emulator, and the next plan is empty; a share
removed and a constraint edited in the console come back. (The enforced security-alarms
portfolio is tests/e2e/test_catalog_enforced.py's.)"""
from __future__ import annotations

import json
import shutil

from tests.e2e.conftest import REPO_ROOT, without_baselines
from vending.local import LocalAws


def _hub(example):
    return LocalAws(example / ".vend")


def test_example_catalog_apply_read_back_and_the_next_plan_is_empty(example, vend):
    example = without_baselines(example)
    shutil.copytree(REPO_ROOT / "catalog", example / "catalog")
    planned = vend(example, "plan")
    assert planned.code == 0, planned.err
    assert "tag_option:data-classification=legacy" in planned.out
    assert "portfolio_share:dev-builders@ou:Workloads/Dev" in planned.out
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    with _hub(example) as aws:
        client = aws.session().client("servicecatalog", region_name="us-east-1")
        pages = client.get_paginator("list_tag_options").paginate()
        found = sorted((t["Key"], t["Value"], t["Active"]) for p in pages for t in p["TagOptionDetails"])
        products = {v["ProductViewSummary"]["Name"]: v["ProductViewSummary"]["ProductId"]
                    for v in client.search_products_as_admin()["ProductViewDetails"]}
        s3 = products["S3 bucket"]
        versions = sorted((a["Name"], a["Guidance"], a["Active"]) for a in client.list_provisioning_artifacts(
            ProductId=s3)["ProvisioningArtifactDetails"])
        portfolios = {p["DisplayName"]: p["Id"] for p in client.list_portfolios()["PortfolioDetails"]}
        dev = portfolios["Dev builders"]
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        workloads = next(o["Id"] for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
                         if o["Name"] == "Workloads")
        dev_ou = next(o["Id"] for o in org.list_organizational_units_for_parent(ParentId=workloads)["OrganizationalUnits"]
                      if o["Name"] == "Dev")
        shares = client.describe_portfolio_shares(PortfolioId=dev, Type="ORGANIZATIONAL_UNIT")["PortfolioShareDetails"]
        constraints = {c["Type"]: c["ConstraintId"] for c in client.list_constraints_for_portfolio(
            PortfolioId=dev, ProductId=s3)["ConstraintDetails"]}
        template = json.loads(client.describe_constraint(Id=constraints["TEMPLATE"])["ConstraintParameters"])
    assert found == sorted([("cost-center", "1001", True), ("cost-center", "1002", True), ("cost-center", "2001", True),
                            ("environment", "development", True), ("environment", "test", True),
                            ("environment", "production", True), ("data-classification", "public", True),
                            ("data-classification", "internal", True), ("data-classification", "confidential", True),
                            ("data-classification", "legacy", False)])
    assert set(products) == {"S3 bucket", "DynamoDB table", "SQS queue", "Security alarms"}
    assert versions == [("v1", "DEPRECATED", True), ("v2", "DEFAULT", True)]
    assert set(portfolios) == {"Dev builders", "Test builders", "Security alarms"}  # test_catalog_enforced.py
    assert [(s["PrincipalId"], s["ShareTagOptions"], s["SharePrincipals"]) for s in shares] == [(dev_ou, True, True)]
    assert sorted(constraints) == ["LAUNCH", "RESOURCE_UPDATE", "TEMPLATE"]
    assert template["Rules"]["AllowedStorageClass"]["Assertions"][0]["Assert"]["Fn::Contains"][0] == ["STANDARD"]
    again = vend(example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out

    with _hub(example) as aws:  # someone in the console
        client = aws.session().client("servicecatalog", region_name="us-east-1")
        client.delete_portfolio_share(PortfolioId=dev, OrganizationNode={"Type": "ORGANIZATIONAL_UNIT", "Value": dev_ou})
        client.update_constraint(Id=constraints["TEMPLATE"], Parameters=json.dumps({"Rules": {"Any": {"Assertions": [
            {"Assert": {"Fn::Contains": [["GLACIER"], {"Ref": "StorageClass"}]}}]}}}))
    drift = vend(example, "plan", "--format", "json")
    changes = {c["address"]: c["action"] for c in json.loads(drift.out)["changes"]}
    assert changes == {"portfolio_share:dev-builders@ou:Workloads/Dev": "create",
                       "catalog_constraint:dev-builders/s3-bucket/template": "update"}
    assert vend(example, "apply", "--auto-approve").code == 0
    assert "No changes." in vend(example, "plan").out
