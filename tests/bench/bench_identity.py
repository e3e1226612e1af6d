"""Benchmark: what IAM Identity Center access costs `vend plan` in requests at scale (issue 10, point 4).

    python -m tests.bench.bench_identity [--sizes 100 1000] [--ous 50]

For each size, in this one process: the synthetic organization of tests/bench/synthetic.py in the
embedded local AWS, three permission sets (ReadOnly, PowerUser, Billing) applied by vend, and the
root's ou.yaml giving every account `Developers: [ReadOnly]`, `Operators: [PowerUser, ReadOnly]`
and `Auditors: [ReadOnly, Billing]` - five assignments per account, seeded straight into the
emulator (thousands of asynchronous CreateAccountAssignment calls through the API would take
minutes and measure nothing about reading). Then a no-change `vend plan` (`engine.plan`) is
measured, counting the sso-admin and identitystore requests:

* the FLOOR any reader needs to know every assignment of the groups: ListInstances, one
  GetGroupId per group, one ListAccountAssignmentsForPrincipal page (100) per 100 assignments of
  each group, and ListPermissionSets plus one DescribePermissionSet per set (to learn names);
* the NAIVE inventory with ListAccountAssignments, which needs an account and a permission set:
  accounts x permission sets requests (computed, not run).
vend adds a constant five reads per declared permission set (policies, inline policy, boundary,
accounts on an older version), never one per account. Target: at most 1.5 x the floor at 1,000
accounts. A benchmark, not a test: it prints figures; `test_bench_identity_smoke` asserts them at
20 accounts.
"""
from __future__ import annotations

import argparse
import dataclasses
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
from vending.apply.context import INSTANT
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.changes import Kind

DEFAULT_SIZES = (100, 1000)
ACCESS = {"Developers": ["ReadOnly"], "Operators": ["PowerUser", "ReadOnly"], "Auditors": ["ReadOnly", "Billing"]}
SETS = {"ReadOnly": "arn:aws:iam::aws:policy/ReadOnlyAccess", "PowerUser": "arn:aws:iam::aws:policy/PowerUserAccess",
        "Billing": "arn:aws:iam::aws:policy/job-function/Billing"}
PAGE = 100
TARGET = 1.5
_MODELS = botocore.session.get_session()
IDENTITY_OPS = (frozenset(_MODELS.get_service_model("sso-admin").operation_names)
                | frozenset(_MODELS.get_service_model("identitystore").operation_names)) - frozenset(
    _MODELS.get_service_model("organizations").operation_names)
"""Counted by operation name: ListTagsForResource is Organizations' here (vend never calls sso-admin's)."""


@dataclass
class Result:
    accounts: int
    assignments: dict[str, int]
    """Group -> its assignments."""
    build_seconds: float
    plan_seconds: float
    reads: Counter[str]

    @property
    def requests(self) -> int:
        return sum(self.reads.values())

    @property
    def floor(self) -> int:
        groups = len(self.assignments)
        pages = sum(max(1, math.ceil(n / PAGE)) for n in self.assignments.values())
        return 1 + groups + pages + 1 + len(SETS)

    @property
    def naive(self) -> int:
        return self.accounts * len(SETS)

    @property
    def ratio(self) -> float:
        return self.requests / self.floor


def write_access(repo: Path) -> None:
    root = repo / "ous" / "ou.yaml"
    lines = "".join(f"  {group}: [{', '.join(sets)}]\n" for group, sets in ACCESS.items())
    root.write_text(root.read_text() + "access:\n" + lines)
    folder = repo / "identity" / "permission-sets"
    folder.mkdir(parents=True)
    for name, policy in SETS.items():
        (folder / f"{name}.yaml").write_text(f"description: {name} access\nsession_duration: PT4H\n"
                                             f"managed_policies:\n  - {policy}\n")


def run_size(accounts: int, ous: int, log: Callable[[str], None] = print) -> Result:
    org = synthetic.generate(accounts, ous)
    with tempfile.TemporaryDirectory() as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        with LocalAws(Path(tmp) / "state") as local:
            start = time.perf_counter()
            synthetic.seed_local(org, repo, local)
            write_access(repo)
            desired = load(repo)
            clients = AwsClients(local.session())
            plan, live = engine.plan(desired, clients, git_commit=None, target="bench")
            keep = {c.address for c in plan.changes if c.kind is Kind.PERMISSION_SET}
            sets_only = dataclasses.replace(plan, changes=[c for c in plan.changes if c.address in keep],
                                            order=[[a for a in layer if a in keep] for layer in plan.order])
            ctx = engine.prepare_apply(sets_only, clients, desired.settings, allow_destroy=False, polling=INSTANT,
                                       live=live)
            if not engine.apply(sets_only, ctx, desired.settings).ok:
                raise RuntimeError("applying the permission sets failed")
            assignments = _seed_assignments(local, desired, live)
            build = time.perf_counter() - start
            log(f"{accounts} accounts: built in {build:.1f} s, {sum(assignments.values())} assignments")
            counter = CallCounter()
            start = time.perf_counter()
            measured, _ = engine.plan(desired, AwsClients(local.session(), observers=(counter,)), git_commit=None,
                                      target="bench")
            seconds = time.perf_counter() - start
            synthetic.assert_no_changes(measured, f"identity at {accounts} accounts")
    reads = Counter({op: n for op, n in counter.counts.items() if op in IDENTITY_OPS})
    return Result(accounts, assignments, build, seconds, reads)


def _seed_assignments(local: LocalAws, desired, live) -> dict[str, int]:
    """Every assignment the repository asks for, straight into the emulator's store."""
    store = local.emulator("ssoadmin").store
    groups = {g["DisplayName"]: gid for gid, g in store.groups.items()}
    arns = {p["Name"]: arn for arn, p in store.permission_sets.items()}
    by_email = live.account_by_email()
    counts: Counter[str] = Counter()
    for spec in desired.accounts.values():
        account = by_email.get(spec.email.lower())
        access = desired.account_settings(spec).access
        if account is None or spec.state != "active" or not access:
            continue
        for group, sets in access.items():
            for name in sets:
                store.assignments.append([account.id, arns[name], "GROUP", groups[group]])
                store.provisioned.setdefault(arns[name], {})[account.id] = store.permission_sets[arns[name]]["Version"]
                counts[group] += 1
    local.save()
    return dict(counts)


def report(results: list[Result]) -> str:
    rows = ["| accounts | assignments | vend plan reads | floor | ratio | naive (accounts x sets) | plan s |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(f"| {r.accounts:,} | {sum(r.assignments.values()):,} | {r.requests} | {r.floor} | {r.ratio:.2f}x"
                    f" | {r.naive:,} | {r.plan_seconds:.1f} |")
    detail = ", ".join(f"{op} {n}" for op, n in sorted(results[-1].reads.items()))
    return "\n".join(rows) + f"\n\nreads at {results[-1].accounts:,} accounts: {detail} (target <= {TARGET}x)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--ous", type=int, default=50)
    args = parser.parse_args(argv)
    results = [run_size(n, args.ous) for n in args.sizes]
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
