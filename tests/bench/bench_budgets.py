"""Benchmark: what budgets cost a `vend plan` in requests at scale (issue 10, point 7).

    python -m tests.bench.bench_budgets [--sizes 100 1000] [--ous 50]

For each size, in this one process: the synthetic organization of tests/bench/synthetic.py in
the embedded local AWS; a no-change plan of it is measured (the BASELINE); then the root's
ou.yaml gains a budget with two alerts (so every active account has one), vend applies it (one
CreateBudget per account, alerts included), and the no-change plan is measured again, twice:

* DEFAULT: the Budgets requests of a plain `vend plan`: one paged DescribeBudgets and one paged
  DescribeBudgetNotificationsForAccount in all (1,000 a page), and one ListTagsForResource per
  budget (its `vend:subscribers:` digests, so a change of recipients in git is seen), no
  subscriber read - the amount, currency, period, filter and every alert's type, threshold and
  comparison come from the first two;
* CHECK SUBSCRIBERS: `vend plan --check-subscribers` adds one DescribeSubscribersForNotification
  per alert - the API returns subscribers only per notification, so that is the floor for a
  plan that sees a subscriber changed in the console;
* RATIO: all plan requests with budgets / all plan requests without (the baseline), and the same
  for wall time.

This is a benchmark, not a test: it prints figures and never fails on them;
`test_bench_budgets_smoke` runs it at 20 accounts and asserts the counts.
"""
from __future__ import annotations

import math
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from tests.bench import root_settings

DEFAULT_SIZES = (100, 1000)
ALERTS = 2
PAGE = 1000
BUDGET = ("budget:\n  amount: 1000\n  alerts:\n    - {threshold: 80, recipients: [finance@example.com]}\n"
          "    - {threshold: 100, spend: forecasted, recipients: [finance@example.com]}\n")
SUBSCRIBERS = "DescribeSubscribersForNotification"
TAGS = "ListTagsForResource"
"""Budgets' ListTagsForResource; Organizations' has the same name, so a plan's Budgets tag reads
are its count beyond the baseline's (`_budget_ops`)."""
BUDGET_OPERATIONS = ("DescribeBudgets", "DescribeBudgetNotificationsForAccount", TAGS, SUBSCRIBERS)


@dataclass
class Result:
    accounts: int
    budgets: int
    baseline: Counter[str]
    with_budgets: Counter[str]
    """The default plan's requests."""
    checked: Counter[str]
    """The requests of the plan with check_subscribers."""
    baseline_seconds: float
    plan_seconds: float
    checked_seconds: float

    def _budget_ops(self, counts: Counter[str]) -> Counter[str]:
        return Counter({op: counts.get(op, 0) - (self.baseline.get(op, 0) if op == TAGS else 0)
                        for op in BUDGET_OPERATIONS})

    @property
    def default_ops(self) -> Counter[str]:
        """The default plan's Budgets requests by operation."""
        return self._budget_ops(self.with_budgets)

    @property
    def checked_ops(self) -> Counter[str]:
        return self._budget_ops(self.checked)

    @property
    def budget_reads(self) -> int:
        return sum(self.default_ops.values())

    @property
    def checked_reads(self) -> int:
        return sum(self.checked_ops.values())

    @property
    def floor(self) -> int:
        """Two paged calls in all (1,000 budgets, and their notifications, a page) and one tag read
        per budget."""
        return 2 * math.ceil(self.budgets / PAGE) + self.budgets

    @property
    def checked_floor(self) -> int:
        return self.floor + ALERTS * self.budgets

    @property
    def request_ratio(self) -> float:
        return sum(self.with_budgets.values()) / sum(self.baseline.values())

    @property
    def checked_ratio(self) -> float:
        return sum(self.checked.values()) / sum(self.baseline.values())


def run_size(accounts: int, ous: int, log: Callable[[str], None] = print) -> Result:
    m = root_settings.measure(accounts, ous, BUDGET, "bench_budgets", log, options={"check_subscribers": True})
    assert m.opt_in is not None
    budgets = m.opt_in[SUBSCRIBERS] // ALERTS
    return Result(accounts, budgets, m.baseline, m.with_settings, m.opt_in, m.baseline_seconds, m.plan_seconds,
                  m.opt_in_seconds)


def report(results: list[Result]) -> str:
    lines = [
        "A budget with 2 alerts on every active account (local emulator, in-process):", "",
        "| accounts | budgets | Budgets reads | floor | plan requests without / with | request ratio"
        " | plan wall without / with |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.accounts:,} | {r.budgets:,} | {r.budget_reads:,} | {r.floor:,}"
                     f" | {sum(r.baseline.values()):,} / {sum(r.with_budgets.values()):,} | {r.request_ratio:.2f}x"
                     f" | {r.baseline_seconds:.2f} s / {r.plan_seconds:.2f} s |")
    lines += ["", "The same plan with --check-subscribers (opt-in):", "",
              "| accounts | Budgets reads | floor | plan requests | request ratio | plan wall |",
              "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.accounts:,} | {r.checked_reads:,} | {r.checked_floor:,} | {sum(r.checked.values()):,}"
              f" | {r.checked_ratio:.2f}x | {r.checked_seconds:.2f} s |" for r in results]
    lines += ["", "Budgets reads by operation (default / --check-subscribers):", "",
              "| operation | " + " | ".join(f"{r.accounts:,}" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    lines += [f"| {op} | " + " | ".join(f"{r.default_ops[op]:,} / {r.checked_ops[op]:,}" for r in results)
              + " |" for op in BUDGET_OPERATIONS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return root_settings.main(__doc__, DEFAULT_SIZES, run_size, report, argv)


if __name__ == "__main__":
    sys.exit(main())
