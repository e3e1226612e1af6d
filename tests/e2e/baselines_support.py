"""Helpers of the baselines end-to-end tests: plan and apply in-process against the example's
local AWS, read stack instances and member stacks back, count calls (an apply killed mid-way:
tests/proofs/processes.killed_apply)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tests.local.stacksets_support import member_client
from vending import engine
from vending.apply.context import Polling
from vending.aws.clients import AwsClients, CallCounter, is_read_operation
from vending.local import LocalAws
from vending.model.loader import load

FAST = Polling(first_delay=0.001, max_delay=0.002, timeout=60, max_polls=5000)
REGIONS = ("eu-west-1", "us-east-1")
WORKLOADS = ("analytics-dev", "analytics-test", "data-lake-prod", "payments-dev", "payments-prod")
EVERY_MEMBER = ("analytics-dev", "analytics-test", "Audit", "data-lake-prod", "Log Archive", "payments-dev",
                "payments-prod", "sandbox-alice", "sandbox-bob", "shared-network", "shared-services")
EXPECTED = {
    "vend-logging-bucket": {(n, r) for n in EVERY_MEMBER if n != "sandbox-bob" for r in REGIONS},  # bob opts out
    "vend-audit-role": {("Audit", "us-east-1"), ("Log Archive", "us-east-1")},
    "vend-vpc": {(n, r) for n in WORKLOADS for r in REGIONS},
}
"""What the example's files say, read by hand: logging-bucket on the root (both Regions),
audit-role on Security (us-east-1 only), vpc on Workloads and its subtree."""


def local(repo: Path, engine_name: str = "organizations", **options: Any) -> LocalAws:
    return LocalAws(repo / ".vend", control_tower=engine_name == "control-tower", **options)


def apply(repo: Path, aws: LocalAws, *, allow_destroy: bool = False, counter: CallCounter | None = None,
          check: bool = True) -> Any:
    """One plan and apply of the repository, as `vend apply --auto-approve`; the report (that
    must be ok, with `check`)."""
    desired = load(repo)
    clients = AwsClients(aws.session(), observers=(counter,) if counter else ())
    plan, live = engine.plan(desired, clients, git_commit=None, target="t")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=allow_destroy, polling=FAST, live=live)
    report = engine.apply(plan, ctx, desired.settings)
    assert report.ok or not check, [f"{o.address}: {o.detail}" for o in report.outcomes if o.status != "applied"]
    return report


def plan_of(repo: Path, aws: LocalAws) -> Any:
    return engine.plan(load(repo), AwsClients(aws.session()), git_commit=None, target="t")[0]


def names(aws: LocalAws) -> dict[str, str]:
    """Account id -> name, as Organizations lists them."""
    pages = aws.session().client("organizations").get_paginator("list_accounts").paginate()
    return {a["Id"]: a["Name"] for page in pages for a in page["Accounts"]}


def ids(aws: LocalAws) -> dict[str, str]:
    return {name: account_id for account_id, name in names(aws).items()}


def instances(aws: LocalAws, stack_set: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(account name, Region) -> the instance summary, read with a paginator."""
    by_id = names(aws)
    pages = aws.session().client("cloudformation").get_paginator("list_stack_instances").paginate(
        StackSetName=stack_set)
    return {(by_id[i["Account"]], i["Region"]): i for page in pages for i in page["Summaries"]}


def statuses(aws: LocalAws, stack_set: str) -> dict[tuple[str, str], str]:
    return {k: f"{i['Status']}/{i['StackInstanceStatus']['DetailedStatus']}" for k, i in instances(aws, stack_set).items()}


def current(expected: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    return {k: "CURRENT/SUCCEEDED" for k in expected}


def operations(aws: LocalAws, stack_set: str) -> list[tuple[str, str]]:
    """(Action, Status) of every operation of the stack set, oldest first."""
    pages = aws.session().client("cloudformation").get_paginator("list_stack_set_operations").paginate(
        StackSetName=stack_set)
    found = [o for page in pages for o in page["Summaries"]]
    return [(o["Action"], o["Status"]) for o in sorted(found, key=lambda o: o["CreationTimestamp"])]


def vpcs(account_id: str, region: str) -> list[str]:
    """CIDRs of the account's own (non-default) VPCs, as the member reads them."""
    found = member_client("ec2", account_id, region).describe_vpcs()["Vpcs"]
    return sorted(v["CidrBlock"] for v in found if not v.get("IsDefault"))


def flow_log_traffic(account_id: str, region: str) -> list[str]:
    return sorted(f["TrafficType"] for f in member_client("ec2", account_id, region).describe_flow_logs()["FlowLogs"])


def mutating(counter: CallCounter) -> Counter[str]:
    return Counter({op: n for op, n in counter.counts.items() if not is_read_operation(op)})


def edit_yaml(path: Path, change: Any) -> None:
    """Load `path`, let `change(data)` edit it, write it back (comments are not kept)."""
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def deployed(account_id: str, region: str, stack_set: str, resource: str, name: str) -> Any:
    """A property of a resource as the stack set's stack in the member was last deployed with
    (GetTemplate): for properties moto does not update in place (EC2 flow logs)."""
    client = member_client("cloudformation", account_id, region)
    stacks = [s for s in client.describe_stacks()["Stacks"] if s["StackName"].startswith(f"StackSet-{stack_set}-")]
    assert len(stacks) == 1, stacks
    body = client.get_template(StackName=stacks[0]["StackName"])["TemplateBody"]
    template = body if isinstance(body, dict) else yaml.safe_load(body)
    return template["Resources"][resource]["Properties"][name]


def converge(repo: Path, aws: LocalAws) -> None:
    """Apply until the plan is empty (at most 3 applies): the starting point of the tests of
    one behaviour. That a single apply converges is tested in test_baselines_apply.py."""
    for _ in range(3):
        if not plan_of(repo, aws).changes:
            return
        apply(repo, aws, check=False)
    assert plan_of(repo, aws).changes == []
