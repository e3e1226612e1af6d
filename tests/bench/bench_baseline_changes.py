"""Benchmark: the mutating calls of baseline changes at scale (issue 6, point 9).

    python -m tests.bench.bench_baseline_changes [--sizes 100 1000 5000] [--ous 50]

On the synthetic organization of tests/bench/synthetic.py in the embedded local AWS (the
baseline of bench_baselines listed on every Division OU, 2 Regions), vend's own plan + apply of
three changes, each counted by operation name: (1) the new baseline, (2) a parameter change,
(3) a per-account CIDR for every account (vend.yaml ip_plan, `vend allocate`, the parameter
`{from: network}`; the template then outgrows the inline limit and goes through
template_bucket and TemplateURL). Target: at most 3 mutating calls per targeted OU, none per
account. A benchmark: it prints figures and never fails on them (the smoke test asserts).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Callable

from tests.bench import bench_baselines, synthetic
from vending import engine
from vending.allocate import allocate
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients, CallCounter, is_read_operation
from vending.model.loader import load

PER_OU_TARGET = 3
IP_PLAN = ("ip_plan:\n  prefix_length: 24\n  pools:\n    - {region: us-east-1, cidr: 10.0.0.0/9}\n"
           "    - {region: eu-west-1, cidr: 10.128.0.0/9}\ntemplate_bucket: vend-bench-templates\n")


def _apply(repo: Path, clients: AwsClients) -> None:
    desired = load(repo)
    plan, live = engine.plan(desired, clients, git_commit=None, target="bench")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
    report = engine.apply(plan, ctx, desired.settings)
    if not report.ok:
        raise RuntimeError("; ".join(f"{o.address}: {o.detail}" for o in report.outcomes if o.status != "applied")[:2000])


def run_size(accounts: int, ous: int, log: Callable[[str], None] = print) -> dict[str, Counter[str]]:
    from vending.local import LocalAws

    org = synthetic.generate(accounts, ous)
    steps: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory(prefix="vend-bench-") as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        quota = max(2000, len(bench_baselines.REGIONS) * accounts)
        with LocalAws(Path(tmp) / "state", stack_instance_quota=quota) as local:
            synthetic.seed_local(org, repo, local)
            local.session().client("s3").create_bucket(Bucket="vend-bench-templates")

            def measured(step: str) -> None:
                counter = CallCounter()
                _apply(repo, AwsClients(local.session(), observers=(counter,)))
                steps[step] = Counter({op: n for op, n in counter.counts.items() if not is_read_operation(op)})
                log(f"  {step}: {dict(steps[step])}")

            bench_baselines.write_baseline(org, repo)
            measured("new baseline")
            folder = repo / "baselines" / bench_baselines.BASELINE
            spec = folder / "baseline.yaml"
            spec.write_text(spec.read_text().replace("Owner: platform", "Owner: platform-team"))
            measured("parameter change")
            settings = repo / "vend.yaml"
            settings.write_text(settings.read_text() + IP_PLAN)
            spec.write_text(spec.read_text().replace("parameters:\n", "parameters:\n  VpcCidr: {from: network}\n"))
            template = folder / "template.yaml"
            template.write_text(template.read_text().replace(
                "  Owner:\n    Type: String\n", "  Owner:\n    Type: String\n  VpcCidr:\n    Type: String\n").replace(
                '"owned by ${Owner}"', '"owned by ${Owner}, ${VpcCidr}"'))
            allocate(repo)
            measured("per-account CIDR")
    return steps


def report(accounts: int, targeted: int, steps: dict[str, Counter[str]]) -> str:
    lines = [f"Mutating calls, {accounts:,} accounts, one baseline on {targeted} OUs, 2 Regions:", "",
             "| change | mutating calls | by operation | per targeted OU | target |", "|---|---:|---|---:|---|"]
    for step, counts in steps.items():
        total = sum(counts.values())
        lines.append(f"| {step} | {total} | {', '.join(f'{op} {n}' for op, n in sorted(counts.items()))}"
                     f" | {total / targeted:.2f} | {'met' if total <= PER_OU_TARGET * targeted else 'MISSED'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--ous", type=int, default=50)
    args = parser.parse_args(argv)
    for size in args.sizes:
        print(f"{size} accounts / {args.ous} OUs", flush=True)
        steps = run_size(size, args.ous, log=lambda m: print(m, flush=True))
        targeted = len([p for p in synthetic.generate(size, args.ous).ous if len(p) == 1 and p[0].startswith("Division")])
        print(report(size, targeted, steps), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
