"""The baselines diff: stack instance operations, notes, tokens and stale-plan digests."""
from __future__ import annotations

from dataclasses import replace

from tests.model.conftest import make_repo  # noqa: F401  (the fixture)
from tests.model.repo import MakeRepo, account
from tests.plan.baselines_support import (
    APP_ID, BASELINE, OTHER_ID, TEMPLATE, applied, baseline_changes, converged, instance, org, plan, repo,
)
from tests.plan.builders import live_account
from vending.model.live_baselines import LiveBaselines
from vending.model.loader import load
from vending.plan import staleness
from vending.plan.baseline_scope import Target
from vending.plan.build import diff
from vending.plan.changes import Action
from vending.plan.diff_context import DiffContext
from vending.plan.diff_stack_instances import quota_note
from vending.plan.tokens import token

TAGS = {"cost-center": "apps", "owner": "team"}
BOTH = [live_account(APP_ID, "app", "ou-apps", email="app@example.com", tags=TAGS),
        live_account(OTHER_ID, "other", "ou-apps", email="other@example.com", tags=TAGS)]
OTHER = {"accounts/other.yaml": account("other")}


def _with(have, **changes):
    live_set = replace(have.baselines.stack_sets["audit"], **changes)
    return replace(have, baselines=replace(have.baselines, stack_sets={"audit": live_set}))


def test_an_ou_target_added_deploys_only_it_and_one_removed_is_removed(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, ou_ids=("ou-old",))
    have = replace(have, ous={**have.ous, **org(extra_ous=[("ou-old", "Old")]).ous})
    found = baseline_changes(plan(desired, have))
    assert list(found) == ["stack_instances:audit/remove", "stack_instances:audit/deploy"]
    remove, deploy = found.values()
    assert (remove.after["ous"], remove.after["ou_ids"], remove.after["regions"]) == (["Old"], ["ou-old"],
                                                                                    ["eu-west-1", "us-east-1"])
    assert remove.reason == "Old no longer lists audit (in ous/); their stacks are deleted from the accounts"
    assert remove.destructive and remove.before == {"ous": ["Old"], "regions": ["eu-west-1", "us-east-1"]}
    assert (deploy.after["ous"], deploy.after["regions"]) == (["Apps"], ["eu-west-1", "us-east-1"])
    assert deploy.depends_on == ("stack_instances:audit/remove",)


def test_a_region_added_deploys_all_ous_there_and_one_removed_is_removed_everywhere(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, regions=("us-east-1", "us-west-2"))
    found = baseline_changes(plan(desired, have))
    remove, deploy = found["stack_instances:audit/remove"], found["stack_instances:audit/deploy"]
    assert (remove.after["ou_ids"], remove.after["regions"]) == (["ou-apps"], ["us-west-2"])
    assert remove.reason.startswith("Region us-west-2 is no longer in baselines/audit/baseline.yaml")
    assert (deploy.after["ou_ids"], deploy.after["regions"]) == (["ou-apps"], ["eu-west-1"])
    assert deploy.reason == "Region eu-west-1 added in baselines/audit/baseline.yaml"


def test_an_excluded_account_is_left_out_of_a_deploy_with_difference(make_repo: MakeRepo) -> None:
    excluded = {"accounts/other.yaml": account("other", extra="baselines:\n  audit: {exclude: true}\n")}
    desired = load(repo(make_repo, excluded))
    deploy = baseline_changes(plan(desired, org(accounts=BOTH)))["stack_instances:audit/deploy"]
    assert (deploy.after["account_filter"], deploy.after["accounts"]) == ("DIFFERENCE", [OTHER_ID])
    assert deploy.reason == "audit is listed on Apps; other excluded (exclude: true)"
    assert deploy.after["covers"] == "Apps: 1 account today"


def test_an_excluded_account_created_by_the_same_apply_is_left_out_once_it_exists(make_repo: MakeRepo) -> None:
    excluded = {"accounts/new.yaml": account("new", extra="baselines:\n  audit: {exclude: true}\n")}
    deploy = baseline_changes(plan(load(repo(make_repo, excluded)), org()))["stack_instances:audit/deploy"]
    assert (deploy.after["account_filter"], deploy.after["accounts"], deploy.after["pending_accounts"]) == (
        "DIFFERENCE", [], ["new"])
    assert "account:new" in deploy.depends_on
    assert deploy.reason == "audit is listed on Apps; new excluded (exclude: true)"


