"""The budgets benchmark still runs, at a tiny size, and its request counts hold: two paged
calls in all plus one subscriber read per alert, nothing else per account."""
from __future__ import annotations

from tests.bench import bench_budgets

ACCOUNTS, OUS = 20, 6


def test_budget_reads_are_two_calls_plus_one_per_alert():
    result = bench_budgets.run_size(ACCOUNTS, OUS, log=lambda _: None)
    assert result.budgets >= ACCOUNTS - 3  # every active account (closed and suspended ones have none)
    assert result.with_budgets["DescribeBudgets"] == 1
    assert result.with_budgets["DescribeBudgetNotificationsForAccount"] == 1
    assert result.budget_reads == result.floor
    extra = result.with_budgets - result.baseline
    assert set(extra) == set(bench_budgets.BUDGET_OPERATIONS)
    assert "request ratio" in bench_budgets.report([result])
