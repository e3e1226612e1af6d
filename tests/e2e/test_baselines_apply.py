"""Baselines end to end on the example organization: accounts vended later get their stack
instances through auto-deployment (both account engines, read back from the emulator down to the
member's VPC), overrides and exclusions hold, and the plan after each apply is empty. (The first
apply of the example and a move out of a targeted OU are pending A's fixes: see the report.)"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.baselines_support import (
    EXPECTED,
    REGIONS,
    apply,
    converge,
    current,
    deployed,
    edit_yaml,
    flow_log_traffic,
    ids,
    local,
    plan_of,
    statuses,
    vpcs,
)

ENGINES = ("organizations", "control-tower")


def _engine(repo: Path, engine_name: str) -> Path:
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: organizations", f"account_factory: {engine_name}"))
    return repo


@pytest.mark.parametrize("engine_name", ENGINES)
def test_an_account_vended_later_gets_its_instances_by_auto_deployment(example, vend, engine_name):
    repo = _engine(example, engine_name)
    with local(repo, engine_name) as aws:
        converge(repo, aws)
    (repo / "accounts" / "newbie.yaml").write_text(
        "name: newbie\nemail: aws+newbie@example.com\nou: Workloads/Dev\nowner: newbie@example.com\n"
        "tags:\n  cost-center: payments\n")
    allocated = vend(repo, "allocate")
    assert allocated.code == 0, allocated.err
    network = (repo / "accounts" / "newbie.yaml").read_text().split("network:")[1]
    cidrs = dict(line.strip().split(": ") for line in network.strip().splitlines())
    with local(repo, engine_name) as aws:
        apply(repo, aws)
        newbie = ids(aws)["newbie"]
        for stack_set in ("vend-vpc", "vend-logging-bucket"):
            found = statuses(aws, stack_set)
            assert {r: found.get(("newbie", r)) for r in REGIONS} == {r: "CURRENT/SUCCEEDED" for r in REGIONS}
        for region in REGIONS:
            assert vpcs(newbie, region) == [cidrs[region]]
        assert plan_of(repo, aws).changes == []


def test_an_override_and_an_exclusion(example):
    with local(example) as aws:
        converge(example, aws)
        account = ids(aws)
        edit_yaml(example / "accounts" / "analytics-dev.yaml",
                  lambda a: a.update(baselines={"vpc": {"parameters": {"FlowLogTraffic": "ACCEPT"}}}))
        edit_yaml(example / "accounts" / "data-lake-prod.yaml", lambda a: a.update(baselines={"vpc": {"exclude": True}}))
        apply(example, aws, allow_destroy=True)
        # moto does not update a flow log in place (AWS replaces it): read what each stack got
        assert deployed(account["analytics-dev"], "us-east-1", "vend-vpc", "FlowLog", "TrafficType") == "ACCEPT"
        assert deployed(account["analytics-dev"], "eu-west-1", "vend-vpc", "FlowLog", "TrafficType") == "ACCEPT"
        assert deployed(account["analytics-test"], "us-east-1", "vend-vpc", "FlowLog", "TrafficType") == "REJECT"
        assert statuses(aws, "vend-vpc") == current(EXPECTED["vend-vpc"] - {("data-lake-prod", r) for r in REGIONS})
        assert vpcs(account["data-lake-prod"], "us-east-1") == []
        assert plan_of(example, aws).changes == []


@pytest.mark.parametrize("engine_name", ENGINES)
def test_example_apply_deploys_every_baseline_and_the_next_plan_is_empty(example, vend, engine_name):
    example = _engine(example, engine_name)
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    with local(example, engine_name) as aws:
        for stack_set, expected in EXPECTED.items():
            assert statuses(aws, stack_set) == current(expected), stack_set
        account = ids(aws)
        # the real stacks in the members: each VPC has its block of the IP plan, and the
        # per-account override (payments-prod: FlowLogTraffic ALL) reaches only its account
        assert vpcs(account["payments-prod"], "us-east-1") == ["10.0.16.0/20"]
        assert vpcs(account["payments-prod"], "eu-west-1") == ["10.8.16.0/20"]
        assert vpcs(account["payments-dev"], "eu-west-1") == ["10.12.32.0/20"]
        assert flow_log_traffic(account["payments-prod"], "us-east-1") == ["ALL"]
        assert flow_log_traffic(account["payments-dev"], "us-east-1") == ["REJECT"]
        assert vpcs(account["sandbox-alice"], "us-east-1") == []
    again = vend(example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out


def test_an_account_moved_out_of_a_targeted_ou_loses_its_instances(example):
    with local(example) as aws:
        converge(example, aws)
        moved = ids(aws)["payments-dev"]
        edit_yaml(example / "accounts" / "payments-dev.yaml", lambda a: a.update(ou="Sandbox"))
        apply(example, aws)
        assert statuses(aws, "vend-vpc") == current(EXPECTED["vend-vpc"] - {("payments-dev", r) for r in REGIONS})
        assert vpcs(moved, "us-east-1") == [] and vpcs(moved, "eu-west-1") == []
        assert statuses(aws, "vend-logging-bucket") == current(EXPECTED["vend-logging-bucket"])  # the root covers Sandbox
        assert plan_of(example, aws).changes == []