def test_an_excluded_account_that_has_an_instance_is_removed_from_it(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, OTHER, accounts=BOTH)
    excluded = load(repo(make_repo, {"accounts/other.yaml": account(
        "other", extra="baselines:\n  audit: {exclude: true}\n")}))
    found = baseline_changes(plan(excluded, have))
    assert list(found) == ["stack_instances:audit/exclude"]
    exclude = found["stack_instances:audit/exclude"]
    assert exclude.action is Action.DELETE and exclude.destructive
    assert (exclude.after["accounts"], exclude.after["account_filter"], exclude.after["regions"]) == (
        [OTHER_ID], "INTERSECTION", ["eu-west-1", "us-east-1"])
    assert exclude.after["instances"] == {"other eu-west-1": "CURRENT/SUCCEEDED", "other us-east-1": "CURRENT/SUCCEEDED"}
    assert exclude.source == "accounts/other.yaml:6"


def test_an_account_without_an_instance_is_filled(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, OTHER, accounts=BOTH)
    have = _with(have, instances=tuple(i for i in have.baselines.stack_sets["audit"].instances
                                       if not (i.account == OTHER_ID and i.region == "eu-west-1")))
    fill = baseline_changes(plan(desired, have))["stack_instances:audit/fill"]
    assert (fill.action, fill.after["operation"], fill.after["account_filter"]) == (Action.CREATE, "create", "INTERSECTION")
    assert (fill.after["accounts"], fill.after["regions"], fill.after["ou_ids"]) == ([OTHER_ID], ["eu-west-1"], ["ou-apps"])
    assert fill.after["instances"] == {"other eu-west-1": "no stack instance"}


def test_a_fill_waits_for_the_fill_of_the_baseline_it_depends_on(make_repo: MakeRepo) -> None:
    # both baselines miss other's eu-west-1 instance: net (whose stacks need audit's) comes second
    desired = load(repo(make_repo, {**OTHER, "baselines/net/baseline.yaml": BASELINE + "depends_on: [audit]\n",
                                    "baselines/net/template.yaml": TEMPLATE,
                                    "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [audit, net]\n"}))
    first = baseline_changes(plan(desired, org(accounts=BOTH)))
    ids = {"app": APP_ID, "other": OTHER_ID}
    present = tuple(instance(i, r) for i in (APP_ID, OTHER_ID) for r in ("eu-west-1", "us-east-1")
                    if (i, r) != (OTHER_ID, "eu-west-1"))
    sets = {name: applied(first[f"stack_set:{name}"], ids, instances=present) for name in ("audit", "net")}
    sets["net"] = replace(sets["net"], depends_on=(sets["audit"].arn,))
    p = plan(desired, org(accounts=BOTH, baselines=LiveBaselines("us-east-1", True, sets)))
    found = baseline_changes(p)
    assert set(found) == {"stack_instances:audit/fill", "stack_instances:net/fill"}
    assert found["stack_instances:net/fill"].depends_on == ("stack_instances:audit/fill", "stack_set:audit", "stack_set:net")
    assert found["stack_instances:audit/fill"].depends_on == ("stack_set:audit",)
    rank = {a: i for i, layer in enumerate(p.order) for a in layer}
    assert rank["stack_instances:audit/fill"] < rank["stack_instances:net/fill"]


