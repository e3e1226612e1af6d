"""A small repository with one baseline, its live organization, and the stack set as an applier
would leave it, for the pure baselines diff tests."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from tests.model.repo import VEND, MakeRepo
from tests.plan.builders import live, live_account
from vending.model.live import LiveOrg
from vending.model.live_baselines import LiveBaselines, LiveStackInstance, LiveStackSet, canonical_template
from vending.model.loader import load
from vending.model.stackset_template import assemble
from vending.model.types import DesiredOrg
from vending.plan.build import build_plan
from vending.plan.changes import Change, Kind, Plan

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Description: Audit topic
Parameters:
  Team:
    Type: String
  Retention:
    Type: Number
    Default: 30
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "audit-${Team}"
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: !Ref Retention
"""
BASELINE = "description: Audit topic in every account.\nparameters:\n  Team: platform\n"
APP_ID, OTHER_ID = "222222222222", "333333333333"


def repo(make_repo: MakeRepo, extra: dict[str, str | None] | None = None) -> Path:
    files: dict[str, str | None] = {
        "vend.yaml": VEND.replace("[us-east-1]", "[us-east-1, eu-west-1]"),
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [audit]\n",
        "baselines/audit/baseline.yaml": BASELINE,
        "baselines/audit/template.yaml": TEMPLATE,
    }
    files.update(extra or {})
    return make_repo(files)


def org(extra_ous=(), accounts=None, baselines: LiveBaselines | None = None) -> LiveOrg:
    """Apps and Suspended exist, `app` sits in Apps; StackSets as given (default: none, trusted)."""
    have = live(ous=[("ou-apps", "Apps"), ("ou-susp", "Suspended"), *extra_ous],
                accounts=accounts if accounts is not None else [
                    live_account(APP_ID, "app", "ou-apps", email="app@example.com",
                                 tags={"cost-center": "apps", "owner": "team"})])
    return replace(have, baselines=baselines if baselines is not None else LiveBaselines("us-east-1", True))


def plan(desired: DesiredOrg, have: LiveOrg) -> Plan:
    return build_plan(desired, have, git_commit="abc", target="t")


def baseline_changes(p: Plan) -> dict[str, Change]:
    return {c.address: c for c in p.changes if c.kind in (Kind.STACK_SET, Kind.STACK_INSTANCES, Kind.STACKSETS_ACCESS)}


def applied(change: Change, ids: dict[str, str], *, ou_ids=("ou-apps",), regions=("eu-west-1", "us-east-1"),
            instances: tuple[LiveStackInstance, ...] = (), **overrides) -> LiveStackSet:
    """The stack set a create (or update) change leaves behind, as the reader would read it."""
    after = change.after
    rows = {ids[name]: row for name, row in after["accounts"].items()}
    fields = dict(
        baseline=after["name"].removeprefix("vend-"), name=after["name"], id=after["name"] + ":1",
        arn=f"arn:aws:cloudformation:us-east-1:111111111111:stackset/{after['name']}:1",
        description=after["description"], template=canonical_template(assemble(after["template"], rows)),
        parameters=dict(after["parameters"]), capabilities=tuple(after["capabilities"]), tags=dict(after["tags"]),
        ou_ids=tuple(sorted(ou_ids)), regions=tuple(sorted(regions)), auto_deployment=True,
        retain_stacks_on_account_removal=after["auto_deployment"]["retain_stacks_on_account_removal"],
        managed_execution=False, drift_status="IN_SYNC", instances=instances)
    fields.update(overrides)
    return LiveStackSet(**fields)


def instance(account: str, region: str, status="CURRENT", detailed="SUCCEEDED", drift="IN_SYNC", reason="",
             ou="ou-apps", last="op-1") -> LiveStackInstance:
    return LiveStackInstance(account, region, status, detailed, drift, ou, reason, last)


def converged(make_repo: MakeRepo, extra=None, accounts=None, **applied_overrides) -> tuple[DesiredOrg, LiveOrg]:
    """The repository and an organization where its baseline has been applied (every instance current)."""
    desired = load(repo(make_repo, extra))
    first = plan(desired, org(accounts=accounts))
    create = baseline_changes(first)["stack_set:audit"]
    ids = {"app": APP_ID, "other": OTHER_ID}
    instances = tuple(instance(ids[a], r) for a in sorted(desired.accounts) if a in ids
                      for r in ("eu-west-1", "us-east-1"))
    live_set = applied(create, ids, instances=instances, **applied_overrides)
    return desired, org(accounts=accounts, baselines=LiveBaselines("us-east-1", True, {"audit": live_set}))


def reordered(template_json: str) -> str:
    """The same template with keys in reverse order, pretty-printed: what a reader may get."""
    def flip(node):
        if isinstance(node, dict):
            return {k: flip(node[k]) for k in reversed(list(node))}
        if isinstance(node, list):
            return [flip(x) for x in node]
        return node
    return json.dumps(flip(json.loads(template_json)), indent=4)
