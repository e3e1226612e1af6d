"""Benchmark: what a baseline costs in requests at scale (issue 6, point 9).

    python -m tests.bench.bench_baselines [--sizes 100 1000 5000] [--ous 50]

For each size, in this one process: the synthetic organization of tests/bench/synthetic.py in
the embedded local AWS, then one baseline `bench` added to its repository, listed on every
top-level (Division) OU, so it covers every generated OU and account, in both governed
Regions, and applied by vend (one CreateStackSet, one CreateStackInstances). Then a `vend plan` (`engine.plan`) is measured:

* PLAN READS: the CloudFormation requests the plan makes, against the floor of any reader
  that knows every instance's status: one request per stack set (its template and values)
  plus one per page of ListStackInstances (100 a page). Target: at most 1.2 x the floor.

The emulator's stack instance quota is raised to fit (2 Regions x accounts). This is a
benchmark, not a test: it prints figures and never fails on them; `test_bench_baselines_smoke`
runs it at 20 accounts and asserts the targets.
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

import botocore.session

from tests.bench import synthetic
from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.model.loader import load

DEFAULT_SIZES = (100, 1000, 5000)
BASELINE = "bench"
REGIONS = ("us-east-1", "eu-west-1")
PAGE = 100
"""ListStackInstances serves at most 100 instances a page (CFN-API MaxResults)."""
READ_TARGET = 1.2
CLOUDFORMATION = frozenset(botocore.session.get_session().get_service_model("cloudformation").operation_names)
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Description: A marker every account of the organization has (vend baseline bench).
Parameters:
  Owner:
    Type: String
Resources:
  Marker:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /vend/bench
      Type: String
      Value: !Sub "owned by ${Owner}"
"""


@dataclass
class Result:
    accounts: int
    ous: int
    targeted: int
    instances: int
    build_seconds: float
    plan_seconds: float
    reads: Counter[str]

    @property
    def floor(self) -> int:
        return 1 + math.ceil(self.instances / PAGE)

    @property
    def read_ratio(self) -> float:
        return sum(self.reads.values()) / self.floor


def write_baseline(org: synthetic.SynOrg, repo: Path) -> list[tuple[str, ...]]:
    """Add the baseline to the repository, listed on every Division OU; returns those OUs."""
    folder = repo / "baselines" / BASELINE
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "baseline.yaml").write_text(
        "description: A marker in every account.\n"
        "parameters:\n  Owner: platform\n"
        f"regions: [{', '.join(REGIONS)}]\n"
        "operation_preferences:\n  region_concurrency: PARALLEL\n  max_concurrent: {percent: 100}\n"
        "  failure_tolerance: {percent: 10}\n")
    targeted = [path for path in org.ous if len(path) == 1 and path[0].startswith(synthetic.LEVEL_NAMES[0])]
    for path in targeted:
        ou_file = repo / "ous" / Path(*path) / "ou.yaml"
        ou_file.write_text(ou_file.read_text() + f"baselines:\n  - {BASELINE}\n")
    return targeted


def covered(org: synthetic.SynOrg, targeted: list[tuple[str, ...]]) -> int:
    """Members the baseline reaches: every account placed under a targeted OU."""
    return sum(1 for a in org.accounts if org.placement(a)[:1] in {t[:1] for t in targeted})


def deploy(repo: Path, clients: AwsClients) -> None:
    """vend's own plan + apply of the repository (here: the new baseline)."""
    from vending.apply.context import INSTANT

    desired = load(repo)
    plan, live = engine.plan(desired, clients, git_commit=None, target="bench")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
    report = engine.apply(plan, ctx, desired.settings)
    if not report.ok:
        raise RuntimeError("; ".join(f"{o.address}: {o.detail}" for o in report.outcomes if o.status != "applied")[:2000])


def run_size(accounts: int, ous: int, log: Callable[[str], None] = print) -> Result:
    from vending.local import LocalAws

    org = synthetic.generate(accounts, ous)
    with tempfile.TemporaryDirectory(prefix="vend-bench-") as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        quota = max(2000, len(REGIONS) * accounts)
        with LocalAws(Path(tmp) / "state", stack_instance_quota=quota) as local:
            start = time.perf_counter()
            synthetic.seed_local(org, repo, local)
            targeted = write_baseline(org, repo)
            reached = covered(org, targeted)
            deploy(repo, AwsClients(local.session()))
            build = time.perf_counter() - start
            log(f"  built {accounts} accounts / {len(org.ous)} OUs, {reached * len(REGIONS)} instances"
                f" in {build:.1f} s")
            counter = CallCounter()
            start = time.perf_counter()
            engine.plan(load(repo), AwsClients(local.session(), observers=(counter,)), git_commit=None,
                        target="bench")
            seconds = time.perf_counter() - start
    reads = Counter({op: n for op, n in counter.counts.items() if op in CLOUDFORMATION})
    return Result(accounts, len(org.ous), len(targeted), reached * len(REGIONS), build, seconds, reads)


def report(results: list[Result]) -> str:
    lines = [
        "One baseline on every Division OU, 2 Regions (local emulator, in-process):", "",
        "| accounts | OUs | targeted OUs | instances | plan CloudFormation reads | floor (1 + instance pages)"
        " | ratio | plan wall |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.accounts:,} | {r.ous} | {r.targeted} | {r.instances:,} | {sum(r.reads.values()):,}"
                     f" | {r.floor:,} | {r.read_ratio:.2f}x | {r.plan_seconds:.2f} s |")
    operations = sorted({op for r in results for op in r.reads})
    lines += ["", "Plan reads by operation:", "",
              "| operation | " + " | ".join(f"{r.accounts:,}" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    lines += [f"| {op} | " + " | ".join(f"{r.reads.get(op, 0):,}" for r in results) + " |" for op in operations]
    lines.append("")
    lines += [f"{r.accounts:>6,} accounts: plan reads {r.read_ratio:.2f}x the floor (target <= {READ_TARGET}x:"
              f" {'met' if r.read_ratio <= READ_TARGET else 'MISSED'})" for r in results]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        help="organization sizes in accounts (default: 100 1000 5000)")
    parser.add_argument("--ous", type=int, default=50,
                        help="OUs per organization (default 50)")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        print(f"{size} accounts / {args.ous} OUs", flush=True)
        results.append(run_size(size, args.ous, log=lambda m: print(m, flush=True)))
    print()
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
