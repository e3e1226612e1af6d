"""Baselines end to end, the StackSets operations themselves: a template change is one
UpdateStackSet, a failed instance is shown in the plan with AWS's reason and retried by the next
apply, and an apply killed during an operation resumes without starting a second one."""
from __future__ import annotations

import re
import signal

import pytest

from tests.e2e.baselines_support import (
    EXPECTED,
    apply,
    converge,
    current,
    ids,
    local,
    mutating,
    operations,
    plan_of,
    statuses,
)
from tests.proofs.processes import killed_apply
from vending.aws.clients import CallCounter
from vending.plan.changes import Kind
from vending.render import render

DENIED = "Resource handler returned message: \"User is not authorized to perform: ec2:CreateVpc\""


def _change_logging_template(repo) -> None:
    template = repo / "baselines" / "logging-bucket" / "template.yaml"
    template.write_text(template.read_text().replace("ExpirationInDays: !Ref RetentionDays",
                                                     "ExpirationInDays: !Ref RetentionDays\n"
                                                     "            NoncurrentVersionExpirationInDays: 30"))


def test_a_template_change_is_exactly_one_update_stack_set(example):
    with local(example) as aws:
        converge(example, aws)
        before = operations(aws, "vend-logging-bucket")
        _change_logging_template(example)
        counter = CallCounter()
        apply(example, aws, counter=counter)
        assert mutating(counter) == {"UpdateStackSet": 1}
        assert operations(aws, "vend-logging-bucket") == before + [("UPDATE", "SUCCEEDED")]
        assert statuses(aws, "vend-logging-bucket") == current(EXPECTED["vend-logging-bucket"])
        assert plan_of(example, aws).changes == []


def test_a_failed_instance_is_shown_with_its_reason_and_retried(example):
    with local(example) as aws:
        converge(example, aws)
        failing = ids(aws)["analytics-test"]
        aws.faults.stack_instance(failing, "eu-west-1", DENIED, stack_set_name="vend-vpc")
        baseline = example / "baselines" / "vpc" / "baseline.yaml"
        baseline.write_text(baseline.read_text().replace("FlowLogTraffic: REJECT", "FlowLogTraffic: ACCEPT"))
        apply(example, aws)  # vpc tolerates one failure: the update succeeds elsewhere
        assert statuses(aws, "vend-vpc")[("analytics-test", "eu-west-1")] == "OUTDATED/FAILED"
        plan = plan_of(example, aws)
        retry = [c for c in plan.changes if c.kind is Kind.STACK_INSTANCES and c.address == "stack_instances:vpc/retry"]
        assert len(retry) == 1, [c.address for c in plan.changes]
        assert retry[0].after["operation"] == "update" and retry[0].after["accounts"] == [failing]
        assert retry[0].after["instances"] == {"analytics-test eu-west-1": f"OUTDATED/FAILED: {DENIED}"}
        text = render(plan.to_json(), "text")
        assert "analytics-test eu-west-1" in text and "User is not authorized to perform: ec2:CreateVpc" in text, text
        apply(example, aws)
        assert statuses(aws, "vend-vpc") == current(EXPECTED["vend-vpc"])
        assert plan_of(example, aws).changes == []


@pytest.mark.parametrize("operation, edit", [
    ("UpdateStackSet", _change_logging_template),
    ("CreateStackInstances", lambda repo: (repo / "ous" / "Infrastructure" / "ou.yaml").write_text(
        (repo / "ous" / "Infrastructure" / "ou.yaml").read_text() + "baselines:\n  - audit-role\n")),
])
def test_an_apply_killed_during_an_operation_resumes_it(example, vend, tmp_path, operation, edit):
    with local(example) as aws:
        converge(example, aws)
    stack_set = "vend-logging-bucket" if operation == "UpdateStackSet" else "vend-audit-role"
    with local(example) as aws:
        before = operations(aws, stack_set)
    edit(example)
    assert killed_apply(example, 1, tmp_path / "killed.log", operation) == -signal.SIGKILL
    with local(example) as aws:
        started = operations(aws, stack_set)[len(before):]
        assert [action for action, _ in started] == ["UPDATE" if operation == "UpdateStackSet" else "CREATE"]
    refused = vend(example, "apply", "--auto-approve")  # the killed apply still holds the lock
    assert refused.code == 1 and "that apply was killed" in refused.err, refused.err
    lock_id = re.search(r"vend force-unlock (\S+)$", refused.err.strip()).group(1)
    assert vend(example, "force-unlock", lock_id).code == 0
    resumed = vend(example, "apply", "--auto-approve")
    assert resumed.code == 0, resumed.out + resumed.err
    with local(example) as aws:
        after = operations(aws, stack_set)[len(before):]
        assert len(after) == 1 and after[0][1] == "SUCCEEDED", after  # the killed apply's, never a second
        expected = EXPECTED[stack_set] | ({("shared-network", "us-east-1"), ("shared-services", "us-east-1")}
                                          if stack_set == "vend-audit-role" else set())
        assert statuses(aws, stack_set) == current(expected)
    assert vend(example, "plan", "--detailed-exitcode").code == 0
