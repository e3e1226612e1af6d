"""The baselines benchmark still runs, at a tiny size, and its request counts hold.

No timing is asserted. The plan's reads are the floor (one DescribeStackSet per stack set and one
ListStackInstances page per 100 instances) plus a constant 3 (DescribeOrganizationsAccess,
ListStackSets, ListStackSetOperations), whatever the size: nothing per account.
"""
from __future__ import annotations

import math

from tests.bench import bench_baselines

ACCOUNTS, OUS = 20, 6


def test_baseline_plan_reads_are_the_floor_plus_a_constant():
    result = bench_baselines.run_size(ACCOUNTS, OUS, log=lambda _: None)
    assert result.instances == 2 * 17  # every member (none in Security or the root), 2 Regions
    assert result.reads["ListStackInstances"] == math.ceil(result.instances / 100)
    assert result.reads["DescribeStackSet"] == 1
    assert sum(result.reads.values()) == result.floor + 3
    assert "DescribeStackInstance" not in result.reads
    assert "target <= 1.2x" in bench_baselines.report([result])


def test_baseline_changes_stay_within_three_mutating_calls_per_targeted_ou():
    from tests.bench import bench_baseline_changes

    steps = bench_baseline_changes.run_size(ACCOUNTS, OUS, log=lambda _: None)
    assert steps == {
        "new baseline": {"ActivateOrganizationsAccess": 1, "CreateStackSet": 1, "CreateStackInstances": 1},
        "parameter change": {"UpdateStackSet": 1},
        "per-account CIDR": {"UpdateStackSet": 1},  # 17 accounts' rows: still inline at this size
    }
    targeted = 2  # Division01 and Division02 at 6 OUs
    assert all(sum(counts.values()) <= bench_baseline_changes.PER_OU_TARGET * targeted for counts in steps.values())
    assert "met" in bench_baseline_changes.report(ACCOUNTS, targeted, steps)
