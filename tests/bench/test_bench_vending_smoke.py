"""The vending benchmark runs, fills the quota and vends every account (no timing asserted)."""
from __future__ import annotations

from tests.bench.bench_vending import measure


def test_vending_benchmark_runs_at_tiny_scale():
    result = measure(quota=3, accounts=7, latency=0.05)
    assert result.accounts == 7
    assert 1 < result.peak <= 3  # concurrent, never above the quota
