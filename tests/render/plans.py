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


def _template(resources: dict, parameters: dict, extra: dict | None = None) -> str:
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": parameters, "Resources": resources, **(extra or {})}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


_PREFS = {"ConcurrencyMode": "STRICT_FAILURE_TOLERANCE", "MaxConcurrentCount": 10, "RegionConcurrencyType": "PARALLEL"}
_VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Fn::FindInMap": [
    "VendAccounts1", {"Ref": "AWS::AccountId"}, "VpcCidr"]}}}
_FLOW = {"Type": "AWS::EC2::FlowLog", "Properties": {"ResourceId": {"Ref": "Vpc"}, "TrafficType": "REJECT"}}


def baselines() -> Plan:
    """Baselines: trusted access, a new stack set and its deployment, a template and row update,
    a Region removed, a failed instance retried, an exclusion and a retired baseline."""
    audit = _template({"AuditRole": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "vend-audit"}}},
                      {"SecurityAccountId": {"Type": "String"}})
    vpc_before = _template({"Vpc": _VPC, "FlowLog": _FLOW}, {"FlowLogTraffic": {"Type": "String"}})
    vpc_after = _template({"Vpc": _VPC, "FlowLog": {**_FLOW, "Properties": {**_FLOW["Properties"], "TrafficType": "ALL"}},
                           "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}}},
                          {"FlowLogTraffic": {"Type": "String"}})
    rows = {"analytics-dev": {"VpcCidr": "10.4.0.0/20"}, "payments-dev": {"VpcCidr": "10.4.16.0/20"},
            "shared-network": {"VpcCidr": "10.4.32.0/20"}}
    auto = {"enabled": True, "retain_stacks_on_account_removal": False, "depends_on": []}
    vpc_live = {"id": "vend-vpc:0f1e", "arn": "arn:aws:cloudformation:us-east-1:111111111111:stackset/vend-vpc:0f1e",
                "name": "vend-vpc", "description": "The VPC", "template": vpc_before,
                "parameters": {"FlowLogTraffic": "REJECT"}, "accounts": rows, "capabilities": ["CAPABILITY_AUTO_EXPAND"],
                "auto_deployment": auto, "tags": {"vend:managed-by": "vend"}}
    vpc_new = {**{k: v for k, v in vpc_live.items() if k not in ("id", "arn")}, "template": vpc_after,
               "parameters": {"FlowLogTraffic": "ALL"},
               "accounts": {**rows, "payments-dev": {"VpcCidr": "10.4.48.0/20"}, "payments-prod": {"VpcCidr": "10.0.16.0/20"}},
               "account_ids": {"analytics-dev": "222233334444", "payments-dev": "111122223333",
                               "payments-prod": None, "shared-network": "333344445555"},
               "operation_preferences": _PREFS, "template_bucket": None, "in_flight": "6d1c0b6e-op-left-running",
               "operation_id": "vend-" + "1" * 40}
    instances = {"stack_set": "vend-vpc", "account_filter": "NONE", "accounts": [], "pending_ous": [],
                 "operation_preferences": _PREFS}
    changes = [
        Change("stacksets_access", Kind.STACKSETS_ACCESS, Action.CREATE,
               "trusted access for StackSets is not enabled in Organizations", source="vend.yaml:1",
               after={"service_principal": "member.org.stacksets.cloudformation.amazonaws.com"}),
        Change("stack_set:audit-role", Kind.STACK_SET, Action.CREATE, "new baseline in baselines/audit-role/baseline.yaml",
               after={"name": "vend-audit-role", "description": "Read-only audit role", "template": audit,
                      "parameters": {"SecurityAccountId": "123456789012"}, "accounts": {}, "account_ids": {},
                      "capabilities": ["CAPABILITY_NAMED_IAM"], "auto_deployment": auto,
                      "operation_preferences": {"ConcurrencyMode": "STRICT_FAILURE_TOLERANCE",
                                                "RegionConcurrencyType": "SEQUENTIAL"},
                      "template_bucket": None, "tags": {"vend:managed-by": "vend"},
                      "client_request_token": "vend-" + "2" * 40},
               depends_on=("stacksets_access",), source="baselines/audit-role/baseline.yaml:1"),
        Change("stack_instances:audit-role/deploy", Kind.STACK_INSTANCES, Action.CREATE, "audit-role is listed on Security",
               after={**instances, "stack_set": "vend-audit-role", "operation": "create", "ous": ["Security"],
                      "ou_ids": ["ou-ab12-security"], "regions": ["us-east-1"],
                      "covers": "Security: 2 accounts today", "operation_id": "vend-" + "3" * 40},
               depends_on=("stack_set:audit-role", "stacksets_access"), source="ous/Security/ou.yaml:10"),
        Change("stack_set:vpc", Kind.STACK_SET, Action.UPDATE,
               "template, parameters, accounts differ from baselines/vpc/baseline.yaml (UpdateStackSet updates every instance)",
               before=vpc_live, after=vpc_new, depends_on=("account:payments-prod", "stacksets_access"),
               source="baselines/vpc/baseline.yaml:1"),
        Change("stack_instances:vpc/remove", Kind.STACK_INSTANCES, Action.DELETE,
               "Region eu-west-1 is no longer in baselines/vpc/baseline.yaml; their stacks are deleted from the accounts",
               before={"ous": ["Workloads"], "regions": ["eu-west-1", "us-east-1"]},
               after={**instances, "operation": "delete", "ous": ["Workloads"], "ou_ids": ["ou-ab12-workloads"],
                      "regions": ["eu-west-1"], "retain_stacks": False, "operation_id": "vend-" + "4" * 40},
               depends_on=("stack_set:vpc", "stacksets_access"), destructive=True,
               source="baselines/vpc/baseline.yaml:5"),
        Change("stack_instances:vpc/retry", Kind.STACK_INSTANCES, Action.UPDATE,
               "1 stack instance failed (OUTDATED); vend retries with a new operation id (UpdateStackInstances)",
               before={"ous": ["Workloads"], "regions": ["eu-west-1", "us-east-1"]},
               after={**instances, "operation": "update", "ous": ["Workloads/Dev"], "ou_ids": ["ou-ab12-dev"],
                      "accounts": ["222233334444"], "account_filter": "INTERSECTION", "regions": ["us-east-1"],
                      "instances": {"analytics-dev us-east-1": "OUTDATED/FAILED: Resource limit exceeded"},
                      "operation_id": "vend-" + "5" * 40},
               depends_on=("stack_instances:vpc/remove", "stacksets_access"), source="baselines/vpc/baseline.yaml:1"),
        Change("stack_instances:logging-bucket/exclude", Kind.STACK_INSTANCES, Action.DELETE,
               "accounts/sandbox-bob.yaml excludes logging-bucket, but it has stack instances; their stacks are kept",
               after={**instances, "stack_set": "vend-logging-bucket", "operation": "delete", "ous": ["Root"],
                      "ou_ids": ["r-ab12"], "accounts": ["555566667777"], "account_filter": "INTERSECTION",
                      "regions": ["us-east-1"], "retain_stacks": True,
                      "instances": {"sandbox-bob us-east-1": "CURRENT/SUCCEEDED"}, "operation_id": "vend-" + "6" * 40},
               depends_on=("stacksets_access",), source="accounts/sandbox-bob.yaml:9"),
        Change("stack_set:old-vpc", Kind.STACK_SET, Action.DELETE, "retired: true in baselines/old-vpc/baseline.yaml",
               before={**vpc_live, "id": "vend-old-vpc:9a8b", "name": "vend-old-vpc", "accounts": {},
                       "arn": "arn:aws:cloudformation:us-east-1:111111111111:stackset/vend-old-vpc:9a8b"},
               destructive=True, source="baselines/old-vpc/baseline.yaml:2"),
    ]
    order = [["stack_set:old-vpc", "stack_instances:logging-bucket/exclude", "stacksets_access"],
             ["stack_set:audit-role", "stack_set:vpc"],
             ["stack_instances:audit-role/deploy", "stack_instances:vpc/remove"], ["stack_instances:vpc/retry"]]
    notes = [Note("warning", "stack_set:vpc", "stack instance payments-dev eu-west-1 of vend-vpc has DRIFTED: its"
                  " resources were changed outside CloudFormation. vend does not overwrite hand-made changes")]
    return Plan(fingerprint=FINGERPRINT, changes=changes, order=order, notes=notes, git_commit=COMMIT, target="prod",
                created_at="2025-01-02T03:04:05Z", baselines_read=True)


PLANS = {
    "all_creates": all_creates,
    "move_and_tags": move_and_tags,
    "destructive_close": destructive_close,
    "empty_unmanaged": empty_with_unmanaged,
    "baselines": baselines,
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
