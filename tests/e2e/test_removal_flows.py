"""Removals end to end against the embedded AWS: retiring an OU deletes it (only with
--allow-destroy), and a tag key removed from an account file is removed from the account. Each
ends with the state read back with boto3 and a plan with no changes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from vending.local import LocalAws

STATE = ".vend"


def plan_changes(vend, repo: Path) -> list[dict]:
    result = vend(repo, "plan", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["changes"]


def root_ous(repo: Path) -> dict[str, str]:
    """Name -> id of the OUs directly under the root, read from the emulator."""
    with LocalAws(repo / STATE) as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        pages = org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=root)
        return {ou["Name"]: ou["Id"] for page in pages for ou in page["OrganizationalUnits"]}


def account_tags(repo: Path, name: str) -> dict[str, str]:
    with LocalAws(repo / STATE) as aws:
        org = aws.session().client("organizations")
        accounts = [a for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
        account_id = next(a["Id"] for a in accounts if a["Name"] == name)
        pages = org.get_paginator("list_tags_for_resource").paginate(ResourceId=account_id)
        return {tag["Key"]: tag["Value"] for page in pages for tag in page["Tags"]}


def test_a_retired_ou_is_deleted_only_with_allow_destroy(example, vend, tmp_path):
    assert vend(example, "apply", "--auto-approve").code == 0
    ou_file = example / "ous" / "Retiring" / "ou.yaml"
    ou_file.parent.mkdir()
    ou_file.write_text("description: Going away.\n")
    assert [(c["address"], c["action"]) for c in plan_changes(vend, example)] == [("ou:Retiring", "create")]
    assert vend(example, "apply", "--auto-approve").code == 0
    ou_id = root_ous(example)["Retiring"]

    ou_file.write_text("description: Going away.\nretired: true\n")
    saved = tmp_path / "plan.json"
    planned = vend(example, "plan", "--out", str(saved))
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in planned.out
    assert [(c["address"], c["action"], c["reason"], c["before"]["id"]) for c in plan_changes(vend, example)] == [
        ("ou:Retiring", "delete", "retired: true in ous/Retiring/ou.yaml", ou_id)]

    for refused in (vend(example, "apply", str(saved)), vend(example, "apply", "--auto-approve")):
        assert refused.code == 1
        assert refused.err.strip() == "Error: the plan destroys ou:Retiring; pass --allow-destroy to apply it"
    assert root_ous(example)["Retiring"] == ou_id  # nothing was applied

    applied = vend(example, "apply", str(saved), "--allow-destroy")
    assert applied.code == 0, applied.err
    assert "Retiring" not in root_ous(example)
    with LocalAws(example / STATE) as aws, pytest.raises(ClientError) as gone:
        aws.session().client("organizations").describe_organizational_unit(OrganizationalUnitId=ou_id)
    assert gone.value.response["Error"]["Code"] == "OrganizationalUnitNotFoundException"
    assert plan_changes(vend, example) == []  # the folder stays, retired: the OU is not created again


def test_a_tag_key_removed_from_an_account_file_is_removed_from_the_account(example, vend):
    assert vend(example, "apply", "--auto-approve").code == 0
    assert account_tags(example, "payments-dev")["application"] == "payments"
    path = example / "accounts" / "payments-dev.yaml"
    path.write_text(path.read_text().replace("  application: payments\n", ""))

    changes = plan_changes(vend, example)
    assert [(c["address"], c["action"], c.get("destructive", False)) for c in changes] == [
        ("account_tags:payments-dev", "update", False)]
    assert changes[0]["before"]["tags"]["application"] == "payments"
    assert "application" not in changes[0]["after"]["tags"]

    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    tags = account_tags(example, "payments-dev")
    assert "application" not in tags
    assert tags == changes[0]["after"]["tags"]  # the other tags stay as planned
    assert plan_changes(vend, example) == []
