"""Benchmark: a Service Catalog hub at scale (issue 7, point 6): many portfolios shared to many OUs
of a large organization.

    python -m tests.bench.bench_catalog [--sizes 500 5000] [--ous 50] [--portfolios 200] [--shared-ous 20]

For each size, in this one process: the synthetic organization of tests/bench/synthetic.py in
the embedded local AWS, planned bare (the BASELINE); then catalog/ gains one product and
`portfolios` available portfolios, each holding it with an IAM_PATTERN principal and a launch
constraint, shared with the same `shared_ous` OUs (leaf OUs first, so no account is reached
twice by one portfolio). vend applies the product and the first portfolio; the others are
copies of it made directly in the Service Catalog emulator (new ids, their own vend name and
display name; as seed_local makes the accounts: thousands of requests each writing the state
would measure the local AWS's persistence, not vend), and the plan must find them all in place.
Then:

* PLAN READS: the Service Catalog and S3 requests of the no-change plan, by operation. The reader
  is O(portfolios + products + constraints + share types): nothing in it depends on the number
  of accounts (compare the two sizes);
* NEW PORTFOLIO: one more portfolio like the others, shared with the same OUs, planned and
  applied; its mutating requests by operation (CreatePortfolio, its associations, one
  CreatePortfolioShare per OU: O(OUs), none per account) and the DescribePortfolioShareStatus
  polls that wait for the shares.

This is a benchmark, not a test: it prints figures and never fails on them;
`test_bench_catalog_smoke` runs it at a small size and asserts the counts.
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tests.bench import synthetic
from tests.bench.root_settings import plan_counts
from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.local.framework import is_read
from vending.model.loader import load

DEFAULT_SIZES = (500, 5000)
BUCKET = "vend-bench-templates"
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  StorageClass: {Type: String, Default: STANDARD, AllowedValues: [STANDARD, INTELLIGENT_TIERING]}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags: [{Key: storage-class, Value: !Ref StorageClass}]
"""
CATALOG_SERVICES = ("servicecatalog", "s3")


@dataclass
class Result:
    accounts: int
    portfolios: int
    shared_ous: int
    baseline: Counter[str]
    with_catalog: Counter[str]
    new_portfolio: Counter[str]
    """Every request of the apply of one more portfolio, by operation."""
    apply_seconds: float
    plan_seconds: float
    baseline_seconds: float

    @property
    def catalog_reads(self) -> Counter[str]:
        return self.with_catalog - self.baseline

    @property
    def new_mutations(self) -> Counter[str]:
        return Counter({op: n for op, n in self.new_portfolio.items() if not is_read(op)})


def shared_ous(org: synthetic.SynOrg, count: int) -> list[str]:
    """`count` OU paths, leaves first (no OU below another, while there are leaves enough)."""
    paths = sorted(org.ous)
    leaves = [p for p in paths if not any(q[:len(p)] == p and q != p for q in paths)]
    picked = (leaves + [p for p in paths if p not in leaves])[:count]
    return ["/".join(p) for p in picked]


def _portfolio(n: int, ous: list[str]) -> str:
    shares = "".join(f"  - ou: {ou}\n" for ou in ous)
    return (f"display_name: Team {n:03d}\nprovider: Platform team\ndistribution: available\n"
            f"products: [bucket]\nshares:\n{shares}share_tag_options: true\nshare_principals: true\n"
            "principals:\n  - iam_pattern: arn:aws:iam:::role/builders/*\n"
            "constraints:\n  bucket:\n    - launch: {local_role_name: SCLaunchRole}\n")


def write_catalog(repo: Path, portfolios: int, ous: list[str], first: int = 0) -> None:
    """catalog/ with the product and portfolios `first` .. `portfolios - 1` (the product and
    vend.yaml's catalog section with the first)."""
    folder = repo / "catalog" / "portfolios"
    if first == 0:
        vend_yaml = repo / "vend.yaml"
        vend_yaml.write_text(vend_yaml.read_text() + f"catalog:\n  template_bucket: {BUCKET}\n")
        product = repo / "catalog" / "products" / "bucket"
        product.mkdir(parents=True)
        (product / "product.yaml").write_text("name: Bucket\nowner: Platform team\nversions:\n"
                                              "  - {name: v1, template: template.yaml}\n")
        (product / "template.yaml").write_text(TEMPLATE)
        folder.mkdir(parents=True)
    for n in range(first, portfolios):
        (folder / f"team-{n:03d}.yaml").write_text(_portfolio(n, ous))


