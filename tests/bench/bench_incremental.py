"""Benchmark (issue 12 point 7): the incremental no-change plan beside the full plan and the
minimal full read, and the incremental plan that still finds drift.

    python -m tests.bench.bench_incremental [--sizes 1000 5000] [--ous 50] [--repeat 3]

For each size, in this one process (tests/bench/synthetic.py builds the organization in the
embedded local AWS, as bench_plan does): a full plan keeps the live snapshot, then, best of
--repeat and interleaved:

* the MINIMAL READ (`bench_plan.minimal_read`): the tree walk and one ListTagsForResource per
  account, the least a full read can ask;
* the FULL plan: `engine.plan` with `--refresh=full`;
* the INCREMENTAL plan: `engine.plan` fed by `vending.refresh.Refresh` from that snapshot, with
  no change since (LookupEvents included; the local AWS's rate is not limited, vend's 2
  requests/second limit is kept).

Then one account is moved and another retagged out of band, and the incremental plan must show
both (a move and a tag update), with its requests counted. Target (from the issue): the
no-change incremental plan sends at most 50 requests at 5,000 accounts. A benchmark, not a
test: it fails only when a plan is wrong.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tests.bench import bench_plan, synthetic
from vending import engine, snapshots
from vending.aws.clients import AwsClients, CallCounter
from vending.model.live_snapshot import dumps
from vending.model.loader import load
from vending.refresh import Refresh, Stored

DEFAULT_SIZES = (1000, 5000)
REQUEST_TARGET = 50


@dataclass
class SizeResult:
    accounts: int
    ous: int
    minimal: bench_plan.Measure
    full: bench_plan.Measure
    incremental: bench_plan.Measure
    drift: bench_plan.Measure
    drift_changes: list[str]


def _planner(repo: Path, snapshot: Callable[[], str], mode: str | None, expect: str) -> Callable[[AwsClients], dict]:
    def run(clients: AwsClients) -> dict[str, float]:
        desired = load(repo)
        refresh = Refresh(mode, desired.settings, clients, [Stored("memory", snapshot)],
                          snapshots.settings_scope(desired.settings), snapshots.now(), delivery_seconds=0.0)
        plan, _ = engine.plan(desired, clients, git_commit=None, target="bench", organizations=refresh.read)
        assert refresh.info()["mode"] == expect, refresh.info()
        synthetic.assert_no_changes(plan, f"{expect} plan")
        return {"events": float(refresh.info().get("events", 0))}
    return run


def _drift(org: Any) -> None:
    """Move one account to another OU and retag another, as someone in the console would."""
    root = org.list_roots()["Roots"][0]["Id"]
    ous = org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    source, target = ous[0]["Id"], ous[1]["Id"]
    accounts = org.list_accounts_for_parent(ParentId=source)["Accounts"]
    if not accounts:
        child = org.list_organizational_units_for_parent(ParentId=source)["OrganizationalUnits"][0]["Id"]
        source, accounts = child, org.list_accounts_for_parent(ParentId=child)["Accounts"]
    org.move_account(AccountId=accounts[0]["Id"], SourceParentId=source, DestinationParentId=target)
    retagged = accounts[1]["Id"] if len(accounts) > 1 else accounts[0]["Id"]
    org.tag_resource(ResourceId=retagged, Tags=[{"Key": "owner", "Value": "console-edit"}])


def run_size(accounts: int, ous: int, repeat: int, log: Callable[[str], None] = print) -> SizeResult:
    from vending.local import LocalAws

    org = synthetic.generate(accounts, ous)
    with tempfile.TemporaryDirectory(prefix="vend-bench-") as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        with LocalAws(Path(tmp) / "state") as local:
            synthetic.seed_local(org, repo, local)
            session = local.session()
            desired = load(repo)
            time.sleep(6)  # the seeding's own events fall before the snapshot's overlap
            read_at = snapshots.now()
            first, live = engine.plan(desired, AwsClients(session), git_commit=None, target="bench")
            synthetic.assert_no_changes(first, f"{accounts} accounts / {ous} OUs in the local AWS")
            text = dumps(snapshots.snapshot(desired.settings, first, live, read_at))
            log(f"  built {accounts} accounts / {len(org.ous)} OUs; snapshot kept")

            def minimal(clients: AwsClients) -> None:
                assert len(bench_plan.minimal_read(clients)) == accounts

            best = bench_plan._measure(session, {
                "minimal": minimal,
                "full": _planner(repo, lambda: text, "full", "full"),
                "incremental": _planner(repo, lambda: text, None, "events"),
            }, repeat)
            _drift(session.client("organizations"))
            counter = CallCounter()
            clients = AwsClients(session, observers=(counter,))
            refresh = Refresh(None, desired.settings, clients, [Stored("memory", lambda: text)],
                              snapshots.settings_scope(desired.settings), snapshots.now(), delivery_seconds=0.0)
            start = time.perf_counter()
            drifted, _ = engine.plan(desired, clients, git_commit=None, target="bench", organizations=refresh.read)
            drift = bench_plan.Measure(time.perf_counter() - start, counter.counts)
            assert refresh.info()["mode"] == "events", refresh.info()
            changes = sorted(f"{c.action.value} {c.address.split(':')[0]}" for c in drifted.changes
                             if c.action.value != "no-op")
            assert changes == ["move account", "update account_tags"], changes
            log(f"  minimal {best['minimal'].requests} requests; full plan {best['full'].requests};"
                f" incremental {best['incremental'].requests}; with drift {drift.requests}")
    return SizeResult(accounts, len(org.ous), best["minimal"], best["full"], best["incremental"], drift, changes)


def report(results: list[SizeResult], repeat: int) -> str:
    lines = [
        f"No-change plans, full and incremental, vs the minimal full read (local emulator, in-process, best of {repeat}):",
        "",
        "| accounts | OUs | minimal read | full plan | incremental plan | incremental with a move and a retag |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.accounts:,} | {r.ous} | {r.minimal.requests:,} req, {r.minimal.wall:.2f} s"
            f" | {r.full.requests:,} req, {r.full.wall:.2f} s"
            f" | {r.incremental.requests:,} req, {r.incremental.wall:.2f} s"
            f" | {r.drift.requests:,} req, {r.drift.wall:.2f} s |")
    lines += ["", "Incremental requests by operation (no change / with drift):", ""]
    for r in results:
        ops = sorted(set(r.incremental.counts) | set(r.drift.counts))
        lines.append(f"{r.accounts:,} accounts: " + ", ".join(
            f"{op} {r.incremental.counts.get(op, 0)}/{r.drift.counts.get(op, 0)}" for op in ops))
    lines.append("")
    for r in results:
        met = r.incremental.requests <= REQUEST_TARGET
        lines.append(f"{r.accounts:>6,} accounts: incremental {r.incremental.requests} requests (target <="
                     f" {REQUEST_TARGET}: {'met' if met else 'MISSED'}); drift found: {', '.join(r.drift_changes)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--ous", type=int, default=bench_plan.DEFAULT_OUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        print(f"{size} accounts / {args.ous} OUs", flush=True)
        results.append(run_size(size, args.ous, args.repeat, log=lambda m: print(m, flush=True)))
    print()
    print(report(results, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
