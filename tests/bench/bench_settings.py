"""Benchmark: what alternate contacts and support enrollment cost a `vend plan` in requests at
scale (issue 10, point 7; budgets are `bench_budgets`, Identity Center `bench_identity`).

    python -m tests.bench.bench_settings [--sizes 100 1000] [--ous 50]

For each size, in this one process: the synthetic organization of tests/bench/synthetic.py in
the embedded local AWS; a no-change plan of it is measured (the BASELINE); then the root's
ou.yaml gains two alternate contacts (security, operations) and `support: enterprise`, so every
active account has both; vend applies that (trusted access for Account Management, two
PutAlternateContact and one support case per account), and the no-change plan is measured again:

* CONTACT READS: GetAlternateContact requests. The Account Management API reads one contact of
  one account per request and has no bulk read, so the floor is one per declared contact per
  active account, plus one ListAWSServiceAccessForOrganization (trusted access) in all;
* SUPPORT READS: DescribeCases requests, one paged read in all (100 cases a page, resolved
  cases included), whatever the number of accounts asks for none per account;
* RATIO: all plan requests with the settings / all plan requests without (the baseline).

This is a benchmark, not a test: it prints figures and never fails on them;
`test_bench_settings_smoke` runs it at 20 accounts and asserts the counts.
"""
from __future__ import annotations

import math
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from tests.bench import root_settings

DEFAULT_SIZES = (100, 1000)
KINDS = ("security", "operations")
CASES_PAGE = 100
SETTINGS = ("contacts:\n" + "".join(
    f"  {kind}:\n    name: {kind.title()} team\n    title: On call\n    email: {kind}@example.com\n"
    "    phone: \"+1 206 555 0100\"\n" for kind in KINDS) + "support: enterprise\n")
CONTACT_OPERATIONS = ("GetAlternateContact", "ListAWSServiceAccessForOrganization")
SUPPORT_OPERATIONS = ("DescribeCases",)


@dataclass
class Result:
    accounts: int
    enrolled: int
    baseline: Counter[str]
    with_settings: Counter[str]
    baseline_seconds: float
    plan_seconds: float

    @property
    def contact_reads(self) -> int:
        return self.with_settings["GetAlternateContact"]

    @property
    def contact_floor(self) -> int:
        return len(KINDS) * self.enrolled

    @property
    def support_reads(self) -> int:
        return self.with_settings["DescribeCases"]

    @property
    def support_floor(self) -> int:
        return max(1, math.ceil(self.enrolled / CASES_PAGE))

    @property
    def request_ratio(self) -> float:
        return sum(self.with_settings.values()) / sum(self.baseline.values())


def _cases(local: Any) -> int:
    """The support cases in the management account, read back as a user would."""
    client = local.session().client("support", region_name="us-east-1")
    pages = client.get_paginator("describe_cases").paginate(includeResolvedCases=True)
    return sum(len(page["cases"]) for page in pages)


def run_size(accounts: int, ous: int, log: Callable[[str], None] = print) -> Result:
    m = root_settings.measure(accounts, ous, SETTINGS, "bench_settings", log, after=_cases)
    return Result(accounts, m.extra, m.baseline, m.with_settings, m.baseline_seconds, m.plan_seconds)


def report(results: list[Result]) -> str:
    lines = [
        "Two alternate contacts and Enterprise support on every active account (local emulator, in-process):", "",
        "| accounts | enrolled | contact reads | floor | support reads | floor | plan requests without / with"
        " | request ratio | plan wall without / with |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.accounts:,} | {r.enrolled:,} | {r.contact_reads:,} | {r.contact_floor:,}"
                     f" | {r.support_reads:,} | {r.support_floor:,}"
                     f" | {sum(r.baseline.values()):,} / {sum(r.with_settings.values()):,} | {r.request_ratio:.2f}x"
                     f" | {r.baseline_seconds:.2f} s / {r.plan_seconds:.2f} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return root_settings.main(__doc__, DEFAULT_SIZES, run_size, report, argv)


if __name__ == "__main__":
    sys.exit(main())