def test_a_failed_instance_is_retried_with_aws_reason_and_a_new_id_after_a_new_failure(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    failed = instance(APP_ID, "eu-west-1", "OUTDATED", "FAILED", reason="Resource limit exceeded", last="op-7")
    current = have.baselines.stack_sets["audit"]
    have = _with(have, instances=(failed, *current.instances[1:]))
    retry = baseline_changes(plan(desired, have))["stack_instances:audit/retry"]
    assert (retry.action, retry.after["operation"], retry.after["account_filter"]) == (Action.UPDATE, "update", "INTERSECTION")
    assert retry.after["instances"] == {"app eu-west-1": "OUTDATED/FAILED: Resource limit exceeded"}
    assert (retry.after["accounts"], retry.after["regions"]) == ([APP_ID], ["eu-west-1"])
    again = baseline_changes(plan(desired, have))["stack_instances:audit/retry"]
    assert again.after["operation_id"] == retry.after["operation_id"]
    newer = _with(have, instances=(replace(failed, last_operation_id="op-8"), *current.instances[1:]))
    assert baseline_changes(plan(desired, newer))["stack_instances:audit/retry"].after["operation_id"] != \
        retry.after["operation_id"]


def test_inoperable_drifted_and_suspended_instances_are_notes_word_for_word(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, OTHER, accounts=BOTH)
    have = _with(have, instances=(
        instance(APP_ID, "eu-west-1", "INOPERABLE", "INOPERABLE", reason="Stack was deleted outside StackSets"),
        instance(APP_ID, "us-east-1", drift="DRIFTED"),
        instance(OTHER_ID, "eu-west-1", "OUTDATED", "SKIPPED_SUSPENDED_ACCOUNT", reason="Account is suspended"),
        instance(OTHER_ID, "us-east-1")))
    p = plan(desired, have)
    assert [(n.kind, n.message) for n in p.notes if n.address == "stack_set:audit"] == [
        ("warning", "stack instance app eu-west-1 of vend-audit is INOPERABLE: Stack was deleted outside StackSets."
                    " vend cannot repair it: remove it with DeleteStackInstances and RetainStacks true, delete its"
                    " stack in the account by hand, then run vend plan again to deploy it anew"),
        ("warning", "stack instance app us-east-1 of vend-audit has DRIFTED: its resources were changed outside"
                    " CloudFormation. vend does not overwrite hand-made changes: undo them in the account (see drift"
                    " detection in the CloudFormation console), or change the template to match and apply"),
        ("info", "stack instance other eu-west-1 of vend-audit was skipped: Account is suspended. Nothing to do;"
                 " AWS deploys it if the account is active again"),
    ]
    assert baseline_changes(p) == {}


def test_a_busy_stack_set_puts_in_flight_on_its_first_instance_change(make_repo: MakeRepo) -> None:
    from vending.model.live_baselines import StackSetOperation
    desired, have = converged(make_repo, regions=("us-east-1",),
                              operations=(StackSetOperation("op-9", "CREATE", "RUNNING"),))
    found = baseline_changes(plan(desired, have))
    assert found["stack_instances:audit/deploy"].after["in_flight"] == "op-9"


def test_missing_trusted_access_precedes_every_change_of_an_existing_stack_set(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo, parameters={"Team": "old"})
    have = replace(have, baselines=replace(have.baselines, trusted_access=False))
    found = baseline_changes(plan(desired, have))
    assert list(found) == ["stacksets_access", "stack_set:audit"]
    assert found["stack_set:audit"].depends_on == ("stacksets_access",)


def test_more_instances_than_the_quota_is_a_warning(make_repo: MakeRepo) -> None:
    desired = load(repo(make_repo, OTHER))
    ctx = DiffContext(desired, org(accounts=BOTH))
    quota_note(ctx, desired.baselines["audit"], [Target(("Apps",), "ou-apps")], quota=3)
    assert [n.message for n in ctx.notes] == [
        'vend-audit would have 4 stack instances (2 accounts x 2 Regions); the default quota is 3 stack instances'
        ' per stack set (aws-facts §4.4): check "Stack instances per stack set" in Service Quotas and raise it'
        ' before applying']
    quota_note(ctx, desired.baselines["audit"], [Target(("Apps",), "ou-apps")], quota=4)
    assert len(ctx.notes) == 1


def test_a_baseline_on_no_ou_keeps_a_stack_set_without_instances(make_repo: MakeRepo) -> None:
    desired = load(repo(make_repo, {"ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n"}))
    changes, notes = diff(desired, org())
    assert [c.address for c in changes if c.address.startswith("stack")] == ["stack_set:audit"]
    assert any(n.message.startswith("baseline audit is listed on no OU") for n in notes)


def test_tokens_are_pure_and_follow_the_pattern() -> None:
    first = token("stack_set:a", None, {"name": "vend-a", "operation_id": "x"})
    assert first == token("stack_set:a", None, {"name": "vend-a"}) and len(first) == 45
    assert first != token("stack_set:a", None, {"name": "vend-b"})
    assert token("x", None, {}, salt=["op-1"]) != token("x", None, {}, salt=["op-2"])


def test_stale_plan_digests_name_the_stack_set_that_changed(make_repo: MakeRepo) -> None:
    desired, have = converged(make_repo)
    saved = staleness.digests(have)
    assert "stack_set:vend-audit" in saved
    changed = _with(have, parameters={"Team": "edited"})
    assert staleness.what_changed(saved, changed) == "stack set vend-audit changed"
