"""The Identity Center benchmark at 20 accounts: the plan is empty and its reads are the floor
plus five per permission set, whatever the number of accounts."""
from __future__ import annotations

from tests.bench import bench_identity


def test_identity_reads_scale_with_groups_and_sets_not_accounts() -> None:
    small = bench_identity.run_size(20, 6, log=lambda _: None)
    assert small.reads["ListAccountAssignmentsForPrincipal"] == 3  # one page per group
    assert small.reads["GetGroupId"] == 3
    assert "ListAccountAssignments" not in small.reads
    assert small.requests == small.floor + 5 * len(bench_identity.SETS)
    assert "| 20 |" in bench_identity.report([small])
