"""Hand-built plans for the renderer golden files, made with the real Plan/Change/Note types.

Each plan is one story a reviewer meets: a new organization, a reorganization with tag edits,
a destructive clean-up with a policy edit, and a quiet day with only unmanaged drift.
"""
from __future__ import annotations

import json

import networkx as nx

from vending.plan.changes import Action, Change, Kind, Note, Plan

FINGERPRINT = "sha256:3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f00112233445566778899aabbcc"
COMMIT = "4623b90a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"

DENY_LEAVE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
        ],
    },
    separators=(",", ":"),
)


def _regions(allowed: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyOtherRegions",
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "organizations:*", "sts:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": allowed}},
                }
            ],
        },
        separators=(",", ":"),
    )


def all_creates() -> Plan:
    scp = "policy:scp/deny-leave-organization"
    attach = "policy_attachment:scp/deny-leave-organization@ou:Workloads/Dev"
    changes = [
        Change("policy_type:SERVICE_CONTROL_POLICY", Kind.POLICY_TYPE, Action.CREATE,
               "SCPs are used by ous/Workloads/Dev/ou.yaml", after={"root": "r-ab12", "type": "SERVICE_CONTROL_POLICY"},
               source="vend.yaml:1"),
        Change("ou:Workloads", Kind.OU, Action.CREATE, "declared in ous/Workloads/ou.yaml",
               after={"name": "Workloads", "parent": "Root"}, source="ous/Workloads/ou.yaml:1"),
        Change(scp, Kind.POLICY, Action.CREATE, "declared in baselines/guardrails/baseline.yaml",
               after={"content": DENY_LEAVE, "description": "Accounts cannot leave the organization",
                      "name": "deny-leave-organization", "type": "SERVICE_CONTROL_POLICY"},
               depends_on=("policy_type:SERVICE_CONTROL_POLICY",), source="baselines/guardrails/baseline.yaml:4"),
        Change("ou:Workloads/Dev", Kind.OU, Action.CREATE, "declared in ous/Workloads/Dev/ou.yaml",
               after={"name": "Dev", "parent": "Workloads"}, depends_on=("ou:Workloads",),
               source="ous/Workloads/Dev/ou.yaml:1"),
        Change(attach, Kind.ATTACHMENT, Action.CREATE, "policies listed in ous/Workloads/Dev/ou.yaml",
               after={"policy": "scp/deny-leave-organization", "target": "ou:Workloads/Dev"},
               depends_on=(scp, "ou:Workloads/Dev"), source="ous/Workloads/Dev/ou.yaml:3"),
        Change("account:payments-dev", Kind.ACCOUNT, Action.CREATE, "declared in accounts/payments-dev.yaml",
               after={"email": "aws+payments-dev@example.com", "name": "payments-dev", "ou": "Workloads/Dev",
                      "tags": {"cost-center": "cc-1234", "owner": "team-payments@example.com"}},
               depends_on=("ou:Workloads/Dev",), source="accounts/payments-dev.yaml:1"),
    ]
    order = [["ou:Workloads", "policy_type:SERVICE_CONTROL_POLICY"], ["ou:Workloads/Dev", scp],
             ["account:payments-dev", attach]]
    return Plan(fingerprint=FINGERPRINT, changes=changes, order=order, git_commit=COMMIT, target="prod",
                created_at="2025-01-02T03:04:05Z")


