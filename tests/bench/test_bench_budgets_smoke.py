"""The budgets benchmark still runs, at a tiny size, and its request counts hold: a default
plan reads two paged calls in all, one tag read per budget and no subscriber; with check_subscribers, one subscriber read
per alert on top, nothing else per account."""
from __future__ import annotations

from tests.bench import bench_budgets

ACCOUNTS, OUS = 20, 6


def test_budget_reads_are_two_calls_in_all_one_tag_read_per_budget_and_one_per_alert_only_when_checking():
    result = bench_budgets.run_size(ACCOUNTS, OUS, log=lambda _: None)
    assert result.budgets >= ACCOUNTS - 3  # every active account (closed and suspended ones have none)
    assert result.with_budgets["DescribeBudgets"] == 1
    assert result.with_budgets["DescribeBudgetNotificationsForAccount"] == 1
    assert result.with_budgets[bench_budgets.SUBSCRIBERS] == 0
    assert result.default_ops[bench_budgets.TAGS] == result.checked_ops[bench_budgets.TAGS] == result.budgets
    assert result.budget_reads == result.floor == 2 + result.budgets
    extra = result.with_budgets - result.baseline
    assert set(extra) == {"DescribeBudgets", "DescribeBudgetNotificationsForAccount", bench_budgets.TAGS}
    assert result.checked[bench_budgets.SUBSCRIBERS] == bench_budgets.ALERTS * result.budgets
    assert result.checked_reads == result.checked_floor
    assert set(result.checked - result.baseline) == set(bench_budgets.BUDGET_OPERATIONS)
    report = bench_budgets.report([result])
    assert "request ratio" in report and "--check-subscribers" in report
