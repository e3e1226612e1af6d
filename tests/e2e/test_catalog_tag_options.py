"""The example's TagOption library end to end through the CLI: `vend apply` creates it in the
local hub, boto3 reads it back from the emulator, and the next plan is empty."""
from __future__ import annotations

import shutil

from tests.e2e.conftest import REPO_ROOT, without_baselines
from vending.local import LocalAws


def test_example_tag_options_apply_read_back_and_the_next_plan_is_empty(example, vend):
    example = without_baselines(example)
    shutil.copytree(REPO_ROOT / "catalog", example / "catalog")
    planned = vend(example, "plan")
    assert planned.code == 0, planned.err
    assert "tag_option:data-classification=legacy" in planned.out
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    with LocalAws(example / ".vend") as aws:
        client = aws.session().client("servicecatalog", region_name="us-east-1")
        pages = client.get_paginator("list_tag_options").paginate()
        found = sorted((t["Key"], t["Value"], t["Active"]) for p in pages for t in p["TagOptionDetails"])
    assert found == sorted([("cost-center", "1001", True), ("cost-center", "1002", True), ("cost-center", "2001", True),
                            ("environment", "development", True), ("environment", "test", True),
                            ("environment", "production", True), ("data-classification", "public", True),
                            ("data-classification", "internal", True), ("data-classification", "confidential", True),
                            ("data-classification", "legacy", False)])
    again = vend(example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