def move_and_tags() -> Plan:
    changes = [
        Change("ou:Workloads/Sandbox", Kind.OU, Action.UPDATE, "renamed in ous/Workloads/Sandbox/ou.yaml",
               before={"id": "ou-ab12-cdefgh12", "name": "Playground", "parent": "Workloads"},
               after={"id": "ou-ab12-cdefgh12", "name": "Sandbox", "parent": "Workloads"},
               source="ous/Workloads/Sandbox/ou.yaml:1"),
        Change("ou:Workloads/Shared", Kind.OU, Action.MOVE, "parent changed in ous/Workloads/Shared/ou.yaml",
               before={"id": "ou-ab12-zzzzzz99", "name": "Shared", "parent": "Infrastructure"},
               after={"id": "ou-ab12-zzzzzz99", "name": "Shared", "parent": "Workloads"},
               source="ous/Workloads/Shared/ou.yaml:1"),
        Change("account:payments-dev", Kind.ACCOUNT, Action.MOVE, "ou changed in accounts/payments-dev.yaml",
               before={"id": "111122223333", "ou": "Workloads/Dev"}, after={"id": "111122223333", "ou": "Workloads/Test"},
               source="accounts/payments-dev.yaml:3"),
        Change("account:analytics-test", Kind.ACCOUNT, Action.MOVE,
               "moved out of band in the console; moving back to match YAML",
               before={"id": "222233334444", "ou": "Sandbox"}, after={"id": "222233334444", "ou": "Workloads/Test"},
               source="accounts/analytics-test.yaml:3"),
        Change("account_tags:payments-dev", Kind.ACCOUNT_TAGS, Action.UPDATE, "tags changed in accounts/payments-dev.yaml",
               before={"id": "111122223333", "tags": {"owner": "a", "env": "dev", "gone": "y", "cost center": "cc-1"}},
               after={"id": "111122223333", "tags": {"owner": "a", "env": "test", "new": "x", "cost center": "cc-1"}},
               depends_on=("account:payments-dev",), source="accounts/payments-dev.yaml:5"),
        Change("ou_tags:Workloads/Sandbox", Kind.OU_TAGS, Action.UPDATE, "default tags changed in ous/Workloads/Sandbox/ou.yaml",
               before={"id": "ou-ab12-cdefgh12", "tags": {"tier": "sandbox"}},
               after={"id": "ou-ab12-cdefgh12", "tags": {"tier": "sandbox", "expires": "30d"}},
               depends_on=("ou:Workloads/Sandbox",), source="ous/Workloads/Sandbox/ou.yaml:4"),
    ]
    order = [["account:analytics-test", "account:payments-dev", "ou:Workloads/Sandbox", "ou:Workloads/Shared"],
             ["account_tags:payments-dev", "ou_tags:Workloads/Sandbox"]]
    return Plan(fingerprint=FINGERPRINT, changes=changes, order=order, git_commit=COMMIT, target="prod",
                created_at="2025-01-02T03:04:05Z")


def destructive_close() -> Plan:
    attach = "policy_attachment:scp/deny-regions@ou:Suspended"
    changes = [
        Change("policy:scp/deny-regions", Kind.POLICY, Action.UPDATE, "content changed in baselines/guardrails/deny-regions.json",
               before={"id": "p-abcd1234", "content": _regions(["eu-west-1", "us-east-1"])},
               after={"id": "p-abcd1234", "content": _regions(["eu-central-1", "eu-west-1", "us-east-1"])},
               source="baselines/guardrails/deny-regions.json:1"),
        Change(attach, Kind.ATTACHMENT, Action.DELETE, "no longer listed in ous/Suspended/ou.yaml",
               before={"policy": "scp/deny-regions", "target": "ou:Suspended"}, source="ous/Suspended/ou.yaml:2"),
        Change("account:legacy-batch", Kind.ACCOUNT, Action.DELETE, "state: closed in accounts/legacy-batch.yaml",
               before={"email": "aws+legacy-batch@example.com", "id": "444455556666", "name": "legacy-batch",
                       "ou": "Suspended"},
               destructive=True, source="accounts/legacy-batch.yaml:6"),
    ]
    order = [["account:legacy-batch", "policy:scp/deny-regions", attach]]
    notes = [Note("warning", "account:legacy-batch",
                  "a closed account stays SUSPENDED for 90 days before AWS removes it")]
    return Plan(fingerprint=FINGERPRINT, changes=changes, order=order, notes=notes, git_commit=COMMIT + "-dirty",
                target="prod", created_at="2025-01-02T03:04:05Z")


def empty_with_unmanaged() -> Plan:
    changes = [
        Change("account:payments-dev", Kind.ACCOUNT, Action.NOOP, "matches accounts/payments-dev.yaml",
               before={"id": "111122223333", "ou": "Workloads/Dev"}, after={"id": "111122223333", "ou": "Workloads/Dev"},
               source="accounts/payments-dev.yaml:1"),
    ]
    notes = [
        Note("unmanaged", "account:sandbox-old", "account 555566667777 in OU Sandbox has no file under accounts/"),
        Note("unmanaged", "ou:Experiments", "OU ou-ab12-eeeeeeee under Root is not in ous/"),
        Note("info", "", "2 accounts were closed outside vend and are ignored"),
    ]
    return Plan(fingerprint=FINGERPRINT, changes=changes, order=[["account:payments-dev"]], notes=notes,
                git_commit=None, target="", created_at="2025-01-02T03:04:05Z")


PLANS = {
    "all_creates": all_creates,
    "move_and_tags": move_and_tags,
    "destructive_close": destructive_close,
    "empty_unmanaged": empty_with_unmanaged,
}


def change_graph(plan: Plan) -> nx.DiGraph:
    """The change graph as the planner builds it: action on each node, prerequisite -> dependent."""
    graph = nx.DiGraph()
    for change in plan.changes:
        graph.add_node(change.address, action=change.action.value)
    for change in plan.changes:
        for prerequisite in change.depends_on:
            graph.add_edge(prerequisite, change.address)
    return graph
