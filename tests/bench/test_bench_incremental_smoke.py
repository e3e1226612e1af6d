"""The incremental benchmark runs at a tiny size; request counts, not timings, are asserted."""
from __future__ import annotations

from tests.bench import bench_incremental


def test_incremental_benchmark_runs_on_a_tiny_organization():
    result = bench_incremental.run_size(20, 6, repeat=1, log=lambda _: None)
    assert result.minimal.counts["ListTagsForResource"] == 20
    assert "ListTagsForResource" not in result.incremental.counts  # no change, no tag read
    assert result.incremental.counts["LookupEvents"] == 2
    assert result.incremental.requests <= bench_incremental.REQUEST_TARGET
    assert result.drift_changes == ["move account", "update account_tags"]
    assert "target <= 50" in bench_incremental.report([result], 1)
