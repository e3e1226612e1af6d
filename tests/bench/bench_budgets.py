"""Benchmark: what budgets cost a `vend plan` in requests at scale (issue 10, point 7).

    python -m tests.bench.bench_budgets [--sizes 100 1000] [--ous 50]

For each size, in this one process: the synthetic organization of tests/bench/synthetic.py in
the embedded local AWS; a no-change plan of it is measured (the BASELINE); then the root's
ou.yaml gains a budget with two alerts (so every active account has one), vend applies it (one
CreateBudget per account, alerts included), and the no-change plan is measured again:

* BUDGET READS: the Budgets requests of the plan: one paged DescribeBudgets and one paged
  DescribeBudgetNotificationsForAccount in all (1,000 a page), plus one
  DescribeSubscribersForNotification per alert - the API returns subscribers only per
  notification, so that is the floor for a plan that sees a subscriber changed in the console;
* RATIO: all plan requests with budgets / all plan requests without (the baseline), and the same
  for wall time.

This is a benchmark, not a test: it prints figures and never fails on them;
`test_bench_budgets_smoke` runs it at 20 accounts and asserts the counts.
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.bench import synthetic
from tests.bench.bench_baselines import deploy
from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.model.loader import load

DEFAULT_SIZES = (100, 1000)
ALERTS = 2
PAGE = 1000
BUDGET = ("budget:\n  amount: 1000\n  alerts:\n    - {threshold: 80, recipients: [finance@example.com]}\n"
          "    - {threshold: 100, spend: forecasted, recipients: [finance@example.com]}\n")
BUDGET_OPERATIONS = ("DescribeBudgets", "DescribeBudgetNotificationsForAccount", "DescribeSubscribersForNotification")


@dataclass
class Result:
    accounts: int
    budgets: int
    baseline: Counter[str]
    with_budgets: Counter[str]
    baseline_seconds: float
    plan_seconds: float

    @property
    def budget_reads(self) -> int:
        return sum(self.with_budgets.get(op, 0) for op in BUDGET_OPERATIONS)

    @property
    def floor(self) -> int:
        return 2 * math.ceil(self.budgets / PAGE) + ALERTS * self.budgets

    @property
    def request_ratio(self) -> float:
        return sum(self.with_budgets.values()) / sum(self.baseline.values())


def plan_counts(repo: Path, local: object, label: str) -> tuple[Counter[str], float]:
    """The requests by operation and the wall time of a no-change `vend plan` of `repo`."""
    counter = CallCounter()
    start = time.perf_counter()
    computed, _ = engine.plan(load(repo), AwsClients(local.session(), observers=(counter,)),  # type: ignore[attr-defined]
                              git_commit=None, target="bench")
    seconds = time.perf_counter() - start
    synthetic.assert_no_changes(computed, label)
    return Counter(counter.counts), seconds


def run_size(accounts: int, ous: int, log: Callable[[str], None] = print) -> Result:
    from vending.local import LocalAws

    org = synthetic.generate(accounts, ous)
    with tempfile.TemporaryDirectory(prefix="vend-bench-") as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        with LocalAws(Path(tmp) / "state") as local:
            synthetic.seed_local(org, repo, local)
            baseline, baseline_seconds = plan_counts(repo, local, "bench_budgets")
            root = repo / "ous" / "ou.yaml"
            root.write_text(root.read_text() + BUDGET)
            start = time.perf_counter()
            deploy(repo, AwsClients(local.session()))
            log(f"  {accounts} accounts: budgets applied in {time.perf_counter() - start:.1f} s")
            with_budgets, seconds = plan_counts(repo, local, "bench_budgets")
    budgets = with_budgets["DescribeSubscribersForNotification"] // ALERTS
    return Result(accounts, budgets, baseline, with_budgets, baseline_seconds, seconds)


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
    lines += ["", "Budgets reads by operation:", "",
              "| operation | " + " | ".join(f"{r.accounts:,}" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    lines += [f"| {op} | " + " | ".join(f"{r.with_budgets.get(op, 0):,}" for r in results) + " |"
              for op in BUDGET_OPERATIONS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--ous", type=int, default=50)
    args = parser.parse_args(argv)
    results = [run_size(size, args.ous, log=lambda m: print(m, flush=True)) for size in args.sizes]
    print()
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
