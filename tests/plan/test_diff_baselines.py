"""The baselines diff: stack set create/update/delete, field by field, against hand-built live state."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from tests.model.conftest import make_repo  # noqa: F401  (the fixture)
from tests.model.repo import MakeRepo, account
from tests.plan.baselines_support import (
    APP_ID, BASELINE, applied, baseline_changes, converged, instance, org, plan, reordered, repo,
)
from tests.plan.builders import live_account
from vending.errors import PlanError
from vending.model.live_baselines import LiveBaselines, StackSetOperation, canonical_template
from vending.model.loader import load
from vending.model.stackset_template import split
from vending.plan.changes import Action

TOKEN = re.compile(r"vend-[0-9a-f]{40}")


def test_a_new_baseline_enables_access_creates_the_stack_set_and_deploys_to_its_ou(make_repo: MakeRepo) -> None:
    desired = load(repo(make_repo))
    p = plan(desired, org(baselines=LiveBaselines("us-east-1", trusted_access=False)))
    found = baseline_changes(p)
    assert list(found) == ["stacksets_access", "stack_set:audit", "stack_instances:audit/deploy"]
    access, stack_set, deploy = found.values()
    assert access.after == {"service_principal": "member.org.stacksets.cloudformation.amazonaws.com"}
    after = dict(stack_set.after)
    assert TOKEN.fullmatch(after.pop("client_request_token"))
    assert split(after.pop("template"))[0] == split(desired.baselines["audit"].template)[0]
    assert after == {
        "name": "vend-audit", "description": "Audit topic in every account.", "parameters": {"Team": "platform"},
        "accounts": {}, "account_ids": {}, "capabilities": [],
        "auto_deployment": {"enabled": True, "retain_stacks_on_account_removal": False, "depends_on": []},
        "operation_preferences": {"ConcurrencyMode": "STRICT_FAILURE_TOLERANCE", "RegionConcurrencyType": "SEQUENTIAL"},
        "template_bucket": None, "tags": {"vend:managed-by": "vend"},
    }
    assert stack_set.action is Action.CREATE and stack_set.depends_on == ("stacksets_access",)
    assert deploy.action is Action.CREATE
    assert deploy.depends_on == ("stack_set:audit", "stacksets_access")
    assert {k: v for k, v in deploy.after.items() if k not in ("operation_id", "operation_preferences")} == {
        "stack_set": "vend-audit", "operation": "create", "ous": ["Apps"], "ou_ids": ["ou-apps"], "pending_ous": [],
        "accounts": [], "account_filter": "NONE", "regions": ["eu-west-1", "us-east-1"],
        "covers": "Apps: 1 account today",
    }
    assert TOKEN.fullmatch(deploy.after["operation_id"])
    rank = {a: i for i, layer in enumerate(p.order) for a in layer}
    assert rank["stacksets_access"] < rank["stack_set:audit"] < rank["stack_instances:audit/deploy"]


def test_an_ou_created_in_the_same_plan_is_a_pending_target(make_repo: MakeRepo) -> None:
    desired = load(repo(make_repo, {"ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n",
                                    "ous/Shop/ou.yaml": "baselines: [audit]\n"}))
    deploy = baseline_changes(plan(desired, org()))["stack_instances:audit/deploy"]
    assert (deploy.after["ous"], deploy.after["ou_ids"], deploy.after["pending_ous"]) == (["Shop"], [], ["Shop"])
    assert "ou:Shop" in deploy.depends_on


def test_no_changes_when_live_matches_even_as_yaml_or_reordered_json(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    assert baseline_changes(plan(desired, have)) == {}
    live_set = have.baselines.stack_sets["audit"]
    for text in (desired.baselines["audit"].template, reordered(live_set.template)):
        again = replace(have, baselines=replace(have.baselines, stack_sets={
            "audit": replace(live_set, template=canonical_template(text))}))
        assert baseline_changes(plan(desired, again)) == {}


def test_a_template_default_read_back_as_a_parameter_is_no_change(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, parameters={"Team": "platform", "Retention": "30"})
    assert baseline_changes(plan(desired, have)) == {}


def test_a_parameter_change_is_one_stack_set_update(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, parameters={"Team": "security"})
    found = baseline_changes(plan(desired, have))
    assert list(found) == ["stack_set:audit"]
    update = found["stack_set:audit"]
    assert update.action is Action.UPDATE
    assert update.reason == ("parameters differs from baselines/audit/baseline.yaml"
                             " (UpdateStackSet updates every instance)")
    assert (update.before["parameters"], update.after["parameters"]) == ({"Team": "security"}, {"Team": "platform"})
    assert update.before["id"] == "vend-audit:1" and TOKEN.fullmatch(update.after["operation_id"])
    assert "client_request_token" not in update.after


def test_a_template_change_is_an_update_of_the_template_only(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    changed = load(repo(make_repo, {"baselines/audit/template.yaml": load_template().replace("audit-", "audit2-")}))
    update = baseline_changes(plan(changed, have))["stack_set:audit"]
    assert update.reason.startswith("template differs from")
    assert [k for k in update.before if update.before[k] != update.after.get(k) and k not in ("id", "arn")] == ["template"]
    assert "audit2-${Team}" in update.after["template"] and "audit-${Team}" in update.before["template"]


def load_template() -> str:
    from tests.plan.baselines_support import TEMPLATE
    return TEMPLATE


def test_per_account_rows_new_account_gets_a_placeholder_and_an_edge(make_repo: MakeRepo) -> None:
    rows = "baselines:\n  audit:\n    parameters:\n      Team: apps\n"
    desired, have = converged(make_repo)
    changed = load(repo(make_repo, {"accounts/app.yaml": account("app", extra=rows),
                                    "accounts/new.yaml": account("new", extra=rows.replace("apps", "newteam"))}))
    update = baseline_changes(plan(changed, have))["stack_set:audit"]
    assert update.before["accounts"] == {}
    assert update.after["accounts"] == {"app": {"Team": "apps"}, "new": {"Team": "newteam"}}
    assert update.after["account_ids"] == {"app": APP_ID, "new": None}
    assert "account:new" in update.depends_on
    assert "VendAccounts1" in update.after["template"]  # the lookup; the rows themselves are in `accounts`
    assert "VendAccounts1" not in json.loads(update.after["template"]).get("Mappings", {})


def test_a_changed_row_of_an_existing_account_is_shown_by_name(make_repo: MakeRepo) -> None:
    rows = "baselines:\n  audit:\n    parameters:\n      Team: {}\n"
    desired, have = converged(make_repo, {"accounts/app.yaml": account("app", extra=rows.format("apps"))})
    changed = load(repo(make_repo, {"accounts/app.yaml": account("app", extra=rows.format("payments"))}))
    update = baseline_changes(plan(changed, have))["stack_set:audit"]
    assert update.reason.startswith("accounts differs")
    assert (update.before["accounts"], update.after["accounts"]) == ({"app": {"Team": "apps"}}, {"app": {"Team": "payments"}})


def test_a_moved_account_with_a_row_moves_after_the_stack_set_update(make_repo: MakeRepo) -> None:
    rows = "baselines:\n  audit:\n    parameters:\n      Team: apps\n"
    moved = [live_account(APP_ID, "app", "ou-other", email="app@example.com", tags={"cost-center": "apps", "owner": "team"})]
    desired, have = converged(make_repo, accounts=moved)
    have = replace(have, ous={**have.ous, **org(extra_ous=[("ou-other", "Other")]).ous})
    changed = load(repo(make_repo, {"accounts/app.yaml": account("app", extra=rows),
                                    "ous/Other/ou.yaml": "description: other\n"}))
    p = plan(changed, have)
    move = next(c for c in p.changes if c.address == "account:app")
    assert move.action is Action.MOVE and "stack_set:audit" in move.depends_on
    rank = {a: i for i, layer in enumerate(p.order) for a in layer}
    assert rank["stack_set:audit"] < rank["account:app"]


def test_retired_baseline_removes_instances_then_deletes_the_stack_set(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    retired = load(repo(make_repo, {"baselines/audit/baseline.yaml": BASELINE + "retired: true\n",
                                    "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n"}))
    p = plan(retired, have)
    found = baseline_changes(p)
    assert list(found) == ["stack_instances:audit/remove", "stack_set:audit"]
    remove, delete = found.values()
    assert (remove.action, remove.destructive, remove.after["retain_stacks"]) == (Action.DELETE, True, False)
    assert (remove.after["ou_ids"], remove.after["regions"]) == (["ou-apps"], ["eu-west-1", "us-east-1"])
    assert delete.action is Action.DELETE and delete.destructive and delete.after is None
    assert delete.depends_on == ("stack_instances:audit/remove",)
    assert sorted(p.destructive()) == ["stack_instances:audit/remove", "stack_set:audit"]


def test_retired_baseline_honours_retain_stacks(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    retired = load(repo(make_repo, {
        "baselines/audit/baseline.yaml": BASELINE + "retired: true\nauto_deployment:\n  retain_stacks_on_account_removal: true\n",
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n"}))
    remove = baseline_changes(plan(retired, have))["stack_instances:audit/remove"]
    assert (remove.destructive, remove.after["retain_stacks"]) == (False, True)
    assert "kept in the accounts" in remove.reason


def test_a_retired_baseline_without_a_stack_set_plans_nothing(make_repo: MakeRepo) -> None:
    retired = load(repo(make_repo, {"baselines/audit/baseline.yaml": BASELINE + "retired: true\n",
                                    "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n"}))
    assert baseline_changes(plan(retired, org())) == {}


def test_a_foreign_stack_set_of_that_name_is_a_plan_error(make_repo: MakeRepo) -> None:
    desired = load(repo(make_repo))
    with pytest.raises(PlanError) as raised:
        plan(desired, org(baselines=LiveBaselines("us-east-1", True, foreign=("vend-audit",))))
    assert str(raised.value).count("baselines/audit/baseline.yaml:1: a stack set named vend-audit exists but vend"
                                   " does not manage it") == 1


def test_depends_on_orders_stack_sets_and_deployments_without_a_cycle(make_repo: MakeRepo) -> None:
    desired = load(repo(make_repo, {
        "baselines/net/baseline.yaml": "description: net\ndepends_on: [audit]\nparameters:\n  Team: x\n",
        "baselines/net/template.yaml": load_template(),
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [audit, net]\n"}))
    p = plan(desired, org(baselines=LiveBaselines("us-east-1", False)))
    found = baseline_changes(p)
    assert found["stack_set:net"].after["auto_deployment"]["depends_on"] == ["audit"]
    assert "stack_set:audit" in found["stack_set:net"].depends_on
    assert {"stack_set:audit", "stack_instances:audit/deploy", "stack_set:net"} <= set(found["stack_instances:net/deploy"].depends_on)
    rank = {a: i for i, layer in enumerate(p.order) for a in layer}
    assert rank["stack_instances:audit/deploy"] < rank["stack_instances:net/deploy"]
    assert rank["stack_set:audit"] < rank["stack_set:net"]


def test_a_busy_stack_set_puts_the_operation_in_flight_on_its_first_change(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, parameters={"Team": "old"},
                              operations=(StackSetOperation("op-running", "UPDATE", "RUNNING"),))
    update = baseline_changes(plan(desired, have))["stack_set:audit"]
    assert update.after["in_flight"] == "op-running"


def test_a_busy_stack_set_to_delete_carries_in_flight_in_before(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, ou_ids=(), regions=(),
                              operations=(StackSetOperation("op-busy", "DELETE", "RUNNING"),))
    retired = load(repo(make_repo, {"baselines/audit/baseline.yaml": BASELINE + "retired: true\n",
                                    "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n"}))
    delete = baseline_changes(plan(retired, have))["stack_set:audit"]
    assert delete.after is None and delete.before["in_flight"] == "op-busy"


def test_a_stack_set_no_baselines_folder_names_is_left_alone(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    other = replace(have.baselines.stack_sets["audit"], baseline="old", name="vend-old")
    have = replace(have, baselines=replace(have.baselines, stack_sets={**have.baselines.stack_sets, "old": other}))
    p = plan(desired, have)
    assert baseline_changes(p) == {}
    assert [n.message for n in p.notes if n.address == "stack_set:old"] == [
        "stack set vend-old has no baselines/old/ folder; vend leaves it and its instances alone"
        " (to delete it, add baselines/old/ with retired: true)"]


def test_applied_helper_round_trips(make_repo: MakeRepo) -> None:
    """The test double of the applier builds the body the contract says (assemble of template and rows)."""
    desired = load(repo(make_repo))
    create = baseline_changes(plan(desired, org()))["stack_set:audit"]
    assert applied(create, {}).template == canonical_template(desired.baselines["audit"].template)
    assert instance("1", "us-east-1").status == "CURRENT"