def copy_portfolio(local: Any, portfolios: int) -> None:
    """Portfolios 1 .. `portfolios - 1` as copies of team-000 in the hub's Service Catalog tables:
    its products, principals, constraints and completed shares, under new ids."""
    from vending.local.servicecatalog.tables import new_id

    tables = local.emulator("servicecatalog").store.tables(local.management_account_id, "us-east-1")
    [original] = [p for p in tables["portfolios"].values() if p["DisplayName"] == "Team 000"]
    constraints = [c for c in tables["constraints"].values() if c["PortfolioId"] == original["Id"]]
    for n in range(1, portfolios):
        folio = copy.deepcopy(original)
        folio_id = new_id("port")
        folio.update(Id=folio_id, DisplayName=f"Team {n:03d}", ARN=original["ARN"].replace(original["Id"], folio_id),
                     Tags=[{"Key": "vend:portfolio", "Value": f"team-{n:03d}"}],
                     products={product: new_id("lpv2") for product in original["products"]})
        for share in folio["shares"]:
            share.update(token=None, live=True)
        tables["portfolios"][folio_id] = folio
        for constraint in constraints:
            constraint_id = new_id("cons")
            tables["constraints"][constraint_id] = {**constraint, "ConstraintId": constraint_id, "PortfolioId": folio_id}
    local.save()


def apply_counted(repo: Path, local: object) -> Counter[str]:
    """vend's own plan + apply of `repo`; every request of both, by operation."""
    from vending.apply.context import INSTANT

    counter = CallCounter()
    clients = AwsClients(local.session(), observers=(counter,))  # type: ignore[attr-defined]
    desired = load(repo)
    plan, live = engine.plan(desired, clients, git_commit=None, target="bench")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT, live=live)
    report = engine.apply(plan, ctx, desired.settings)
    if not report.ok:
        raise RuntimeError("; ".join(f"{o.address}: {o.detail}" for o in report.outcomes if o.status != "applied")[:2000])
    return Counter(counter.counts)


def run_size(accounts: int, ous: int, portfolios: int = 200, shared: int = 20,
             log: Callable[[str], None] = print) -> Result:
    from vending.local import LocalAws

    org = synthetic.generate(accounts, ous)
    targets = shared_ous(org, shared)
    with tempfile.TemporaryDirectory(prefix="vend-bench-") as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        with LocalAws(Path(tmp) / "state") as local:
            synthetic.seed_local(org, repo, local)
            local.ensure_bucket(BUCKET, "us-east-1")
            baseline, baseline_seconds = plan_counts(repo, local, "bench_catalog")
            write_catalog(repo, 1, targets)
            start = time.perf_counter()
            apply_counted(repo, local)
            apply_seconds = time.perf_counter() - start
            write_catalog(repo, portfolios, targets, first=1)
            copy_portfolio(local, portfolios)
            log(f"  {accounts} accounts: {portfolios} portfolios x {len(targets)} OUs applied in {apply_seconds:.1f} s")
            with_catalog, plan_seconds = plan_counts(repo, local, "bench_catalog")
            (repo / "catalog" / "portfolios" / "team-new.yaml").write_text(_portfolio(portfolios, targets))
            new_portfolio = apply_counted(repo, local)
            return Result(accounts, portfolios, len(targets), baseline, with_catalog, new_portfolio,
                          apply_seconds, plan_seconds, baseline_seconds)


def _service_ops(counts: Counter[str]) -> list[str]:
    return sorted(op for op in counts if counts[op])


def report(results: list[Result]) -> str:
    lines = [
        "Available portfolios shared to OUs (local emulator, in-process):", "",
        "| accounts | portfolios x OUs | catalog plan reads | plan requests without / with | plan wall without / with"
        " | new portfolio: mutating calls | of them CreatePortfolioShare | share status polls |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.accounts:,} | {r.portfolios} x {r.shared_ous} | {sum(r.catalog_reads.values()):,}"
            f" | {sum(r.baseline.values()):,} / {sum(r.with_catalog.values()):,}"
            f" | {r.baseline_seconds:.1f} s / {r.plan_seconds:.1f} s | {sum(r.new_mutations.values()):,}"
            f" | {r.new_mutations['CreatePortfolioShare']} | {r.new_portfolio['DescribePortfolioShareStatus']} |")
    ops = sorted(set().union(*(r.catalog_reads for r in results)))
    lines += ["", "Catalog plan reads by operation:", "",
              "| operation | " + " | ".join(f"{r.accounts:,}" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    lines += [f"| {op} | " + " | ".join(f"{r.catalog_reads.get(op, 0):,}" for r in results) + " |" for op in ops]
    ops = sorted(set().union(*(r.new_mutations for r in results)))
    lines += ["", "Mutating calls of one more portfolio shared with the same OUs:", "",
              "| operation | " + " | ".join(f"{r.accounts:,}" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    lines += [f"| {op} | " + " | ".join(f"{r.new_mutations.get(op, 0):,}" for r in results) + " |" for op in ops]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--ous", type=int, default=50)
    parser.add_argument("--portfolios", type=int, default=200)
    parser.add_argument("--shared-ous", type=int, default=20)
    args = parser.parse_args(argv)
    results = [run_size(size, args.ous, args.portfolios, args.shared_ous, log=lambda m: print(m, flush=True))
               for size in args.sizes]
    print()
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
