"""The README's story: plan, apply, plan again; then a move and a tag change, field by field."""
from __future__ import annotations

import json
import re

import yaml

from vending.aws.clients import is_read_operation


def test_example_org_applies_and_then_plans_no_changes(example, vend):
    first = vend(example, "plan", "--detailed-exitcode")
    assert first.code == 2, first.err
    assert first.out.rstrip().endswith("Plan: 51 to add, 14 to change, 0 to destroy.")
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply complete: 65 applied, 0 failed, 0 skipped." in applied.out
    again = vend(example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out
    assert "No changes. Your organization matches the repository." in again.out


def test_plan_makes_no_mutating_aws_call(example, vend, monkeypatch):
    """Every request any client sends during `vend plan` is recorded; none may mutate."""
    from botocore.client import BaseClient

    seen: list[str] = []
    original = BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        seen.append(operation_name)
        return original(self, operation_name, api_params)

    vend(example, "apply", "--auto-approve")  # bootstrap and build, outside the recorded window
    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    (example / "accounts" / "payments-dev.yaml").write_text(
        (example / "accounts" / "payments-dev.yaml").read_text().replace("Workloads/Dev", "Workloads/Test")
    )
    result = vend(example, "plan", "--detailed-exitcode")
    assert result.code == 2
    assert seen, "the plan read nothing"
    assert [op for op in seen if not is_read_operation(op)] == []


def test_moving_an_account_and_changing_a_tag_shows_exactly_that(example, vend):
    vend(example, "apply", "--auto-approve")
    path = example / "accounts" / "payments-dev.yaml"
    data = yaml.safe_load(path.read_text())
    data["ou"] = "Workloads/Test"
    data["tags"]["cost-center"] = "payments-platform"
    path.write_text(yaml.safe_dump(data))
    result = vend(example, "plan", "--format", "json")
    plan = json.loads(result.out)
    changes = {c["address"]: c for c in plan["changes"]}
    assert set(changes) == {"account:payments-dev", "account_tags:payments-dev"}
    move = changes["account:payments-dev"]
    assert (move["action"], move["before"]["ou"], move["after"]["ou"]) == ("move", "Workloads/Dev", "Workloads/Test")
    tags = changes["account_tags:payments-dev"]
    assert tags["before"]["tags"]["cost-center"] == "payments"
    assert tags["after"]["tags"]["cost-center"] == "payments-platform"
    changed = {k: v for k, v in tags["after"]["tags"].items() if tags["before"]["tags"].get(k) != v}
    # environment comes from the new OU's default_account_tags: inheritance follows the move.
    assert changed == {"cost-center": "payments-platform", "environment": "test"}
    text = vend(example, "plan").out
    assert '~ ou: "Workloads/Dev" -> "Workloads/Test"' in re.sub(r" +", " ", text)
    assert '~ cost-center: "payments" -> "payments-platform"' in re.sub(r" +", " ", text)
    assert "Plan: 0 to add, 2 to change, 0 to destroy." in text
