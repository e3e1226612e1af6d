"""The example's enforced portfolio (catalog/portfolios/security-alarms.yaml) end to end: one
SERVICE_MANAGED stack set `vend-catalog-security-alarms` whose instances provision the product
version through the Service Catalog emulator in every account of Security and Infrastructure;
a new account there gets it; a new version with forced_update moves every account in one
UpdateStackSet; `vend catalog report` lists the accounts per version."""
from __future__ import annotations

import json
import shutil

from tests.e2e.conftest import REPO_ROOT, without_baselines
from vending.local import LocalAws

REGION = "us-east-1"


def _with_catalog(example):
    example = without_baselines(example)
    shutil.copytree(REPO_ROOT / "catalog", example / "catalog")
    return example


def _provisioned(aws, account_id):
    client = aws.session(account_id=account_id).client("servicecatalog", region_name=REGION) \
        if account_id else aws.session().client("servicecatalog", region_name=REGION)
    return client.search_provisioned_products()["ProvisionedProducts"]


def test_enforced_portfolio_apply_read_back_plan_empty(example, vend):
    example = _with_catalog(example)
    planned = vend(example, "plan")
    assert planned.code == 0, planned.err
    print(planned.out)
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    again = vend(example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err

